#!/usr/bin/python3
"""Writes the seed corpora fuzz/corpus/<target>/ from the unit-test vectors.

    /usr/bin/python3 fuzz/make_seed_corpus.py          # rewrite the seeds
    /usr/bin/python3 fuzz/make_seed_corpus.py --check  # exit 1 if they are stale

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

Only files named test_* (unit-test vectors) and fdp_* (structured seeds) are
owned by this script; anything else in a corpus directory (for example
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
OWNED = ("test_", "fdp_")

TARGETS = [
    "tcp_option_walker_fuzzer", "mptcp_option_fuzzer", "mp_capable_fuzzer", "mp_join_fuzzer",
    "dss_fuzzer", "add_addr_fuzzer", "small_options_fuzzer", "mp_convert_ie_fuzzer",
    "tcp_segment_editor_fuzzer", "roundtrip_fuzzer",
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


def main():
    check = "--check" in sys.argv[1:]
    seeds = {t: [] for t in TARGETS}
    route_test_vectors(seeds)
    seeds["tcp_segment_editor_fuzzer"] = editor_seeds()
    seeds["roundtrip_fuzzer"] = roundtrip_seeds()
    stale = False
    for target in TARGETS:
        unique = list(dict.fromkeys(seeds[target]))  # dedupe, keep order
        if len(unique) > MAX_FILES:
            # Keep a deterministic, diverse subset: spread over the list.
            step = len(unique) / MAX_FILES
            unique = [unique[int(i * step)] for i in range(MAX_FILES)]
        prefix = "fdp_" if target in ("tcp_segment_editor_fuzzer", "roundtrip_fuzzer") else "test_"
        wanted = {prefix + hashlib.sha1(b).hexdigest()[:12]: b for b in unique}
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
                                                      max(len(b) for b in unique)))
    if check and stale:
        print("corpus is stale: run /usr/bin/python3 fuzz/make_seed_corpus.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
