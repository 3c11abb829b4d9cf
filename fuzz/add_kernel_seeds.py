#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Adds seeds taken from real Linux-kernel traffic to the fuzz corpora.

    /usr/bin/python3 fuzz/add_kernel_seeds.py [CAPTURE]   # default: examples/captures/linux_kernel_mptcp_v1.pcap

Reads a classic pcap (Linux cooked v1, Ethernet or raw IP), takes each TCP
option area, and writes one seed per distinct shape (the sequence of kinds,
MPTCP subtypes, lengths and flag nibbles) as fuzz/corpus/<target>/kernel_<hash>:
whole areas for the walker, single options for the dispatcher (behind its
config byte, as make_seed_corpus.py does) and for each subtype's target.
At most MAX_PER_TARGET per target. make_seed_corpus.py leaves kernel_* alone.

The decoder targets get whole frames and files instead (add_decoder_seeds):
  packet_dissector_fuzzer    one frame per distinct header shape, behind the
                             selector byte (kernel_* from this capture,
                             sample_* from examples/captures/explicit_and_implicit_models.pcap);
  connection_tracker_fuzzer  the capture's segments carrying MPTCP options
                             other than DSS alone, in capture order, as step
                             programs (explicit tuples, each option area as a
                             raw area), cut into inputs of at most 2,000 bytes;
  capture_decoder_fuzzer     windows of consecutive records of this capture as
                             small pcap files, the sample capture whole under
                             each output mode, as pcapng, and cut to a
                             snapshot length of 60 (behind the options byte).
"""
import hashlib
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
MAX_PER_TARGET = 15
CFG_V1 = 0x1D  # mptcp_option_fuzzer config byte: v1, default MP_PREFER_PROXY subtype
SUBTYPE_TARGET = {0x0: "mp_capable_fuzzer", 0x1: "mp_join_fuzzer", 0x2: "dss_fuzzer",
                  0x3: "add_addr_fuzzer"}
SMALL_SELECTORS = {0x4: 0x00, 0x5: 0x01, 0x6: 0x03, 0x7: 0x04, 0x8: 0x05}


def frames(path):
    data = open(path, "rb").read()
    endian = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    at = 24
    while at + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[at + 8:at + 12])[0]
        yield linktype, data[at + 16:at + 16 + caplen]
        at += 16 + caplen


def option_area(linktype, frame):
    ip = {113: frame[16:], 1: frame[14:], 101: frame, 12: frame}.get(linktype)
    if ip is None or not ip:
        return None
    if ip[0] >> 4 == 4:
        if ip[9] != 6:
            return None
        tcp = ip[(ip[0] & 15) * 4:]
    elif ip[0] >> 4 == 6:
        if ip[6] != 6:
            return None
        tcp = ip[40:]
    else:
        return None
    if len(tcp) < 20:
        return None
    doff = (tcp[12] >> 4) * 4
    return tcp[20:doff] if doff >= 20 and len(tcp) >= doff else None


def walk(area):
    i = 0
    while i < len(area):
        if area[i] == 0:
            return
        if area[i] == 1:
            i += 1
            continue
        if i + 1 >= len(area) or area[i + 1] < 2:
            return
        yield area[i:i + area[i + 1]]
        i += area[i + 1]


SAMPLE = os.path.join(ROOT, "examples", "captures", "explicit_and_implicit_models.pcap")
DISSECTOR_LINKS = [1, 101, 113, 228, 229, 276, 12, 14]  # packet_dissector_checks.h


def pcap_file(path):
    """(24-byte header, endian, linktype, [(ts_sec, ts_usec, orig_len, frame)])."""
    data = open(path, "rb").read()
    endian = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    records, at = [], 24
    while at + 16 <= len(data):
        sec, usec, caplen, orig = struct.unpack(endian + "IIII", data[at:at + 16])
        records.append((sec, usec, orig, data[at + 16:at + 16 + caplen]))
        at += 16 + caplen
    return data[:24], endian, linktype, records


def pcap_bytes(header, endian, records, snaplen=None):
    out = bytearray(header)
    for sec, usec, orig, frame in records:
        frame = frame[:snaplen] if snaplen else frame
        out += struct.pack(endian + "IIII", sec, usec, len(frame), orig) + frame
    return bytes(out)


def pcapng_bytes(linktype, records):
    """Section Header, one Interface Description, one Enhanced Packet per record."""
    def block(kind, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", kind, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", linktype, 0, 65535))
    for sec, usec, orig, frame in records:
        ts = sec * 1000000 + usec
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), orig) + frame)
    return out


def frame_shape(linktype, frame):
    """Link type, IP version, TCP flags, and the option area's kinds and subtypes."""
    area = option_area(linktype, frame) or b""
    ip = {113: frame[16:], 1: frame[14:]}.get(linktype, frame)
    return (linktype, ip[0] >> 4 if ip else -1, len(area),
            tuple((o[0], o[2] >> 4 if o[0] == 30 and len(o) > 2 else -1) for o in walk(area)))


def dissector_seed(linktype, frame, orig):
    mode = 1 if orig == len(frame) else 2
    tail = b"" if mode == 1 else (orig - len(frame)).to_bytes(2, "big")
    return bytes([DISSECTOR_LINKS.index(linktype) | mode << 4]) + tail + frame


