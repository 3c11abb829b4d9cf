#include "mcp_core/converter.h"

#include <algorithm>
#include <cassert>

#include "absl/strings/str_cat.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/segment_options.h"

namespace mcp_core {
namespace {

namespace mo = mptcp_opts;

std::string SourceKey(const mo::IpAddress& a) {
  const auto b = a.bytes();
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

bool AnyContains(const std::vector<IpPrefix>& prefixes, const mo::IpAddress& a) {
  for (const auto& p : prefixes) if (p.Contains(a)) return true;
  return false;
}

// What a SYN's option area says, from the segment's one option parse.
struct SynOptions {
  bool mp_capable = false;
  bool prefer_proxy = false;
  std::optional<uint32_t> join_token;
  std::optional<uint8_t> window_scale;
};

SynOptions ScanSyn(std::span<const uint8_t> area, const mo::CodecConfig& codec,
                   mo::SegmentOptions& parsed) {
  SynOptions out;
  (void)mo::ParseSegmentOptions(area, codec, parsed);  // a bad option ends the walk; what came before counts
  if (parsed.has(mo::SegmentOptions::kWindowScale)) out.window_scale = parsed.effective_window_scale();
  for (const mo::MptcpOptionEntry& e : parsed.mptcp_options()) {
    if (e.status != mo::DecodeStatus::kOk) continue;
    if (std::holds_alternative<mo::MpCapable>(e.value)) out.mp_capable = true;
    if (std::holds_alternative<mo::MpPreferProxy>(e.value)) out.prefer_proxy = true;
    if (auto* j = std::get_if<mo::MpJoinSyn>(&e.value)) out.join_token = j->token;
  }
  return out;
}

// What the MPTCP options of a segment on an MPTCP leg signal, in one pass
// over the segment's one option parse.
struct MptcpSignals {
  const mo::MptcpOptionEntry* fastclose = nullptr;  // the first MP_FASTCLOSE, decoded or not
  bool data_fin = false;                            // a decoded DSS with DATA_FIN
  const mo::MpCapable* keys = nullptr;              // a decoded MP_CAPABLE carrying a key
};

MptcpSignals ScanMptcpSignals(const mo::SegmentOptions& parsed, std::span<const uint8_t> area) {
  MptcpSignals out;
  for (const mo::MptcpOptionEntry& e : parsed.mptcp_options()) {
    if (e.status != mo::DecodeStatus::kOk) {
      // Recognised by its subtype alone, so that a malformed one is counted.
      const auto bytes = mo::SegmentOptions::BytesOf(e, area);
      if (!out.fastclose && bytes.size() >= 3 && mo::SubtypeOf(bytes) == uint8_t(mo::Subtype::kMpFastclose)) {
        out.fastclose = &e;
      }
    } else if (const auto* dss = std::get_if<mo::Dss>(&e.value)) {
      out.data_fin |= dss->data_fin;
    } else if (std::holds_alternative<mo::MpFastclose>(e.value)) {
      if (!out.fastclose) out.fastclose = &e;
    } else if (const auto* capable = std::get_if<mo::MpCapable>(&e.value)) {
      if (capable->sender_key || capable->receiver_key) out.keys = capable;
    }
  }
  return out;
}

}  // namespace

static_assert(int(EventKind::kTfoBeforeDiscovery) + 1 == kNumEventKinds);

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kPairCreated: return "PAIR_CREATED";
    case EventKind::kPairEstablished: return "PAIR_ESTABLISHED";
    case EventKind::kPairClosed: return "PAIR_CLOSED";
    case EventKind::kRefusedInternetFacing: return "REFUSED_INTERNET_FACING";
    case EventKind::kRefusedAcl: return "REFUSED_ACL";
    case EventKind::kRefusedHalfOpenPerSource: return "REFUSED_HALF_OPEN_PER_SOURCE";
    case EventKind::kRefusedHalfOpenTotal: return "REFUSED_HALF_OPEN_TOTAL";
    case EventKind::kRefusedFlowTableFull: return "REFUSED_FLOW_TABLE_FULL";
    case EventKind::kRefusedSubflowLimit: return "REFUSED_SUBFLOW_LIMIT";
    case EventKind::kMalformedIe: return "MALFORMED_IE";
    case EventKind::kMissingDestination: return "MISSING_DESTINATION";
    case EventKind::kBadDestinationPort: return "BAD_DESTINATION_PORT";
    case EventKind::kUnknownIeTypeSkipped: return "UNKNOWN_IE_TYPE_SKIPPED";
    case EventKind::kNativeMptcpPassedThrough: return "NATIVE_MPTCP_PASSED_THROUGH";
    case EventKind::kNotEligible: return "NOT_ELIGIBLE";
    case EventKind::kMcpNoEcho: return "MCP_NO_ECHO";
    case EventKind::kMcpSetupTimeout: return "MCP_SETUP_TIMEOUT";
    case EventKind::kCapabilityCacheHit: return "CAPABILITY_CACHE_HIT";
    case EventKind::kSetupFailed: return "SETUP_FAILED";
    case EventKind::kIdleTimeout: return "IDLE_TIMEOUT";
    case EventKind::kPreferProxyIgnored: return "PREFER_PROXY_IGNORED";
    case EventKind::kRstChallenged: return "RST_CHALLENGED";
    case EventKind::kRstInWindowIgnored: return "RST_IN_WINDOW_IGNORED";
    case EventKind::kRstOutOfWindow: return "RST_OUT_OF_WINDOW";
    case EventKind::kFinOutOfWindow: return "FIN_OUT_OF_WINDOW";
    case EventKind::kDataFinOutOfWindow: return "DATA_FIN_OUT_OF_WINDOW";
    case EventKind::kFastCloseRejected: return "FAST_CLOSE_REJECTED";
    case EventKind::kMcpRefused: return "MCP_REFUSED";
    case EventKind::kMcpNotMptcp: return "MCP_NOT_MPTCP";
    case EventKind::kRefusedDestination: return "REFUSED_DESTINATION";
    case EventKind::kRefusedNoSourceAddress: return "REFUSED_NO_SOURCE_ADDRESS";
    case EventKind::kDuplicateTuple: return "DUPLICATE_TUPLE";
    case EventKind::kTfoBeforeDiscovery: return "TFO_BEFORE_DISCOVERY";
  }
  return "?";
}

