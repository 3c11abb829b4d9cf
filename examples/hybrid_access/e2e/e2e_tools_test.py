# SPDX-License-Identifier: Apache-2.0
"""Tests of the e2e tools that need no root and no testbed (run_e2e.sh runs
them for real): traffic.py over loopback (byte-exact, and failing loudly on a
corrupted, truncated or stalled stream), the IEs of mp_convert.py against the
library's own encoder and parser (the Python bindings), synflood.py's SYN
(checksums, MP_CAPABLE, the IE), and e2e_json.py.

Run by Bazel (py_test) from the runfiles root.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import pytest

HERE = "examples/hybrid_access/e2e"
sys.path.insert(0, HERE)
sys.path.insert(0, "bindings/python")
import mp_convert  # noqa: E402
import mptcp_opts  # noqa: E402
import synflood  # noqa: E402

PY = sys.executable
TRAFFIC = os.path.join(HERE, "traffic.py")
DEADLINE = 60


def wait_for(what, cond):
    end = time.monotonic() + DEADLINE
    while not cond():
        assert time.monotonic() < end, "timed out waiting for " + what
        time.sleep(0.02)


@pytest.fixture
def server(tmp_path):
    ready, report = tmp_path / "ready", tmp_path / "report.jsonl"
    p = subprocess.Popen([PY, TRAFFIC, "serve", "--listen", "127.0.0.1:0", "--ready", str(ready),
                          "--report", str(report), "--timeout", "5"])
    wait_for("the server to listen", lambda: ready.exists() and ready.read_text().endswith("\n"))
    host, port = ready.read_text().strip().rsplit(":", 1)
    yield (host, int(port)), report
    p.terminate()
    p.wait(DEADLINE)


def run(addr, *args):
    # --timeout 10 unless a test sets its own: a hang fails the test, not Bazel.
    timeout = [] if "--timeout" in args else ["--timeout", "10"]
    out = subprocess.run([PY, TRAFFIC, "run", "--connect", "%s:%d" % addr, "--json", *timeout, *args],
                         capture_output=True, text=True, timeout=DEADLINE)
    return out.returncode, json.loads(out.stdout)


def records(report, n):
    wait_for("%d report lines" % n, lambda: report.exists() and
             len(report.read_text().splitlines()) >= n)
    return [json.loads(l) for l in report.read_text().splitlines()]


def test_byte_exact_both_ways_and_the_server_report(server):
    addr, report = server
    rc, r = run(addr, "--upload", "3M", "--download", "1M")
    assert rc == 0 and r["failures"] == 0
    assert (r["upload_bytes"], r["download_bytes"]) == (3 << 20, 1 << 20)
    rec = records(report, 1)[0]
    assert rec["ok"] and rec["upload_ok"] and not rec["mptcp"]
    assert rec["peer"].startswith("127.0.0.1:")
    assert rec["received_sha256"] == r["digests"][0]["upload"]
    assert rec["sent_sha256"] == r["digests"][0]["download"]


def test_barrier_holds_every_connection_open_at_once(server):
    addr, report = server
    rc, r = run(addr, "--connections", "40", "--upload", "8K", "--download", "8K", "--barrier")
    assert rc == 0 and r["concurrent_at_barrier"] == 40
    assert sum(rec["ok"] for rec in records(report, 40)) == 40


def relay(target, mangle):
    """A one-connection TCP relay in a thread; mangle(data, offset) -> bytes
    or None (then it closes both sides)."""
    lsock = socket.create_server(("127.0.0.1", 0))

    def pump(src, dst, do_mangle):
        offset = 0
        while True:
            data = src.recv(65536)
            if not data:
                dst.shutdown(socket.SHUT_WR)
                return
            if do_mangle:
                data = mangle(data, offset)
                if data is None:  # shutdown wakes the other pump's recv; close alone would not
                    for sock in (src, dst):
                        sock.shutdown(socket.SHUT_RDWR)
                        sock.close()
                    return
            offset += len(data)
            dst.sendall(data)

    def serve():
        client, _ = lsock.accept()
        upstream = socket.create_connection(target)
        threading.Thread(target=pump, args=(upstream, client, True), daemon=True).start()
        try:
            pump(client, upstream, False)
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    return lsock.getsockname()


def test_a_flipped_byte_fails_the_run(server):
    addr, _ = server

    def flip(data, offset):
        if offset <= 5000 < offset + len(data):
            data = bytearray(data)
            data[5000 - offset] ^= 0x01
        return bytes(data)

    rc, r = run(relay(addr, flip), "--download", "1M")
    assert rc == 1 and r["failures"] == 1
    assert "download corrupted" in r["errors"][0]


def test_a_truncated_stream_fails_the_run(server):
    addr, _ = server
    rc, r = run(relay(addr, lambda data, offset: None if offset > 100000 else data),
                "--download", "1M")
    assert rc == 1 and r["failures"] == 1
    assert "short read" in r["errors"][0] or "reset" in r["errors"][0].lower()


def test_a_stalled_stream_fails_after_the_timeout():
    lsock = socket.create_server(("127.0.0.1", 0))  # accepts (backlog), never answers
    rc, r = run(lsock.getsockname(), "--download", "1K", "--timeout", "1")
    assert rc == 1 and "stalled" in r["errors"][0]


def test_progress_file_counts_the_bytes(server, tmp_path):
    addr, _ = server
    progress = tmp_path / "progress"
    rc, _ = run(addr, "--upload", "1M", "--download", "2M", "--progress", str(progress))
    assert rc == 0
    assert json.loads(progress.read_text()) == {"sent": 1 << 20, "received": 2 << 20, "done": True}


def test_ies_are_the_library_encoding():
    ie = mp_convert.destination_ie("10.2.0.2", 9000)
    assert ie == mptcp_opts.build_mp_convert_ies(
        [mptcp_opts.MpConvertIe(address="10.2.0.2", port=9000)])
    ies, consumed, _ = mptcp_opts.parse_mp_convert_ies(ie + b"app data")
    assert consumed == len(ie) and str(ies[0].address) == "10.2.0.2" and ies[0].port == 9000
    status = mptcp_opts.try_parse_mp_convert_ies(mp_convert.malformed_ie("10.2.0.2", 9000))[0]
    assert status == "BAD_LENGTH"


def test_the_flood_syn():
    import ipaddress
    import random
    src, dst = ipaddress.IPv4Address("10.1.1.150"), ipaddress.IPv4Address("10.9.0.1")
    payload = mp_convert.destination_ie("10.2.0.2", 9100)
    pkt = synflood.syn_packet(src, dst, 5555, payload, random.Random(1))
    ihl = (pkt[0] & 0x0F) * 4
    assert struct.unpack("!H", pkt[2:4])[0] == len(pkt)
    assert pkt[12:16] == src.packed and pkt[16:20] == dst.packed
    tcp = pkt[ihl:]
    pseudo = src.packed + dst.packed + struct.pack("!BBH", 0, 6, len(tcp))
    assert synflood.checksum(pseudo + tcp) == 0
    assert struct.unpack("!H", tcp[2:4])[0] == 5555 and tcp[13] == 0x02  # SYN only
    offset = (tcp[12] >> 4) * 4
    options, data = tcp[20:offset], tcp[offset:]
    kind30 = options.index(bytes([30, 4]))
    cap = mptcp_opts.decode(options[kind30:kind30 + 4])
    assert isinstance(cap, mptcp_opts.MpCapable) and cap.version == 1 and cap.flags == 0x01
    assert data == payload


def test_e2e_json(tmp_path):
    tool = os.path.join(HERE, "e2e_json.py")
    stats = tmp_path / "stats.json"
    stats.write_text(json.dumps({"ready": True, "events": {"PAIR_CREATED": 3}, "kernel": {"X": 2}}))
    out = subprocess.run([PY, tool, "get", str(stats), "ready", "events.PAIR_CREATED", "nope"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["true", "3", "null"]
    out = subprocess.run([PY, tool, "sum", str(stats), "events.PAIR_CREATED", "kernel.X", "nope"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == "5"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-v", "-p", "no:cacheprovider"]))
