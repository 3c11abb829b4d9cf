// SPDX-License-Identifier: Apache-2.0
// Stateful fuzzing of mcp_core::Converter (the sans-I/O MCP core): the input
// drives a sequence of SYNs (IE payloads and option areas from fuzz bytes, or
// IEs naming the MCP itself, link-local, an internal prefix, either family),
// MP_JOIN SYNs on the tokens handed out, accepted connections (the same
// 4-tuple twice, sometimes), local connects, leg events (subflow closes
// included), segments on tracked or random tuples, one by one or in batches
// (HandleSegments), and timer ticks that now and then go backwards, for a
// network MCP, a CPE or a multipath client. After every step:
//   * no more events wait than max_queued_events;
//   * every opened leg has addresses of one family;
//   * a refused destination creates no pair;
//   * admitted MP_JOINs open at once never exceed the subflow limit;
//   * the pair and half-open counts stay within the configured limits;
//   * after HandleTimeouts(now), NextDeadline() is later than now;
//   * actions are well formed (a flow, a leg, an address for an opened leg);
//   * no pair is freed while the embedder model still has one of its legs open;
//   * a tracked segment the core drops (a RST, FIN, DATA_FIN or MP_FASTCLOSE
//     that did not prove itself) closes no pair and asks for nothing but a
//     challenge ACK.
// Segments on tracked tuples carry sequence and acknowledgment numbers at,
// near or far from where each direction has got to, so that exact, in-window
// and out-of-window teardown signals are all reached.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <array>
#include <algorithm>
#include <map>
#include <vector>

#include "mcp_core/config.h"
#include "mcp_core/converter.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/tcp_option_walker.h"

namespace {

using namespace mcp_core;
namespace mo = mptcp_opts;

#define CHECK_OR_DIE(cond)                                          \
  do {                                                              \
    if (!(cond)) {                                                  \
      std::fprintf(stderr, "converter_fuzzer: %s failed\n", #cond); \
      std::abort();                                                 \
    }                                                               \
  } while (0)

Config MakeConfig(Role role) {
  Config c;
  c.role = role;
  c.mcp_addresses = {mo::IpAddress::V4(203, 0, 113, 1)};
  c.network_mcp = mo::IpAddress::V4(203, 0, 113, 1);
  c.network_mcp_port = 5555;
  c.max_flows = 16;
  c.max_half_open_total = 8;
  c.max_half_open_per_source = 3;
  c.max_subflows_per_connection = 3;
  c.setup_timeout = Duration::Millis(500);
  c.idle_lifetime = Duration::Seconds(2);
  c.capability_cache_ttl = Duration::Seconds(3);
  c.refused_destination_prefixes = {*IpPrefix::Parse("10.0.0.0/8")};
  c.max_queued_events = 8;
  return c;
}

// Destinations an IE may name: a server of either family, and what D13
// refuses (the MCP itself, link-local, an internal prefix).
mo::IpAddress SomeDestination(FuzzedDataProvider& in) {
  static const uint8_t kV6Server[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80};
  static const uint8_t kV6LinkLocal[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: return mo::IpAddress::V4(203, 0, 113, 1);
    case 1: return mo::IpAddress::V4(169, 254, 169, 254);
    case 2: return mo::IpAddress::V4(10, 1, 2, 3);
    case 3: return mo::IpAddress::FromV6Bytes(kV6Server);
    case 4: return mo::IpAddress::FromV6Bytes(kV6LinkLocal);
    default: return mo::IpAddress::V4(192, 0, 2, 80);
  }
}

// MP_JOIN SYN option (RFC 8684 §3.2): 12 bytes, the receiver's token.
std::vector<uint8_t> JoinSyn(uint32_t token) {
  return {30, 12, 0x10, 0x01, uint8_t(token >> 24), uint8_t(token >> 16), uint8_t(token >> 8), uint8_t(token),
          1, 2, 3, 4};
}

struct Legs {
  bool up = false;
  bool down = false;
};

mo::IpAddress SomeAddress(FuzzedDataProvider& in) {
  if (in.ConsumeBool()) return mo::IpAddress::V4(100, 64, 0, in.ConsumeIntegralInRange<uint8_t>(0, 7));
  uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8};
  b[15] = in.ConsumeIntegralInRange<uint8_t>(0, 7);
  return mo::IpAddress::FromV6Bytes(b);
}

}  // namespace

