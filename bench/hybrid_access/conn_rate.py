#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Short request/response connections, for the hybrid-access benchmark.

  conn_rate.py serve --listen 10.2.0.2:9100
  conn_rate.py run --connect 10.2.0.2:9100 --connections 2000 --workers 8

`run` opens --connections connections, --workers at a time; each sends a
64-byte request, reads the 64-byte answer and closes. It prints one JSON
line: connections per second over the whole run and the setup latency
(connect() start to the answer's last byte) as median and 90th percentile,
in milliseconds. Any failed connection is counted and makes the exit
status 1: a rate measured over failures means nothing.
"""
import argparse
import json
import socket
import statistics
import sys
import threading
import time

REQUEST = b"q" * 64
ANSWER = b"a" * 64


def split_endpoint(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def read_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def serve(args):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(split_endpoint(args.listen))
    listener.listen(1024)

    def answer(conn):
        with conn:
            try:
                read_exactly(conn, len(REQUEST))
                conn.sendall(ANSWER)
            except OSError:
                pass

    while True:
        conn, _ = listener.accept()
        threading.Thread(target=answer, args=(conn,), daemon=True).start()


def run(args):
    target = split_endpoint(args.connect)
    latencies = []
    failures = []
    lock = threading.Lock()
    remaining = [args.connections]

    def worker():
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            start = time.monotonic()
            try:
                with socket.create_connection(target, timeout=30) as s:
                    s.sendall(REQUEST)
                    if read_exactly(s, len(ANSWER)) != ANSWER:
                        raise ConnectionError("wrong answer")
                with lock:
                    latencies.append(time.monotonic() - start)
            except OSError as e:
                with lock:
                    failures.append(str(e))

    begin = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - begin
    latencies.sort()
    result = {
        "connections": len(latencies),
        "failed": len(failures),
        "first_failure": failures[0] if failures else None,
        "seconds": round(elapsed, 3),
        "connections_per_second": round(len(latencies) / elapsed, 1),
        "latency_median_ms": round(statistics.median(latencies) * 1000, 3) if latencies else None,
        "latency_p90_ms": round(latencies[int(len(latencies) * 0.9)] * 1000, 3) if latencies else None,
    }
    print(json.dumps(result))
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="verb", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--listen", required=True)
    r = sub.add_parser("run")
    r.add_argument("--connect", required=True)
    r.add_argument("--connections", type=int, default=2000)
    r.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    return serve(args) if args.verb == "serve" else run(args)


if __name__ == "__main__":
    sys.exit(main())