def tracker_programs(linktype, records, limit=2000):
    """connection_tracker_checks.h programs: explicit tuples (0xFF), one raw
    option area (NoiseOption kind 6) per segment."""
    hosts, programs, program = {}, [], bytearray([0])
    for _, _, _, frame in records:
        area = option_area(linktype, frame)
        if not area or len(area) > 40:
            continue
        subtypes = {o[2] >> 4 for o in walk(area) if o[0] == 30 and len(o) > 2}
        if not subtypes or subtypes == {0x2}:
            continue  # no MPTCP, or DSS alone: the tracker ignores it
        ip = {113: frame[16:], 1: frame[14:]}.get(linktype, frame)
        v6 = ip[0] >> 4 == 6
        src, dst = (ip[8:24], ip[24:40]) if v6 else (ip[12:16], ip[16:20])
        tcp = ip[40:] if v6 else ip[(ip[0] & 15) * 4:]
        h = [hosts.setdefault((v6, a), len([k for k in hosts if k[0] == v6]) % 2) for a in (src, dst)]
        step = bytes([0x00, 0xFF, int(v6) | h[0] << 1 | h[1] << 2]) + tcp[0:4] + \
            bytes([tcp[13], 0x06, len(area)]) + area
        if len(program) + len(step) > limit:
            programs.append(bytes(program))
            program = bytearray([0])
        program += step
    if len(program) > 1:
        programs.append(bytes(program))
    return programs


def write_seeds(target, prefix, items):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    for b in items:
        with open(os.path.join(d, prefix + hashlib.sha1(b).hexdigest()[:12]), "wb") as f:
            f.write(b)
    print("%s: %d %s* seeds, largest %d bytes" % (target, len(items), prefix,
                                                  max(len(b) for b in items)))


def add_decoder_seeds(capture):
    header, endian, linktype, records = pcap_file(capture)
    s_header, s_endian, s_linktype, s_records = pcap_file(SAMPLE)
    for prefix, lt, recs in (("kernel_", linktype, records), ("sample_", s_linktype, s_records)):
        shapes, items = set(), []
        for _, _, orig, frame in recs:
            shape = frame_shape(lt, frame)
            if shape not in shapes and len(items) < MAX_PER_TARGET:
                shapes.add(shape)
                items.append(dissector_seed(lt, frame, orig))
        write_seeds("packet_dissector_fuzzer", prefix, items)
    write_seeds("connection_tracker_fuzzer", "kernel_",
                tracker_programs(linktype, records)[:MAX_PER_TARGET])
    # Windows of consecutive records: the first connections' handshakes and
    # joins, then the records around every ADD_ADDR/MP_PRIO/REMOVE_ADDR/RST.
    windows, start = [], 0
    interesting = [i for i, (_, _, _, f) in enumerate(records)
                   if {o[2] >> 4 for o in walk(option_area(linktype, f) or b"")
                       if o[0] == 30 and len(o) > 2} & {0x3, 0x4, 0x5, 0x7, 0x8}]
    for first in [0] + interesting:
        if first < start:
            continue
        window, size = [], 24
        for rec in records[max(first - 2, 0):]:
            if size + 16 + len(rec[3]) > 8000:
                break
            window.append(rec)
            size += 16 + len(rec[3])
        windows.append(bytes([0x02]) + pcap_bytes(header, endian, window))
        start = first + len(window)
    sample = [bytes([mode]) + pcap_bytes(s_header, s_endian, s_records) for mode in range(4)]
    sample.append(bytes([0x03]) + pcapng_bytes(s_linktype, s_records))
    sample.append(bytes([0x02]) + pcap_bytes(s_header, s_endian, s_records, snaplen=60))
    write_seeds("capture_decoder_fuzzer", "kernel_", windows[:MAX_PER_TARGET])
    write_seeds("capture_decoder_fuzzer", "sample_", sample)


def main():
    capture = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        ROOT, "examples", "captures", "linux_kernel_mptcp_v1.pcap")
    seeds = {}
    seen = set()

    def add(target, shape, payload):
        if (target, shape) in seen or len(seeds.setdefault(target, [])) >= MAX_PER_TARGET:
            return
        seen.add((target, shape))
        seeds[target].append(payload)

    for linktype, frame in frames(capture):
        area = option_area(linktype, frame)
        if not area:
            continue
        opts = list(walk(area))
        shape = tuple((o[0], o[2] >> 4 if o[0] == 30 and len(o) > 2 else -1, len(o),
                       o[2] & 15 if o[0] == 30 and len(o) > 2 else -1) for o in opts)
        if any(s[0] == 30 for s in shape):
            add("tcp_option_walker_fuzzer", shape, area)
        for o, s in zip(opts, shape):
            if o[0] != 30 or len(o) < 3:
                continue
            add("mptcp_option_fuzzer", s, bytes([CFG_V1]) + o)
            if s[1] in SUBTYPE_TARGET:
                add(SUBTYPE_TARGET[s[1]], s, o)
            if s[1] in SMALL_SELECTORS:
                add("small_options_fuzzer", s, bytes([SMALL_SELECTORS[s[1]]]) + o)
    for target, items in sorted(seeds.items()):
        d = os.path.join(CORPUS, target)
        for b in items:
            with open(os.path.join(d, "kernel_" + hashlib.sha1(b).hexdigest()[:12]), "wb") as f:
                f.write(b)
        print("%s: %d kernel seeds" % (target, len(items)))
    add_decoder_seeds(capture)


if __name__ == "__main__":
    main()