Converter::Converter(const Config& config) : config_(config), flows_(config.max_flows) {
  codec_.prefer_proxy_subtype = config.prefer_proxy_subtype;
}

void Converter::CheckTime(Instant now) {
  // Contract: time never goes backwards on one converter.
  assert(now >= last_now_ && "mcp_core: `now` went backwards");
  if (now > last_now_) last_now_ = now;
}

void Converter::Emit(EventKind kind, FlowId flow, uint8_t reason) {
  ++stats_.events[int(kind)];
  if (config_.logging) events_.push_back({kind, flow, reason});
}

void Converter::Refuse(EventKind kind, uint8_t reason) { Emit(kind, 0, reason); }

State Converter::StateOf(FlowId flow) const {
  const Pair* p = flows_.Get(flow);
  return p ? p->state : State::kClosed;
}

// ---------------------------------------------------------------- segments

Verdict Converter::HandleSegment(Instant now, const SegmentView& seg) {
  CheckTime(now);
  ++stats_.segments;
  if (auto hit = flows_.Find(seg.tuple)) {
    ++stats_.segments_tracked;
    return ObserveTracked(now, hit->first, hit->second, seg);
  }
  if (!seg.syn() || seg.ack() || seg.rst()) return {};
  Verdict v;
  std::optional<uint8_t> window_scale;
  if (config_.role == Role::kNetworkMcp) {
    if (!std::count(config_.mcp_addresses.begin(), config_.mcp_addresses.end(), seg.tuple.dst)) {
      return {};
    }
    const SynOptions syn = ScanSyn(seg.options, codec_, parsed_);
    if (syn.join_token) return OnJoinSyn(seg, *syn.join_token);
    if (!syn.mp_capable) return {};  // plain TCP to the MCP's address: not the converter's
    window_scale = syn.window_scale;
    v = NewExplicitFlow(now, seg.interface, seg.tuple, seg.dscp, true, seg.payload, /*accepted=*/false);
  } else if (config_.role == Role::kCpeMcp && seg.interface == Interface::kCustomerFacing) {
    const SynOptions syn = ScanSyn(seg.options, codec_, parsed_);
    window_scale = syn.window_scale;
    v = NewCpeFlow(now, seg.tuple, seg.dscp, seg.payload, syn.mp_capable, syn.prefer_proxy, /*accepted=*/false);
  }
  // The client's SYN starts the upstream leg's sequence space.
  if (v.kind == Verdict::kIntercept) {
    flows_.Get(v.flow)->sequence[int(Leg::kUpstream)].Learn(LegSide::kTupleSource, seg, window_scale);
  }
  return v;
}

