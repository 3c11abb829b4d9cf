#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Speed of mptcp-decode against `tcpdump -n -v -r` on the same capture, in one
# run: the shipped kernel capture repeated N times (default 49: 71,050
# frames), each command run 9 times in turn, medians compared. Output goes to
# /dev/null for every command. The times are whole processes (start-up too).
#   examples/mptcp_decode/compare_with_tcpdump.sh [N]
# MPTCP_DECODE=PATH times that binary instead of building one (-c opt);
# BASELINE=PATH adds the same rows for another build (an older commit's, say),
# with its ratio to this one.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-49}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${MPTCP_DECODE:-}" ]; then
  decode=$MPTCP_DECODE
else
  bazel build -c opt //examples/mptcp_decode:mptcp-decode >/dev/null 2>&1
  decode="$(bazel info -c opt bazel-bin 2>/dev/null)/examples/mptcp_decode/mptcp-decode"
fi
/usr/bin/python3 examples/mptcp_decode/testdata/pcap_tool.py repeat "$n" \
  examples/captures/linux_kernel_mptcp_v1.pcap "$work/big.pcap"
frames=$("$decode" -t "$work/big.pcap" | tail -1 | sed -E 's/^-- ([0-9]+) frames.*/\1/')
/usr/bin/python3 - "$work/big.pcap" "$decode" "$frames" "${BASELINE:-}" <<'PY'
import statistics, subprocess, sys, time
cap, decode, frames, baseline = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
modes = [[], ["-t"], ["--verify"], ["--json", "--verify"]]
cmds = {"tcpdump -n -v -r": ["tcpdump", "-n", "-v", "-r", cap]}
for m in modes:
    cmds[" ".join(["mptcp-decode"] + m)] = [decode] + m + [cap]
if baseline:
    for m in modes:
        if "-t" not in m:  # an older build may not know -t; its default had no timestamps
            cmds[" ".join(["baseline"] + m)] = [baseline] + m + [cap]
times = {name: [] for name in cmds}
for _ in range(9):  # in turn, so a drift of the machine's speed hits every command alike
    for name, cmd in cmds.items():
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times[name].append(time.perf_counter() - t)
med = {name: statistics.median(t) for name, t in times.items()}
base = med["tcpdump -n -v -r"]
print("%d frames (%s)" % (frames, cap.split("/")[-1]))
print("%-34s %10s %12s %11s %12s" % ("command", "median s", "frames/s", "vs tcpdump", "vs baseline"))
for name, t in med.items():
    other = "baseline" + name[len("mptcp-decode"):] if name.startswith("mptcp-decode") else None
    vs = "%11.2fx" % (med[other] / t) if other in med else ""
    print("%-34s %10.3f %12.0f %10.2fx %12s" % (name, t, frames / t, base / t, vs))
PY
