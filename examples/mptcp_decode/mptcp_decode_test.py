# SPDX-License-Identifier: Apache-2.0
"""CLI tests for mptcp-decode: golden outputs, every link type, pcapng and
stdin, malformed and truncated captures, --hex, --json schema, exit status.
The golden outputs are taken with -t (no timestamps); the timestamp styles
are checked against the installed tcpdump. The tcpdump habits of issue 15
(filters, -c, -r, several files, -l, --connections, man page) are in
mptcp_decode_habits_test.py; live capture in mptcp_decode_live_test.py.

Run by Bazel (py_test) from the runfiles root. Regenerate the golden files
with: MPTCP_DECODE_UPDATE_GOLDEN=1 bazel run //examples/mptcp_decode:mptcp_decode_test
"""
import json
import os
import re
import subprocess
import sys

import pytest

HERE = "examples/mptcp_decode"
DECODE = os.path.join(HERE, "mptcp-decode")
MAKE = os.path.join(HERE, "make_sample_capture")
TOOL = os.path.join(HERE, "testdata", "pcap_tool.py")
KERNEL = "examples/captures/linux_kernel_mptcp_v1.pcap"
UPDATE = os.environ.get("MPTCP_DECODE_UPDATE_GOLDEN")
WORKSPACE = os.environ.get("BUILD_WORKSPACE_DIRECTORY")


def run(*args, stdin=None):
    # Time of day in UTC, so the default timestamps are the same everywhere.
    return subprocess.run([DECODE, *args], input=stdin, capture_output=True, check=False,
                          env=dict(os.environ, TZ="UTC"))


def golden(name, text):
    path = os.path.join(HERE, "testdata", name)
    if UPDATE:
        with open(os.path.join(WORKSPACE, path), "w") as f:
            f.write(text)
        return
    with open(path) as f:
        assert text == f.read(), "output differs from " + path


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("captures")


def make(tmp, scenario, link="ethernet"):
    out = str(tmp / ("%s_%s.pcap" % (scenario, link)))
    subprocess.run([MAKE, "--link=" + link, "--scenario=" + scenario, out], check=True)
    return out


@pytest.mark.parametrize("link", ["ethernet", "vlan", "sll", "sll2", "raw"])
def test_every_link_type_gives_the_same_text(tmp, link):
    r = run("-t", "--verify", make(tmp, "explicit", link))
    assert r.returncode == 0, r.stderr
    golden("explicit.txt", r.stdout.decode())


@pytest.mark.parametrize("link", ["ethernet", "sll2"])
def test_json_golden(tmp, link):
    r = run("--json", "--verify", make(tmp, "explicit", link))
    assert r.returncode == 0
    golden("explicit.jsonl", r.stdout.decode())


def test_faulty_capture_is_flagged_and_exit_status_is_1(tmp):
    path = make(tmp, "faulty")
    r = run("-t", "--verify", path)
    assert r.returncode == 1
    text = r.stdout.decode()
    golden("faulty.txt", text)
    assert "[hmac BAD]" in text
    assert "matches old Linux variant linux-port-always-zero" in text
    assert "[malformed: BAD_LENGTH" in text
    assert "[option area: BAD_OPTION_LENGTH]" in text
    assert "MP_CONVERT [malformed: BAD_ADDRESS_CLASS]" in text
    assert "MP_PREFER_PROXY [ignored" in text
    # Without --verify no HMAC is checked, but the malformed options are still
    # seen: exit status 3 (issue 15: a distinct status for malformed options).
    assert run(path).returncode == 3


def test_faulty_json_records_errors_and_goes_on(tmp):
    r = run("--json", "--verify", make(tmp, "faulty"))
    records = [json.loads(line) for line in r.stdout.decode().splitlines()]
    errors = [x for x in records if "error" in x]
    assert {(e["subtype"], e["error"]) for e in errors} == {
        ("MP_JOIN", "BAD_LENGTH"), ("DSS", "BAD_LENGTH"), ("UNKNOWN", "BAD_OPTION_LENGTH"),
        ("MP_CONVERT", "BAD_ADDRESS_CLASS")}
    invalid = [x for x in records if x.get("hmac_valid") is False]
    assert [x["subtype"] for x in invalid] == ["MP_JOIN", "ADD_ADDR"]
    assert invalid[1]["hmac_variant"] == "linux-port-always-zero"
    # Records after the errors are still decoded.
    assert records[-2]["subtype"] == "MP_PREFER_PROXY"


