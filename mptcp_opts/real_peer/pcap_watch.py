#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Observable conditions for make_kernel_capture.sh: MPTCP option forms in a
capture that tcpdump is still writing, and subflow states from `ss`.

Each step of the capture script acts (a connection, an endpoint command, a
close) and then waits here until what the step must produce is observable,
with a deadline: the capture script never sleeps and hopes. A deadline that
expires prints what was awaited and what was seen, and exits 1.

Usage:
  pcap_watch.py mark PCAP
      The number of complete packets in PCAP now (a later `wait --since`
      counts only packets after it).
  pcap_watch.py wait PCAP --family 4|6 --conn CLIENT_PORT [--conn ...]
                [--since MARK] [--timeout S] --what TEXT FORM[@client|@server][=N] ...
      Waits until every connection named by the client port of its initial
      subflow carries each FORM (names from kernel_forms.py), sent by that
      side, on at least N distinct subflows (default 1), in packets after MARK.
  pcap_watch.py wait-all PCAP --family 4|6 [--timeout S] FORM ...
      Waits until the capture holds each FORM over that family (any
      connection, any side).
  pcap_watch.py count PCAP
      Prints, per family, how often each form occurs.
  pcap_watch.py wait-ss --ns NS --family 4|6 [--local ADDR] [--remote ADDR]
                [--fully-established] (--eq N | --ge N) [--timeout S] --what TEXT
      Waits until the number of established MPTCP subflows (TCP sockets with
      the mptcp ULP) in namespace NS that match the filters is N (or >= N).

