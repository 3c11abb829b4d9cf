#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs libFuzzer campaigns on the mptcp_opts fuzz targets.
#
#   fuzz/run_fuzz.sh                    # every target, one after another, 600 s each
#   fuzz/run_fuzz.sh dss_fuzzer 60      # one target for 60 s
#   fuzz/run_fuzz.sh all 60             # every target, 60 s each
#   ./dev fuzz [TARGET] [SECONDS]       # the same, after installing what is missing
#
# Builds with --config=fuzz (clang-14, libFuzzer, ASan + UBSan), then runs the
# binary directly from bazel-bin (the Bazel server is not held while fuzzing),
# one process, on a scratch copy of fuzz/corpus/TARGET + fuzz/regressions/TARGET
# in a temp dir (the source tree is never written), with the target's
# dictionary and the -max_len of its *_regression test, -print_final_stats=1.
# Prints executions, exec/s, cov: and ft: per target at the end.
#
# Environment: KEEP_WORKDIR=1 keeps the temp dir (new corpus entries) even when
# nothing crashed; FUZZ_ARGS="..." adds libFuzzer flags (e.g. -seed=1).
# Exit status: 0 when no target crashed, 1 otherwise (crash inputs are kept
# and their paths printed).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ALL=()
for f in fuzz/*_fuzzer.cc; do ALL+=("$(basename "$f" .cc)"); done

target=${1:-all}
seconds=${2:-600}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "run_fuzz.sh: SECONDS must be a positive integer, got '$seconds'" >&2
  exit 2
fi
if [ "$target" = all ]; then
  targets=("${ALL[@]}")
else
  found=0
  for t in "${ALL[@]}"; do [ "$t" = "$target" ] && found=1; done
  if [ $found -eq 0 ]; then
    echo "run_fuzz.sh: unknown target '$target'; one of: all ${ALL[*]}" >&2
    exit 2
  fi
  targets=("$target")
fi

labels=()
for t in "${targets[@]}"; do labels+=("//fuzz:$t"); done
echo "=== bazel build --config=fuzz ${labels[*]}" >&2
bazel build --config=fuzz "${labels[@]}" >&2
bin_dir=$(bazel info --config=fuzz bazel-bin 2>/dev/null)/fuzz

work=$(mktemp -d "${TMPDIR:-/tmp}/mptcp_fuzz.XXXXXX")
summary=$work/summary.tsv
crashed=0

for t in "${targets[@]}"; do
  # The -max_len the regression test uses (one source of truth: BUILD.bazel).
  max_len=$(bazel query --output=build "//fuzz:${t}_regression" 2>/dev/null |
            grep -o '"-max_len=[0-9]*"' | tr -d '"' || true)
  dir=$work/$t
  mkdir -p "$dir/corpus" "$dir/artifacts"
  for src in "fuzz/corpus/$t" "fuzz/regressions/$t"; do
    [ -d "$src" ] && find "$src" -type f -exec cp {} "$dir/corpus/" \;
  done
  seeds=$(find "$dir/corpus" -type f | wc -l)
  echo "=== $t: ${seconds}s, $seeds seeds, ${max_len:-default max_len}, work dir $dir" >&2
  set +e
  # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
  "$bin_dir/$t" "$dir/corpus" \
    -dict="$ROOT/fuzz/dicts/$t.dict" \
    -max_total_time="$seconds" \
    -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" \
    ${max_len:+$max_len} ${FUZZ_ARGS:-} \
    > "$dir/fuzz.log" 2>&1
  rc=$?
  set -e
  last=$(grep -E '^#[0-9]+' "$dir/fuzz.log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log")
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/fuzz.log")
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$dir/fuzz.log")
  arts=$(find "$dir/artifacts" -type f | wc -l)
  status=ok
  if [ $rc -ne 0 ] || [ "$arts" -gt 0 ]; then
    status="CRASH(rc=$rc)"
    crashed=1
    echo "!!! $t failed; log: $dir/fuzz.log" >&2
    grep -m5 -E 'ERROR:|violated|runtime error|SUMMARY' "$dir/fuzz.log" >&2 || true
    find "$dir/artifacts" -type f -printf '    reproducer: %p\n' >&2
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$seconds" "${execs:-?}" "${eps:-?}" \
    "${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}" "$status" >> "$summary"
done

echo
{
  printf 'target\tseconds\texecs\texec/s\tcov\tft\tcorpus\trss_mb\tstatus\n'
  cat "$summary"
} | column -t -s $'\t'

if [ $crashed -eq 0 ] && [ "${KEEP_WORKDIR:-0}" != 1 ]; then
  rm -rf "$work"
else
  echo "work dir kept: $work (per target: corpus/, artifacts/, fuzz.log)"
  echo "to keep a crash as a regression: cp ARTIFACT fuzz/regressions/TARGET/crash-NAME (see fuzz/README.md)"
fi
exit $crashed
