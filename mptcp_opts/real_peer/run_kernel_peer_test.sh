#!/usr/bin/env bash
# The real-peer test: Linux's own MPTCP v1 in two network namespaces
# (make_kernel_capture.sh), decoded and verified by mptcp-decode, checked by
# check_kernel_capture.py. Exit 0 pass, 1 fail, 77 skipped (with the reason
# as the last line: not root, no MPTCP in the kernel, no namespaces).
# A capture in which the kernel did not produce every required option form
# (timing under load) is taken again, at most twice; a decode or
# verification failure never is.
set -uo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bazel build -c opt //examples/mptcp_decode:mptcp-decode >/dev/null 2>&1 || { echo "build failed"; exit 1; }
decode="$(bazel info -c opt bazel-bin 2>/dev/null)/examples/mptcp_decode/mptcp-decode"

for attempt in 1 2 3; do
  bash mptcp_opts/real_peer/make_kernel_capture.sh "$work/kernel.pcap" 2> "$work/capture.log"
  rc=$?
  if [ $rc -eq 77 ]; then
    echo "skipped: $(grep -m1 SKIP "$work/capture.log" | sed 's/.*SKIP: //')"
    exit 77
  fi
  if [ $rc -ne 0 ]; then
    cat "$work/capture.log" >&2
    echo "capture failed (exit $rc)"
    exit 1
  fi
  tail -1 "$work/capture.log"
  "$decode" --json --verify "$work/kernel.pcap" > "$work/decoded.jsonl"
  "$decode" --verify "$work/kernel.pcap" > "$work/decoded.txt"
  /usr/bin/python3 mptcp_opts/real_peer/check_kernel_capture.py "$work/decoded.jsonl" "$work/decoded.txt"
  rc=$?
  [ $rc -eq 3 ] || exit $rc
  echo "attempt $attempt: the kernel traffic lacked a required form; capturing again"
done
echo "the kernel never produced every required form in 3 attempts"
exit 1
