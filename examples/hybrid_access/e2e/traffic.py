#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Byte-exact traffic for the hybrid-access testbed (issue 13).

  traffic.py serve --listen ADDR:PORT [--mptcp] [--report FILE] [--ready FILE]
  traffic.py run --connect ADDR:PORT [--upload BYTES] [--download BYTES]
                 [--connections N] [--mptcp] [--bind ADDR] [--json]
                 [--progress FILE] [--barrier] [--timeout S]

BYTES takes K, M, G suffixes (powers of 1024): 64M is 64 MiB.

The protocol, per connection (every integer big-endian):
  client -> server  "HAT1", upload (8 bytes), download (8 bytes),
                    then `upload` random bytes, then sha256 of them (32 bytes).
  server -> client  `download` random bytes, then, once it has the client's
                    bytes and digest: sha256 of what it received (32) and
                    sha256 of what it sent (32).
  Then the client half-closes; the server closes when it reads EOF, and the
  client waits for that EOF (so FIN crosses the relays both ways).
Both directions flow at once. The client fails a connection on any short
read (EOF or reset before the end), a digest that differs from its own, a
byte too many, or no progress for --timeout seconds (default 60).

`run` prints the totals over all connections: bytes, seconds (first connect
to last close), goodput in Mbit/s, failures; with --json one JSON object.
It exits 0 only when no connection failed. --progress FILE is rewritten
(atomically) with {"sent": n, "received": n} while the bytes move, so a test
can wait for "n bytes moved" instead of sleeping. --barrier proves the
connections concurrent: none sends its digest (so none can finish) before
every one has received download bytes, i.e. is open end to end; the JSON's
"concurrent_at_barrier" says how many were.