def test_json_schema(tmp):
    r = run("--json", "--verify", make(tmp, "explicit"))
    records = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert "summary" in records[-1]
    hexfields = {"sender_key": 16, "receiver_key": 16, "token": 8, "nonce": 8,
                 "truncated_hmac": 16, "hmac": 40}
    frames = []
    for rec in records[:-1]:
        assert isinstance(rec["frame"], int) and rec["frame"] >= 1
        frames.append(rec["frame"])
        assert rec["subtype"] in {"MP_CAPABLE", "MP_JOIN", "DSS", "ADD_ADDR", "REMOVE_ADDR",
                                  "MP_PRIO", "MP_FAIL", "MP_FASTCLOSE", "MP_TCPRST",
                                  "MP_PREFER_PROXY", "MP_CONVERT", "UNKNOWN"}
        for key, width in hexfields.items():
            if key in rec:
                assert len(rec[key]) == width and rec[key] == rec[key].lower()
                int(rec[key], 16)
    assert frames == sorted(frames), "records are in capture order"
    ies = [x for x in records if x.get("subtype") == "MP_CONVERT"]
    assert {(x["direction"], x["address"], x.get("port")) for x in ies} == {
        ("destination", "192.0.2.80", 443), ("source", "2001:db8:100:1::20", 51515),
        ("destination", "2001:db8:200::80", 443)}
    # Absent from the wire -> absent from the record.
    syn = records[0]
    assert syn["subtype"] == "MP_CAPABLE" and "sender_key" not in syn


def test_pcapng_and_stdin_match_pcap(tmp):
    pcap = make(tmp, "explicit")
    ng = str(tmp / "explicit.pcapng")
    subprocess.run([sys.executable, TOOL, "pcapng", pcap, ng], check=True)
    expected = run("--verify", pcap).stdout
    assert expected.startswith(b"1 22:13:20.000000 ")  # TZ=UTC (BUILD.bazel)
    assert run("--verify", ng).stdout == expected
    with open(ng, "rb") as f:
        assert run("--verify", "-", stdin=f.read()).stdout == expected


def test_snap_length_truncation_is_marked(tmp):
    short = str(tmp / "snap60.pcap")
    subprocess.run([sys.executable, TOOL, "snap", "60", make(tmp, "explicit"), short], check=True)
    r = run("-t", "--verify", short)
    assert r.returncode == 0
    golden("explicit_snap60.txt", r.stdout.decode())
    assert "[truncated capture" in r.stdout.decode()
    jr = run("--json", short)
    assert any(json.loads(l).get("error") == "TRUNCATED_CAPTURE" for l in jr.stdout.splitlines())


def test_payload_cut_inside_an_ie_is_reported(tmp):
    # 14 (Ethernet) + 20 (IP) + 44 (TCP) + 10 bytes of a 16-byte IE.
    short = str(tmp / "snap88.pcap")
    subprocess.run([sys.executable, TOOL, "snap", "88", make(tmp, "explicit"), short], check=True)
    r = run(short)
    assert "MP_CONVERT [malformed: PAST_END, capture truncated]" in r.stdout.decode()
    # A cut by the snap length is not the sender's fault: no status 3.
    assert r.returncode == 0


def test_torn_file_keeps_what_was_decoded(tmp):
    torn = str(tmp / "torn.pcap")
    subprocess.run([sys.executable, TOOL, "cut", "30", make(tmp, "explicit"), torn], check=True)
    r = run("-t", torn)
    assert r.returncode == 2
    assert b"truncated" in r.stderr.lower() or b"after frame" in r.stderr
    assert r.stdout.startswith(b"1 100.64.1.10:40001 > 203.0.113.1:5555 [S]")


def test_not_a_capture(tmp):
    junk = tmp / "junk.pcap"
    junk.write_bytes(b"this is not a capture file at all")
    r = run(str(junk))
    assert r.returncode == 2 and r.stderr.startswith(b"mptcp-decode:")
    assert run(str(tmp / "missing.pcap")).returncode == 2
    assert run("--bogus").returncode == 2


