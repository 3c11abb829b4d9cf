#!/usr/bin/python3
"""Prints mcp_core's benchmark figures against the issue-5 targets.

Usage: mcp_core_targets.py RESULTS.json   (Google Benchmark JSON, median rows)
Reports only; never fails on timing.
"""
import json
import sys

TARGETS = {  # name prefix -> (target, unit, what)
    "BM_PassThroughVerdict": (50.0, "ns", "pass-through verdict"),
    "BM_TrackedSegment": (100.0, "ns", "tracked segment"),
    "BM_SynPathAndTeardown": (1000.0, "ns", "SYN path (+ teardown)"),
}


def main():
    data = json.load(open(sys.argv[1]))
    rows = {}
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b.get("run_name", b["name"])
        rows[name] = b
    print("%-42s %12s %10s %s" % ("benchmark", "median", "target", ""))
    for name, b in rows.items():
        if name.startswith("BM_MemoryPerTrackedPair"):
            per = b["bytes_per_pair"]
            print("%-42s %9.1f B  %8s B %s" % ("heap bytes per tracked pair (1M pairs)", per, "256",
                                              "PASS" if per <= 256 else "MISS"))
            continue
        for prefix, (target, unit, what) in TARGETS.items():
            if name.startswith(prefix):
                ns = b["cpu_time"]
                print("%-42s %9.1f ns %8.0f ns %s" % (name, ns, target, "PASS" if ns <= target else "MISS"))
    print("BM_TrackedSegment/N/B: N pairs in the table, B segments in a row per flow "
          "(B=1: every segment a random pair, the cache- and TLB-miss worst case)")


if __name__ == "__main__":
    main()
