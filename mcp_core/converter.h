// mcp_core::Converter: a sans-I/O MPTCP Conversion Point (network MCP,
// MCP in a CPE, or multipath client), explicit (off-path) model of
// draft-boucadair-mptcp-plain-mode-10. It decides; the embedder's stack
// (kernel sockets or a userspace stack) carries connections out.
//
// Contract (quinn-proto and h11 style):
//  * Inputs: HandleSegment (packet-level boxes), HandleAcceptedConnection
//    (proxies that terminate in the kernel), HandleLocalConnect (multipath
//    client), HandleLegEvent (what the embedder's stack reports about a leg),
//    HandleTimeouts. Every call takes `now`, which must never go backwards.
//  * Outputs are pulled: PollAction until empty (in order: cause before
//    effect, both legs in one queue), then PollEvent. Actions own their bytes.
//  * NextDeadline: when to call HandleTimeouts next; read it after each batch.
//    Never later than a real deadline. Idle lifetimes are re-armed lazily: a
//    pair that was active since its timer was armed costs one early wake-up,
//    after which NextDeadline names its real expiry.
//  * Peer misbehaviour never throws or returns an error: it is a Verdict, an
//    Event and a counter. Embedder misuse (unknown flow, an event illegal in
//    the pair's state) returns absl::Status and changes nothing.
//  * Bounded: pairs <= max_flows, half-open setups per source and in total,
//    MP_JOIN subflows per connection. Past a limit is a counted refusal.
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
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "mcp_core/actions.h"
#include "mcp_core/config.h"
#include "mcp_core/expiring_set.h"
#include "mcp_core/flow_table.h"
#include "mcp_core/segment.h"
#include "mcp_core/time.h"
#include "mcp_core/transitions.h"
#include "mptcp_opts/segment_options.h"

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

struct Stats {
  uint64_t events[kNumEventKinds] = {};  // indexed by EventKind; counted even when the queue is full
  uint64_t events_dropped = 0;     // not queued: max_queued_events were waiting to be polled
  uint64_t time_went_backwards = 0;  // calls whose `now` was earlier than a previous one (clamped)
  uint64_t segments = 0;
  uint64_t segments_tracked = 0;
  uint64_t illegal_inputs = 0;
  uint64_t pairs_created = 0;
  uint64_t pairs_closed = 0;
  uint32_t pairs = 0;
  uint32_t half_open = 0;
  uint64_t count(EventKind k) const { return events[int(k)]; }
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
  // `verdicts` (converter_batch.cc).
  void HandleSegments(Instant now, std::span<const SegmentView> segments, std::span<Verdict> verdicts);
  // A connection accepted by the embedder's own stack (see AcceptedConnection):
  // an MPTCP connection at a network MCP, a transparently intercepted LAN
  // connection at a CPE. Refusals (kReset, kDrop): abort the accepted socket.
  [[nodiscard]] Verdict HandleAcceptedConnection(Instant now, const AcceptedConnection& conn);
  // Multipath client: open a connection for a local application. The
  // returned flow's upstream is the application; results arrive as
  // kNotifyApplication actions.
  [[nodiscard]] absl::StatusOr<FlowId> HandleLocalConnect(Instant now, const LocalConnect& request);
  // NotFound: no such pair (or closed). FailedPrecondition: the event is
  // illegal in the pair's state (nothing changes).
  absl::Status HandleLegEvent(Instant now, FlowId flow, Leg leg, const LegEvent& event);
  // Fires every timer due at `now`.
  void HandleTimeouts(Instant now);
  // decisions.md D8: flush the MCP-capability cache (new network attachment,
  // new MCP, new address).
  void FlushCapabilityCache() { capability_cache_.Clear(); }

  [[nodiscard]] std::optional<Action> PollAction();
  [[nodiscard]] std::optional<Event> PollEvent();
  [[nodiscard]] std::optional<Instant> NextDeadline() const;

  const Stats& stats() const { return stats_; }
  const Config& config() const { return config_; }
  State StateOf(FlowId flow) const;  // kClosed when unknown

