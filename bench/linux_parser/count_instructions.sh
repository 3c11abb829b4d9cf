#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Instructions per call of each parser on each area, counted by valgrind's
# callgrind: unlike nanoseconds they do not move with code placement, so they
# show whether a change to mptcp_opts does less work. Builds (and checks) the
# benchmark binary through run_linux_parser_bench.sh --check_only first.
#
#   bench/linux_parser/count_instructions.sh                 # ours vs Linux's mptcp_get_options
#   PARSERS="ours kernel_style linux" bench/linux_parser/count_instructions.sh
#
# Per call = (total with N calls - total with 0 calls) / N, N = 100000.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${LINUX_PARSER_BUILD_DIR:-${TMPDIR:-/tmp}/linux_parser_build}"
parsers=(${PARSERS:-ours linux_mptcp_only})
areas=(syn ts_dss join_synack ts_mpc_ack add_addr)
n=100000

command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
mkdir -p "$build"
"$here/run_linux_parser_bench.sh" --check_only > "$build/count_build.log" 2>&1 || {
  cat "$build/count_build.log" >&2; exit 1; }
bin="$build/linux_parser_benchmark"

total() {  # instructions of one run of the binary
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "--calls=$1" 2>&1 |
    awk '/Collected :/ {gsub(",", "", $4); print $4}'
}

printf '%-18s' "instructions/call"
for a in "${areas[@]}"; do printf '%13s' "$a"; done
echo
for p in "${parsers[@]}"; do
  printf '%-18s' "$p"
  for a in "${areas[@]}"; do
    t0=$(total "$p/$a:0")
    t1=$(total "$p/$a:$n")
    if [ -z "$t0" ] || [ -z "$t1" ]; then echo "callgrind gave no count for $p/$a" >&2; exit 1; fi
    printf '%13d' $(( (t1 - t0) / n ))
  done
  echo
done