The capture is classic pcap (LINUX_SLL, LINUX_SLL2, Ethernet or raw IP). The
reader stops at a record that is not complete yet and resumes there, so the
file can be read while tcpdump -U appends to it. Connections are followed as
mptcp-decode does: MP_CAPABLE keys give the tokens that MP_JOIN SYNs name.
"""
import argparse
import hashlib
import os
import struct
import subprocess
import sys
import time

DEFAULT_TIMEOUT = float(os.environ.get("REAL_PEER_DEADLINE", "60"))
POLL = 0.05

# ---------------------------------------------------------------- options


def mptcp_forms(opt, syn, ack):
    """Form names for one MPTCP option (bytes from Kind on), and the keys and
    token it carries: (forms, info)."""
    forms, info = [], {}
    if len(opt) < 3:
        return forms, info
    length, sub = len(opt), opt[2] >> 4
    if sub == 0:
        if syn and not ack and length == 4:
            forms.append("MP_CAPABLE/SYN")
        elif syn and ack and length == 12:
            forms.append("MP_CAPABLE/SYN_ACK")
            info["server_key"] = opt[4:12]
        elif not syn and length == 20:
            forms.append("MP_CAPABLE/ACK")
            info["client_key"], info["server_key"] = opt[4:12], opt[12:20]
        elif not syn and length == 22:
            forms.append("MP_CAPABLE/ACK+data")
            info["client_key"], info["server_key"] = opt[4:12], opt[12:20]
        elif not syn and length == 24:
            forms.append("MP_CAPABLE/ACK+data+csum")
            info["client_key"], info["server_key"] = opt[4:12], opt[12:20]
        else:
            forms.append("MP_CAPABLE/other")
    elif sub == 1:
        if syn and not ack and length == 12:
            forms.append("MP_JOIN/SYN")
            info["token"] = opt[4:8]
        elif syn and ack and length == 16:
            forms.append("MP_JOIN/SYN_ACK")
        elif not syn and length == 24:
            forms.append("MP_JOIN/ACK")
        else:
            forms.append("MP_JOIN/other")
    elif sub == 2 and length >= 4:
        flags = opt[3]
        forms.append("DSS")
        if flags & 0x10:
            forms.append("DSS/DATA_FIN")
        size = 4
        if flags & 0x01:
            size += 8 if flags & 0x02 else 4
        if flags & 0x04:
            size += (8 if flags & 0x08 else 4) + 4 + 2
            if length == size + 2:
                forms.append("DSS/csum")
    elif sub == 3:
        echo = opt[2] & 0x01
        # v1 lengths: IPv4 8/10 (echo, +port) or 16/18 (HMAC, +port);
        # IPv6 20/22 or 28/30.
        port = length in (10, 18, 22, 30)
        forms.append("ADD_ADDR/%s%s" % ("echo" if echo else "hmac", "+port" if port else ""))
    elif sub == 4:
        forms.append("REMOVE_ADDR")
    elif sub == 5:
        forms.append("MP_PRIO/backup" if opt[2] & 0x01 else "MP_PRIO/nobackup")
    elif sub == 6:
        forms.append("MP_FAIL")
    elif sub == 7:
        forms.append("MP_FASTCLOSE")
    elif sub == 8:
        forms.append("MP_TCPRST")
    else:
        forms.append("MPTCP/%d" % sub)
    return forms, info


def token_of(key):
    """RFC 8684 token: the most significant 32 bits of SHA-256(key)."""
    return hashlib.sha256(bytes(key)).digest()[:4]


# ---------------------------------------------------------------- capture


class Packet:
    __slots__ = ("index", "family", "src", "dst", "flags", "forms", "conn", "side", "subflow")


class Connection:
    def __init__(self, cid, family, client, server):
        self.cid, self.family, self.client, self.server = cid, family, client, server
        self.tokens = {}  # token -> "client" | "server" (whose key it is)


class Capture:
    """Incremental reader: poll() parses what tcpdump appended since the last call."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.linktype = None
        self.endian = "<"
        self.packets = []
        self.conns = []
        self.subflows = {}  # frozenset of endpoints -> (connection, SYN sender's side, SYN sender)

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return
        pos = 0
        if self.linktype is None:
            if len(data) < 24:
                return
            magic = data[:4]
            if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
                self.endian = "<"
            elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
                self.endian = ">"
            else:
                raise SystemExit("%s: not a classic pcap file" % self.path)
            self.linktype = struct.unpack(self.endian + "I", data[20:24])[0]
            pos = 24
        while pos + 16 <= len(data):
            incl = struct.unpack(self.endian + "I", data[pos + 8:pos + 12])[0]
            if pos + 16 + incl > len(data):
                break  # tcpdump has not finished writing this record
            self._frame(data[pos + 16:pos + 16 + incl])
            pos += 16 + incl
        self.offset += pos

    def _frame(self, frame):
        index = len(self.packets)
        p = Packet()
        p.index, p.family, p.forms, p.conn, p.side, p.subflow = index, None, [], None, None, None
        self.packets.append(p)
        if self.linktype == 113:  # LINUX_SLL
            proto, ip = frame[14:16], frame[16:]
        elif self.linktype == 276:  # LINUX_SLL2
            proto, ip = frame[0:2], frame[20:]
        elif self.linktype == 1:  # Ethernet (no VLAN tags here)
            proto, ip = frame[12:14], frame[14:]
        elif self.linktype in (101, 12):  # raw IP
            proto, ip = (b"\x08\x00" if frame[:1] and frame[0] >> 4 == 4 else b"\x86\xdd"), frame
        else:
            return
        if proto == b"\x08\x00" and len(ip) >= 20 and ip[9] == 6:
            ihl = (ip[0] & 0x0F) * 4
            p.family, src, dst, tcp = 4, ip[12:16], ip[16:20], ip[ihl:]
        elif proto == b"\x86\xdd" and len(ip) >= 40:
            nxt, off = ip[6], 40
            while nxt in (0, 43, 60) and off + 8 <= len(ip):  # hop-by-hop, routing, destination
                nxt, off = ip[off], off + (ip[off + 1] + 1) * 8
            if nxt != 6:
                return
            p.family, src, dst, tcp = 6, ip[8:24], ip[24:40], ip[off:]
        else:
            return
        if len(tcp) < 20:
            return
        sport, dport = struct.unpack(">HH", tcp[0:4])
        p.src, p.dst = (bytes(src), sport), (bytes(dst), dport)
        p.flags = tcp[13]
        syn, ack = bool(p.flags & 0x02), bool(p.flags & 0x10)
        options = tcp[20:(tcp[12] >> 4) * 4]
        info = {}
        i = 0
        while i < len(options):
            kind = options[i]
            if kind == 0:
                break
            if kind == 1:
                i += 1
                continue
            if i + 1 >= len(options) or options[i + 1] < 2:
                break
            n = options[i + 1]
            if kind == 30:
                forms, more = mptcp_forms(options[i:i + n], syn, ack)
                p.forms.extend(forms)
                info.update(more)
            i += n
        self._follow(p, syn, ack, info)

    def _follow(self, p, syn, ack, info):
        key = frozenset((p.src, p.dst))
        if syn and not ack and "MP_CAPABLE/SYN" in p.forms and key not in self.subflows:
            conn = Connection(len(self.conns), p.family, p.src, p.dst)
            self.conns.append(conn)
            self.subflows[key] = (conn, "client", p.src)
        elif syn and not ack and "token" in info and key not in self.subflows:
            for conn in self.conns:
                if info["token"] in conn.tokens:
                    # The SYN names its receiver's token.
                    receiver = conn.tokens[info["token"]]
                    sender = "client" if receiver == "server" else "server"
                    self.subflows[key] = (conn, sender, p.src)
                    break
        entry = self.subflows.get(key)
        if not entry:
            return
        conn, opener_side, opener = entry
        p.conn, p.subflow = conn, key
        p.side = opener_side if p.src == opener else ("server" if opener_side == "client" else "client")
        for who in ("client", "server"):
            k = info.get(who + "_key")
            if k is not None:
                conn.tokens[token_of(k)] = who

    def conn_by_client_port(self, family, port):
        for conn in reversed(self.conns):  # the latest, should a port be reused
            if conn.family == family and conn.client[1] == port:
                return conn
        return None


