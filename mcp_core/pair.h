// SPDX-License-Identifier: Apache-2.0
// One tracked pair of legs: what every pair keeps for its whole life, and
// the data of its phase (quinn-proto style: a setup's data exists only while
// the pair is in a setup state, a connection's subflow accounting only once
// it is open). Memory per pair is a benchmark target (bench/), so what only
// some pairs need is behind a pointer.
#ifndef MCP_CORE_PAIR_H_
#define MCP_CORE_PAIR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "mcp_core/actions.h"
#include "mcp_core/leg_sequence.h"
#include "mcp_core/segment.h"
#include "mcp_core/transitions.h"
#include "mptcp_opts/ip_address.h"

namespace mcp_core {

// How the upstream leg is answered and aborted (the roles differ here, and
// only here).
enum class UpstreamKind : uint8_t {
  kHeldSyn,      // a SYN the core holds (segment-fed): kAnswerSyn, RST / MP_FASTCLOSE
  kAccepted,     // a connection the embedder's stack accepted: kAnswerAccepted
  kApplication,  // a multipath client's local application: kNotifyApplication
};

// While the pair is in a setup state (StateInfo::half_open).
struct SetupData {
  std::vector<uint8_t> answer;    // network MCP: what the upstream answer carries (the IE echo, D3)
  std::vector<uint8_t> sent_ies;  // CPE / client: the IEs sent to the MCP, whose echo is due
  std::vector<uint8_t> app_data;  // data to carry with the downstream SYN (and a fallback's)
  FourTuple server;               // CPE/client: where a fallback leg goes
  mptcp_opts::IpAddress source;   // the key of the half-open per-source count
};

// An open MPTCP connection's subflows beyond the initial one (seed 002
// §7.2: the limit counts simultaneous subflows). Allocated at the first
// MP_JOIN.
struct Subflows {
  std::vector<FourTuple> joined;  // open MP_JOIN subflows, by 4-tuple
  bool initial_closed = false;    // the initial subflow closed, the connection lives on
  uint32_t open() const { return uint32_t(joined.size()) + (initial_closed ? 0 : 1); }
};

struct SetupPhase {
  std::unique_ptr<SetupData> data;
};
struct OpenPhase {
  std::unique_ptr<Subflows> subflows;  // null until the first MP_JOIN
};
using Phase = std::variant<SetupPhase, OpenPhase>;

// The MPTCP keys of a segment-fed MPTCP leg's two sides, once seen in
// MP_CAPABLE (RFC 8684 §3.1); MP_FASTCLOSE must carry the receiver's (§3.5).
struct LegKeys {
  std::optional<uint64_t> key[2];  // by LegSide
};

struct Pair {
  FourTuple up;     // the upstream leg as it arrives at us
  FourTuple down;   // the downstream leg as we send on it
  // One byte each, packed into the tuples' tail padding (the pair's size is
  // a benchmark figure).
  State state = State::kClosed;
  Transport up_transport = Transport::kTcp;
  Transport down_transport = Transport::kTcp;
  UpstreamKind up_kind = UpstreamKind::kHeldSyn;
  bool in_use = false;
  bool up_indexed = false;
  bool down_indexed = false;
  bool down_connected = false;  // the downstream handshake completed
  uint8_t dscp = 0;
  int64_t deadline_ns = 0;       // as scheduled in the machine's deadline index
  int64_t last_activity_ns = 0;  // idle lifetime counts from here (both legs)
  uint32_t generation = 0;
  uint32_t token = 0;            // MPTCP token of the upstream connection (0: unknown)
  // Segment-fed pairs: each leg's sequence space, indexed by Leg.
  LegSequence sequence[2];
  Phase phase;
  std::unique_ptr<LegKeys[]> keys;  // [Leg]; segment-fed MPTCP legs, once a key was seen

  SetupData* setup() {
    auto* s = std::get_if<SetupPhase>(&phase);
    return s ? s->data.get() : nullptr;
  }
  Transport transport(Leg leg) const { return leg == Leg::kUpstream ? up_transport : down_transport; }
  const FourTuple& tuple(Leg leg) const { return leg == Leg::kUpstream ? up : down; }
};

}  // namespace mcp_core

#endif  // MCP_CORE_PAIR_H_
