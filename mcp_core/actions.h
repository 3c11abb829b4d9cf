// SPDX-License-Identifier: Apache-2.0
// What the core hands back: a Verdict for each segment, Actions for the
// embedder's stack (pulled in order with PollAction), and Events for logs and
// counters (PollEvent). Actions own their bytes; nothing here points into the
// core.
#ifndef MCP_CORE_ACTIONS_H_
#define MCP_CORE_ACTIONS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "mcp_core/segment.h"

namespace mcp_core {

// Handle of a tracked pair of legs. Stable until the pair is closed; never
// reused: the high 32 bits are a generation count. 0 is "no flow".
using FlowId = uint64_t;

// The two legs of a pair. Upstream faces the customer (the multipath client
// at a network MCP, the LAN host at a CPE); downstream faces the server side
// (the server at a network MCP, the network MCP at a CPE).
enum class Leg : uint8_t { kUpstream, kDownstream };

struct Verdict {
  enum Kind : uint8_t {
    kPassThrough,  // not the core's business: forward unmodified
    kIntercept,    // a new pair was created for this SYN: hold it, act on Actions
    kForward,      // belongs to tracked pair `flow` (leg `leg`): relay it
    kDrop,         // discard silently (with `flow` set: a teardown signal of that pair
                   // that did not prove itself; counted, see Event)
    kReset,        // discard and answer with RST (counted; see Event)
  };
  Kind kind = kPassThrough;
  FlowId flow = 0;
  Leg leg = Leg::kUpstream;
};

enum class Transport : uint8_t { kTcp, kMptcp };

struct Action {
  enum Kind : uint8_t {
    // Open `leg` to dst:dst_port from src:src_port (port 0: the stack picks)
    // over `transport`, with `payload` as SYN data (IEs and/or relayed data).
    kOpenLeg,
    // Complete the upstream handshake: SYN/ACK carrying `payload` (the IE
    // echo at a network MCP, nothing at a CPE).
    kAnswerSyn,
    kReset,      // abort `leg` with RST
    kFastClose,  // abort the MPTCP connection on `leg` (MP_FASTCLOSE)
    kClose,      // graceful close of `leg` (FIN, or DATA_FIN on MPTCP; a multipath
                 // client's application upstream: give it end-of-file)
    // Multipath client only: the local application's connection is ready
    // (or, with `failed`, could not be made).
    kNotifyApplication,
    // A RST arrived on `leg` inside the window but not at the expected
    // sequence number (RFC 5961 §3.2): send the peer an ACK with the leg's
    // current sequence and acknowledgment numbers; a genuine peer answers it
    // with an exact RST. `tuple` is the direction to send in.
    kChallengeAck,
    // Complete the setup of an upstream connection the stack has already
    // accepted (HandleAcceptedConnection: a kernel listener answers the SYN
    // itself and cannot put data in its SYN/ACK): write `payload` as the
    // leg's first bytes (the IE echo at a network MCP, nothing at a CPE),
    // then relay both directions.
    kAnswerAccepted,
  };
  Kind kind = kOpenLeg;
  FlowId flow = 0;
  Leg leg = Leg::kDownstream;
  Transport transport = Transport::kTcp;
  // kOpenLeg: src, dst and ports of the new leg, both addresses of one
  // family; an unspecified source (0.0.0.0 or ::) or port 0: the stack picks.
  FourTuple tuple;
  // kOpenLeg, kAnswerSyn, kAnswerAccepted: clamp the leg's MSS to this
  // (0: stack default). Seed 002 §5.6.4: both directions.
  uint16_t mss = 0;
  std::optional<uint8_t> dscp;     // kOpenLeg, kAnswerSyn, kAnswerAccepted: mark with this DSCP
  bool failed = false;             // kNotifyApplication
  // kOpenLeg towards a network MCP: the length of the IEs in `payload`, which
  // the MCP echoes, in its SYN/ACK or as the first bytes it sends after the
  // handshake (report those with LegEvent::kFirstBytes).
  uint16_t echo_length = 0;
  std::vector<uint8_t> payload;
};

// Why something happened, for logs and counters (seed 002 §5.6.7 logging).
enum class EventKind : uint8_t {
  kPairCreated,
  kPairEstablished,
  kPairClosed,
  kRefusedInternetFacing,   // MPTCP SYN on an Internet-facing interface (§5.3)
  kRefusedAcl,
  kRefusedHalfOpenPerSource,
  kRefusedHalfOpenTotal,
  kRefusedFlowTableFull,
  kRefusedSubflowLimit,
  kMalformedIe,             // reason = mptcp_opts::IeStatus (D7)
  kMissingDestination,      // explicit SYN without a destination IE
  kBadDestinationPort,      // the destination port would be 0 (not connectable)
  kUnknownIeTypeSkipped,    // D6
  kNativeMptcpPassedThrough,  // CPE: the LAN host speaks MPTCP itself
  kNotEligible,
  kMcpNoEcho,               // CPE/client: missing or wrong echo -> fallback (D3, D8)
  kMcpSetupTimeout,         // CPE/client: the network MCP never answered -> fallback
  kCapabilityCacheHit,      // CPE/client: the MCP is cached as not supporting IEs
  kSetupFailed,             // the downstream leg failed during setup
  kIdleTimeout,
  kPreferProxyIgnored,      // D10
  // Teardown signals on segment-fed pairs that did not prove themselves
  // (leg_sequence.h). Nothing changes; the segment is dropped.
  kRstChallenged,           // in-window RST: a kChallengeAck action was queued
  kRstInWindowIgnored,      // in-window RST past the challenge-ACK rate limit
  kRstOutOfWindow,          // reason = SeqClass (out of window, or nothing proven yet)
  kFinOutOfWindow,          // FIN on a TCP leg; reason = SeqClass
  kDataFinOutOfWindow,      // the segment carrying DATA_FIN; reason = SeqClass
  kFastCloseRejected,       // reason = FastCloseRejection
  kMcpRefused,              // CPE/client: the network MCP refused the connection -> fallback, cached (D8)
  kMcpNotMptcp,             // CPE/client: the leg to the MCP came up without MPTCP -> fallback, not cached (D12)
  // Network MCP: the destination is one a concentrator must never reach
  // (reason = DestinationRefusal; decisions.md D13). Refused with RST.
  kRefusedDestination,
  // Network MCP: no source address of the destination's family (POOL mode
  // without one in source_pool; reason = 4 or 6). Refused with RST.
  kRefusedNoSourceAddress,
  // A connection whose 4-tuple already belongs to a live pair was accepted
  // again: no second pair (flow = the live pair's).
  kDuplicateTuple,
  // CPE: a LAN SYN carrying TFO data or a TFO cookie before MCP discovery
  // completed (no exact echo yet from the MCP): passed through untouched
  // (draft -10: RECOMMENDED).
  kTfoBeforeDiscovery,
};
inline constexpr int kNumEventKinds = 33;

// Why a destination was refused (Event reason of kRefusedDestination).
enum class DestinationRefusal : uint8_t {
  kOwnAddress = 1,      // one of mcp_addresses or source_pool (hairpin)
  kLoopback = 2,        // 127.0.0.0/8, ::1
  kLinkLocal = 3,       // 169.254.0.0/16 (cloud metadata lives here), fe80::/10
  kMulticast = 4,       // 224.0.0.0/4, ff00::/8
  kUnspecified = 5,     // 0.0.0.0/8, ::, 255.255.255.255
  kInternalPrefix = 6,  // config refused_destination_prefixes
};

// Why a flow is not eligible (Event reason of kNotEligible).
enum class NotEligibleReason : uint8_t {
  kTransportProtocol = 1,  // TCP (6) is not in supported_transport_protocols
  kDestinationPrefix = 2,  // not in eligible_flows.destination_prefixes
  kExcludedPrefix = 3,     // in eligible_flows.excluded_destination_prefixes
  kDestinationPort = 4,    // not in eligible_flows.destination_ports, or port 0
};

// Why an MP_FASTCLOSE did not end an MPTCP leg (Event reason).
enum class FastCloseRejection : uint8_t {
  kMalformed = 1,    // the option does not decode (RFC 8684 §3.5: 12 bytes)
  kKeyMismatch = 2,  // not the receiver's key, which the core saw in MP_CAPABLE
  kOutOfWindow = 3,  // its segment is outside the leg's window, or nothing is proven
};
const char* EventKindName(EventKind kind);

struct Event {
  EventKind kind = EventKind::kPairCreated;
  FlowId flow = 0;
  uint8_t reason = 0;  // kind-specific code (e.g. IeStatus)
};

}  // namespace mcp_core

#endif  // MCP_CORE_ACTIONS_H_
