// SPDX-License-Identifier: Apache-2.0
#include "mcp_core/converter.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/segment_options.h"

namespace mcp_core {
namespace {

namespace mo = mptcp_opts;

constexpr uint8_t kTcpOptionFastOpen = 34;  // RFC 7413

// What a SYN's option area says, from the segment's one option parse.
struct SynOptions {
  bool mp_capable = false;
  bool prefer_proxy = false;
  std::optional<uint32_t> join_token;
  std::optional<uint8_t> window_scale;
};

SynOptions ScanSyn(std::span<const uint8_t> area, const mo::CodecConfig& codec, mo::SegmentOptions& parsed) {
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

// A TFO cookie or cookie request (RFC 7413). Not among the options the codec
// keeps: one walk over the kinds, made only where it matters (a CPE's SYN).
bool CarriesFastOpen(std::span<const uint8_t> area) {
  for (size_t i = 0; i < area.size();) {
    const uint8_t kind = area[i];
    if (kind == 0) break;
    if (kind == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= area.size() || area[i + 1] < 2) break;
    if (kind == kTcpOptionFastOpen) return true;
    i += area[i + 1];
  }
  return false;
}

}  // namespace

Converter::Converter(const Config& config)
    : config_(config),
      flows_(config_.max_flows),
      out_(config_.logging, config_.max_queued_events),
      admission_(config_),
      machine_(config_, flows_, admission_, caches_, out_) {
  codec_.prefer_proxy_subtype = config_.prefer_proxy_subtype;
}

Instant Converter::Clamp(Instant now) {
  if (now < last_now_) {
    ++out_.stats.time_went_backwards;  // embedder misuse: time stands still instead
    return last_now_;
  }
  last_now_ = now;
  return now;
}

State Converter::StateOf(FlowId flow) const {
  const Pair* p = flows_.Get(flow);
  return p ? p->state : State::kClosed;
}

// ---------------------------------------------------------------- segments

Verdict Converter::HandleSegment(Instant now, const SegmentView& seg) {
  now = Clamp(now);
  ++out_.stats.segments;
  if (auto hit = flows_.Find(seg.tuple)) {
    ++out_.stats.segments_tracked;
    return machine_.OnSegment(now, hit->first, *flows_.Get(hit->first), hit->second, seg);
  }
  if (!seg.syn() || seg.ack() || seg.rst()) return {};
  switch (config_.role) {
    case Role::kNetworkMcp: return OnSynAtMcp(now, seg);
    case Role::kCpeMcp:
      if (seg.interface == Interface::kCustomerFacing) return OnSynAtCpe(now, seg);
      return {};
    case Role::kMultipathClient: return {};
  }
  return {};
}

Verdict Converter::OnSynAtMcp(Instant now, const SegmentView& seg) {
  const auto& own = config_.mcp_addresses;
  if (std::find(own.begin(), own.end(), seg.tuple.dst) == own.end()) return {};
  const SynOptions syn = ScanSyn(seg.options, codec_, parsed_);
  if (syn.join_token) return machine_.OnJoinSyn(seg.interface, seg.tuple, *syn.join_token);
  if (!syn.mp_capable) {
    if (syn.prefer_proxy) out_.Emit(EventKind::kPreferProxyIgnored, 0);  // D10
    return {};  // plain TCP to the MCP's address: not the converter's
  }
  const Verdict v = NewExplicitFlow(now, seg.interface, seg.tuple, seg.dscp, /*up_mptcp=*/true, seg.payload,
                                    UpstreamKind::kHeldSyn);
  // The client's SYN starts the upstream leg's sequence space.
  if (v.kind == Verdict::kIntercept) {
    flows_.Get(v.flow)->sequence[int(Leg::kUpstream)].Learn(LegSide::kTupleSource, seg, syn.window_scale);
  }
  return v;
}

Verdict Converter::OnSynAtCpe(Instant now, const SegmentView& seg) {
  const SynOptions syn = ScanSyn(seg.options, codec_, parsed_);
  const bool tfo = !seg.payload.empty() || CarriesFastOpen(seg.options);
  const Verdict v = NewCpeFlow(now, seg.tuple, seg.dscp, seg.payload, syn.mp_capable, syn.prefer_proxy, tfo,
                               UpstreamKind::kHeldSyn);
  if (v.kind == Verdict::kIntercept) {
    flows_.Get(v.flow)->sequence[int(Leg::kUpstream)].Learn(LegSide::kTupleSource, seg, syn.window_scale);
  }
  return v;
}

Verdict Converter::HandleAcceptedConnection(Instant now, const AcceptedConnection& conn) {
  now = Clamp(now);
  if (config_.role == Role::kMultipathClient) return {};
  // One 4-tuple, one pair: the stack cannot have two connections on it, so
  // a second accept is the embedder's report of the same one.
  if (auto hit = flows_.Find(conn.tuple)) {
    out_.Emit(EventKind::kDuplicateTuple, hit->first);
    return {Verdict::kDrop, hit->first, hit->second};
  }
  if (config_.role == Role::kNetworkMcp) {
    if (!conn.mptcp) return {};  // plain TCP to the MCP's address: not the converter's
    return NewExplicitFlow(now, conn.interface, conn.tuple, conn.dscp, /*up_mptcp=*/true, conn.first_bytes,
                           UpstreamKind::kAccepted);
  }
  if (conn.interface != Interface::kCustomerFacing) return {};
  // The stack already answered the SYN, TFO cookie and data included: the
  // TFO rule of a CPE (NewCpeFlow) is for SYNs the core holds.
  return NewCpeFlow(now, conn.tuple, conn.dscp, conn.first_bytes, conn.mptcp, /*prefer_proxy=*/false,
                    /*tfo=*/false, UpstreamKind::kAccepted);
}

FlowId Converter::CreatePair(const mo::IpAddress& source, UpstreamKind up_kind) {
  const FlowId id = *flows_.Allocate();
  Pair* p = flows_.Get(id);
  p->up_kind = up_kind;
  p->phase.BeginSetup().source = source;
  admission_.HoldHalfOpen(source);
  out_.stats.half_open = admission_.half_open();
  ++out_.stats.pairs_created;
  out_.stats.pairs = flows_.size();
  return id;
}

Verdict Converter::NewExplicitFlow(Instant now, Interface iface, const FourTuple& tuple, uint8_t dscp,
                                   bool up_mptcp, std::span<const uint8_t> payload, UpstreamKind up_kind) {
  const Verdict refuse_rst{Verdict::kReset};
  if (auto no = admission_.CheckSource(iface, tuple.src)) {
    Refuse(*no);
    return refuse_rst;
  }
  // Seed 002 §7.2, RFC 4987: SYN-flood bounds. Dropped, not answered.
  if (auto limit = admission_.SetupLimitHit(tuple.src, flows_.size(), flows_.capacity())) {
    Refuse({*limit});
    return {Verdict::kDrop};
  }
  auto read = admission_.ReadExplicitRequest(tuple, payload);
  if (auto* no = std::get_if<Refusal>(&read)) {
    Refuse(*no);
    return refuse_rst;
  }
  ExplicitRequest& request = std::get<ExplicitRequest>(read);
  if (request.skipped_unknown_types) out_.Emit(EventKind::kUnknownIeTypeSkipped, 0, request.skipped_unknown_types);

  const FlowId id = CreatePair(tuple.src, up_kind);
  Pair& p = *flows_.Get(id);
  SetupData& setup = *p.setup();
  flows_.SetTuple(id, Leg::kUpstream, tuple);
  flows_.SetTuple(id, Leg::kDownstream, request.down);
  p.up_transport = up_mptcp ? Transport::kMptcp : Transport::kTcp;
  // Seed 002 §5.6.1 and D9: MP_CAPABLE goes on to servers not known to stall on it.
  const bool relay_mp_capable = config_.relay_mp_capable_to_servers && !caches_.server.Contains(request.down.dst, now);
  p.down_transport = relay_mp_capable ? Transport::kMptcp : Transport::kTcp;
  p.dscp = Dscp(dscp);
  flows_.IndexLeg(id, Leg::kUpstream);
  if (request.down.src_port != 0 && !flows_.IndexLeg(id, Leg::kDownstream)) {
    FourTuple any_port = request.down;
    any_port.src_port = 0;  // taken: let the stack choose
    flows_.SetTuple(id, Leg::kDownstream, any_port);
  }
  setup.answer = std::move(request.echo);
  setup.app_data.assign(payload.begin() + request.ies_length, payload.end());  // D4: data after the IEs
  Action open = OpenDownstream(flows_, id, p, config_.mss_clamp);
  open.payload = setup.app_data;
  out_.Push(std::move(open));
  out_.Emit(EventKind::kPairCreated, id);
  machine_.Start(now, id, p, State::kAwaitingServer);
  return {Verdict::kIntercept, id, Leg::kUpstream};
}

Verdict Converter::NewCpeFlow(Instant now, const FourTuple& tuple, uint8_t dscp, std::span<const uint8_t> payload,
                              bool native_mptcp, bool prefer_proxy, bool tfo, UpstreamKind up_kind) {
  if (native_mptcp) {  // a native MPTCP host behind the CPE: hands off
    out_.Emit(EventKind::kNativeMptcpPassedThrough, 0);
    return {};
  }
  if (prefer_proxy) out_.Emit(EventKind::kPreferProxyIgnored, 0);  // D10: not with MP_CAPABLE
  if (auto no = admission_.CheckEligible(tuple.dst, tuple.dst_port)) {
    Refuse(*no);
    return {};
  }
  if (caches_.capability.Contains(*config_.network_mcp, now)) {  // D8
    out_.Emit(EventKind::kCapabilityCacheHit, 0);
    return {};  // plain TCP straight to the server, untouched
  }
  // draft -10 §7 (RECOMMENDED): TFO data or a cookie goes through the MCP
  // only once the MCP has shown it answers; before, the SYN passes untouched.
  if (tfo && !caches_.mcp_discovered) {
    out_.Emit(EventKind::kTfoBeforeDiscovery, 0);
    return {};
  }
  auto id = OpenToMcp(now, tuple, payload, Dscp(dscp), up_kind);
  if (!id.ok()) return {Verdict::kDrop};
  flows_.IndexLeg(*id, Leg::kUpstream);
  return {Verdict::kIntercept, *id, Leg::kUpstream};
}

absl::StatusOr<FlowId> Converter::HandleLocalConnect(Instant now, const LocalConnect& request) {
  now = Clamp(now);
  if (config_.role == Role::kNetworkMcp) {
    return absl::FailedPreconditionError("HandleLocalConnect: a NETWORK_MCP does not open explicit-mode connections");
  }
  if (auto limit = admission_.SetupLimitHit(request.tuple.src, flows_.size(), flows_.capacity())) {
    Refuse({*limit});
    return absl::ResourceExhaustedError(absl::StrCat("refused: ", EventKindName(*limit)));
  }
  if (request.tuple.dst_port == 0) {
    return absl::InvalidArgumentError("destination port 0 cannot be connected to");
  }
  const uint8_t dscp = Dscp(request.dscp);
  // draft -10 §6: the client honours eligibility and the D8 cache (a MUST)
  // as a CPE does; its application still gets a connection, straight to
  // the server.
  std::optional<Refusal> direct = admission_.CheckEligible(request.tuple.dst, request.tuple.dst_port);
  if (!direct && caches_.capability.Contains(*config_.network_mcp, now)) {
    direct = Refusal{EventKind::kCapabilityCacheHit};
  }
  if (direct) {
    const FlowId id = OpenDirect(now, request.tuple, request.data, dscp);
    Refuse(*direct, id);
    return id;
  }
  return OpenToMcp(now, request.tuple, request.data, dscp, UpstreamKind::kApplication);
}

FlowId Converter::OpenDirect(Instant now, const FourTuple& tuple, std::span<const uint8_t> data, uint8_t dscp) {
  const FlowId id = CreatePair(tuple.src, UpstreamKind::kApplication);
  Pair& p = *flows_.Get(id);
  flows_.SetTuple(id, Leg::kUpstream, tuple);
  p.up_transport = Transport::kTcp;
  p.down_transport = Transport::kTcp;
  flows_.SetTuple(id, Leg::kDownstream, FourTuple{UnspecifiedAddress(tuple.dst.family()), tuple.dst, 0, tuple.dst_port});
  p.dscp = dscp;
  p.setup()->server = tuple;
  p.setup()->app_data.assign(data.begin(), data.end());
  Action open = OpenDownstream(flows_, id, p, config_.mss_clamp);
  open.payload.assign(data.begin(), data.end());
  out_.Push(std::move(open));
  out_.Emit(EventKind::kPairCreated, id);
  machine_.Start(now, id, p, State::kAwaitingServer);
  return id;
}

absl::StatusOr<FlowId> Converter::OpenToMcp(Instant now, const FourTuple& tuple, std::span<const uint8_t> data,
                                            uint8_t dscp, UpstreamKind up_kind) {
  if (auto limit = admission_.SetupLimitHit(tuple.src, flows_.size(), flows_.capacity())) {
    Refuse({*limit});
    return absl::ResourceExhaustedError(absl::StrCat("refused: ", EventKindName(*limit)));
  }
  std::vector<mo::MpConvertIe> ies;
  if (config_.send_source_ie) ies.push_back({true, tuple.src, tuple.src_port});
  ies.push_back({false, tuple.dst, tuple.dst_port});
  uint8_t buf[64];
  size_t n = 0;
  if (mo::BuildMpConvertIes(ies, buf, n) != mo::EncodeStatus::kOk) {
    return absl::InvalidArgumentError("destination or source address cannot be sent in an IE (D7)");
  }
  const FlowId id = CreatePair(tuple.src, up_kind);
  Pair& p = *flows_.Get(id);
  SetupData& setup = *p.setup();
  flows_.SetTuple(id, Leg::kUpstream, tuple);
  p.up_transport = Transport::kTcp;
  p.down_transport = Transport::kMptcp;
  const mo::IpAddress& mcp = *config_.network_mcp;
  flows_.SetTuple(id, Leg::kDownstream, FourTuple{UnspecifiedAddress(mcp.family()), mcp, 0, config_.network_mcp_port});  // src: the WAN's
  p.dscp = dscp;
  setup.sent_ies.assign(buf, buf + n);
  setup.app_data.assign(data.begin(), data.end());
  setup.server = tuple;
  Action open = OpenDownstream(flows_, id, p, config_.mss_clamp);
  open.payload = setup.sent_ies;
  open.echo_length = uint16_t(n);
  open.payload.insert(open.payload.end(), data.begin(), data.end());
  out_.Push(std::move(open));
  out_.Emit(EventKind::kPairCreated, id);
  machine_.Start(now, id, p, State::kAwaitingEcho);
  return id;
}

// ---------------------------------------------------------------- the rest

absl::Status Converter::HandleLegEvent(Instant now, FlowId flow, Leg leg, const LegEvent& event) {
  now = Clamp(now);
  Pair* p = flows_.Get(flow);
  if (!p) return absl::NotFoundError("no such flow (closed or never existed)");
  return machine_.OnLegEvent(now, flow, *p, leg, event);
}

void Converter::HandleTimeouts(Instant now) {
  now = Clamp(now);
  caches_.capability.Expire(now);
  caches_.server.Expire(now);
  machine_.OnTimeouts(now);
}

std::optional<Instant> Converter::NextDeadline() const {
  std::optional<Instant> next = machine_.NextDeadline();
  for (const auto* cache : {&caches_.capability, &caches_.server}) {
    if (auto e = cache->NextExpiry(); e && (!next || *e < *next)) next = e;
  }
  return next;
}

std::optional<Action> Converter::PollAction() { return out_.PollAction(); }
std::optional<Event> Converter::PollEvent() { return out_.PollEvent(); }

}  // namespace mcp_core
