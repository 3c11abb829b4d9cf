// SPDX-License-Identifier: Apache-2.0
// The pair machine: runs transitions.h's table on one Pair and turns each
// row into actions, events, timers and the pair's phase. It decides nothing
// the table does not say; the pair's data (how its upstream is answered, its
// legs' transports) says how an action is carried out.
//
// What the embedder reports and what tracked segments show arrive here as
// the same LegSignals, and one function (InputFor) turns a signal on a leg
// into the table's Input, so that a refusal reported as a segment and as a
// leg event is the same input, with the same counters.
#ifndef MCP_CORE_PAIR_MACHINE_H_
#define MCP_CORE_PAIR_MACHINE_H_

#include <cstdint>
#include <limits>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "mcp_core/actions.h"
#include "mcp_core/admission.h"
#include "mcp_core/config.h"
#include "mcp_core/expiring_set.h"
#include "mcp_core/flow_table.h"
#include "mcp_core/leg_event.h"
#include "mcp_core/outputs.h"
#include "mcp_core/pair.h"
#include "mcp_core/time.h"
#include "mcp_core/timer_wheel.h"
#include "mcp_core/transitions.h"
#include "mptcp_opts/segment_options.h"

namespace mcp_core {

// What happened on a leg, however the embedder learnt it.
struct LegSignal {
  enum Kind : uint8_t { kConnected, kFirstBytes, kRefused, kReset, kFastClose, kFin, kTimedOut };
  // kConnected: what the MCP's answer showed (kFirstBytes: only `echo`).
  enum class Echo : uint8_t { kAbsent, kExact, kWrong };
  Kind kind = kConnected;
  bool with_mptcp = true;
  Echo echo = Echo::kAbsent;
};

// The kOpenLeg action for `pair`'s downstream leg as it stands (its tuple,
// transport and DSCP), clamped to `mss`; the caller adds the SYN's payload.
Action OpenDownstream(const FlowTable& flows, FlowId id, const Pair& pair, uint16_t mss);

// The table's Input for `signal` on `leg` of `pair`, or nullopt when the
// signal means nothing for that leg (e.g. MP_FASTCLOSE on a TCP leg).
std::optional<Input> InputFor(const Pair& pair, Leg leg, const LegSignal& signal);

// What the core remembers beyond single pairs (decisions.md D8, D9).
struct Caches {
  ExpiringSet capability{64};  // D8: MCPs that refused or did not echo
  ExpiringSet server{4096};    // D9: servers that answer plain TCP only
  // CPE / client: an exact echo came from the MCP since start or the last
  // FlushCapabilityCache (draft -10 §7: TFO waits for it).
  bool mcp_discovered = false;
};

class PairMachine {
 public:
  PairMachine(const Config& config, FlowTable& flows, Admission& admission, Caches& caches, Outputs& out);

  // A pair just created in a setup state enters it: its timer is armed.
  void Start(Instant now, FlowId id, Pair& pair, State first);
  // Runs the row for {pair.state, input}; false (counted) when there is none.
  bool Apply(Instant now, FlowId id, Pair& pair, Input input);

  absl::Status OnLegEvent(Instant now, FlowId id, Pair& pair, Leg leg, const LegEvent& event);
  // A segment on a tracked leg (tracked_segment.cc).
  Verdict OnSegment(Instant now, FlowId id, Pair& pair, Leg leg, const SegmentView& segment);
  // An MP_JOIN SYN for `token` (seed 002 §5.3, §7.2).
  Verdict OnJoinSyn(Interface iface, const FourTuple& tuple, uint32_t token);
  void OnTimeouts(Instant now);
  std::optional<Instant> NextDeadline() const;

 private:
  void Enter(Instant now, FlowId id, Pair& pair, State to);
  void Arm(Instant now, FlowId id, Pair& pair);
  void Schedule(Instant now, FlowId id, Pair& pair, Instant when);
  // The input a state's timer means when it fires, or nullopt (idle re-armed).
  std::optional<Input> Fired(Instant now, FlowId id, Pair& pair);
  void Answer(FlowId id, const Pair& pair);
  void Abort(FlowId id, const Pair& pair, Leg leg);
  void Close(FlowId id, const Pair& pair, Leg leg);
  // kOpenFallback (straight to the server the client asked for) or
  // kRetryWithoutMpCapable (the same server and source, D9): plain TCP.
  void OpenPlainToServer(FlowId id, Pair& pair, bool fallback);
  absl::Status OnSubflowClosed(FlowId id, Pair& pair, Leg leg, const std::optional<FourTuple>& tuple);

  // tracked_segment.cc
  bool FastCloseProves(FlowId id, Pair& pair, Leg leg, LegSide from, const mptcp_opts::MptcpOptionEntry& option,
                       bool in_window);
  void LearnKeys(Pair& pair, Leg leg, LegSide from, const mptcp_opts::MpCapable& capable);
  void ChallengeRst(Instant now, FlowId id, const Pair& pair, Leg leg, const SegmentView& seg);

  const Config& config_;
  mptcp_opts::CodecConfig codec_;
  FlowTable& flows_;
  Admission& admission_;
  Caches& caches_;
  Outputs& out_;
  // Reused for every segment's one option parse (no allocation, and the
  // 20-entry result is not zeroed per segment).
  mptcp_opts::SegmentOptions parsed_;
  absl::flat_hash_map<uint32_t, FlowId> by_token_;
  // Each pair's one deadline, linked through the pair itself.
  struct TimerStore {
    FlowTable* flows;
    TimerLinks& Links(uint32_t index) { return flows->AtIndex(index).timer; }
    int64_t Deadline(uint32_t index) const { return flows->AtIndex(index).deadline_ns; }
  };
  TimerWheel<TimerStore> deadlines_;
  int64_t challenge_second_ = std::numeric_limits<int64_t>::min();
  uint32_t challenges_this_second_ = 0;
};

}  // namespace mcp_core

#endif  // MCP_CORE_PAIR_MACHINE_H_
