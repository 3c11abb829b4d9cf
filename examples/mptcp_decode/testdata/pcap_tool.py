#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Rewrites classic pcap files for the decoder's tests (standard library only).

  pcap_tool.py snap N IN OUT     cut every record to N captured bytes (snap length N)
  pcap_tool.py cut N IN OUT      end the file N bytes into its last record (a torn file)
  pcap_tool.py pcapng IN OUT     rewrite as pcapng (SHB, one IDB, EPBs)
  pcap_tool.py repeat N IN OUT   the records of IN, N times over (for speed comparisons)
  pcap_tool.py split N IN A B    the first N records of IN to A, the rest to B (rotated files)
"""
import struct
import sys


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    _, _, _, _, _, snaplen, linktype = struct.unpack(endian + "IHHiIII", data[:24])
    records, at = [], 24
    while at + 16 <= len(data):
        sec, usec, caplen, length = struct.unpack(endian + "IIII", data[at:at + 16])
        records.append((sec, usec, length, data[at + 16:at + 16 + caplen]))
        at += 16 + caplen
    return data[:24], endian, linktype, records


def write_pcap(path, header, endian, records):
    with open(path, "wb") as f:
        f.write(header)
        for sec, usec, length, frame in records:
            f.write(struct.pack(endian + "IIII", sec, usec, len(frame), length) + frame)


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def write_pcapng(path, linktype, records):
    def block(btype, body):
        total = 12 + len(body)
        return struct.pack("<II", btype, total) + body + struct.pack("<I", total)
    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(block(0x00000001, struct.pack("<HHI", linktype, 0, 65535)))
        for sec, usec, length, frame in records:
            ts = sec * 1000000 + usec
            body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), length)
            f.write(block(0x00000006, body + pad4(frame)))


def main():
    cmd = sys.argv[1]
    if cmd == "snap":
        n = int(sys.argv[2])
        header, endian, _, records = read_pcap(sys.argv[3])
        write_pcap(sys.argv[4], header, endian, [(s, u, l, f[:n]) for s, u, l, f in records])
    elif cmd == "cut":
        n = int(sys.argv[2])
        data = open(sys.argv[3], "rb").read()
        _, _, _, records = read_pcap(sys.argv[3])
        last = 16 + len(records[-1][3])
        open(sys.argv[4], "wb").write(data[:len(data) - last + n])
    elif cmd == "repeat":
        n = int(sys.argv[2])
        header, endian, _, records = read_pcap(sys.argv[3])
        write_pcap(sys.argv[4], header, endian, records * n)
    elif cmd == "split":
        n = int(sys.argv[2])
        header, endian, _, records = read_pcap(sys.argv[3])
        write_pcap(sys.argv[4], header, endian, records[:n])
        write_pcap(sys.argv[5], header, endian, records[n:])
    elif cmd == "pcapng":
        _, _, linktype, records = read_pcap(sys.argv[2])
        write_pcapng(sys.argv[3], linktype, records)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
