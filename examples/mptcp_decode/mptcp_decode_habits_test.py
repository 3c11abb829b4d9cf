# SPDX-License-Identifier: Apache-2.0
"""mptcp-decode for tcpdump and tshark people (issue 15, item 4): timestamps
in tcpdump's -t styles (compared with the installed tcpdump), filter
expressions, -c, several files, -l, connection ids, JSON endpoints,
--connections, truncated option areas, exit statuses, --version and the man
page against --help. Live capture (-i): mptcp_decode_live_test.py.
"""
import json
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys

import pytest

HERE = "examples/mptcp_decode"
DECODE = os.path.join(HERE, "mptcp-decode")
MAKE = os.path.join(HERE, "make_sample_capture")
TOOL = os.path.join(HERE, "testdata", "pcap_tool.py")
MAN = os.path.join(HERE, "mptcp-decode.1")
KERNEL = "examples/captures/linux_kernel_mptcp_v1.pcap"
VERSION_H = "mptcp_opts/version.h"
TCPDUMP = shutil.which("tcpdump") or "/usr/bin/tcpdump"
GUARD = 60  # seconds; a failure net only, never the thing waited for
RECORD_KEYS = {"time", "src", "src_port", "dst", "dst_port", "tcp_flags", "connection", "subflow"}


def run(*args, stdin=None, tz="UTC"):
    return subprocess.run([DECODE, *args], input=stdin, capture_output=True, check=False,
                          env=dict(os.environ, TZ=tz))


def lines(result):
    return [l for l in result.stdout.decode().splitlines() if l[:1].isdigit()]


def frame_of(line):
    return int(line.split(" ", 1)[0])


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("habits")


@pytest.fixture(scope="module")
def explicit(tmp):
    out = str(tmp / "explicit.pcap")
    subprocess.run([MAKE, "--link=ethernet", "--scenario=explicit", out], check=True)
    return out


@pytest.fixture(scope="module")
def faulty(tmp):
    out = str(tmp / "faulty.pcap")
    subprocess.run([MAKE, "--link=ethernet", "--scenario=faulty", out], check=True)
    return out


def tcpdump(*args, tz="UTC"):
    if not os.path.exists(TCPDUMP):
        pytest.skip("tcpdump is not installed (./dev setup installs it)")
    # (As root, tcpdump drops to its own user, which Bazel's sandbox refuses:
    # BUILD.bazel runs this test unsandboxed.)
    r = subprocess.run([TCPDUMP, "-n", *args], capture_output=True, check=False,
                       env=dict(os.environ, TZ=tz))
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout.decode().splitlines()


# --- timestamps: tcpdump's -t styles, the same strings tcpdump prints -------

@pytest.mark.parametrize("style", ["", "-tt", "-ttt", "-tttt", "-ttttt"])
@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata"])
@pytest.mark.parametrize("capture", ["kernel", "explicit"])
def test_timestamps_are_tcpdumps(style, tz, capture, explicit):
    path = KERNEL if capture == "kernel" else explicit
    flags = [style] if style else []
    theirs = tcpdump(*flags, "-r", path, tz=tz)
    ours = lines(run(*flags, path, tz=tz))
    assert len(ours) > 5
    for line in ours:
        frame = frame_of(line)
        # tcpdump -n prints "<time> IP ..." or "<time> IP6 ...", one line a frame.
        ts = re.match(r"^(.*?) IP6? ", theirs[frame - 1]).group(1)
        assert line.startswith("%d %s " % (frame, ts)), (line, theirs[frame - 1])
        rest = line[len("%d %s " % (frame, ts)):]
        assert rest[:1].isdigit() or rest.startswith("["), line


def test_minus_t_prints_no_timestamp_and_t_options_add_up(explicit):
    for line in lines(run("-t", explicit)):
        assert re.match(r"^\d+ (\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):\d+ > ", line), line
    # tcpdump counts -t: "-t -t" is "-tt".
    assert run("-t", "-t", explicit).stdout == run("-tt", explicit).stdout
    assert run("-tttttt", explicit).returncode == 2


