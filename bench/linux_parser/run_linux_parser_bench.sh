#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Times Linux 6.1's own TCP/MPTCP option parsers (tcp_parse_options,
# mptcp_get_options) against mptcp_opts::ParseSegmentOptions and
# bench/kernel_style_parser.h in one binary. See README.md.
#
#   bench/linux_parser/run_linux_parser_bench.sh            # 2 runs, table
#   RUNS=1 bench/linux_parser/run_linux_parser_bench.sh --benchmark_filter=mix
#   bench/linux_parser/run_linux_parser_bench.sh --check_only   # build + agreement only
#
# Licence: the kernel is GPL-2.0 and must never enter this repository. The
# kernel source comes from Debian's linux-source-6.1 package at run time; the
# functions are extracted, compiled and linked in a scratch directory OUTSIDE
# the repository ($LINUX_PARSER_BUILD_DIR, default ${TMPDIR:-/tmp}/linux_parser_build).
# Nothing is written into the repository.
#
# Environment:
#   RUNS                    how many times to run the whole suite (default 2)
#   LINUX_PARSER_BUILD_DIR  scratch directory (must be outside the repository)
#   LAYOUT_FLAGS_EXTRA      extra flags for both sides (kernel code and driver),
#                           to move code placement, e.g. -falign-functions=64
#   LINUX_CFLAGS_EXTRA      extra flags for the kernel C code only, e.g.
#                           "-fno-jump-tables -mno-sse -mno-red-zone" (kernel-like)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${LINUX_PARSER_BUILD_DIR:-${TMPDIR:-/tmp}/linux_parser_build}"
runs="${RUNS:-2}"
tarball=/usr/src/linux-source-6.1.tar.xz

mkdir -p "$build"
build="$(cd "$build" && pwd)"
case "$build/" in
  "$repo"/*) echo "LINUX_PARSER_BUILD_DIR must be outside the repository ($repo)" >&2; exit 1 ;;
esac

check_only=0
extra=()
for arg in "$@"; do
  case "$arg" in
    --check_only) check_only=1 ;;
    *) extra+=("$arg") ;;
  esac
done

# 1. Kernel source from Debian.
if [ ! -f "$tarball" ]; then
  echo "installing linux-source-6.1 (Debian) for $tarball" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y linux-source-6.1 >&2
fi
pkg_version="$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo unknown)"

# 2. Unpack only the files the extraction reads (cached per tarball).
members=(net/mptcp/options.c net/mptcp/protocol.h net/ipv4/tcp_input.c
         include/net/mptcp.h include/net/tcp.h include/linux/tcp.h)
stamp="$tarball $(stat -c '%s %Y' "$tarball")"
if [ "$(cat "$build/src.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "unpacking ${members[*]} from $tarball" >&2
  rm -rf "$build/src"
  mkdir -p "$build/src"
  tar -xJf "$tarball" -C "$build/src" "${members[@]/#/linux-source-6.1/}"
  echo "$stamp" > "$build/src.stamp"
fi

# 3. Extract the functions, build.
/usr/bin/python3 "$here/extract_linux_parsers.py" "$build/src/linux-source-6.1" "$build/gen" >&2

common_flags=(-O2 -DNDEBUG -fno-omit-frame-pointer -fPIC)
# shellcheck disable=SC2206
common_flags+=(${LAYOUT_FLAGS_EXTRA:-})
c_flags=("${common_flags[@]}" -std=gnu11 -fno-strict-aliasing)
# shellcheck disable=SC2206
c_flags+=(${LINUX_CFLAGS_EXTRA:-})
cxx_flags=("${common_flags[@]}" -std=c++20)
echo "C (kernel code, glue): gcc ${c_flags[*]}" >&2
echo "C++ (driver, ours):    g++ ${cxx_flags[*]}" >&2
# For placement_sweep.sh, which recompiles one of these files to assembly.
declare -p c_flags cxx_flags > "$build/compile_flags.sh"
gcc "${c_flags[@]}" -Wall -I"$here" -I"$build/gen" -c "$build/gen/linux_parsers.c" \
  -o "$build/linux_parsers.o"
gcc "${c_flags[@]}" -Wall -I"$here" -I"$build/gen" -c "$here/linux_glue.c" -o "$build/linux_glue.o"
g++ "${cxx_flags[@]}" -Wall -Wextra -I"$repo" -c "$here/linux_parser_benchmark.cc" \
  -o "$build/linux_parser_benchmark.o"
g++ -o "$build/linux_parser_benchmark" "$build/linux_parser_benchmark.o" \
  "$build/linux_glue.o" "$build/linux_parsers.o" -lbenchmark -lpthread

# 4. Agreement check (the benchmark binary also re-checks before timing).
"$build/linux_parser_benchmark" --check_only 2> "$build/check.txt" || {
  cat "$build/check.txt" >&2; echo "parsers disagree" >&2; exit 1; }
tail -n 1 "$build/check.txt" >&2
[ "$check_only" -eq 1 ] && { cat "$build/check.txt"; exit 0; }

# 5. Run.
outs=()
for i in $(seq 1 "$runs"); do
  out="$build/run$i.json"
  echo "run $i/$runs: linux-source-6.1 $pkg_version; console output in $build/run$i.txt" >&2
  "$build/linux_parser_benchmark" \
    --benchmark_repetitions=10 --benchmark_enable_random_interleaving=true \
    --benchmark_report_aggregates_only=true \
    --benchmark_out="$out" --benchmark_out_format=json \
    ${extra[@]+"${extra[@]}"} > "$build/run$i.txt" 2>&1 || {
      cat "$build/run$i.txt" >&2; exit 1; }
  outs+=("$out")
done
/usr/bin/python3 "$here/table.py" "${outs[@]}"