 private:
  struct Pending {  // half-open setups only
    std::vector<uint8_t> echo;      // network MCP: IEs to echo; CPE/client: IEs we sent
    std::vector<uint8_t> app_data;  // data to relay with the downstream SYN (or fallback)
    FourTuple server;               // CPE/client: where the fallback leg goes
    mptcp_opts::IpAddress source;   // for the per-source half-open count
  };

  // `accepted`: the upstream handshake was completed by the embedder's stack.
  Verdict NewExplicitFlow(Instant now, Interface iface, const FourTuple& tuple, uint8_t dscp,
                          bool has_mp_capable, std::span<const uint8_t> payload, bool accepted);
  // `native_mptcp`, `prefer_proxy`: what the SYN's options carry.
  Verdict NewCpeFlow(Instant now, const FourTuple& tuple, uint8_t dscp, std::span<const uint8_t> payload,
                     bool native_mptcp, bool prefer_proxy, bool accepted);
  Verdict OnJoinSyn(const SegmentView& seg, uint32_t token);
  // The first setup bound (flow table, half-open total, half-open from this
  // source) a new pair would exceed, if any.
  std::optional<EventKind> SetupLimitHit(const mptcp_opts::IpAddress& source) const;
  FlowId CreatePair(Instant now, const mptcp_opts::IpAddress& source);
  void Refuse(EventKind kind, uint8_t reason = 0);
  void ApplyInput(Instant now, FlowId id, Input input);
  void Schedule(FlowId id, Pair& p, Instant when);
  void ReleaseHalfOpen(FlowId id, Pair& p);
  void Emit(EventKind kind, FlowId flow, uint8_t reason = 0);
  void AbortLeg(FlowId id, const Pair& p, Leg leg);
  // A segment on a tracked leg: refreshes the pair and, when it proves
  // itself, turns RST, FIN, DATA_FIN and MP_FASTCLOSE into inputs.
  Verdict ObserveTracked(Instant now, FlowId id, Leg leg, const SegmentView& seg);
  // Whether an MP_FASTCLOSE option (decoded or not) ends the leg: well
  // formed, its segment in the window, the receiver's key when known.
  // Counted when not.
  bool FastCloseProves(FlowId id, Leg leg, LegSide from, const mptcp_opts::MptcpOptionEntry& option,
                       bool in_window);
  void LearnKeys(FlowId id, Leg leg, LegSide from, const mptcp_opts::MpCapable& capable);
  // An in-window RST: a challenge ACK, within config challenge_acks_per_second
  // (RFC 5961 §7); past it the RST is ignored and counted.
  void ChallengeRst(Instant now, FlowId id, Leg leg, const SegmentView& seg);
  void CheckTime(Instant now);

  // The MPTCP keys of a segment-fed MPTCP leg's two sides, once seen in
  // MP_CAPABLE (RFC 8684 §3.1); MP_FASTCLOSE must carry the receiver's
  // (§3.5). Kept beside the pairs: only segment-fed MPTCP legs have them.
  struct LegKeys {
    std::optional<uint64_t> key[2];  // by LegSide
  };
  Config config_;
  mptcp_opts::CodecConfig codec_;
  // Reused for every segment's one option parse (no allocation, and the
  // 20-entry result is not zeroed per segment).
  mptcp_opts::SegmentOptions parsed_;
  absl::flat_hash_map<std::pair<FlowId, Leg>, LegKeys> keys_;
  int64_t challenge_second_ = std::numeric_limits<int64_t>::min();
  uint32_t challenges_this_second_ = 0;
  FlowTable flows_;
  absl::flat_hash_map<FlowId, Pending> pending_;
  absl::flat_hash_map<std::string, uint32_t> half_open_by_source_;
  absl::flat_hash_map<uint32_t, FlowId> by_token_;
  absl::btree_set<std::pair<int64_t, FlowId>> deadlines_;
  ExpiringSet capability_cache_{64};   // D8
  ExpiringSet server_cache_{4096};     // D9
  std::deque<Action> actions_;
  std::deque<Event> events_;
  Stats stats_;
  Instant last_now_ = Instant::FromNanos(std::numeric_limits<int64_t>::min());
};

}  // namespace mcp_core

#endif  // MCP_CORE_CONVERTER_H_
