#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Minimal MPTCP traffic peer used by make_kernel_capture.sh.

Runs inside a network namespace (via `ip netns exec`) and opens real
kernel MPTCP sockets (IPPROTO_MPTCP = 262).  Standard library only.

Server mode:
    mptcp_peer.py server --family 4|6 --bind ADDR --port P
                  [--greeting-bytes N] [--timeout S] [--ready-file F]
  Listens on ADDR:P, accepts any number of connections (one thread each),
  sends N greeting bytes once the client's first bytes arrive, and echoes
  everything it receives.  On
  EOF it closes its side (DATA_FIN).  Exits on SIGTERM/SIGINT or after
  --timeout seconds.  Touches --ready-file once it is listening.

Client mode:
    mptcp_peer.py client --family 4|6 --connect ADDR --port P
                  [--greeting-bytes N] [--initial-bytes N] [--chunk-bytes N]
                  [--interval S] [--hold-file F] [--connected-file F]
                  [--max-seconds S] [--echo-timeout S] --close abort|graceful
  Connects, sends --initial-bytes, reads the greeting and the echo, writes
  "connected <local port>" to --connected-file, then keeps sending
  --chunk-bytes every --interval seconds (reading the echo each time) until
  --hold-file exists (or, without --hold-file, for one round).
  --max-seconds only bounds a run whose caller never releases it (an error).
  Then:
    graceful: shutdown(SHUT_WR) (DATA_FIN), drain until EOF, close.
    abort:    SO_LINGER {1, 0}, send one more chunk, wait (poll, then ioctl
              FIONREAD on the MPTCP socket) until its echo is confirmed in
              the receive queue, and close() with it unread. Linux (6.1 and
              later) answers a close() with unread data with MP_FASTCLOSE
              (+ MP_TCPRST) on every subflow. No echo within --echo-timeout
              is an error, never a silent graceful close.

