#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every test the project has and prints, last, "N passed, N failed".
#   1. bazel test //...                 (GoogleTest, pytest, CLI golden tests)
#   2. bazel test --config=fuzz //fuzz/...  (corpus replay + bounded fuzz runs)
#   3. the real-kernel MPTCP peer test  (network namespaces; skipped when it cannot run)
#   4. the hybrid-access e2e cases      (examples/hybrid_access/e2e/run_e2e.sh: the daemons
#                                        in the namespace testbed; skipped when it cannot run)
#   5. tools/spdx_check.py              (every source file carries the licence identifier)
#   6. tools/cmake_consumer_test.sh     (the CMake build and install, consumers built with
#                                        find_package and pkg-config, sources vs Bazel's)
#   7. tools/dev_test.sh                (the `./dev decode` and `./dev python` verbs)
# Counts come from the test results themselves (tools/summarize_tests.py):
# one line PASS, FAIL or SKIP per test case. The real-kernel test gives one
# PASS (or FAIL, or a SKIP when it cannot run at all), plus one SKIP for each
# option form the running kernel cannot send ("SKIP real_peer: MP_TCPRST:
# kernel 5.10.0 cannot send it"). The hybrid-access runner prints one PASS,
# FAIL or SKIP line per case itself ("SKIP hybrid_access: (a) integrity: not
# root ..."). A SKIP is never counted as passed or failed.
# Exit status: 0 when nothing failed and something passed, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
results=$(mktemp)
trap 'rm -f "$results" "$results".log "$results".peer "$results".ha "$results".cmake' EXIT

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
  mptcp_opts/real_peer/run_kernel_peer_test.sh > "$results".peer 2>&1
  rc=$?
  cat "$results".peer >&2
  /usr/bin/python3 tools/summarize_tests.py --real-peer "$rc" "$results".peer >> "$results"
fi

echo "=== hybrid access end to end (namespace testbed) ===" >&2
if [ -x examples/hybrid_access/e2e/run_e2e.sh ]; then
  examples/hybrid_access/e2e/run_e2e.sh > "$results".ha
  rc=$?
  cat "$results".ha >&2
  /usr/bin/python3 tools/summarize_tests.py --case-lines hybrid_access "$rc" "$results".ha >> "$results"
fi

echo "=== licence identifiers ===" >&2
/usr/bin/python3 tools/spdx_check.py | tee -a "$results" >&2

echo "=== CMake build, install and consumers ===" >&2
tools/cmake_consumer_test.sh > "$results".cmake
rc=$?
cat "$results".cmake >&2
/usr/bin/python3 tools/summarize_tests.py --case-lines cmake "$rc" "$results".cmake >> "$results"

# Last: it drives this workspace's Bazel server and moves bazel-bin, which
# run_bazel reads right after its own tests.
echo "=== ./dev decode and ./dev python ===" >&2
tools/dev_test.sh >> "$results"

grep -P "^FAIL\t" "$results" | sed 's/^/  /' >&2 || true
skipped=$(grep -cP "^SKIP\t" "$results" || true)
[ "$skipped" -gt 0 ] && { echo "skipped:" >&2; grep -P "^SKIP\t" "$results" | sed 's/^/  /' >&2; }
passed=$(grep -cP "^PASS\t" "$results" || true)
failed=$(grep -cP "^FAIL\t" "$results" || true)
echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
