#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Produce a pcap of real Linux-kernel MPTCP v1 traffic (IPv4 and IPv6).
#
# Usage: make_kernel_capture.sh OUT.pcap
#
# Two network namespaces (client, server) joined by two veth pairs; the
# in-kernel path manager is configured so that the capture contains
# MP_CAPABLE, MP_JOIN, DSS, ADD_ADDR (+echo, +port), MP_PRIO, REMOVE_ADDR,
# MP_FASTCLOSE and MP_TCPRST.  See README.md in this directory.
#
# Every step acts and then waits, with a deadline, until what it must
# produce is observable: the option forms in the capture itself (tcpdump -U
# writes each packet as libpcap hands it over, pcap_watch.py reads the file
# while it grows) or the subflows' state in `ss`.  Nothing waits a fixed
# time and hopes.  A deadline that expires is a failure that names what was
# awaited.  tcpdump is stopped only once the capture holds every required
# form (kernel_forms.py); forms this kernel cannot send are not attempted or
# not required, and kernel_forms.py reports them as named skips.
#
# Exit codes: 0 ok, 1 failure, 2 usage, 77 cannot run here (skip).
# Environment: VERBOSE=1 prints progress and the peers' logs; PYTHON=path
# overrides the interpreter (default /usr/bin/python3); REAL_PEER_DEADLINE
# is the deadline of each wait in seconds (default 60);
# REAL_PEER_ABORT_ATTEMPTS bounds the abortive closes tried per phase
# (default 3); REAL_PEER_KERNEL_VERSION pretends another kernel version
# (see kernel_forms.py).
set -euo pipefail

