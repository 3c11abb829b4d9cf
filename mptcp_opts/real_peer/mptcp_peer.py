#!/usr/bin/python3
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
                  [--max-seconds S] --close abort|graceful
  Connects, sends --initial-bytes, reads the greeting and the echo, touches
  --connected-file, then keeps sending --chunk-bytes every --interval
  seconds (reading the echo each time) until --hold-file exists or
  --max-seconds elapse.  Then:
    graceful: shutdown(SHUT_WR) (DATA_FIN), drain until EOF, close.
    abort:    SO_LINGER {1, 0}, send one more chunk and let its echo sit
              unread in the receive queue, close().  The kernel answers
              with MP_FASTCLOSE (+ MP_TCPRST on the subflow resets).

Exit status: 0 on success, 1 on error, 77 if MPTCP sockets are unavailable.
"""

import argparse
import os
import signal
import socket
import struct
import sys
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
        conn.settimeout(30)
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
        with open(args.connected_file, "w") as f:
            f.write("connected\n")
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
        log("max-seconds reached before hold file appeared")

    if args.close == "abort":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # Leave unread data in the receive queue as well: the kernel
        # fast-closes an MPTCP socket closed with pending data, and with
        # linger {1,0}.
        s.sendall(payload(args.chunk_bytes, 0xAB))
        # Under load the echo can take a while: wait for it (up to 5 s) so
        # the close always happens with unread data.
        end = time.monotonic() + 5.0
        avail = 0
        while time.monotonic() < end:
            try:
                avail = len(s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
            except (BlockingIOError, socket.timeout):
                avail = 0
            if avail:
                break
            time.sleep(0.02)
        s.close()
        log("aborted after %d rounds, %d bytes echoed (unread pending: %s)"
            % (rounds, sent, bool(avail)))
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
    sp.add_argument("--timeout", type=float, default=30.0)
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
    cp.add_argument("--max-seconds", type=float, default=10.0)
    cp.add_argument("--io-timeout", type=float, default=5.0)
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
