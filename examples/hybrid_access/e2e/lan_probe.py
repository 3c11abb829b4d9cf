#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""What a legacy LAN client and a legacy server see when something fails.

The CPE's kernel accepts the LAN connection before the concentrator answers
(README.md, "Early accept at the CPE"); this tool records what each end sees.

  lan_probe.py connect --to 10.2.0.2:9099 [--send 5] [--abort-after-echo]
      Connects, sends --send bytes, then reads until EOF, reset or --timeout.
      With --abort-after-echo it first waits for the server's 5-byte answer
      (the pair is then established) and aborts its own side with RST.
      Prints one JSON line: {"connect": "ok"|<error>, "outcome":
      "reset"|"eof"|"data"|"timeout"|"aborted", "seconds": ...}.
  lan_probe.py serve --listen 10.2.0.2:9098 --mode reset|answer --record FILE [--ready FILE]
      reset: accepts, reads the client's bytes, answers them, then aborts with
      RST. answer: answers 5 bytes and reads until EOF or reset. Each
      connection appends {"peer": ..., "outcome": ...} to FILE.
"""
import argparse
import json
import socket
import struct
import sys
import time


def endpoint(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def abort(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def read_outcome(sock, timeout):
    sock.settimeout(timeout)
    got = b""
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                return ("data" if got else "eof"), got
            got += chunk
    except ConnectionResetError:
        return "reset", got
    except socket.timeout:
        return "timeout", got


def connect(args):
    start = time.monotonic()
    result = {"connect": "ok"}
    try:
        sock = socket.create_connection(endpoint(args.to), timeout=args.timeout)
    except OSError as e:
        result.update(connect=type(e).__name__, seconds=round(time.monotonic() - start, 3))
        print(json.dumps(result))
        return 0
    sock.sendall(b"x" * args.send)
    if args.abort_after_echo:
        sock.settimeout(args.timeout)
        answer = b""
        while len(answer) < 5:
            chunk = sock.recv(5 - len(answer))
            if not chunk:
                break
            answer += chunk
        result["answer"] = len(answer)
        abort(sock)
        result.update(outcome="aborted", seconds=round(time.monotonic() - start, 3))
    else:
        outcome, got = read_outcome(sock, args.timeout)
        result.update(outcome=outcome, bytes=len(got), seconds=round(time.monotonic() - start, 3))
        sock.close()
    print(json.dumps(result))
    return 0


def serve(args):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(endpoint(args.listen))
    listener.listen(16)
    if args.ready:
        open(args.ready, "w").write(args.listen)
    while True:
        conn, peer = listener.accept()
        conn.settimeout(60)
        try:
            conn.recv(4096)
            conn.sendall(b"hello")
            if args.mode == "reset":
                abort(conn)
                outcome = "sent reset"
            else:
                outcome, _ = read_outcome(conn, 60)
                conn.close()
        except OSError as e:
            outcome = type(e).__name__
        with open(args.record, "a") as f:
            f.write(json.dumps({"peer": peer[0], "outcome": outcome}) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="verb", required=True)
    c = sub.add_parser("connect")
    c.add_argument("--to", required=True)
    c.add_argument("--send", type=int, default=5)
    c.add_argument("--timeout", type=float, default=60)
    c.add_argument("--abort-after-echo", action="store_true")
    s = sub.add_parser("serve")
    s.add_argument("--listen", required=True)
    s.add_argument("--mode", choices=["reset", "answer"], required=True)
    s.add_argument("--record", required=True)
    s.add_argument("--ready")
    args = parser.parse_args()
    return connect(args) if args.verb == "connect" else serve(args)


if __name__ == "__main__":
    sys.exit(main())
