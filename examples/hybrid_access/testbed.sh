#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The hybrid-access testbed (issue 13): four network namespaces, a CPE with
# two shaped uplinks to a concentrator (network MCP), a legacy client and a
# legacy server.
#
#  client ──lan── cpe ══up1 (tbf, both ends)══ concentrator ──wan── server
#  10.0.1.2       10.0.1.1   10.1.1.2 ──────── 10.1.1.1     10.2.0.1  10.2.0.2
#                            10.1.3.2 (outside  10.1.3.1
#                                     the ACL)
#                            10.1.2.2 ──────── 10.1.2.1
#                  ══up2 (tbf, both ends)══    MCP address  10.9.0.1/32 (lo)
#                                              pool address 10.2.0.100/32 (wan0)
#
# Interfaces: client lan0; cpe lan0 up1 up2; concentrator up1 up2 wan0;
# server wan0. The veth pairs are created directly inside the namespaces, so
# the root namespace never holds any of them. Namespace names are
# ${HA_PREFIX}client, ${HA_PREFIX}cpe, ${HA_PREFIX}concentrator and
# ${HA_PREFIX}server (HA_PREFIX is empty by default).
#
# The cpe intercepts the LAN's TCP with nftables TPROXY: a SYN from lan0 that
# carries no MPTCP option and is not addressed to the cpe itself goes to the
# transparent listener 0.0.0.0:7000; packets of existing transparent sockets
# are delivered locally; native MPTCP from the LAN and the cpe's own traffic
# are routed untouched. The concentrator delivers the server's answers to its
# transparent sockets bound to a client's address (PRESERVE) with
# `socket transparent 1` -> mark 1 -> a local route table. The facts behind
# every rule are in KERNEL_FACTS.md, next to this file.
#
# Usage:
#   testbed.sh check                  exit 0 if the testbed can run here, else
#                                     print "SKIP hybrid_access: <reason>", exit 77
#   testbed.sh up [--rate MBIT]       (re)create everything; 0 = unshaped; default 20
#   testbed.sh down                   kill every process in the namespaces, delete them
#   testbed.sh shape MBIT             reshape both uplinks (0 = unshaped)
#   testbed.sh uplink 1|2 down|up     both link ends down; or up with routes and the
#                                     MPTCP endpoint restored
#   testbed.sh mptcp client|server on|off   net.mptcp.enabled in that namespace
#   testbed.sh exec NS cmd...         NS = client|cpe|concentrator|server
#   testbed.sh run [--rate MBIT] cmd...  up, run cmd with HA_PREFIX exported, down on
#                                     EXIT/INT/TERM/HUP; exits with cmd's status
#
# Environment: HA_PREFIX (namespace name prefix), HA_DEADLINE (seconds to wait
# for processes to exit in `down`, default 60).
set -euo pipefail

readonly ME=${0##*/}
readonly PREFIX=${HA_PREFIX:-}
readonly DEADLINE=${HA_DEADLINE:-60}
readonly ROLES=(client cpe concentrator server)
readonly DEFAULT_RATE=20
readonly TPROXY_PORT=7000
readonly TPROXY_MARK=1
readonly TPROXY_TABLE=100
readonly UP2_TABLE=102

die() {
  echo "$ME: error: $*" >&2
  exit 1
}
usage() {
  awk '/^# Usage:/ { p = 1 } /^set -euo/ { exit } p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

ns() { echo "${PREFIX}$1"; }
in_ns() {
  local role=$1
  shift
  ip netns exec "$(ns "$role")" "$@"
}
ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF -- "$1"; }

# ------------------------------------------------------------------ check
# Prints the reason the testbed cannot run here, or nothing. Everything it
# needs is probed in a scratch namespace that is always removed.
cannot_run_reason() {
  [[ $EUID -eq 0 ]] || { echo "not root (needs network namespaces)"; return; }
  local tool
  for tool in ip tc nft ss; do
    command -v "$tool" >/dev/null 2>&1 || { echo "'$tool' not found"; return; }
  done
  [[ -r /proc/sys/net/mptcp/enabled ]] \
    || { echo "kernel has no MPTCP (/proc/sys/net/mptcp/enabled missing)"; return; }
  local probe="${PREFIX}hacheck-$$"
  ip netns add "$probe" 2>/dev/null || { echo "cannot create a network namespace"; return; }
  local reason=""
  if ! ip -n "$probe" link add ha0 type veth peer name ha1 2>/dev/null; then
    reason="no veth support"
  elif ! tc -n "$probe" qdisc add dev ha0 root tbf rate 20mbit burst 32kbit latency 100ms 2>/dev/null; then
    reason="no tbf qdisc"
  elif ! ip -n "$probe" mptcp limits show >/dev/null 2>&1; then
    reason="'ip mptcp' unsupported by iproute2 or the kernel"
  elif ! ip netns exec "$probe" nft -f - 2>/dev/null <<EOF
table ip probe {
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    tcp flags & (syn | ack) == syn tcp option mptcp missing meta mark set 1 tproxy to :$TPROXY_PORT
    socket transparent 1 meta mark set 1
  }
}
EOF
  then
    reason="nftables lacks tcp option mptcp, tproxy or socket matching"
  fi
  ip netns del "$probe" 2>/dev/null || true
  echo "$reason"
}