def test_default_is_time_of_day_in_local_time(explicit):
    first = lines(run(explicit, tz="UTC"))[0]
    assert first.startswith("1 22:13:20.000000 ")  # 1700000000 s
    assert lines(run(explicit, tz="Asia/Kolkata"))[0].startswith("1 03:43:20.000000 ")


# --- filter expressions -----------------------------------------------------

def endpoints(line):
    m = re.match(r"^\d+ (\S+) > (\S+) \[", line)
    return m.group(1), m.group(2)


def test_filter_expression_keeps_what_tcpdump_keeps():
    everything = lines(run("-t", KERNEL))
    kept = run("-t", KERNEL, "tcp port 10004")
    assert kept.returncode == 0, kept.stderr
    expected = [l for l in everything if any(e.endswith(":10004") for e in endpoints(l))]
    assert lines(kept) == expected
    # The summary counts the frames that passed, as many as tcpdump prints.
    summary = kept.stdout.decode().splitlines()[-1]
    assert summary.startswith("-- %d frames" % len(tcpdump("-r", KERNEL, "tcp port 10004")))
    # Frame numbers stay the file's own (as Wireshark numbers them).
    assert [frame_of(l) for l in lines(kept)] == [frame_of(l) for l in expected]


def test_filter_in_tcpdumps_multi_word_form():
    one = run("-t", KERNEL, "ip6 and tcp port 10006")
    assert len(lines(one)) > 10 and all("[fd00:" in l for l in lines(one))
    assert run("-t", KERNEL, "ip6", "and", "tcp", "port", "10006").stdout == one.stdout
    assert run("-t", "-r", KERNEL, "ip6", "and", "tcp", "port", "10006").stdout == one.stdout


def test_bad_filter_is_a_usage_error():
    r = run(KERNEL, "tcp", "portx", "80")
    assert r.returncode == 2
    assert r.stdout == b""
    assert r.stderr.decode().startswith("mptcp-decode: filter 'tcp portx 80': ")


# --- -c ---------------------------------------------------------------------

def test_c_stops_after_n_frames_that_pass_the_filter():
    r = run("-tt", "-c", "5", KERNEL, "ip6")
    assert r.returncode == 0
    ours = [l.split(" ")[1] for l in lines(r)]
    theirs = [l.split(" ")[0] for l in tcpdump("-tt", "-c", "5", "-r", KERNEL, "ip6")]
    assert len(theirs) == 5
    assert set(ours) <= set(theirs) and ours == sorted(ours)
    assert r.stdout.decode().splitlines()[-1].startswith("-- 5 frames")
    assert run("-c5", "-tt", KERNEL, "ip6").stdout == r.stdout
    for bad in ["0", "x", "-1"]:
        assert run("-c", bad, KERNEL).returncode == 2


# --- several files: one stream ----------------------------------------------

@pytest.fixture(scope="module")
def halves(tmp):
    a, b = str(tmp / "first.pcap"), str(tmp / "second.pcap")
    subprocess.run([sys.executable, TOOL, "split", "300", KERNEL, a, b], check=True)
    return a, b


@pytest.mark.parametrize("flags", [["-t", "--verify"], ["-ttt"], ["-t", "--json", "--verify"],
                                   ["-t", "-c", "400"], ["-t", "--connections", "--verify"]])
def test_rotated_files_decode_as_the_whole_capture(halves, flags):
    a, b = halves
    whole = run(*flags, KERNEL)
    assert whole.returncode == 0
    # Frame numbers continue into the second file, connections and their
    # HMAC checks too (joins there whose keys were in the first file).
    assert run(*flags, a, b).stdout == whole.stdout
    assert run(*flags, "-r", a, "-r", b).stdout == whole.stdout
    assert run(*flags, a, b, "tcp port 10004").stdout == run(*flags, KERNEL, "tcp port 10004").stdout