// Refreshes the idle lifetime and, for pairs fed by segments, turns RST, FIN,
// DATA_FIN and MP_FASTCLOSE into inputs once they prove themselves: in the
// leg's window (RFC 5961 §3 for RST, RFC 9293 §3.10.7.4 for the others) and,
// for MP_FASTCLOSE, well formed with the receiver's key when the core saw it.
// A signal that does not prove itself changes nothing: the segment is dropped
// and counted. An MPTCP leg ends with DATA_FIN or MP_FASTCLOSE, not with one
// subflow's FIN or RST (RFC 8684 §3.3.3, §3.5).
Verdict Converter::ObserveTracked(Instant now, FlowId id, Leg leg, const SegmentView& seg) {
  Pair* p = flows_.Get(id);
  const Verdict forward{Verdict::kForward, id, leg};
  const Verdict drop{Verdict::kDrop, id, leg};
  const bool up = leg == Leg::kUpstream;
  const bool mptcp = (up ? p->up_transport : p->down_transport) == Transport::kMptcp;
  const LegSide from = seg.tuple == (up ? p->up : p->down) ? LegSide::kTupleSource : LegSide::kTupleDestination;
  LegSequence& sequence = p->sequence[int(leg)];
  // The one option parse, where options can matter: MPTCP legs and SYNs.
  const bool parsed = !seg.options.empty() && (mptcp || seg.syn());
  if (parsed) (void)mo::ParseSegmentOptions(seg.options, codec_, parsed_);

  const SeqClass position = seg.rst() ? sequence.ClassifyRst(from, seg)
                                      : sequence.ClassifyFin(from, seg.seq + uint32_t(seg.payload.size()));
  const bool in_window = position == SeqClass::kExact || position == SeqClass::kInWindow;
  const MptcpSignals signals = mptcp && parsed ? ScanMptcpSignals(parsed_, seg.options) : MptcpSignals{};
  if (signals.fastclose) {
    if (!FastCloseProves(id, leg, from, *signals.fastclose, in_window)) return drop;
    p->last_activity_ns = now.nanos();
    ApplyInput(now, id, up ? Input::kUpFastClose : Input::kDownFastClose);
    return forward;
  }
  if (seg.rst()) {
    switch (position) {
      case SeqClass::kExact:
        p->last_activity_ns = now.nanos();
        // A subflow's RST does not end an MPTCP connection.
        if (!mptcp) ApplyInput(now, id, up ? Input::kUpReset : Input::kDownReset);
        return forward;
      case SeqClass::kInWindow:
        ChallengeRst(now, id, leg, seg);
        return drop;
      case SeqClass::kOutOfWindow:
      case SeqClass::kUnknown:
        Emit(EventKind::kRstOutOfWindow, id, uint8_t(position));
        return drop;
    }
  }
  // FIN on a TCP leg, DATA_FIN on an MPTCP leg: graceful closes, when in window.
  const bool close = mptcp ? signals.data_fin : seg.fin();
  if (close && !in_window) {
    Emit(mptcp ? EventKind::kDataFinOutOfWindow : EventKind::kFinOutOfWindow, id, uint8_t(position));
    return drop;
  }
  const std::optional<uint8_t> window_scale =
      parsed && seg.syn() && parsed_.has(mo::SegmentOptions::kWindowScale)
          ? std::optional<uint8_t>(parsed_.effective_window_scale())
          : std::nullopt;
  // Only a segment near the leg's sequence space refreshes the pair: one
  // from anywhere else cannot keep a pair alive.
  if (!sequence.Learn(from, seg, window_scale) && !close) return forward;
  p->last_activity_ns = now.nanos();
  if (signals.keys) LearnKeys(id, leg, from, *signals.keys);
  if (close) ApplyInput(now, id, up ? Input::kUpFin : Input::kDownFin);
  return forward;
}

bool Converter::FastCloseProves(FlowId id, Leg leg, LegSide from, const mo::MptcpOptionEntry& option,
                                bool in_window) {
  const auto* fastclose = std::get_if<mo::MpFastclose>(&option.value);
  FastCloseRejection why;
  if (option.status != mo::DecodeStatus::kOk || !fastclose) {
    why = FastCloseRejection::kMalformed;
  } else if (!in_window) {
    why = FastCloseRejection::kOutOfWindow;
  } else if (auto k = keys_.find({id, leg});
             k != keys_.end() && k->second.key[int(Other(from))] &&
             *k->second.key[int(Other(from))] != fastclose->receiver_key) {
    why = FastCloseRejection::kKeyMismatch;  // RFC 8684 §3.5: the receiver's key
  } else {
    return true;
  }
  Emit(EventKind::kFastCloseRejected, id, uint8_t(why));
  return false;
}

// MP_CAPABLE carries the sender's key (SYN in v0, SYN/ACK) and both keys
// (the third ACK, RFC 8684 §3.1). The first key seen for a side stays: the
// segment carrying it was already held to the leg's window.
void Converter::LearnKeys(FlowId id, Leg leg, LegSide from, const mo::MpCapable& capable) {
  LegKeys& keys = keys_[{id, leg}];
  auto& sender = keys.key[int(from)];
  auto& receiver = keys.key[int(Other(from))];
  if (!sender && capable.sender_key) sender = capable.sender_key;
  if (!receiver && capable.receiver_key) receiver = capable.receiver_key;
}

void Converter::ChallengeRst(Instant now, FlowId id, Leg leg, const SegmentView& seg) {
  const int64_t second = now.nanos() / 1000000000;
  if (second != challenge_second_) {
    challenge_second_ = second;
    challenges_this_second_ = 0;
  }
  if (challenges_this_second_ >= config_.challenge_acks_per_second) {
    Emit(EventKind::kRstInWindowIgnored, id);
    return;
  }
  ++challenges_this_second_;
  const Pair* p = flows_.Get(id);
  Action a;
  a.kind = Action::kChallengeAck;
  a.flow = id;
  a.leg = leg;
  a.transport = leg == Leg::kUpstream ? p->up_transport : p->down_transport;
  a.tuple = seg.tuple.Reversed();  // to the RST's sender
  actions_.push_back(std::move(a));
  Emit(EventKind::kRstChallenged, id);
}

