#!/usr/bin/env bash
# Produce a pcap of real Linux-kernel MPTCP v1 traffic (IPv4 and IPv6).
#
# Usage: make_kernel_capture.sh OUT.pcap
#
# Two network namespaces (client, server) joined by two veth pairs; the
# in-kernel path manager is configured so that the capture contains
# MP_CAPABLE, MP_JOIN, DSS, ADD_ADDR (+echo, +port), MP_PRIO, REMOVE_ADDR,
# MP_FASTCLOSE and MP_TCPRST.  See README.md in this directory.
#
# Exit codes: 0 ok, 1 failure, 2 usage, 77 cannot run here (skip).
# Environment: VERBOSE=1 prints progress and the peers' logs; PYTHON=path
# overrides the interpreter (default /usr/bin/python3).
set -euo pipefail

readonly ME=${0##*/}
readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly PEER="$HERE/mptcp_peer.py"

die()  { echo "$ME: error: $*" >&2; exit 1; }
skip() { echo "$ME: SKIP: $*" >&2; exit 77; }
log()  { [[ -n ${VERBOSE:-} ]] && echo "$ME: $*" >&2; return 0; }

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  echo "usage: $ME OUT.pcap" >&2
  exit 2
fi
OUT=$1

# ---------------------------------------------------------------- prechecks
if [[ -x /usr/bin/python3 ]]; then PY=${PYTHON:-/usr/bin/python3}; else PY=${PYTHON:-python3}; fi
[[ $EUID -eq 0 ]] || skip "must run as root (needs network namespaces)"
command -v ip >/dev/null 2>&1 || skip "iproute2 'ip' not found"
command -v tcpdump >/dev/null 2>&1 || skip "tcpdump not found"
command -v "$PY" >/dev/null 2>&1 || skip "python3 not found"
[[ -r /proc/sys/net/mptcp/enabled ]] \
  || skip "kernel has no MPTCP support (/proc/sys/net/mptcp/enabled missing)"
[[ $(cat /proc/sys/net/mptcp/enabled) == 1 ]] \
  || skip "MPTCP disabled (net.mptcp.enabled=0)"
ip mptcp limits show >/dev/null 2>&1 \
  || skip "'ip mptcp' unsupported by iproute2 or kernel"
ip netns list >/dev/null 2>&1 || skip "'ip netns' unavailable"

# ---------------------------------------------------------------- setup
readonly NSC="mptcpcap-c-$$"
readonly NSS="mptcpcap-s-$$"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mptcpcap.$$.XXXXXX")
TCPDUMP_PID=""
BG_PIDS=()

cleanup() {
  local rc=$?
  set +e
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  if [[ -n $TCPDUMP_PID ]]; then kill -TERM "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; fi
  for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  ip netns del "$NSC" 2>/dev/null
  ip netns del "$NSS" 2>/dev/null
  ip link del "mc1-$$" 2>/dev/null; ip link del "mc2-$$" 2>/dev/null  # if never moved
  if [[ $rc -ne 0 && $rc -ne 77 && -s $WORK/log ]]; then
    echo "$ME: --- helper log ---" >&2; cat "$WORK/log" >&2
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# NB: background jobs below are started as plain `ip netns exec ... &` (not
# through a shell function) so that $! is the pid of the real program
# (`ip netns exec` execs it) and signals reach it.

ip netns add "$NSC" 2>/dev/null || skip "cannot create network namespace"
ip netns add "$NSS" 2>/dev/null || skip "cannot create network namespace"

# veth pair names are per-namespace once moved; create them with unique
# temporary names in the root namespace to avoid collisions.
for l in 1 2; do
  ip link add "mc$l-$$" type veth peer name "ms$l-$$" 2>/dev/null \
    || skip "cannot create veth pair (veth module missing?)"
  ip link set "mc$l-$$" netns "$NSC" name "c$l"
  ip link set "ms$l-$$" netns "$NSS" name "s$l"
done

for ns in "$NSC" "$NSS"; do
  ip netns exec "$ns" sysctl -qw net.mptcp.enabled=1
  ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0
  ip netns exec "$ns" sysctl -qw net.ipv4.conf.default.rp_filter=0
  ip -n "$ns" link set lo up
done

# Link 1: 10.51.1.0/24, fd00:51:1::/64.  Link 2: 10.51.2.0/24, fd00:51:2::/64.
# Client is .1/::1, server is .2/::2; server also has .3/::3 on link 1 which
# it announces with a port.
for l in 1 2; do
  ip -n "$NSC" addr add "10.51.$l.1/24" dev "c$l"
  ip -n "$NSC" addr add "fd00:51:$l::1/64" dev "c$l" nodad
  ip -n "$NSS" addr add "10.51.$l.2/24" dev "s$l"
  ip -n "$NSS" addr add "fd00:51:$l::2/64" dev "s$l" nodad
  ip -n "$NSC" link set "c$l" up
  ip -n "$NSS" link set "s$l" up
  # veth leaves TCP checksums to "hardware" (never computed): turn that off
  # so the captured segments carry valid checksums.
  if command -v ethtool >/dev/null 2>&1; then
    ip netns exec "$NSC" ethtool -K "c$l" tx off >/dev/null 2>&1 || true
    ip netns exec "$NSS" ethtool -K "s$l" tx off >/dev/null 2>&1 || true
  fi
done
ip -n "$NSS" addr add 10.51.1.3/24 dev s1
ip -n "$NSS" addr add fd00:51:1::3/64 dev s1 nodad
# Low-priority routes to the server's link-1 subnet via link 2: they are only
# used by sockets bound to c2, i.e. the client's `subflow` endpoint, whose
# MP_JOIN towards the server's initial address (on link 1) thus crosses
# link 2.  IPv6 needs this (no on-link guess for a bound device, and the
# server would not answer neighbour solicitations for a link-1 address on
# link 2); IPv4 gets the same for symmetry.
ip -n "$NSC" route add 10.51.1.0/24 via 10.51.2.2 dev c2 metric 2048
ip -n "$NSC" -6 route add fd00:51:1::/64 via fd00:51:2::2 dev c2 metric 2048

for ns in "$NSC" "$NSS"; do
  ip -n "$ns" mptcp limits set subflow 8 add_addr_accepted 8
done

# ---------------------------------------------------------------- capture
# One tcpdump on "any" in the server namespace sees both links (every packet
# crosses a server interface exactly once).  Link type forced to LINUX_SLL
# (cooked v1, 16-byte header; libpcap 1.10 would default to SLL2), TCP only.
ip netns exec "$NSS" tcpdump -i any -y LINUX_SLL -U -s 0 -Z root -w "$WORK/cap.pcap" tcp \
  >"$WORK/tcpdump.out" 2>"$WORK/tcpdump.err" &
TCPDUMP_PID=$!
for _ in $(seq 100); do
  grep -q "listening on" "$WORK/tcpdump.err" 2>/dev/null && break
  kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump exited: $(cat "$WORK/tcpdump.err")"
  sleep 0.05
done
grep -q "listening on" "$WORK/tcpdump.err" || die "tcpdump did not start listening"

# wait_file FILE: wait up to 5 s for FILE to appear
wait_file() {
  for _ in $(seq 100); do [[ -e $1 ]] && return 0; sleep 0.05; done
  return 1
}

# Wait until at least $2 established TCP subflows exist in the client
# namespace (max ~3 s).  Not fatal: the capture is checked at the end.
wait_subflows() {
  local want=$1 n=0
  for _ in $(seq 60); do
    n=$(ip netns exec "$NSC" ss -Htn state established | wc -l)
    (( n >= want )) && { log "$n subflows established"; return 0; }
    sleep 0.05
  done
  echo "$ME: warning: only $n/$want subflows established" >&2
}

# run_phase FAMILY C1 C2 S1 S2 S3 PORT SIGPORT
#   C1/C2: client addresses on link 1/2, S1/S2: server addresses on link 1/2,
#   S3: extra server address on link 1 (announced with port SIGPORT).
run_phase() {
  local fam=$1 c2=$3 s1=$4 s2=$5 s3=$6 port=$7 sigport=$8
  local bindany=0.0.0.0; [[ $fam == 6 ]] && bindany=::
  local hold="$WORK/hold$fam" ready="$WORK/ready$fam"

  # An IPv6 ADD_ADDR with port and HMAC is 30 bytes; with TCP timestamps
  # (12 bytes incl. padding) only 28 bytes of option space are left, so the
  # kernel could never send it.  Run the IPv6 phase without timestamps.
  # For variety the IPv6 phase also uses DSS checksums (MP_CAPABLE "A" bit).
  local ts=1 csum=0; [[ $fam == 6 ]] && ts=0 csum=1
  for ns in "$NSC" "$NSS"; do
    ip netns exec "$ns" sysctl -qw net.ipv4.tcp_timestamps=$ts
    ip netns exec "$ns" sysctl -qw net.mptcp.checksum_enabled=$csum
  done

  ip -n "$NSC" mptcp endpoint flush
  ip -n "$NSS" mptcp endpoint flush
  # client: extra subflow from its link-2 address -> MP_JOIN over link 2
  ip -n "$NSC" mptcp endpoint add "$c2" id 1 dev c2 subflow

  ip netns exec "$NSS" "$PY" "$PEER" server --family "$fam" --bind "$bindany" --port "$port" \
    --greeting-bytes 2000 --timeout 20 --ready-file "$ready" 2>>"$WORK/log" &
  local srv=$!
  BG_PIDS+=("$srv")
  wait_file "$ready" || die "server (IPv$fam) did not start"

  local common=(--family "$fam" --connect "$s1" --port "$port" --greeting-bytes 2000
                --initial-bytes 6000 --chunk-bytes 3000 --interval 0.05
                --hold-file "$hold" --max-seconds 8)
  ip netns exec "$NSC" "$PY" "$PEER" client "${common[@]}" --close abort \
    --connected-file "$WORK/conn${fam}a" 2>>"$WORK/log" &
  local cla=$!
  ip netns exec "$NSC" "$PY" "$PEER" client "${common[@]}" --close graceful \
    --connected-file "$WORK/conn${fam}g" 2>>"$WORK/log" &
  local clg=$!
  BG_PIDS+=("$cla" "$clg")
  wait_file "$WORK/conn${fam}a" && wait_file "$WORK/conn${fam}g" \
    || die "IPv$fam clients did not connect"

  # Only now does the server get its `signal` endpoints: the kernel announces
  # them to the existing connections.  (Announcing at accept time would race
  # with the client's first data segment, which then may or may not carry
  # the MP_CAPABLE-with-data form.)
  # ADD_ADDR for the link-2 address, and ADD_ADDR with a port for the extra
  # link-1 address (the kernel creates the listener for that port itself).
  ip -n "$NSS" mptcp endpoint add "$s2" id 1 dev s2 signal
  ip -n "$NSS" mptcp endpoint add "$s3" id 2 dev s1 signal port "$sigport"

  # 2 connections x (initial + join from client endpoint + join to the
  # announced link-2 address + join to the announced address:port)
  wait_subflows 8
  sleep 0.3
  # MP_PRIO: client marks its link-2 endpoint as backup, the server its
  # address:port endpoint
  ip -n "$NSC" mptcp endpoint change id 1 backup
  ip -n "$NSS" mptcp endpoint change id 2 backup
  sleep 0.3
  # ... and back (MP_PRIO with B=0)
  ip -n "$NSC" mptcp endpoint change id 1 nobackup
  sleep 0.3
  # REMOVE_ADDR from the server (id 1 = link-2 address) ...
  ip -n "$NSS" mptcp endpoint delete id 1
  sleep 0.3
  # ... and from the client (id 1 = its link-2 address)
  ip -n "$NSC" mptcp endpoint delete id 1
  sleep 0.3
  # release the clients: one aborts (MP_FASTCLOSE / MP_TCPRST), one closes
  # gracefully (DATA_FIN)
  touch "$hold"
  local rc=0
  wait "$cla" || rc=$?
  wait "$clg" || rc=$?
  sleep 0.3
  kill -TERM "$srv" 2>/dev/null || true
  wait "$srv" || true
  BG_PIDS=()
  (( rc == 0 )) || die "IPv$fam client failed (rc=$rc)"
}

START=$(date +%s.%N)
run_phase 4 10.51.1.1 10.51.2.1 10.51.1.2 10.51.2.2 10.51.1.3 10004 10104
run_phase 6 fd00:51:1::1 fd00:51:2::1 fd00:51:1::2 fd00:51:2::2 fd00:51:1::3 10006 10106

sleep 0.2
stop_tcpdump() {
  kill -INT "$TCPDUMP_PID" 2>/dev/null || true
  for _ in $(seq 40); do kill -0 "$TCPDUMP_PID" 2>/dev/null || break; sleep 0.05; done
  kill -TERM "$TCPDUMP_PID" 2>/dev/null || true   # no-op unless SIGINT was ignored
  wait "$TCPDUMP_PID" || true
  TCPDUMP_PID=""
}
stop_tcpdump
if [[ -n ${VERBOSE:-} ]]; then cat "$WORK/log" >&2; fi

cp "$WORK/cap.pcap" "$OUT"
END=$(date +%s.%N)
tcpdump -n -r "$OUT" >"$WORK/txt" 2>/dev/null
npkts=$(wc -l <"$WORK/txt")
nmptcp=$(grep -c 'mptcp ' "$WORK/txt" || true)
# occurrences per option as tcpdump 4.99 names them ("unknown" = MP_TCPRST,
# which tcpdump 4.99 does not decode)
opts=$(grep -oE 'mptcp [0-9]+ [a-z-]+' "$WORK/txt" | awk '{print $3}' | sort | uniq -c \
       | awk '{printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $1}')
missing=""
for o in capable join dss add-addr rem-addr prio fast-close; do
  grep -q "mptcp [0-9]* $o" "$WORK/txt" || missing+=" $o"
done
[[ -z $missing ]] || echo "$ME: warning: no MPTCP option(s) of type:$missing" >&2
secs=$(awk -v a="$START" -v b="$END" 'BEGIN { printf "%.1f", b - a }')
echo "$ME: wrote $OUT: $npkts packets, $nmptcp with MPTCP options ($opts) in ${secs}s"
