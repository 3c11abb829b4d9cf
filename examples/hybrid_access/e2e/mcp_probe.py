#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""One MPTCP connection to a network MCP whose SYN carries MP_CONVERT IEs
(TCP Fast Open without a cookie, as the CPE daemon sends them), and what
came back.

  mcp_probe.py [--to 10.9.0.1:5555] [--bind ADDR] [--ie valid|malformed]
               [--ie-destination 10.2.0.2:9000] [--timeout 60]

Prints one JSON object: "outcome" is "echo" (the exact IEs came back as the
first bytes), "wrong_echo", "reset" (RST or MP_FASTCLOSE: the MCP refused),
"eof" (closed before the echo was complete) or "timeout"; "mptcp" says
whether the connection stayed MPTCP. The namespace needs
net.ipv4.tcp_fastopen with 0x4 (the cpe's 0x5 has it).
"""
import argparse
import errno
import json
import os
import select
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp_convert  # noqa: E402

IPPROTO_MPTCP = 262
TCP_IS_MPTCP = 43
TCP_FASTOPEN_NO_COOKIE = 34
MSG_FASTOPEN = 0x20000000


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--to", default="10.9.0.1:5555")
    p.add_argument("--bind")
    p.add_argument("--ie", choices=("valid", "malformed"), default="valid")
    p.add_argument("--ie-destination", default="10.2.0.2:9000")
    p.add_argument("--timeout", type=float, default=60)
    args = p.parse_args()
    host, port = args.to.rsplit(":", 1)
    ie_host, ie_port = args.ie_destination.rsplit(":", 1)
    build = mp_convert.destination_ie if args.ie == "valid" else mp_convert.malformed_ie
    ies = build(ie_host, int(ie_port))

    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    s.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, 1)
    if args.bind:
        s.bind((args.bind, 0))
    result = {"ie": args.ie, "sent_hex": ies.hex()}
    got = b""
    deadline = time.monotonic() + args.timeout
    try:
        s.sendto(ies, MSG_FASTOPEN, (host, int(port)))
        result["local"] = "%s:%d" % s.getsockname()[:2]
        while len(got) < len(ies):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([s], [], [], left)[0]:
                result["outcome"] = "timeout"
                break
            data = s.recv(len(ies) - len(got))
            if not data:
                result["outcome"] = "eof"
                break
            got += data
        else:
            result["outcome"] = "echo" if got == ies else "wrong_echo"
        result["mptcp"] = s.getsockopt(socket.SOL_TCP, TCP_IS_MPTCP) == 1
    except OSError as e:
        if e.errno in (errno.ECONNRESET, errno.ECONNREFUSED, errno.EPIPE):
            result["outcome"] = "reset"
        else:
            result["outcome"] = "error"
        result["error"] = e.strerror or str(e)
    result["received_hex"] = got.hex()
    s.close()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
