// SPDX-License-Identifier: Apache-2.0
// mcp_core::Converter: a sans-I/O MPTCP Conversion Point (network MCP,
// MCP in a CPE, or multipath client), explicit (off-path) model of
// draft-boucadair-mptcp-plain-mode-10. It decides; the embedder's stack
// (kernel sockets or a userspace stack) carries connections out.
//
// Contract (quinn-proto and h11 style):
//  * Inputs: HandleSegment (packet-level boxes), HandleAcceptedConnection
//    (proxies that terminate in the kernel), HandleLocalConnect (multipath
//    client), HandleLegEvent (what the embedder's stack reports about a leg),
//    HandleTimeouts. Every call takes `now`, which must never go backwards:
//    an earlier one is embedder misuse, taken as the latest `now` seen and
//    counted (Stats::time_went_backwards), in every build.
//  * Outputs are pulled: PollAction until empty (in order: cause before
//    effect, both legs in one queue), then PollEvent. Actions own their bytes.
//    Events are for logs: at most max_queued_events wait; past that they are
//    counted in Stats (as every event is) and dropped.
//  * NextDeadline: when to call HandleTimeouts next; read it after each batch.
//    Never later than a real deadline; it may be earlier (timer_wheel.h:
//    coarse levels, cancelled deadlines), and a wake-up with nothing due
//    then names a later one: after HandleTimeouts(now) it is never <= now
//    unless something is due. Idle lifetimes are re-armed lazily: a pair
//    that was active since its timer was armed costs one early wake-up,
//    after which NextDeadline names its real expiry.
//  * Peer misbehaviour never throws or returns an error: it is a Verdict, an
//    Event and a counter. Embedder misuse (unknown flow, an event illegal in
//    the pair's state) returns absl::Status and changes nothing.
//  * Bounded: pairs <= max_flows, half-open setups per source and in total,
//    simultaneous MP_JOIN subflows per connection, queued events. Past a
//    limit is a counted refusal. One 4-tuple is one pair.
//  * The layout: admission.h decides who may open a pair and where it may
//    go; pair_machine.h runs transitions.h's table on each pair; this class
//    is the front that routes each input to them.
//  * Choose one style per pair: either feed its segments (the core then
//    derives RST / FIN / DATA_FIN / MP_FASTCLOSE itself, acting only on those
//    in the leg's window and, for MP_FASTCLOSE, well formed with the
//    receiver's key: see leg_sequence.h and README.md) or report leg events.
//
//   mcp_core::Converter mcp(config);
//   Verdict v = mcp.HandleSegment(now, segment);
//   while (auto a = mcp.PollAction()) stack.Execute(*a);
//   timer.Arm(mcp.NextDeadline());
#ifndef MCP_CORE_CONVERTER_H_
#define MCP_CORE_CONVERTER_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "mcp_core/actions.h"
#include "mcp_core/admission.h"
#include "mcp_core/config.h"
#include "mcp_core/flow_table.h"
#include "mcp_core/leg_event.h"
#include "mcp_core/outputs.h"
#include "mcp_core/pair_machine.h"
#include "mcp_core/segment.h"
#include "mcp_core/stats.h"
#include "mcp_core/time.h"
#include "mcp_core/transitions.h"
#include "mptcp_opts/segment_options.h"

namespace mcp_core {

// A connection the embedder's own stack accepted (a proxy terminating in the
// kernel). Its handshake is complete, so the core answers it with
// Action::kAnswerAccepted (bytes to write first), never kAnswerSyn.
//  * NETWORK_MCP: an MPTCP connection to the MCP's address and the first
//    bytes read from it (the IEs, then possibly application data).
//  * CPE_MCP: a LAN TCP connection accepted transparently (TPROXY); `tuple`
//    is the LAN host -> the original destination, `mptcp` whether the LAN
//    host spoke MPTCP itself (then it is passed through). kPassThrough: not
//    eligible, native MPTCP or a capability-cache hit: the embedder relays it
//    as plain TCP to the original destination itself, without the core.
struct AcceptedConnection {
  Interface interface = Interface::kCustomerFacing;
  FourTuple tuple;
  bool mptcp = true;
  uint8_t dscp = 0;
  std::span<const uint8_t> first_bytes;
};

// Multipath client: a local application asks for a connection.
struct LocalConnect {
  FourTuple tuple;  // the application's intended src (port 0: any), dst and dst port
  std::span<const uint8_t> data;  // bytes to send with the SYN (may be empty)
  uint8_t dscp = 0;               // the application's DSCP (preserved or remarked per config)
};

class Converter {
 public:
  explicit Converter(const Config& config);