Verdict Converter::HandleAcceptedConnection(Instant now, const AcceptedConnection& conn) {
  CheckTime(now);
  switch (config_.role) {
    case Role::kNetworkMcp:
      if (!conn.mptcp) return {};  // plain TCP to the MCP's address: not the converter's
      return NewExplicitFlow(now, conn.interface, conn.tuple, conn.dscp, conn.mptcp, conn.first_bytes,
                             /*accepted=*/true);
    case Role::kCpeMcp:
      if (conn.interface != Interface::kCustomerFacing) return {};
      return NewCpeFlow(now, conn.tuple, conn.dscp, conn.first_bytes, conn.mptcp, /*prefer_proxy=*/false,
                        /*accepted=*/true);
    case Role::kMultipathClient:
      return {};
  }
  return {};
}

Verdict Converter::OnJoinSyn(const SegmentView& seg, uint32_t token) {
  auto it = by_token_.find(token);
  if (it == by_token_.end()) return {};  // the stack answers unknown tokens
  Pair* p = flows_.Get(it->second);
  if (!p) return {};
  // Seed 002 §5.3: MPTCP subflows only on customer-facing interfaces.
  if (seg.interface != Interface::kCustomerFacing) {
    Emit(EventKind::kRefusedInternetFacing, it->second);
    return {Verdict::kReset, it->second, Leg::kUpstream};
  }
  // Seed 002 §7.2: bound the subflows a CPE may open per connection (the
  // initial subflow counts as one).
  if (uint32_t(p->joins) + 1 >= config_.max_subflows_per_connection) {
    Emit(EventKind::kRefusedSubflowLimit, it->second);
    return {Verdict::kReset, it->second, Leg::kUpstream};
  }
  ++p->joins;
  return {Verdict::kPassThrough, it->second, Leg::kUpstream};
}

std::optional<EventKind> Converter::SetupLimitHit(const mo::IpAddress& source) const {
  if (flows_.size() >= flows_.capacity()) return EventKind::kRefusedFlowTableFull;
  if (stats_.half_open >= config_.max_half_open_total) return EventKind::kRefusedHalfOpenTotal;
  if (auto it = half_open_by_source_.find(SourceKey(source));
      it != half_open_by_source_.end() && it->second >= config_.max_half_open_per_source) {
    return EventKind::kRefusedHalfOpenPerSource;
  }
  return std::nullopt;
}

FlowId Converter::CreatePair(Instant now, const mo::IpAddress& source) {
  const FlowId id = *flows_.Allocate();
  Pair* p = flows_.Get(id);
  p->half_open = true;
  p->last_activity_ns = now.nanos();
  ++half_open_by_source_[SourceKey(source)];
  ++stats_.half_open;
  ++stats_.pairs_created;
  stats_.pairs = flows_.size();
  return id;
}

