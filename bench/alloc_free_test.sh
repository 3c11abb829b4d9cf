#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Not a timing test (timings are never asserted): runs every benchmark of
# codec_benchmark for a moment and fails when any benchmark (codec or crypto;
# the allocation hook also sees OpenSSL's allocator) allocates on the heap, or when a
# fixture check fails (encode not reproducing its bytes, an edit breaking the
# checksum, the two walk parsers disagreeing).
#   usage: alloc_free_test.sh CODEC_BENCHMARK COMPARE_PY
set -euo pipefail
bin=$1
compare=$2
out="${TEST_TMPDIR:-$(mktemp -d)}/alloc_free.json"
"$bin" --benchmark_min_time=0.001 --benchmark_out="$out" --benchmark_out_format=json >/dev/null
/usr/bin/python3 "$compare" "$out" --check