  // A segment seen by a packet-level box. See Verdict for what to do with it.
  [[nodiscard]] Verdict HandleSegment(Instant now, const SegmentView& segment);
  // A burst of segments (one receive batch): verdicts[i] is what
  // HandleSegment would return for segments[i], applied in order. Prefetches
  // the flow index and the pairs a few segments ahead. Handles the first
  // min(segments.size(), verdicts.size()) segments: none past the end of
  // `verdicts` (converter_batch.cc). Exactly HandleSegment per segment, so
  // its counters too: a `now` that went backwards counts once per segment.
  void HandleSegments(Instant now, std::span<const SegmentView> segments, std::span<Verdict> verdicts);
  // A connection accepted by the embedder's own stack (see AcceptedConnection):
  // an MPTCP connection at a network MCP, a transparently intercepted LAN
  // connection at a CPE. Refusals (kReset, kDrop): abort the accepted socket.
  [[nodiscard]] Verdict HandleAcceptedConnection(Instant now, const AcceptedConnection& conn);
  // Multipath client: open a connection for a local application. The
  // returned flow's upstream is the application; results arrive as
  // kNotifyApplication actions. Through the network MCP when the flow is
  // eligible and the MCP is not in the capability cache (draft -10 §6: a
  // MUST); otherwise (NOT_ELIGIBLE, CAPABILITY_CACHE_HIT) the pair's leg goes
  // straight to the server in plain TCP. InvalidArgument: destination port 0,
  // or a destination an IE cannot carry (D7); ResourceExhausted: a setup limit.
  [[nodiscard]] absl::StatusOr<FlowId> HandleLocalConnect(Instant now, const LocalConnect& request);
  // NotFound: no such pair (or closed). FailedPrecondition: the event is
  // illegal in the pair's state (nothing changes).
  absl::Status HandleLegEvent(Instant now, FlowId flow, Leg leg, const LegEvent& event);
  // Fires every timer due at `now`.
  void HandleTimeouts(Instant now);
  // decisions.md D8: flush the MCP-capability cache (new network attachment,
  // new MCP, new address).
  void FlushCapabilityCache() {
    caches_.capability.Clear();
    caches_.mcp_discovered = false;
  }

  [[nodiscard]] std::optional<Action> PollAction();
  [[nodiscard]] std::optional<Event> PollEvent();
  [[nodiscard]] std::optional<Instant> NextDeadline() const;

  const Stats& stats() const { return out_.stats; }
  const Config& config() const { return config_; }
  State StateOf(FlowId flow) const;  // kClosed when unknown

 private:
  // Every entry point: `now` never goes backwards (clamped and counted).
  Instant Clamp(Instant now);
  Verdict OnSynAtMcp(Instant now, const SegmentView& seg);
  Verdict OnSynAtCpe(Instant now, const SegmentView& seg);
  // draft -10 §5.2 and §6.2: an MPTCP connection to the MCP, carrying
  // MP_CONVERT IEs, becomes a pair with a leg to the server.
  Verdict NewExplicitFlow(Instant now, Interface iface, const FourTuple& tuple, uint8_t dscp, bool up_mptcp,
                          std::span<const uint8_t> payload, UpstreamKind up_kind);
  // draft -10 §7.2.2: an eligible LAN connection becomes a pair with an
  // MPTCP leg to the network MCP. `tfo`: the SYN carries TFO data or a cookie.
  Verdict NewCpeFlow(Instant now, const FourTuple& tuple, uint8_t dscp, std::span<const uint8_t> payload,
                     bool native_mptcp, bool prefer_proxy, bool tfo, UpstreamKind up_kind);
  // CPE / client: the pair and its MPTCP leg to the network MCP, with IEs.
  absl::StatusOr<FlowId> OpenToMcp(Instant now, const FourTuple& tuple, std::span<const uint8_t> data,
                                   uint8_t dscp, UpstreamKind up_kind);
  // Client: a pair whose leg goes straight to the server in plain TCP.
  FlowId OpenDirect(Instant now, const FourTuple& tuple, std::span<const uint8_t> data, uint8_t dscp);
  // A pair in its first setup state, holding a half-open place of `source`.
  FlowId CreatePair(const mptcp_opts::IpAddress& source, UpstreamKind up_kind);
  uint8_t Dscp(uint8_t seen) const { return config_.preserve_dscp ? seen : config_.dscp_remark; }
  void Refuse(const Refusal& r, FlowId flow = 0) { out_.Emit(r.kind, flow, r.reason); }

  Config config_;
  mptcp_opts::CodecConfig codec_;
  mptcp_opts::SegmentOptions parsed_;  // the SYN path's one option parse
  FlowTable flows_;
  Outputs out_;
  Caches caches_;
  Admission admission_;
  PairMachine machine_;
  Instant last_now_ = Instant::FromNanos(std::numeric_limits<int64_t>::min());
};

}  // namespace mcp_core

#endif  // MCP_CORE_CONVERTER_H_
