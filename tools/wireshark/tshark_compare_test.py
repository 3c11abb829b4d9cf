#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Keeps the Wireshark Lua dissector (mptcp_assist.lua) in step with the codec.

Every capture is decoded twice: by tshark with the Lua script (PDML output)
and by `mptcp-decode --json`. Each MP_CONVERT IE (frame, direction, address,
port), each MP_CONVERT error (frame, status name, capture truncated or not)
and each MP_PREFER_PROXY (frame, applicable, or its error) must be the same
in both, record by record. Captures: the shipped ones (examples/captures/),
tools/wireshark/testdata/edge_cases.pcap (IPv6, every IE error, D5/D6/D10
cases), make_sample_capture's faulty scenario on every link type, and
seeded random variants of all of them. tshark must print no Lua error.

Run by Bazel (py_test) from the runfiles root:
  bazel test //tools/wireshark:tshark_compare_test
"""
import glob
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

LUA = "tools/wireshark/mptcp_assist.lua"
DECODE = "examples/mptcp_decode/mptcp-decode"
MAKE = "examples/mptcp_decode/make_sample_capture"
EDGE_CASES = "tools/wireshark/testdata/edge_cases.pcap"
SHIPPED = sorted(glob.glob("examples/captures/*.pcap")) + [EDGE_CASES]
# Captures that hold MP_CONVERT IEs or MP_PREFER_PROXY: comparing zero
# records there would prove nothing, so it is a failure.
HOLD_RECORDS = {
    "examples/captures/explicit_and_implicit_models.pcap",
    "examples/captures/hybrid_access_uplinks.pcap",
    EDGE_CASES,
}
LINKS = ["ethernet", "vlan", "sll", "sll2", "raw"]
TSHARK = shutil.which("tshark") or ("/usr/bin/tshark" if os.path.exists("/usr/bin/tshark") else None)

if TSHARK is None:
    print("SKIP tshark_compare_test: tshark is not installed (./dev setup installs it)",
          file=sys.stderr)
pytestmark = pytest.mark.skipif(
    TSHARK is None, reason="tshark is not installed (./dev setup installs it)")


# --------------------------------------------------------------------------
# The two decoders, each reduced to comparable records.

def codec_records(path, subtype=None):
    args = [DECODE, "--json"]
    if subtype is not None:
        args += ["--prefer-proxy-subtype", hex(subtype)]
    r = subprocess.run(args + [path], capture_output=True, text=True, check=False)
    assert r.returncode >= 0 and r.returncode != 2, "mptcp-decode failed on %s: %s" % (path, r.stderr)
    records = []
    for line in r.stdout.splitlines():
        rec = json.loads(line)
        if not isinstance(rec, dict) or "frame" not in rec:
            continue  # the summary line
        sub = rec.get("subtype")
        if sub == "MP_CONVERT":
            if "error" in rec:
                records.append((rec["frame"], sub, "error", rec["error"],
                                bool(rec.get("truncated_capture", False))))
            else:
                records.append((rec["frame"], sub, rec["direction"], rec["address"], rec.get("port")))
        elif sub == "MP_PREFER_PROXY":
            if "error" in rec:
                records.append((rec["frame"], sub, "error", rec["error"]))
            else:
                records.append((rec["frame"], sub, "applicable", rec["applicable"]))
    return sorted(records, key=repr)


def run_tshark(path, subtype=None):
    """tshark's PDML for `path`; `subtype` is the preference's text or value."""
    # tshark writes its profile under $HOME; Bazel gives the test a scratch one.
    env = dict(os.environ, HOME=os.environ.get("TEST_TMPDIR", "/tmp"))
    args = [TSHARK, "-n", "-X", "lua_script:" + LUA, "-r", path, "-T", "pdml"]
    if subtype is not None:
        text = subtype if isinstance(subtype, str) else "0x%x" % subtype
        args += ["-o", "mp_prefer_proxy.subtype:" + text]
    r = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, "tshark failed on %s: %s" % (path, r.stderr)
    # A script that fails to load says "Lua" on stderr; an error while
    # dissecting puts "Lua Error" in the tree.
    for stream, text, mark in (("stderr", r.stderr, "Lua"), ("output", r.stdout, "Lua Error")):
        bad = [line for line in text.splitlines() if mark in line]
        assert not bad, "Lua error in tshark's %s on %s:\n%s" % (stream, path, "\n".join(bad[:20]))
    return r


def field(node, name):
    f = node.find("field[@name='%s']" % name)
    return None if f is None else f.get("show")


def lua_records(path, subtype=None):
    root = ET.fromstring(run_tshark(path, subtype).stdout)
    records = []
    for packet in root.iter("packet"):
        frame = int(packet.find("proto[@name='geninfo']/field[@name='num']").get("show"))
        for proto in packet.findall("proto[@name='mpconvert']"):
            for ie in proto.findall("field[@name='mpconvert.ie']"):
                if field(ie, "mpconvert.ie.status") != "OK":
                    continue  # shown, but the codec did not accept it
                direction = {"0": "destination", "1": "source"}[field(ie, "mpconvert.ie.direction")]
                address = field(ie, "mpconvert.ie.address")
                typed = field(ie, "mpconvert.ie.ipv4") or field(ie, "mpconvert.ie.ipv6")
                assert typed == address, "frame %d: typed address %s, text %s" % (frame, typed, address)
                port = field(ie, "mpconvert.ie.port")
                records.append((frame, "MP_CONVERT", direction, address,
                                None if port is None else int(port)))
            status = field(proto, "mpconvert.status")
            assert status is not None, "frame %d: mpconvert without a status" % frame
            if status != "OK":
                records.append((frame, "MP_CONVERT", "error", status,
                                field(proto, "mpconvert.truncated_capture") == "1"))
        for proto in packet.findall("proto[@name='mp_prefer_proxy']"):
            status = field(proto, "mp_prefer_proxy.status")
            if status == "OK":
                records.append((frame, "MP_PREFER_PROXY", "applicable",
                                field(proto, "mp_prefer_proxy.applicable") == "1"))
            else:
                records.append((frame, "MP_PREFER_PROXY", "error", status))
    return sorted(records, key=repr)


def assert_same(path, subtype=None):
    codec = codec_records(path, subtype)
    lua = lua_records(path, subtype)
    only_codec = [r for r in codec if r not in lua]
    only_lua = [r for r in lua if r not in codec]
    assert codec == lua, "%s: records differ\n  only in mptcp-decode: %s\n  only in the Lua dissector: %s" % (
        path, only_codec, only_lua)
    return codec


# --------------------------------------------------------------------------
# The captures the repo ships or builds.

@pytest.mark.parametrize("path", SHIPPED)
def test_shipped_capture_matches_the_codec(path):
    records = assert_same(path)
    if path in HOLD_RECORDS:
        assert records, "%s holds MP_CONVERT/MP_PREFER_PROXY but no record was compared" % path


def test_every_shipped_capture_is_compared():
    # A capture added to examples/captures/ is compared by the test above;
    # one that holds IEs must also be listed in HOLD_RECORDS.
    for path in glob.glob("examples/captures/*.pcap"):
        if codec_records(path):
            assert path in HOLD_RECORDS, path + " holds records: add it to HOLD_RECORDS"


def test_edge_cases_cover_ipv6_and_every_ie_error():
    records = codec_records(EDGE_CASES)
    errors = {r[3] for r in records if r[1] == "MP_CONVERT" and r[2] == "error"}
    assert errors == {"PAST_END", "BAD_LENGTH", "TOO_MANY_IES", "DUPLICATE_DIRECTION",
                      "MISSING_LAST_FLAG", "BAD_ADDRESS_CLASS"}
    assert any(r[1] == "MP_CONVERT" and ":" in str(r[3]) and r[4] is None for r in records)
    assert any(r[1] == "MP_CONVERT" and r[2] == "error" and r[4] for r in records)  # cut capture
    assert {r[3] for r in records if r[1] == "MP_PREFER_PROXY"} >= {True, False, "BAD_LENGTH"}


@pytest.mark.parametrize("scenario", ["explicit", "faulty"])
@pytest.mark.parametrize("link", LINKS)
def test_sample_on_every_link_type_matches_the_codec(tmp_path, scenario, link):
    out = str(tmp_path / ("%s_%s.pcap" % (scenario, link)))
    subprocess.run([MAKE, "--link=" + link, "--scenario=" + scenario, out], check=True)
    assert assert_same(out), "the %s sample holds MP_CONVERT IEs and MP_PREFER_PROXY" % scenario


@pytest.mark.parametrize("snap", [54, 60, 66, 74, 86, 100, 120])
def test_snapped_captures_match_the_codec(tmp_path, snap):
    # tcpdump -s N: every frame of the Ethernet captures cut to N bytes, so
    # cuts fall in the option area, in the IE list and in application data.
    out = str(tmp_path / ("snap%d.pcap" % snap))
    frames = []
    for path in SHIPPED:
        linktype, records = read_pcap(path)
        if linktype == 1:
            frames += records
    write_pcap(out, [(frame[:snap], length) for frame, length in frames])
    assert_same(out)


@pytest.mark.parametrize("subtype", range(0x9, 0xF))
def test_prefer_proxy_subtype_preference_follows_the_codec_flag(subtype):
    # edge_cases.pcap holds MP_PREFER_PROXY with subtype 0xE and with 0x9.
    records = assert_same(EDGE_CASES, subtype)
    found = any(r[1] == "MP_PREFER_PROXY" for r in records)
    assert found == (subtype in (0x9, 0xE))


@pytest.mark.parametrize("text,why", [
    ("0x8", "is outside 0x9..0xE"), ("0xF", "is outside 0x9..0xE"), ("15", "is outside 0x9..0xE"),
    ("0", "is outside 0x9..0xE"), ("x9", "is not a number"), ("0x", "is not a number"),
    ("9a", "is not a number")])
def test_prefer_proxy_subtype_outside_d5_range_is_refused(text, why):
    # As mptcp-decode refuses --prefer-proxy-subtype outside 0x9..0xE, the
    # dissector refuses the preference, says which and why, and keeps 0xE.
    r = run_tshark(EDGE_CASES, text)
    assert "mp_prefer_proxy.subtype: '%s' %s" % (text, why) in r.stderr, r.stderr
    assert "still using 0xe" in r.stderr
    assert lua_records(EDGE_CASES, text) == codec_records(EDGE_CASES)


def test_prefer_proxy_subtype_accepts_decimal_and_hex_as_the_codec_flag_does():
    assert lua_records(EDGE_CASES, "9") == lua_records(EDGE_CASES, "0x9") == codec_records(EDGE_CASES, 9)


# --------------------------------------------------------------------------
# Seeded random variants: the same bytes must give the same records, and
# never a Lua error. Deterministic (fixed seed), so the test cannot flake.

def read_pcap(path):
    data = open(path, "rb").read()
    endian = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    records, at = [], 24
    while at + 16 <= len(data):
        _, _, caplen, length = struct.unpack(endian + "IIII", data[at:at + 16])
        records.append((data[at + 16:at + 16 + caplen], length))
        at += 16 + caplen
    return linktype, records


def write_pcap(path, records):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (frame, length) in enumerate(records):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(frame), length) + frame)


def tcp_offset(frame):
    """Offset of the TCP header in an Ethernet frame, or None."""
    if len(frame) < 14:
        return None
    ethertype = struct.unpack("!H", frame[12:14])[0]
    if ethertype == 0x0800 and len(frame) >= 34 and frame[23] == 6:
        return 14 + (frame[14] & 0x0F) * 4
    if ethertype == 0x86DD and len(frame) >= 54 and frame[20] == 6:
        return 54
    return None


INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x0A, 0x0C, 0x14, 0x16, 0x1E, 0xE0, 0x90,
               0xFA, 0xA8, 0xFF]


def mutate(rng, frame, length):
    frame = bytearray(frame)
    h = tcp_offset(frame)
    if h is None or len(frame) < h + 20:
        return bytes(frame), length
    area_end = h + (frame[h + 12] >> 4) * 4
    if area_end < h + 20:
        return bytes(frame), length
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.25 and area_end > h + 20:           # an option byte
            i = rng.randrange(h + 20, min(area_end, len(frame)))
            frame[i] = rng.choice(INTERESTING + [rng.randrange(256)])
        elif choice < 0.35:                                # SYN / ACK flags
            frame[h + 13] ^= rng.choice([0x02, 0x10])
        elif len(frame) > area_end:                         # a payload byte, mostly in IE headers
            span = min(len(frame) - area_end, 64)
            i = area_end + rng.randrange(span)
            frame[i] = rng.choice(INTERESTING + [rng.randrange(256)])
    if rng.random() < 0.15 and len(frame) > h + 20:        # a snapshot length cut
        frame = frame[:rng.randrange(h + 20, len(frame) + 1)]
    return bytes(frame), length


def test_random_variants_match_the_codec(tmp_path):
    rng = random.Random(15)
    seeds = []
    for path in SHIPPED:
        linktype, records = read_pcap(path)
        if linktype == 1:
            seeds += [(f, n) for f, n in records if tcp_offset(f) is not None]
    assert seeds
    out = str(tmp_path / "variants.pcap")
    write_pcap(out, [mutate(rng, *rng.choice(seeds)) for _ in range(800)])
    assert assert_same(out)


if __name__ == "__main__":
    args = [__file__, "-q", "-p", "no:cacheprovider"]
    if os.environ.get("XML_OUTPUT_FILE"):
        args.append("--junitxml=" + os.environ["XML_OUTPUT_FILE"])
    sys.exit(pytest.main(args))
