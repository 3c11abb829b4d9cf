// SPDX-License-Identifier: Apache-2.0
// The state machine of one pair of legs, as one table: {state, input} ->
// {next state, actions, event}, plus what each state is (half-open or not,
// the timer it runs, the event entering it emits). pair_machine.cc applies
// it and nothing else decides; make_state_diagram draws all of it;
// transitions_test checks it. Inputs not in the table are illegal in that
// state: they change nothing and are counted (Converter::HandleLegEvent).
#ifndef MCP_CORE_TRANSITIONS_H_
#define MCP_CORE_TRANSITIONS_H_

#include <cstdint>
#include <optional>
#include <span>

#include "mcp_core/actions.h"

namespace mcp_core {

enum class State : uint8_t {
  // The leg to the server is opening: a network MCP's, or a multipath
  // client's direct one (MCP cached as unsupported, flow not eligible).
  kAwaitingServer,
  kAwaitingEcho,    // CPE / client: MPTCP leg to the network MCP is opening
  // CPE / client: that leg is up, its SYN/ACK carried no echo; the echo is due
  // as the MCP's first bytes (a kernel listener cannot send SYN/ACK data).
  kAwaitingEchoBytes,
  kFallingBack,     // CPE / client: the MCP failed; plain TCP leg to the server opening
  // Network MCP: the server left the MPTCP SYN unanswered; a plain TCP leg
  // to it is opening (decisions.md D9).
  kRetryingServerPlain,
  kEstablished,
  kUpstreamClosed,    // upstream closed gracefully, downstream still open
  kDownstreamClosed,  // downstream closed gracefully, upstream still open
  kClosed,            // terminal: the pair is freed
};
inline constexpr int kNumStates = 9;

enum class Input : uint8_t {
  kDownConnected,         // downstream leg is up (with a good echo when one is due)
  kDownConnectedBadEcho,  // MPTCP leg up, but no exact IE echo (D3): wrong SYN/ACK data
                          // or wrong first bytes
  kDownRefused,           // RST to our SYN, ICMP unreachable
  kDownReset,             // RST on an open leg
  kDownFastClose,         // MP_FASTCLOSE from the network MCP
  kDownFin,               // FIN (TCP) or DATA_FIN (MPTCP)
  kDownTimedOut,          // the stack gave up (retransmissions)
  kUpReset,
  kUpFastClose,
  kUpFin,
  kSetupTimer,
  kIdleTimer,
  // Network MCP relaying MP_CAPABLE: the server did not answer the MPTCP SYN
  // within server_mp_capable_timeout (decisions.md D9); retry as plain TCP.
  kServerMpCapableTimer,
  // CPE / client: the MPTCP leg to the MCP is up without an echo in its
  // SYN/ACK; the echo may still come as its first bytes.
  kDownConnectedEchoDue,
  kDownEchoed,  // the MCP's first bytes are the exact echo (D3)
  // CPE / client: the leg to the MCP came up as plain TCP (no MP_CAPABLE in
  // its SYN/ACK, or a handshake that fell back): decisions.md D12.
  kDownConnectedNotMptcp,
};
inline constexpr int kNumInputs = 16;

// What a transition asks for. The pair's data says how (pair_machine.cc):
// "answer" is a SYN/ACK, the first bytes of an accepted connection or the
// application's notification; "abort" is RST or MP_FASTCLOSE by the leg's
// transport and handshake (draft -10 §6.2).
enum ActionBits : uint16_t {
  kAnswerUpstream = 1 << 0,     // with the echo at a network MCP
  kAbortUpstream = 1 << 1,
  kAbortDownstream = 1 << 2,
  kCloseUpstream = 1 << 3,
  kCloseDownstream = 1 << 4,
  kOpenFallback = 1 << 5,       // plain TCP leg to the server, with the held data
  kCacheMcpUnsupported = 1 << 6,  // decisions.md D8
  kRetryWithoutMpCapable = 1 << 7,  // D9: open plain TCP to the server, same source
  kCacheServerPlain = 1 << 8,   // D9: the server answers plain TCP only
  kMcpDiscovered = 1 << 9,      // CPE / client: the MCP echoed exactly (draft -10 §7)
};

// The timer a state runs, armed when the pair enters it.
enum class Timer : uint8_t {
  kNone,
  kSetup,           // setup_timeout
  kSetupContinues,  // the setup timer armed by the previous state keeps running
  // setup_timeout; when the leg to the server is MPTCP (MP_CAPABLE relayed),
  // server_mp_capable_timeout first if shorter, which retries in plain TCP (D9)
  kServerSetup,
  kIdle,            // idle_lifetime from the last activity on either leg
};

struct StateInfo {
  bool half_open;  // a setup: counted against the half-open limits
  Timer timer;
  std::optional<EventKind> on_entry;  // emitted whenever the pair enters it
};

struct Transition {
  State from;
  Input input;
  State to;
  uint16_t actions;
  std::optional<EventKind> event;  // why, for logs and counters
};

// Every legal transition.
std::span<const Transition> AllTransitions();
const StateInfo& InfoOf(State state);
// The transition for {state, input}, or nullopt when the input is illegal there.
std::optional<Transition> NextTransition(State state, Input input);

const char* StateName(State s);
const char* InputName(Input i);

}  // namespace mcp_core

#endif  // MCP_CORE_TRANSITIONS_H_
