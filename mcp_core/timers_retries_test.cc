// SPDX-License-Identifier: Apache-2.0
// Issue 14, rule 5: timers and retries. The D9 plain-TCP retry keeps the
// preserved source port; the MSS clamp and the DSCP apply to the answer
// towards the client too (seed 002 §5.6.4 "both directions", §5.6.5); a CPE
// does not proxy a SYN carrying TFO data or a TFO cookie before MCP discovery
// has completed (draft -10: RECOMMENDED).
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mcp_core/rule_test_support.h"

namespace mcp_core {
namespace {

using namespace test;
using ::testing::ElementsAre;

const FourTuple kClientToMcp{Ip("100.64.1.10"), Ip("203.0.113.1"), 40001, 5555};
const FourTuple kLanToServer{Ip("192.168.1.20"), Ip("192.0.2.80"), 50000, 443};
const mo::MpConvertIe kDstIe{false, Ip("192.0.2.80"), 443};

// ------------------------------------------------------------ D9 retry

// "D9 retry (relay_mp_capable_to_servers, server silent past server_mp_capable_timeout): the
// plain-TCP retry kOpenLeg keeps the src_port of the first attempt (the preserved source port)."
// With a source IE, the preserved port is the IE's.
TEST(TimerRetryRule, D9RetryKeepsThePreservedSourcePortOfTheSourceIe) {
  Converter mcp(NetworkMcp());
  const mo::MpConvertIe src{true, Ip("198.51.100.20"), 51515};
  ASSERT_EQ(mcp.HandleSegment(T(0), MptcpSyn(kClientToMcp, Ies({src, kDstIe})).view()).kind, Verdict::kIntercept);
  const auto first = Drain(mcp);
  ASSERT_THAT(Describe(first), ElementsAre("OPEN down mptcp 192.0.2.80:443"));
  EXPECT_EQ(first[0].tuple.src, Ip("198.51.100.20"));
  EXPECT_EQ(first[0].tuple.src_port, 51515);
  mcp.HandleTimeouts(T(0) + mcp.config().server_mp_capable_timeout);
  const auto retry = Drain(mcp);
  ASSERT_THAT(Describe(retry), ElementsAre("RESET down", "OPEN down tcp 192.0.2.80:443"));
  EXPECT_EQ(retry[1].tuple.src, Ip("198.51.100.20"));
  EXPECT_EQ(retry[1].tuple.src_port, 51515) << "the preserved source port";
  ExpectOneFamily(retry[1], "D9 retry");
}

// The same sentence without a source IE: the retry keeps whatever address and port the first
// attempt used (the spec does not say which port that is: 0, "the stack picks", or the client's).
TEST(TimerRetryRule, D9RetryKeepsTheFirstAttemptsSourcePort) {
  Converter mcp(NetworkMcp("server_mp_capable_timeout_ms: 500"));
  ASSERT_EQ(mcp.HandleSegment(T(0), MptcpSyn(kClientToMcp, Ies({kDstIe})).view()).kind, Verdict::kIntercept);
  const auto first = Drain(mcp);
  ASSERT_THAT(Describe(first), ElementsAre("OPEN down mptcp 192.0.2.80:443"));
  mcp.HandleTimeouts(T(500));
  const auto retry = Drain(mcp);
  ASSERT_THAT(Describe(retry), ElementsAre("RESET down", "OPEN down tcp 192.0.2.80:443"));
  EXPECT_EQ(retry[1].tuple.src, first[0].tuple.src);
  EXPECT_EQ(retry[1].tuple.src_port, first[0].tuple.src_port);
}

// ------------------------------------------------------------ MSS and DSCP on the answer

// "mss_clamp is set on kAnswerSyn / kAnswerAccepted (the upstream answer) too, and dscp on them."
// Network MCP, SYN path: the client's DSCP preserved (default).
TEST(TimerRetryRule, AnswerSynCarriesTheMssClampAndTheClientsDscp) {
  Converter mcp(NetworkMcp("relay_mp_capable_to_servers: false mss_clamp: 1400"));
  auto syn = MptcpSyn(kClientToMcp, Ies({kDstIe}));
  syn.dscp = 46;
  const Verdict v = mcp.HandleSegment(T(0), syn.view());
  const auto open = Drain(mcp);
  ASSERT_THAT(Describe(open), ElementsAre("OPEN down tcp 192.0.2.80:443"));
  EXPECT_EQ(open[0].mss, 1400);
  EXPECT_EQ(open[0].dscp, std::optional<uint8_t>(46));
  ASSERT_TRUE(mcp.HandleLegEvent(T(1), v.flow, Leg::kDownstream, Connected()).ok());
  const auto answer = Drain(mcp);
  ASSERT_THAT(Describe(answer), ElementsAre("ANSWER_SYN up"));
  EXPECT_EQ(answer[0].mss, 1400);
  EXPECT_EQ(answer[0].dscp, std::optional<uint8_t>(46));
}

// The same sentence with remarking (seed 002 §5.6.5): the answer carries dscp_remark.
TEST(TimerRetryRule, AnswerSynCarriesTheRemarkedDscp) {
  Converter mcp(NetworkMcp("relay_mp_capable_to_servers: false mss_clamp: 1300 preserve_dscp: false dscp_remark: 10"));
  auto syn = MptcpSyn(kClientToMcp, Ies({kDstIe}));
  syn.dscp = 46;
  const Verdict v = mcp.HandleSegment(T(0), syn.view());
  Drain(mcp);
  ASSERT_TRUE(mcp.HandleLegEvent(T(1), v.flow, Leg::kDownstream, Connected()).ok());
  const auto answer = Drain(mcp);
  ASSERT_THAT(Describe(answer), ElementsAre("ANSWER_SYN up"));
  EXPECT_EQ(answer[0].mss, 1300);
  EXPECT_EQ(answer[0].dscp, std::optional<uint8_t>(10));
}

// "mss_clamp is set on kAnswerSyn / kAnswerAccepted ... and dscp on them." Network MCP, accepted.
TEST(TimerRetryRule, AnswerAcceptedCarriesTheMssClampAndTheClientsDscp) {
  Converter mcp(NetworkMcp("relay_mp_capable_to_servers: false mss_clamp: 1400"));
  const std::vector<uint8_t> first = Ies({kDstIe});
  const Verdict v = mcp.HandleAcceptedConnection(T(0), {Interface::kCustomerFacing, kClientToMcp, true, 34, first});
  ASSERT_EQ(v.kind, Verdict::kIntercept);
  Drain(mcp);
  ASSERT_TRUE(mcp.HandleLegEvent(T(1), v.flow, Leg::kDownstream, Connected()).ok());
  const auto answer = Drain(mcp);
  ASSERT_THAT(Describe(answer), ElementsAre("ANSWER_ACCEPTED up"));
  EXPECT_EQ(answer[0].mss, 1400);
  EXPECT_EQ(answer[0].dscp, std::optional<uint8_t>(34));
}

// The same sentence at a CPE: the answer to the LAN host, on both paths (SYN and accepted).
TEST(TimerRetryRule, CpeAnswersCarryTheMssClampAndTheLanHostsDscp) {
  const std::vector<uint8_t> echo = Ies({kDstIe});
  {
    Converter cpe(Cpe("mss_clamp: 1360"));
    auto syn = TcpSyn(kLanToServer);
    syn.dscp = 26;
    const Verdict v = cpe.HandleSegment(T(0), syn.view());
    ASSERT_EQ(v.kind, Verdict::kIntercept);
    Drain(cpe);
    ASSERT_TRUE(cpe.HandleLegEvent(T(1), v.flow, Leg::kDownstream, Connected(true, &echo)).ok());
    const auto answer = Drain(cpe);
    ASSERT_THAT(Describe(answer), ElementsAre("ANSWER_SYN up"));
    EXPECT_EQ(answer[0].mss, 1360);
    EXPECT_EQ(answer[0].dscp, std::optional<uint8_t>(26));
  }
  {
    Converter cpe(Cpe("mss_clamp: 1360 preserve_dscp: false dscp_remark: 8"));
    const Verdict v = cpe.HandleAcceptedConnection(T(0), {Interface::kCustomerFacing, kLanToServer, false, 26, {}});
    ASSERT_EQ(v.kind, Verdict::kIntercept);
    Drain(cpe);
    ASSERT_TRUE(cpe.HandleLegEvent(T(1), v.flow, Leg::kDownstream, Connected(true, &echo)).ok());
    const auto answer = Drain(cpe);
    ASSERT_THAT(Describe(answer), ElementsAre("ANSWER_ACCEPTED up"));
    EXPECT_EQ(answer[0].mss, 1360);
    EXPECT_EQ(answer[0].dscp, std::optional<uint8_t>(8));
  }
}

// ------------------------------------------------------------ TFO before MCP discovery

FourTuple LanPort(uint16_t port) {
  FourTuple t = kLanToServer;
  t.src_port = port;
  return t;
}

// What an embedder sees of a TFO SYN held back: kPassThrough, TFO_BEFORE_DISCOVERY, nothing else.
void ExpectTfoPassedThrough(Converter& cpe, const Verdict& v, const std::string& what) {
  EXPECT_EQ(v.kind, Verdict::kPassThrough) << what;
  EXPECT_EQ(v.flow, 0u) << what;
  EXPECT_THAT(Describe(Drain(cpe)), ElementsAre()) << what;
  const auto events = DrainAll(cpe);
  EXPECT_THAT(Kinds(events), ElementsAre(EventKind::kTfoBeforeDiscovery)) << what;
}

// Completes MCP discovery with one exact echo in the SYN/ACK.
void Discover(Converter& cpe) {
  const Verdict v = cpe.HandleSegment(T(1), TcpSyn(LanPort(49000)).view());
  ASSERT_EQ(v.kind, Verdict::kIntercept);
  Drain(cpe);
  const std::vector<uint8_t> echo = Ies({kDstIe});
  ASSERT_TRUE(cpe.HandleLegEvent(T(2), v.flow, Leg::kDownstream, Connected(true, &echo)).ok());
  ASSERT_THAT(Describe(Drain(cpe)), ElementsAre("ANSWER_SYN up"));
  DrainAll(cpe);
}

// "CPE: a LAN SYN with TFO data (non-empty payload) or a TFO option (kind 34) before MCP discovery
// completed (no exact echo seen from the MCP since start or FlushCapabilityCache) -> Verdict
// kPassThrough, event TFO_BEFORE_DISCOVERY, no pair."
TEST(TfoRule, LanSynWithTfoBeforeDiscoveryPassesThrough) {
  Converter cpe(Cpe());
  const std::vector<uint8_t> cookie = {1, 2, 3, 4, 5, 6, 7, 8};
  ExpectTfoPassedThrough(cpe, cpe.HandleSegment(T(0), TcpSyn(LanPort(50001), "GET /").view()), "TFO data");
  ExpectTfoPassedThrough(cpe, cpe.HandleSegment(T(0), TfoSyn(LanPort(50002), {}).view()), "cookie request");
  ExpectTfoPassedThrough(cpe, cpe.HandleSegment(T(0), TfoSyn(LanPort(50003), cookie).view()), "cookie");
  ExpectTfoPassedThrough(cpe, cpe.HandleSegment(T(0), TfoSyn(LanPort(50004), cookie, "GET /").view()),
                         "cookie and data");
  EXPECT_EQ(cpe.stats().count(EventKind::kTfoBeforeDiscovery), 4u);
  EXPECT_EQ(cpe.stats().pairs_created, 0u);
  // A SYN without TFO is proxied, which is how discovery starts.
  EXPECT_EQ(cpe.HandleSegment(T(0), TcpSyn(LanPort(50005)).view()).kind, Verdict::kIntercept);
  EXPECT_THAT(Describe(Drain(cpe)), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
}

// "After one successful echo, such SYNs are proxied (the data follows the IEs in the SYN to the MCP)."
TEST(TfoRule, AfterOneExactEchoTfoSynsAreProxiedWithTheirData) {
  Converter cpe(Cpe());
  Discover(cpe);
  ASSERT_EQ(cpe.HandleSegment(T(10), TcpSyn(LanPort(50001), "GET /").view()).kind, Verdict::kIntercept);
  const auto a = Drain(cpe);
  ASSERT_THAT(Describe(a), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
  EXPECT_EQ(a[0].payload, Ies({kDstIe}, "GET /"));
  EXPECT_EQ(a[0].echo_length, Ies({kDstIe}).size());
  const std::vector<uint8_t> cookie = {1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(cpe.HandleSegment(T(11), TfoSyn(LanPort(50002), cookie).view()).kind, Verdict::kIntercept);
  EXPECT_THAT(Describe(Drain(cpe)), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
  EXPECT_EQ(cpe.stats().count(EventKind::kTfoBeforeDiscovery), 0u);
}

// The same: an exact echo that arrives as the MCP's first bytes (LegEvent kFirstBytes) completes
// discovery too ("no exact echo seen from the MCP").
TEST(TfoRule, ExactEchoAsFirstBytesCompletesDiscovery) {
  Converter cpe(Cpe());
  const Verdict v = cpe.HandleSegment(T(1), TcpSyn(LanPort(49000)).view());
  Drain(cpe);
  DrainAll(cpe);  // that pair's PAIR_CREATED
  ASSERT_TRUE(cpe.HandleLegEvent(T(2), v.flow, Leg::kDownstream, Connected(true)).ok());
  ExpectTfoPassedThrough(cpe, cpe.HandleSegment(T(3), TcpSyn(LanPort(50001), "x").view()),
                         "echo still due: discovery not complete");
  ASSERT_TRUE(cpe.HandleLegEvent(T(4), v.flow, Leg::kDownstream, FirstBytes(Ies({kDstIe}))).ok());
  ASSERT_THAT(Describe(Drain(cpe)), ElementsAre("ANSWER_SYN up"));
  EXPECT_EQ(cpe.HandleSegment(T(5), TcpSyn(LanPort(50002), "x").view()).kind, Verdict::kIntercept);
}

// "no exact echo seen from the MCP": an MCP leg that came up without MPTCP (D12, not cached) has
// not completed discovery.
TEST(TfoRule, McpLegWithoutMptcpDoesNotCompleteDiscovery) {
  Converter cpe(Cpe());
  const Verdict v = cpe.HandleSegment(T(1), TcpSyn(LanPort(49000)).view());
  Drain(cpe);
  const std::vector<uint8_t> echo = Ies({kDstIe});
  ASSERT_TRUE(cpe.HandleLegEvent(T(2), v.flow, Leg::kDownstream, Connected(false, &echo)).ok());
  Drain(cpe);
  DrainAll(cpe);
  ExpectTfoPassedThrough(cpe, cpe.HandleSegment(T(3), TcpSyn(LanPort(50001), "x").view()), "after MCP_NOT_MPTCP");
}

// "(no exact echo seen from the MCP since start or FlushCapabilityCache)": a flush starts
// discovery over.
TEST(TfoRule, FlushCapabilityCacheStartsDiscoveryOver) {
  Converter cpe(Cpe());
  Discover(cpe);
  cpe.FlushCapabilityCache();
  ExpectTfoPassedThrough(cpe, cpe.HandleSegment(T(10), TcpSyn(LanPort(50001), "GET /").view()), "after a flush");
  EXPECT_EQ(cpe.HandleSegment(T(11), TcpSyn(LanPort(50002)).view()).kind, Verdict::kIntercept)
      << "plain SYNs are still proxied";
}

}  // namespace
}  // namespace mcp_core
