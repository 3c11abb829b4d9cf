// Theory of operation
// ===================
// A pair is two legs joined by the core: upstream (towards the customer) and
// downstream (towards the server side). It is born when the core accepts a
// SYN (HandleSegment -> kIntercept, or HandleAcceptedConnection), already
// holding the upstream leg half-open, and asking for the downstream leg to be
// opened (Action kOpenLeg). Its first state says who it waits for:
//
//   network MCP      kAwaitingServer: the server's SYN/ACK. Only then is the
//                    client answered, with the IE echo (draft -10 §5.2, D3).
//                    When MP_CAPABLE is relayed to the server and it stays
//                    silent, one retry goes out as plain TCP; if that one
//                    connects, the server enters the server cache (D9).
//   CPE / client     kAwaitingEcho: the network MCP's SYN/ACK and its echo.
//                    A SYN/ACK without data moves to kAwaitingEchoBytes: an
//                    MCP built on a kernel listener cannot put data in its
//                    SYN/ACK, so its echo comes as its first bytes. No or
//                    wrong echo, the MCP refusing the connection, or no answer
//                    in time: kFallingBack, a plain TCP leg straight to the
//                    server (draft -10 §5.1). D8 records the MCP in the
//                    capability cache when it refused or answered wrongly,
//                    not when it was silent or not MPTCP (D12).
//
// Once both legs are up (kEstablished) the legs live and die together
// (draft -10 §6.2): an abort on one side aborts the other (RST becomes
// MP_FASTCLOSE towards an MPTCP leg, and MP_FASTCLOSE becomes RST towards a
// TCP leg); a graceful close (FIN / DATA_FIN) on one side closes the other
// gracefully and the pair ends when both have closed; one idle lifetime covers
// both legs, and its expiry aborts both. Every path into kClosed aborts or
// closes each leg that is still open, so a leg is never left behind.
//
// An input absent from the table for a state is illegal there (for instance
// kUpFin before the handshake completed). It changes nothing; the converter
// counts it and reports FailedPrecondition to the embedder.
#include "mcp_core/transitions.h"