# ---------------------------------------------------------------- waits


def parse_spec(spec):
    count = 1
    if "=" in spec:
        spec, n = spec.rsplit("=", 1)
        count = int(n)
    side = None
    if "@" in spec:
        spec, side = spec.split("@", 1)
        if side not in ("client", "server"):
            raise SystemExit("bad side in form spec: " + side)
    return spec, side, count


def family_name(family):
    return "IPv%d" % family


def unmet(cap, args, specs):
    """What is still missing, as a list of sentences (empty: all there)."""
    missing = []
    for port in args.conn:
        conn = cap.conn_by_client_port(args.family, port)
        if conn is None:
            missing.append("no %s connection from client port %d in the capture yet"
                           % (family_name(args.family), port))
            continue
        for form, side, count in specs:
            seen = set()
            for p in cap.packets[args.since:]:
                if p.conn is conn and form in p.forms and (side is None or p.side == side):
                    seen.add(p.subflow)
            if len(seen) < count:
                missing.append("%s%s on %d subflow(s) of the connection from client port %d "
                               "(seen on %d)" % (form, " from the " + side if side else "", count,
                                                  port, len(seen)))
    return missing


def cmd_wait(args):
    specs = [parse_spec(s) for s in args.forms]
    cap = Capture(args.pcap)
    deadline = time.monotonic() + args.timeout
    while True:
        cap.poll()
        missing = unmet(cap, args, specs)
        if not missing:
            return 0
        if time.monotonic() >= deadline:
            print("pcap_watch: timed out after %gs waiting for %s (%s): %s"
                  % (args.timeout, args.what, family_name(args.family), "; ".join(missing)),
                  file=sys.stderr)
            return 1
        time.sleep(POLL)


def cmd_wait_all(args):
    cap = Capture(args.pcap)
    deadline = time.monotonic() + args.timeout
    while True:
        cap.poll()
        have = set()
        for p in cap.packets:
            if p.family == args.family:
                have.update(p.forms)
        missing = [f for f in args.forms if f not in have]
        if not missing:
            return 0
        if time.monotonic() >= deadline:
            print("pcap_watch: timed out after %gs waiting for the capture to hold every "
                  "required form over %s; missing: %s"
                  % (args.timeout, family_name(args.family), " ".join(missing)), file=sys.stderr)
            return 1
        time.sleep(POLL)