def test_unreadable_second_file_is_reported_after_the_first(halves, tmp):
    a, _ = halves
    r = run("-t", "-r", a, "-r", str(tmp / "missing.pcap"))
    assert r.returncode == 2
    assert b"missing.pcap" in r.stderr
    assert lines(r) == lines(run("-t", a))


# --- line-buffered output ---------------------------------------------------

def first_records(path, n):
    data = open(path, "rb").read()
    at = 24
    for _ in range(n):
        caplen = struct.unpack("<I", data[at + 8:at + 12])[0]
        at += 16 + caplen
    return data[:at]


def read_line(fd):
    got = b""
    while not got.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], GUARD)
        assert ready, "no line within %ds (output held back?)" % GUARD
        chunk = os.read(fd, 4096)
        assert chunk, "output ended before a line"
        got += chunk
    return got.decode()


def test_l_shows_a_line_while_the_input_is_still_open(explicit):
    # As `tcpdump -w - -U | mptcp-decode -l -`: the pipe stays open, the first
    # segment's line must arrive before it ends.
    p = subprocess.Popen([DECODE, "-l", "-t", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        p.stdin.write(first_records(explicit, 3))
        p.stdin.flush()
        line = read_line(p.stdout.fileno())
        assert line.startswith("1 100.64.1.10:40001 > 203.0.113.1:5555 [S] seq 1000 conn 1 sf 1: ")
        assert p.poll() is None  # still reading: the line did not wait for the end
    finally:
        p.stdin.close()
        rest = p.stdout.read()
        assert p.wait(GUARD) == 0
    assert b"-- 3 frames" in rest


def test_a_terminal_gets_lines_at_once(explicit):
    master, slave = pty.openpty()
    p = subprocess.Popen([DECODE, "-t", "-"], stdin=subprocess.PIPE, stdout=slave)
    os.close(slave)
    try:
        p.stdin.write(first_records(explicit, 3))
        p.stdin.flush()
        assert read_line(master).startswith("1 100.64.1.10:40001 > ")
    finally:
        p.stdin.close()
        assert p.wait(GUARD) == 0
        os.close(master)


# --- connection and subflow ids, JSON records -------------------------------

def test_connection_ids_in_text_and_json_agree(explicit):
    for path in (KERNEL, explicit):
        text = {frame_of(l): l for l in lines(run("-t", path))}
        records = [json.loads(l) for l in run("-t", "--json", path).stdout.splitlines()]
        seen = []
        for rec in records:
            line = text[rec["frame"]]
            m = re.search(r" conn (\d+) sf (\d+): ", line)
            if rec["connection"] is None:
                assert m is None and rec["subflow"] is None
                continue
            assert (rec["connection"], rec["subflow"]) == (int(m.group(1)), int(m.group(2)))
            if rec["connection"] not in seen:
                seen.append(rec["connection"])
        # Numbered in order of first appearance.
        assert seen == list(range(1, len(seen) + 1))
    assert len(seen) == 3  # the explicit capture: three connections; the first has ...
    sfs = {(r["src"], r["src_port"], r["subflow"]) for r in records if r["tcp_flags"] == "S"}
    # ... its initial subflow and the MP_JOIN from the second address.
    assert {("100.64.1.10", 40001, 1), ("100.65.7.20", 40002, 2)} <= sfs


@pytest.mark.parametrize("capture", ["kernel", "explicit", "faulty"])
def test_every_json_record_carries_time_endpoints_flags_and_ids(capture, explicit, faulty):
    path = {"kernel": KERNEL, "explicit": explicit, "faulty": faulty}[capture]
    text = {frame_of(l): l for l in lines(run("-tt", path))}
    records = [json.loads(l) for l in run("--json", "--verify", path).stdout.splitlines()]
    for rec in records[:-1]:
        assert RECORD_KEYS <= rec.keys(), rec
        line = text[rec["frame"]]
        stamp, src, dst, flags = re.match(r"^\d+ (\S+) (\S+) > (\S+) \[(\S*)\]", line).groups()
        def ep(a, p):
            return ("[%s]:%d" if ":" in a else "%s:%d") % (a, p)
        assert (ep(rec["src"], rec["src_port"]), ep(rec["dst"], rec["dst_port"])) == (src, dst)
        assert rec["tcp_flags"] == flags
        assert rec["time"] == float(stamp)
    assert "summary" in records[-1]


# --- --connections ----------------------------------------------------------

def test_connections_summary_matches_the_per_segment_view():
    summary = json.loads(run("--json", "--verify", KERNEL).stdout.splitlines()[-1])["summary"]
    conns = [json.loads(l) for l in run("--json", "--connections", KERNEL).stdout.splitlines()]
    assert [c["connection"] for c in conns] == [1, 2, 3, 4]
    assert sum(len(c["subflows"]) for c in conns) == summary["subflows"] == 16
    assert sum(c["hmacs_verified"] for c in conns) == summary["hmacs_verified"] == 32
    # Bytes by DSS: the data-level lengths of the mappings each side sent,
    # summed from the per-option records.
    records = [json.loads(l) for l in run("--json", KERNEL).stdout.splitlines()]
    for c in conns:
        assert c["subflows"][0]["mp_join"] is False and all(s["mp_join"] for s in c["subflows"][1:])
        # Every subflow of this capture is opened by the client (the kernel
        # peer's joins): a mapping comes from the client iff from a SYN sender.
        syn_senders = {(s["src"], s["src_port"]) for s in c["subflows"]}
        sent = {True: 0, False: 0}
        for r in records:
            if r.get("connection") == c["connection"] and "data_level_length" in r:
                sent[(r["src"], r["src_port"]) in syn_senders] += r["data_level_length"]
        assert (c["mapped_bytes_from_client"], c["mapped_bytes_from_server"]) == \
            (sent[True], sent[False])
        assert sent[True] > 0 and sent[False] > 0


def test_connections_text(explicit, faulty):
    out = run("--connections", "--verify", explicit).stdout.decode().splitlines()
    assert out[0].startswith("conn 1 v1 client key 2c6b8a7d9e0f1a2b server key 71d3c4b5a6978877: "
                             "2 subflows; ")
    # MP_JOIN SYN/ACK and ACK, ADD_ADDR: as the per-segment [hmac ok] marks.
    assert out[0].endswith("DSS-mapped bytes 11 from client, 0 from server; "
                           "HMACs 3 ok, 0 BAD, 0 unverifiable")
    assert out[1] == "  sf 1 100.64.1.10:40001 > 203.0.113.1:5555 (initial)"
    assert out[2] == "  sf 2 100.65.7.20:40002 > 203.0.113.1:5555 (MP_JOIN)"
    assert out[3].startswith("conn 2 v1 client key 0a0b0c0d0e0f1011")
    assert out[7].startswith("-- ")  # no per-segment lines
    bad = run("--connections", "--verify", faulty)
    assert bad.returncode == 1
    assert "HMACs 1 ok, 2 BAD" in bad.stdout.decode().splitlines()[0]


# --- truncated option areas -------------------------------------------------

def raw_capture(path, frame, caplens):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))  # LINKTYPE_RAW
        for caplen in caplens:
            f.write(struct.pack("<IIII", 1700000000, 0, caplen, len(frame)) + frame[:caplen])


