#!/usr/bin/python3
"""Adds seeds taken from real Linux-kernel traffic to the fuzz corpora.

    /usr/bin/python3 fuzz/add_kernel_seeds.py [CAPTURE]   # default: examples/captures/linux_kernel_mptcp_v1.pcap

Reads a classic pcap (Linux cooked v1, Ethernet or raw IP), takes each TCP
option area, and writes one seed per distinct shape (the sequence of kinds,
MPTCP subtypes, lengths and flag nibbles) as fuzz/corpus/<target>/kernel_<hash>:
whole areas for the walker, single options for the dispatcher (behind its
config byte, as make_seed_corpus.py does) and for each subtype's target.
At most MAX_PER_TARGET per target. make_seed_corpus.py leaves kernel_* alone.
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


if __name__ == "__main__":
    main()
