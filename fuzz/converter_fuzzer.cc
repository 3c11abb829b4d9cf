// Stateful fuzzing of mcp_core::Converter (the sans-I/O MCP core): the input
// drives a sequence of SYNs (IE payloads and option areas from fuzz bytes),
// leg events, segments on tracked or random tuples and never-decreasing
// timer ticks, for a network MCP or a CPE. After every step:
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
#include <map>
#include <vector>

#include "mcp_core/config.h"
#include "mcp_core/converter.h"
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

Config MakeConfig(bool network) {
  Config c;
  c.role = network ? Role::kNetworkMcp : Role::kCpeMcp;
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
  return c;
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
  const bool network = in.ConsumeBool();
  const Config config = MakeConfig(network);
  Converter c(config);
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
    while (c.PollEvent()) {
    }
    for (auto it = legs.begin(); it != legs.end();) {
      if (c.StateOf(it->first) == State::kClosed) {
        CHECK_OR_DIE(!it->second.up && !it->second.down);
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
    const Instant now = Instant::FromNanos(now_ms * 1000000);
    switch (in.ConsumeIntegralInRange<int>(0, 4)) {
      case 0: {  // a SYN: random option area, payload with or without IEs
        FourTuple t{SomeAddress(in), network ? mo::IpAddress::V4(203, 0, 113, 1) : SomeAddress(in),
                    in.ConsumeIntegral<uint16_t>(), in.ConsumeIntegral<uint16_t>()};
        std::vector<uint8_t> options = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 40));
        if (in.ConsumeBool()) options = {30, 4, 0x01, 0x01};  // MP_CAPABLE v1 SYN
        std::vector<uint8_t> payload;
        if (in.ConsumeBool()) payload = {0xfa, 0xa8, 0xfa, 0xa8};
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
        e.kind = static_cast<LegEvent::Kind>(in.ConsumeIntegralInRange<int>(0, LegEvent::kFirstBytes));
        e.with_mptcp = in.ConsumeBool();
        const auto echo = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 48));
        e.syn_ack_payload = echo;
        e.first_bytes = echo;
        if (in.ConsumeBool()) e.local_token = in.ConsumeIntegral<uint32_t>();
        const absl::Status st = c.HandleLegEvent(now, it->first, leg, e);
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
        const Verdict v = c.HandleSegment(now, s);
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
