#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The hybrid-access end-to-end tests (issue 13, cases (a) to (i), plus (j) and (k)) in the
# testbed of examples/hybrid_access/testbed.sh, with the real daemons.
#
# Usage: run_e2e.sh [a b c ...]         (default: every case, a to k, in order)
#
# Prints one line per case on stdout, and nothing else:
#   PASS<TAB>hybrid_access: (a) integrity: <the measured figures>
#   FAIL<TAB>hybrid_access: (c) failover: <why>
#   SKIP<TAB>hybrid_access: (b) aggregation: <why the testbed cannot run here>
# Progress, and the daemons' last log lines on a failure, go to stderr.
# Exit status: 0 when no case failed (a SKIP is not a failure: tools/
# run_all_tests.sh counts it as skipped, never as passed), 1 otherwise.
#
# Binaries: MCP_CPE=PATH and MCP_CONCENTRATOR=PATH use daemons built
# beforehand, MPTCP_DECODE=PATH a decoder (case h); whatever is not given is
# built with `bazel build` and taken from bazel-bin.
# Environment: HA_PREFIX (namespace prefix, see testbed.sh), HA_E2E_DEADLINE
# (seconds each wait may take, default 60), HA_E2E_KEEP=1 keeps the work
# directory (logs, stats, reports, captures) even when everything passed,
# HA_E2E_SAVE_CAPTURE=PATH copies case (h)'s capture there.
#
# Every case runs inside one `testbed.sh run`: the testbed is built once, and
# torn down however the run ends. Each wait is on a condition (a stats file,
# a log line, a byte counter, a transfer's progress file) with a deadline
# whose expiry names what was awaited; nothing sleeps and hopes.
set -uo pipefail
readonly ME=run_e2e.sh
SELF=$(readlink -f "$0")
readonly SELF
cd "$(dirname "$SELF")/../../.." || exit 1
readonly ROOT=$PWD
readonly HA=$ROOT/examples/hybrid_access
readonly E2E=$HA/e2e
readonly TESTBED=$HA/testbed.sh
readonly PY=/usr/bin/python3
readonly DEADLINE=${HA_E2E_DEADLINE:-60}
readonly ALL_CASES=(a b c d e f g h i j k)
declare -A CASE_NAMES=(
  [a]="(a) integrity" [b]="(b) aggregation" [c]="(c) failover"
  [d]="(d) no concentrator" [e]="(e) native MPTCP" [f]="(f) refusals"
  [g]="(g) concurrency" [h]="(h) capture" [i]="(i) SYN flood"
  [j]="(j) early accept and teardown"
  [k]="(k) server leg: POOL and MPTCP"
)

log() { echo "$ME: $(date +%T) $*" >&2; }
line() {  # line STATUS CASE TEXT: one result line, no stray tabs or newlines
  printf '%s\thybrid_access: %s%s\n' "$1" "${CASE_NAMES[$2]}" \
    "$(printf '%s' "${3:+: $3}" | tr '\t\n' '  ')"
}

