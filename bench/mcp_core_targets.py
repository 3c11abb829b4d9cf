#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Prints mcp_core's benchmark figures against the issue-14 targets.

Usage: mcp_core_targets.py RESULTS.json   (Google Benchmark JSON; with
repetitions, the median rows are used)

One row per target: the batch figure (HandleSegments, 32 segments a call,
1M pairs, every segment a random pair), its target, PASS/MISS, the
single-segment figure (HandleSegment) from the same run and the ratio
batch/single; then the other single-segment rows, for comparison across
runs. Every time is CPU time per segment. Reports only; never fails on
timing.
"""
import json
import sys

MILLION = "1000000"

# (what, batch benchmark, single-segment benchmark of the same work, target ns)
TARGETS = [
    ("tracked segment", "BM_TrackedSegmentBatch/" + MILLION, "BM_TrackedSegment/" + MILLION + "/1", 100.0),
    ("pass-through verdict", "BM_PassThroughVerdictBatch/" + MILLION, "BM_PassThroughVerdict/" + MILLION,
     30.0),
    ("SYN path (+ teardown)", "BM_SynPathBatch/" + MILLION, "BM_SynPathAndTeardown/" + MILLION, 600.0),
]
HEAP_TARGET = 160.0  # bytes per tracked pair, 1M pairs


def load(path):
    data = json.load(open(path))
    rows = {}
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        rows[b.get("run_name", b["name"])] = b
    return rows


def main():
    rows = load(sys.argv[1])

    def ns(name):
        b = rows.get(name)
        return b["cpu_time"] if b else None

    print("mcp_core, 1M pairs, every segment a random pair; batch = HandleSegments of 32 "
          "(CPU ns per segment, medians)")
    print("%-24s %9s %9s %-5s %9s %7s" % ("", "batch", "target", "", "single", "ratio"))
    for what, batch, single, target in TARGETS:
        b, s = ns(batch), ns(single)
        if b is None:
            print("%-24s %9s (%s not in this run)" % (what, "-", batch))
            continue
        verdict = "PASS" if b <= target else "MISS"
        single_text = "%9.1f" % s if s is not None else "%9s" % "-"
        ratio = "%6.2fx" % (b / s) if s else "%7s" % "-"
        print("%-24s %9.1f %9.0f %-5s %s %s" % (what, b, target, verdict, single_text, ratio))
    mem = next((b for name, b in rows.items() if name.startswith("BM_MemoryPerTrackedPair")), None)
    if mem:
        per = mem["bytes_per_pair"]
        print("%-24s %7.1f B %7.0f B %-5s (sizeof(Pair) %d B; resident set +%.1f B per pair)" % (
            "heap per tracked pair", per, HEAP_TARGET, "PASS" if per <= HEAP_TARGET else "MISS",
            mem.get("sizeof_Pair", 0), mem.get("rss_per_pair", 0)))
    others = [n for n in rows if not n.startswith("BM_MemoryPerTrackedPair") and
              all(n not in (t[1], t[2]) for t in TARGETS)]
    if others:
        print()
        print("other rows (CPU ns per segment):")
        for name in others:
            print("  %-44s %9.1f" % (name, rows[name]["cpu_time"]))
    print("BM_X/N: N pairs in the table; BM_TrackedSegment/N/B: B segments in a row per flow "
          "(B=1: every segment a random pair, the cache- and TLB-miss case)")


if __name__ == "__main__":
    main()