// draft -10 §5.2 and §6.2: a SYN with MP_CAPABLE sent to the MCP, carrying
// MP_CONVERT IEs, becomes a pair.
Verdict Converter::NewExplicitFlow(Instant now, Interface iface, const FourTuple& tuple,
                                   uint8_t dscp, bool has_mp_capable,
                                   std::span<const uint8_t> payload, bool accepted) {
  const Verdict refuse_rst{Verdict::kReset};
  const Verdict refuse_drop{Verdict::kDrop};
  // Seed 002 §5.3: only customer-facing interfaces; then the ACL.
  if (iface != Interface::kCustomerFacing) {
    Refuse(EventKind::kRefusedInternetFacing);
    return refuse_rst;
  }
  if (!config_.acl_source_prefixes.empty() && !AnyContains(config_.acl_source_prefixes, tuple.src)) {
    Refuse(EventKind::kRefusedAcl);
    return refuse_rst;
  }
  // Seed 002 §7.2, RFC 4987: SYN-flood bounds. Dropped, not answered.
  if (auto limit = SetupLimitHit(tuple.src)) {
    Refuse(*limit);
    return refuse_drop;
  }
  // decisions.md D1-D7.
  mo::MpConvertIeList ies;
  const mo::IeParseResult parsed = mo::ParseMpConvertIes(payload, ies);
  if (parsed.status == mo::IeStatus::kNoIe) {
    Refuse(EventKind::kMissingDestination);
    return refuse_rst;
  }
  if (parsed.status != mo::IeStatus::kOk) {
    Refuse(EventKind::kMalformedIe, uint8_t(parsed.status));  // D7: silent teardown
    return refuse_rst;
  }
  if (ies.skipped_unknown_type) Emit(EventKind::kUnknownIeTypeSkipped, 0, ies.skipped_unknown_type);
  const mo::MpConvertIe* dst = ies.destination();
  if (!dst) {
    Refuse(EventKind::kMissingDestination);
    return refuse_rst;
  }
  // Destination port from the IE, else the SYN's (draft -10 §5.2).
  FourTuple down;
  down.dst = dst->address;
  down.dst_port = dst->port.value_or(tuple.dst_port);
  if (down.dst_port == 0) {  // port 0 is reserved: nothing to connect to (found by converter_fuzzer)
    Refuse(EventKind::kBadDestinationPort);
    return refuse_rst;
  }
  const mo::MpConvertIe* src = ies.source();
  if (config_.source_pool_mode) {
    // "Paired" pooling (RFC 4787): a client always gets the same address.
    std::vector<mo::IpAddress> family;
    for (const auto& a : config_.source_pool) if (a.family() == down.dst.family()) family.push_back(a);
    if (family.empty()) {
      Refuse(EventKind::kSetupFailed);
      return refuse_rst;
    }
    down.src = family[absl::HashOf(SourceKey(tuple.src)) % family.size()];
  } else {
    down.src = src ? src->address : tuple.src;
    down.src_port = src ? src->port.value_or(0) : 0;
    if (down.src.family() != down.dst.family()) {
      Refuse(EventKind::kSetupFailed);  // cannot preserve an address across families
      return refuse_rst;
    }
  }
  const FlowId id = CreatePair(now, tuple.src);
  Pair* p = flows_.Get(id);
  p->state = State::kAwaitingServer;
  p->up_accepted = accepted;
  p->up = tuple;
  p->down = down;
  p->up_transport = has_mp_capable ? Transport::kMptcp : Transport::kTcp;
  const bool relay_mp_capable =
      config_.relay_mp_capable_to_servers && !server_cache_.Contains(down.dst, now);
  p->down_transport = relay_mp_capable ? Transport::kMptcp : Transport::kTcp;
  p->dscp = config_.preserve_dscp ? dscp : config_.dscp_remark;
  flows_.IndexLeg(id, Leg::kUpstream);
  if (down.src_port != 0 && !flows_.IndexLeg(id, Leg::kDownstream)) {
    p->down.src_port = 0;  // taken: let the stack choose
  }
  Pending& pend = pending_[id];
  pend.source = tuple.src;
  // D3: echo the Type-0 IEs byte-identical; D6: unknown types are not echoed.
  if (ies.skipped_unknown_type == 0) {
    pend.echo.assign(payload.begin(), payload.begin() + parsed.consumed);
  } else {
    uint8_t buf[64];
    size_t n = 0;
    if (mo::BuildMpConvertIes(ies.view(), buf, n) == mo::EncodeStatus::kOk) pend.echo.assign(buf, buf + n);
  }
  Action open;
  open.kind = Action::kOpenLeg;
  open.flow = id;
  open.leg = Leg::kDownstream;
  open.transport = p->down_transport;
  open.tuple = p->down;
  open.mss = config_.mss_clamp;
  open.dscp = p->dscp;
  pend.app_data.assign(payload.begin() + parsed.consumed, payload.end());  // D4: data after the IEs
  open.payload = pend.app_data;
  actions_.push_back(std::move(open));
  Emit(EventKind::kPairCreated, id);
  const Duration setup = relay_mp_capable ? std::min(config_.setup_timeout, config_.server_mp_capable_timeout)
                                          : config_.setup_timeout;
  Schedule(id, *p, now + setup);
  return {Verdict::kIntercept, id, Leg::kUpstream};
}

// draft -10 §7.2.2: the CPE intercepts an eligible LAN SYN and opens MPTCP
// to the network MCP with IEs; the client is answered only after the MCP's
// SYN/ACK carries the exact echo.
Verdict Converter::NewCpeFlow(Instant now, const FourTuple& tuple, uint8_t dscp,
                              std::span<const uint8_t> payload, bool native_mptcp, bool prefer_proxy,
                              bool accepted) {
  if (native_mptcp) {  // a native MPTCP host behind the CPE: hands off
    Emit(EventKind::kNativeMptcpPassedThrough, 0);
    return {};
  }
  if (prefer_proxy) Emit(EventKind::kPreferProxyIgnored, 0);  // D10: not with MP_CAPABLE
  const auto& dst = tuple.dst;
  const bool eligible =
      tuple.dst_port != 0 &&
      std::count(config_.supported_transport_protocols.begin(),
                 config_.supported_transport_protocols.end(), uint8_t{6}) &&
      (config_.eligible_prefixes.empty() || AnyContains(config_.eligible_prefixes, dst)) &&
      !AnyContains(config_.excluded_prefixes, dst) &&
      (config_.eligible_ports.empty() ||
       std::count(config_.eligible_ports.begin(), config_.eligible_ports.end(), tuple.dst_port));
  if (!eligible) {
    Emit(EventKind::kNotEligible, 0);
    return {};
  }
  if (capability_cache_.Contains(*config_.network_mcp, now)) {  // D8
    Emit(EventKind::kCapabilityCacheHit, 0);
    return {};  // plain TCP straight to the server, untouched
  }
  LocalConnect request{tuple, payload};
  auto id = HandleLocalConnect(now, request);
  if (!id.ok()) return {Verdict::kDrop};
  Pair* p = flows_.Get(*id);
  p->up_transport = Transport::kTcp;
  p->up_accepted = accepted;
  p->dscp = config_.preserve_dscp ? dscp : config_.dscp_remark;
  actions_.back().dscp = p->dscp;
  flows_.IndexLeg(*id, Leg::kUpstream);
  return {Verdict::kIntercept, *id, Leg::kUpstream};
}

