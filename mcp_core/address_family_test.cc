// SPDX-License-Identifier: Apache-2.0
// Issue 14, rule 4: mixed address families (seed 002 §5.5: "the plain
// transport mode indifferently accommodates the following combinations" of
// LAN leg, MPTCP legs and TCP leg towards the remote machine). Where the
// client's address cannot be kept across families, the stack's own address
// (default) or a pool address is used; every kOpenLeg carries a src and dst
// of one family.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mcp_core/rule_test_support.h"

namespace mcp_core {
namespace {

using namespace test;
using ::testing::ElementsAre;

const FourTuple kClient4ToMcp{Ip("100.64.1.10"), Ip("203.0.113.1"), 40001, 5555};
const FourTuple kClient6ToMcp{Ip("2001:db8:c::10"), Ip("2001:db8::1"), 40001, 5555};
const mo::MpConvertIe kDst4{false, Ip("192.0.2.80"), 443};
const mo::MpConvertIe kDst6{false, Ip("2001:db8:2::80"), 443};

Config Mcp(const std::string& extra = "") {
  return NetworkMcp("mcp_addresses: \"2001:db8::1\" relay_mp_capable_to_servers: false " + extra);
}
Config WithCrossFamily(Config c, Config::CrossFamilySource s) {
  c.cross_family_source = s;
  return c;
}

// The client's SYN to the MCP (of the client's family) and the one leg it opens.
Action OpenFor(Converter& mcp, const FourTuple& client, const std::vector<mo::MpConvertIe>& ies,
               const std::string& what, Verdict* verdict = nullptr) {
  const Verdict v = mcp.HandleSegment(T(0), MptcpSyn(client, Ies(ies)).view());
  if (verdict) *verdict = v;
  EXPECT_EQ(v.kind, Verdict::kIntercept) << what;
  const auto actions = Drain(mcp);
  EXPECT_EQ(actions.size(), 1u) << what << ": " << testing::PrintToString(Describe(actions));
  if (actions.empty()) return {};
  EXPECT_EQ(actions[0].kind, Action::kOpenLeg) << what;
  ExpectOneFamily(actions[0], what);
  return actions[0];
}

// "PRESERVE, source IE present: its address is used (same family as server: the LAN leg's)."
// Seed 002 §5.5 rows "IPv4 LAN, IPv6 MPTCP, IPv4 TCP" and "IPv6 LAN, IPv4 MPTCP, IPv6 TCP",
// whatever cross_family_source says.
TEST(AddressFamilyRule, PreserveUsesTheSourceIeAcrossFamilies) {
  for (auto setting : {Config::CrossFamilySource::kStackAddress, Config::CrossFamilySource::kSourcePool}) {
    Config c = WithCrossFamily(Mcp("source_pool: \"192.0.2.200\" source_pool: \"2001:db8:1::200\""), setting);
    Converter mcp(c);
    const std::string which = setting == Config::CrossFamilySource::kStackAddress ? " (stack)" : " (pool)";
    const Action a = OpenFor(mcp, kClient6ToMcp, {{true, Ip("192.168.1.20"), 50000}, kDst4}, "v4 LAN over v6" + which);
    EXPECT_EQ(Describe(a), "OPEN down tcp 192.0.2.80:443");
    EXPECT_EQ(a.tuple.src, Ip("192.168.1.20")) << which;
    EXPECT_EQ(a.tuple.src_port, 50000) << which;
    const Action b =
        OpenFor(mcp, kClient4ToMcp, {{true, Ip("2001:db8:1::20"), 50000}, kDst6}, "v6 LAN over v4" + which);
    EXPECT_EQ(Describe(b), "OPEN down tcp 2001:db8:2::80:443");
    EXPECT_EQ(b.tuple.src, Ip("2001:db8:1::20")) << which;
    EXPECT_EQ(b.tuple.src_port, 50000) << which;
  }
}

// "PRESERVE, no source IE, client (MPTCP leg) address family != destination family: no longer
// refused. cross_family_source kStackAddress (default): kOpenLeg src = the unspecified address of
// the destination's family (0.0.0.0 or ::), src_port 0"
TEST(AddressFamilyRule, PreserveWithoutSourceIeAcrossFamiliesUsesTheStackAddressByDefault) {
  Converter mcp(Mcp());
  EXPECT_EQ(mcp.config().cross_family_source, Config::CrossFamilySource::kStackAddress) << "the default";
  Verdict v;
  const Action a = OpenFor(mcp, kClient6ToMcp, {kDst4}, "v6 client, v4 server", &v);
  EXPECT_EQ(Describe(a), "OPEN down tcp 192.0.2.80:443");
  EXPECT_EQ(a.tuple.src, Ip("0.0.0.0"));
  EXPECT_EQ(a.tuple.src_port, 0);
  ASSERT_TRUE(mcp.HandleLegEvent(T(5), v.flow, Leg::kDownstream, Connected(false)).ok());
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("ANSWER_SYN up")) << "a working pair";

