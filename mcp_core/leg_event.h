// SPDX-License-Identifier: Apache-2.0
// What the embedder's stack reports about one leg of a pair
// (Converter::HandleLegEvent).
#ifndef MCP_CORE_LEG_EVENT_H_
#define MCP_CORE_LEG_EVENT_H_

#include <cstdint>
#include <optional>
#include <span>

#include "mcp_core/segment.h"

namespace mcp_core {

// What the embedder's stack reports about a leg.
struct LegEvent {
  enum Kind : uint8_t {
    kConnected,  // the leg's handshake completed
    kRefused,    // RST to our SYN, ICMP unreachable
    kReset,      // RST on an open leg (for an MPTCP leg: the whole connection)
    kFastClose,  // MP_FASTCLOSE received
    kFin,        // FIN (TCP) or DATA_FIN (MPTCP) received
    kTimedOut,   // the stack gave up retransmitting
    kActivity,   // bytes moved: refreshes the idle lifetime
    // CPE / client: the first bytes read from the leg to the network MCP after
    // a kConnected without an echo in the SYN/ACK payload. The echo is due
    // there from an MCP whose stack cannot send data in a SYN/ACK (a kernel
    // listener). Read exactly Action::echo_length bytes, no more, and report
    // them (fewer only when the MCP closed first: then report kFin instead).
    kFirstBytes,
    // Upstream, MPTCP: one subflow of the connection closed (FIN exchange or
    // RST); `tuple` is that subflow's 4-tuple as it arrives at us. Frees its
    // place under max_subflows_per_connection (seed 002 §7.2).
    kSubflowClosed,
  };
  Kind kind = kConnected;
  // kConnected: whether the peer agreed to MPTCP, the SYN/ACK payload (the IE
  // echo from a network MCP), the leg's actual 4-tuple (when the stack chose
  // the source port) and the local MPTCP token (for subflow limits).
  bool with_mptcp = false;
  // An empty syn_ack_payload on an MPTCP leg to a network MCP means "the echo
  // may come as the first bytes": the core then waits (until the setup timer)
  // for kFirstBytes.
  std::span<const uint8_t> syn_ack_payload;
  std::optional<FourTuple> tuple;
  std::optional<uint32_t> local_token;
  std::span<const uint8_t> first_bytes;  // kFirstBytes
};

}  // namespace mcp_core

#endif  // MCP_CORE_LEG_EVENT_H_
