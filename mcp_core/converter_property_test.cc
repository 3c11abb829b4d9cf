// SPDX-License-Identifier: Apache-2.0
// Randomized property test: any interleaving of SYNs (good and malformed, to
// allowed and refused destinations), MP_JOINs, leg events (subflow closes
// included), tracked segments (one by one and in batches), local connects and
// timer ticks keeps the converter within its configured limits (pairs,
// half-open, simultaneous subflows), never creates a pair for a refused
// destination, never opens a leg with addresses of two families, never
// schedules a deadline in the past, and never frees a pair while one of its
// legs is still open (an embedder model tracks every leg from the actions it
// receives and the events it reports).
#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "mcp_core/config_loader.h"
#include "mcp_core/converter.h"
#include "mcp_core/test_harness.h"

namespace mcp_core {
namespace {

using namespace test;

struct LegModel {
  bool up_alive = false;
  bool down_alive = false;
};

class Embedder {
 public:
  explicit Embedder(Converter& c) : c_(c) {}

  void Drain() {
    while (auto a = c_.PollAction()) {
      LegModel& m = legs_[a->flow];
      const bool up = a->leg == Leg::kUpstream;
      switch (a->kind) {
        case Action::kOpenLeg:
          m.down_alive = true;
          EXPECT_EQ(a->tuple.src.family(), a->tuple.dst.family()) << "a leg of two families";
          break;
        case Action::kAnswerSyn:
        case Action::kAnswerAccepted: break;  // completes the upstream already alive
        case Action::kReset:
        case Action::kFastClose:
        case Action::kClose: (up ? m.up_alive : m.down_alive) = false; break;
        case Action::kNotifyApplication: if (a->failed) m.up_alive = false; break;
        case Action::kChallengeAck: break;  // an ACK on a live leg
      }
    }
    // A pair the converter forgot must have no live leg left.
    for (auto it = legs_.begin(); it != legs_.end();) {
      if (c_.StateOf(it->first) == State::kClosed) {
        EXPECT_FALSE(it->second.up_alive) << "upstream leg left open by flow " << it->first;
        EXPECT_FALSE(it->second.down_alive) << "downstream leg left open by flow " << it->first;
        joins.erase(it->first);
        it = legs_.erase(it);
      } else {
        ++it;
      }
    }
  }
  void Created(FlowId id) { legs_[id].up_alive = true; }
  // The embedder's stack reports the peer ended a leg.
  void Reported(FlowId id, Leg leg, LegEvent::Kind k) {
    if (k == LegEvent::kReset || k == LegEvent::kFastClose || k == LegEvent::kRefused ||
        k == LegEvent::kTimedOut) {
      (leg == Leg::kUpstream ? legs_[id].up_alive : legs_[id].down_alive) = false;
    }
  }
  // MP_JOIN subflows admitted and not reported closed, by flow.
  std::map<FlowId, std::vector<FourTuple>> joins;
  std::vector<FlowId> Live() const {
    std::vector<FlowId> out;
    for (const auto& [id, m] : legs_) out.push_back(id);
    return out;
  }

