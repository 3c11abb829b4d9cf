#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes edge_cases.pcap: one frame per MP_CONVERT IE / MP_PREFER_PROXY case
the shipped captures do not hold (IPv6 and IPv4-mapped addresses, IEs
without port, every IE error of decisions.md D7, a skipped unknown Type (D6),
a payload cut by the snapshot length, MP_PREFER_PROXY where it is not
applicable (D10) or of a bad length, and one with subtype 0x9 (D5)).

The Lua dissector's test decodes it with tshark and with mptcp-decode and
compares them; nothing here states what either should print.

  /usr/bin/python3 tools/wireshark/testdata/make_edge_cases.py tools/wireshark/testdata/edge_cases.pcap
"""
import ipaddress
import struct
import sys

from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether

MAGIC = b"\xfa\xa8\xfa\xa8"
MP_CAPABLE_SYN = b"\x1e\x04\x01\x01"  # v1, flag H (HMAC-SHA256)
PREFER_PROXY = b"\x1e\x04\xe0\x00"    # default subtype 0xE (decisions.md D5)


def ie(address=None, port=None, source=False, last=True, ie_type=0, length=None, body=None):
    """One IE: magic, Type, Length, Reserved|D|M, Address, Port, padding."""
    if body is None:
        body = ipaddress.ip_address(address).packed if address else b""
        if port is not None:
            body += struct.pack("!H", port)
    if length is None:
        length = 4 + len(body)
    flags = (2 if source else 0) | (1 if last else 0)
    raw = MAGIC + bytes([ie_type, length]) + struct.pack("!H", flags) + body
    return raw + b"\0" * (-len(raw) % 4)


def ipv4_checksum(header):
    total = sum(struct.unpack("!10H", bytes(header)))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class Capture:
    def __init__(self):
        self.records = []
        self.port = 40000

    def frame(self, payload=b"", options=MP_CAPABLE_SYN, flags="S", v6=False, snap=None):
        self.port += 1
        opts = options + b"\x01" * (-len(options) % 4)  # NOP padding to 32 bits
        if v6:
            ip = IPv6(src="2001:db8:100::1", dst="2001:db8:ffff::1")
        else:
            ip = IP(src="100.64.1.10", dst="203.0.113.1")
        tcp = TCP(sport=self.port, dport=5555, flags=flags, seq=1000, ack=7000 if "A" in flags else 0,
                  dataofs=5 + len(opts) // 4, options=[])
        pkt = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / ip / tcp
        raw = bytearray(bytes(pkt))
        # scapy's option encoder would rewrite malformed options: splice them in.
        at = len(raw)
        raw[at:at] = opts
        if v6:
            struct.pack_into("!H", raw, 14 + 4, 20 + len(opts) + len(payload))
        else:
            struct.pack_into("!H", raw, 14 + 2, 20 + 20 + len(opts) + len(payload))
            struct.pack_into("!H", raw, 14 + 10, 0)
        raw += payload
        if not v6:
            struct.pack_into("!H", raw, 14 + 10, ipv4_checksum(raw[14:34]))
        self.records.append((bytes(raw), snap))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for i, (wire, snap) in enumerate(self.records):
                cap = wire if snap is None else wire[:snap]
                f.write(struct.pack("<IIII", 1700000000, i * 1000, len(cap), len(wire)) + cap)


def main():
    c = Capture()
    data = b"GET / HTTP/1.1\r\n"
    # Accepted IE lists.
    c.frame(ie("198.51.100.7") + data)                                    # IPv4, no port, then data
    c.frame(ie("2001:db8:200::80"), v6=True)                               # IPv6, no port
    c.frame(ie("2001:db8:100:1::20", 51515, source=True, last=False) + ie("192.0.2.80", 443), v6=True)
    c.frame(ie("::ffff:198.51.100.7", 8080))                                # IPv4-mapped IPv6
    c.frame(ie("2001:db8:0:0:1:0:0:1", 80, last=False) + ie("fe80::1", 9, source=True))  # two zero runs; link-local
    c.frame(ie("192.0.2.80", 443), options=MP_CAPABLE_SYN, flags="SA")     # echo in a SYN/ACK
    c.frame(ie(ie_type=7, body=b"\x00\x00\x00\x00", last=False) + ie("192.0.2.80", 443))  # D6 skip
    c.frame(ie(ie_type=9, body=b"\x01\x02\x03\x04"))                       # only an unknown Type
    c.frame(ie("192.0.2.80", 443), options=b"")                             # SYN without MP_CAPABLE
    c.frame(ie("192.0.2.80", 443), flags="A")                               # not a SYN: no IE parsed
    # Malformed IE lists (decisions.md D7).
    c.frame(MAGIC + b"\x00\x0a")                                            # PAST_END: header cut
    c.frame(ie("2001:db8::1", 443)[:20], v6=True)                           # PAST_END: Length past the end
    c.frame(ie(length=3, body=b""))                                         # BAD_LENGTH: below 4
    c.frame(ie(length=12, body=b"\xc0\x00\x02\x50\x01\xbb\x00\x00"))       # BAD_LENGTH: not 8/10/20/22
    c.frame(ie("192.0.2.80", 443, last=False) + ie("192.0.2.81", source=True, last=False)
            + ie("192.0.2.82"))                                             # TOO_MANY_IES: 3 addresses
    c.frame(b"".join(ie(ie_type=5, body=b"\0\0\0\0", last=False) for _ in range(5)))  # TOO_MANY: walked
    c.frame(ie("192.0.2.80", 443, last=False) + ie("192.0.2.81", 80))       # DUPLICATE_DIRECTION
    c.frame(ie("192.0.2.80", 443, last=False) + data)                       # MISSING_LAST_FLAG: data
    c.frame(ie("192.0.2.80", 443, last=False))                              # MISSING_LAST_FLAG: end
    for bad in ("224.0.0.1", "255.255.255.255", "0.0.0.0", "127.0.0.1", "::1", "::", "ff02::1",
                "::ffff:127.0.0.1"):
        c.frame(ie(bad, 443))                                               # BAD_ADDRESS_CLASS
    c.frame(ie("192.0.2.80", 443, last=False) + ie("239.1.2.3", source=True))  # good one, then bad
    c.frame(ie("2001:db8:100:1::20", 51515, source=True, last=False) + ie("2001:db8:200::80", 443),
            v6=True, snap=14 + 40 + 24 + 40)                                # capture cut in the list
    # MP_PREFER_PROXY (D5, D10).
    c.frame(options=MP_CAPABLE_SYN + PREFER_PROXY)                          # applicable
    c.frame(options=PREFER_PROXY + MP_CAPABLE_SYN, v6=True)                 # applicable, other order
    c.frame(options=PREFER_PROXY)                                           # SYN without MP_CAPABLE
    c.frame(options=MP_CAPABLE_SYN + PREFER_PROXY, flags="SA")              # SYN/ACK
    c.frame(options=PREFER_PROXY, flags="A")                                # not a SYN
    c.frame(options=MP_CAPABLE_SYN + b"\x1e\x05\xe0\x00\x00")               # BAD_LENGTH 5
    c.frame(options=MP_CAPABLE_SYN + b"\x1e\x03\xe0")                       # BAD_LENGTH 3
    c.frame(options=MP_CAPABLE_SYN + b"\x1e\x04\x90\x00")                   # subtype 0x9
    c.frame(options=PREFER_PROXY + b"\x08\x01" + MP_CAPABLE_SYN)            # walk stops before MP_CAPABLE
    # Address texts inet_ntop writes in its less common forms (dotted tails).
    c.frame(ie("::1:2", 1, last=False) + ie("::ffff:0:102:304", 2, source=True), v6=True)
    c.frame(ie("0:0:0:0:0:1:0:0", 3, last=False) + ie("1::", 4, source=True), v6=True)
    c.frame(ie("::2", last=False) + ie("2001:db8:0:1::", source=True), v6=True)
    c.write(sys.argv[1])


if __name__ == "__main__":
    main()
