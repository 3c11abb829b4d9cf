// The state machine of one pair of legs, as one table: {state, input} ->
// {next state, actions}. converter.cc applies it; tools/make_state_diagram
// turns it into the diagram in README.md; transitions_test checks it.
// Inputs not in the table are illegal in that state: they change nothing and
// are counted (see Converter::HandleLegEvent).
#ifndef MCP_CORE_TRANSITIONS_H_
#define MCP_CORE_TRANSITIONS_H_

#include <cstdint>
#include <optional>
#include <span>

namespace mcp_core {

enum class State : uint8_t {
  kAwaitingServer,  // network MCP: downstream TCP leg to the server is opening
  kAwaitingEcho,    // CPE / client: MPTCP leg to the network MCP is opening
  // CPE / client: that leg is up, its SYN/ACK carried no echo; the echo is due
  // as the MCP's first bytes (a kernel listener cannot send SYN/ACK data).
  kAwaitingEchoBytes,
  kFallingBack,     // CPE / client: the MCP failed; plain TCP leg to the server opening
  kEstablished,
  kUpstreamClosed,    // upstream closed gracefully, downstream still open
  kDownstreamClosed,  // downstream closed gracefully, upstream still open
  kClosed,            // terminal: the pair is freed
};
inline constexpr int kNumStates = 8;

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

// What a transition asks for; converter.cc maps "abort" to RST or
// MP_FASTCLOSE by the leg's transport (draft -10 §6.2).
enum ActionBits : uint16_t {
  kAnswerUpstream = 1 << 0,     // SYN/ACK upstream (with the echo at a network MCP)
  kAbortUpstream = 1 << 1,
  kAbortDownstream = 1 << 2,
  kCloseUpstream = 1 << 3,
  kCloseDownstream = 1 << 4,
  kOpenFallback = 1 << 5,       // plain TCP leg to the server, with the held data
  kCacheMcpUnsupported = 1 << 6,  // decisions.md D8
  kArmSetupTimer = 1 << 7,
  kArmIdleTimer = 1 << 8,
  kRetryWithoutMpCapable = 1 << 9,  // D9: abort the MPTCP attempt, open plain TCP
};

struct Transition {
  State from;
  Input input;
  State to;
  uint16_t actions;
};

// Every legal transition.
std::span<const Transition> AllTransitions();
// The transition for {state, input}, or nullopt when the input is illegal there.
std::optional<Transition> NextTransition(State state, Input input);

const char* StateName(State s);
const char* InputName(Input i);

}  // namespace mcp_core

#endif  // MCP_CORE_TRANSITIONS_H_
