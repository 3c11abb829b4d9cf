// SPDX-License-Identifier: Apache-2.0
// Issue 14, rule 6 (last sentence): "`now` going backwards on any entry point: treated as the
// latest `now` seen, and stats().time_went_backwards increments (no assert, in every build)."
// Each entry point in its own test: a build that still asserts aborts the binary, so these live
// apart from bounds_and_counters_test.cc. What shows that a call ran at the clamped time is the
// deadline it arms: from the latest `now`, not from the earlier one passed in.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mcp_core/rule_test_support.h"

namespace mcp_core {
namespace {

using namespace test;
using ::testing::ElementsAre;

const mo::MpConvertIe kDstIe{false, Ip("192.0.2.80"), 443};

FourTuple ClientPort(uint16_t port) { return {Ip("100.64.1.10"), Ip("203.0.113.1"), port, 5555}; }

// Setup timer 10 s, idle lifetime 60 s, no D9 timer.
Config Mcp() {
  return NetworkMcp("relay_mp_capable_to_servers: false setup_timeout_ms: 10000 idle_lifetime_seconds: 60");
}

TEST(TimeBackwardsRule, HandleSegmentRunsAtTheLatestNowAndCounts) {
  Converter mcp(Mcp());
  ASSERT_EQ(mcp.HandleSegment(T(5000), MptcpSyn(ClientPort(40001), Ies({kDstIe})).view()).kind, Verdict::kIntercept);
  EXPECT_EQ(mcp.stats().time_went_backwards, 0u);
  ASSERT_EQ(mcp.HandleSegment(T(5000), MptcpSyn(ClientPort(40002), Ies({kDstIe})).view()).kind, Verdict::kIntercept);
  EXPECT_EQ(mcp.stats().time_went_backwards, 0u) << "the same `now` is not backwards";
  ASSERT_EQ(mcp.HandleSegment(T(1000), MptcpSyn(ClientPort(40003), Ies({kDstIe})).view()).kind, Verdict::kIntercept);
  EXPECT_EQ(mcp.stats().time_went_backwards, 1u);
  EXPECT_EQ(mcp.NextDeadline(), T(15000)) << "the third setup timer runs from 5 s, not from 1 s";
  mcp.HandleTimeouts(T(14999));
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("OPEN down tcp 192.0.2.80:443", "OPEN down tcp 192.0.2.80:443",
                                                "OPEN down tcp 192.0.2.80:443"))
      << "no setup timer fired before 15 s";
  EXPECT_EQ(mcp.stats().pairs, 3u);
}

TEST(TimeBackwardsRule, HandleSegmentsRunsAtTheLatestNowAndCounts) {
  Converter mcp(Mcp());
  ASSERT_EQ(mcp.HandleSegment(T(5000), MptcpSyn(ClientPort(40001), Ies({kDstIe})).view()).kind, Verdict::kIntercept);
  const auto syn = MptcpSyn(ClientPort(40002), Ies({kDstIe}));
  const SegmentView batch[] = {syn.view()};
  Verdict verdicts[1];
  mcp.HandleSegments(T(1000), batch, verdicts);
  EXPECT_EQ(verdicts[0].kind, Verdict::kIntercept);
  EXPECT_EQ(mcp.stats().time_went_backwards, 1u) << "one call";
  EXPECT_EQ(mcp.NextDeadline(), T(15000));
}

TEST(TimeBackwardsRule, HandleTimeoutsRunsAtTheLatestNowAndCounts) {
  Converter mcp(Mcp());
  ASSERT_EQ(mcp.HandleSegment(T(5000), MptcpSyn(ClientPort(40001), Ies({kDstIe})).view()).kind, Verdict::kIntercept);
  Drain(mcp);
  mcp.HandleTimeouts(T(1000));
  EXPECT_EQ(mcp.stats().time_went_backwards, 1u);
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre());
  EXPECT_EQ(mcp.NextDeadline(), T(15000));
  mcp.HandleTimeouts(T(15000));
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("RESET up", "RESET down"));
  EXPECT_EQ(mcp.stats().time_went_backwards, 1u);
}

TEST(TimeBackwardsRule, HandleLegEventRunsAtTheLatestNowAndCounts) {
  Converter mcp(Mcp());
  const Verdict v = mcp.HandleSegment(T(5000), MptcpSyn(ClientPort(40001), Ies({kDstIe})).view());
  Drain(mcp);
  ASSERT_TRUE(mcp.HandleLegEvent(T(1000), v.flow, Leg::kDownstream, Connected()).ok());
  EXPECT_EQ(mcp.stats().time_went_backwards, 1u);
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("ANSWER_SYN up"));
  EXPECT_EQ(mcp.NextDeadline(), T(5000) + Duration::Seconds(60)) << "the idle lifetime runs from 5 s";
  mcp.HandleTimeouts(T(1000) + Duration::Seconds(60));
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre()) << "not idle yet at 61 s";
  EXPECT_EQ(mcp.StateOf(v.flow), State::kEstablished);
}

TEST(TimeBackwardsRule, HandleAcceptedConnectionRunsAtTheLatestNowAndCounts) {
  Converter mcp(Mcp());
  const std::vector<uint8_t> first = Ies({kDstIe});
  ASSERT_EQ(mcp.HandleAcceptedConnection(T(5000), {Interface::kCustomerFacing, ClientPort(40001), true, 0, first}).kind,
            Verdict::kIntercept);
  ASSERT_EQ(mcp.HandleAcceptedConnection(T(1000), {Interface::kCustomerFacing, ClientPort(40002), true, 0, first}).kind,
            Verdict::kIntercept);
  EXPECT_EQ(mcp.stats().time_went_backwards, 1u);
  EXPECT_EQ(mcp.NextDeadline(), T(15000));
  mcp.HandleTimeouts(T(14999));
  EXPECT_EQ(mcp.stats().pairs, 2u);
}

TEST(TimeBackwardsRule, HandleLocalConnectRunsAtTheLatestNowAndCounts) {
  Converter client(Client("setup_timeout_ms: 10000"));
  const FourTuple app{Ip("192.168.1.20"), Ip("192.0.2.80"), 0, 443};
  ASSERT_TRUE(client.HandleLocalConnect(T(5000), {app, {}, 0}).ok());
  ASSERT_TRUE(client.HandleLocalConnect(T(1000), {app, {}, 0}).ok());
  EXPECT_EQ(client.stats().time_went_backwards, 1u);
  EXPECT_EQ(client.NextDeadline(), T(15000));
}

// Many calls back in time: each is counted, none moves time.
TEST(TimeBackwardsRule, EveryBackwardsCallIsCounted) {
  Converter mcp(Mcp());
  ASSERT_EQ(mcp.HandleSegment(T(5000), MptcpSyn(ClientPort(40001), Ies({kDstIe})).view()).kind, Verdict::kIntercept);
  for (int i = 0; i < 10; ++i) mcp.HandleTimeouts(T(4000 + i));
  EXPECT_EQ(mcp.stats().time_went_backwards, 10u);
  mcp.HandleTimeouts(T(5000));
  EXPECT_EQ(mcp.stats().time_went_backwards, 10u) << "back at the latest `now`: not backwards";
}

}  // namespace
}  // namespace mcp_core