`serve` handles any number of connections (one thread, epoll) until SIGTERM.
--report FILE gets one JSON line per finished connection: peer and local
address, whether the accepted socket is MPTCP (getsockopt TCP_IS_MPTCP), the
byte counts, both digests, whether the client's digest matched, and the
error if any. --ready FILE is written once the socket listens, with the
address it listens on (ADDR:PORT; port 0 in --listen picks a free one).
"""
import argparse
import errno
import hashlib
import json
import os
import selectors
import signal
import socket
import struct
import sys
import time

IPPROTO_MPTCP = 262
TCP_IS_MPTCP = 43
MAGIC = b"HAT1"
HEADER = struct.Struct(">4sQQ")
DIGEST = 32
CHUNK = 256 * 1024
PROGRESS_EVERY = 0.1  # seconds between --progress rewrites


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    t = text.strip().upper().removesuffix("IB").removesuffix("B")
    if t and t[-1] in units:
        return int(t[:-1]) * units[t[-1]]
    return int(t)


def parse_addr(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def is_mptcp(sock):
    try:
        return sock.getsockopt(socket.SOL_TCP, TCP_IS_MPTCP) == 1
    except OSError:
        return False


def write_atomically(path, text):
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


class RandomSource:
    """Random bytes to send, and the sha256 of everything handed out."""

    def __init__(self, total):
        self.left = total
        self.digest = hashlib.sha256()
        self.pending = b""

    def next_chunk(self):
        if not self.pending and self.left:
            n = min(self.left, CHUNK)
            self.pending = os.urandom(n)
            self.digest.update(self.pending)
            self.left -= n
        return self.pending

    def consumed(self, n):
        self.pending = self.pending[n:]

    def done(self):
        return not self.left and not self.pending


class Failure(Exception):
    pass


# ------------------------------------------------------------------ client


class ClientConn:
    """One connection of `run`: sends the header, the upload and its digest;
    reads the download and the server's trailer; then half-closes and waits
    for EOF."""

    def __init__(self, index, upload, download, gate):
        self.index = index
        self.gate = gate  # True once the digest may be sent (see --barrier)
        self.upload, self.download = upload, download
        self.out = HEADER.pack(MAGIC, upload, download)
        self.out_is_payload = False
        self.source = RandomSource(upload)
        self.sent_digest_queued = False
        self.received = 0
        self.recv_digest = hashlib.sha256()
        self.trailer = b""
        self.sent_bytes = 0  # payload bytes sent (excluding header and digest)
        self.connected = False
        self.half_closed = False
        self.finished = False
        self.error = None
        self.last_progress = time.monotonic()
        self.sock = None
        self.local = None
        self.mptcp = False

    def want_write(self):
        if not self.connected:
            return True  # writable = the handshake is over (SO_ERROR tells how)
        return not self.half_closed and bool(
            self.out or not self.source.done() or (not self.sent_digest_queued and self.gate()))

    def on_writable(self):
        if not self.connected:
            err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                raise Failure("connect: %s" % os.strerror(err))
            self.connected = True
            self.local = "%s:%d" % self.sock.getsockname()[:2]
            self.mptcp = is_mptcp(self.sock)
        while True:
            if not self.out:
                chunk = self.source.next_chunk()
                if chunk:
                    self.out, self.out_is_payload = chunk, True
                elif not self.sent_digest_queued and self.gate():
                    self.sent_digest_queued = True
                    self.out, self.out_is_payload = self.source.digest.digest(), False
                else:
                    return
            try:
                n = self.sock.send(self.out)
            except BlockingIOError:
                return
            except OSError as e:
                raise Failure("send after %d of %d bytes: %s" % (self.sent_bytes, self.upload,
                                                                 e.strerror or e))
            if self.out_is_payload:
                self.source.consumed(n)
                self.sent_bytes += n
                self.out = self.source.pending
            else:
                self.out = self.out[n:]
            self.last_progress = time.monotonic()

    def on_readable(self):
        while True:
            try:
                data = self.sock.recv(CHUNK)
            except BlockingIOError:
                return
            except OSError as e:
                raise Failure("recv after %d of %d bytes: %s" % (self.received, self.download,
                                                                 e.strerror or e))
            self.last_progress = time.monotonic()
            if not data:
                self.on_eof()
                return
            if self.half_closed:
                raise Failure("%d bytes after the server's trailer" % len(data))
            need = self.download - self.received
            payload, rest = data[:need], data[need:]
            if payload:
                self.received += len(payload)
                self.recv_digest.update(payload)
            self.trailer += rest
            if len(self.trailer) > 2 * DIGEST:
                raise Failure("%d bytes after the server's trailer" % (len(self.trailer) - 2 * DIGEST))
            if len(self.trailer) == 2 * DIGEST:
                self.check_trailer()

    def check_trailer(self):
        if not self.sent_digest_queued or self.out:
            raise Failure("the server's trailer came before the upload was sent")
        server_received, server_sent = self.trailer[:DIGEST], self.trailer[DIGEST:]
        if server_received != self.source.digest.digest():
            raise Failure("upload corrupted: server's sha256 %s, client's %s" % (
                server_received.hex()[:16], self.source.digest.hexdigest()[:16]))
        if server_sent != self.recv_digest.digest():
            raise Failure("download corrupted: server's sha256 %s, client's %s" % (
                server_sent.hex()[:16], self.recv_digest.hexdigest()[:16]))
        self.half_closed = True
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError as e:
            raise Failure("shutdown: %s" % (e.strerror or e))

    def on_eof(self):
        if not self.half_closed:
            if self.received < self.download:
                raise Failure("short read: EOF after %d of %d bytes" % (self.received,
                                                                       self.download))
            raise Failure("EOF inside the server's trailer (%d of %d bytes)" % (
                len(self.trailer), 2 * DIGEST))
        self.finished = True


def run_client(args):
    upload, download = parse_size(args.upload), parse_size(args.download)
    host, port = parse_addr(args.connect)
    proto = IPPROTO_MPTCP if args.mptcp else 0
    if args.barrier and not download:
        sys.exit("--barrier needs --download")
    sel = selectors.DefaultSelector()
    conns = []
    failures = []
    # --barrier: no connection sends its digest (so none can finish) before
    # every connection has received download bytes, i.e. is open end to end.
    not_arrived = set(range(args.connections)) if args.barrier else set()
    gate = lambda: not not_arrived  # noqa: E731
    concurrent = [0]  # connections open end to end when the barrier opened
    start = time.monotonic()
    for i in range(args.connections):
        c = ClientConn(i, upload, download, gate)
        conns.append(c)
        try:
            c.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
            if args.bind:
                c.sock.bind((args.bind, 0))
            c.sock.setblocking(False)
            rc = c.sock.connect_ex((host, port))
            if rc not in (0, errno.EINPROGRESS):
                raise Failure("connect: %s" % os.strerror(rc))
            sel.register(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
        except (OSError, Failure) as e:
            c.error = str(e)
            failures.append(c)
            if c.sock:
                c.sock.close()
    live = len(conns) - len(failures)
    last_progress_write = 0.0

    def progress():
        sent = sum(c.sent_bytes for c in conns)
        received = sum(c.received for c in conns)
        return sent, received

    def arrive(c):
        if c.index in not_arrived:
            not_arrived.discard(c.index)
            if not not_arrived:  # the barrier opens: everyone may write again
                concurrent[0] = sum(1 for x in conns if x.error is None and x.received)
                for key in list(sel.get_map().values()):
                    want = selectors.EVENT_READ | (
                        selectors.EVENT_WRITE if key.data.want_write() else 0)
                    if want != key.events:
                        sel.modify(key.fileobj, want, key.data)

    def close(c, error=None):
        nonlocal live
        c.error = error
        if error:
            failures.append(c)
        sel.unregister(c.sock)
        c.sock.close()
        live -= 1
        arrive(c)

    for c in failures:
        not_arrived.discard(c.index)
    while live:
        events = sel.select(timeout=1.0)
        for key, mask in events:
            c = key.data
            try:
                if not c.connected and not mask & selectors.EVENT_WRITE:
                    continue
                if mask & selectors.EVENT_WRITE:
                    c.on_writable()
                if mask & selectors.EVENT_READ:
                    c.on_readable()
                    if c.received:
                        arrive(c)
                if c.finished:
                    close(c)
                    continue
                want = selectors.EVENT_READ | (selectors.EVENT_WRITE if c.want_write() else 0)
                if want != key.events:
                    sel.modify(c.sock, want, c)
            except Failure as e:
                close(c, str(e))
        now = time.monotonic()
        for key in list(sel.get_map().values()):
            c = key.data
            if now - c.last_progress > args.timeout:
                if not c.connected:
                    close(c, "connect to %s did not complete in %ds" % (args.connect, args.timeout))
                    continue
                close(c, "stalled: no byte moved for %ds (sent %d of %d, received %d of %d)" % (
                    args.timeout, c.sent_bytes, upload, c.received, download))
        if args.progress and now - last_progress_write >= PROGRESS_EVERY:
            last_progress_write = now
            sent, received = progress()
            write_atomically(args.progress, json.dumps({"sent": sent, "received": received}))
    seconds = time.monotonic() - start
    sent, received = progress()
    if args.progress:
        write_atomically(args.progress, json.dumps({"sent": sent, "received": received,
                                                    "done": True}))
    total = sent + received
    report = {
        "connections": len(conns),
        "failures": len(failures),
        "bytes": total,
        "upload_bytes": sent,
        "download_bytes": received,
        "seconds": round(seconds, 3),
        "goodput_mbps": round(total * 8 / seconds / 1e6, 2) if seconds > 0 else 0.0,
        "upload_mbps": round(sent * 8 / seconds / 1e6, 2) if seconds > 0 else 0.0,
        "download_mbps": round(received * 8 / seconds / 1e6, 2) if seconds > 0 else 0.0,
        "mptcp_connections": sum(1 for c in conns if c.mptcp),
        "concurrent_at_barrier": concurrent[0] if args.barrier else None,
        "digests": [{"upload": c.source.digest.hexdigest(), "download": c.recv_digest.hexdigest()}
                    for c in conns[:4] if c.finished],
        "errors": ["#%d %s: %s" % (c.index, c.local or "-", c.error) for c in failures[:10]],
    }
    if args.json:
        print(json.dumps(report), flush=True)
    else:
        print("%d connections, %d failed: %d bytes in %.3f s, %.2f Mbit/s" % (
            report["connections"], report["failures"], total, seconds, report["goodput_mbps"]))
        for e in report["errors"]:
            print("  " + e)
    return 1 if failures else 0


# ------------------------------------------------------------------ server


class ServerConn:
    def __init__(self, sock, peer):
        self.sock = sock
        self.peer = "%s:%d" % peer[:2]
        self.local = "%s:%d" % sock.getsockname()[:2]
        self.mptcp = is_mptcp(sock)
        self.start = time.monotonic()
        self.last_progress = self.start
        self.inbuf = b""
        self.header = None
        self.upload = self.download = 0
        self.received = 0
        self.recv_digest = hashlib.sha256()
        self.client_digest = b""
        self.source = None
        self.sent_bytes = 0
        self.out = b""
        self.out_is_payload = False
        self.trailer_queued = False
        self.trailer_sent = False
        self.upload_ok = None

    def want_write(self):
        if self.source is None or self.trailer_sent:
            return False
        if self.out or not self.source.done():
            return True
        return self.upload_done()

    def upload_done(self):
        return self.header is not None and self.received == self.upload and \
            len(self.client_digest) == DIGEST

    def on_readable(self):
        """Returns True at EOF."""
        while True:
            try:
                data = self.sock.recv(CHUNK)
            except BlockingIOError:
                return False
            except OSError as e:
                raise Failure("recv after %d of %d bytes: %s" % (self.received, self.upload,
                                                                 e.strerror or e))
            self.last_progress = time.monotonic()
            if not data:
                if not self.trailer_sent:
                    if self.header is None:
                        raise Failure("EOF in the header (%d bytes)" % len(self.inbuf))
                    raise Failure("short read: EOF after %d of %d bytes" % (self.received,
                                                                           self.upload))
                return True
            if self.trailer_sent:
                raise Failure("%d bytes after the client's digest" % len(data))
            if self.header is None:
                self.inbuf += data
                if len(self.inbuf) < HEADER.size:
                    continue
                magic, self.upload, self.download = HEADER.unpack(self.inbuf[:HEADER.size])
                if magic != MAGIC:
                    raise Failure("bad magic %r" % magic)
                self.header = True
                self.source = RandomSource(self.download)
                data, self.inbuf = self.inbuf[HEADER.size:], b""
            need = self.upload - self.received
            payload, rest = data[:need], data[need:]
            if payload:
                self.received += len(payload)
                self.recv_digest.update(payload)
            self.client_digest += rest
            if len(self.client_digest) > DIGEST:
                raise Failure("%d bytes after the client's digest" % (
                    len(self.client_digest) - DIGEST))
            if len(self.client_digest) == DIGEST and self.upload_ok is None:
                self.upload_ok = self.client_digest == self.recv_digest.digest()

    def on_writable(self):
        while True:
            if not self.out:
                chunk = self.source.next_chunk()
                if chunk:
                    self.out, self.out_is_payload = chunk, True
                elif self.upload_done() and not self.trailer_queued:
                    self.trailer_queued = True
                    self.out = self.recv_digest.digest() + self.source.digest.digest()
                    self.out_is_payload = False
                else:
                    return
            try:
                n = self.sock.send(self.out)
            except BlockingIOError:
                return
            except OSError as e:
                raise Failure("send after %d of %d bytes: %s" % (self.sent_bytes, self.download,
                                                                 e.strerror or e))
            self.last_progress = time.monotonic()
            if self.out_is_payload:
                self.source.consumed(n)
                self.sent_bytes += n
                self.out = self.source.pending
            else:
                self.out = self.out[n:]
                if not self.out:
                    self.trailer_sent = True
                    return

    def record(self, error):
        rec = {
            "peer": self.peer,
            "local": self.local,
            "mptcp": self.mptcp,
            "upload": self.upload,
            "download": self.download,
            "received": self.received,
            "sent": self.sent_bytes,
            "received_sha256": self.recv_digest.hexdigest(),
            "sent_sha256": self.source.digest.hexdigest() if self.source else None,
            "upload_ok": bool(self.upload_ok),
            "seconds": round(time.monotonic() - self.start, 3),
            "ok": error is None and bool(self.upload_ok),
        }
        if error:
            rec["error"] = error
        return rec


def run_server(args):
    host, port = parse_addr(args.listen)
    proto = IPPROTO_MPTCP if args.mptcp else 0
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((host, port))
    lsock.listen(4096)
    lsock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ, None)
    report = open(args.report, "a", buffering=1) if args.report else None
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    if args.ready:
        write_atomically(args.ready, "%s:%d\n" % lsock.getsockname()[:2])

    def finish(c, error=None):
        sel.unregister(c.sock)
        c.sock.close()
        if report:
            report.write(json.dumps(c.record(error)) + "\n")

    while not stopping:
        try:
            events = sel.select(timeout=1.0)
        except InterruptedError:
            continue
        for key, mask in events:
            if key.data is None:
                while True:
                    try:
                        sock, peer = lsock.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError as e:  # e.g. ECONNABORTED: try the next
                        print("accept: %s" % e, file=sys.stderr)
                        break
                    sock.setblocking(False)
                    sel.register(sock, selectors.EVENT_READ, ServerConn(sock, peer))
                continue
            c = key.data
            try:
                if mask & selectors.EVENT_READ and c.on_readable():
                    finish(c)
                    continue
                if mask & selectors.EVENT_WRITE or c.want_write():
                    c.on_writable()
                want = selectors.EVENT_READ | (selectors.EVENT_WRITE if c.want_write() else 0)
                if want != key.events:
                    sel.modify(c.sock, want, c)
            except Failure as e:
                finish(c, str(e))
        now = time.monotonic()
        for key in list(sel.get_map().values()):
            c = key.data
            if c is not None and now - c.last_progress > args.timeout:
                finish(c, "stalled: no byte moved for %ds" % args.timeout)
    for key in list(sel.get_map().values()):
        if key.data is not None:
            finish(key.data, "server stopped")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="verb", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--listen", required=True, help="ADDR:PORT")
    s.add_argument("--mptcp", action="store_true", help="listen with IPPROTO_MPTCP")
    s.add_argument("--report", help="append one JSON line per connection")
    s.add_argument("--ready", help="created once listening")
    s.add_argument("--timeout", type=int, default=60, help="idle seconds before a connection fails")
    r = sub.add_parser("run")
    r.add_argument("--connect", required=True, help="ADDR:PORT")
    r.add_argument("--upload", default="0", help="bytes client -> server (K/M/G suffixes)")
    r.add_argument("--download", default="0", help="bytes server -> client")
    r.add_argument("--connections", type=int, default=1)
    r.add_argument("--mptcp", action="store_true", help="connect with IPPROTO_MPTCP")
    r.add_argument("--bind", help="local address")
    r.add_argument("--json", action="store_true")
    r.add_argument("--progress", help="rewritten with the bytes moved so far")
    r.add_argument("--barrier", action="store_true",
                   help="no connection finishes before all have received download bytes")
    r.add_argument("--timeout", type=int, default=60, help="idle seconds before a connection fails")
    args = p.parse_args()
    sys.exit(run_server(args) if args.verb == "serve" else run_client(args))


if __name__ == "__main__":
    main()
