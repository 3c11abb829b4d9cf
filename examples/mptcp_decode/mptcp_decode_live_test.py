# SPDX-License-Identifier: Apache-2.0
"""mptcp-decode -i IFACE (issue 15): a live capture on one end of a veth pair
between two network namespaces, while a Linux MPTCP connection crosses it.
-c ends the capture by itself; every wait is for the event itself (a line
on a pipe), with a generous guard timeout only as a failure net.

Needs root (network namespaces, capture rights) and a kernel with MPTCP on:
otherwise every test is skipped with the reason.
"""
import os
import select
import shutil
import subprocess
import sys

import pytest

DECODE = os.path.abspath("examples/mptcp_decode/mptcp-decode")
IP = shutil.which("ip") or next((p for p in ("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip")
                                 if os.path.exists(p)), None)
PY = "/usr/bin/python3"
GUARD = 60  # seconds; a failure net only
PORT = 5201

SERVER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)  # IPPROTO_MPTCP
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", %d))
s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
data = c.recv(100)
c.sendall(data)
c.close()
""" % PORT

CLIENT = r"""
import socket
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
c.settimeout(%d)
c.connect(("10.77.0.2", %d))
c.sendall(b"hello")
assert c.recv(100) == b"hello"
c.close()
""" % (GUARD, PORT)


def skip_reason():
    if os.geteuid() != 0:
        return "live capture needs root (network namespaces and capture rights)"
    if IP is None:
        return "the ip command (iproute2) is not installed"
    try:
        if open("/proc/sys/net/mptcp/enabled").read().strip() != "1":
            return "MPTCP is disabled in this kernel (net.mptcp.enabled)"
    except OSError:
        return "this kernel has no MPTCP (/proc/sys/net/mptcp/enabled)"
    return None


def read_line(stream, what):
    ready, _, _ = select.select([stream], [], [], GUARD)
    assert ready, "no %s within %ds" % (what, GUARD)
    line = stream.readline()
    assert line, "%s: the stream ended first" % what
    return line.decode()


@pytest.fixture
def namespaces():
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    a, b = "mdlive%da" % os.getpid(), "mdlive%db" % os.getpid()

    def ip(*args):
        subprocess.run([IP, *args], check=True, capture_output=True)
    try:
        ip("netns", "add", a)
        ip("netns", "add", b)
        ip("link", "add", "mdva", "netns", a, "type", "veth", "peer", "name", "mdvb", "netns", b)
        for ns, dev, addr in ((a, "mdva", "10.77.0.1/24"), (b, "mdvb", "10.77.0.2/24")):
            ip("-n", ns, "addr", "add", addr, "dev", dev)
            ip("-n", ns, "link", "set", dev, "up")
            ip("-n", ns, "link", "set", "lo", "up")
        yield a, b
    except subprocess.CalledProcessError as e:
        pytest.skip("cannot set up network namespaces here: %s" % e.stderr.decode().strip())
    finally:
        for ns in (a, b):
            subprocess.run([IP, "netns", "del", ns], capture_output=True)


def test_live_capture_of_an_mptcp_handshake_ends_by_itself_after_c_frames(namespaces):
    a, b = namespaces
    decoder = server = None
    try:
        server = subprocess.Popen([IP, "netns", "exec", b, PY, "-c", SERVER],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert read_line(server.stdout, "server ready line") == "ready\n"
        decoder = subprocess.Popen([IP, "netns", "exec", a, DECODE, "-i", "mdva", "-c", "3", "-l",
                                    "-t", "--verify", "tcp", "port", str(PORT)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # The decoder says so once its capture is active: traffic after that is seen.
        assert read_line(decoder.stderr, "'listening on'").startswith(
            "mptcp-decode: listening on mdva, link type EN10MB")
        client = subprocess.run([IP, "netns", "exec", a, PY, "-c", CLIENT], capture_output=True,
                                timeout=GUARD)
        assert client.returncode == 0, client.stderr.decode()
        out, err = decoder.communicate(timeout=GUARD)  # -c 3: it stops by itself
        assert decoder.returncode == 0, err.decode()
    finally:
        for p in (decoder, server):
            if p and p.poll() is None:
                p.kill()
                p.wait()
    lines = out.decode().splitlines()
    # SYN, SYN/ACK, ACK: the three MP_CAPABLE of the handshake, one connection.
    assert [l.split(" ")[4] for l in lines[:3]] == ["[S]", "[S.]", "[.]"], lines
    for l in lines[:3]:
        assert " conn 1 sf 1: MP_CAPABLE v1 " in l, l
    assert "10.77.0.1:" in lines[0] and "> 10.77.0.2:%d " % PORT in lines[0]
    assert "skey=" in lines[1] and "skey=" in lines[2] and "rkey=" in lines[2]
    assert lines[3].startswith("-- 3 frames, 3 TCP segments, 3 with MPTCP")
    assert lines[4].startswith("-- verify: 1 connections, 1 subflows")


def test_unknown_interface_is_reported():
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    r = subprocess.run([DECODE, "-i", "no-such-if0", "-c", "1"], capture_output=True, timeout=GUARD)
    assert r.returncode == 2
    assert r.stderr.decode().startswith("mptcp-decode: no-such-if0: ")


if __name__ == "__main__":
    args = [__file__, "-q", "-p", "no:cacheprovider", "-rs"]
    if os.environ.get("XML_OUTPUT_FILE"):
        args.append("--junitxml=" + os.environ["XML_OUTPUT_FILE"])
    sys.exit(pytest.main(args))