namespace mcp_core {
namespace {

using S = State;
using I = Input;

constexpr uint16_t kAbortBoth = kAbortUpstream | kAbortDownstream;

constexpr Transition kTable[] = {
    // network MCP setup
    {S::kAwaitingServer, I::kDownConnected, S::kEstablished, kAnswerUpstream | kArmIdleTimer},
    {S::kAwaitingServer, I::kDownRefused, S::kClosed, kAbortUpstream},
    {S::kAwaitingServer, I::kDownReset, S::kClosed, kAbortUpstream},
    {S::kAwaitingServer, I::kDownTimedOut, S::kClosed, kAbortUpstream},
    {S::kAwaitingServer, I::kSetupTimer, S::kClosed, kAbortBoth},
    {S::kAwaitingServer, I::kServerMpCapableTimer, S::kAwaitingServer,
     kAbortDownstream | kRetryWithoutMpCapable | kArmSetupTimer},
    {S::kAwaitingServer, I::kUpReset, S::kClosed, kAbortDownstream},
    {S::kAwaitingServer, I::kUpFastClose, S::kClosed, kAbortDownstream},
    // CPE / multipath client setup
    {S::kAwaitingEcho, I::kDownConnected, S::kEstablished, kAnswerUpstream | kArmIdleTimer},
    {S::kAwaitingEcho, I::kDownConnectedBadEcho, S::kFallingBack,
     kAbortDownstream | kOpenFallback | kCacheMcpUnsupported | kArmSetupTimer},
    {S::kAwaitingEcho, I::kSetupTimer, S::kFallingBack,
     kAbortDownstream | kOpenFallback | kArmSetupTimer},
    // The MCP is not there (RST to our SYN): the client still gets its connection.
    {S::kAwaitingEcho, I::kDownRefused, S::kFallingBack, kOpenFallback | kCacheMcpUnsupported | kArmSetupTimer},
    {S::kAwaitingEcho, I::kDownConnectedEchoDue, S::kAwaitingEchoBytes, 0},
    // D12: plain TCP from the MCP may be a transport accident (SYN cookies, a
    // lost SYN/ACK after data in the SYN), not a statement: no cache entry.
    {S::kAwaitingEcho, I::kDownConnectedNotMptcp, S::kFallingBack, kAbortDownstream | kOpenFallback | kArmSetupTimer},
    {S::kAwaitingEcho, I::kDownReset, S::kClosed, kAbortUpstream},
    {S::kAwaitingEcho, I::kDownFastClose, S::kClosed, kAbortUpstream},
    {S::kAwaitingEcho, I::kDownTimedOut, S::kClosed, kAbortUpstream},
    {S::kAwaitingEcho, I::kUpReset, S::kClosed, kAbortDownstream},
    // The echo as first bytes; the setup timer armed at kAwaitingEcho still runs.
    {S::kAwaitingEchoBytes, I::kDownEchoed, S::kEstablished, kAnswerUpstream | kArmIdleTimer},
    {S::kAwaitingEchoBytes, I::kDownConnectedBadEcho, S::kFallingBack,
     kAbortDownstream | kOpenFallback | kCacheMcpUnsupported | kArmSetupTimer},
    {S::kAwaitingEchoBytes, I::kDownFin, S::kFallingBack,  // closed without echoing
     kAbortDownstream | kOpenFallback | kCacheMcpUnsupported | kArmSetupTimer},
    // Connected, no echo yet: the MCP may still be waiting for a slow or
    // unreachable server (it echoes only once the server answered), so fall
    // back without caching (decisions.md D12).
    {S::kAwaitingEchoBytes, I::kSetupTimer, S::kFallingBack, kAbortDownstream | kOpenFallback | kArmSetupTimer},
    {S::kAwaitingEchoBytes, I::kDownReset, S::kClosed, kAbortUpstream},
    {S::kAwaitingEchoBytes, I::kDownFastClose, S::kClosed, kAbortUpstream},
    {S::kAwaitingEchoBytes, I::kDownTimedOut, S::kClosed, kAbortUpstream},
    {S::kAwaitingEchoBytes, I::kUpReset, S::kClosed, kAbortDownstream},
    {S::kFallingBack, I::kDownConnected, S::kEstablished, kAnswerUpstream | kArmIdleTimer},
    {S::kFallingBack, I::kDownRefused, S::kClosed, kAbortUpstream},
    {S::kFallingBack, I::kDownReset, S::kClosed, kAbortUpstream},
    {S::kFallingBack, I::kDownTimedOut, S::kClosed, kAbortUpstream},
    {S::kFallingBack, I::kSetupTimer, S::kClosed, kAbortBoth},
    {S::kFallingBack, I::kUpReset, S::kClosed, kAbortDownstream},
    // established: coupled teardown (draft -10 §6.2)
    {S::kEstablished, I::kDownReset, S::kClosed, kAbortUpstream},
    {S::kEstablished, I::kDownFastClose, S::kClosed, kAbortUpstream},
    {S::kEstablished, I::kDownTimedOut, S::kClosed, kAbortUpstream},
    {S::kEstablished, I::kUpReset, S::kClosed, kAbortDownstream},
    {S::kEstablished, I::kUpFastClose, S::kClosed, kAbortDownstream},
    {S::kEstablished, I::kUpFin, S::kUpstreamClosed, kCloseDownstream},
    {S::kEstablished, I::kDownFin, S::kDownstreamClosed, kCloseUpstream},
    {S::kEstablished, I::kIdleTimer, S::kClosed, kAbortBoth},
    // half closed
    {S::kUpstreamClosed, I::kDownFin, S::kClosed, kCloseUpstream},
    {S::kUpstreamClosed, I::kDownReset, S::kClosed, kAbortUpstream},
    {S::kUpstreamClosed, I::kDownFastClose, S::kClosed, kAbortUpstream},
    {S::kUpstreamClosed, I::kDownTimedOut, S::kClosed, kAbortUpstream},
    {S::kUpstreamClosed, I::kUpReset, S::kClosed, kAbortDownstream},
    {S::kUpstreamClosed, I::kUpFastClose, S::kClosed, kAbortDownstream},
    {S::kUpstreamClosed, I::kIdleTimer, S::kClosed, kAbortBoth},
    {S::kDownstreamClosed, I::kUpFin, S::kClosed, kCloseDownstream},
    {S::kDownstreamClosed, I::kUpReset, S::kClosed, kAbortDownstream},
    {S::kDownstreamClosed, I::kUpFastClose, S::kClosed, kAbortDownstream},
    {S::kDownstreamClosed, I::kDownReset, S::kClosed, kAbortUpstream},
    {S::kDownstreamClosed, I::kDownFastClose, S::kClosed, kAbortUpstream},
    {S::kDownstreamClosed, I::kDownTimedOut, S::kClosed, kAbortUpstream},
    {S::kDownstreamClosed, I::kIdleTimer, S::kClosed, kAbortBoth},
};

// Dense {state, input} -> table index (+1; 0 = illegal), built at compile time.
struct Index {
  uint8_t slot[kNumStates][kNumInputs] = {};
  constexpr Index() {
    for (size_t i = 0; i < sizeof(kTable) / sizeof(kTable[0]); ++i) {
      slot[int(kTable[i].from)][int(kTable[i].input)] = static_cast<uint8_t>(i + 1);
    }
  }
};
constexpr Index kIndex;

}  // namespace

std::span<const Transition> AllTransitions() { return kTable; }

std::optional<Transition> NextTransition(State state, Input input) {
  const uint8_t slot = kIndex.slot[int(state)][int(input)];
  if (slot == 0) return std::nullopt;
  return kTable[slot - 1];
}

const char* StateName(State s) {
  switch (s) {
    case S::kAwaitingServer: return "AWAITING_SERVER";
    case S::kAwaitingEcho: return "AWAITING_ECHO";
    case S::kAwaitingEchoBytes: return "AWAITING_ECHO_BYTES";
    case S::kFallingBack: return "FALLING_BACK";
    case S::kEstablished: return "ESTABLISHED";
    case S::kUpstreamClosed: return "UPSTREAM_CLOSED";
    case S::kDownstreamClosed: return "DOWNSTREAM_CLOSED";
    case S::kClosed: return "CLOSED";
  }
  return "?";
}

const char* InputName(Input i) {
  switch (i) {
    case I::kDownConnected: return "down_connected";
    case I::kDownConnectedBadEcho: return "down_connected_bad_echo";
    case I::kDownRefused: return "down_refused";
    case I::kDownReset: return "down_reset";
    case I::kDownFastClose: return "down_fastclose";
    case I::kDownFin: return "down_fin";
    case I::kDownTimedOut: return "down_timed_out";
    case I::kUpReset: return "up_reset";
    case I::kUpFastClose: return "up_fastclose";
    case I::kUpFin: return "up_fin";
    case I::kSetupTimer: return "setup_timer";
    case I::kIdleTimer: return "idle_timer";
    case I::kServerMpCapableTimer: return "server_mp_capable_timer";
    case I::kDownConnectedEchoDue: return "down_connected_echo_due";
    case I::kDownEchoed: return "down_echoed";
    case I::kDownConnectedNotMptcp: return "down_connected_not_mptcp";
  }
  return "?";
}

}  // namespace mcp_core