Exit status: 0 on success, 1 on error, 77 if MPTCP sockets are unavailable.
"""

import argparse
import fcntl
import os
import select
import signal
import socket
import struct
import sys
import termios
import threading
import time

IPPROTO_MPTCP = getattr(socket, "IPPROTO_MPTCP", 262)


def log(msg):
    sys.stderr.write("mptcp_peer[%d]: %s\n" % (os.getpid(), msg))
    sys.stderr.flush()


def make_socket(family):
    af = socket.AF_INET if family == 4 else socket.AF_INET6
    try:
        return socket.socket(af, socket.SOCK_STREAM, IPPROTO_MPTCP)
    except OSError as e:
        log("cannot create MPTCP socket: %s" % e)
        sys.exit(77)


def payload(n, seed):
    """Deterministic, non-trivial payload of n bytes."""
    pat = bytes((seed + i) & 0xFF for i in range(256))
    return (pat * (n // 256 + 1))[:n]


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(65536, n - len(buf)))
        if not chunk:
            raise ConnectionError("peer closed after %d/%d bytes" % (len(buf), n))
        buf += chunk
    return bytes(buf)


# --------------------------------------------------------------------------
# server


def serve_conn(conn, peer, greeting):
    total = 0
    try:
        conn.settimeout(300)
        while True:
            data = conn.recv(65536)
            if not data:
                break
            if total == 0 and greeting:
                # Greeting only after the client's first bytes: the client
                # then sends data first, i.e. its first data segment carries
                # MP_CAPABLE with data (MPTCP v1 4th-packet form).
                conn.sendall(payload(greeting, 0x5A))
            total += len(data)
            conn.sendall(data)
        # graceful: our side sends DATA_FIN too
        try:
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        log("conn %s: EOF after echoing %d bytes" % (peer, total))
    except (ConnectionError, OSError) as e:
        log("conn %s: %s after %d bytes" % (peer, e.__class__.__name__, total))
    finally:
        conn.close()


def run_server(args):
    stop = threading.Event()

    def on_signal(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    ls = make_socket(args.family)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if args.family == 6:
        ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    ls.bind((args.bind, args.port))
    ls.listen(16)
    ls.settimeout(0.2)
    log("listening on %s port %d (family %d)" % (args.bind, args.port, args.family))
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write("ready\n")

    deadline = time.monotonic() + args.timeout
    threads = []
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            conn, peer = ls.accept()
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        log("accepted %s" % (peer,))
        t = threading.Thread(target=serve_conn, args=(conn, peer, args.greeting_bytes),
                             daemon=True)
        t.start()
        threads.append(t)
    ls.close()
    for t in threads:
        t.join(timeout=1.0)
    log("server exiting (%s)" % ("signalled" if stop.is_set() else "timeout"))
    return 0


# --------------------------------------------------------------------------
# client


def wait_unread(s, timeout):
    """Blocks until the socket's receive queue holds unread bytes, as
    ioctl(FIONREAD) reports them; returns their number. Raises after
    `timeout` seconds."""
    poller = select.poll()
    poller.register(s.fileno(), select.POLLIN)
    deadline = time.monotonic() + timeout
    buf = bytearray(4)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise RuntimeError("no unread data after %gs: the echo never arrived, so close() "
                               "could not fast-close" % timeout)
        poller.poll(max(1, int(left * 1000)))
        try:
            fcntl.ioctl(s.fileno(), termios.FIONREAD, buf)
            pending = struct.unpack("i", bytes(buf))[0]
        except OSError as e:
            # A kernel without FIONREAD on MPTCP sockets: POLLIN is then the
            # only signal (it, too, looks at the MPTCP-level queue).
            log("FIONREAD unavailable (%s); relying on POLLIN" % e)
            pending = 1 if poller.poll(0) else 0
        if pending > 0:
            return pending


def run_client(args):
    s = make_socket(args.family)
    s.settimeout(args.io_timeout)
    start = time.monotonic()
    s.connect((args.connect, args.port))
    log("connected to %s port %d, close=%s" % (args.connect, args.port, args.close))

    def exchange(n, seed, greeting=0):
        data = payload(n, seed)
        s.sendall(data)
        if greeting and recv_exact(s, greeting) != payload(greeting, 0x5A):
            raise RuntimeError("greeting mismatch")
        if recv_exact(s, n) != data:
            raise RuntimeError("echo mismatch")

    # client speaks first; the server answers with its greeting + the echo
    exchange(args.initial_bytes, 1, args.greeting_bytes)
    if args.connected_file:
        tmp = args.connected_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("connected %d\n" % s.getsockname()[1])
        os.rename(tmp, args.connected_file)  # the reader never sees it half written
    sent = args.initial_bytes
    rounds = 0
    while time.monotonic() - start < args.max_seconds:
        if args.hold_file and os.path.exists(args.hold_file):
            break
        if not args.hold_file and rounds > 0:
            break
        rounds += 1
        exchange(args.chunk_bytes, rounds)
        sent += args.chunk_bytes
        time.sleep(args.interval)
    else:
        raise RuntimeError("not released within --max-seconds %g" % args.max_seconds)

    if args.close == "abort":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # Leave unread data in the receive queue: Linux fast-closes an MPTCP
        # socket closed with data it has not read. Wait until the echo of
        # this chunk is in the MPTCP socket's receive queue, as the kernel
        # itself reports it (FIONREAD moves what the subflows hold into it).
        s.sendall(payload(args.chunk_bytes, 0xAB))
        pending = wait_unread(s, args.echo_timeout)
        s.close()
        log("aborted after %d rounds, %d bytes echoed, FIONREAD %d at close"
            % (rounds, sent, pending))
    else:
        s.shutdown(socket.SHUT_WR)
        extra = 0
        while True:
            d = s.recv(65536)
            if not d:
                break
            extra += len(d)
        s.close()
        log("graceful close after %d rounds, %d bytes echoed, %d trailing"
            % (rounds, sent, extra))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)

    sp = sub.add_parser("server")
    sp.add_argument("--family", type=int, choices=(4, 6), required=True)
    sp.add_argument("--bind", required=True)
    sp.add_argument("--port", type=int, required=True)
    sp.add_argument("--greeting-bytes", type=int, default=0)
    sp.add_argument("--timeout", type=float, default=600.0)
    sp.add_argument("--ready-file")

    cp = sub.add_parser("client")
    cp.add_argument("--family", type=int, choices=(4, 6), required=True)
    cp.add_argument("--connect", required=True)
    cp.add_argument("--port", type=int, required=True)
    cp.add_argument("--greeting-bytes", type=int, default=0)
    cp.add_argument("--initial-bytes", type=int, default=4000)
    cp.add_argument("--chunk-bytes", type=int, default=3000)
    cp.add_argument("--interval", type=float, default=0.05)
    cp.add_argument("--hold-file")
    cp.add_argument("--connected-file")
    cp.add_argument("--max-seconds", type=float, default=300.0)
    cp.add_argument("--io-timeout", type=float, default=120.0)
    cp.add_argument("--echo-timeout", type=float, default=60.0)
    cp.add_argument("--close", choices=("abort", "graceful"), required=True)

    args = p.parse_args()
    try:
        if args.mode == "server":
            return run_server(args)
        return run_client(args)
    except (OSError, RuntimeError) as e:
        log("error: %s: %s" % (e.__class__.__name__, e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