readonly ME=${0##*/}
readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly PEER="$HERE/mptcp_peer.py"

die()  { echo "$ME: error: $*" >&2; exit 1; }
skip() { echo "$ME: SKIP: $*" >&2; exit 77; }
log()  { [[ -n ${VERBOSE:-} ]] && echo "$ME: $(date +%T.%N | cut -c1-12) $*" >&2; return 0; }

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  echo "usage: $ME OUT.pcap" >&2
  exit 2
fi
OUT=$1
DEADLINE=${REAL_PEER_DEADLINE:-60}
ABORT_ATTEMPTS=${REAL_PEER_ABORT_ATTEMPTS:-3}

# ---------------------------------------------------------------- prechecks
if [[ -x /usr/bin/python3 ]]; then PY=${PYTHON:-/usr/bin/python3}; else PY=${PYTHON:-python3}; fi
[[ $EUID -eq 0 ]] || skip "must run as root (needs network namespaces)"
command -v ip >/dev/null 2>&1 || skip "iproute2 'ip' not found"
command -v ss >/dev/null 2>&1 || skip "iproute2 'ss' not found"
command -v tcpdump >/dev/null 2>&1 || skip "tcpdump not found"
command -v "$PY" >/dev/null 2>&1 || skip "python3 not found"
[[ -r /proc/sys/net/mptcp/enabled ]] \
  || skip "kernel has no MPTCP support (/proc/sys/net/mptcp/enabled missing)"
[[ $(cat /proc/sys/net/mptcp/enabled) == 1 ]] \
  || skip "MPTCP disabled (net.mptcp.enabled=0)"
ip mptcp limits show >/dev/null 2>&1 \
  || skip "'ip mptcp' unsupported by iproute2 or kernel"
ip netns list >/dev/null 2>&1 || skip "'ip netns' unavailable"
floor=$("$PY" "$HERE/kernel_forms.py" floor) || skip "$floor"

WATCH=("$PY" "$HERE/pcap_watch.py")
can() { "$PY" "$HERE/kernel_forms.py" can "$1"; }

# ---------------------------------------------------------------- setup
readonly NSC="mptcpcap-c-$$"
readonly NSS="mptcpcap-s-$$"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mptcpcap.$$.XXXXXX")
CAP="$WORK/cap.pcap"
TCPDUMP_PID=""
BG_PIDS=()
ATTEMPTS=()

cleanup() {
  local rc=$?
  set +e
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  if [[ -n $TCPDUMP_PID ]]; then kill -TERM "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; fi
  for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  ip netns del "$NSC" 2>/dev/null
  ip netns del "$NSS" 2>/dev/null
  ip link del "mc1-$$" 2>/dev/null; ip link del "mc2-$$" 2>/dev/null  # if never moved
  if [[ $rc -ne 0 && $rc -ne 77 ]]; then
    if [[ -s $WORK/log ]]; then echo "$ME: --- helper log ---" >&2; cat "$WORK/log" >&2; fi
    if [[ -s $CAP ]]; then
      cp "$CAP" "$OUT" && echo "$ME: the capture so far is in $OUT" >&2
      "${WATCH[@]}" count "$OUT" >&2
    fi
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
# -U: tcpdump writes each packet to the file as soon as libpcap hands it
# over, so the waits below can read the file while it grows.  libpcap hands
# packets over in ring-buffer blocks, at the latest 1 s after they were
# seen (tcpdump's buffer timeout).  Not --immediate-mode: that switches
# libpcap to fixed-size slots of one snaplen (256 KiB) each, only 8 of them
# in the default 2 MiB, and a descheduled tcpdump then drops packets.
# -B 32768: a 32 MiB ring, far more than the whole capture.  A kernel drop
# is still detected at the end (and fails the run).
ip netns exec "$NSS" tcpdump -i any -y LINUX_SLL -U -B 32768 -s 0 -Z root -w "$CAP" tcp \
  >"$WORK/tcpdump.out" 2>"$WORK/tcpdump.err" &
TCPDUMP_PID=$!

# wait_for WHAT PID FILE: wait until FILE exists, as long as process PID
# lives, at most DEADLINE seconds.
wait_for() {
  local what=$1 pid=$2 file=$3 end=$((SECONDS + DEADLINE))
  until [[ -e $file ]]; do
    kill -0 "$pid" 2>/dev/null || die "$what: the process exited first"
    (( SECONDS < end )) || die "timed out after ${DEADLINE}s waiting for $what"
    sleep 0.05
  done
}
end=$((SECONDS + DEADLINE))
until grep -q "listening on" "$WORK/tcpdump.err" 2>/dev/null; do
  kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump exited: $(cat "$WORK/tcpdump.err")"
  (( SECONDS < end )) || die "timed out after ${DEADLINE}s waiting for tcpdump to listen"
  sleep 0.05
done

mark() { "${WATCH[@]}" mark "$CAP"; }

# await FAMILY SINCE WHAT PORTS FORM...: wait until each connection (named
# by its client port; PORTS is a space-separated list) carries every FORM
# in packets after mark SINCE.
await() {
  local fam=$1 since=$2 what=$3 ports=$4 conns=()
  shift 4
  for p in $ports; do conns+=(--conn "$p"); done
  log "awaiting $what (IPv$fam)"
  "${WATCH[@]}" wait "$CAP" --family "$fam" --since "$since" --timeout "$DEADLINE" \
    --what "$what" "${conns[@]}" "$@"
}

# await_ss NS FAMILY WHAT ARGS...: wait for a subflow state (pcap_watch.py wait-ss).
await_ss() {
  local ns=$1 fam=$2 what=$3
  shift 3
  log "awaiting $what (IPv$fam)"
  "${WATCH[@]}" wait-ss --ns "$ns" --family "$fam" --timeout "$DEADLINE" --what "$what" "$@"
}

# client_port FILE: the local port a client wrote to its --connected-file.
client_port() { awk '{print $2}' "$1"; }

# run_phase FAMILY C1 C2 S1 S2 S3 PORT SIGPORT
#   C1/C2: client addresses on link 1/2, S1/S2: server addresses on link 1/2,
#   S3: extra server address on link 1 (announced with port SIGPORT).
run_phase() {
  local fam=$1 c2=$3 s1=$4 s2=$5 s3=$6 port=$7 sigport=$8
  local bindany=0.0.0.0; [[ $fam == 6 ]] && bindany=::
  local ready="$WORK/ready$fam" m

  # An IPv6 ADD_ADDR with port and HMAC is 30 bytes; with TCP timestamps
  # (12 bytes incl. padding) only 28 bytes of option space are left, so the
  # kernel could never send it.  Run the IPv6 phase without timestamps.
  # The IPv6 phase also uses DSS checksums (MP_CAPABLE "A" bit) where the
  # kernel has them.
  local ts=1 csum=0; [[ $fam == 6 ]] && ts=0
  [[ $fam == 6 ]] && can DSS/csum && csum=1
  for ns in "$NSC" "$NSS"; do
    ip netns exec "$ns" sysctl -qw net.ipv4.tcp_timestamps=$ts
    if [[ -e /proc/sys/net/mptcp/checksum_enabled ]]; then
      ip netns exec "$ns" sysctl -qw net.mptcp.checksum_enabled=$csum
    fi
  done
  local first_data=MP_CAPABLE/ACK+data csum_forms=()
  if (( csum )); then first_data=MP_CAPABLE/ACK+data+csum; csum_forms=(DSS/csum@client DSS/csum@server); fi

  ip -n "$NSC" mptcp endpoint flush
  ip -n "$NSS" mptcp endpoint flush
  # client: extra subflow from its link-2 address -> MP_JOIN over link 2
  ip -n "$NSC" mptcp endpoint add "$c2" id 1 dev c2 subflow

  ip netns exec "$NSS" "$PY" "$PEER" server --family "$fam" --bind "$bindany" --port "$port" \
    --greeting-bytes 2000 --ready-file "$ready" 2>>"$WORK/log" &
  local srv=$!
  BG_PIDS+=("$srv")
  wait_for "the IPv$fam server to listen" "$srv" "$ready"

  # 1. Two connections; the client sends first, so its first data segment
  #    carries MP_CAPABLE with data.  Each client has its own hold file.
  local p0; p0=$(mark)
  local common=(--family "$fam" --connect "$s1" --port "$port" --greeting-bytes 2000
                --initial-bytes 6000 --chunk-bytes 3000 --interval 0.05)
  ip netns exec "$NSC" "$PY" "$PEER" client "${common[@]}" --close abort \
    --hold-file "$WORK/hold${fam}a" --connected-file "$WORK/conn${fam}a" 2>>"$WORK/log" &
  local cla=$!
  ip netns exec "$NSC" "$PY" "$PEER" client "${common[@]}" --close graceful \
    --hold-file "$WORK/hold${fam}g" --connected-file "$WORK/conn${fam}g" 2>>"$WORK/log" &
  local clg=$!
  BG_PIDS+=("$cla" "$clg")
  wait_for "the IPv$fam abortive client to connect" "$cla" "$WORK/conn${fam}a"
  wait_for "the IPv$fam graceful client to connect" "$clg" "$WORK/conn${fam}g"
  local pa pg; pa=$(client_port "$WORK/conn${fam}a"); pg=$(client_port "$WORK/conn${fam}g")
  await "$fam" "$p0" "the MP_CAPABLE handshakes and first data" "$pa $pg" \
    MP_CAPABLE/SYN@client MP_CAPABLE/SYN_ACK@server MP_CAPABLE/ACK@client \
    "$first_data@client" DSS@server "${csum_forms[@]}"

  # 2. Only now does the server get its `signal` endpoints: the kernel
  #    announces them to the existing connections.  (Announcing at accept
  #    time would race with the client's first data segment, which then may
  #    or may not carry the MP_CAPABLE-with-data form.)  ADD_ADDR for the
  #    link-2 address, and ADD_ADDR with a port for the extra link-1
  #    address (the kernel creates the listener for that port itself).
  m=$(mark)
  local joins=2 announce=(ADD_ADDR/hmac@server ADD_ADDR/echo@client)
  ip -n "$NSS" mptcp endpoint add "$s2" id 1 dev s2 signal
  if can ADD_ADDR/hmac+port; then
    ip -n "$NSS" mptcp endpoint add "$s3" id 2 dev s1 signal port "$sigport"
    joins=3 announce+=(ADD_ADDR/hmac+port@server ADD_ADDR/echo+port@client)
  fi
  await "$fam" "$m" "the ADD_ADDRs and their echoes" "$pa $pg" "${announce[@]}"
  # Per connection: a join from the client's subflow endpoint, one to each
  # announced address.
  await "$fam" "$p0" "the MP_JOIN handshakes" "$pa $pg" \
    "MP_JOIN/SYN@client=$joins" "MP_JOIN/SYN_ACK@server=$joins" "MP_JOIN/ACK@client=$joins"
  # MP_PRIO and REMOVE_ADDR go out on a subflow that is fully established
  # (the kernel skips a join still waiting for its fourth ACK).
  local subflows=$((2 * (joins + 1)))
  await_ss "$NSC" "$fam" "every subflow fully established at the client" \
    --fully-established --ge "$subflows"
  await_ss "$NSS" "$fam" "every subflow established at the server" --ge "$subflows"

  # 3. MP_PRIO: the client marks its link-2 endpoint as backup, the server
  #    its address:port endpoint; then the client's goes back (B=0).
  if can MP_PRIO/backup; then
    m=$(mark)
    ip -n "$NSC" mptcp endpoint change id 1 backup
    ip -n "$NSS" mptcp endpoint change id 2 backup
    await "$fam" "$m" "MP_PRIO backup from both sides" "$pa $pg" \
      MP_PRIO/backup@client MP_PRIO/backup@server
    m=$(mark)
    ip -n "$NSC" mptcp endpoint change id 1 nobackup
    await "$fam" "$m" "MP_PRIO non-backup from the client" "$pa $pg" MP_PRIO/nobackup@client
  fi

  # 4. REMOVE_ADDR from the server (id 1 = link-2 address), whose subflows
  #    to that address then close ...
  m=$(mark)
  ip -n "$NSS" mptcp endpoint delete id 1
  await "$fam" "$m" "REMOVE_ADDR from the server" "$pa $pg" REMOVE_ADDR@server
  await_ss "$NSC" "$fam" "the subflows to the removed server address to close" \
    --remote "$s2" --eq 0
  # ... and from the client (id 1 = its link-2 address).
  m=$(mark)
  ip -n "$NSC" mptcp endpoint delete id 1
  await "$fam" "$m" "REMOVE_ADDR from the client" "$pa $pg" REMOVE_ADDR@client
  await_ss "$NSC" "$fam" "the subflows from the removed client address to close" \
    --local "$c2" --eq 0

  # 5. Graceful close: DATA_FIN one way, then the other.
  m=$(mark)
  touch "$WORK/hold${fam}g"
  await "$fam" "$m" "DATA_FIN both ways on the graceful close" "$pg" \
    DSS/DATA_FIN@client DSS/DATA_FIN@server
  wait "$clg" || die "the IPv$fam graceful client failed (exit $?)"

  # 6. Abortive close: the client waits until the echo of its last chunk is
  #    in its receive queue (FIONREAD > 0), then closes with linger {1,0}:
  #    MP_FASTCLOSE + MP_TCPRST on each subflow still open.  Should a close
  #    not give them, only this step is tried again, on a fresh connection,
  #    while tcpdump keeps running.
  m=$(mark)
  touch "$WORK/hold${fam}a"
  wait "$cla" || die "the IPv$fam abortive client failed (exit $?)"
  if can MP_FASTCLOSE; then
    local fc=(MP_FASTCLOSE@client) attempt=1 pr
    can MP_TCPRST && fc+=(MP_TCPRST@client)
    pr=$pa
    until await "$fam" "$m" "${fc[*]} on abortive close $attempt" "$pr" "${fc[@]}"; do
      (( attempt < ABORT_ATTEMPTS )) || die "no ${fc[*]} over IPv$fam in $attempt abortive closes"
      attempt=$((attempt + 1))
      echo "$ME: IPv$fam abortive close: trying again on a new connection ($attempt of $ABORT_ATTEMPTS)" >&2
      m=$(mark)
      ip netns exec "$NSC" "$PY" "$PEER" client "${common[@]}" --close abort \
        --connected-file "$WORK/conn${fam}r$attempt" 2>>"$WORK/log" || die "the retry client failed"
      pr=$(client_port "$WORK/conn${fam}r$attempt")
    done
    ATTEMPTS+=("IPv$fam $attempt")
  fi
  kill -TERM "$srv" 2>/dev/null || true
  wait "$srv" || true
  BG_PIDS=()
}

START=$(date +%s.%N)
run_phase 4 10.51.1.1 10.51.2.1 10.51.1.2 10.51.2.2 10.51.1.3 10004 10104
run_phase 6 fd00:51:1::1 fd00:51:2::1 fd00:51:1::2 fd00:51:2::2 fd00:51:1::3 10006 10106

# The steps have each seen their forms; this gate makes the rule explicit:
# tcpdump stops only once the capture holds every form required of this
# kernel, over both families.
for fam in 4 6; do
  mapfile -t required < <("$PY" "$HERE/kernel_forms.py" required "$fam")
  "${WATCH[@]}" wait-all "$CAP" --family "$fam" --timeout "$DEADLINE" "${required[@]}" \
    || die "the capture lacks required IPv$fam forms"
done
kill -INT "$TCPDUMP_PID" 2>/dev/null || true
wait "$TCPDUMP_PID" || true
TCPDUMP_PID=""
dropped=$(awk '/dropped by kernel/ {print $1}' "$WORK/tcpdump.err")
[[ ${dropped:-0} == 0 ]] || die "tcpdump: $dropped packets dropped by kernel (the capture is incomplete)"
if [[ -n ${VERBOSE:-} ]]; then cat "$WORK/log" >&2; fi

cp "$CAP" "$OUT"
END=$(date +%s.%N)
secs=$(awk -v a="$START" -v b="$END" 'BEGIN { printf "%.1f", b - a }')
"${WATCH[@]}" count "$OUT" >"$WORK/count"
echo "$ME: abortive closes per phase: ${ATTEMPTS[*]:-none required}"
sed "s/^/$ME: /" "$WORK/count"
echo "$ME: wrote $OUT: $(tail -1 "$WORK/count") in ${secs}s"
