#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The real-peer test: Linux's own MPTCP v1 in two network namespaces
# (make_kernel_capture.sh), decoded and verified by mptcp-decode, checked by
# check_kernel_capture.py against the forms this kernel can send
# (kernel_forms.py).
#
# Output: one line "SKIP real_peer: FORM: kernel VERSION cannot send it" for
# each form the running kernel cannot produce (not required, so neither a
# pass nor a failure), the capture's and the check's figures, and last the
# verdict.
# Exit status:
#   0   pass: every form this kernel can send was produced, decoded and
#       verified (tools/run_all_tests.sh counts one PASS, plus one SKIP per
#       SKIP line);
#   1   fail (the last line says why; the capture's log precedes it);
#   77  cannot run here at all (not root, no MPTCP, no namespaces, kernel
#       older than 5.10): the last line is "skipped: REASON".
# The capture is taken once: each step inside it waits for its own result
# (see make_kernel_capture.sh), so there is nothing to "try again".
set -uo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
here=mptcp_opts/real_peer
start=$SECONDS

# MPTCP_DECODE=PATH uses a decoder built beforehand (the build otherwise
# queues behind any other command of the workspace's Bazel server).
if [ -n "${MPTCP_DECODE:-}" ]; then
  decode=$MPTCP_DECODE
  [ -x "$decode" ] || { echo "MPTCP_DECODE=$decode is not an executable"; exit 1; }
else
  bazel build -c opt //examples/mptcp_decode:mptcp-decode >"$work/build.log" 2>&1 \
    || { tail -20 "$work/build.log"; echo "build failed"; exit 1; }
  decode="$(bazel info -c opt bazel-bin 2>/dev/null)/examples/mptcp_decode/mptcp-decode"
fi

bash "$here/make_kernel_capture.sh" "$work/kernel.pcap" >"$work/capture.out" 2>"$work/capture.log"
rc=$?
if [ $rc -eq 77 ]; then
  echo "skipped: $(grep -m1 SKIP "$work/capture.log" | sed 's/.*SKIP: //')"
  exit 77
fi
if [ $rc -ne 0 ]; then
  cat "$work/capture.out" "$work/capture.log"
  if [ -s "$work/kernel.pcap" ]; then
    kept=$(mktemp /tmp/real_peer_failed.XXXXXX.pcap)
    cp "$work/kernel.pcap" "$kept" && echo "the capture so far is kept in $kept"
  fi
  echo "capture failed (exit $rc): $(grep -m1 -E 'error:|timed out' "$work/capture.log" | sed 's/^[^:]*: //')"
  exit 1
fi
/usr/bin/python3 "$here/kernel_forms.py" skips
cat "$work/capture.out"
"$decode" --json --verify "$work/kernel.pcap" > "$work/decoded.jsonl" || { echo "mptcp-decode --json --verify failed"; exit 1; }
"$decode" -t --verify "$work/kernel.pcap" > "$work/decoded.txt" || { echo "mptcp-decode --verify failed"; exit 1; }
/usr/bin/python3 "$here/check_kernel_capture.py" "$work/decoded.jsonl" "$work/decoded.txt" "$work/kernel.pcap" \
  || { echo "the decoder's view of the kernel capture is wrong"; exit 1; }
echo "kernel $(uname -r): capture decoded and verified in $((SECONDS - start))s"
