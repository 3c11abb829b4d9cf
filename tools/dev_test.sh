#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Tests the ./dev verbs that build and then run something: `decode` and `python`.
#   tools/dev_test.sh            # all checks
#   DEV_TEST_ASAN=0 tools/dev_test.sh   # without the --config=asan module (a long first build)
# It drives this workspace's Bazel server, so it cannot run inside a Bazel sandbox (no
# sh_test). Prints one line per check on stdout, "PASS<TAB>dev: NAME" or "FAIL<TAB>dev: NAME",
# the format tools/run_all_tests.sh collects; a failing check's output goes to stderr. The exit
# status is 0 when every check passed.
#
# Side effect: one check builds `-c opt` without --symlink_prefix, so afterwards `bazel-bin`
# points at the -c opt tree (the state `./dev demo` used to leave, in which the Python recipe
# broke).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEV=$ROOT/dev
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/caller"
cp "$ROOT/examples/captures/linux_kernel_mptcp_v1.pcap" "$work/caller/relative.pcap"
# A flag gcc rejects: a real compiler error, in an output tree of its own (k8-*-devtest) so the
# failed build removes nothing from the trees other builds use.
BROKEN="--copt=-fdev-test-no-such-option --platform_suffix=-devtest"
failed=0
CHECK_PREFIX=dev
source "$ROOT/tools/check_lines.sh"

# expect_status WANT COMMAND...: COMMAND's exit status is WANT (stdout -> out, stderr -> err).
expect_status() {
  local want=$1 rc
  shift
  "$@" >"$work/out" 2>"$work/err"
  rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "exit status $rc, expected $want: $*"
    echo "stdout:"; tail -n 20 "$work/out"
    echo "stderr:"; tail -n 40 "$work/err"
    return 1
  fi
}

# contains FILE TEXT: FILE has a line containing TEXT (fixed string).
contains() {
  grep -qF -- "$2" "$1" && return 0
  echo "no line with '$2' in $(basename "$1"):"
  tail -n 40 "$1"
  return 1
}

usage() {
  expect_status 2 "$DEV" help && contains "$work/out" "python ARGS..." &&
    contains "$work/out" "decode ARGS..." && contains "$work/out" "status 125"
}

decode_relative_path() {
  cd "$work/caller" || return 1
  expect_status 0 "$DEV" decode --verify relative.pcap &&
    contains "$work/out" "HMACs: 32 verified, 0 failed, 0 unverifiable"
}

decode_stdin() {
  cd "$work/caller" || return 1
  expect_status 0 "$DEV" decode - <relative.pcap && contains "$work/out" "-- 1450 frames"
}

decode_flags() {
  cd "$work/caller" || return 1
  expect_status 0 "$DEV" decode --hex 1e0c1105ccad45ac01020304 &&
    contains "$work/out" "MP_JOIN SYN backup id=5 token=ccad45ac nonce=01020304" &&
    expect_status 0 "$DEV" decode --prefer-proxy-subtype 14 --verify relative.pcap &&
    contains "$work/out" "0 failed"
}

decode_own_status() {  # mptcp-decode's own exit status (2: unreadable capture) comes through
  cd "$work/caller" || return 1
  expect_status 2 "$DEV" decode no-such.pcap && contains "$work/err" "no-such.pcap"
}

decode_build_failure() {
  DEV_BAZEL_FLAGS=$BROKEN expect_status 125 "$DEV" decode --hex 00 &&
    contains "$work/err" "-fdev-test-no-such-option" && contains "$work/err" "error" &&
    contains "$work/err" "dev: bazel build" && [ ! -s "$work/out" ]
}

symlinks_left_alone() {
  local before after
  before=$(readlink "$ROOT/bazel-bin")
  expect_status 0 "$DEV" decode --hex 00 && expect_status 0 "$DEV" python -c pass
  after=$(readlink "$ROOT/bazel-bin")
  [ "$before" = "$after" ] || { echo "bazel-bin moved: $before -> $after"; return 1; }
}

# Python, after a build in another configuration moved bazel-bin, from the repository root
# (where the C++ source folder mptcp_opts/ would import as an empty namespace package).
python_after_opt_build() {
  cd "$ROOT" || return 1
  bazel build -c opt //examples/mptcp_decode:mptcp-decode >"$work/build" 2>&1 ||
    { cat "$work/build"; return 1; }
  expect_status 0 "$DEV" python -c '
import mptcp_opts
print(mptcp_opts.__file__)
print(hex(mptcp_opts.token(0x0102030405060708)))
print(mptcp_opts.decode(bytes.fromhex("1e0c1105ccad45ac01020304")))' &&
    contains "$work/out" "bindings/python/mptcp_opts.so" && contains "$work/out" "0x66840dda" &&
    contains "$work/out" "MpJoinSyn("
}

python_relative_script() {
  cd "$work/caller" || return 1
  cat >script.py <<'EOF'
import sys
import mptcp_opts
print("args", sys.argv[1:], mptcp_opts.subtype_name(mptcp_opts.MpCapable()))
EOF
  expect_status 0 "$DEV" python script.py one "two words" &&
    contains "$work/out" "args ['one', 'two words'] MP_CAPABLE"
}

python_status() {
  expect_status 3 "$DEV" python -c 'raise SystemExit(3)'
}

python_build_failure() {
  DEV_BAZEL_FLAGS=$BROKEN expect_status 125 "$DEV" python -c pass &&
    contains "$work/err" "-fdev-test-no-such-option" && contains "$work/err" "dev: bazel build"
}

python_asan() {
  cd "$ROOT" || return 1
  DEV_BAZEL_FLAGS=--config=asan expect_status 0 "$DEV" python -c '
import os, mptcp_opts
print(mptcp_opts.__file__, os.environ["LD_PRELOAD"])
print(hex(mptcp_opts.token(0x0102030405060708)))
try:
    mptcp_opts.decode(b"\x1e")  # a C++ exception under ASan
except mptcp_opts.DecodeError as e:
    print("raised", e.status)' &&
    contains "$work/out" "-asan/bin/bindings/python/mptcp_opts.so" &&
    contains "$work/out" "libasan.so" && contains "$work/out" "0x66840dda" &&
    contains "$work/out" "raised TRUNCATED" &&
    DEV_BAZEL_FLAGS=--config=asan expect_status 0 "$DEV" python -m pytest -q \
      -p no:cacheprovider bindings/python/test_mptcp_opts.py &&
    contains "$work/out" " passed"
}

run "usage lists decode and python" usage
run "decode: a path relative to the caller's directory" decode_relative_path
run "decode: - reads stdin" decode_stdin
run "decode: --hex and --prefer-proxy-subtype pass through" decode_flags
run "decode: mptcp-decode's exit status 2 passes through" decode_own_status
run "decode: a failed build shows gcc's error, exit status 125" decode_build_failure
run "decode and python leave the bazel-bin symlink alone" symlinks_left_alone
run "python: import mptcp_opts after a -c opt build, from the repo root" python_after_opt_build
run "python: a script relative to the caller's directory, with its arguments" python_relative_script
run "python: the interpreter's exit status passes through" python_status
run "python: a failed build shows gcc's error, exit status 125" python_build_failure
if [ "${DEV_TEST_ASAN:-1}" != 0 ]; then
  run "python: DEV_BAZEL_FLAGS=--config=asan preloads the runtimes; the suite passes" python_asan
fi
[ "$failed" -eq 0 ]