cmd_check() {
  local reason
  reason=$(cannot_run_reason)
  if [[ -n $reason ]]; then
    echo "SKIP hybrid_access: $reason"
    exit 77
  fi
}

# ------------------------------------------------------------------ down
ns_pids() { ip netns pids "$1" 2>/dev/null || true; }

# Sends SIG to every process in the existing namespaces, then waits (with the
# deadline) until none is left. Returns 1 if some survived.
kill_ns_processes() {
  local sig=$1 deadline=$2 role pids left
  for role in "${ROLES[@]}"; do
    ns_exists "$(ns "$role")" || continue
    pids=$(ns_pids "$(ns "$role")")
    # shellcheck disable=SC2086  # one word per pid
    [[ -z $pids ]] || kill "-$sig" $pids 2>/dev/null || true
  done
  local end=$((SECONDS + deadline))
  while :; do
    left=""
    for role in "${ROLES[@]}"; do
      ns_exists "$(ns "$role")" || continue
      left+=$(ns_pids "$(ns "$role")")
    done
    [[ -n $left ]] || return 0
    ((SECONDS < end)) || return 1
    sleep 0.1
  done
}

cmd_down() {
  if ! kill_ns_processes TERM "$DEADLINE"; then
    echo "$ME: processes ignored SIGTERM for ${DEADLINE}s, sending SIGKILL" >&2
    kill_ns_processes KILL "$DEADLINE" || die "processes survive SIGKILL in the testbed namespaces"
  fi
  local role
  for role in "${ROLES[@]}"; do
    if ns_exists "$(ns "$role")"; then
      ip netns del "$(ns "$role")"
    fi
  done
  # A probe namespace left by a `check` that was killed before its cleanup.
  local name
  for name in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    [[ $name == "${PREFIX}hacheck-"* && ${name##*-} =~ ^[0-9]+$ ]] || continue
    kill -0 "${name##*-}" 2>/dev/null || ip netns del "$name"
  done
}

# ------------------------------------------------------------------ shaping
# tbf needs a bucket of at least one packet and enough for the timer
# granularity: 1.6 ms worth of the rate, never below 4000 bytes (32 kbit).
shape_dev() {
  local role=$1 dev=$2 rate=$3
  if ((rate == 0)); then
    tc -n "$(ns "$role")" qdisc del dev "$dev" root 2>/dev/null || true
    return
  fi
  local burst=$((rate * 200))
  ((burst >= 4000)) || burst=4000
  tc -n "$(ns "$role")" qdisc replace dev "$dev" root tbf \
    rate "${rate}mbit" burst "$burst" latency 100ms
}

cmd_shape() {
  [[ $# -eq 1 && $1 =~ ^[0-9]+$ ]] || usage
  local dev
  for dev in up1 up2; do
    shape_dev cpe "$dev" "$1"
    shape_dev concentrator "$dev" "$1"
  done
}

# ------------------------------------------------------------------ up
veth() {  # veth ROLE_A ROLE_B IFNAME: one pair, the same name at both ends
  ip -n "$(ns "$1")" link add "$3" type veth peer name "$3" netns "$(ns "$2")"
}

sysctls() {
  local role=$1
  shift
  in_ns "$role" sysctl -qw "$@" >/dev/null
}

# The cpe's address on uplink N, also the address of its MPTCP endpoint.
uplink_address() { echo "10.1.$1.2"; }

# Routes that disappear when a link goes down; `uplink N up` restores them.
uplink_routes() {
  case $1 in
    1)
      ip -n "$(ns cpe)" route replace default via 10.1.1.1 dev up1
      ip -n "$(ns concentrator)" route replace 10.0.1.0/24 via 10.1.1.2 dev up1
      ;;
    2)
      ip -n "$(ns cpe)" route replace default via 10.1.2.1 dev up2 table "$UP2_TABLE"
      ;;
  esac
}

cpe_nft() {
  in_ns cpe nft -f - <<EOF
table ip hybrid_access {
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    # Packets of connections the transparent listener already accepted.
    iifname "lan0" meta l4proto tcp socket transparent 1 meta mark set $TPROXY_MARK accept
    # The cpe's own addresses are not intercepted.
    iifname "lan0" fib daddr type local accept
    # A LAN SYN without the MPTCP option (kind 30) goes to the CPE daemon;
    # native MPTCP SYNs are routed untouched.
    iifname "lan0" tcp flags & (fin | syn | rst | ack) == syn tcp option mptcp missing \\
      meta mark set $TPROXY_MARK tproxy to :$TPROXY_PORT accept
  }
}
EOF
  ip -n "$(ns cpe)" rule add fwmark "$TPROXY_MARK" lookup "$TPROXY_TABLE"
  ip -n "$(ns cpe)" route add local 0.0.0.0/0 dev lo table "$TPROXY_TABLE"
}

concentrator_nft() {
  in_ns concentrator nft -f - <<EOF
table ip hybrid_access {
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    # Answers to transparent sockets bound to a client's address (PRESERVE).
    meta l4proto tcp socket transparent 1 meta mark set $TPROXY_MARK accept
  }
}
EOF
  ip -n "$(ns concentrator)" rule add fwmark "$TPROXY_MARK" lookup "$TPROXY_TABLE"
  ip -n "$(ns concentrator)" route add local 0.0.0.0/0 dev lo table "$TPROXY_TABLE"
}

cmd_up() {
  local rate=$DEFAULT_RATE
  if [[ $# -gt 0 ]]; then
    [[ $# -eq 2 && $1 == --rate && $2 =~ ^[0-9]+$ ]] || usage
    rate=$2
  fi
  local reason
  reason=$(cannot_run_reason)
  [[ -z $reason ]] || die "cannot run here: $reason"
  TEARDOWN_ON_EXIT=1
  cmd_down

  local role
  for role in "${ROLES[@]}"; do
    ip netns add "$(ns "$role")"
    ip -n "$(ns "$role")" link set lo up
    # Before the interfaces exist, so that they inherit the defaults.
    sysctls "$role" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  done

  veth client cpe lan0
  veth cpe concentrator up1
  veth cpe concentrator up2
  veth concentrator server wan0

  # client
  sysctls client net.mptcp.enabled=0
  ip -n "$(ns client)" addr add 10.0.1.2/24 dev lan0
  ip -n "$(ns client)" link set lan0 up
  ip -n "$(ns client)" route add default via 10.0.1.1

  # cpe
  sysctls cpe net.ipv4.ip_forward=1 net.ipv4.tcp_fastopen=0x5 net.mptcp.enabled=1
  ip -n "$(ns cpe)" addr add 10.0.1.1/24 dev lan0
  ip -n "$(ns cpe)" addr add 10.1.1.2/24 dev up1
  ip -n "$(ns cpe)" addr add 10.1.3.2/24 dev up1
  ip -n "$(ns cpe)" addr add 10.1.2.2/24 dev up2
  local dev
  for dev in lan0 up1 up2; do ip -n "$(ns cpe)" link set "$dev" up; done
  ip -n "$(ns cpe)" rule add from 10.1.2.2 table "$UP2_TABLE"
  ip -n "$(ns cpe)" mptcp limits set subflow 2 add_addr_accepted 0
  ip -n "$(ns cpe)" mptcp endpoint add "$(uplink_address 2)" id 2 dev up2 subflow
  cpe_nft

  # concentrator
  sysctls concentrator net.ipv4.ip_forward=1 net.ipv4.tcp_fastopen=0x602 net.mptcp.enabled=1
  ip -n "$(ns concentrator)" addr add 10.9.0.1/32 dev lo
  ip -n "$(ns concentrator)" addr add 10.1.1.1/24 dev up1
  ip -n "$(ns concentrator)" addr add 10.1.3.1/24 dev up1
  ip -n "$(ns concentrator)" addr add 10.1.2.1/24 dev up2
  ip -n "$(ns concentrator)" addr add 10.2.0.1/24 dev wan0
  ip -n "$(ns concentrator)" addr add 10.2.0.100/32 dev wan0
  for dev in up1 up2 wan0; do ip -n "$(ns concentrator)" link set "$dev" up; done
  ip -n "$(ns concentrator)" mptcp limits set subflow 4 add_addr_accepted 0
  concentrator_nft

  # server
  sysctls server net.mptcp.enabled=0
  ip -n "$(ns server)" addr add 10.2.0.2/24 dev wan0
  ip -n "$(ns server)" link set wan0 up
  ip -n "$(ns server)" route add default via 10.2.0.1

  uplink_routes 1
  uplink_routes 2
  cmd_shape "$rate"
  TEARDOWN_ON_EXIT=0
}

# ------------------------------------------------------------------ uplink
# `uplink N up` (re)creates the MPTCP subflow endpoint of uplink N: the
# in-kernel path manager then opens a fresh subflow from that address for
# every existing connection at once, instead of waiting for the stalled
# subflow's next retransmission (which backs off to many seconds). For
# uplink 2 this replaces the endpoint `up` made; for uplink 1 (the initial
# subflow's address, which has no endpoint after `up`) it adds one, which
# stays. KERNEL_FACTS.md section 8 has the measurements.
#
# Each re-creation takes a fresh address id (N, N+2, N+4, ...: the two
# uplinks never share one). Deleting the endpoint sends REMOVE_ADDR for its
# id, and that can reach the concentrator after the new subflow's MP_JOIN:
# with the same id it then closed the new subflow too, and the path manager
# does not open another (seen in 2 of 9 e2e (c) runs under load:
# KERNEL_FACTS.md section 8).
cmd_uplink() {
  [[ $# -eq 2 && $1 =~ ^[12]$ && $2 =~ ^(up|down)$ ]] || usage
  local n=$1 state=$2
  ip -n "$(ns cpe)" link set "up$n" "$state"
  ip -n "$(ns concentrator)" link set "up$n" "$state"
  [[ $state == up ]] || return 0
  uplink_routes "$n"
  local address old id
  address=$(uplink_address "$n")
  old=$(ip -n "$(ns cpe)" mptcp endpoint show | awk -v a="$address" '$1 == a { for (i = 2; i < NF; i++) if ($i == "id") print $(i + 1) }')
  id=$n
  if [[ -n $old ]]; then
    ip -n "$(ns cpe)" mptcp endpoint delete id "$old"
    id=$((old + 2 > 254 ? n : old + 2))
  fi
  ip -n "$(ns cpe)" mptcp endpoint add "$address" id "$id" dev "up$n" subflow
}

# ------------------------------------------------------------------ misc
cmd_mptcp() {
  [[ $# -eq 2 && $1 =~ ^(client|server)$ && $2 =~ ^(on|off)$ ]] || usage
  local value=0
  [[ $2 == off ]] || value=1
  sysctls "$1" "net.mptcp.enabled=$value"
}

cmd_exec() {
  [[ $# -ge 2 ]] || usage
  local role=$1
  shift
  case $role in
    client | cpe | concentrator | server) ;;
    *) usage ;;
  esac
  exec ip netns exec "$(ns "$role")" "$@"
}

# ------------------------------------------------------------------ run
# The command `run` started, in its own session (process group): stops all of
# it, TERM first, KILL after the deadline.
stop_run_command() {
  [[ -n $RUN_PID ]] || return 0
  kill -TERM -- "-$RUN_PID" 2>/dev/null || true
  local end=$((SECONDS + DEADLINE))
  while kill -0 -- "-$RUN_PID" 2>/dev/null && ((SECONDS < end)); do sleep 0.1; done
  kill -KILL -- "-$RUN_PID" 2>/dev/null || true
  wait "$RUN_PID" 2>/dev/null || true
  RUN_PID=""
}

cmd_run() {
  local up_args=()
  if [[ $# -ge 2 && $1 == --rate ]]; then
    up_args=(--rate "$2")
    shift 2
  fi
  [[ $# -ge 1 ]] || usage
  TEARDOWN_ON_EXIT=1
  cmd_up "${up_args[@]}"
  TEARDOWN_ON_EXIT=1
  export HA_PREFIX=$PREFIX
  # In the background, so that a signal runs its trap at once instead of
  # after the command; in its own session, so that the trap can stop all it
  # started. `<&0` keeps our stdin (a background job would get /dev/null).
  setsid "$@" <&0 &
  RUN_PID=$!
  local rc=0
  wait "$RUN_PID" || rc=$?
  RUN_PID=""
  exit "$rc"
}

# ------------------------------------------------------------------ main
# `up`, `down` and `run` must leave nothing behind when they fail or are
# interrupted: while TEARDOWN_ON_EXIT is 1, leaving the script (an error under
# `set -e`, `exit`, or a signal turned into an exit) stops the command of
# `run` and takes the testbed down.
TEARDOWN_ON_EXIT=0
RUN_PID=""
on_exit() {
  local rc=$?
  trap - EXIT HUP INT TERM
  if ((TEARDOWN_ON_EXIT)); then
    set +e
    stop_run_command
    cmd_down
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

[[ $# -ge 1 ]] || usage
verb=$1
shift
case $verb in
  check) cmd_check "$@" ;;
  up) cmd_up "$@" ;;
  down)
    [[ $# -eq 0 ]] || usage
    TEARDOWN_ON_EXIT=1 # an interrupted `down` finishes its work on exit
    cmd_down
    TEARDOWN_ON_EXIT=0
    ;;
  shape) cmd_shape "$@" ;;
  uplink) cmd_uplink "$@" ;;
  mptcp) cmd_mptcp "$@" ;;
  exec) cmd_exec "$@" ;;
  run) cmd_run "$@" ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