def test_hex_option_area():
    r = run("--hex", "020405b4 0402080a 00000001 00000000 01030307 1e0c0181 0102030405060708")
    assert r.returncode == 0
    golden("hex.txt", r.stdout.decode())
    # (The flag names between flags= and skey= are the option renderer's.)
    assert re.search(r"MP_CAPABLE v1 flags=0x81 .*skey=0102030405060708", r.stdout.decode())
    j = run("--json", "--hex", "1e0c1105ccad45ac01020304 1e04e000")
    recs = [json.loads(l) for l in j.stdout.splitlines()]
    assert recs[0]["form"] == "SYN" and recs[0]["token"] == "ccad45ac" and recs[0]["backup"]
    assert recs[1]["subtype"] == "MP_PREFER_PROXY"
    broken = run("--hex", "0800")
    assert "BAD_OPTION_LENGTH" in broken.stdout.decode()
    assert broken.returncode == 3  # a malformed option area
    assert run("--hex", "1e0c1105ccad45ac").returncode == 3  # MP_JOIN SYN cut short
    assert run("--hex", "zz").returncode == 2
    v0 = run("--v0", "--hex", "1e083403 0a000001").stdout.decode()
    assert "ADD_ADDR id=3 10.0.0.1" in v0


def test_prefer_proxy_subtype_is_configurable():
    assert "MP_PREFER_PROXY" in run("--prefer-proxy-subtype", "11", "--hex", "1e04b000").stdout.decode()
    assert "UNKNOWN" in run("--hex", "1e04b000").stdout.decode()


# Issue 12: one range for MP_PREFER_PROXY's subtype (decisions D5, 0x9..0xE).
# Before, --prefer-proxy-subtype took 0..15, and 2 was accepted and then
# silently never decoded.
def test_prefer_proxy_subtype_11_decodes_and_2_is_refused():
    ok = run("--prefer-proxy-subtype", "11", "--hex", "1e04b000")
    assert ok.returncode == 0
    assert ok.stdout.decode().startswith("MP_PREFER_PROXY")
    bad = run("--prefer-proxy-subtype", "2", "--hex", "1e04b000")
    assert bad.returncode == 2
    assert bad.stdout == b""
    assert bad.stderr.decode() == (
        "mptcp-decode: --prefer-proxy-subtype: 2 is outside 0x9..0xE, the MPTCP subtypes "
        "IANA left unassigned (decisions.md D5)\n")
    # The same refusal before a capture is opened.
    capture = run("--prefer-proxy-subtype", "2", KERNEL)
    assert capture.returncode == 2 and capture.stdout == b""
    assert b"--prefer-proxy-subtype: 2 is outside 0x9..0xE" in capture.stderr


@pytest.mark.parametrize("value", ["2", "0x8", "8", "0xF", "15", "16", "0x10", "256", "-1", "0",
                                   "99999999999999999999999"])
def test_prefer_proxy_subtype_outside_d5_range_is_a_usage_error(value):
    r = run("--prefer-proxy-subtype", value, "--hex", "1e04e000")
    assert r.returncode == 2
    assert r.stdout == b""
    err = r.stderr.decode()
    assert err.startswith("mptcp-decode: --prefer-proxy-subtype: " + value + " is outside 0x9..0xE")


@pytest.mark.parametrize("value", ["", "x", "0x", "11z", "1.5"])
def test_prefer_proxy_subtype_not_a_number_is_a_usage_error(value):
    r = run("--prefer-proxy-subtype", value, "--hex", "1e04e000")
    assert r.returncode == 2
    assert r.stderr.decode() == ("mptcp-decode: --prefer-proxy-subtype: '%s' is not a number\n" % value)


def test_prefer_proxy_subtype_without_value_is_a_usage_error():
    r = run("--hex", "1e04e000", "--prefer-proxy-subtype")
    assert r.returncode == 2
    assert "--prefer-proxy-subtype needs a value" in r.stderr.decode()


@pytest.mark.parametrize("value,nibble", [("0x9", "9"), ("9", "9"), ("0xE", "e"), ("14", "e"),
                                          ("0xb", "b")])
def test_prefer_proxy_subtype_accepts_both_ends_of_d5_range(value, nibble):
    r = run("--json", "--prefer-proxy-subtype", value, "--hex", "1e04%s000" % nibble)
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout.splitlines()[0])
    assert rec["subtype"] == "MP_PREFER_PROXY"


def test_shipped_kernel_capture_verifies():
    r = run("-t", "--verify", KERNEL)
    assert r.returncode == 0
    last = r.stdout.decode().splitlines()[-1]
    assert last.startswith("-- verify: 4 connections, 16 subflows; HMACs: 32 verified, 0 failed, 0 unverifiable")
    assert "(0 malformed)" in r.stdout.decode().splitlines()[-2]


if __name__ == "__main__":
    args = [__file__, "-q", "-p", "no:cacheprovider"]
    if os.environ.get("XML_OUTPUT_FILE"):
        args.append("--junitxml=" + os.environ["XML_OUTPUT_FILE"])
    sys.exit(pytest.main(args))
