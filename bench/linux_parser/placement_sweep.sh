#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# How much of an ours / mptcp_get_options ratio is code placement: moves ONE
# function (ours: the driver's ParseOurs, into which ParseSegmentOptions is
# inlined; linux: mptcp_get_options) to each start offset within a 64-byte
# line, relinks, and times both parsers on one area at each offset.
#
#   bench/linux_parser/placement_sweep.sh                       # ours moved, add_addr, offsets 0 8 .. 56
#   MOVE=linux AREA=syn OFFSETS="0 16 32 48" bench/linux_parser/placement_sweep.sh
#
# The function is moved in the assembly (".p2align 6" and ".skip N" before its
# label, ".p2align 6" after its end), so its instructions are the same at every
# offset and the code after it does not move with N. Builds the other objects
# with run_linux_parser_bench.sh --check_only first and compiles the moved
# file with the flags it recorded (so LAYOUT_FLAGS_EXTRA and
# LINUX_CFLAGS_EXTRA apply here too), in the same scratch directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${LINUX_PARSER_BUILD_DIR:-${TMPDIR:-/tmp}/linux_parser_build}"
move="${MOVE:-ours}"
area="${AREA:-add_addr}"
offsets=(${OFFSETS:-0 8 16 24 32 40 48 56})
reps="${REPETITIONS:-6}"

mkdir -p "$build"
"$here/run_linux_parser_bench.sh" --check_only > "$build/sweep_build.log" 2>&1 || {
  cat "$build/sweep_build.log" >&2; exit 1; }
source "$build/compile_flags.sh"  # c_flags, cxx_flags
case "$move" in
  ours)
    g++ "${cxx_flags[@]}" -I"$repo" -S "$here/linux_parser_benchmark.cc" -o "$build/sweep.s"
    link_order=(MOVED "$build/linux_glue.o" "$build/linux_parsers.o")  # as run_linux_parser_bench.sh
    symbol_re='^_ZN[^ ]*ParseOurs[^ ]*:$' ;;
  linux)
    gcc "${c_flags[@]}" -I"$here" -I"$build/gen" \
      -S "$build/gen/linux_parsers.c" -o "$build/sweep.s"
    link_order=("$build/linux_parser_benchmark.o" "$build/linux_glue.o" MOVED)
    symbol_re='^mptcp_get_options:$' ;;
  *) echo "MOVE must be ours or linux" >&2; exit 1 ;;
esac
symbol="$(grep -m 1 -E "$symbol_re" "$build/sweep.s" | tr -d ':')"
[ -n "$symbol" ] || { echo "no function matching $symbol_re in the assembly" >&2; exit 1; }

# Addresses of both functions: moving one may also move the other (link order).
printf '%-7s %-10s %-18s %10s %18s %8s\n' offset ParseOurs mptcp_get_options \
  "ours/$area" "linux_mptcp_only" ratio
for n in "${offsets[@]}"; do
  /usr/bin/python3 - "$build/sweep.s" "$build/sweep_moved.s" "$symbol" "$n" <<'PY'
import sys
src, dst, name, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = open(src).read()
label, end = name + ":\n", f"\t.size\t{name}, .-{name}\n"
assert s.count(label) == 1 and s.count(end) == 1, "label or .size not found once"
pad = f"\t.p2align 6\n\t.skip {n}, 0xcc\n" if n else "\t.p2align 6\n"
s = s.replace(label, pad + label).replace(end, end + "\t.p2align 6\n")
open(dst, "w").write(s)
PY
  g++ -c "$build/sweep_moved.s" -o "$build/sweep_moved.o"
  g++ -o "$build/sweep_benchmark" "${link_order[@]/#MOVED/$build/sweep_moved.o}" -lbenchmark -lpthread
  ours_at="$(nm "$build/sweep_benchmark" | awk '$3 ~ /ParseOurs/ && !seen++ {sub(/^0+/, "", $1); print $1}')"
  linux_at="$(nm "$build/sweep_benchmark" | awk '$3 == "mptcp_get_options" {sub(/^0+/, "", $1); print $1}')"
  "$build/sweep_benchmark" --benchmark_filter="^(ours|linux_mptcp_only)/$area\$" \
    --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
    --benchmark_format=json 2>/dev/null > "$build/sweep_run.json"
  /usr/bin/python3 - "$build/sweep_run.json" "$area" "$n" "$ours_at" "$linux_at" <<'PY'
import json, sys
path, area, n, ours_at, linux_at = sys.argv[1:]
med = {b["run_name"]: b["real_time"] for b in json.load(open(path))["benchmarks"]
       if b.get("aggregate_name") == "median"}
ours, lx = med[f"ours/{area}"], med[f"linux_mptcp_only/{area}"]
print(f"{n:<7} {ours_at:<10} {linux_at:<18} {ours:10.2f} {lx:18.2f} {ours / lx:8.2f}")
PY
done
