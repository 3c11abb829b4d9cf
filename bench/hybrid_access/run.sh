#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The hybrid-access benchmark (issue 13): mcp-cpe + mcp-concentrator against
# HAProxy in TCP mode relaying the same bytes on the same topology
# (examples/hybrid_access/testbed.sh, unshaped), and the cost of a short
# connection through the pair against the same connection routed directly.
# Reported, never asserted (a benchmark, not a test). Needs root.
#
#   bench/hybrid_access/run.sh [--seconds N] [--rounds N] [--connections N]
#
# Throughput: iperf3 (one TCP stream, client -> server and server -> client)
# from the client namespace to 10.2.0.2:5201. Ours: the CPE intercepts it
# (TPROXY) and bonds it over MPTCP (both uplinks) to the concentrator, which
# relays it to the server. HAProxy: one haproxy in the cpe (transparent bind
# on the same TPROXY port, single thread) forwards over plain TCP to one in
# the concentrator, which forwards to the server. CPU is the user + system
# time both relay processes spent (/proc/PID/stat), divided by the GiB relayed.
# Rounds alternate ours / HAProxy so that drift hits both; medians are shown.
#
# Connections: conn_rate.py (64-byte request, 64-byte answer, close; 8 at a
# time) through the pair, and the same with interception off (the cpe and
# the concentrator only route): connections per second and setup latency.
#
# Binaries: MCP_CPE and MCP_CONCENTRATOR, else built here with `bazel build -c opt`.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TESTBED=$ROOT/examples/hybrid_access/testbed.sh

SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-2000}
while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --inner) shift; INNER=1 ;;
    *) echo "usage: $0 [--seconds N] [--rounds N] [--connections N]" >&2; exit 2 ;;
  esac
done

if [[ -z ${INNER:-} ]]; then
  if ! "$TESTBED" check; then exit 77; fi
  command -v iperf3 >/dev/null && command -v haproxy >/dev/null || {
    echo "needs iperf3 and haproxy (./dev setup installs them)" >&2
    exit 77
  }
  if [[ -z ${MCP_CPE:-} || -z ${MCP_CONCENTRATOR:-} ]]; then
    bazel build -c opt //examples/hybrid_access:mcp-cpe //examples/hybrid_access:mcp-concentrator >&2
    bin=$(mktemp -d)
    cp "$(bazel info -c opt bazel-bin 2>/dev/null)/examples/hybrid_access/mcp-cpe" \
      "$(bazel info -c opt bazel-bin 2>/dev/null)/examples/hybrid_access/mcp-concentrator" "$bin/"
    export MCP_CPE=$bin/mcp-cpe MCP_CONCENTRATOR=$bin/mcp-concentrator
  fi
  export SECONDS_PER_RUN ROUNDS CONNECTIONS
  HA_PREFIX=${HA_PREFIX:-habench-} exec "$TESTBED" run --rate 0 "$0" --inner
fi

# ------------------------------------------------------------ inside the testbed
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
tb() { "$TESTBED" "$@"; }
CLK_TCK=$(getconf CLK_TCK)

wait_for() {  # wait_for DESCRIPTION COMMAND...: a condition, 60 s deadline
  local what=$1 end=$((SECONDS + 60))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || { echo "timed out waiting for $what" >&2; exit 1; }
    sleep 0.1
  done
}
cpu_ticks() {  # the user + system ticks of the given pids
  local total=0 pid f
  for pid in "$@"; do
    read -ra f <"/proc/$pid/stat"
    # fields 14 and 15 (1-based), after the "(comm)" field which has no spaces here
    total=$((total + f[13] + f[14]))
  done
  echo "$total"
}
stats_pid() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$1"; }