def test_snap_length_cutting_the_last_padding_byte_still_shows_the_options(tmp):
    # DSS (data ACK) + MP_PRIO + one NOP of padding: the case, a snap
    # length that cuts only that NOP. tcpdump still shows the options there.
    area = bytes([30, 8, 0x20, 0x01, 1, 2, 3, 4]) + bytes([30, 3, 0x50]) + b"\x01"
    tcp = struct.pack("!HHIIBBHHH", 40000, 80, 1000, 2000, (20 + len(area)) // 4 << 4, 0x10,
                      1000, 0, 0) + area
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + tcp
    path = str(tmp / "cut.pcap")
    raw_capture(path, ip, [len(ip), len(ip) - 1, len(ip) - 5])
    r = run("-t", path)
    assert r.returncode == 0  # a cut is not a malformed option
    full, padding_cut, dss_cut = lines(r)
    options = full.split(": ", 1)[1]
    assert options == "DSS ack=16909060; MP_PRIO regular"
    assert padding_cut.split(": ", 1)[1] == options + "; [truncated capture: TCP options 11 of 12 bytes]"
    assert dss_cut.endswith(": DSS [truncated capture: 7 of 8 bytes]")
    theirs = tcpdump("-r", path)
    assert "mptcp 3 prio" in theirs[1] and "[|mptcp]" in theirs[1]
    records = [json.loads(l) for l in run("--json", path).stdout.splitlines()]
    assert [(x["frame"], x["subtype"], x.get("error")) for x in records] == [
        (1, "DSS", None), (1, "MP_PRIO", None),
        (2, "DSS", None), (2, "MP_PRIO", None), (2, "UNKNOWN", "TRUNCATED_CAPTURE"),
        (3, "DSS", "TRUNCATED_CAPTURE")]
    assert (records[-1]["captured_length"], records[-1]["length"]) == (7, 8)