 private:
  Converter& c_;
  std::map<FlowId, LegModel> legs_;
};

void RunRandom(const std::string& role_config, uint32_t seed) {
  auto config = LoadConfig(role_config +
                           " max_half_open_per_source: 5 max_half_open_total: 20 max_flows: 40"
                           " max_subflows_per_connection: 3"
                           " setup_timeout_ms: 500 idle_lifetime_seconds: 2 capability_cache_ttl_seconds: 3");
  ASSERT_TRUE(config.ok()) << config.status();
  Converter c(*config);
  Embedder embedder(c);
  std::mt19937 rng(seed);
  int64_t now_ms = 0;
  const bool network = config->role == Role::kNetworkMcp;
  const LegEvent::Kind kinds[] = {LegEvent::kConnected, LegEvent::kRefused, LegEvent::kReset,
                                  LegEvent::kFastClose, LegEvent::kFin,     LegEvent::kTimedOut,
                                  LegEvent::kActivity,  LegEvent::kFirstBytes, LegEvent::kSubflowClosed};
  const bool client = config->role == Role::kMultipathClient;
  const mo::IpAddress destinations[] = {mo::IpAddress::V4(192, 0, 2, 80), Ip("203.0.113.1"),
                                        Ip("169.254.169.254"), Ip("2001:db8::80")};
  for (int step = 0; step < 4000; ++step) {
    const Instant now = Instant::FromNanos(now_ms * 1000000);
    const uint64_t created_before = c.stats().pairs_created;
    const uint64_t refused_before = c.stats().count(EventKind::kRefusedDestination);
    switch (rng() % 8) {
      case 0:
      case 1: {  // a new SYN
        FourTuple t{mo::IpAddress::V4(100, 64, 0, uint8_t(rng() % 8)),
                    network ? Ip("203.0.113.1") : mo::IpAddress::V4(192, 0, 2, uint8_t(1 + rng() % 50)),
                    uint16_t(1024 + rng() % 60000), 443};
        if (client) {  // an application connects
          std::vector<uint8_t> data(rng() % 3, 'x');
          auto id = c.HandleLocalConnect(now, {t, data, uint8_t(rng() % 64)});
          if (id.ok()) embedder.Created(*id);
          break;
        }
        OwnedSegment syn;
        if (network) {
          std::vector<uint8_t> payload = Ies({{false, destinations[rng() % 4], 443}}, "x");
          if (rng() % 5 == 0) payload[5] = uint8_t(rng());  // sometimes malformed
          syn = MptcpSyn(t, payload, rng() % 10 ? Interface::kCustomerFacing : Interface::kInternetFacing);
        } else {
          syn = TcpSyn(t, rng() % 2 ? "y" : "");  // data: TFO, proxied once the MCP echoed
        }
        // Half the connections come from a kernel listener instead
        // (HandleAcceptedConnection: handshake done, first bytes read).
        const Verdict v = rng() % 2 ? c.HandleSegment(now, syn.view())
                                    : c.HandleAcceptedConnection(now, {syn.interface, t, network, 0, syn.payload});
        if (v.kind == Verdict::kIntercept) embedder.Created(v.flow);
        break;
      }
      case 2:
      case 3: {  // a leg event on a live pair
        auto live = embedder.Live();
        if (live.empty()) break;
        const FlowId id = live[rng() % live.size()];
        const Leg leg = rng() % 2 ? Leg::kUpstream : Leg::kDownstream;
        LegEvent e;
        e.kind = kinds[rng() % 9];
        e.with_mptcp = rng() % 2;
        if (rng() % 2) e.local_token = 1 + rng() % 4;  // MP_JOINs (case 6) name these
        auto& joined = embedder.joins[id];
        if (e.kind == LegEvent::kSubflowClosed && !joined.empty()) e.tuple = joined[rng() % joined.size()];
        std::vector<uint8_t> echo = Ies({{false, mo::IpAddress::V4(192, 0, 2, 80), 443}});
        if (e.kind == LegEvent::kConnected && rng() % 2) e.syn_ack_payload = echo;
        if (e.kind == LegEvent::kFirstBytes && rng() % 2) e.first_bytes = echo;
        if (c.HandleLegEvent(now, id, leg, e).ok()) {
          embedder.Reported(id, leg, e.kind);
          if (e.kind == LegEvent::kSubflowClosed) std::erase(joined, *e.tuple);
        }
        break;
      }
      case 4: {  // a segment on some tuple, maybe tracked
        OwnedSegment s;
        s.tuple = {mo::IpAddress::V4(100, 64, 0, uint8_t(rng() % 8)), Ip("203.0.113.1"),
                   uint16_t(1024 + rng() % 60000), 443};
        s.flags = uint8_t(rng() % 2 ? kTcpAck : (kTcpRst | kTcpAck));
        if (rng() % 2) {
          (void)c.HandleSegment(now, s.view());
        } else {  // the batch entry point
          const SegmentView batch[2] = {s.view(), s.view()};
          Verdict verdicts[2];
          c.HandleSegments(now, batch, verdicts);
        }
        break;
      }
      case 6: {  // an MP_JOIN SYN to the MCP on one of the tokens handed out
        if (!network) break;
        OwnedSegment join;
        join.tuple = {mo::IpAddress::V4(100, 64, 1, uint8_t(rng() % 8)), Ip("203.0.113.1"),
                      uint16_t(1 + rng() % 6), 443};
        join.flags = kTcpSyn;
        join.options = Area({mo::MptcpOption{mo::MpJoinSyn{false, 1, uint32_t(1 + rng() % 4), 7}}});
        const Verdict v = c.HandleSegment(now, join.view());
        if (v.kind == Verdict::kPassThrough && v.flow != 0) {
          auto& joined = embedder.joins[v.flow];
          if (std::find(joined.begin(), joined.end(), join.tuple) == joined.end()) joined.push_back(join.tuple);
          ASSERT_LE(joined.size() + 1, config->max_subflows_per_connection) << "simultaneous subflows";
        }
        break;
      }
      case 5: {  // time passes; the embedder wakes at the deadline
        now_ms += rng() % 700;
        const Instant later = Instant::FromNanos(now_ms * 1000000);
        c.HandleTimeouts(later);
        if (auto d = c.NextDeadline()) {
          EXPECT_GT(*d, later) << "deadline in the past";
        }
        break;
      }
    }
    if (c.stats().count(EventKind::kRefusedDestination) > refused_before) {
      ASSERT_EQ(c.stats().pairs_created, created_before) << "a pair for a refused destination";
    }
    embedder.Drain();
    while (c.PollEvent()) {
    }
    ASSERT_LE(c.stats().pairs, config->max_flows);
    ASSERT_LE(c.stats().half_open, config->max_half_open_total);
  }
  // Everything ends once time runs out.
  for (int i = 0; i < 100 && c.NextDeadline(); ++i) {
    c.HandleTimeouts(std::max(*c.NextDeadline(), Instant::FromNanos(now_ms * 1000000)));
    embedder.Drain();
  }
  EXPECT_EQ(c.stats().pairs, 0u);
  EXPECT_EQ(c.stats().half_open, 0u);
}

// Seeds per role: 20 in ./dev test; a campaign sets MCP_PROPERTY_SEEDS
// (e.g. MCP_PROPERTY_SEEDS=2000 bazel-bin/mcp_core/converter_property_test).
uint32_t Seeds() {
  const char* n = std::getenv("MCP_PROPERTY_SEEDS");
  return n ? uint32_t(std::strtoul(n, nullptr, 10)) : 20;
}

TEST(ConverterPropertyTest, NetworkMcpRandomInterleavings) {
  for (uint32_t seed = 1; seed <= Seeds(); ++seed) RunRandom("role: NETWORK_MCP mcp_addresses: \"203.0.113.1\"", seed);
}

TEST(ConverterPropertyTest, MultipathClientRandomInterleavings) {
  for (uint32_t seed = 1; seed <= Seeds(); ++seed) {
    RunRandom("role: MULTIPATH_CLIENT network_mcps { address: \"203.0.113.1\" port: 5555 }", seed);
  }
}

TEST(ConverterPropertyTest, CpeRandomInterleavings) {
  for (uint32_t seed = 1; seed <= Seeds(); ++seed) {
    RunRandom("role: CPE_MCP network_mcps { address: \"203.0.113.1\" port: 5555 }", seed);
  }
}

}  // namespace
}  // namespace mcp_core