start_ours() {
  tb exec concentrator "$MCP_CONCENTRATOR" --config "$ROOT/examples/hybrid_access/concentrator.textproto" \
    --stats "$WORK/conc.json" --log "$WORK/conc.log" &
  tb exec cpe "$MCP_CPE" --config "$ROOT/examples/hybrid_access/cpe.textproto" \
    --stats "$WORK/cpe.json" --log "$WORK/cpe.log" &
  wait_for "the concentrator's stats file" test -s "$WORK/conc.json"
  wait_for "the cpe's stats file" test -s "$WORK/cpe.json"
  RELAY_PIDS="$(stats_pid "$WORK/conc.json") $(stats_pid "$WORK/cpe.json")"
}
# haproxy_config FILE BIND SERVER: one TCP-mode relay, single thread.
haproxy_config() {
  cat >"$1" <<EOF
global
  nbthread 1
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend in
  bind $2
  default_backend out
backend out
  server next $3
EOF
}
start_haproxy() { haproxy_pair ""; }
start_haproxy_mptcp() { haproxy_pair "mptcpize run"; }
haproxy_pair() {  # haproxy_pair WRAPPER: WRAPPER "mptcpize run" makes its TCP sockets MPTCP
  local wrap=$1
  haproxy_config "$WORK/cpe.cfg" "0.0.0.0:7000 transparent" 10.9.0.1:5556
  haproxy_config "$WORK/conc.cfg" 10.9.0.1:5556 10.2.0.2:5201
  tb exec concentrator $wrap haproxy -D -p "$WORK/conc.pid" -f "$WORK/conc.cfg"
  tb exec cpe $wrap haproxy -D -p "$WORK/cpe.pid" -f "$WORK/cpe.cfg"
  wait_for "haproxy's pid files" test -s "$WORK/conc.pid" -a -s "$WORK/cpe.pid"
  RELAY_PIDS="$(cat "$WORK/conc.pid") $(cat "$WORK/cpe.pid")"
}
stop_relays() {
  local pid
  for pid in $RELAY_PIDS; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $RELAY_PIDS; do
    wait_for "relay $pid to exit" sh -c "! kill -0 $pid"
  done
  rm -f "$WORK"/*.json "$WORK"/*.pid
}

# One iperf3 run through whatever relays run now: "<Mbit/s> <cpu s per GiB>".
measure() {
  local reverse=$1 before after out bytes secs
  before=$(cpu_ticks $RELAY_PIDS)
  out=$(tb exec client iperf3 -c 10.2.0.2 -p 5201 -t "$SECONDS_PER_RUN" $reverse -J)
  after=$(cpu_ticks $RELAY_PIDS)
  read -r bytes secs < <(/usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["end"]["sum_received"]
print(r["bytes"], r["seconds"])' <<<"$out")
  /usr/bin/python3 -c '
import sys
b, s, ticks, hz = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print("%.1f %.3f" % (b * 8 / s / 1e6, ticks / hz / (b / 2**30)))' "$bytes" "$secs" "$((after - before))" "$CLK_TCK"
}

tb exec server iperf3 -s -B 10.2.0.2 -p 5201 >/dev/null 2>&1 &
tb exec server /usr/bin/python3 "$ROOT/bench/hybrid_access/conn_rate.py" serve --listen 10.2.0.2:9100 &
wait_for "iperf3 in the server namespace" sh -c "$TESTBED exec server ss -ltnH 'sport = :5201' | grep -q ."
wait_for "conn_rate.py in the server namespace" sh -c "$TESTBED exec server ss -ltnH 'sport = :9100' | grep -q ."

declare -A results
for round in $(seq "$ROUNDS"); do
  for relay in ours haproxy haproxy_mptcp; do
    "start_$relay"
    results[$relay,up,$round]=$(measure "")
    results[$relay,down,$round]=$(measure "-R")
    stop_relays
    echo "round $round $relay: up ${results[$relay,up,$round]} down ${results[$relay,down,$round]}" >&2
  done
done

# Connections: direct (interception off), then through our pair.
tb exec cpe nft list ruleset >"$WORK/cpe.nft"
tb exec cpe nft flush ruleset
direct=$(tb exec client /usr/bin/python3 "$ROOT/bench/hybrid_access/conn_rate.py" run \
  --connect 10.2.0.2:9100 --connections "$CONNECTIONS")
tb exec cpe nft -f "$WORK/cpe.nft"
start_ours
paired=$(tb exec client /usr/bin/python3 "$ROOT/bench/hybrid_access/conn_rate.py" run \
  --connect 10.2.0.2:9100 --connections "$CONNECTIONS")
stop_relays

# Aggregation: 20 Mbit/s uplinks, one stream through the pair with both
# uplinks and with uplink 2 down (goal: >= 1.8x; the e2e test asserts 1.5x).
tb shape 20
start_ours
both=$(measure "")
tb uplink 2 down
one=$(measure "")
tb uplink 2 up
stop_relays
tb shape 0

echo "aggregation at 20 Mbit/s per uplink: both uplinks ${both%% *} Mbit/s, one uplink ${one%% *} Mbit/s," \
  "ratio $(/usr/bin/python3 -c 'import sys; print("%.2fx" % (float(sys.argv[1]) / float(sys.argv[2])))' "${both%% *}" "${one%% *}")" \
  "(goal >= 1.8x)"
echo
{
  for relay in ours haproxy haproxy_mptcp; do
    for dir in up down; do
      for round in $(seq "$ROUNDS"); do echo "$relay $dir ${results[$relay,$dir,$round]}"; done
    done
  done
} | /usr/bin/python3 -c '
import json, statistics, sys
rows = {}
for line in sys.stdin:
    relay, direction, mbit, cpu = line.split()
    rows.setdefault((relay, direction), []).append((float(mbit), float(cpu)))
direct, paired = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("| direction | HAProxy between CPE and concentrator | ours Mbit/s | HAProxy Mbit/s | throughput ours/HAProxy | ours CPU s/GiB | HAProxy CPU s/GiB | CPU ours/HAProxy |")
print("|---|---|---|---|---|---|---|---|")
for d, name in (("up", "client -> server"), ("down", "server -> client")):
    for h, how in (("haproxy", "TCP, uplink 1"), ("haproxy_mptcp", "MPTCP (mptcpize), both uplinks")):
        om = statistics.median(m for m, _ in rows[("ours", d)]); hm = statistics.median(m for m, _ in rows[(h, d)])
        oc = statistics.median(c for _, c in rows[("ours", d)]); hc = statistics.median(c for _, c in rows[(h, d)])
        print(f"| {name} | {how} | {om:.0f} | {hm:.0f} | {om / hm:.2f}x | {oc:.2f} | {hc:.2f} | {oc / hc:.2f}x |")
print()
print("| connections (64 B request/answer, 8 at a time) | per second | setup latency median | p90 |")
print("|---|---|---|---|")
for name, r in (("routed directly (no interception)", direct), ("through mcp-cpe + mcp-concentrator", paired)):
    print("| %s | %s | %s ms | %s ms |" % (name, r["connections_per_second"], r["latency_median_ms"], r["latency_p90_ms"]))
print()
print("latency added by the pair (median): %.3f ms; rate through the pair / direct: %.2fx; failed: direct %d, pair %d" % (
    paired["latency_median_ms"] - direct["latency_median_ms"],
    paired["connections_per_second"] / direct["connections_per_second"], direct["failed"], paired["failed"]))
' "$direct" "$paired"
