// SPDX-License-Identifier: Apache-2.0
// One tracked pair of legs: what every pair keeps for its whole life, in two
// cache lines, and the data of its phase behind one pointer (quinn-proto
// style: a setup's data exists only while the pair is in a setup state, an
// open connection's subflows and keys only once it has some). Memory per
// pair is a benchmark target (bench/): 128 bytes, so a pair is two lines of
// a huge page and nothing else is loaded to find it.
//
// The legs' 4-tuples are the flow table's to read and write
// (FlowTable::Tuple / SetTuple): IPv4 addresses sit in the pair (PackedTuple),
// other families in a side array beside the pair's slot.
#ifndef MCP_CORE_PAIR_H_
#define MCP_CORE_PAIR_H_

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "mcp_core/actions.h"
#include "mcp_core/leg_sequence.h"
#include "mcp_core/segment.h"
#include "mcp_core/timer_wheel.h"
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

// The MPTCP keys of a segment-fed MPTCP leg's two sides, once seen in
// MP_CAPABLE (RFC 8684 §3.1); MP_FASTCLOSE must carry the receiver's (§3.5).
struct LegKeys {
  std::optional<uint64_t> key[2];  // by LegSide
  bool any() const { return key[0] || key[1]; }
};

// While the pair is in a setup state (StateInfo::half_open).
struct SetupData {
  std::vector<uint8_t> answer;    // network MCP: what the upstream answer carries (the IE echo, D3)
  std::vector<uint8_t> sent_ies;  // CPE / client: the IEs sent to the MCP, whose echo is due
  std::vector<uint8_t> app_data;  // data to carry with the downstream SYN (and a fallback's)
  FourTuple server;               // CPE/client: where a fallback leg goes
  mptcp_opts::IpAddress source;   // the key of the half-open per-source count
  LegKeys keys[2];                // [Leg]
};

// An open MPTCP connection's subflows beyond the initial one (seed 002
// §7.2: the limit counts simultaneous subflows).
struct Subflows {
  std::vector<FourTuple> joined;  // open MP_JOIN subflows, by 4-tuple
  bool initial_closed = false;    // the initial subflow closed, the connection lives on
  uint32_t open() const { return uint32_t(joined.size()) + (initial_closed ? 0 : 1); }
};

// Once the setup is over, for the pairs that need it: allocated at the first
// MP_JOIN or subflow report, or to keep keys the setup learnt.
struct OpenData {
  Subflows subflows;
  LegKeys keys[2];  // [Leg]
};

// The phase's data: a std::variant<none, SetupData, OpenData> in one pointer
// (the variant's own index byte would cost the pair 8 bytes of alignment).
// The low bit tells the two apart; both types are 8-byte aligned.
class PhaseData {
 public:
  PhaseData() = default;
  PhaseData(const PhaseData&) = delete;
  PhaseData& operator=(const PhaseData&) = delete;
  ~PhaseData() { Reset(); }

  SetupData* setup() const { return (bits_ & kSetupBit) ? reinterpret_cast<SetupData*>(bits_ & ~kSetupBit) : nullptr; }
  OpenData* open() const { return (bits_ && !(bits_ & kSetupBit)) ? reinterpret_cast<OpenData*>(bits_) : nullptr; }
  bool in_setup() const { return bits_ & kSetupBit; }

  SetupData& BeginSetup() {
    Reset();
    auto* s = new SetupData;
    bits_ = reinterpret_cast<uintptr_t>(s) | kSetupBit;
    return *s;
  }
  // The setup is over: its data goes; keys it learnt move to an OpenData.
  void EndSetup() {
    SetupData* s = setup();
    if (!s) return;
    OpenData* o = nullptr;
    if (s->keys[0].any() || s->keys[1].any()) {
      o = new OpenData;
      o->keys[0] = s->keys[0];
      o->keys[1] = s->keys[1];
    }
    delete s;
    bits_ = reinterpret_cast<uintptr_t>(o);
  }
  // The open phase's data, allocated on first use (not during a setup).
  OpenData* MutableOpen() {
    if (in_setup()) return nullptr;
    if (!bits_) bits_ = reinterpret_cast<uintptr_t>(new OpenData);
    return open();
  }
  // The keys of whichever phase, or null (`create`: allocate if needed).
  LegKeys* keys(bool create) {
    if (SetupData* s = setup()) return s->keys;
    if (OpenData* o = create ? MutableOpen() : open()) return o->keys;
    return nullptr;
  }
  void Reset() {
    if (SetupData* s = setup()) delete s;
    else if (OpenData* o = open()) delete o;
    bits_ = 0;
  }

 private:
  static constexpr uintptr_t kSetupBit = 1;
  uintptr_t bits_ = 0;
};

// A leg's 4-tuple as the pair holds it: ports always, IPv4 addresses as
// their four bytes; a leg with an address of another family is "wide" and
// its addresses live in the flow table's side array.
struct PackedTuple {
  uint32_t src = 0;  // the address's bytes as in IpAddress (memcpy), when not wide
  uint32_t dst = 0;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
};

struct Pair {
  PackedTuple packed[2];  // [Leg]; FlowTable::Tuple reads them
  State state = State::kClosed;
  Transport up_transport = Transport::kTcp;
  Transport down_transport = Transport::kTcp;
  UpstreamKind up_kind = UpstreamKind::kHeldSyn;
  bool in_use = false;
  bool up_indexed = false;
  bool down_indexed = false;
  bool down_connected = false;  // the downstream handshake completed
  uint8_t dscp = 0;
  uint8_t wide = 0;              // bit per Leg: its addresses are in the side array
  TimerLinks timer;              // the machine's timer wheel (timer_wheel.h)
  int64_t deadline_ns = 0;       // as armed in the wheel
  int64_t last_activity_ns = 0;  // idle lifetime counts from here (both legs)
  uint32_t generation = 0;
  uint32_t token = 0;            // MPTCP token of the upstream connection (0: unknown)
  // Segment-fed pairs: each leg's sequence space, indexed by Leg.
  LegSequence sequence[2];
  PhaseData phase;

  SetupData* setup() const { return phase.setup(); }
  Transport transport(Leg leg) const { return leg == Leg::kUpstream ? up_transport : down_transport; }
  uint16_t src_port(Leg leg) const { return packed[int(leg)].src_port; }
};

static_assert(sizeof(Pair) == 128, "a pair is two cache lines (bench/: memory per pair)");

}  // namespace mcp_core

#endif  // MCP_CORE_PAIR_H_