  const Action b = OpenFor(mcp, kClient4ToMcp, {kDst6}, "v4 client, v6 server");
  EXPECT_EQ(Describe(b), "OPEN down tcp 2001:db8:2::80:443");
  EXPECT_EQ(b.tuple.src, Ip("::"));
  EXPECT_EQ(b.tuple.src_port, 0);

  // The accepted-connection path too.
  const std::vector<uint8_t> first = Ies({kDst4});
  FourTuple t = kClient6ToMcp;
  t.src_port = 40002;
  ASSERT_EQ(mcp.HandleAcceptedConnection(T(6), {Interface::kCustomerFacing, t, true, 0, first}).kind,
            Verdict::kIntercept);
  const auto c = Drain(mcp);
  ASSERT_THAT(Describe(c), ElementsAre("OPEN down tcp 192.0.2.80:443"));
  EXPECT_EQ(c[0].tuple.src, Ip("0.0.0.0"));
  EXPECT_EQ(c[0].tuple.src_port, 0);
  EXPECT_EQ(mcp.stats().count(EventKind::kRefusedNoSourceAddress), 0u);
  EXPECT_EQ(mcp.stats().count(EventKind::kSetupFailed), 0u);
}

// Control of the two rules above: within one family PRESERVE keeps the client's address (seed 002
// §5.4.1); the cross-family source is used only across families.
TEST(AddressFamilyRule, SameFamilyWithoutSourceIeKeepsTheClientsAddress) {
  for (auto setting : {Config::CrossFamilySource::kStackAddress, Config::CrossFamilySource::kSourcePool}) {
    Converter mcp(WithCrossFamily(Mcp("source_pool: \"192.0.2.200\" source_pool: \"2001:db8:1::200\""), setting));
    EXPECT_EQ(OpenFor(mcp, kClient4ToMcp, {kDst4}, "v4/v4").tuple.src, Ip("100.64.1.10"));
    EXPECT_EQ(OpenFor(mcp, kClient6ToMcp, {kDst6}, "v6/v6").tuple.src, Ip("2001:db8:c::10"));
  }
}

// "kSourcePool: an address of source_pool of that family"
TEST(AddressFamilyRule, PreserveAcrossFamiliesTakesAPoolAddressWhenConfigured) {
  Converter mcp(WithCrossFamily(Mcp("source_pool: \"192.0.2.200\" source_pool: \"2001:db8:1::200\""),
                                Config::CrossFamilySource::kSourcePool));
  const Action a = OpenFor(mcp, kClient6ToMcp, {kDst4}, "v6 client, v4 server");
  EXPECT_EQ(a.tuple.src, Ip("192.0.2.200"));
  const Action b = OpenFor(mcp, kClient4ToMcp, {kDst6}, "v4 client, v6 server");
  EXPECT_EQ(b.tuple.src, Ip("2001:db8:1::200"));
}

// "kSourcePool: ... (none -> REFUSED_NO_SOURCE_ADDRESS reason 4/6, Verdict kReset)."
TEST(AddressFamilyRule, PreserveAcrossFamiliesWithoutAPoolAddressOfThatFamilyIsRefused) {
  struct Case {
    const char* name;
    const char* pool;
    FourTuple client;
    mo::MpConvertIe dst;
    uint8_t reason;
  };
  const Case cases[] = {
      {"v6 client, v4 server, v6-only pool", "2001:db8:1::200", kClient6ToMcp, kDst4, 4},
      {"v4 client, v6 server, v4-only pool", "192.0.2.200", kClient4ToMcp, kDst6, 6},
  };
  for (const auto& c : cases) {
    Converter mcp(WithCrossFamily(Mcp(std::string("source_pool: \"") + c.pool + "\""),
                                  Config::CrossFamilySource::kSourcePool));
    const Verdict v = mcp.HandleSegment(T(0), MptcpSyn(c.client, Ies({c.dst})).view());
    EXPECT_EQ(v.kind, Verdict::kReset) << c.name;
    EXPECT_THAT(Describe(Drain(mcp)), ElementsAre()) << c.name;
    const auto events = DrainAll(mcp);
    ASSERT_THAT(Kinds(events), ElementsAre(EventKind::kRefusedNoSourceAddress)) << c.name;
    EXPECT_EQ(events[0].reason, c.reason) << c.name;
    EXPECT_EQ(mcp.stats().pairs_created, 0u) << c.name;
  }
}

// "POOL mode, no pool address of the destination's family -> REFUSED_NO_SOURCE_ADDRESS (was
// SETUP_FAILED)." actions.h: "reason = 4 or 6). Refused with RST."
TEST(AddressFamilyRule, PoolModeWithoutAnAddressOfTheDestinationsFamilyIsRefused) {
  struct Case {
    const char* name;
    const char* pool;
    FourTuple client;
    mo::MpConvertIe dst;
    uint8_t reason;
  };
  const Case cases[] = {
      {"v6 server, v4-only pool", "192.0.2.200", kClient4ToMcp, kDst6, 6},
      {"v4 server, v6-only pool", "2001:db8:1::200", kClient6ToMcp, kDst4, 4},
      {"v6 server from a v6 client, v4-only pool", "192.0.2.200", kClient6ToMcp, kDst6, 6},
  };
  for (const auto& c : cases) {
    Converter mcp(Mcp(std::string("source_mode: POOL source_pool: \"") + c.pool + "\""));
    const Verdict v = mcp.HandleSegment(T(0), MptcpSyn(c.client, Ies({c.dst})).view());
    EXPECT_EQ(v.kind, Verdict::kReset) << c.name;
    EXPECT_THAT(Describe(Drain(mcp)), ElementsAre()) << c.name;
    const auto events = DrainAll(mcp);
    ASSERT_THAT(Kinds(events), ElementsAre(EventKind::kRefusedNoSourceAddress)) << c.name;
    EXPECT_EQ(events[0].reason, c.reason) << c.name;
    EXPECT_EQ(mcp.stats().count(EventKind::kSetupFailed), 0u) << c.name;
    EXPECT_EQ(mcp.stats().pairs_created, 0u) << c.name;
    // The accepted-connection path the same.
    FourTuple t = c.client;
    t.src_port = 40999;
    const std::vector<uint8_t> first = Ies({c.dst});
    EXPECT_EQ(mcp.HandleAcceptedConnection(T(1), {Interface::kCustomerFacing, t, true, 0, first}).kind,
              Verdict::kReset)
        << c.name;
    EXPECT_EQ(mcp.stats().count(EventKind::kRefusedNoSourceAddress), 2u) << c.name;
    EXPECT_EQ(mcp.stats().pairs_created, 0u) << c.name;
  }
  // Control: the family the pool has is served from it.
  Converter mcp(Mcp("source_mode: POOL source_pool: \"192.0.2.200\""));
  EXPECT_EQ(OpenFor(mcp, kClient6ToMcp, {kDst4}, "pool of the server's family").tuple.src, Ip("192.0.2.200"));
}

// "Every kOpenLeg's tuple has src and dst of one family (CPE/client legs to an IPv6 MCP carry src
// "::", ...), never 0.0.0.0 with an IPv6 dst." A CPE with an IPv6 network MCP and an IPv4 LAN.
TEST(AddressFamilyRule, CpeLegToAnIpv6McpCarriesTheIpv6Unspecified) {
  Converter cpe(Load("role: CPE_MCP network_mcps { address: \"2001:db8::1\" port: 5555 } setup_timeout_ms: 1000"));
  const FourTuple lan{Ip("192.168.1.20"), Ip("192.0.2.80"), 50000, 443};
  ASSERT_EQ(cpe.HandleSegment(T(0), TcpSyn(lan).view()).kind, Verdict::kIntercept);
  const auto a = Drain(cpe);
  ASSERT_THAT(Describe(a), ElementsAre("OPEN down mptcp 2001:db8::1:5555"));
  EXPECT_EQ(a[0].tuple.src, Ip("::"));
  EXPECT_EQ(a[0].payload, Ies({kDst4})) << "the IE names the IPv4 server";
  cpe.HandleTimeouts(T(1000));  // the MCP never answers: fallback to the IPv4 server
  const auto opens = OpenLegs(Drain(cpe));
  ASSERT_THAT(Describe(opens), ElementsAre("OPEN down tcp 192.0.2.80:443"));
  ExpectOneFamily(opens[0], "fallback to the IPv4 server");
}

// The same sentence for the multipath client: "CPE/client legs to an IPv6 MCP carry src "::""
TEST(AddressFamilyRule, ClientLegToAnIpv6McpCarriesTheIpv6Unspecified) {
  Converter client(Load("role: MULTIPATH_CLIENT network_mcps { address: \"2001:db8::1\" port: 5555 } "
                        "setup_timeout_ms: 1000"));
  auto id = client.HandleLocalConnect(T(0), {{Ip("192.168.1.20"), Ip("192.0.2.80"), 0, 443}, {}, 0});
  ASSERT_TRUE(id.ok()) << id.status();
  const auto a = Drain(client);
  ASSERT_THAT(Describe(a), ElementsAre("OPEN down mptcp 2001:db8::1:5555"));
  EXPECT_EQ(a[0].tuple.src, Ip("::"));
  client.HandleTimeouts(T(1000));
  const auto opens = OpenLegs(Drain(client));
  ASSERT_THAT(Describe(opens), ElementsAre("OPEN down tcp 192.0.2.80:443"));
  ExpectOneFamily(opens[0], "fallback to the IPv4 server");
}

// "Every kOpenLeg's tuple has src and dst of one family (... fallback legs to an IPv6 server carry
// src "::"), never 0.0.0.0 with an IPv6 dst." A CPE with an IPv4 network MCP and an IPv6 LAN
// (seed 002 §5.5 row "IPv6 LAN, IPv4 MPTCP, IPv6 TCP"); the MCP refuses, the CPE falls back.
TEST(AddressFamilyRule, CpeFallbackLegToAnIpv6ServerCarriesTheIpv6Unspecified) {
  Converter cpe(Cpe());
  const FourTuple lan{Ip("2001:db8:1::20"), Ip("2001:db8:2::80"), 50000, 443};
  const Verdict v = cpe.HandleSegment(T(0), TcpSyn(lan).view());
  ASSERT_EQ(v.kind, Verdict::kIntercept);
  const auto a = Drain(cpe);
  ASSERT_THAT(Describe(a), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
  ExpectOneFamily(a[0], "leg to the IPv4 MCP");
  EXPECT_EQ(a[0].payload, Ies({kDst6}));
  ASSERT_TRUE(cpe.HandleLegEvent(T(5), v.flow, Leg::kDownstream, Ev(LegEvent::kRefused)).ok());
  const auto opens = OpenLegs(Drain(cpe));
  ASSERT_THAT(Describe(opens), ElementsAre("OPEN down tcp 2001:db8:2::80:443"));
  EXPECT_EQ(opens[0].tuple.src, Ip("::"));
}

// The same sentence for the multipath client: "fallback legs to an IPv6 server carry src "::""
TEST(AddressFamilyRule, ClientFallbackLegToAnIpv6ServerCarriesTheIpv6Unspecified) {
  Converter client(Client());
  auto id = client.HandleLocalConnect(T(0), {{Ip("2001:db8:1::20"), Ip("2001:db8:2::80"), 0, 443}, {}, 0});
  ASSERT_TRUE(id.ok()) << id.status();
  const auto a = Drain(client);
  ASSERT_THAT(Describe(a), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
  ExpectOneFamily(a[0], "leg to the IPv4 MCP");
  const std::vector<uint8_t> wrong = Ies({{false, Ip("2001:db8:2::81"), 443}});
  ASSERT_TRUE(client.HandleLegEvent(T(5), *id, Leg::kDownstream, Connected(true, &wrong)).ok());
  const auto opens = OpenLegs(Drain(client));
  ASSERT_THAT(Describe(opens), ElementsAre("OPEN down tcp 2001:db8:2::80:443"));
  EXPECT_EQ(opens[0].tuple.src, Ip("::"));
}

// Seed 002 §5.5 rows "IPv6 & IPv4" MPTCP legs: "Subflows of a given MPTCP connection can be
// associated to the same address family or may be established with different address families."
// The token is reported with kConnected on the downstream leg (local_token).
TEST(AddressFamilyRule, JoinOfTheOtherFamilyJoinsTheConnection) {
  Converter mcp(Mcp());
  const Verdict v = mcp.HandleSegment(T(0), MptcpSyn(kClient4ToMcp, Ies({kDst4})).view());
  ASSERT_EQ(v.kind, Verdict::kIntercept);
  LegEvent up = Connected(false);
  up.local_token = 0x600dcafe;
  ASSERT_TRUE(mcp.HandleLegEvent(T(1), v.flow, Leg::kDownstream, up).ok());
  Drain(mcp);
  const Verdict j = mcp.HandleSegment(T(2), JoinSyn(kClient6ToMcp, 0x600dcafe).view());
  EXPECT_EQ(j.kind, Verdict::kPassThrough);
  EXPECT_EQ(j.flow, v.flow);
}

}  // namespace
}  // namespace mcp_core
