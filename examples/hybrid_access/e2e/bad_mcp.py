#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A network MCP that does not echo: an MPTCP listener accepting TCP Fast
Open data in the SYN, like the concentrator, that reads the IEs and then
answers them wrongly or not at all (issue 13, test (d)).

  bad_mcp.py [--listen 10.9.0.1:5555] --answer wrong|silent [--ready FILE] [--log FILE]

wrong: sends back as many bytes as it read, each one inverted, then keeps
the connection open until the peer ends it. silent: never writes. --log gets
one line per connection ("accept PEER first_bytes=HEX"); --ready is created
once listening. Runs until SIGTERM. The namespace needs
net.ipv4.tcp_fastopen=0x602 (server side, no cookie).
"""
import argparse
import os
import signal
import socket
import sys
import threading

IPPROTO_MPTCP = 262
TCP_FASTOPEN = 23


def serve(conn, peer, answer, log):
    with conn:
        try:
            first = conn.recv(4096)
            if log:
                log.write("accept %s:%d first_bytes=%s\n" % (peer[0], peer[1], first.hex()))
            if answer == "wrong" and first:
                conn.sendall(bytes(b ^ 0xFF for b in first))
            while conn.recv(65536):
                pass
        except OSError:
            pass


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--listen", default="10.9.0.1:5555")
    p.add_argument("--answer", choices=("wrong", "silent"), required=True)
    p.add_argument("--ready")
    p.add_argument("--log")
    args = p.parse_args()
    host, port = args.listen.rsplit(":", 1)
    log = open(args.log, "a", buffering=1) if args.log else None
    l = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN, 64)
    l.bind((host, int(port)))
    l.listen(64)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if args.ready:
        open(args.ready, "w").close()
    while True:
        conn, peer = l.accept()
        threading.Thread(target=serve, args=(conn, peer, args.answer, log), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
