#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Prints the medians of one or more linux_parser_benchmark JSON outputs.

  table.py RUN1.json [RUN2.json ...]

One row per area; per run the median real time (ns) of every parser, then the
ratios ours/linux and kernel_style/linux (< 1: faster than the kernel's two
walks) and ours/linux_mptcp_only (against the MPTCP walk alone).
"""

import json
import sys

PARSERS = ["ours", "kernel_style", "linux", "linux_tcp_only", "linux_mptcp_only"]
AREAS = ["syn", "ts_dss", "join_synack", "ts_mpc_ack", "add_addr", "mix"]
SCALE = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def medians(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") == "median":
            out[b["run_name"]] = b["real_time"] * SCALE[b.get("time_unit", "ns")]
    return out, data.get("context", {})


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for i, path in enumerate(sys.argv[1:], 1):
        med, ctx = medians(path)
        print("run %d: %s (%s, %s CPUs)" % (i, path, ctx.get("date", "?"), ctx.get("num_cpus", "?")))
        head = "%-12s" % "area" + "".join("%18s" % p for p in PARSERS)
        head += "%13s%13s%15s" % ("ours/linux", "ks/linux", "ours/lx_mptcp")
        print(head)
        for area in AREAS:
            row = [med.get("%s/%s" % (p, area)) for p in PARSERS]
            line = "%-12s" % area + "".join(
                "%18s" % ("-" if v is None else "%.2f" % v) for v in row)
            ours, ks, lx, _, lxm = row
            ratio = lambda a, b: "-" if a is None or not b else "%.2f" % (a / b)
            line += "%13s%13s%15s" % (ratio(ours, lx), ratio(ks, lx), ratio(ours, lxm))
            print(line)
        print()


if __name__ == "__main__":
    main()
