#!/usr/bin/env bash
# Speed of mptcp-decode against `tcpdump -n -v -r` on the same capture, in one
# run: the shipped kernel capture repeated N times (default 100, ~145k frames),
# each tool run 5 times, medians compared. Output goes to /dev/null for both.
#   examples/mptcp_decode/compare_with_tcpdump.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bazel build -c opt //examples/mptcp_decode:mptcp-decode >/dev/null 2>&1
decode="$(bazel info -c opt bazel-bin 2>/dev/null)/examples/mptcp_decode/mptcp-decode"
/usr/bin/python3 examples/mptcp_decode/testdata/pcap_tool.py repeat "$n" \
  examples/captures/linux_kernel_mptcp_v1.pcap "$work/big.pcap"
frames=$("$decode" "$work/big.pcap" | tail -1 | sed -E 's/^-- ([0-9]+) frames.*/\1/')
/usr/bin/python3 - "$work/big.pcap" "$decode" "$frames" <<'PY'
import statistics, subprocess, sys, time
cap, decode, frames = sys.argv[1], sys.argv[2], int(sys.argv[3])
cmds = {
    "tcpdump -n -v -r": ["tcpdump", "-n", "-v", "-r", cap],
    "mptcp-decode": [decode, cap],
    "mptcp-decode --verify": [decode, "--verify", cap],
    "mptcp-decode --json --verify": [decode, "--json", "--verify", cap],
}
med = {}
for name, cmd in cmds.items():
    times = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
    med[name] = statistics.median(times)
base = med["tcpdump -n -v -r"]
print("%d frames (%s)" % (frames, cap.split("/")[-1]))
print("%-30s %10s %12s %10s" % ("command", "median s", "frames/s", "vs tcpdump"))
for name, t in med.items():
    print("%-30s %10.3f %12.0f %9.2fx" % (name, t, frames / t, base / t))
PY
