#!/usr/bin/env bash
# Runs every test the project has and prints, last, "N passed, N failed".
#   1. bazel test //...                 (GoogleTest, pytest, CLI golden tests)
#   2. bazel test --config=fuzz //fuzz/...  (corpus replay + bounded fuzz runs)
#   3. the real-kernel MPTCP peer test  (network namespaces; skipped when it cannot run)
# Counts come from the test results themselves (tools/summarize_tests.py).
set -uo pipefail
cd "$(dirname "$0")/.."
results=$(mktemp)
trap 'rm -f "$results" "$results".log' EXIT

run_bazel() {
  local label=$1
  shift
  echo "=== $label: bazel test $* ===" >&2
  bazel test --keep_going "$@" 2>&1 | tee "$results".log | grep -E "^//|^INFO: Build|^ERROR" >&2
  /usr/bin/python3 tools/summarize_tests.py "$results".log "$(readlink -f bazel-testlogs)" >> "$results"
}

run_bazel "unit and integration tests" //...
if [ -d fuzz ] && [ -f fuzz/BUILD.bazel ]; then
  run_bazel "fuzz regressions and bounded runs" --config=fuzz //fuzz/...
fi

echo "=== real Linux MPTCP peer ===" >&2
if [ -x mptcp_opts/real_peer/run_kernel_peer_test.sh ]; then
  out=$(mptcp_opts/real_peer/run_kernel_peer_test.sh 2>&1)
  rc=$?
  echo "$out" >&2
  case $rc in
    0) echo -e "PASS\treal_peer: kernel capture decoded and verified" >> "$results" ;;
    77) echo -e "SKIP\treal_peer: $(echo "$out" | tail -1)" >> "$results" ;;
    *) echo -e "FAIL\treal_peer: exit status $rc" >> "$results" ;;
  esac
fi

grep -P "^FAIL\t" "$results" | sed 's/^/  /' >&2 || true
skipped=$(grep -cP "^SKIP\t" "$results" || true)
[ "$skipped" -gt 0 ] && { echo "skipped:" >&2; grep -P "^SKIP\t" "$results" | sed 's/^/  /' >&2; }
passed=$(grep -cP "^PASS\t" "$results" || true)
failed=$(grep -cP "^FAIL\t" "$results" || true)
echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
