#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpora fuzz/corpus/<target>/ from the unit-test vectors.

    /usr/bin/python3 fuzz/make_seed_corpus.py          # rewrite the seeds
    /usr/bin/python3 fuzz/make_seed_corpus.py --check  # exit 1 if they are stale
    /usr/bin/python3 fuzz/make_seed_corpus.py [--check] TARGET...  # only these targets

Every hex string literal in mptcp_opts/*_test.cc (Hex("..."), the vector
tables, expected ToHex() outputs; adjacent literals are joined) is a
candidate. Vectors are routed by content: an MPTCP option (Kind 30) goes to
its subtype's decoder target, to the dispatcher (behind a config byte) and,
as a one-option area, to the walker; option areas from the walker, builder
and editor tests go to the walker; MP_CONVERT test payloads go to
mp_convert_ie_fuzzer. The two FuzzedDataProvider targets get seeds built by
an encoder that mirrors FuzzedDataProvider (integers are read from the end
of the input, byte strings from the front) and the consumption order of
tcp_segment_editor_fuzzer.cc and roundtrip_fuzzer.cc.

The decoder targets: packet_dissector_fuzzer gets the frames of
mptcp_opts/capture/testdata/scapy_frames.inc (test_*) and frames built here
for the paths scapy's frames do not take (frame_*: VLAN stacks, IPv6
extension chains, TSO/jumbo lengths, bad offsets, cuts, odd link types);
connection_tracker_fuzzer gets step programs (seq_*) written with the
encoder Program below, which mirrors connection_tracker_checks.h's Reader.
capture_decoder_fuzzer's seeds come from the shipped captures
(fuzz/add_kernel_seeds.py).

Only files named test_* (unit-test vectors), fdp_* (structured seeds), frame_*
and seq_* are owned by this script; anything else in a corpus directory (for example
kernel_* seeds from real captures) is left alone. Seeds are named after a hash
of their content, so re-running the script is a no-op unless the tests changed.
"""
import hashlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(ROOT, "mptcp_opts")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
MAX_FILES = 50
MAX_OPTION_SEED = 100
OWNED = ("test_", "fdp_", "frame_", "seq_")
SCAPY_FRAMES = os.path.join(ROOT, "mptcp_opts", "capture", "testdata", "scapy_frames.inc")

TARGETS = [
    "tcp_option_walker_fuzzer", "mptcp_option_fuzzer", "mp_capable_fuzzer", "mp_join_fuzzer",
    "dss_fuzzer", "add_addr_fuzzer", "small_options_fuzzer", "mp_convert_ie_fuzzer",
    "tcp_segment_editor_fuzzer", "roundtrip_fuzzer", "packet_dissector_fuzzer",
    "connection_tracker_fuzzer",
]

LITERALS = re.compile(r'((?:"[^"\\\n]*"\s*)+)')


def hex_vectors(path):
    """Yields (bytes) for every string literal group that is only hex digits and spaces."""
    text = open(path).read()
    for m in LITERALS.finditer(text):
        s = "".join(re.findall(r'"([^"]*)"', m.group(1)))
        digits = s.replace(" ", "")
        if len(digits) < 4 or len(digits) % 2 or not re.fullmatch(r"[0-9a-fA-F]+", digits):
            continue
        yield bytes.fromhex(digits)


def is_mptcp_option(b):
    return len(b) >= 3 and b[0] == 30 and 3 <= b[1] <= len(b)


# Config byte of mptcp_option_fuzzer: bit 0 = v1, bits 1..5 = prefer-proxy subtype.
CFG_V1, CFG_V0 = 0x1D, 0x1C
# Selector byte of small_options_fuzzer (see CheckSmallOptionInput).
SMALL_SELECTORS = {0x4: [0x00], 0x5: [0x01, 0x02], 0x6: [0x03], 0x7: [0x04], 0x8: [0x05]}
SUBTYPE_TARGET = {0x0: "mp_capable_fuzzer", 0x1: "mp_join_fuzzer", 0x2: "dss_fuzzer",
                  0x3: "add_addr_fuzzer"}


def route_test_vectors(seeds):
    for name in sorted(os.listdir(TESTS)):
        if not name.endswith("_test.cc"):
            continue
        for b in hex_vectors(os.path.join(TESTS, name)):
            if name == "mp_convert_ie_test.cc":
                seeds["mp_convert_ie_fuzzer"].append(b)
                continue
            if is_mptcp_option(b) and len(b) <= MAX_OPTION_SEED:
                subtype = b[2] >> 4
                if subtype in SUBTYPE_TARGET:
                    seeds[SUBTYPE_TARGET[subtype]].append(b)
                for sel in SMALL_SELECTORS.get(subtype, []):
                    seeds["small_options_fuzzer"].append(bytes([sel]) + b)
                if subtype not in SUBTYPE_TARGET and subtype > 0x8:
                    # MP_PREFER_PROXY candidates: default 0xE, else configured to this subtype.
                    sel = 0x07 if subtype == 0xE else (subtype << 3) | 0x06
                    seeds["small_options_fuzzer"].append(bytes([sel]) + b)
                seeds["mptcp_option_fuzzer"].append(bytes([CFG_V1]) + b)
                if subtype in (0x3, 0x5, 0x8):  # layouts that depend on the version
                    seeds["mptcp_option_fuzzer"].append(bytes([CFG_V0]) + b)
                if len(b) <= 40:
                    seeds["tcp_option_walker_fuzzer"].append(b)
            elif name in ("tcp_option_walker_test.cc", "tcp_segment_editor_test.cc",
                          "option_area_builder_test.cc") and len(b) <= 48:
                seeds["tcp_option_walker_fuzzer"].append(b)


class Fdp:
    """Builds input bytes that FuzzedDataProvider (LLVM 14) reads back as the
    given sequence of values: ConsumeBytes takes from the front, integral
    reads take ceil(bits(range)/8) bytes from the back, most significant
    byte read first."""

    def __init__(self):
        self.front = bytearray()
        self.back = bytearray()  # in the order the bytes are read

    def bytes(self, b):
        self.front += bytes(b)

    def range(self, lo, hi, v):
        assert lo <= v <= hi, (lo, hi, v)
        rng, off, n = hi - lo, v - lo, 0
        while n < 8 and (rng >> (8 * n)) > 0:
            n += 1
        for i in range(n):
            self.back.append((off >> (8 * (n - 1 - i))) & 0xFF)

    def uint(self, bits, v):
        self.range(0, (1 << bits) - 1, v)

    def bool(self, v):
        self.uint(8, 1 if v else 0)

    def data(self):
        return bytes(self.front) + bytes(reversed(self.back))


def editor_seed(area, payload, ops, v6=False, spare=40, offset_choice=63):
    """tcp_segment_editor_fuzzer.cc Run(): a SYN from 10.0.0.1:40000 to
    198.51.100.10:443 (or 2001:db8::1 -> ::2) as in tcp_segment_editor_test.cc."""
    f = Fdp()
    f.bool(v6)
    if v6:
        f.bytes(bytes.fromhex("20010db8000000000000000000000001"))
        f.bytes(bytes.fromhex("20010db8000000000000000000000002"))
    else:
        f.bytes(bytes([10, 0, 0, 1]))
        f.bytes(bytes([198, 51, 100, 10]))
    f.bytes(bytes([0x9C, 0x40, 0x01, 0xBB, 0, 0, 0, 1, 0, 0, 0, 0, 0x00, 0x02, 0xFA, 0xF0,
                   0, 0, 0, 0]))
    assert len(area) % 4 == 0 and len(area) <= 40
    f.range(0, 10, len(area) // 4)
    f.bytes(area)
    f.range(0, 63, offset_choice)
    f.range(0, 200, len(payload))
    f.bytes(payload)
    f.range(0, 48, spare)
    for op in ops:
        kind = op[0]
        f.range(0, 3, {"insert": 0, "prefer_proxy": 1, "remove": 2, "clamp": 3}[kind])
        if kind == "insert":
            opt = op[1]
            f.uint(8, opt[0])
            f.range(0, 40, len(opt) - 2)
            honest = opt[1] == len(opt)
            f.range(0, 7, 1 if honest else 0)
            if not honest:
                f.uint(8, opt[1])
            f.bytes(opt[2:])
        elif kind == "prefer_proxy":
            f.range(0, 16, op[1])
        elif kind == "remove":
            f.range(0, 15, op[1])
        else:
            f.uint(16, op[1])
    return f.data()


def editor_seeds():
    syn_area = bytes.fromhex("020405b4 0402080a 00000001 00000000 01030307 1e040181".replace(" ", ""))
    full_area = bytes.fromhex("0101080a00000001000000021e14010101020304050607081112131415161718020405b4")
    payload = bytes.fromhex("deadbeef010203")
    cap12 = bytes.fromhex("1e0c700001020304 05060708".replace(" ", ""))
    return [
        editor_seed(syn_area, payload, [("prefer_proxy", 0xE)]),
        editor_seed(syn_area, payload, [("remove", 0), ("remove", 0)]),
        editor_seed(syn_area, payload, [("clamp", 1400), ("clamp", 1400)], v6=True, spare=0),
        editor_seed(full_area, payload, [("insert", cap12), ("prefer_proxy", 0xE)]),
        editor_seed(syn_area, payload, [("prefer_proxy", 0xE)], spare=0),
        editor_seed(bytes.fromhex("08000000"), b"", [("clamp", 1)]),
        editor_seed(syn_area, b"", [("insert", bytes([34, 10]) + bytes(range(8))),
                                    ("remove", 0), ("clamp", 536), ("prefer_proxy", 0xB),
                                    ("insert", bytes([253, 7, 1, 2, 3]))]),
        editor_seed(b"", payload * 3, [("insert", bytes.fromhex("1e040181")), ("remove", 0),
                                       ("prefer_proxy", 16)]),
    ]


def rt_option(f, kind, **v):
    """roundtrip_fuzzer.cc ConsumeOption()."""
    alt = ["mp_capable", "join_syn", "join_synack", "join_ack", "dss", "add_addr", "remove_addr",
           "mp_prio", "mp_fail", "mp_fastclose", "mp_tcprst", "prefer_proxy", "unknown"].index(kind)
    f.range(0, 12, alt)
    if kind == "mp_capable":
        f.range(0, 16, v["version"])
        f.uint(8, v["flags"])
        keys = v.get("keys", [])
        present = (1 if len(keys) > 0 else 0) | (2 if len(keys) > 1 else 0) | \
                  (4 if "dll" in v else 0) | (8 if "csum" in v else 0)
        f.uint(8, present)
        for k in keys:
            f.uint(64, k)
        if "dll" in v:
            f.uint(16, v["dll"])
        if "csum" in v:
            f.uint(16, v["csum"])
    elif kind in ("join_syn", "join_synack"):
        f.bool(v["backup"])
        f.uint(8, v["id"])
        f.uint(32 if kind == "join_syn" else 64, v["first"])
        f.uint(32, v["nonce"])
    elif kind == "join_ack":
        f.bytes(v["hmac"])
    elif kind == "dss":
        flags = v["flags"]
        f.uint(8, flags)
        if flags & 1:
            f.uint(64 if flags & (64 | 2) else 32, v["ack"])
        if flags & 4:
            f.uint(64 if flags & (64 | 8) else 32, v["dsn"])
            f.uint(32, v["ssn"])
            f.uint(16, v["dll"])
            if flags & 32:
                f.uint(16, v["csum"])
    elif kind == "add_addr":
        flags = v["flags"]
        f.uint(8, flags)
        f.uint(8, v["id"])
        f.bytes(v["addr"])
        if flags & 8:
            f.uint(16, v["port"])
        if flags & 16:
            f.uint(64, v["hmac"])
    elif kind == "remove_addr":
        f.range(0, 37, len(v["ids"]))
        f.bytes(v["ids"])
    elif kind == "mp_prio":
        f.uint(8, v["flags"])
        if v["flags"] & 4:
            f.uint(8, v["id"])
    elif kind in ("mp_fail", "mp_fastclose"):
        f.uint(64, v["value"])
    elif kind == "mp_tcprst":
        f.range(0, 16, v["flags"])
        f.uint(8, v["reason"])
    elif kind == "prefer_proxy":
        f.range(0, 16, v["subtype"])
    else:
        body = v["bytes"]
        f.range(8, 15, v["subtype"])
        f.range(3, 40, len(body))
        f.range(0, 15, 1)
        f.bytes(body)


def rt_area(f, opts, out_size=40):
    """roundtrip_fuzzer.cc Run(), part 2."""
    f.range(0, 12, len(opts))
    for kind, v in opts:
        f.range(0, 5, ["mss", "sack", "ts", "ws", "raw", "mptcp"].index(kind))
        if kind == "mss":
            f.uint(16, v)
        elif kind == "ts":
            f.uint(32, v[0])
            f.uint(32, v[1])
        elif kind == "ws":
            f.uint(8, v)
        elif kind == "raw":
            f.uint(8, v[0])
            f.range(0, 40, len(v[1]))
            f.bytes(v[1])
        elif kind == "mptcp":
            rt_option(f, v[0], **v[1])
    f.range(0, 48, out_size)


def roundtrip_seeds():
    k1, k2 = 0x0102030405060708, 0x1112131415161718
    v4 = bytes([192, 0, 2, 1])
    v6 = bytes.fromhex("20010db8000000000000000000000001")
    values = [
        ("mp_capable", dict(version=1, flags=0x81)),
        ("mp_capable", dict(version=1, flags=0x21, keys=[k1])),
        ("mp_capable", dict(version=1, flags=0x01, keys=[k1, k2])),
        ("mp_capable", dict(version=1, flags=0x81, keys=[k1, k2], dll=1500, csum=0xBEEF)),
        ("mp_capable", dict(version=0, flags=0x81, keys=[k1])),
        ("join_syn", dict(backup=True, id=5, first=0xCCAD45AC, nonce=0x01020304)),
        ("join_synack", dict(backup=False, id=0, first=0x65EE096833F661D9, nonce=0x05060708)),
        ("join_ack", dict(hmac=bytes.fromhex("24bdde08dfc55c9b4185e1b56b2f89db241ac0f2"))),
        ("dss", dict(flags=0x0F, ack=100, dsn=1000, ssn=1, dll=1440)),
        ("dss", dict(flags=0x34, dsn=0xABCD, ssn=5, dll=1, csum=0xBEEF)),
        ("add_addr", dict(flags=0x10, id=1, addr=v4, hmac=0xDF24410FAC2C3EDB)),
        ("add_addr", dict(flags=0x0E, id=2, addr=v6, port=8080)),
        ("add_addr", dict(flags=0x09, id=3, addr=bytes([10, 0, 0, 1]), port=80)),
        ("remove_addr", dict(ids=bytes([1, 2, 3]))),
        ("mp_prio", dict(flags=0x02)),
        ("mp_prio", dict(flags=0x05, id=9)),
        ("mp_fail", dict(value=k1)),
        ("mp_fastclose", dict(value=k2)),
        ("mp_tcprst", dict(flags=1, reason=2)),
        ("prefer_proxy", dict(subtype=0xE)),
        ("unknown", dict(subtype=0xF, bytes=bytes([30, 5, 0xF0, 0xAA, 0xBB]))),
    ]
    seeds = []
    areas = [
        [("mss", 1460), ("sack", None), ("ts", (1, 0)), ("ws", 7), ("mptcp", values[0])],
        [("ts", (1, 2)), ("mptcp", values[8])],
        [("ts", (1, 2)), ("mss", 1460), ("mptcp", values[3])],
        [("raw", (34, bytes(range(1, 9)))), ("mptcp", values[19])],
        [("ts", (1, 2)), ("mptcp", values[2]), ("mss", 1460), ("ws", 1)],
        [("mss", 1), ("mptcp", values[13]), ("mptcp", values[14])],
    ]
    for i, value in enumerate(values):
        f = Fdp()
        rt_option(f, value[0], **value[1])
        rt_area(f, areas[i % len(areas)])
        seeds.append(f.data())
    return seeds


# ---------------------------------------------------------------------------
# packet_dissector_fuzzer: selector byte + frame (packet_dissector_checks.h).
# ---------------------------------------------------------------------------

DISSECTOR_LINKS = [1, 101, 113, 228, 229, 276, 12, 14]


def dissector_seed(link, frame, original_length=None):
    """Selector: link index (or 0x08 + 2-byte link), original-length mode."""
    if link in DISSECTOR_LINKS:
        sel, head = DISSECTOR_LINKS.index(link), b""
    else:
        sel, head = 0x08, link.to_bytes(2, "big")
    n = len(frame)
    if not original_length:
        mode, tail = 0, b""
    elif original_length == n:
        mode, tail = 1, b""
    elif n < original_length <= n + 0xFFFF:
        mode, tail = 2, (original_length - n).to_bytes(2, "big")
    else:
        mode, tail = 3, original_length.to_bytes(4, "big")
    return bytes([sel | mode << 4]) + head + tail + bytes(frame)


def scapy_frames():
    """(name, link, original_length, frame) from the dissector's scapy test data."""
    text = open(SCAPY_FRAMES).read()
    pattern = re.compile(r'\{"(\w+)",\s*(\d+),\s*(\d+)u?,\s*DissectStatus::k\w+,\s*\{([^}]*)\}')
    for m in pattern.finditer(text):
        frame = bytes(int(x, 16) for x in re.findall(r"0x[0-9a-fA-F]+", m.group(4)))
        yield m.group(1), int(m.group(2)), int(m.group(3)), frame


def tcp(options=b"", payload=b"", flags=0x18, doff=None):
    """A TCP header (RFC 9293 3.1) from 50000 to 443 with `options` (padded to words)."""
    options = bytes(options) + b"\x00" * (-len(options) % 4)
    words = doff if doff is not None else 5 + len(options) // 4
    return (bytes.fromhex("c35001bb0102030400000000") + bytes([words << 4, flags]) +
            bytes.fromhex("fff0beef0000") + options + bytes(payload))


def ipv4(segment, total=None, ihl=5, proto=6, frag=0x4000, options=b""):
    header_len = ihl * 4
    total = header_len + len(segment) if total is None else total
    h = (bytes([0x40 | ihl, 0xB9]) + total.to_bytes(2, "big") + b"\x00\x01" +
         frag.to_bytes(2, "big") + bytes([61, proto]) + b"\x00\x00" + bytes([192, 0, 2, 1]) +
         bytes([198, 51, 100, 7]) + bytes(options))
    return h + segment


def ipv6(segment, next_header=6, ext=b"", payload_length=None):
    pl = len(ext) + len(segment) if payload_length is None else payload_length
    return (bytes.fromhex("6b800000") + pl.to_bytes(2, "big") + bytes([next_header, 63]) +
            bytes.fromhex("20010db8000000000000000000000001") +
            bytes.fromhex("20010db8000000010000000000000002") + bytes(ext) + segment)


def ext_header(next_header, units=0, kind=60):
    """A Hop-by-Hop/Routing/Destination-options style header: 8 * (units + 1) bytes."""
    if kind == 51:  # AH: payload length in 32-bit words minus 2
        return bytes([next_header, units]) + b"\x00" * ((units + 2) * 4 - 2)
    return bytes([next_header, units]) + b"\x01\x04" + b"\x00" * (8 * (units + 1) - 4)


def fragment_header(next_header, offset=0, more=False):
    return bytes([next_header, 0]) + ((offset << 3) | int(more)).to_bytes(2, "big") + b"\x00\x00\x00\x2a"


def ethernet(payload, ether_type=0x0800, tags=()):
    h = bytes.fromhex("02000000000b02000000000a")
    for tpid, vid in tags:
        h += tpid.to_bytes(2, "big") + vid.to_bytes(2, "big")
    return h + ether_type.to_bytes(2, "big") + payload


def sll(payload, proto=0x0800):
    return bytes.fromhex("0004000100060200000000000000") + proto.to_bytes(2, "big") + payload


def sll2(payload, proto=0x86DD):
    return proto.to_bytes(2, "big") + bytes.fromhex("0000000000020001040600000000000a0000") + payload


def dissector_frames():
    syn_opts = bytes.fromhex("020405b40402080a000000070000000001030307") + bytes.fromhex("1e0c0181") + bytes(range(1, 9))
    dss = bytes.fromhex("0101080a00000009000000081e08200100001000")
    data = tcp(dss, b"hello world")
    chain = ext_header(60, 0) + ext_header(44, 1, kind=60) + fragment_header(6)
    eight = b"".join(ext_header(60 if i < 7 else 6, 0) for i in range(8))
    nine = b"".join(ext_header(60 if i < 8 else 6, 0) for i in range(9))
    seeds = [
        (1, ethernet(ipv4(tcp(syn_opts, flags=0x02)))),
        (1, ethernet(ipv4(data), tags=[(0x8100, 100)])),
        (1, ethernet(ipv6(data), 0x86DD, tags=[(0x88A8, 10), (0x8100, 20)])),
        (1, ethernet(ipv4(data), tags=[(0x8100, i) for i in range(4)])),          # 4 tags: the limit
        (1, ethernet(ipv4(data), tags=[(0x9100, i) for i in range(5)])),          # 5: NOT_IP
        (1, ethernet(ipv6(data), 0x0800)),                                        # type contradicts version
        (1, ethernet(ipv4(data) + b"\x00" * 6)),                                  # trailer
        (113, sll(ipv4(tcp(dss, b"x" * 20), options=b"\x01\x01\x01\x00", ihl=6))),
        (113, sll(ipv6(data), 0x86DD)),
        (276, sll2(ipv6(data, 0, ext_header(6, 0)))),
        (101, ipv6(data, 0, chain)),
        (101, ipv6(data, 60, eight)),
        (101, ipv6(data, 60, nine)),                                              # 9 headers
        (101, ipv6(data, 43, ext_header(51, 1) + ext_header(6, 1, kind=51))),     # Routing, AH
        (101, ipv6(data, 135, ext_header(139, 0) + ext_header(140, 0) + ext_header(6, 0))),
        (101, ipv6(data, 60, ext_header(0, 0) + ext_header(6, 0))),               # HbH not first
        (101, ipv6(data, 60, ext_header(59, 0))),                                 # No Next Header
        (101, ipv6(data, 44, fragment_header(6, 0, True))),                       # M set
        (101, ipv6(data, payload_length=0)),                                      # jumbo / BIG TCP
        (101, ipv4(data, total=0)),                                               # TSO
        (101, ipv4(data, frag=0x2000)),                                           # first fragment
        (101, ipv4(data, proto=17)),
        (101, ipv4(tcp(doff=4))),                                                 # data offset < 5
        (101, ipv4(tcp(dss, doff=15))),                                           # past the datagram
        (101, ipv4(data, ihl=4)),
        (228, ipv4(tcp(syn_opts, flags=0x12))),
        (229, ipv6(tcp(syn_opts, b"\xfa\xa8\xfa\xa8\x00\x00\x00\x00", flags=0x02))),
        (12, ipv4(data)),
        (14, ipv6(data)),
        (0x1234, ipv4(data)),                                                     # unsupported
    ]
    out = [dissector_seed(link, frame) for link, frame in seeds]
    out.append(dissector_seed(1, ethernet(ipv4(data))[:40], 200))                 # cut in TCP
    out.append(dissector_seed(101, ipv4(data)[:50], 1500))                        # cut in payload
    out.append(dissector_seed(101, ipv4(data), 20))                               # original < captured
    out.append(dissector_seed(101, ipv4(data, total=300), 1000000))               # huge wire
    return out


def dissector_seeds():
    seeds = [dissector_seed(link, frame, orig) for _, link, orig, frame in scapy_frames()]
    return seeds


# ---------------------------------------------------------------------------
# connection_tracker_fuzzer: step programs (connection_tracker_checks.h).
# ---------------------------------------------------------------------------

class Program:
    """Writes the bytes connection_tracker_checks.h reads: a header byte, then
    steps (noise segments and scripted connections)."""

    def __init__(self, replay=False):
        self.b = bytearray([0x80 if replay else 0x00])

    def script(self, v0=False, server_joins=False, join_first=False, add_variant=0,
               add_port=False, add_on_join=False, add_from_server=False, corrupt=0,
               client_key=0, server_key=1, v6=False, nonces=(0x11111111, 0x22222222),
               add_id=7, add_host=9):
        p0 = (int(v0) | int(server_joins) << 1 | int(join_first) << 2 | add_variant << 3 |
              int(add_port) << 5 | int(add_on_join) << 6 | int(add_from_server) << 7)
        p1 = corrupt | client_key << 3 | server_key << 5 | int(v6) << 7
        self.b += bytes([0x05, p0, p1]) + nonces[0].to_bytes(4, "big") + \
            nonces[1].to_bytes(4, "big") + bytes([add_id, add_host])
        return self

    def segment(self, tuple_bytes, flags, options):
        assert 1 <= len(options) <= 4
        self.b += bytes([(len(options) - 1) << 3]) + bytes(tuple_bytes) + bytes([flags])
        for o in options:
            self.b += bytes(o)
        return self

    def data(self):
        return bytes(self.b)


def universe_tuple(v6=False, src_host=0, dst_host=1, sport=2, dport=0):
    """Tuple byte: hosts from the universe, ports by index (443, 8080, 40000, 40001)."""
    return [int(v6) | src_host << 1 | dst_host << 2 | sport << 3 | dport << 5]


# Option encodings (NoiseOption): key picks are pool indexes 0-3.
def opt_mp_capable(v0=False, flags=0x81, keys=()):
    return bytes([0x00 | (0x08 if v0 else 0) | len(keys) << 4, flags]) + bytes(keys)


def opt_join_syn(token_key=1, v0=False, nonce=0, address_id=1):
    return bytes([0x01, address_id, token_key | int(v0) << 2, nonce])


def opt_join_synack(nonce=1, key=1, peer_key=0, peer_nonce=0, v0=False, address_id=1):
    return bytes([0x02, address_id, nonce, key | peer_key << 2 | int(v0) << 6, peer_nonce])


def opt_join_ack(key=0, peer_key=1, nonce=0, peer_nonce=1, v0=False):
    return bytes([0x03, key | peer_key << 2 | int(v0) << 6, nonce, peer_nonce])


def opt_add_addr(v0=False, address_id=3, f=0x00, port=None, keys=(0, 1)):
    out = bytes([0x05 if v0 else 0x04, address_id, f | (4 if port is not None else 0)])
    if port is not None:
        out += port.to_bytes(2, "big")
    if not v0 and not f & 0x08:
        out += bytes(keys)
    return out


def opt_raw(area):
    return bytes([0x06, len(area)]) + bytes(area)


def tracker_seeds():
    a_to_b, b_to_a = universe_tuple(False, 0, 1, 2, 0), universe_tuple(False, 1, 0, 0, 2)
    j_ab, j_ba = universe_tuple(False, 0, 1, 3, 0), universe_tuple(False, 1, 0, 0, 3)
    handshake = (Program()
                 .segment(a_to_b, 0x02, [opt_mp_capable()])
                 .segment(b_to_a, 0x12, [opt_mp_capable(keys=[1])])
                 .segment(a_to_b, 0x10, [opt_mp_capable(keys=[0, 1])]))
    join = (handshake
            .segment(j_ab, 0x02, [opt_join_syn(token_key=1, nonce=0)])
            .segment(j_ba, 0x12, [opt_join_synack(nonce=1, key=1, peer_key=0, peer_nonce=0)])
            .segment(j_ab, 0x10, [opt_join_ack(key=0, peer_key=1, nonce=0, peer_nonce=1)])
            .segment(b_to_a, 0x10, [opt_add_addr(keys=(1, 0)), opt_raw(bytes.fromhex("1e08200100000001"))])
            .segment(j_ab, 0x10, [opt_add_addr(f=0x10, port=8080, keys=(0, 1))]))
    v6 = universe_tuple(True, 0, 1, 1, 1)
    return [
        Program().script().data(),
        Program().script(v0=True, server_joins=True, add_on_join=True).data(),
        Program().script(join_first=True, add_variant=1, add_port=True, add_from_server=True).data(),
        Program().script(add_variant=2, corrupt=5, client_key=2, server_key=2, v6=True).data(),
        Program().script(corrupt=6).script(corrupt=7, add_variant=1).data(),
        Program().script(v0=True, join_first=True, server_joins=True).data(),
        join.data(),
        (Program().segment(v6, 0x02, [opt_mp_capable(v0=True, keys=[2])])
         .segment(v6, 0x12, [opt_mp_capable(v0=True, keys=[3])])
         .segment(v6, 0x10, [opt_mp_capable(v0=True, keys=[2, 3]), opt_add_addr(v0=True)])
         .segment(universe_tuple(True, 0, 1, 2, 2), 0x02, [opt_join_syn(token_key=3, v0=True)])
         .data()),
        (Program().script()
         .segment([0x80], 0x02, [opt_mp_capable(keys=[0, 1])])          # reuse script 0's tuple
         .segment([0xA0 | 0x40], 0x02, [opt_join_syn(token_key=0)])
         .segment([0x80], 0x04, [opt_raw(bytes.fromhex("1e0c70000102030405060708"))])
         .data()),
        (Program().segment(a_to_b, 0x02, [opt_join_syn(token_key=2)] * 3)
         .segment(a_to_b, 0x12, [opt_join_synack(), opt_join_ack()]).data()),
    ]


def main():
    check = "--check" in sys.argv[1:]
    only = [a for a in sys.argv[1:] if a != "--check"]
    unknown = set(only) - set(TARGETS)
    if unknown:
        print("unknown targets: %s; known: %s" % (" ".join(sorted(unknown)), " ".join(TARGETS)),
              file=sys.stderr)
        return 2
    seeds = {t: [] for t in TARGETS}
    route_test_vectors(seeds)
    seeds["tcp_segment_editor_fuzzer"] = editor_seeds()
    seeds["roundtrip_fuzzer"] = roundtrip_seeds()
    seeds["packet_dissector_fuzzer"] = dissector_seeds()
    seeds["connection_tracker_fuzzer"] = tracker_seeds()
    stale = False
    for target in only or TARGETS:
        unique = list(dict.fromkeys(seeds[target]))  # dedupe, keep order
        if len(unique) > MAX_FILES:
            # Keep a deterministic, diverse subset: spread over the list.
            step = len(unique) / MAX_FILES
            unique = [unique[int(i * step)] for i in range(MAX_FILES)]
        prefix = {"tcp_segment_editor_fuzzer": "fdp_", "roundtrip_fuzzer": "fdp_",
                  "connection_tracker_fuzzer": "seq_"}.get(target, "test_")
        wanted = {prefix + hashlib.sha1(b).hexdigest()[:12]: b for b in unique}
        if target == "packet_dissector_fuzzer":
            wanted.update({"frame_" + hashlib.sha1(b).hexdigest()[:12]: b
                           for b in dissector_frames()})
        d = os.path.join(CORPUS, target)
        os.makedirs(d, exist_ok=True)
        have = {n for n in os.listdir(d) if n.startswith(OWNED)}
        for name in sorted(have - set(wanted)):
            stale = True
            if not check:
                os.remove(os.path.join(d, name))
        for name, b in wanted.items():
            path = os.path.join(d, name)
            if not os.path.exists(path) or open(path, "rb").read() != b:
                stale = True
                if not check:
                    with open(path, "wb") as out:
                        out.write(b)
        print("%-28s %3d seeds, largest %3d bytes" % (target, len(wanted),
                                                      max(len(b) for b in wanted.values())))
    if check and stale:
        print("corpus is stale: run /usr/bin/python3 fuzz/make_seed_corpus.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