// CONVERTER_FUZZER_TRACE=1 prints every step, for triaging a reproducer.
const bool kTrace = std::getenv("CONVERTER_FUZZER_TRACE") != nullptr;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const Role role = Role(in.ConsumeIntegralInRange<int>(0, 2));
  const bool network = role == Role::kNetworkMcp;
  const Config config = MakeConfig(role);
  Converter c(config);
  // Admitted MP_JOIN subflows per flow, as this harness saw them, and the
  // flows whose initial subflow was reported closed.
  std::map<FlowId, std::vector<FourTuple>> joined;
  std::map<FlowId, bool> initial_closed;
  std::map<FlowId, Legs> legs;
  std::vector<FourTuple> tuples;
  // Per tuple in `tuples`: where each direction has got to ([0] as the tuple
  // is written, [1] reversed), as far as this harness sent segments.
  std::vector<std::array<uint32_t, 2>> next_seq;
  auto remember = [&](const FourTuple& t, uint32_t isn) {
    tuples.push_back(t);
    next_seq.push_back({isn, isn ^ 0x5a5a0000u});
  };
  // A sequence number at the direction's position, near it, or anywhere.
  auto pick_seq = [&](uint32_t position) -> uint32_t {
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
      case 0: return position;
      case 1: return position + in.ConsumeIntegralInRange<uint32_t>(1, 200000);
      case 2: return position - in.ConsumeIntegralInRange<uint32_t>(1, 200000);
      default: return in.ConsumeIntegral<uint32_t>();
    }
  };
  int64_t now_ms = 0;

  auto drain = [&] {
    while (auto a = c.PollAction()) {
      if (kTrace) {
        std::fprintf(stderr, "  action %d leg %d flow %llx\n", int(a->kind), int(a->leg),
                     (unsigned long long)a->flow);
      }
      CHECK_OR_DIE(a->flow != 0);
      Legs& l = legs[a->flow];
      const bool up = a->leg == Leg::kUpstream;
      switch (a->kind) {
        case Action::kOpenLeg:
          CHECK_OR_DIE(!up);
          CHECK_OR_DIE(a->tuple.dst_port != 0);
          CHECK_OR_DIE(a->tuple.src.family() == a->tuple.dst.family());
          l.down = true;
          remember(a->tuple, uint32_t(a->flow * 2654435761u));
          break;
        case Action::kAnswerSyn:
        case Action::kAnswerAccepted: break;
        case Action::kReset:
        case Action::kFastClose:
        case Action::kClose: (up ? l.up : l.down) = false; break;
        case Action::kNotifyApplication: if (a->failed) l.up = false; break;
        case Action::kChallengeAck: break;
      }
    }
    uint32_t queued = 0;
    while (c.PollEvent()) ++queued;
    CHECK_OR_DIE(queued <= config.max_queued_events);
    for (auto it = legs.begin(); it != legs.end();) {
      if (c.StateOf(it->first) == State::kClosed) {
        CHECK_OR_DIE(!it->second.up && !it->second.down);
        joined.erase(it->first);
        initial_closed.erase(it->first);
        it = legs.erase(it);
      } else {
        ++it;
      }
    }
    CHECK_OR_DIE(c.stats().pairs <= config.max_flows);
    CHECK_OR_DIE(c.stats().half_open <= config.max_half_open_total);
  };

  // A tracked leg's peer may end it by segment: RST (TCP legs) or
  // MP_FASTCLOSE (MPTCP legs), whatever else the segment carries, once the
  // core accepted it (forwarded). The model does not know the leg's
  // transport, so either counts (more lenient).
  auto peer_ended = [&](const Verdict& v, const SegmentView& s) {
    if (v.kind != Verdict::kForward || !legs.count(v.flow)) return;
    bool fastclose = false;
    mo::TcpOptionWalker walker(s.options);
    for (mo::TcpOption o; walker.Next(o);) {
      fastclose |= o.kind == mo::kKindMptcp && mo::SubtypeOf(o.bytes) == 7;
    }
    if (s.rst() || fastclose) (v.leg == Leg::kUpstream ? legs[v.flow].up : legs[v.flow].down) = false;
  };

  while (in.remaining_bytes() > 0) {
    // Now and then the embedder's clock steps back: the core clamps it.
    const bool backwards = now_ms > 0 && in.ConsumeIntegralInRange<int>(0, 15) == 0;
    const Instant now = Instant::FromNanos((backwards ? now_ms - 1 : now_ms) * 1000000);
    const uint64_t backwards_before = c.stats().time_went_backwards;
    const uint64_t created_before = c.stats().pairs_created;
    const uint64_t refused_before = c.stats().count(EventKind::kRefusedDestination);
    switch (in.ConsumeIntegralInRange<int>(0, 9)) {
      case 0: {  // a SYN: random option area, payload with or without IEs
        FourTuple t{SomeAddress(in), network ? mo::IpAddress::V4(203, 0, 113, 1) : SomeAddress(in),
                    in.ConsumeIntegral<uint16_t>(), in.ConsumeIntegral<uint16_t>()};
        std::vector<uint8_t> options = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 40));
        if (in.ConsumeBool()) options = {30, 4, 0x01, 0x01};  // MP_CAPABLE v1 SYN
        std::vector<uint8_t> payload;
        if (in.ConsumeBool()) payload = {0xfa, 0xa8, 0xfa, 0xa8};
        if (in.ConsumeBool()) {  // well-formed IEs (D13, D15)
          std::vector<mo::MpConvertIe> ies;
          if (in.ConsumeBool()) ies.push_back({true, SomeAddress(in), in.ConsumeIntegral<uint16_t>()});
          ies.push_back({false, SomeDestination(in), in.ConsumeIntegralInRange<uint16_t>(0, 2)});
          uint8_t buf[64];
          size_t n = 0;
          if (mo::BuildMpConvertIes(ies, buf, n) == mo::EncodeStatus::kOk) payload.assign(buf, buf + n);
        }
        const auto more = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 64));
        payload.insert(payload.end(), more.begin(), more.end());
        const uint32_t isn = in.ConsumeIntegral<uint32_t>();
        SegmentView s{.interface = in.ConsumeBool() ? Interface::kCustomerFacing : Interface::kInternetFacing,
                      .tuple = t,
                      .flags = kTcpSyn,
                      .seq = isn,
                      .window = in.ConsumeIntegral<uint16_t>(),
                      .options = options,
                      .payload = payload};
        remember(t, isn + 1 + uint32_t(payload.size()));
        const Verdict v = c.HandleSegment(now, s);
        if (kTrace) std::fprintf(stderr, "SYN -> verdict %d flow %llx\n", int(v.kind), (unsigned long long)v.flow);
        if (v.kind == Verdict::kIntercept) legs[v.flow].up = true;
        peer_ended(v, s);
        break;
      }
      case 1: {  // a leg event on a live pair
        if (legs.empty()) break;
        auto it = legs.begin();
        std::advance(it, in.ConsumeIntegralInRange<size_t>(0, legs.size() - 1));
        const Leg leg = in.ConsumeBool() ? Leg::kUpstream : Leg::kDownstream;
        LegEvent e;
        e.kind = static_cast<LegEvent::Kind>(in.ConsumeIntegralInRange<int>(0, LegEvent::kSubflowClosed));
        e.with_mptcp = in.ConsumeBool();
        const auto echo = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 48));
        e.syn_ack_payload = echo;
        e.first_bytes = echo;
        if (in.ConsumeBool()) e.local_token = in.ConsumeIntegralInRange<uint32_t>(1, 4);  // joins use these
        auto& flow_joins = joined[it->first];
        if (e.kind == LegEvent::kSubflowClosed && !flow_joins.empty() && in.ConsumeBool()) {
          e.tuple = flow_joins[in.ConsumeIntegralInRange<size_t>(0, flow_joins.size() - 1)];
        } else if (!tuples.empty() && in.ConsumeBool()) {
          e.tuple = tuples[in.ConsumeIntegralInRange<size_t>(0, tuples.size() - 1)];
        }
        const absl::Status st = c.HandleLegEvent(now, it->first, leg, e);
        if (st.ok() && e.kind == LegEvent::kSubflowClosed) {
          // Not one of its joins: the initial subflow (D14 counts it too).
          if (std::erase(flow_joins, *e.tuple) == 0) initial_closed[it->first] = true;
        }
        if (kTrace) {
          std::fprintf(stderr, "event %d leg %d flow %llx (state %s) -> %s\n", int(e.kind), int(leg),
                       (unsigned long long)it->first, StateName(c.StateOf(it->first)), st.ok() ? "ok" : "refused");
        }
        if (st.ok()) {
          Legs& l = it->second;
          if (e.kind == LegEvent::kReset || e.kind == LegEvent::kFastClose ||
              e.kind == LegEvent::kRefused || e.kind == LegEvent::kTimedOut) {
            (leg == Leg::kUpstream ? l.up : l.down) = false;
          }
        }
        break;
      }
      case 2: {  // a segment on a tuple seen before (either direction) or a new one
        FourTuple t;
        uint32_t seq = in.ConsumeIntegral<uint32_t>(), ack = in.ConsumeIntegral<uint32_t>();
        size_t known = tuples.size();
        int dir = 0;
        if (!tuples.empty() && in.ConsumeBool()) {
          known = in.ConsumeIntegralInRange<size_t>(0, tuples.size() - 1);
          t = tuples[known];
          dir = in.ConsumeBool();
          if (dir) t = t.Reversed();
          seq = pick_seq(next_seq[known][dir]);
          ack = pick_seq(next_seq[known][1 - dir]);
        } else {
          t = {SomeAddress(in), SomeAddress(in), in.ConsumeIntegral<uint16_t>(), in.ConsumeIntegral<uint16_t>()};
        }
        std::vector<uint8_t> options = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 40));
        switch (in.ConsumeIntegralInRange<int>(0, 3)) {  // well-formed teardown options, sometimes
          case 1: options = {30, 12, 0x70, 0, 1, 2, 3, 4, 5, 6, 7, 8}; break;  // MP_FASTCLOSE
          case 2: options = {30, 4, 0x20, 0x10}; break;                         // DSS, DATA_FIN alone
          case 3: {  // MP_CAPABLE ACK: both keys
            options = {30, 20, 0x01, 0x01};
            const auto keys = in.ConsumeBytes<uint8_t>(16);
            options.insert(options.end(), keys.begin(), keys.end());
            options.resize(20);
            break;
          }
          default: break;
        }
        const auto payload = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 32));
        SegmentView s{.interface = Interface::kCustomerFacing,
                      .tuple = t,
                      .flags = in.ConsumeIntegral<uint8_t>(),
                      .seq = seq,
                      .ack_seq = ack,
                      .window = in.ConsumeIntegral<uint16_t>(),
                      .options = options,
                      .payload = payload};
        const uint64_t closed_before = c.stats().pairs_closed;
        Verdict v;
        if (in.ConsumeBool()) {
          v = c.HandleSegment(now, s);
        } else {  // the batch entry point: the segment between two untracked ones
          SegmentView other = s;
          other.tuple = {SomeAddress(in), SomeAddress(in), 1, 1};
          other.flags = kTcpAck;
          const SegmentView batch[3] = {other, s, other};
          Verdict verdicts[3];
          c.HandleSegments(now, batch, verdicts);
          v = verdicts[1];
        }
        if (kTrace) {
          std::fprintf(stderr, "segment flags %02x seq %u ack %u -> verdict %d flow %llx\n", s.flags, s.seq,
                       s.ack_seq, int(v.kind), (unsigned long long)v.flow);
        }
        if (v.kind == Verdict::kDrop && v.flow != 0) {
          // A signal that did not prove itself changes nothing.
          CHECK_OR_DIE(c.stats().pairs_closed == closed_before);
          CHECK_OR_DIE(c.StateOf(v.flow) != State::kClosed);
          while (auto a = c.PollAction()) CHECK_OR_DIE(a->kind == Action::kChallengeAck);
        }
        if (known < tuples.size() && !s.rst() && seq == next_seq[known][dir]) {
          next_seq[known][dir] = seq + uint32_t(payload.size()) + (s.syn() ? 1 : 0) + (s.fin() ? 1 : 0);
        }
        peer_ended(v, s);
        break;
      }
      case 3: {  // time passes
        now_ms += in.ConsumeIntegralInRange<int64_t>(0, 3000);
        const Instant later = Instant::FromNanos(now_ms * 1000000);
        if (kTrace) std::fprintf(stderr, "time %lld ms\n", (long long)now_ms);
        c.HandleTimeouts(later);
        if (auto d = c.NextDeadline()) CHECK_OR_DIE(*d > later);
        break;
      }
      case 4:
        if (!network) c.FlushCapabilityCache();
        break;
      case 5: {  // an MP_JOIN SYN on one of the tokens leg events hand out
        if (tuples.empty()) break;
        FourTuple t = tuples[in.ConsumeIntegralInRange<size_t>(0, tuples.size() - 1)];
        t.src_port = in.ConsumeIntegralInRange<uint16_t>(1, 6);
        t.dst = mo::IpAddress::V4(203, 0, 113, 1);
        const auto options = JoinSyn(in.ConsumeIntegralInRange<uint32_t>(1, 4));
        SegmentView s{.interface = in.ConsumeIntegralInRange<int>(0, 7) ? Interface::kCustomerFacing
                                                                       : Interface::kInternetFacing,
                      .tuple = t, .flags = kTcpSyn, .seq = in.ConsumeIntegral<uint32_t>(), .options = options};
        const Verdict v = c.HandleSegment(now, s);
        if (v.kind == Verdict::kPassThrough && v.flow != 0) {
          auto& flow_joins = joined[v.flow];
          if (std::find(flow_joins.begin(), flow_joins.end(), t) == flow_joins.end()) flow_joins.push_back(t);
          // Seed 002 §7.2: the initial subflow and the joins, at once.
          CHECK_OR_DIE(flow_joins.size() + (initial_closed[v.flow] ? 0 : 1) <= config.max_subflows_per_connection);
        }
        break;
      }
      case 6: {  // a connection the embedder's stack accepted (maybe a 4-tuple already known)
        AcceptedConnection conn;
        conn.interface = in.ConsumeIntegralInRange<int>(0, 7) ? Interface::kCustomerFacing : Interface::kInternetFacing;
        conn.tuple = !tuples.empty() && in.ConsumeBool()
                         ? tuples[in.ConsumeIntegralInRange<size_t>(0, tuples.size() - 1)]
                         : FourTuple{SomeAddress(in), network ? mo::IpAddress::V4(203, 0, 113, 1) : SomeDestination(in),
                                     in.ConsumeIntegral<uint16_t>(), in.ConsumeIntegralInRange<uint16_t>(0, 2)};
        conn.mptcp = in.ConsumeBool();
        std::vector<uint8_t> first;
        if (in.ConsumeBool()) {
          const mo::MpConvertIe ie{false, SomeDestination(in), 443};
          uint8_t buf[64];
          size_t n = 0;
          if (mo::BuildMpConvertIes({&ie, 1}, buf, n) == mo::EncodeStatus::kOk) first.assign(buf, buf + n);
        }
        conn.first_bytes = first;
        const uint32_t pairs_before = c.stats().pairs;
        const Verdict v = c.HandleAcceptedConnection(now, conn);
        if (v.kind == Verdict::kIntercept) {
          legs[v.flow].up = true;
          remember(conn.tuple, 0);
        }
        if (v.kind == Verdict::kDrop && v.flow != 0) CHECK_OR_DIE(c.stats().pairs == pairs_before);  // duplicate
        break;
      }
      case 7: {  // a multipath client's application connects
        LocalConnect request;
        request.tuple = {SomeAddress(in), SomeDestination(in), 0, in.ConsumeIntegralInRange<uint16_t>(0, 2)};
        request.dscp = in.ConsumeIntegralInRange<uint8_t>(0, 63);
        auto id = c.HandleLocalConnect(now, request);
        if (id.ok()) legs[*id].up = true;
        break;
      }
      default:
        break;
    }
    if (backwards) {  // whichever entry point ran (or none): the clock stepping back is counted
      c.HandleTimeouts(now);
      CHECK_OR_DIE(c.stats().time_went_backwards > backwards_before);
    }
    // D13: a refused destination creates no pair.
    if (c.stats().count(EventKind::kRefusedDestination) > refused_before) {
      CHECK_OR_DIE(c.stats().pairs_created == created_before);
    }
    drain();
  }
  // Everything ends once time runs out.
  for (int i = 0; i < 64 && c.NextDeadline(); ++i) {
    const Instant d = std::max(*c.NextDeadline(), Instant::FromNanos(now_ms * 1000000));
    now_ms = d.nanos() / 1000000 + 1;
    c.HandleTimeouts(Instant::FromNanos(now_ms * 1000000));
    drain();
  }
  CHECK_OR_DIE(c.stats().pairs == 0);
  return 0;
}