# ------------------------------------------------------------------ outside
outside() {
  local cases=("$@") c
  [[ ${#cases[@]} -gt 0 ]] || cases=("${ALL_CASES[@]}")
  for c in "${cases[@]}"; do
    [[ -n ${CASE_NAMES[$c]:-} ]] || { echo "$ME: unknown case '$c' (a..k)" >&2; exit 2; }
  done
  local out rc
  out=$("$TESTBED" check 2>&1)
  rc=$?
  if [[ $rc -eq 77 ]]; then
    local reason
    reason=$(grep -m1 '^SKIP' <<<"$out" | sed 's/^SKIP hybrid_access: //')
    for c in "${cases[@]}"; do line SKIP "$c" "${reason:-the testbed cannot run here}"; done
    exit 0
  fi
  if [[ $rc -ne 0 ]]; then
    for c in "${cases[@]}"; do line FAIL "$c" "testbed.sh check: exit status $rc: $out"; done
    exit 1
  fi

  if ! find_binaries; then
    for c in "${cases[@]}"; do line FAIL "$c" "$FIND_ERROR"; done
    exit 1
  fi
  export MCP_CPE MCP_CONCENTRATOR MPTCP_DECODE

  WORK=$(mktemp -d /tmp/hybrid_access_e2e.XXXXXX)
  export HA_E2E_WORK=$WORK
  log "work directory $WORK; cpe $MCP_CPE; concentrator $MCP_CONCENTRATOR"
  "$TESTBED" run "$SELF" --inside "${cases[@]}" >&2
  rc=$?
  local failed=0 result
  for c in "${cases[@]}"; do
    result=$(grep -P "^(PASS|FAIL|SKIP)\thybrid_access: \Q${CASE_NAMES[$c]}\E" "$WORK/results" 2>/dev/null | head -1)
    if [[ -z $result ]]; then
      result=$(line FAIL "$c" "not run: the testbed run ended first (exit status $rc)")
    fi
    [[ $result == FAIL* ]] && failed=1
    printf '%s\n' "$result"
  done
  if [[ $failed -eq 1 || -n ${HA_E2E_KEEP:-} ]]; then
    log "logs, stats, reports kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$failed"
}

# Sets MCP_CPE, MCP_CONCENTRATOR and MPTCP_DECODE, building what is not
# given; on failure FIND_ERROR says why.
FIND_ERROR=""
find_binaries() {
  local targets=()
  [[ -n ${MCP_CPE:-} ]] || targets+=(//examples/hybrid_access:mcp-cpe)
  [[ -n ${MCP_CONCENTRATOR:-} ]] || targets+=(//examples/hybrid_access:mcp-concentrator)
  [[ -n ${MPTCP_DECODE:-} ]] || targets+=(//examples/mptcp_decode:mptcp-decode)
  if [[ ${#targets[@]} -gt 0 ]]; then
    local build_log bin
    build_log=$(mktemp)
    # --symlink_prefix=/: leave bazel-bin where the other test steps put it.
    if ! bazel build --symlink_prefix=/ "${targets[@]}" >"$build_log" 2>&1; then
      tail -30 "$build_log" >&2
      FIND_ERROR="bazel build ${targets[*]} failed: $(grep -m1 '^ERROR' "$build_log")"
      rm -f "$build_log"
      return 1
    fi
    rm -f "$build_log"
    bin=$(bazel info bazel-bin 2>/dev/null)
    MCP_CPE=${MCP_CPE:-$bin/examples/hybrid_access/mcp-cpe}
    MCP_CONCENTRATOR=${MCP_CONCENTRATOR:-$bin/examples/hybrid_access/mcp-concentrator}
    MPTCP_DECODE=${MPTCP_DECODE:-$bin/examples/mptcp_decode/mptcp-decode}
  fi
  local b
  for b in "$MCP_CPE" "$MCP_CONCENTRATOR" "$MPTCP_DECODE"; do
    [[ -x $b ]] || { FIND_ERROR="$b is not an executable"; return 1; }
  done
  MCP_CPE=$(readlink -f "$MCP_CPE")
  MCP_CONCENTRATOR=$(readlink -f "$MCP_CONCENTRATOR")
  MPTCP_DECODE=$(readlink -f "$MPTCP_DECODE")
}

# ------------------------------------------------------------------ helpers (inside)
# In the background, run "$TESTBED" exec itself, not in_ns: then $! is the
# program (testbed.sh and ip netns exec exec it), not a subshell.
tb() { "$TESTBED" "$@"; }
in_ns() { "$TESTBED" exec "$@"; }
jget() { "$PY" "$E2E/e2e_json.py" get "$@"; }
jsum() { "$PY" "$E2E/e2e_json.py" sum "$@"; }
MiB=$((1 << 20))

# wait_until WHAT CMD...: runs CMD until it succeeds, at most DEADLINE
# seconds; on expiry WAIT_ERROR names WHAT and the call returns 1.
WAIT_ERROR=""
wait_until() {
  local what=$1 end=$((SECONDS + DEADLINE))
  shift
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then
      WAIT_ERROR="timed out after ${DEADLINE}s waiting for $what"
      return 1
    fi
    sleep 0.1
  done
}

alive() {  # alive PID: running, not a zombie
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $state != Z* ]]
}

# stop_pid PID WHAT: SIGTERM, then wait (deadline) until it is gone.
stop_pid() {
  local pid=$1 what=$2
  alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
  kill -TERM "$pid" 2>/dev/null
  if ! wait_until "$what to exit after SIGTERM" eval "! alive $pid"; then
    log "$WAIT_ERROR; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}

stats_ready() {  # stats_ready FILE PID
  [[ $(jget "$1" ready pid 2>/dev/null | tr '\n' ' ') == "true $2 " ]]
}

# start_daemon cpe|concentrator NAME CONFIG: NAME.pid, NAME.stats.json and
# NAME.log in WORK; returns once the stats file says ready.
start_daemon() {
  local role=$1 name=$2 config=$3 bin
  [[ $role == cpe ]] && bin=$MCP_CPE || bin=$MCP_CONCENTRATOR
  rm -f "$WORK/$name.stats.json"
  : >"$WORK/$name.log"
  "$TESTBED" exec "$role" "$bin" --config "$config" --stats "$WORK/$name.stats.json" \
    --log "$WORK/$name.log" 2>>"$WORK/$name.stderr" &
  local pid=$!
  echo "$pid" >"$WORK/$name.pid"
  local end=$((SECONDS + DEADLINE))
  until stats_ready "$WORK/$name.stats.json" "$pid"; do
    if ! alive "$pid"; then
      wait "$pid"
      WAIT_ERROR="$name exited with status $? before it was ready: $(tail -3 "$WORK/$name.stderr" | tr '\n' ' ')"
      return 1
    fi
    if ((SECONDS >= end)); then
      WAIT_ERROR="timed out after ${DEADLINE}s waiting for $name to write its stats file (ready)"
      return 1
    fi
    sleep 0.1
  done
  log "$name ready (pid $pid)"
}

stop_daemon() {  # stop_daemon NAME
  [[ -f $WORK/$1.pid ]] || return 0
  stop_pid "$(cat "$WORK/$1.pid")" "$1"
  rm -f "$WORK/$1.pid"
}

daemon_alive() { [[ -f $WORK/$1.pid ]] && alive "$(cat "$WORK/$1.pid")"; }

# fresh_stats NAME: returns once NAME's stats file was computed after this
# call (two rewrites: the first may have been computed before), so what it
# says includes everything that happened before.
fresh_stats() {
  local file=$WORK/$1.stats.json
  "$PY" - "$file" "$DEADLINE" <<'EOF' || { WAIT_ERROR="timed out after ${DEADLINE}s waiting for $1 to rewrite its stats file"; return 1; }
import os, sys, time
path, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
since = time.time_ns()
for _ in range(2):
    while True:
        try:
            m = os.stat(path).st_mtime_ns
        except FileNotFoundError:
            m = 0
        if m > since:
            since = m
            break
        if time.monotonic() > deadline:
            sys.exit(1)
        time.sleep(0.02)
EOF
}

log_mark() { stat -c %s "$WORK/$1.log" 2>/dev/null || echo 0; }
log_since() { tail -c +$(($2 + 1)) "$WORK/$1.log" 2>/dev/null; }
log_has() { log_since "$1" "$2" | grep -qE -- "$3"; }  # log_has NAME MARK REGEX
event_count() { log_since "$1" "$2" | grep -cE -- " event $3( |$)"; }  # NAME MARK EVENT

ifbytes() {  # ifbytes NS DEV: tx + rx bytes
  in_ns "$1" cat "/sys/class/net/$2/statistics/tx_bytes" "/sys/class/net/$2/statistics/rx_bytes" \
    | awk '{s += $1} END {print s + 0}'
}
ifbytes_at_least() { (($(ifbytes "$1" "$2") >= $3)); }

progress_at_least() {  # progress_at_least FILE BYTES: sent + received >= BYTES
  [[ $(jsum "$1" sent received 2>/dev/null) -ge $2 ]]
}
progress_bytes() { jsum "$1" sent received 2>/dev/null || echo 0; }

report_lines() { wc -l <"$1" 2>/dev/null || echo 0; }

# start_server NAME PORT [--mptcp]: traffic.py serve in the server namespace.
start_server() {
  local name=$1 port=$2
  shift 2
  rm -f "$WORK/$name.ready"
  "$TESTBED" exec server "$PY" "$E2E/traffic.py" serve --listen "10.2.0.2:$port" "$@" \
    --report "$WORK/$name.jsonl" --ready "$WORK/$name.ready" 2>>"$WORK/$name.stderr" &
  echo $! >"$WORK/$name.pid"
  touch "$WORK/$name.jsonl"
  wait_until "the $name test server to listen on 10.2.0.2:$port" test -e "$WORK/$name.ready"
}

# transfer_bg OUT ARGS...: the same in the background; TRANSFER_PID is the
# client process itself (testbed.sh exec and ip netns exec exec it).
transfer_bg() {
  local out=$1
  shift
  "$TESTBED" exec client "$PY" "$E2E/traffic.py" run --connect 10.2.0.2:9000 --json "$@" >"$out" 2>"$out.err" &
  TRANSFER_PID=$!
}

# transfer OUT ARGS...: traffic.py run in the client namespace to the
# 10.2.0.2:9000 server (unless ARGS say --connect); the JSON result in OUT.
# Returns traffic.py's status.
transfer() {
  local out=$1
  shift
  local connect=(--connect 10.2.0.2:9000)
  [[ " $* " == *" --connect "* ]] && connect=()
  in_ns client "$PY" "$E2E/traffic.py" run "${connect[@]}" --json "$@" >"$out" 2>"$out.err"
}
transfer_error() {  # why the transfer whose JSON is in $1 failed
  "$PY" - "$1" <<'EOF' 2>/dev/null || echo "no result from traffic.py: $(tail -2 "$1.err" 2>/dev/null | tr '\n' ' ')"
import json, sys
r = json.load(open(sys.argv[1]))
print("%d of %d connections failed: %s" % (r["failures"], r["connections"], "; ".join(r["errors"][:3])))
EOF
}

# ------------------------------------------------------------------ configs
# The standard configurations; a case that needs another writes its own.
# IEs in the SYN (TFO, as draft -10 asks) make this kernel's server-to-client
# direction crawl once the second subflow joins (README.md, "Kernel behaviour
# found"): the standard CPE sends them as its first bytes after the
# handshake (ies_in_syn: false; HA_E2E_IES_IN_SYN=true to change it), and
# cases (d) and (h) run a CPE that puts them in the SYN.
readonly STANDARD_IES_IN_SYN=${HA_E2E_IES_IN_SYN:-false}
cpe_config() {  # cpe_config FILE IES_IN_SYN [extra core fields...]
  local file=$1 ies_in_syn=$2
  shift 2
  cat >"$file" <<EOF
core {
  role: CPE_MCP
  network_mcps { address: "10.9.0.1" port: 5555 }
  send_source_ie: true
  max_half_open_per_source: 1024
  max_flows: 65536
$(printf '  %s\n' "$@")
}
listen_address: "0.0.0.0"
listen_port: 7000
max_connections: 4096
pipe_bytes: 65536
stats_interval_ms: 200
ies_in_syn: $ies_in_syn
EOF
}

concentrator_config() {  # concentrator_config FILE [SOURCE_MODE]
  cat >"$1" <<EOF
core {
  role: NETWORK_MCP
  mcp_addresses: "10.9.0.1"
  source_mode: ${2:-PRESERVE}
  source_pool: "10.2.0.100"
  acl_source_prefixes: "10.1.1.0/24"
  acl_source_prefixes: "10.1.2.0/24"
  max_half_open_per_source: 1024
  max_half_open_total: 2048
  relay_mp_capable_to_servers: true
  max_flows: 65536
}
listen_address: "10.9.0.1"
listen_port: 5555
# TCP_FASTOPEN queue: a SYN beyond it is handled as an ordinary SYN (its IEs
# not taken), and such an MPTCP connection falls back to TCP (KERNEL_FACTS.md
# sections 3 and 7): so it must exceed the connections set up at once, 500 in (g).
tfo_queue: 1024
max_connections: 4096
pipe_bytes: 65536
stats_interval_ms: 200
EOF
}

# ------------------------------------------------------------------ case plumbing
RESULTS=""
CASE=""
pass() {
  line PASS "$CASE" "$*" >>"$RESULTS"
  log "PASS ${CASE_NAMES[$CASE]}: $*"
  exit 0
}
fail() {
  line FAIL "$CASE" "$*" >>"$RESULTS"
  log "FAIL ${CASE_NAMES[$CASE]}: $*"
  local n
  for n in cpe concentrator $CASE_DAEMONS; do
    [[ -s $WORK/$n.log ]] || continue
    echo "--- last lines of $n's log ($WORK/$n.log) ---" >&2
    tail -15 "$WORK/$n.log" >&2
    [[ -s $WORK/$n.stderr ]] && { echo "--- $n's stderr ---" >&2; tail -5 "$WORK/$n.stderr" >&2; }
  done
  exit 1
}

# What a case started and changed, undone when its subshell exits.
CASE_PIDS=()
CASE_DAEMONS=""
case_cleanup() {
  local p
  for p in "${CASE_PIDS[@]}"; do stop_pid "$p" "process $p"; done
  for p in $CASE_DAEMONS; do stop_daemon "$p"; done
  # Test clients left behind (the client namespace runs nothing else).
  local left
  left=$(ip netns pids "${HA_PREFIX:-}client" 2>/dev/null)
  for p in $left; do stop_pid "$p" "client process $p"; done
  tb shape 20 >/dev/null 2>&1
  local down
  down=$(in_ns cpe ip -br link show 2>/dev/null | awk '$1 ~ /^up[12]@?/ && $2 != "UP" {print substr($1, 3, 1)}')
  for p in $down; do tb uplink "$p" up; done
  tb mptcp client off
  tb mptcp server off
}

# Restarts what an earlier case stopped (or what crashed).
ensure_standard() {
  daemon_alive concentrator || start_daemon concentrator concentrator "$WORK/concentrator.textproto" || return 1
  daemon_alive cpe || start_daemon cpe cpe "$WORK/cpe.textproto" || return 1
  local s
  for s in server9000:9000 junk9100:9100; do
    daemon_alive "${s%%:*}" || start_server "${s%%:*}" "${s##*:}" || return 1
  done
}

# through_pair CPE_MARK CONCENTRATOR_MARK: fails the case unless the
# connections since the marks were bonded by the daemons (not fallen back).
through_pair() {
  log_has cpe "$1" " event PAIR_ESTABLISHED" || fail "the CPE's log shows no PAIR_ESTABLISHED: not bonded"
  log_has concentrator "$2" " event PAIR_CREATED" || fail "the concentrator's log shows no PAIR_CREATED"
  local bad
  bad=$(log_since cpe "$1" | grep -oE " event (MCP_NO_ECHO|MCP_REFUSED|MCP_SETUP_TIMEOUT|CAPABILITY_CACHE_HIT)" | sort -u | tr '\n' ' ')
  [[ -z $bad ]] || fail "the CPE fell back to plain TCP:$bad"
}

# server_check REPORT MARK COUNT: fails unless the server's report has COUNT
# connections since MARK, every one byte-exact; sets PEERS.
server_check() {
  local rec
  rec=$("$PY" "$E2E/e2e_json.py" records "$1" "$2")
  local count ok
  count=$(jget - count <<<"$rec")
  ok=$(jget - ok <<<"$rec")
  PEERS=$(jget - peers <<<"$rec" | tr -d '[]" ')
  SERVER_MPTCP=$(jget - mptcp <<<"$rec")
  [[ $count -eq $3 ]] || fail "the server reported $count connections, expected $3: $(jget - errors <<<"$rec")"
  [[ $ok -eq $3 ]] || fail "the server found $((count - ok)) of $count connections wrong: $(jget - errors <<<"$rec")"
}

# ------------------------------------------------------------------ cases
case_a() {
  tb shape 0
  local cm om sm
  cm=$(log_mark cpe) om=$(log_mark concentrator) sm=$(report_lines "$WORK/server9000.jsonl")
  transfer "$WORK/a.json" --upload 64M --download 64M || fail "$(transfer_error "$WORK/a.json")"
  through_pair "$cm" "$om"
  server_check "$WORK/server9000.jsonl" "$sm" 1
  [[ $PEERS == 10.0.1.2 ]] || fail "the server saw the client as $PEERS, not 10.0.1.2 (PRESERVE)"
  local up down mbps
  read -r up down mbps < <("$PY" -c '
import json, sys
r = json.load(open(sys.argv[1])); d = r["digests"][0]
print(d["upload"][:16], d["download"][:16], r["goodput_mbps"])' "$WORK/a.json")
  pass "64 MiB each way unshaped, sha256 equal at both ends (up $up..., down $down...), $mbps Mbit/s both directions together, server saw 10.0.1.2"
}

case_b() {
  local size=${HA_E2E_AGG_BYTES:-16M} d2 u2 d1 u1 cm om
  cm=$(log_mark cpe) om=$(log_mark concentrator)
  transfer "$WORK/b-down2.json" --download "$size" || fail "two uplinks, download: $(transfer_error "$WORK/b-down2.json")"
  transfer "$WORK/b-up2.json" --upload "$size" || fail "two uplinks, upload: $(transfer_error "$WORK/b-up2.json")"
  through_pair "$cm" "$om"
  tb uplink 2 down
  transfer "$WORK/b-down1.json" --download "$size" || fail "one uplink, download: $(transfer_error "$WORK/b-down1.json")"
  transfer "$WORK/b-up1.json" --upload "$size" || fail "one uplink, upload: $(transfer_error "$WORK/b-up1.json")"
  tb uplink 2 up
  d2=$(jget "$WORK/b-down2.json" download_mbps) u2=$(jget "$WORK/b-up2.json" upload_mbps)
  d1=$(jget "$WORK/b-down1.json" download_mbps) u1=$(jget "$WORK/b-up1.json" upload_mbps)
  local verdict
  verdict=$("$PY" - "$d2" "$d1" "$u2" "$u1" "$size" <<'EOF'
import sys
d2, d1, u2, u1 = map(float, sys.argv[1:5])
rd, ru = d2 / d1, u2 / u1
text = ("download %.1f vs %.1f Mbit/s (%.2fx), upload %.1f vs %.1f Mbit/s (%.2fx), "
        "two 20 Mbit/s uplinks vs one, %s each, asserted >= 1.5x" % (d2, d1, rd, u2, u1, ru, sys.argv[5]))
print(("ok " if min(rd, ru) >= 1.5 else "low ") + text)
EOF
)
  [[ $verdict == ok* ]] || fail "${verdict#low }"
  pass "${verdict#ok } (CPE ies_in_syn: $STANDARD_IES_IN_SYN)"
}

# failover_step N PROGRESS CLIENT_PID: uplink N down mid-transfer, the
# transfer goes on, uplink N up and carries traffic again.
failover_step() {
  local n=$1 progress=$2 pid=$3 at
  at=$(progress_bytes "$progress")
  tb uplink "$n" down
  log "uplink $n down at $((at / MiB)) MiB"
  wait_until "the transfer to move 8 MiB more with uplink $n down" \
    progress_at_least "$progress" $((at + 8 * MiB)) || fail "$WAIT_ERROR"
  local before
  before=$(ifbytes cpe "up$n")
  tb uplink "$n" up
  at=$(progress_bytes "$progress")
  # Done when up$n has carried 1 MiB, or when the transfer has ended (then
  # the check below names that, instead of a wait that times out later).
  wait_until "up$n to carry 1 MiB again after it came back" \
    eval "ifbytes_at_least cpe up$n $((before + MiB)) || ! alive $pid" || fail "$WAIT_ERROR"
  ifbytes_at_least cpe "up$n" $((before + MiB)) \
    || fail "the transfer ended before up$n carried 1 MiB again (+$((($(ifbytes cpe "up$n") - before) / 1024)) KiB since it came back)"
  FAILOVER_TEXT+="up$n down at $((at / MiB)) MiB and back, used again (+$((($(ifbytes cpe "up$n") - before) / 1024)) KiB); "
}

case_c() {
  local size=${HA_E2E_FAILOVER_BYTES:-64M} progress=$WORK/c.progress cm om sm
  cm=$(log_mark cpe) om=$(log_mark concentrator) sm=$(report_lines "$WORK/server9000.jsonl")
  rm -f "$progress"
  transfer_bg "$WORK/c.json" --upload "$size" --download "$size" --progress "$progress"
  local pid=$TRANSFER_PID
  CASE_PIDS+=("$pid")
  wait_until "the transfer to move 4 MiB" progress_at_least "$progress" $((4 * MiB)) || fail "$WAIT_ERROR"
  FAILOVER_TEXT=""
  failover_step 1 "$progress" "$pid"
  failover_step 2 "$progress" "$pid"
  wait "$pid" || fail "transfer: $(transfer_error "$WORK/c.json")"
  through_pair "$cm" "$om"
  server_check "$WORK/server9000.jsonl" "$sm" 1
  pass "${size} each way byte-exact (sha256 equal) through ${FAILOVER_TEXT}the same connection throughout"
}

# d_variant TAG WHAT EVENTS TTL [retried]: a fresh CPE (empty capability
# cache) with a short TTL; a transfer must work, fall back, and leave one of
# EVENTS in the CPE's log; the next one must hit the cache, or with
# `retried` (a silent MCP: decisions.md D12) try the MCP again.
small_transfer() {
  transfer "$WORK/d-$1.json" --upload 1M --download 1M || fail "$2: the client's transfer failed: $(transfer_error "$WORK/d-$1.json")"
}

d_variant() {
  local tag=$1 what=$2 events=$3 ttl=$4 expect=${5:-cached}
  stop_daemon cpe
  cpe_config "$WORK/cpe-d.textproto" true "capability_cache_ttl_seconds: $ttl" "setup_timeout_ms: 3000"
  CASE_DAEMONS+=" cpe-$tag"
  start_daemon cpe "cpe-$tag" "$WORK/cpe-d.textproto" || fail "$WAIT_ERROR"
  small_transfer "$tag-1" "$what"
  wait_until "$events in the CPE's log ($what)" log_has "cpe-$tag" 0 " event ($events)( |$)" \
    || fail "$WAIT_ERROR; the CPE logged: $(grep -oE ' event [A-Z_]+' "$WORK/cpe-$tag.log" | sort | uniq -c | tr '\n' ' ')"
  D_EVENT=$(grep -oE " event ($events)" "$WORK/cpe-$tag.log" | head -1 | sed 's/ event //')
  D_CACHED_AT=$SECONDS
  local m
  m=$(log_mark "cpe-$tag")
  small_transfer "$tag-2" "$what, second connection"
  if [[ $expect == retried ]]; then
    log_has "cpe-$tag" "$m" " event PAIR_CREATED( |$)" || fail "$what: the second connection did not try the MCP again"
    ! log_has "cpe-$tag" "$m" " event CAPABILITY_CACHE_HIT( |$)" || fail "$what: the MCP was cached after a silence"
    D_SECOND_WITHIN=$((SECONDS - D_CACHED_AT))
    return 0
  fi
  if ! wait_until "CAPABILITY_CACHE_HIT in the CPE's log for the second connection ($what)" \
    log_has "cpe-$tag" "$m" " event CAPABILITY_CACHE_HIT( |$)"; then
    ((SECONDS - D_CACHED_AT < ttl)) \
      || fail "$WAIT_ERROR; but the second connection ended $((SECONDS - D_CACHED_AT))s after the first, past the ${ttl}s TTL: too slow a machine to tell"
    fail "$WAIT_ERROR"
  fi
  ! log_has "cpe-$tag" "$m" " event PAIR_CREATED( |$)" \
    || fail "$what: the second connection tried the MCP again within the TTL"
  D_SECOND_WITHIN=$((SECONDS - D_CACHED_AT))
}

case_d() {
  local ttl=10 text=""
  # 1. No concentrator: nothing listens on 10.9.0.1:5555 (RST to the SYN).
  stop_daemon concentrator
  d_variant absent "concentrator absent" "MCP_REFUSED|MCP_NO_ECHO|MCP_SETUP_TIMEOUT" "$ttl"
  text+="absent: $D_EVENT, next connection CAPABILITY_CACHE_HIT ${D_SECOND_WITHIN}s later"
  # After the TTL (waiting is the point here) the CPE tries the MCP again.
  local expiry=$((D_CACHED_AT + ttl + 1)) m
  while ((SECONDS < expiry)); do sleep 0.2; done
  m=$(log_mark cpe-absent)
  small_transfer absent-3 "after the TTL"
  wait_until "PAIR_CREATED in the CPE's log after the ${ttl}s TTL (the MCP tried again)" \
    log_has cpe-absent "$m" " event PAIR_CREATED( |$)" || fail "$WAIT_ERROR"
  text+=", after the ${ttl}s TTL PAIR_CREATED again"
  stop_daemon cpe-absent
  # 2. A concentrator that answers wrong bytes, 3. one that answers nothing.
  local answer
  for answer in wrong silent; do
    rm -f "$WORK/bad-$answer.ready"
    "$TESTBED" exec concentrator "$PY" "$E2E/bad_mcp.py" --listen 10.9.0.1:5555 --answer "$answer" \
      --ready "$WORK/bad-$answer.ready" --log "$WORK/bad-$answer.log" 2>>"$WORK/bad-$answer.stderr" &
    local bad=$!
    CASE_PIDS+=("$bad")
    wait_until "bad_mcp.py --answer $answer to listen" test -e "$WORK/bad-$answer.ready" || fail "$WAIT_ERROR"
    if [[ $answer == silent ]]; then
      # Silence may be an MCP still waiting for a slow server: fall back, but
      # do not cache (decisions.md D12).
      d_variant "$answer" "a concentrator that answers $answer" MCP_SETUP_TIMEOUT "$ttl" retried
    else
      d_variant "$answer" "a concentrator that answers $answer" MCP_NO_ECHO "$ttl"
    fi
    grep -q "first_bytes=fa" "$WORK/bad-$answer.log" \
      || fail "bad_mcp.py --answer $answer never got IEs from the CPE: $(head -2 "$WORK/bad-$answer.log")"
    if [[ $answer == silent ]]; then
      text+="; silent after the handshake: $D_EVENT, not cached, the next connection tried the MCP again"
    else
      text+="; $answer echo: $D_EVENT, then CAPABILITY_CACHE_HIT"
    fi
    stop_pid "$bad" "bad_mcp.py"
    stop_daemon "cpe-$answer"
  done
  pass "every transfer byte-exact over plain TCP; $text"
}

case_e() {
  tb mptcp client on
  tb mptcp server on
  start_server native9001 9001 --mptcp || fail "$WAIT_ERROR"
  CASE_PIDS+=("$(cat "$WORK/native9001.pid")")
  local cpe_acc con_acc
  fresh_stats cpe || fail "$WAIT_ERROR"
  fresh_stats concentrator || fail "$WAIT_ERROR"
  cpe_acc=$(jget "$WORK/cpe.stats.json" accepted) con_acc=$(jget "$WORK/concentrator.stats.json" accepted)
  transfer "$WORK/e.json" --connect 10.2.0.2:9001 --mptcp --upload 4M --download 4M \
    || fail "$(transfer_error "$WORK/e.json")"
  [[ $(jget "$WORK/e.json" mptcp_connections) == 1 ]] || fail "the client's socket fell back to plain TCP"
  server_check "$WORK/native9001.jsonl" 0 1
  [[ $SERVER_MPTCP == 1 ]] || fail "the server's accepted socket is not MPTCP (TCP_IS_MPTCP = 0)"
  [[ $PEERS == 10.0.1.2 ]] || fail "the server saw $PEERS, not the client 10.0.1.2"
  fresh_stats cpe || fail "$WAIT_ERROR"
  fresh_stats concentrator || fail "$WAIT_ERROR"
  local d1 d2
  d1=$(($(jget "$WORK/cpe.stats.json" accepted) - cpe_acc))
  d2=$(($(jget "$WORK/concentrator.stats.json" accepted) - con_acc))
  [[ $d1 -eq 0 && $d2 -eq 0 ]] || fail "the daemons accepted the native MPTCP connection (cpe +$d1, concentrator +$d2)"
  pass "4 MiB each way byte-exact; TCP_IS_MPTCP = 1 at the client and at the server (peer 10.0.1.2); the CPE and the concentrator accepted 0 connections"
}

probe() {  # probe OUT ARGS...: mcp_probe.py in the cpe namespace
  local out=$1
  shift
  in_ns cpe "$PY" "$E2E/mcp_probe.py" --to 10.9.0.1:5555 --ie-destination 10.2.0.2:9100 \
    --timeout "$DEADLINE" "$@" >"$out" 2>"$out.err" || fail "mcp_probe.py $*: $(tail -2 "$out.err")"
}

case_f() {
  local m outcome
  # Control: the same probe from inside the ACL is answered with the echo.
  probe "$WORK/f-control.json" --bind 10.1.1.2 --ie valid
  outcome=$(jget "$WORK/f-control.json" outcome)
  [[ $outcome == echo ]] || fail "control: a valid IE from 10.1.1.2 (inside the ACL) got '$outcome', not the echo"
  m=$(log_mark concentrator)
  probe "$WORK/f-acl.json" --bind 10.1.3.2 --ie valid
  local acl_outcome
  acl_outcome=$(jget "$WORK/f-acl.json" outcome)
  wait_until "REFUSED_ACL in the concentrator's log" log_has concentrator "$m" " event REFUSED_ACL( |$)" \
    || fail "$WAIT_ERROR (the probe from 10.1.3.2 got '$acl_outcome')"
  [[ $acl_outcome != echo ]] || fail "the client outside the ACL got the echo"
  m=$(log_mark concentrator)
  probe "$WORK/f-malformed.json" --bind 10.1.1.2 --ie malformed
  local bad_outcome reason
  bad_outcome=$(jget "$WORK/f-malformed.json" outcome)
  wait_until "MALFORMED_IE in the concentrator's log" log_has concentrator "$m" " event MALFORMED_IE( |$)" \
    || fail "$WAIT_ERROR (the malformed-IE probe got '$bad_outcome')"
  [[ $bad_outcome != echo ]] || fail "the malformed IE got an echo"
  reason=$(log_since concentrator "$m" | grep -m1 " event MALFORMED_IE" | grep -oE 'reason=[0-9]+')
  # mptcp_opts::IeStatus: 3 is kBadLength.
  [[ $reason == reason=3 ]] || fail "MALFORMED_IE with $reason, not 3 (IeStatus BAD_LENGTH) for an IE of Length 9"
  pass "control from 10.1.1.2 echoed; from 10.1.3.2 (outside the ACL): REFUSED_ACL, the client saw '$acl_outcome'; IE with Length 9: MALFORMED_IE reason=3 (BAD_LENGTH), the client saw '$bad_outcome'"
}

case_g() {
  local n=500 cm om sm
  # Bound: the relay moves bytes through kernel pipes (splice), so a pair
  # costs user memory only for its state (the core's pair, the daemon's
  # connection records: a few KiB). 16 MiB over the daemon's own high-water
  # mark before the case (32 KiB per connection), and 32 MiB in all (an idle
  # daemon is about 13 MiB), leave room for allocator slack; a daemon that
  # buffered one 64 KiB block per connection and direction in user space
  # would need 500 * 2 * 64 KiB = 62.5 MiB more and fail.
  local growth_bound=$((16 * 1024)) abs_bound=$((32 * 1024))
  # Unshaped: through the 20 Mbit/s uplinks this kernel loses some of 500
  # concurrent MPTCP connections even without the daemons (README.md).
  tb shape 0
  fresh_stats cpe || fail "$WAIT_ERROR"
  fresh_stats concentrator || fail "$WAIT_ERROR"
  local cpe0 con0
  cpe0=$(jget "$WORK/cpe.stats.json" max_rss_kb) con0=$(jget "$WORK/concentrator.stats.json" max_rss_kb)
  cm=$(log_mark cpe) om=$(log_mark concentrator) sm=$(report_lines "$WORK/server9000.jsonl")
  transfer "$WORK/g.json" --connections "$n" --upload 64K --download 64K --barrier \
    || fail "$(transfer_error "$WORK/g.json")"
  local conc
  conc=$(jget "$WORK/g.json" concurrent_at_barrier)
  [[ $conc -eq $n ]] || fail "only $conc of $n connections were open end to end at once"
  local fallbacks
  fallbacks=$(log_since cpe "$cm" | grep -oE " event (MCP_NO_ECHO|MCP_REFUSED|MCP_SETUP_TIMEOUT|CAPABILITY_CACHE_HIT)" | sort | uniq -c | tr '\n' ' ')
  [[ -z $fallbacks ]] || fail "byte-exact, but not all bonded: the CPE fell back to plain TCP:$fallbacks"
  server_check "$WORK/server9000.jsonl" "$sm" "$n"
  fresh_stats cpe || fail "$WAIT_ERROR"
  fresh_stats concentrator || fail "$WAIT_ERROR"
  local cpe1 con1
  cpe1=$(jget "$WORK/cpe.stats.json" max_rss_kb) con1=$(jget "$WORK/concentrator.stats.json" max_rss_kb)
  local figures="max_rss_kb cpe $cpe0 -> $cpe1, concentrator $con0 -> $con1 (bound: +$growth_bound kB and $abs_bound kB in all)"
  ((cpe1 - cpe0 <= growth_bound && con1 - con0 <= growth_bound)) || fail "memory grew too much: $figures"
  ((cpe1 <= abs_bound && con1 <= abs_bound)) || fail "memory above the bound: $figures"
  pass "$n concurrent connections unshaped (all open end to end at once), 64 KiB each way each, all byte-exact, all bonded; $figures"
}

case_h() {
  local cap=$WORK/uplinks.pcap
  # The draft's form on the wire: the IEs in the SYN (TFO).
  stop_daemon cpe
  cpe_config "$WORK/cpe-h.textproto" true
  CASE_DAEMONS+=" cpe-h"
  start_daemon cpe cpe-h "$WORK/cpe-h.textproto" || fail "$WAIT_ERROR"
  "$TESTBED" exec cpe tcpdump -i any -y LINUX_SLL -U -B 16384 -s 160 -w "$cap" "tcp and host 10.9.0.1" \
    >"$WORK/tcpdump.out" 2>"$WORK/tcpdump.err" &
  local td=$!
  CASE_PIDS+=("$td")
  wait_until "tcpdump to listen in the cpe" grep -q "listening on" "$WORK/tcpdump.err" || fail "$WAIT_ERROR"
  transfer "$WORK/h.json" --upload 256K --download 256K || fail "$(transfer_error "$WORK/h.json")"
  "$PY" "$ROOT/mptcp_opts/real_peer/pcap_watch.py" wait-all "$cap" --family 4 --timeout "$DEADLINE" \
    MP_CAPABLE/SYN MP_CAPABLE/SYN_ACK MP_JOIN/SYN MP_JOIN/SYN_ACK MP_JOIN/ACK DSS/DATA_FIN \
    2>"$WORK/h.watch" || fail "$(tail -1 "$WORK/h.watch")"
  kill -INT "$td"
  wait "$td"
  local dropped
  dropped=$(awk '/dropped by kernel/ {print $1}' "$WORK/tcpdump.err")
  [[ ${dropped:-0} == 0 ]] || fail "tcpdump dropped $dropped packets"
  local rc
  "$MPTCP_DECODE" --json --verify "$cap" >"$WORK/h.jsonl" 2>"$WORK/h.decode.err"
  rc=$?
  "$MPTCP_DECODE" --verify "$cap" >"$WORK/h.txt" 2>>"$WORK/h.decode.err" || rc=$((rc ? rc : $?))
  [[ $rc -eq 0 ]] || fail "mptcp-decode --verify: exit status $rc: $(grep -m2 'BAD\|error' "$WORK/h.txt" "$WORK/h.decode.err" | tr '\n' ' ')"
  local s
  s=$("$PY" "$E2E/e2e_json.py" decode-summary "$WORK/h.jsonl")
  local verified failed unverifiable unknown conns subflows ies
  read -r verified failed unverifiable unknown conns subflows ies < <("$PY" -c '
import json, sys
d = json.loads(sys.argv[1]); s = d["summary"] or {}
print(*(s.get(k, -1) for k in ("hmacs_verified", "hmacs_failed", "hmacs_unverifiable",
      "tokens_unknown", "connections", "subflows")), d["mp_convert"])' "$s")
  ((failed == 0 && unverifiable == 0 && unknown == 0)) \
    || fail "HMACs failed $failed, unverifiable $unverifiable, unknown tokens $unknown"
  ((verified >= 2)) || fail "only $verified HMACs verified (an MP_JOIN has 2)"
  ((ies >= 1)) || fail "no MP_CONVERT IE in the capture"
  local size
  size=$(stat -c %s "$cap")
  if [[ -n ${HA_E2E_SAVE_CAPTURE:-} ]]; then
    cp "$cap" "$HA_E2E_SAVE_CAPTURE" && log "capture saved as $HA_E2E_SAVE_CAPTURE"
  fi
  pass "both uplinks captured during a 256 KiB each-way transfer ($((size / 1024)) KiB, snap 160): $conns connection(s), $subflows subflows, $verified HMACs verified, 0 failed, 0 unverifiable, $ies MP_CONVERT IEs decoded"
}

case_i() {
  local size=${HA_E2E_FLOOD_TRANSFER_BYTES:-64M} progress=$WORK/i.progress sm
  # Bound: SYNs with data create child sockets only up to the listener's TFO
  # queue (tfo_queue 1024, KERNEL_FACTS.md section 7); every other SYN is an
  # ordinary half-open the kernel keeps (or answers with a cookie) and never
  # reaches the daemon. A child that does costs the daemon its connection
  # record and the core's pair, a few KiB (the relay buffers nothing in user
  # space): 8 MiB, 8 KiB per queued child, is "flat" with room for allocator
  # slack, and far below what 10k connections held in user space would take.
  local bound=$((8 * 1024))
  sm=$(report_lines "$WORK/server9000.jsonl")
  rm -f "$progress"
  transfer_bg "$WORK/i.json" --upload "$size" --download "$size" --progress "$progress"
  local pid=$TRANSFER_PID
  CASE_PIDS+=("$pid")
  wait_until "the legitimate transfer to move 2 MiB" progress_at_least "$progress" $((2 * MiB)) \
    || fail "$WAIT_ERROR"
  fresh_stats concentrator || fail "$WAIT_ERROR"
  cp "$WORK/concentrator.stats.json" "$WORK/i.before.json"
  local refusal_keys=(events.REFUSED_ACL events.REFUSED_HALF_OPEN_PER_SOURCE events.REFUSED_HALF_OPEN_TOTAL
    events.REFUSED_FLOW_TABLE_FULL events.MALFORMED_IE refused
    kernel.TCPFastOpenListenOverflow kernel.ListenDrops kernel.ListenOverflows kernel.SyncookiesSent)
  in_ns client "$PY" "$E2E/synflood.py" --count 10000 --sources 10.1.1.100-10.1.1.199 \
    --to 10.9.0.1:5555 --ie-destination 10.2.0.2:9100 --rate 5000 --json \
    >"$WORK/i.flood.json" 2>"$WORK/i.flood.err" || fail "synflood.py: $(tail -2 "$WORK/i.flood.err")"
  alive "$pid" || fail "the legitimate transfer ended before the flood did: make it longer (HA_E2E_FLOOD_TRANSFER_BYTES)"
  wait "$pid" || fail "the legitimate transfer during the flood: $(transfer_error "$WORK/i.json")"
  server_check "$WORK/server9000.jsonl" "$sm" 1
  daemon_alive concentrator || fail "the concentrator died during the flood"
  fresh_stats concentrator || fail "$WAIT_ERROR"
  cp "$WORK/concentrator.stats.json" "$WORK/i.after.json"
  local verdict
  verdict=$("$PY" - "$WORK/i.before.json" "$WORK/i.after.json" "$WORK/i.flood.json" "$bound" "${refusal_keys[@]}" <<'EOF'
import json, sys
before, after, flood = (json.load(open(p)) for p in sys.argv[1:4])
bound = int(sys.argv[4])
def get(d, k):
    for p in k.split("."):
        d = d.get(p, {}) if isinstance(d, dict) else {}
    return d if isinstance(d, int) else 0
deltas = {k.split(".")[-1]: get(after, k) - get(before, k) for k in sys.argv[5:]}
refusals = {k: v for k, v in deltas.items() if v}
rss0, rss1 = get(before, "max_rss_kb"), get(after, "max_rss_kb")
accepted = get(after, "accepted") - get(before, "accepted")
text = ("%d SYNs sent; the legitimate transfer completed byte-exact; concentrator max_rss_kb "
        "%d -> %d (bound +%d kB); accepted +%d; refusals: %s" % (
            flood["sent"], rss0, rss1, bound, accepted,
            ", ".join("%s +%d" % kv for kv in refusals.items()) or "none"))
ok = rss1 - rss0 <= bound and sum(refusals.values()) > 0
print(("ok " if ok else "bad ") + text)
EOF
)
  [[ $verdict == ok* ]] || fail "${verdict#bad }"
  pass "${verdict#ok }"
}

# mptcp_mib NS NAME: the kernel's MPTcpExt counter NAME in that namespace.
mptcp_mib() {
  in_ns "$1" awk -v want="$2" '$1 == "MPTcpExt:" { if (!n) { for (i = 2; i <= NF; i++) name[i] = $i; n = 1 }
    else for (i = 2; i <= NF; i++) if (name[i] == want) print $i }' /proc/net/netstat
}
# saw_reset OUT: the client saw its accepted connection reset. Under load the
# RST can land before the client process looks at its connect() result, which
# then reports ECONNRESET; a refused SYN (ECONNREFUSED) would be another thing.
saw_reset() {
  [[ $(jget "$1" connect) == ConnectionResetError ]] || [[ $(jget "$1" connect) == ok && $(jget "$1" outcome) == reset ]]
}
lan_probe() {  # lan_probe OUT ARGS...: lan_probe.py connect in the client namespace
  local out=$1
  shift
  in_ns client "$PY" "$E2E/lan_probe.py" connect --timeout "$DEADLINE" "$@" >"$out" 2>"$out.err" \
    || fail "lan_probe.py $*: $(tail -2 "$out.err")"
}

# (j) What the LAN client sees when the server side fails, given that the
# CPE's kernel accepted its connection before the concentrator answered
# (README.md, "Early accept at the CPE"; the concentrator's failures are case
# (d)); and teardown coupling across the pair: a RST on one side becomes
# MP_FASTCLOSE between the daemons and a RST on the other side.
case_j() {
  local m cm outcome text
  # 1. The server refuses (nothing listens on 10.2.0.2:9099).
  m=$(log_mark concentrator) cm=$(log_mark cpe)
  lan_probe "$WORK/j-refused.json" --to 10.2.0.2:9099
  saw_reset "$WORK/j-refused.json" \
    || fail "server refused: the client saw connect=$(jget "$WORK/j-refused.json" connect) outcome=$(jget "$WORK/j-refused.json" outcome), not an accepted connection reset"
  wait_until "SETUP_FAILED in the concentrator's log (server refused)" log_has concentrator "$m" " event SETUP_FAILED( |$)" \
    || fail "$WAIT_ERROR"
  ! log_since cpe "$cm" | grep -qE " event (MCP_NO_ECHO|MCP_REFUSED|MCP_NOT_MPTCP)" \
    || fail "server refused: the CPE took the concentrator's refusal for a missing MCP"
  text="server refused: accepted, then reset after $(jget "$WORK/j-refused.json" seconds)s (concentrator SETUP_FAILED)"
  # 2. The server is unreachable (10.2.0.99 does not exist): whichever of
  # the concentrator (its setup timer) and the CPE (its own, then a direct
  # attempt) gives up first, the client is reset, and the MCP is not cached.
  cm=$(log_mark cpe)
  lan_probe "$WORK/j-unreachable.json" --to 10.2.0.99:80
  saw_reset "$WORK/j-unreachable.json" \
    || fail "server unreachable: the client saw connect=$(jget "$WORK/j-unreachable.json" connect) outcome=$(jget "$WORK/j-unreachable.json" outcome), not connected then reset"
  ! log_since cpe "$cm" | grep -qE " event (MCP_NO_ECHO|MCP_REFUSED)" \
    || fail "server unreachable: the CPE cached the concentrator as not capable"
  text+="; server unreachable: accepted, then reset after $(jget "$WORK/j-unreachable.json" seconds)s, the MCP not cached"
  # 3. The server resets an established connection: MP_FASTCLOSE from the
  # concentrator to the CPE, then a reset for the client.
  rm -f "$WORK/j-reset.ready"
  in_ns server "$PY" "$E2E/lan_probe.py" serve --listen 10.2.0.2:9098 --mode reset \
    --record "$WORK/j-reset.jsonl" --ready "$WORK/j-reset.ready" 2>>"$WORK/j-reset.stderr" &
  CASE_PIDS+=("$!")
  wait_until "lan_probe.py serve --mode reset to listen" test -e "$WORK/j-reset.ready" || fail "$WAIT_ERROR"
  local tx rx
  tx=$(mptcp_mib concentrator MPFastcloseTx) rx=$(mptcp_mib cpe MPFastcloseRx)
  cm=$(log_mark cpe)
  lan_probe "$WORK/j-server-rst.json" --to 10.2.0.2:9098
  outcome=$(jget "$WORK/j-server-rst.json" outcome)
  [[ $outcome == reset ]] || fail "server reset: the client saw '$outcome', not a reset"
  log_has cpe "$cm" " event PAIR_ESTABLISHED" || fail "server reset: the connection was not bonded first"
  wait_until "MP_FASTCLOSE sent by the concentrator and received by the CPE (MPFastcloseTx/Rx)" \
    eval '(($(mptcp_mib concentrator MPFastcloseTx) > tx && $(mptcp_mib cpe MPFastcloseRx) > rx))' || fail "$WAIT_ERROR"
  text+="; server RST: MP_FASTCLOSE concentrator -> CPE (MPFastcloseTx +$(($(mptcp_mib concentrator MPFastcloseTx) - tx)), MPFastcloseRx +$(($(mptcp_mib cpe MPFastcloseRx) - rx))), client reset"
  # 4. The client resets an established connection: MP_FASTCLOSE from the
  # CPE to the concentrator, then a reset for the server.
  rm -f "$WORK/j-answer.ready"
  in_ns server "$PY" "$E2E/lan_probe.py" serve --listen 10.2.0.2:9097 --mode answer \
    --record "$WORK/j-answer.jsonl" --ready "$WORK/j-answer.ready" 2>>"$WORK/j-answer.stderr" &
  CASE_PIDS+=("$!")
  wait_until "lan_probe.py serve --mode answer to listen" test -e "$WORK/j-answer.ready" || fail "$WAIT_ERROR"
  tx=$(mptcp_mib cpe MPFastcloseTx) rx=$(mptcp_mib concentrator MPFastcloseRx)
  lan_probe "$WORK/j-client-rst.json" --to 10.2.0.2:9097 --abort-after-echo
  [[ $(jget "$WORK/j-client-rst.json" answer) == 5 ]] || fail "client reset: the server's answer did not arrive first"
  wait_until "the server's record of the client's reset" test -s "$WORK/j-answer.jsonl" || fail "$WAIT_ERROR"
  outcome=$(jget "$WORK/j-answer.jsonl" outcome)
  [[ $outcome == reset ]] || fail "client reset: the server saw '$outcome', not a reset"
  wait_until "MP_FASTCLOSE sent by the CPE and received by the concentrator (MPFastcloseTx/Rx)" \
    eval '(($(mptcp_mib cpe MPFastcloseTx) > tx && $(mptcp_mib concentrator MPFastcloseRx) > rx))' || fail "$WAIT_ERROR"
  text+="; client RST: MP_FASTCLOSE CPE -> concentrator, server reset"
  pass "$text"
}

# (k) The concentrator's other address behaviour and transport towards
# servers: with source_mode POOL the server sees the pool address, and a
# server that speaks MPTCP gets MPTCP (relay_mp_capable_to_servers).
case_k() {
  stop_daemon concentrator
  concentrator_config "$WORK/concentrator-k.textproto" POOL
  CASE_DAEMONS+=" concentrator-k"
  start_daemon concentrator concentrator-k "$WORK/concentrator-k.textproto" || fail "$WAIT_ERROR"
  tb mptcp server on
  start_server pool9002 9002 --mptcp || fail "$WAIT_ERROR"
  CASE_PIDS+=("$(cat "$WORK/pool9002.pid")")
  local cm om
  cm=$(log_mark cpe) om=$(log_mark concentrator-k)
  transfer "$WORK/k.json" --connect 10.2.0.2:9002 --upload 4M --download 4M || fail "$(transfer_error "$WORK/k.json")"
  log_has cpe "$cm" " event PAIR_ESTABLISHED" || fail "the CPE's log shows no PAIR_ESTABLISHED: not bonded"
  log_has concentrator-k "$om" " event PAIR_ESTABLISHED" || fail "the concentrator's log shows no PAIR_ESTABLISHED"
  server_check "$WORK/pool9002.jsonl" 0 1
  [[ $PEERS == 10.2.0.100 ]] || fail "with source_mode POOL the server saw $PEERS, not the pool address 10.2.0.100"
  [[ $SERVER_MPTCP == 1 ]] || fail "the server speaks MPTCP but its accepted socket is plain TCP (TCP_IS_MPTCP = 0)"
  pass "4 MiB each way byte-exact through the pair; the server saw the pool address 10.2.0.100 and an MPTCP connection (TCP_IS_MPTCP = 1)"
}

# ------------------------------------------------------------------ inside
inside() {
  WORK=$HA_E2E_WORK
  RESULTS=$WORK/results
  : >"$RESULTS"
  cpe_config "$WORK/cpe.textproto" "$STANDARD_IES_IN_SYN"
  concentrator_config "$WORK/concentrator.textproto"
  local c rc
  for c in "$@"; do
    CASE=$c
    log "=== ${CASE_NAMES[$c]} ==="
    if ! ensure_standard; then
      line FAIL "$c" "could not start the daemons and servers: $WAIT_ERROR" >>"$RESULTS"
      continue
    fi
    (
      trap case_cleanup EXIT
      "case_$c"
    )
    rc=$?
    grep -qP "^(PASS|FAIL)\thybrid_access: \Q${CASE_NAMES[$c]}\E" "$RESULTS" \
      || line FAIL "$c" "the case ended without a verdict (exit status $rc)" >>"$RESULTS"
  done
  local n
  for n in cpe concentrator server9000 junk9100; do
    [[ -f $WORK/$n.pid ]] && stop_pid "$(cat "$WORK/$n.pid")" "$n"
  done
  return 0
}

if [[ ${1:-} == --inside ]]; then
  shift
  inside "$@"
else
  outside "$@"
fi
