#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Prints the benchmark table of bench/README.md from a Google Benchmark JSON.

Usage: compare.py RESULTS.json [--baseline BASELINE.json] [--markdown] [--check]

For every benchmark: the median CPU time in ns (of the repetitions in the
file), the ratio to the kernel-style parser on the same area (walk/mptcp_opts/X
and walk/walker_dispatch/X over walk/kernel_style/X), the ratio to the same benchmark in the committed
baseline, heap allocations per iteration, and the issue's target with PASS or
MISS. Ratios are current / reference: above 1 is slower.

It only reports; the exit status is 0 unless --check is given, in which case
it is 1 when any benchmark (codec and crypto alike: crypto.cc uses OpenSSL's
digest contexts, which do not allocate) allocated, or a benchmark reported an
error.
"""
import argparse
import json
import statistics
import sys

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# The time targets, in ns per iteration (one area, one option).
WALK_TARGETS = {
    "syn": 9.0,
    "ts_dss": 7.0,
    "join_synack": 9.0,
    "ts_mpc_ack": 8.0,
    "add_addr": 4.5,
    "mix": 14.0,
}
ENCODE_TARGET = 10.0
OURS = "walk/mptcp_opts/"
DISPATCH = "walk/walker_dispatch/"
KERNEL = "walk/kernel_style/"
WALK_SIDES = [OURS, DISPATCH, KERNEL]
COPY_ONLY = "editor/copy_only"


def time_target(name):
    if name.startswith(OURS):
        return WALK_TARGETS.get(name[len(OURS):])
    if name.startswith("encode/"):
        return ENCODE_TARGET
    return None


def alloc_target_applies(name):
    """Zero allocations is the goal everywhere, crypto included."""
    return True


def load(path):
    """Returns ({run_name: result}, context), in the file's order.

    result: median_ns, allocs (mean per iteration over repetitions; > 0 when
    any repetition allocated), openssl_allocs, error, repetitions.
    """
    with open(path) as f:
        data = json.load(f)
    runs = {}
    iterations = {}
    for b in data.get("benchmarks", []):
        name = b.get("run_name", b["name"])
        r = runs.setdefault(name, {"median_ns": None, "allocs": None, "openssl_allocs": None,
                                   "error": None, "repetitions": b.get("repetitions", 1)})
        if b.get("error_occurred"):
            r["error"] = b.get("error_message", "error")
            continue
        scale = UNIT_NS.get(b.get("time_unit", "ns"), 1.0)
        kind = b.get("run_type", "iteration")
        agg = b.get("aggregate_name")
        if kind == "aggregate" and agg == "median":
            r["median_ns"] = b["cpu_time"] * scale
        elif kind == "aggregate" and agg == "mean":
            r["allocs"] = b.get("allocs_per_iter")
            r["openssl_allocs"] = b.get("openssl_allocs_per_iter")
        elif kind == "iteration":
            iterations.setdefault(name, []).append(b)
    # Files without aggregates (one repetition, or all repetitions listed).
    for name, its in iterations.items():
        r = runs[name]
        if r["median_ns"] is None:
            scale = UNIT_NS.get(its[0].get("time_unit", "ns"), 1.0)
            r["median_ns"] = statistics.median(b["cpu_time"] * scale for b in its)
        if r["allocs"] is None and "allocs_per_iter" in its[0]:
            r["allocs"] = max(b["allocs_per_iter"] for b in its)
        if r["openssl_allocs"] is None and "openssl_allocs_per_iter" in its[0]:
            r["openssl_allocs"] = max(b["openssl_allocs_per_iter"] for b in its)
    return runs, data.get("context", {})


def fmt_ns(v):
    if v is None:
        return "-"
    return "%.3g" % v if v < 10 else "%.1f" % v


def fmt_ratio(a, b):
    if a is None or not b:
        return "-"
    return "%.2fx" % (a / b)


def fmt_allocs(v):
    if v is None:
        return "?"
    return "%g" % round(v, 2) if v else "0"


GROUPS = ["walk/", "decode/", "build_option_area/", "editor/", "mp_convert/", "crypto/"]


def sort_key(name):
    """Walk pairs by area (issue order, mptcp_opts first), decode next to
    encode of the same form, then builder, editor (copy_only first), IEs, crypto."""
    group = next((i for i, g in enumerate(GROUPS) if name.startswith(g)),
                 1 if name.startswith("encode/") else len(GROUPS))
    side = next((i for i, prefix in enumerate(WALK_SIDES) if name.startswith(prefix)), None)
    if side is not None:
        area = name.split("/", 2)[2]
        order = list(WALK_TARGETS).index(area) if area in WALK_TARGETS else len(WALK_TARGETS)
        return (group, order, area, side)
    if group == 1:
        return (group, 0, name.split("/", 1)[1], 0 if name.startswith("decode/") else 1)
    return (group, 0 if name == COPY_ONLY else 1, name, 0)


def build_rows(runs, baseline):
    copy_ns = runs.get(COPY_ONLY, {}).get("median_ns")
    rows = []
    for name in sorted(runs, key=sort_key):
        r = runs[name]
        ns = r["median_ns"]
        base = baseline.get(name, {}).get("median_ns") if baseline else None
        vs_kernel = "-"
        for prefix in (OURS, DISPATCH):
            if name.startswith(prefix):
                k = runs.get(KERNEL + name[len(prefix):], {}).get("median_ns")
                vs_kernel = fmt_ratio(ns, k)
        target = time_target(name)
        if r["error"]:
            verdict = "ERROR"
        elif target is None or ns is None:
            verdict = ""
        else:
            verdict = "PASS" if ns <= target else "MISS"
        allocs = r["allocs"]
        if not alloc_target_applies(name):
            alloc_cell = fmt_allocs(allocs) + " (OpenSSL; info)"
        elif allocs is None:
            alloc_cell = "?"
        else:
            alloc_cell = fmt_allocs(allocs) + (" PASS" if allocs == 0 else " MISS")
        notes = []
        if name.startswith("editor/") and name != COPY_ONLY and ns is not None and copy_ns:
            notes.append("net of copy %s ns" % fmt_ns(ns - copy_ns))
        if r["error"]:
            notes.append(r["error"])
        rows.append([name, fmt_ns(ns), vs_kernel, fmt_ratio(ns, base),
                     ("<= %g ns" % target) if target is not None else "", verdict,
                     alloc_cell, "; ".join(notes)])
    return rows


HEADER = ["benchmark", "median ns", "vs kernel-style", "vs baseline", "target", "time",
          "allocs/iter", "notes"]


def render(rows, markdown):
    if markdown:
        out = ["| " + " | ".join(HEADER) + " |",
               "|" + "|".join("---:" if i in (1, 2, 3) else "---" for i in range(len(HEADER))) + "|"]
        out += ["| " + " | ".join(c if c else " " for c in row) + " |" for row in rows]
        return "\n".join(out)
    widths = [max(len(str(r[i])) for r in rows + [HEADER]) for i in range(len(HEADER))]
    def line(cells):
        return "  ".join(str(c).rjust(w) if i in (1, 2, 3) else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    return "\n".join([line(HEADER), line(["-" * w for w in widths])] + [line(r) for r in rows])


def summary(runs, context, baseline_path, baseline):
    lines = []
    passed, missed, kernel_pass = [], [], []
    for name in sorted(runs, key=sort_key):
        r = runs[name]
        t = time_target(name)
        if t is None or r["median_ns"] is None:
            continue
        (passed if r["median_ns"] <= t else missed).append(name)
    for area, t in WALK_TARGETS.items():
        k = runs.get(KERNEL + area, {}).get("median_ns")
        if k is not None and k <= t:
            kernel_pass.append(area)
    lines.append("time targets: %d PASS, %d MISS%s" % (
        len(passed), len(missed), (" (" + ", ".join(missed) + ")") if missed else ""))
    walk_areas = [a for a in WALK_TARGETS if KERNEL + a in runs]
    # The rule: at least as fast as the kernel parser on the same areas.
    compared = [a for a in walk_areas if runs.get(OURS + a, {}).get("median_ns") is not None]
    slower = [a for a in compared
              if runs[OURS + a]["median_ns"] > runs[KERNEL + a]["median_ns"]]
    if compared:
        lines.append("vs kernel-style: %s, mptcp_opts at or below the kernel-style time in %d of "
                     "%d areas%s" % ("PASS" if not slower else "MISS", len(compared) - len(slower),
                                     len(compared),
                                     (" (slower: " + ", ".join(slower) + ")") if slower else ""))
    if walk_areas:
        lines.append("  for scale: the kernel-style baseline itself meets %d of the %d walk targets"
                     " on this machine%s" % (len(kernel_pass), len(walk_areas),
                                             (" (" + ", ".join(kernel_pass) + ")") if kernel_pass else ""))
    allocating = [n for n in sorted(runs, key=sort_key)
                  if alloc_target_applies(n) and runs[n]["allocs"]]
    unknown = [n for n, r in runs.items() if alloc_target_applies(n) and r["allocs"] is None
               and not r["error"]]
    if allocating:
        lines.append("allocations: MISS, allocating: " + ", ".join(allocating))
    else:
        lines.append("allocations: PASS, 0 per iteration in all %d benchmarks%s" % (
            sum(1 for n in runs if alloc_target_applies(n)),
            (" (no counter: " + ", ".join(unknown) + ")") if unknown else ""))
    crypto = [(n, runs[n]["allocs"]) for n in sorted(runs, key=sort_key)
              if not alloc_target_applies(n)]
    if crypto:
        lines.append("crypto allocations (inside OpenSSL, reported only): " +
                     ", ".join("%s %s" % (n[len("crypto/"):], fmt_allocs(a)) for n, a in crypto))
    errors = [n for n, r in runs.items() if r["error"]]
    if errors:
        lines.append("ERRORS: " + ", ".join(errors))
    reps = sorted({r["repetitions"] for r in runs.values()})
    lines.append("run: %s, host %s, %s CPUs at %s MHz, load avg %s, %s repetition(s), median of "
                 "CPU time; library %s; codec optimized: %s; %s; OpenSSL alloc hook: %s" % (
                     context.get("date", "?"), context.get("host_name", "?"),
                     context.get("num_cpus", "?"), context.get("mhz_per_cpu", "?"),
                     "/".join("%.2f" % x for x in context.get("load_avg", [])) or "?",
                     "/".join(str(x) for x in reps), context.get("library_build_type", "?"),
                     context.get("codec_optimized", "?"), context.get("compiler", "?"),
                     context.get("openssl_alloc_hook", "?")))
    if baseline_path:
        lines.append("baseline: %s%s" % (baseline_path, "" if baseline else " (missing)"))
    return lines, allocating, errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results")
    ap.add_argument("--baseline", help="JSON of a committed run (bench/baseline.json)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if a codec benchmark allocated or any benchmark failed")
    args = ap.parse_args()
    runs, context = load(args.results)
    baseline = {}
    if args.baseline:
        try:
            baseline, _ = load(args.baseline)
        except FileNotFoundError:
            baseline = {}
    print(render(build_rows(runs, baseline), args.markdown))
    print()
    lines, allocating, errors = summary(runs, context, args.baseline, baseline)
    print("\n".join(lines))
    if args.check and (allocating or errors):
        print("check: FAILED (%s)" % ", ".join(
            (["allocations"] if allocating else []) + (["errors"] if errors else [])))
        return 1
    if args.check:
        print("check: OK (no allocations in codec benchmarks, no errors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