# --- exit statuses, --version, man page -------------------------------------

def test_exit_statuses(explicit, faulty):
    assert run(explicit).returncode == 0
    assert run("--verify", explicit).returncode == 0
    assert run(faulty).returncode == 3            # malformed options
    assert run("--verify", faulty).returncode == 1  # and a bad HMAC: 1 first
    assert run("--bogus").returncode == 2
    help_text = run("--help").stdout.decode()
    for code in ("0", "1", "2", "3"):
        assert re.search(r"^  %s  \S" % code, help_text, re.M), code


def test_version_is_kversion():
    m = re.search(r'kVersion = "([^"]+)"', open(VERSION_H).read())
    r = run("--version")
    assert r.returncode == 0
    assert r.stdout.decode() == "mptcp-decode %s\n" % m.group(1)


def help_options(text):
    opts = set()
    for line in text.split("Options:\n")[1].split("Exit status:")[0].splitlines():
        m = re.match(r"^  (-[-\w]+)(?:, (-[-\w]+))?", line)
        if m:
            opts.update(x for x in m.groups() if x)
    return opts


def man_sections(text):
    sections, name = {}, None
    for line in text.splitlines():
        if line.startswith(".SH "):
            name = line[4:].strip().strip('"')
            sections[name] = []
        elif name:
            sections[name].append(line)
    return sections


def man_tagged(section_lines):
    """The tags of .TP paragraphs (the line after each .TP)."""
    return [section_lines[i + 1] for i, l in enumerate(section_lines[:-1]) if l.strip() == ".TP"]


def test_man_page_matches_help():
    help_text = run("--help").stdout.decode()
    sections = man_sections(open(MAN).read())
    man_opts = set()
    for tag in man_tagged(sections["OPTIONS"]):
        for word in re.findall(r"\\-(?:\\-)?[A-Za-z0-9](?:[A-Za-z0-9]|\\-)*", tag):
            man_opts.add(word.replace("\\-", "-"))
    assert man_opts == help_options(help_text)
    man_codes = set()
    for tag in man_tagged(sections["EXIT STATUS"]):
        man_codes.update(re.findall(r"\d+", tag))
    help_codes = set(re.findall(r"^  (\d+)  ", help_text.split("Exit status:")[1], re.M))
    assert man_codes == help_codes == {"0", "1", "2", "3"}


if __name__ == "__main__":
    args = [__file__, "-q", "-p", "no:cacheprovider"]
    if os.environ.get("XML_OUTPUT_FILE"):
        args.append("--junitxml=" + os.environ["XML_OUTPUT_FILE"])
    sys.exit(pytest.main(args))