absl::StatusOr<FlowId> Converter::HandleLocalConnect(Instant now, const LocalConnect& request) {
  CheckTime(now);
  if (config_.role == Role::kNetworkMcp) {
    return absl::FailedPreconditionError("HandleLocalConnect: a NETWORK_MCP does not open explicit-mode connections");
  }
  if (auto limit = SetupLimitHit(request.tuple.src)) {
    Refuse(*limit);
    return absl::ResourceExhaustedError(absl::StrCat("refused: ", EventKindName(*limit)));
  }
  if (request.tuple.dst_port == 0) {
    return absl::InvalidArgumentError("destination port 0 cannot be connected to");
  }
  std::vector<mo::MpConvertIe> ies;
  if (config_.send_source_ie) ies.push_back({true, request.tuple.src, request.tuple.src_port});
  ies.push_back({false, request.tuple.dst, request.tuple.dst_port});
  uint8_t buf[64];
  size_t n = 0;
  if (mo::BuildMpConvertIes(ies, buf, n) != mo::EncodeStatus::kOk) {
    return absl::InvalidArgumentError("destination or source address cannot be sent in an IE (D7)");
  }
  const FlowId id = CreatePair(now, request.tuple.src);
  Pair* p = flows_.Get(id);
  p->state = State::kAwaitingEcho;
  p->up = request.tuple;
  p->up_transport = Transport::kTcp;
  p->down_transport = Transport::kMptcp;
  p->down.dst = *config_.network_mcp;
  p->down.dst_port = config_.network_mcp_port;
  Pending& pend = pending_[id];
  pend.source = request.tuple.src;
  pend.echo.assign(buf, buf + n);
  pend.app_data.assign(request.data.begin(), request.data.end());
  pend.server = request.tuple;
  Action open;
  open.kind = Action::kOpenLeg;
  open.flow = id;
  open.leg = Leg::kDownstream;
  open.transport = Transport::kMptcp;
  open.tuple = p->down;  // src left to the stack (the WAN interfaces)
  open.mss = config_.mss_clamp;
  open.payload = pend.echo;
  open.echo_length = uint16_t(n);
  open.payload.insert(open.payload.end(), request.data.begin(), request.data.end());
  actions_.push_back(std::move(open));
  Emit(EventKind::kPairCreated, id);
  Schedule(id, *p, now + config_.setup_timeout);
  return id;
}

// ---------------------------------------------------------------- leg events

absl::Status Converter::HandleLegEvent(Instant now, FlowId flow, Leg leg, const LegEvent& event) {
  CheckTime(now);
  Pair* p = flows_.Get(flow);
  if (!p) return absl::NotFoundError("no such flow (closed or never existed)");
  const bool up = leg == Leg::kUpstream;
  std::optional<Input> input;
  switch (event.kind) {
    case LegEvent::kActivity:
      p->last_activity_ns = now.nanos();
      return absl::OkStatus();
    case LegEvent::kConnected:
      if (up) break;
      if (p->state == State::kAwaitingEcho) {
        // D3: the echo in the SYN/ACK, or (none there) in the first bytes.
        const Pending& pend = pending_[flow];
        if (!event.with_mptcp) {
          input = Input::kDownConnectedNotMptcp;  // D12
        } else if (event.syn_ack_payload.empty()) {
          input = Input::kDownConnectedEchoDue;
        } else {
          input = mptcp_opts::IsExactEcho(pend.echo, event.syn_ack_payload) ? Input::kDownConnected
                                                                             : Input::kDownConnectedBadEcho;
        }
      } else {
        input = Input::kDownConnected;
      }
      break;
    case LegEvent::kFirstBytes:
      if (up || p->state != State::kAwaitingEchoBytes) break;
      input = mptcp_opts::IsExactEcho(pending_[flow].echo, event.first_bytes) ? Input::kDownEchoed
                                                                               : Input::kDownConnectedBadEcho;
      break;
    case LegEvent::kRefused: if (!up) input = Input::kDownRefused; break;
    case LegEvent::kReset: input = up ? Input::kUpReset : Input::kDownReset; break;
    case LegEvent::kFastClose:
      if ((up ? p->up_transport : p->down_transport) == Transport::kMptcp) {
        input = up ? Input::kUpFastClose : Input::kDownFastClose;
      }
      break;
    case LegEvent::kFin: input = up ? Input::kUpFin : Input::kDownFin; break;
    case LegEvent::kTimedOut: if (!up) input = Input::kDownTimedOut; break;
    case LegEvent::kSubflowClosed: break;  // not yet accounted (issue 14)
  }
  if (!input || !NextTransition(p->state, *input)) {
    ++stats_.illegal_inputs;
    return absl::FailedPreconditionError(absl::StrCat(
        "leg event illegal in state ", StateName(p->state)));
  }
  if (event.kind == LegEvent::kConnected) {
    p->last_activity_ns = now.nanos();
    p->down_connected = true;
    if (event.tuple && !up) {  // the stack chose the source port: index the real tuple
      flows_.UnindexLeg(flow, Leg::kDownstream);
      p->down = *event.tuple;
      flows_.IndexLeg(flow, Leg::kDownstream);
    }
    if (event.local_token) {
      p->token = *event.local_token;
      by_token_[p->token] = flow;
    }
    if (!event.with_mptcp) p->down_transport = Transport::kTcp;  // the server declined MPTCP
  }
  ApplyInput(now, flow, *input);
  return absl::OkStatus();
}