def cmd_mark(args):
    cap = Capture(args.pcap)
    cap.poll()
    print(len(cap.packets))
    return 0


def cmd_count(args):
    cap = Capture(args.pcap)
    cap.poll()
    for family in (4, 6):
        counts = {}
        for p in cap.packets:
            if p.family == family:
                for form in p.forms:
                    counts[form] = counts.get(form, 0) + 1
        print("%s: %s" % (family_name(family),
                          " ".join("%s=%d" % kv for kv in sorted(counts.items()))))
    print("packets: %d, connections: %d, subflows: %d"
          % (len(cap.packets), len(cap.conns), len(cap.subflows)))
    return 0


def ss_subflows(ns, family):
    """Established MPTCP subflows in NS: list of (local addr, remote addr, ulp flags)."""
    out = subprocess.run(["ip", "netns", "exec", ns, "ss", "-Htni", "-%d" % family,
                          "state", "established"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True).stdout
    result, sock = [], None
    for line in out.splitlines():
        if line and not line[0].isspace():
            fields = line.split()
            sock = (fields[-2], fields[-1])
        elif sock and "tcp-ulp-mptcp" in line:
            flags = ""
            for word in line.split():
                if word.startswith("flags:"):
                    flags = word[6:]
            result.append((host_of(sock[0]), host_of(sock[1]), flags))
            sock = None
    return result


def host_of(endpoint):
    host = endpoint.rsplit(":", 1)[0]
    host = host.split("%", 1)[0]  # "10.51.2.1%c2" when bound to a device
    return host.strip("[]")


def cmd_wait_ss(args):
    deadline = time.monotonic() + args.timeout
    while True:
        subflows = ss_subflows(args.ns, args.family)
        match = [s for s in subflows
                 if (not args.local or s[0] in args.local)
                 and (not args.remote or s[1] in args.remote)
                 and (not args.fully_established or "e" in s[2])]
        n = len(match)
        if (args.eq is not None and n == args.eq) or (args.ge is not None and n >= args.ge):
            return 0
        if time.monotonic() >= deadline:
            want = "%s %d" % (("exactly", args.eq) if args.eq is not None else ("at least", args.ge))
            print("pcap_watch: timed out after %gs waiting for %s: %s established MPTCP subflows "
                  "wanted in %s, %d now (%s)"
                  % (args.timeout, args.what, want, args.ns, n,
                     ", ".join("%s>%s flags:%s" % s for s in subflows) or "none"),
                  file=sys.stderr)
            return 1
        time.sleep(POLL)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("mark")
    p.add_argument("pcap")
    p = sub.add_parser("count")
    p.add_argument("pcap")
    p = sub.add_parser("wait")
    p.add_argument("pcap")
    p.add_argument("--family", type=int, choices=(4, 6), required=True)
    p.add_argument("--conn", type=int, action="append", required=True)
    p.add_argument("--since", type=int, default=0)
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    p.add_argument("--what", required=True)
    p.add_argument("forms", nargs="+")
    p = sub.add_parser("wait-all")
    p.add_argument("pcap")
    p.add_argument("--family", type=int, choices=(4, 6), required=True)
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    p.add_argument("forms", nargs="+")
    p = sub.add_parser("wait-ss")
    p.add_argument("--ns", required=True)
    p.add_argument("--family", type=int, choices=(4, 6), required=True)
    p.add_argument("--local", action="append")
    p.add_argument("--remote", action="append")
    p.add_argument("--fully-established", action="store_true")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--eq", type=int)
    g.add_argument("--ge", type=int)
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    p.add_argument("--what", required=True)
    args = ap.parse_args()
    return {"mark": cmd_mark, "count": cmd_count, "wait": cmd_wait, "wait-all": cmd_wait_all,
            "wait-ss": cmd_wait_ss}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
