# SPDX-License-Identifier: Apache-2.0
# Sourced by the test drivers outside Bazel (tools/dev_test.sh,
# tools/cmake_consumer_test.sh): one result line per check, in the format
# tools/run_all_tests.sh counts.
#
#   CHECK_PREFIX=dev            # the lines read "PASS<TAB>dev: NAME"
#   work=$(mktemp -d)           # a scratch directory (the check's log goes there)
#   failed=0
#   source "$ROOT/tools/check_lines.sh"
#   run "the thing works" some_function args...

# run NAME FUNCTION...: runs the check in a subshell (its `cd` stays there) and
# prints its result line; a failing check adds one to $failed and its output's
# last 60 lines go to stderr.
run() {
  local name=$1
  shift
  if ("$@") >"$work/log" 2>&1; then
    printf 'PASS\t%s: %s\n' "$CHECK_PREFIX" "$name"
  else
    printf 'FAIL\t%s: %s\n' "$CHECK_PREFIX" "$name"
    failed=$((failed + 1))
    {
      echo "--- $CHECK_PREFIX: $name"
      tail -n 60 "$work/log"
    } >&2
  fi
}