// ---------------------------------------------------------------- transitions

void Converter::AbortLeg(FlowId id, const Pair& p, Leg leg) {
  if (leg == Leg::kUpstream && config_.role == Role::kMultipathClient) {
    Action a;
    a.kind = Action::kNotifyApplication;
    a.flow = id;
    a.leg = Leg::kUpstream;
    a.failed = true;
    actions_.push_back(std::move(a));
    return;
  }
  const Transport t = leg == Leg::kUpstream ? p.up_transport : p.down_transport;
  Action a;
  // draft -10 §6.2: MP_FASTCLOSE towards an established MPTCP connection; a
  // handshake that never completed (ours unanswered, or theirs unanswered
  // upstream) has no keys to close with, so RST.
  const bool handshake_done = leg == Leg::kUpstream ? p.up_accepted || !p.half_open : p.down_connected;
  a.kind = t == Transport::kMptcp && handshake_done ? Action::kFastClose : Action::kReset;
  a.flow = id;
  a.leg = leg;
  a.transport = t;
  a.tuple = leg == Leg::kUpstream ? p.up : p.down;
  actions_.push_back(std::move(a));
}

void Converter::ApplyInput(Instant now, FlowId id, Input input) {
  Pair* p = flows_.Get(id);
  const auto t = NextTransition(p->state, input);
  if (!t) {
    ++stats_.illegal_inputs;
    return;
  }
  const uint16_t bits = t->actions;
  Pending* pend = nullptr;
  if (auto it = pending_.find(id); it != pending_.end()) pend = &it->second;

  if (bits & kAnswerUpstream) {
    Action a;
    a.flow = id;
    a.leg = Leg::kUpstream;
    if (config_.role == Role::kMultipathClient) {
      a.kind = Action::kNotifyApplication;
    } else {
      a.kind = p->up_accepted ? Action::kAnswerAccepted : Action::kAnswerSyn;
      a.transport = p->up_transport;
      a.tuple = p->up;
      if (config_.role == Role::kNetworkMcp && pend) a.payload = pend->echo;  // D3
    }
    actions_.push_back(std::move(a));
    Emit(EventKind::kPairEstablished, id);
    if (p->retried_without_mp_capable) server_cache_.Add(p->down.dst, now + config_.server_cache_ttl);  // D9
  }
  if (bits & kAbortUpstream) AbortLeg(id, *p, Leg::kUpstream);
  if (bits & kAbortDownstream) AbortLeg(id, *p, Leg::kDownstream);
  for (Leg leg : {Leg::kUpstream, Leg::kDownstream}) {
    if (!(bits & (leg == Leg::kUpstream ? kCloseUpstream : kCloseDownstream))) continue;
    if (leg == Leg::kUpstream && config_.role == Role::kMultipathClient) continue;  // the app reads EOF
    Action a;
    a.kind = Action::kClose;
    a.flow = id;
    a.leg = leg;
    a.transport = leg == Leg::kUpstream ? p->up_transport : p->down_transport;
    a.tuple = leg == Leg::kUpstream ? p->up : p->down;
    actions_.push_back(std::move(a));
  }
  if (bits & kCacheMcpUnsupported) {
    capability_cache_.Add(*config_.network_mcp, now + config_.capability_cache_ttl);  // D8
    Emit(input == Input::kDownRefused ? EventKind::kMcpRefused : EventKind::kMcpNoEcho, id);
  } else if (input == Input::kSetupTimer && (bits & kOpenFallback)) {
    Emit(EventKind::kMcpSetupTimeout, id);
  }
  if (bits & (kOpenFallback | kRetryWithoutMpCapable)) {
    flows_.UnindexLeg(id, Leg::kDownstream);
    p->down_connected = false;
    Action a;
    a.kind = Action::kOpenLeg;
    a.flow = id;
    a.leg = Leg::kDownstream;
    a.transport = Transport::kTcp;
    a.mss = config_.mss_clamp;
    a.dscp = p->dscp;
    if (bits & kOpenFallback) {
      // Straight to the server, as the client asked; no IEs (draft -10 §5.1).
      p->down = FourTuple{};
      p->down.dst = pend ? pend->server.dst : p->up.dst;
      p->down.dst_port = pend ? pend->server.dst_port : p->up.dst_port;
      if (pend) a.payload = pend->app_data;
    } else {
      p->retried_without_mp_capable = true;  // D9
      p->down.src_port = 0;
      if (pend) a.payload = pend->app_data;  // the data that followed the IEs
    }
    p->down_transport = Transport::kTcp;
    a.tuple = p->down;
    actions_.push_back(std::move(a));
  }
  if (input == Input::kIdleTimer) Emit(EventKind::kIdleTimeout, id);
  if (input == Input::kDownConnectedNotMptcp) Emit(EventKind::kMcpNotMptcp, id);
  if (t->to == State::kClosed && (input == Input::kDownRefused || input == Input::kDownTimedOut ||
                                  (input == Input::kSetupTimer && p->half_open))) {
    Emit(EventKind::kSetupFailed, id);
  }

  const bool was_half_open = p->half_open;
  p->state = t->to;
  if (was_half_open && t->to != State::kAwaitingServer && t->to != State::kAwaitingEcho &&
      t->to != State::kAwaitingEchoBytes && t->to != State::kFallingBack) {
    ReleaseHalfOpen(id, *p);
  }
  if (t->to == State::kClosed) {
    if (p->token) by_token_.erase(p->token);
    keys_.erase({id, Leg::kUpstream});
    keys_.erase({id, Leg::kDownstream});
    deadlines_.erase({p->deadline_ns, id});
    pending_.erase(id);
    flows_.Free(id);
    ++stats_.pairs_closed;
    stats_.pairs = flows_.size();
    Emit(EventKind::kPairClosed, id);
    return;
  }
  if (bits & kArmSetupTimer) Schedule(id, *p, now + config_.setup_timeout);
  if (bits & kArmIdleTimer) {
    p->last_activity_ns = now.nanos();
    Schedule(id, *p, now + config_.idle_lifetime);
  }
}

