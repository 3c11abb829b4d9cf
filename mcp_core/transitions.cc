// SPDX-License-Identifier: Apache-2.0
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
//                    silent, one retry goes out as plain TCP from the same
//                    source (kRetryingServerPlain); if that one connects, the
//                    server enters the server cache (D9).
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
// A RST answering a leg's SYN is a refusal (kDownRefused) however it is
// reported, as a segment or as a leg event; kDownReset is a RST on a leg
// whose handshake completed (pair_machine.cc, InputFor).
//
// An input absent from the table for a state is illegal there (for instance
// kUpFin before the handshake completed). It changes nothing; the converter
// counts it and reports FailedPrecondition to the embedder.
#include "mcp_core/transitions.h"

namespace mcp_core {
namespace {

using S = State;
using I = Input;
using E = EventKind;

constexpr uint16_t kAbortBoth = kAbortUpstream | kAbortDownstream;
constexpr uint16_t kToServer = kAbortDownstream | kOpenFallback;  // drop the MCP leg, go direct

constexpr Transition kTable[] = {
    // network MCP setup
    {S::kAwaitingServer, I::kDownConnected, S::kEstablished, kAnswerUpstream, {}},
    {S::kAwaitingServer, I::kDownRefused, S::kClosed, kAbortUpstream, E::kSetupFailed},
    {S::kAwaitingServer, I::kDownTimedOut, S::kClosed, kAbortUpstream, E::kSetupFailed},
    {S::kAwaitingServer, I::kSetupTimer, S::kClosed, kAbortBoth, E::kSetupFailed},
    {S::kAwaitingServer, I::kServerMpCapableTimer, S::kRetryingServerPlain,
     kAbortDownstream | kRetryWithoutMpCapable, {}},
    {S::kAwaitingServer, I::kUpReset, S::kClosed, kAbortDownstream, {}},
    {S::kAwaitingServer, I::kUpFastClose, S::kClosed, kAbortDownstream, {}},
    {S::kRetryingServerPlain, I::kDownConnected, S::kEstablished, kAnswerUpstream | kCacheServerPlain, {}},
    {S::kRetryingServerPlain, I::kDownRefused, S::kClosed, kAbortUpstream, E::kSetupFailed},
    {S::kRetryingServerPlain, I::kDownTimedOut, S::kClosed, kAbortUpstream, E::kSetupFailed},
    {S::kRetryingServerPlain, I::kSetupTimer, S::kClosed, kAbortBoth, E::kSetupFailed},
    {S::kRetryingServerPlain, I::kUpReset, S::kClosed, kAbortDownstream, {}},
    {S::kRetryingServerPlain, I::kUpFastClose, S::kClosed, kAbortDownstream, {}},
    // CPE / multipath client setup
    {S::kAwaitingEcho, I::kDownConnected, S::kEstablished, kAnswerUpstream | kMcpDiscovered, {}},
    {S::kAwaitingEcho, I::kDownConnectedBadEcho, S::kFallingBack, kToServer | kCacheMcpUnsupported, E::kMcpNoEcho},
    {S::kAwaitingEcho, I::kSetupTimer, S::kFallingBack, kToServer, E::kMcpSetupTimeout},
    // The MCP is not there (RST to our SYN): the client still gets its connection.
    {S::kAwaitingEcho, I::kDownRefused, S::kFallingBack, kOpenFallback | kCacheMcpUnsupported, E::kMcpRefused},
    // The stack gave up on the SYN: as silent as a setup timeout, and as
    // little a statement about the MCP (D12).
    {S::kAwaitingEcho, I::kDownTimedOut, S::kFallingBack, kOpenFallback, E::kMcpSetupTimeout},
    {S::kAwaitingEcho, I::kDownConnectedEchoDue, S::kAwaitingEchoBytes, 0, {}},
    // D12: plain TCP from the MCP may be a transport accident (SYN cookies, a
    // lost SYN/ACK after data in the SYN), not a statement: no cache entry.
    {S::kAwaitingEcho, I::kDownConnectedNotMptcp, S::kFallingBack, kToServer, E::kMcpNotMptcp},
    {S::kAwaitingEcho, I::kUpReset, S::kClosed, kAbortDownstream, {}},
    // The echo as first bytes; the setup timer armed at kAwaitingEcho still runs.
    {S::kAwaitingEchoBytes, I::kDownEchoed, S::kEstablished, kAnswerUpstream | kMcpDiscovered, {}},
    {S::kAwaitingEchoBytes, I::kDownConnectedBadEcho, S::kFallingBack, kToServer | kCacheMcpUnsupported,
     E::kMcpNoEcho},
    {S::kAwaitingEchoBytes, I::kDownFin, S::kFallingBack, kToServer | kCacheMcpUnsupported,  // closed, no echo
     E::kMcpNoEcho},
    // Connected, no echo yet: the MCP may still be waiting for a slow or
    // unreachable server (it echoes only once the server answered), so fall
    // back without caching (decisions.md D12).
    {S::kAwaitingEchoBytes, I::kSetupTimer, S::kFallingBack, kToServer, E::kMcpSetupTimeout},
    // The MCP aborted: its server leg failed (it echoes only once that is up).
    {S::kAwaitingEchoBytes, I::kDownReset, S::kClosed, kAbortUpstream, E::kSetupFailed},
    {S::kAwaitingEchoBytes, I::kDownFastClose, S::kClosed, kAbortUpstream, E::kSetupFailed},
    {S::kAwaitingEchoBytes, I::kDownTimedOut, S::kClosed, kAbortUpstream, E::kSetupFailed},
    {S::kAwaitingEchoBytes, I::kUpReset, S::kClosed, kAbortDownstream, {}},
    {S::kFallingBack, I::kDownConnected, S::kEstablished, kAnswerUpstream, {}},
    {S::kFallingBack, I::kDownRefused, S::kClosed, kAbortUpstream, E::kSetupFailed},
    {S::kFallingBack, I::kDownTimedOut, S::kClosed, kAbortUpstream, E::kSetupFailed},
    {S::kFallingBack, I::kSetupTimer, S::kClosed, kAbortBoth, E::kSetupFailed},
    {S::kFallingBack, I::kUpReset, S::kClosed, kAbortDownstream, {}},
    // established: coupled teardown (draft -10 §6.2)
    {S::kEstablished, I::kDownReset, S::kClosed, kAbortUpstream, {}},
    {S::kEstablished, I::kDownFastClose, S::kClosed, kAbortUpstream, {}},
    {S::kEstablished, I::kDownTimedOut, S::kClosed, kAbortUpstream, {}},
    {S::kEstablished, I::kUpReset, S::kClosed, kAbortDownstream, {}},
    {S::kEstablished, I::kUpFastClose, S::kClosed, kAbortDownstream, {}},
    {S::kEstablished, I::kUpFin, S::kUpstreamClosed, kCloseDownstream, {}},
    {S::kEstablished, I::kDownFin, S::kDownstreamClosed, kCloseUpstream, {}},
    {S::kEstablished, I::kIdleTimer, S::kClosed, kAbortBoth, E::kIdleTimeout},
    // half closed
    {S::kUpstreamClosed, I::kDownFin, S::kClosed, kCloseUpstream, {}},
    {S::kUpstreamClosed, I::kDownReset, S::kClosed, kAbortUpstream, {}},
    {S::kUpstreamClosed, I::kDownFastClose, S::kClosed, kAbortUpstream, {}},
    {S::kUpstreamClosed, I::kDownTimedOut, S::kClosed, kAbortUpstream, {}},
    {S::kUpstreamClosed, I::kUpReset, S::kClosed, kAbortDownstream, {}},
    {S::kUpstreamClosed, I::kUpFastClose, S::kClosed, kAbortDownstream, {}},
    {S::kUpstreamClosed, I::kIdleTimer, S::kClosed, kAbortBoth, E::kIdleTimeout},
    {S::kDownstreamClosed, I::kUpFin, S::kClosed, kCloseDownstream, {}},
    {S::kDownstreamClosed, I::kUpReset, S::kClosed, kAbortDownstream, {}},
    {S::kDownstreamClosed, I::kUpFastClose, S::kClosed, kAbortDownstream, {}},
    {S::kDownstreamClosed, I::kDownReset, S::kClosed, kAbortUpstream, {}},
    {S::kDownstreamClosed, I::kDownFastClose, S::kClosed, kAbortUpstream, {}},
    {S::kDownstreamClosed, I::kDownTimedOut, S::kClosed, kAbortUpstream, {}},
    {S::kDownstreamClosed, I::kIdleTimer, S::kClosed, kAbortBoth, E::kIdleTimeout},
};

// By State.
constexpr StateInfo kStates[kNumStates] = {
    /* kAwaitingServer */ {true, Timer::kServerSetup, {}},
    /* kAwaitingEcho */ {true, Timer::kSetup, {}},
    /* kAwaitingEchoBytes */ {true, Timer::kSetupContinues, {}},
    /* kFallingBack */ {true, Timer::kSetup, {}},
    /* kRetryingServerPlain */ {true, Timer::kSetup, {}},
    /* kEstablished */ {false, Timer::kIdle, E::kPairEstablished},
    /* kUpstreamClosed */ {false, Timer::kIdle, {}},
    /* kDownstreamClosed */ {false, Timer::kIdle, {}},
    /* kClosed */ {false, Timer::kNone, E::kPairClosed},
};
static_assert(int(S::kClosed) + 1 == kNumStates);

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

const StateInfo& InfoOf(State state) { return kStates[int(state)]; }

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
    case S::kRetryingServerPlain: return "RETRYING_SERVER_PLAIN";
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
