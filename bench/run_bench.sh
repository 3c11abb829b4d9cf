#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds //bench:codec_benchmark with -c opt, runs every benchmark 5 times
# (repetitions randomly interleaved, so background load hits the mptcp_opts and
# kernel-style sides of a ratio alike) into bench/results/latest.json, and
# prints bench/compare.py's table against the committed bench/baseline.json.
#
#   bench/run_bench.sh                         # everything (about 5 minutes)
#   bench/run_bench.sh --benchmark_filter=walk # any Google Benchmark flag
#   bench/run_bench.sh --check                 # exit 1 if a codec benchmark allocated
#   bench/run_bench.sh --update-baseline       # also copy the run to bench/baseline.json
#
# Timings are reported, never asserted: the exit status is 0 unless the build
# or the run fails (or --check finds allocations or benchmark errors).
set -euo pipefail
cd "$(dirname "$0")/.."

check=()
update_baseline=0
extra=()
for arg in "$@"; do
  case "$arg" in
    --check) check=(--check) ;;
    --update-baseline) update_baseline=1 ;;
    *) extra+=("$arg") ;;
  esac
done

bazel build -c opt //bench:codec_benchmark
bin="$(bazel info -c opt bazel-bin 2>/dev/null)/bench/codec_benchmark"

mkdir -p bench/results
out=bench/results/latest.json
echo "running $bin (5 repetitions; console output in bench/results/latest.txt)" >&2
if ! "$bin" \
  --benchmark_out="$out" --benchmark_out_format=json \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_enable_random_interleaving=true \
  ${extra[@]+"${extra[@]}"} > bench/results/latest.txt 2>&1; then
  cat bench/results/latest.txt >&2
  echo "benchmark run failed" >&2
  exit 1
fi

if [ "$update_baseline" -eq 1 ]; then
  cp "$out" bench/baseline.json
  echo "bench/baseline.json updated from this run" >&2
fi

status=0
/usr/bin/python3 bench/compare.py "$out" --baseline bench/baseline.json ${check[@]+"${check[@]}"} || status=$?

# mcp_core (issues 5 and 14): costs per segment, single and in bursts of 32,
# every segment a random pair of a million, and heap bytes per pair; its own
# table against the issue-14 targets with the batch/single ratios (about two
# minutes).
bazel build -c opt //bench:mcp_core_benchmark
core_bin="$(bazel info -c opt bazel-bin 2>/dev/null)/bench/mcp_core_benchmark"
echo >&2
echo "running $core_bin (3 repetitions; console output in bench/results/mcp_core.txt)" >&2
"$core_bin" --benchmark_out=bench/results/mcp_core.json --benchmark_out_format=json \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  > bench/results/mcp_core.txt 2>&1 || { cat bench/results/mcp_core.txt >&2; exit 1; }
echo
/usr/bin/python3 bench/mcp_core_targets.py bench/results/mcp_core.json
exit $status