void Converter::ReleaseHalfOpen(FlowId id, Pair& p) {
  p.half_open = false;
  --stats_.half_open;
  if (auto it = pending_.find(id); it != pending_.end()) {
    auto src = half_open_by_source_.find(SourceKey(it->second.source));
    if (src != half_open_by_source_.end() && --src->second == 0) half_open_by_source_.erase(src);
    // Keep nothing of the setup once established (memory per pair).
    pending_.erase(it);
  }
}

void Converter::Schedule(FlowId id, Pair& p, Instant when) {
  deadlines_.erase({p.deadline_ns, id});
  p.deadline_ns = when.nanos();
  deadlines_.insert({p.deadline_ns, id});
}

// ---------------------------------------------------------------- timers

void Converter::HandleTimeouts(Instant now) {
  CheckTime(now);
  capability_cache_.Expire(now);
  server_cache_.Expire(now);
  while (!deadlines_.empty() && deadlines_.begin()->first <= now.nanos()) {
    const FlowId id = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    Pair* p = flows_.Get(id);
    if (!p) continue;
    switch (p->state) {
      case State::kAwaitingServer:
        ApplyInput(now, id, p->down_transport == Transport::kMptcp && !p->retried_without_mp_capable &&
                                     config_.server_mp_capable_timeout < config_.setup_timeout
                                 ? Input::kServerMpCapableTimer
                                 : Input::kSetupTimer);
        break;
      case State::kAwaitingEcho:
      case State::kAwaitingEchoBytes:
      case State::kFallingBack:
        ApplyInput(now, id, Input::kSetupTimer);
        break;
      default: {
        // Idle lifetime, re-armed lazily from the last activity on either leg.
        const Instant expiry = Instant::FromNanos(p->last_activity_ns) + config_.idle_lifetime;
        if (expiry > now) {
          p->deadline_ns = expiry.nanos();
          deadlines_.insert({p->deadline_ns, id});
        } else {
          ApplyInput(now, id, Input::kIdleTimer);
        }
      }
    }
  }
}

std::optional<Instant> Converter::NextDeadline() const {
  std::optional<Instant> next;
  if (!deadlines_.empty()) next = Instant::FromNanos(deadlines_.begin()->first);
  for (const auto& cache : {&capability_cache_, &server_cache_}) {
    if (auto e = cache->NextExpiry(); e && (!next || *e < *next)) next = e;
  }
  return next;
}

std::optional<Action> Converter::PollAction() {
  if (actions_.empty()) return std::nullopt;
  Action a = std::move(actions_.front());
  actions_.pop_front();
  return a;
}

std::optional<Event> Converter::PollEvent() {
  if (events_.empty()) return std::nullopt;
  Event e = events_.front();
  events_.pop_front();
  return e;
}

}  // namespace mcp_core
