// SPDX-License-Identifier: Apache-2.0
// Issue 14, rule 1: the multipath client (draft -10 §6) honours the MCP
// capability cache (D8, a MUST), applies eligibility, DSCP preservation or
// remarking and the MSS clamp on every leg it opens, like the CPE role.
// Each test names the rule it checks and quotes the sentence in a comment.
#include <deque>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mcp_core/rule_test_support.h"

namespace mcp_core {
namespace {

using namespace test;
using ::testing::ElementsAre;

const FourTuple kAppToServer{Ip("192.168.1.20"), Ip("192.0.2.80"), 50000, 443};
const mo::MpConvertIe kDstIe{false, Ip("192.0.2.80"), 443};

LocalConnect Connect(const FourTuple& t, const std::string& data = "", uint8_t dscp = 0) {
  static std::deque<std::string> keep;  // LocalConnect::data is a view; a deque never moves them
  keep.push_back(data);
  const std::string& d = keep.back();
  return {t, {reinterpret_cast<const uint8_t*>(d.data()), d.size()}, dscp};
}

FourTuple FromPort(uint16_t port, FourTuple t = kAppToServer) {
  t.src_port = port;
  return t;
}

// Makes the MCP answer one connection with a wrong echo at `when`
// (kDownConnectedBadEcho): the MCP enters the capability cache.
void TeachNoEcho(Converter& client, Instant start, Instant when) {
  auto id = client.HandleLocalConnect(start, Connect(FromPort(49000)));
  ASSERT_TRUE(id.ok()) << id.status();
  Drain(client);
  const std::vector<uint8_t> wrong = Ies({{false, Ip("192.0.2.81"), 443}});
  ASSERT_TRUE(client.HandleLegEvent(when, *id, Leg::kDownstream, Connected(true, &wrong)).ok());
  Drain(client);
  DrainAll(client);
}

// "after the MCP answered with no/wrong echo (kDownConnectedBadEcho) ... the MCP is cached until
// capability_cache_ttl; a HandleLocalConnect in that time makes a pair whose downstream kOpenLeg is
// plain TCP straight to the application's destination (no IEs, payload = the LocalConnect data),
// emits CAPABILITY_CACHE_HIT (flow = that pair); the application gets kNotifyApplication when that
// leg reports kConnected."
TEST(MultipathClientRule, WrongEchoCachesTheMcpAndTheNextConnectGoesStraightToTheServer) {
  Converter client(Client("capability_cache_ttl_seconds: 100"));
  TeachNoEcho(client, T(0), T(40));
  EXPECT_EQ(client.stats().count(EventKind::kMcpNoEcho), 1u);

  auto id = client.HandleLocalConnect(T(1000), Connect(FromPort(50001), "GET /"));
  ASSERT_TRUE(id.ok()) << id.status();
  const auto actions = Drain(client);
  ASSERT_THAT(Describe(actions), ElementsAre("OPEN down tcp 192.0.2.80:443"));
  EXPECT_EQ(actions[0].flow, *id);
  EXPECT_EQ(actions[0].transport, Transport::kTcp);
  EXPECT_EQ(Text(actions[0].payload), "GET /") << "no IEs: only the application's data";
  EXPECT_EQ(actions[0].echo_length, 0u) << "no echo is due from a server";
  const auto events = DrainAll(client);
  const auto hit = Find(events, EventKind::kCapabilityCacheHit);
  ASSERT_TRUE(hit) << "events: " << testing::PrintToString(Kinds(events));
  EXPECT_EQ(hit->flow, *id);
  EXPECT_EQ(client.stats().count(EventKind::kCapabilityCacheHit), 1u);

  // The application hears nothing until the direct leg is up.
  ASSERT_TRUE(client.HandleLegEvent(T(1020), *id, Leg::kDownstream, Connected(false)).ok());
  const auto notify = Drain(client);
  ASSERT_THAT(Describe(notify), ElementsAre("NOTIFY_APP up"));
  EXPECT_EQ(notify[0].flow, *id);
  EXPECT_EQ(client.StateOf(*id), State::kEstablished);
}

// "the MCP is cached until capability_cache_ttl ... After the TTL (HandleTimeouts past it), the
// next connect goes to the MCP again."
TEST(MultipathClientRule, HonoursCapabilityCacheUntilTtl) {
  Converter client(Client("capability_cache_ttl_seconds: 100"));
  TeachNoEcho(client, T(0), T(40));
  const Instant expiry = T(40) + Duration::Seconds(100);

  // One millisecond before the TTL: still cached. (The first connection's
  // fallback leg never came up: its setup timer fired long ago, here.)
  client.HandleTimeouts(T(100039));
  EXPECT_THAT(Describe(Drain(client)), ElementsAre("NOTIFY_APP up failed", "RESET down"));
  ASSERT_TRUE(client.HandleLocalConnect(T(100039), Connect(FromPort(50002))).ok());
  EXPECT_THAT(Describe(Drain(client)), ElementsAre("OPEN down tcp 192.0.2.80:443"));
  EXPECT_EQ(client.stats().count(EventKind::kCapabilityCacheHit), 1u);

  client.HandleTimeouts(expiry);
  ASSERT_TRUE(client.HandleLocalConnect(expiry, Connect(FromPort(50003), "x")).ok());
  const auto actions = Drain(client);
  ASSERT_THAT(Describe(actions), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
  EXPECT_EQ(actions[0].payload, Ies({kDstIe}, "x")) << "the IEs, then the data";
  EXPECT_EQ(client.stats().count(EventKind::kCapabilityCacheHit), 1u) << "no hit after the TTL";
}

// "after the MCP ... refused (LegEvent kRefused), the MCP is cached until capability_cache_ttl"
TEST(MultipathClientRule, RefusingMcpIsCachedToo) {
  Converter client(Client("capability_cache_ttl_seconds: 100"));
  auto first = client.HandleLocalConnect(T(0), Connect(FromPort(49000)));
  ASSERT_TRUE(first.ok());
  Drain(client);
  ASSERT_TRUE(client.HandleLegEvent(T(5), *first, Leg::kDownstream, Ev(LegEvent::kRefused)).ok());
  Drain(client);
  DrainAll(client);

  auto id = client.HandleLocalConnect(T(10), Connect(FromPort(50001), "hello"));
  ASSERT_TRUE(id.ok());
  const auto actions = Drain(client);
  ASSERT_THAT(Describe(actions), ElementsAre("OPEN down tcp 192.0.2.80:443"));
  EXPECT_EQ(Text(actions[0].payload), "hello");
  const auto hit = Find(DrainAll(client), EventKind::kCapabilityCacheHit);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->flow, *id);
}

// decisions.md D8: the cache is "also flushed on the events the draft lists (new attachment, new
// MCP, new address)" (FlushCapabilityCache).
TEST(MultipathClientRule, FlushedCacheSendsTheNextConnectToTheMcp) {
  Converter client(Client("capability_cache_ttl_seconds: 100"));
  TeachNoEcho(client, T(0), T(40));
  client.FlushCapabilityCache();
  ASSERT_TRUE(client.HandleLocalConnect(T(50), Connect(FromPort(50001))).ok());
  EXPECT_THAT(Describe(Drain(client)), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
  EXPECT_EQ(client.stats().count(EventKind::kCapabilityCacheHit), 0u);
}

// decisions.md D12: a leg to the MCP that came up as plain TCP falls back "but not cached (D8 is
// for an MCP that answered with MPTCP and no echo)": the next connect tries the MCP again.
TEST(MultipathClientRule, McpLegWithoutMptcpIsNotCached) {
  Converter client(Client("capability_cache_ttl_seconds: 100"));
  auto first = client.HandleLocalConnect(T(0), Connect(FromPort(49000)));
  ASSERT_TRUE(first.ok());
  Drain(client);
  const std::vector<uint8_t> echo = Ies({kDstIe});
  ASSERT_TRUE(client.HandleLegEvent(T(5), *first, Leg::kDownstream, Connected(false, &echo)).ok());
  EXPECT_EQ(client.stats().count(EventKind::kMcpNotMptcp), 1u);
  Drain(client);
  ASSERT_TRUE(client.HandleLocalConnect(T(10), Connect(FromPort(50001))).ok());
  EXPECT_THAT(Describe(Drain(client)), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
  EXPECT_EQ(client.stats().count(EventKind::kCapabilityCacheHit), 0u);
}

struct IneligibleCase {
  const char* name;
  std::string config;
  FourTuple tuple;
  NotEligibleReason reason;
};

// "eligibility (eligible_flows prefixes / excluded / ports, supported_transport_protocols must
// contain 6): a not-eligible connect also becomes a direct plain-TCP pair, event NOT_ELIGIBLE
// (reason NotEligibleReason)."
TEST(MultipathClientRule, NotEligibleConnectBecomesADirectPlainTcpPairWithItsReason) {
  FourTuple port80 = kAppToServer;
  port80.dst_port = 80;
  FourTuple excluded = kAppToServer;
  excluded.dst = Ip("192.0.2.200");
  const IneligibleCase cases[] = {
      {"port", "eligible_flows { destination_ports: 443 }", port80, NotEligibleReason::kDestinationPort},
      {"prefix", "eligible_flows { destination_prefixes: \"198.51.100.0/24\" }", kAppToServer,
       NotEligibleReason::kDestinationPrefix},
      {"excluded", "eligible_flows { excluded_destination_prefixes: \"192.0.2.128/25\" }", excluded,
       NotEligibleReason::kExcludedPrefix},
      {"protocol", "supported_transport_protocols: 17", kAppToServer, NotEligibleReason::kTransportProtocol},
  };
  for (const auto& c : cases) {
    Converter client(Client(c.config));
    auto id = client.HandleLocalConnect(T(0), Connect(c.tuple, "data"));
    ASSERT_TRUE(id.ok()) << c.name << ": " << id.status();
    const auto actions = Drain(client);
    ASSERT_EQ(actions.size(), 1u) << c.name << ": " << testing::PrintToString(Describe(actions));
    EXPECT_EQ(actions[0].kind, Action::kOpenLeg) << c.name;
    EXPECT_EQ(actions[0].transport, Transport::kTcp) << c.name;
    EXPECT_EQ(actions[0].tuple.dst, c.tuple.dst) << c.name << ": straight to the destination";
    EXPECT_EQ(actions[0].tuple.dst_port, c.tuple.dst_port) << c.name;
    EXPECT_EQ(Text(actions[0].payload), "data") << c.name << ": no IEs";
    const auto events = DrainAll(client);
    const auto e = Find(events, EventKind::kNotEligible);
    ASSERT_TRUE(e) << c.name << ": " << testing::PrintToString(Kinds(events));
    EXPECT_EQ(e->reason, uint8_t(c.reason)) << c.name;
    EXPECT_EQ(client.stats().count(EventKind::kNotEligible), 1u) << c.name;
    EXPECT_EQ(client.stats().pairs, 1u) << c.name << ": a pair, for the application's notification";
    ASSERT_TRUE(client.HandleLegEvent(T(10), *id, Leg::kDownstream, Connected(false)).ok()) << c.name;
    EXPECT_THAT(Describe(Drain(client)), ElementsAre("NOTIFY_APP up")) << c.name;
  }
}

// Control for the rule above: an eligible connect still goes to the MCP.
// "eligibility (eligible_flows prefixes / excluded / ports ...)"
TEST(MultipathClientRule, EligibleConnectStillGoesToTheMcp) {
  Converter client(Client("eligible_flows { destination_ports: 443 destination_prefixes: \"192.0.2.0/24\" "
                          "excluded_destination_prefixes: \"192.0.2.128/25\" }"));
  ASSERT_TRUE(client.HandleLocalConnect(T(0), Connect(kAppToServer)).ok());
  EXPECT_THAT(Describe(Drain(client)), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
  EXPECT_EQ(client.stats().count(EventKind::kNotEligible), 0u);
}

// Drives one client through every kind of leg it opens: to the MCP, the fallback after a wrong
// echo, the fallback after the setup timer, a capability-cache hit, a not-eligible connect.
std::vector<Action> EveryOpenLeg(Converter& client, uint8_t app_dscp) {
  std::vector<Action> opens;
  auto keep = [&] {
    for (auto& a : OpenLegs(Drain(client))) opens.push_back(a);
  };
  // 1. To the MCP, then the MCP never answers: fallback at the setup timer.
  auto a = client.HandleLocalConnect(T(0), Connect(FromPort(50001), "", app_dscp));
  EXPECT_TRUE(a.ok());
  keep();
  client.HandleTimeouts(T(1000));
  keep();
  // 2. Not eligible (port 80): direct.
  FourTuple port80 = FromPort(50002);
  port80.dst_port = 80;
  EXPECT_TRUE(client.HandleLocalConnect(T(1100), Connect(port80, "", app_dscp)).ok());
  keep();
  // 3. To the MCP, wrong echo: fallback, and the MCP is cached.
  auto b = client.HandleLocalConnect(T(1200), Connect(FromPort(50003), "", app_dscp));
  EXPECT_TRUE(b.ok());
  keep();
  const std::vector<uint8_t> wrong = Ies({{false, Ip("192.0.2.81"), 443}});
  EXPECT_TRUE(client.HandleLegEvent(T(1300), *b, Leg::kDownstream, Connected(true, &wrong)).ok());
  keep();
  // 4. Cache hit: direct.
  EXPECT_TRUE(client.HandleLocalConnect(T(1400), Connect(FromPort(50004), "", app_dscp)).ok());
  keep();
  return opens;
}

// "every kOpenLeg it emits carries dscp = LocalConnect::dscp when preserve_dscp (default), else
// dscp_remark; mss = mss_clamp."
TEST(MultipathClientRule, EveryOpenLegCarriesTheApplicationsDscpAndTheMssClamp) {
  Converter client(Client("mss_clamp: 1400 setup_timeout_ms: 1000 eligible_flows { destination_ports: 443 }"));
  const auto opens = EveryOpenLeg(client, /*app_dscp=*/46);
  ASSERT_THAT(Describe(opens),
              ElementsAre("OPEN down mptcp 203.0.113.1:5555", "OPEN down tcp 192.0.2.80:443",
                          "OPEN down tcp 192.0.2.80:80", "OPEN down mptcp 203.0.113.1:5555",
                          "OPEN down tcp 192.0.2.80:443", "OPEN down tcp 192.0.2.80:443"));
  for (size_t i = 0; i < opens.size(); ++i) {
    EXPECT_EQ(opens[i].dscp, std::optional<uint8_t>(46)) << "open #" << i << " " << Describe(opens[i]);
    EXPECT_EQ(opens[i].mss, 1400) << "open #" << i << " " << Describe(opens[i]);
  }
}

// "every kOpenLeg it emits carries dscp = ... else dscp_remark" (preserve_dscp: false).
TEST(MultipathClientRule, EveryOpenLegCarriesTheRemarkedDscpWhenPreservationIsOff) {
  Converter client(Client("preserve_dscp: false dscp_remark: 10 mss_clamp: 1300 setup_timeout_ms: 1000 "
                          "eligible_flows { destination_ports: 443 }"));
  const auto opens = EveryOpenLeg(client, /*app_dscp=*/46);
  ASSERT_EQ(opens.size(), 6u) << testing::PrintToString(Describe(opens));
  for (size_t i = 0; i < opens.size(); ++i) {
    EXPECT_EQ(opens[i].dscp, std::optional<uint8_t>(10)) << "open #" << i << " " << Describe(opens[i]);
    EXPECT_EQ(opens[i].mss, 1300) << "open #" << i << " " << Describe(opens[i]);
  }
}

}  // namespace
}  // namespace mcp_core
