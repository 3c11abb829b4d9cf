// SPDX-License-Identifier: Apache-2.0
#include "mcp_core/pair_machine.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "mcp_core/admission.h"
#include "mptcp_opts/mp_convert_ie.h"

namespace mcp_core {

std::optional<Input> InputFor(const Pair& p, Leg leg, const LegSignal& s) {
  using K = LegSignal;
  if (leg == Leg::kUpstream) {
    switch (s.kind) {
      case K::kReset: return Input::kUpReset;
      case K::kFastClose:
        if (p.up_transport == Transport::kMptcp) return Input::kUpFastClose;
        return std::nullopt;
      case K::kFin: return Input::kUpFin;
      default: return std::nullopt;  // the upstream handshake is not the embedder's to report
    }
  }
  switch (s.kind) {
    case K::kConnected:
      // Only the leg to a network MCP owes an echo (D3), in its SYN/ACK or,
      // when that carried none, as its first bytes.
      if (p.state != State::kAwaitingEcho) return Input::kDownConnected;
      if (!s.with_mptcp) return Input::kDownConnectedNotMptcp;  // D12
      switch (s.echo) {
        case K::Echo::kAbsent: return Input::kDownConnectedEchoDue;
        case K::Echo::kExact: return Input::kDownConnected;
        case K::Echo::kWrong: return Input::kDownConnectedBadEcho;
      }
      return std::nullopt;
    case K::kFirstBytes:
      if (p.state != State::kAwaitingEchoBytes) return std::nullopt;
      return s.echo == K::Echo::kExact ? Input::kDownEchoed : Input::kDownConnectedBadEcho;
    case K::kRefused: return Input::kDownRefused;
    // A RST answering our SYN refuses the leg, whether the stack reports it
    // or the core sees it.
    case K::kReset: return p.down_connected ? Input::kDownReset : Input::kDownRefused;
    case K::kFastClose:
      if (p.down_transport == Transport::kMptcp) return Input::kDownFastClose;
      return std::nullopt;
    case K::kFin: return Input::kDownFin;
    case K::kTimedOut: return Input::kDownTimedOut;
  }
  return std::nullopt;
}

Action OpenDownstream(const FlowTable& flows, FlowId id, const Pair& p, uint16_t mss) {
  Action a;
  a.kind = Action::kOpenLeg;
  a.flow = id;
  a.leg = Leg::kDownstream;
  a.transport = p.down_transport;
  a.tuple = flows.Tuple(id, Leg::kDownstream);
  a.mss = mss;
  a.dscp = p.dscp;
  return a;
}

PairMachine::PairMachine(const Config& config, FlowTable& flows, Admission& admission, Caches& caches,
                         Outputs& out)
    : config_(config), flows_(flows), admission_(admission), caches_(caches), out_(out),
      deadlines_(TimerStore{&flows}) {
  codec_.prefer_proxy_subtype = config.prefer_proxy_subtype;
}

// ---------------------------------------------------------------- the table

void PairMachine::Start(Instant now, FlowId id, Pair& p, State first) {
  p.state = first;
  Arm(now, id, p);
}

bool PairMachine::Apply(Instant now, FlowId id, Pair& p, Input input) {
  const std::optional<Transition> t = NextTransition(p.state, input);
  if (!t) {
    ++out_.stats.illegal_inputs;
    return false;
  }
  const uint16_t bits = t->actions;
  if (t->event) out_.Emit(*t->event, id);
  if (bits & kAnswerUpstream) Answer(id, p);
  if (bits & kCacheServerPlain) caches_.server.Add(flows_.Tuple(id, Leg::kDownstream).dst, now + config_.server_cache_ttl);  // D9
  if (bits & kMcpDiscovered) caches_.mcp_discovered = true;
  if (bits & kAbortUpstream) Abort(id, p, Leg::kUpstream);
  if (bits & kAbortDownstream) Abort(id, p, Leg::kDownstream);
  if (bits & kCloseUpstream) Close(id, p, Leg::kUpstream);
  if (bits & kCloseDownstream) Close(id, p, Leg::kDownstream);
  if (bits & kCacheMcpUnsupported) {
    caches_.capability.Add(*config_.network_mcp, now + config_.capability_cache_ttl);  // D8
  }
  if (bits & (kOpenFallback | kRetryWithoutMpCapable)) OpenPlainToServer(id, p, bits & kOpenFallback);
  Enter(now, id, p, t->to);
  return true;
}

void PairMachine::Enter(Instant now, FlowId id, Pair& p, State to) {
  const StateInfo& before = InfoOf(p.state);
  const StateInfo& after = InfoOf(to);
  p.state = to;
  if (before.half_open && !after.half_open) {
    // The setup is over: its data goes, the half-open count is released.
    if (SetupData* setup = p.setup()) admission_.ReleaseHalfOpen(setup->source);
    out_.stats.half_open = admission_.half_open();
    p.phase.EndSetup();
  }
  if (after.on_entry) out_.Emit(*after.on_entry, id);
  if (to == State::kClosed) {
    if (p.token) by_token_.erase(p.token);
    deadlines_.Unlink(uint32_t(id));
    flows_.Free(id);
    ++out_.stats.pairs_closed;
    out_.stats.pairs = flows_.size();
    return;
  }
  if (before.timer == Timer::kIdle && after.timer == Timer::kIdle) return;  // one lifetime for both legs
  Arm(now, id, p);
}

// ---------------------------------------------------------------- timers

void PairMachine::Arm(Instant now, FlowId id, Pair& p) {
  switch (InfoOf(p.state).timer) {
    case Timer::kNone:
      deadlines_.Unlink(uint32_t(id));
      return;
    case Timer::kSetupContinues:
      return;
    case Timer::kSetup:
      Schedule(now, id, p, now + config_.setup_timeout);
      return;
    case Timer::kServerSetup:
      // D9: a server that stalls on MP_CAPABLE is retried in plain TCP
      // before the setup gives up.
      Schedule(now, id, p, now + (p.down_transport == Transport::kMptcp
                                 ? std::min(config_.setup_timeout, config_.server_mp_capable_timeout)
                                 : config_.setup_timeout));
      return;
    case Timer::kIdle:
      p.last_activity_ns = now.nanos();
      Schedule(now, id, p, now + config_.idle_lifetime);
      return;
  }
}

std::optional<Input> PairMachine::Fired(Instant now, FlowId id, Pair& p) {
  switch (InfoOf(p.state).timer) {
    case Timer::kNone: return std::nullopt;
    case Timer::kSetup:
    case Timer::kSetupContinues: return Input::kSetupTimer;
    case Timer::kServerSetup:
      return p.down_transport == Transport::kMptcp && config_.server_mp_capable_timeout < config_.setup_timeout
                 ? Input::kServerMpCapableTimer
                 : Input::kSetupTimer;
    case Timer::kIdle: {
      // Re-armed lazily from the last activity on either leg.
      const Instant expiry = Instant::FromNanos(p.last_activity_ns) + config_.idle_lifetime;
      if (expiry <= now) return Input::kIdleTimer;
      p.deadline_ns = expiry.nanos();
      deadlines_.Link(uint32_t(id), now.nanos());
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void PairMachine::Schedule(Instant now, FlowId id, Pair& p, Instant when) {
  deadlines_.Unlink(uint32_t(id));
  p.deadline_ns = when.nanos();
  deadlines_.Link(uint32_t(id), now.nanos());
}

void PairMachine::OnTimeouts(Instant now) {
  // Linked means alive: a pair leaves the wheel before it is freed.
  deadlines_.Expire(now.nanos(), [&](uint32_t index) {
    Pair& p = flows_.AtIndex(index);
    const FlowId id = flows_.IdAt(index);
    if (auto input = Fired(now, id, p)) Apply(now, id, p, *input);
  });
}

std::optional<Instant> PairMachine::NextDeadline() const {
  const std::optional<int64_t> next = deadlines_.NextDeadline();
  if (!next) return std::nullopt;
  return Instant::FromNanos(*next);
}

// ---------------------------------------------------------------- actions

void PairMachine::Answer(FlowId id, const Pair& p) {
  Action a;
  a.flow = id;
  a.leg = Leg::kUpstream;
  switch (p.up_kind) {
    case UpstreamKind::kApplication:
      a.kind = Action::kNotifyApplication;
      out_.Push(std::move(a));
      return;
    case UpstreamKind::kAccepted: a.kind = Action::kAnswerAccepted; break;
    case UpstreamKind::kHeldSyn: a.kind = Action::kAnswerSyn; break;
  }
  a.transport = p.up_transport;
  a.tuple = flows_.Tuple(id, Leg::kUpstream);
  a.mss = config_.mss_clamp;  // seed 002 §5.6.4: towards the client too
  a.dscp = p.dscp;
  if (const SetupData* setup = p.setup()) a.payload = setup->answer;  // D3: the echo, at a network MCP
  out_.Push(std::move(a));
}

void PairMachine::Abort(FlowId id, const Pair& p, Leg leg) {
  Action a;
  a.flow = id;
  a.leg = leg;
  if (leg == Leg::kUpstream && p.up_kind == UpstreamKind::kApplication) {
    a.kind = Action::kNotifyApplication;
    a.failed = true;
    out_.Push(std::move(a));
    return;
  }
  // draft -10 §6.2: MP_FASTCLOSE towards an established MPTCP connection; a
  // handshake that never completed (ours unanswered, or a held SYN not yet
  // answered) has no keys to close with, so RST.
  const bool handshake_done = leg == Leg::kUpstream
                                  ? p.up_kind == UpstreamKind::kAccepted || !InfoOf(p.state).half_open
                                  : p.down_connected;
  a.transport = p.transport(leg);
  a.kind = a.transport == Transport::kMptcp && handshake_done ? Action::kFastClose : Action::kReset;
  a.tuple = flows_.Tuple(id, leg);
  out_.Push(std::move(a));
}

// For a multipath client's application, kClose on the upstream leg means
// "the server side closed: give the application end-of-file".
void PairMachine::Close(FlowId id, const Pair& p, Leg leg) {
  Action a;
  a.kind = Action::kClose;
  a.flow = id;
  a.leg = leg;
  a.transport = p.transport(leg);
  a.tuple = flows_.Tuple(id, leg);
  out_.Push(std::move(a));
}

void PairMachine::OpenPlainToServer(FlowId id, Pair& p, bool fallback) {
  SetupData* setup = p.setup();
  flows_.UnindexLeg(id, Leg::kDownstream);
  p.down_connected = false;
  if (fallback) {
    // Straight to the server, as the client asked; no IEs (draft -10 §5.1).
    const FourTuple server = setup ? setup->server : flows_.Tuple(id, Leg::kUpstream);
    flows_.SetTuple(id, Leg::kDownstream,
                    FourTuple{UnspecifiedAddress(server.dst.family()), server.dst, 0, server.dst_port});
  } else if (p.src_port(Leg::kDownstream) != 0) {
    // D9: the retry keeps the source the client's address and port gave it.
    flows_.IndexLeg(id, Leg::kDownstream);
  }
  p.down_transport = Transport::kTcp;
  Action a = OpenDownstream(flows_, id, p, config_.mss_clamp);
  if (setup) a.payload = setup->app_data;  // the data that came with the SYN, after the IEs
  out_.Push(std::move(a));
}

// ---------------------------------------------------------------- leg events

absl::Status PairMachine::OnLegEvent(Instant now, FlowId id, Pair& p, Leg leg, const LegEvent& event) {
  const bool up = leg == Leg::kUpstream;
  LegSignal signal;
  auto echo_of = [&](std::span<const uint8_t> bytes) {
    const SetupData* setup = p.setup();
    if (bytes.empty()) return LegSignal::Echo::kAbsent;
    return setup && mptcp_opts::IsExactEcho(setup->sent_ies, bytes) ? LegSignal::Echo::kExact
                                                                     : LegSignal::Echo::kWrong;
  };
  switch (event.kind) {
    case LegEvent::kActivity:
      p.last_activity_ns = now.nanos();
      return absl::OkStatus();
    case LegEvent::kSubflowClosed: {
      absl::Status s = OnSubflowClosed(id, p, leg, event.tuple);
      if (!s.ok()) ++out_.stats.illegal_inputs;
      return s;
    }
    case LegEvent::kConnected:
      signal = {LegSignal::kConnected, event.with_mptcp, echo_of(event.syn_ack_payload)};
      break;
    case LegEvent::kFirstBytes:
      signal = {LegSignal::kFirstBytes, true, echo_of(event.first_bytes)};
      if (signal.echo == LegSignal::Echo::kAbsent) signal.echo = LegSignal::Echo::kWrong;
      break;
    case LegEvent::kRefused: signal.kind = LegSignal::kRefused; break;
    case LegEvent::kReset: signal.kind = LegSignal::kReset; break;
    case LegEvent::kFastClose: signal.kind = LegSignal::kFastClose; break;
    case LegEvent::kFin: signal.kind = LegSignal::kFin; break;
    case LegEvent::kTimedOut: signal.kind = LegSignal::kTimedOut; break;
  }
  // The stack completes handshakes of the legs it opened, not of the upstream.
  const bool legal_on_leg = !(up && (event.kind == LegEvent::kConnected || event.kind == LegEvent::kFirstBytes ||
                                     event.kind == LegEvent::kRefused || event.kind == LegEvent::kTimedOut));
  const std::optional<Input> input = legal_on_leg ? InputFor(p, leg, signal) : std::nullopt;
  if (!input || !NextTransition(p.state, *input)) {
    ++out_.stats.illegal_inputs;
    return absl::FailedPreconditionError(absl::StrCat("leg event illegal in state ", StateName(p.state)));
  }
  if (event.kind == LegEvent::kConnected) {
    p.last_activity_ns = now.nanos();
    p.down_connected = true;
    if (event.tuple) {  // the stack chose the source: index the real tuple
      flows_.UnindexLeg(id, Leg::kDownstream);
      flows_.SetTuple(id, Leg::kDownstream, *event.tuple);
      flows_.IndexLeg(id, Leg::kDownstream);
    }
    if (event.local_token) {
      p.token = *event.local_token;
      by_token_[p.token] = id;
    }
    if (!event.with_mptcp) p.down_transport = Transport::kTcp;  // the peer declined MPTCP
  }
  Apply(now, id, p, *input);
  return absl::OkStatus();
}

// ---------------------------------------------------------------- subflows

Verdict PairMachine::OnJoinSyn(Interface iface, const FourTuple& tuple, uint32_t token) {
  auto it = by_token_.find(token);
  if (it == by_token_.end()) return {};  // the stack answers unknown tokens
  const FlowId id = it->second;
  Pair* p = flows_.Get(id);
  if (!p) return {};
  const Verdict refuse{Verdict::kReset, id, Leg::kUpstream};
  // Seed 002 §5.3: the same interface rule and ACL as the initial SYN.
  if (auto no = admission_.CheckSource(iface, tuple.src)) {
    out_.Emit(no->kind, id, no->reason);
    return refuse;
  }
  OpenData* open = p->phase.MutableOpen();
  if (!open) return {};  // not answered yet: no subflow can join it
  Subflows& s = open->subflows;
  const Verdict pass{Verdict::kPassThrough, id, Leg::kUpstream};
  if (std::find(s.joined.begin(), s.joined.end(), tuple) != s.joined.end()) return pass;  // retransmitted
  // Seed 002 §7.2: simultaneous subflows, the initial one included.
  if (s.open() >= config_.max_subflows_per_connection) {
    out_.Emit(EventKind::kRefusedSubflowLimit, id);
    return refuse;
  }
  s.joined.push_back(tuple);
  return pass;
}

absl::Status PairMachine::OnSubflowClosed(FlowId id, Pair& p, Leg leg, const std::optional<FourTuple>& tuple) {
  if (leg != Leg::kUpstream || !tuple || p.up_transport != Transport::kMptcp) {
    return absl::FailedPreconditionError("kSubflowClosed: the upstream MPTCP leg, with the subflow's tuple");
  }
  if (p.phase.in_setup()) return absl::FailedPreconditionError("kSubflowClosed before the connection was answered");
  const FourTuple initial = flows_.Tuple(id, Leg::kUpstream);
  if (*tuple == initial || *tuple == initial.Reversed()) {
    OpenData* open = p.phase.MutableOpen();
    if (open->subflows.initial_closed) return absl::FailedPreconditionError("the initial subflow closed already");
    open->subflows.initial_closed = true;
    return absl::OkStatus();
  }
  // Misuse (no such subflow) allocates nothing.
  if (OpenData* open = p.phase.open()) {
    auto& joined = open->subflows.joined;
    for (auto it = joined.begin(); it != joined.end(); ++it) {
      if (*it == *tuple || *it == tuple->Reversed()) {
        joined.erase(it);
        return absl::OkStatus();
      }
    }
  }
  return absl::FailedPreconditionError("kSubflowClosed: no such subflow of this connection");
}

}  // namespace mcp_core
