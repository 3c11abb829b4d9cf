// SPDX-License-Identifier: Apache-2.0
// Issue 14, rule 3: subflow accounting at a network MCP fed segments (seed
// 002 §7.2: "limit the number of allowed subflows per CPE for a given
// connection"; §5.3: authorization). The limit counts simultaneous subflows
// (the initial one plus open joins); LegEvent::kSubflowClosed frees a place.
//
// How a connection gets its token: the MP_JOIN SYNs name the MCP's own token
// of the client's MPTCP connection (RFC 8684 §3.2). The embedder's stack knows
// it and reports it with LegEvent kConnected on the pair's downstream leg
// (`local_token`, converter.h: "the local MPTCP token (for subflow limits)"),
// which is when the MCP answers the client; from then on MP_JOIN SYNs
// carrying that token belong to the pair.
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
const mo::MpConvertIe kDstIe{false, Ip("192.0.2.80"), 443};
constexpr uint32_t kToken = 0xabcd1234;

// A subflow's 4-tuple as it arrives at the MCP: LTE addresses 100.65/16,
// WLAN 100.66/16, one source port per subflow.
FourTuple Lte(uint16_t port) { return {Ip("100.65.7.20"), Ip("203.0.113.1"), port, 5555}; }
FourTuple Wlan(uint16_t port) { return {Ip("100.66.8.30"), Ip("203.0.113.1"), port, 5555}; }

// One established MPTCP connection (the initial subflow kClientToMcp) whose
// token is kToken.
class Connection {
 public:
  explicit Connection(uint32_t limit, const std::string& extra = "") : mcp_(MakeConfig(limit, extra)) {
    auto syn = MptcpSyn(kClientToMcp, Ies({kDstIe}));
    syn.seq = 1000;
    const Verdict v = mcp_.HandleSegment(T(0), syn.view());
    EXPECT_EQ(v.kind, Verdict::kIntercept);
    flow_ = v.flow;
    LegEvent up = Connected(false);
    up.local_token = kToken;
    EXPECT_TRUE(mcp_.HandleLegEvent(T(1), flow_, Leg::kDownstream, up).ok());
    EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("OPEN down tcp 192.0.2.80:443", "ANSWER_SYN up"));
    EXPECT_EQ(mcp_.StateOf(flow_), State::kEstablished);
    DrainAll(mcp_);
  }
  Verdict Join(const FourTuple& t, Interface iface = Interface::kCustomerFacing) {
    return mcp_.HandleSegment(T(now_++), JoinSyn(t, kToken, 2, iface).view());
  }
  absl::Status Close(const FourTuple& t) { return mcp_.HandleLegEvent(T(now_++), flow_, Leg::kUpstream, SubflowClosed(t)); }
  uint64_t Refused() const { return mcp_.stats().count(EventKind::kRefusedSubflowLimit); }

  Converter mcp_;
  FlowId flow_ = 0;

 private:
  static Config MakeConfig(uint32_t limit, const std::string& extra) {
    return NetworkMcp("relay_mp_capable_to_servers: false max_subflows_per_connection: " + std::to_string(limit) +
                      " " + extra);
  }
  int64_t now_ = 10;
};

void ExpectAdmitted(const Verdict& v, FlowId flow, const std::string& what) {
  EXPECT_EQ(v.kind, Verdict::kPassThrough) << what;
  EXPECT_EQ(v.flow, flow) << what << ": the join's connection";
}

// "limit max_subflows_per_connection counts simultaneous subflows: initial subflow + open joins.
// Joins beyond the limit -> Verdict kReset + REFUSED_SUBFLOW_LIMIT. A join admitted: Verdict
// kPassThrough with flow set."
TEST(SubflowAccountingRule, InitialSubflowAndOpenJoinsCountTowardsTheLimit) {
  Connection c(3);
  ExpectAdmitted(c.Join(Lte(41000)), c.flow_, "join 1 (subflow 2 of 3)");
  ExpectAdmitted(c.Join(Wlan(42000)), c.flow_, "join 2 (subflow 3 of 3)");
  const Verdict v = c.Join(Lte(41001));
  EXPECT_EQ(v.kind, Verdict::kReset) << "subflow 4 of 3";
  EXPECT_EQ(c.Refused(), 1u);
  const auto events = DrainAll(c.mcp_);
  EXPECT_THAT(Kinds(events), ElementsAre(EventKind::kRefusedSubflowLimit));
  EXPECT_THAT(Describe(Drain(c.mcp_)), ElementsAre()) << "a join is the embedder's stack's business";
  EXPECT_EQ(c.mcp_.StateOf(c.flow_), State::kEstablished) << "the connection itself lives on";
}

// "LegEvent{kSubflowClosed, tuple = the subflow's 4-tuple as it arrives} on Leg::kUpstream frees its place"
TEST(SubflowAccountingRule, ClosedJoinFreesItsPlace) {
  Connection c(3);
  ExpectAdmitted(c.Join(Lte(41000)), c.flow_, "join 1");
  ExpectAdmitted(c.Join(Wlan(42000)), c.flow_, "join 2");
  EXPECT_EQ(c.Join(Lte(41001)).kind, Verdict::kReset) << "full";
  ASSERT_TRUE(c.Close(Lte(41000)).ok());
  EXPECT_EQ(c.mcp_.StateOf(c.flow_), State::kEstablished);
  EXPECT_THAT(Describe(Drain(c.mcp_)), ElementsAre()) << "closing one subflow closes nothing else";
  ExpectAdmitted(c.Join(Lte(41002)), c.flow_, "join after a close");
  EXPECT_EQ(c.Join(Lte(41003)).kind, Verdict::kReset) << "full again";
  EXPECT_EQ(c.Refused(), 2u);
}

// "(for the initial subflow: tuple = the pair's upstream tuple)" frees its place too; the MPTCP
// connection lives on over its other subflows.
TEST(SubflowAccountingRule, ClosedInitialSubflowFreesItsPlace) {
  Connection c(2);
  ExpectAdmitted(c.Join(Lte(41000)), c.flow_, "join 1");
  EXPECT_EQ(c.Join(Wlan(42000)).kind, Verdict::kReset) << "full";
  ASSERT_TRUE(c.Close(kClientToMcp).ok());
  EXPECT_EQ(c.mcp_.StateOf(c.flow_), State::kEstablished);
  EXPECT_THAT(Describe(Drain(c.mcp_)), ElementsAre());
  ExpectAdmitted(c.Join(Wlan(42001)), c.flow_, "join in the initial subflow's place");
  EXPECT_EQ(c.Join(Wlan(42002)).kind, Verdict::kReset);
}

// "Unknown tuple -> FailedPrecondition, nothing changes."
TEST(SubflowAccountingRule, UnknownSubflowTupleIsFailedPreconditionAndFreesNothing) {
  Connection c(2);
  ExpectAdmitted(c.Join(Lte(41000)), c.flow_, "join 1");
  EXPECT_EQ(c.Close(Lte(49999)).code(), absl::StatusCode::kFailedPrecondition) << "never joined";
  EXPECT_EQ(c.Close(Wlan(41000)).code(), absl::StatusCode::kFailedPrecondition) << "same port, other address";
  EXPECT_EQ(c.Join(Wlan(42000)).kind, Verdict::kReset) << "nothing was freed";
  EXPECT_EQ(c.Close(Wlan(42000)).code(), absl::StatusCode::kFailedPrecondition) << "a refused join holds no place";
  EXPECT_EQ(c.mcp_.StateOf(c.flow_), State::kEstablished);
  EXPECT_THAT(Describe(Drain(c.mcp_)), ElementsAre());
  // A subflow closed twice frees one place.
  ASSERT_TRUE(c.Close(Lte(41000)).ok());
  EXPECT_EQ(c.Close(Lte(41000)).code(), absl::StatusCode::kFailedPrecondition) << "already closed";
  ExpectAdmitted(c.Join(Lte(41001)), c.flow_, "the one freed place");
  EXPECT_EQ(c.Join(Lte(41002)).kind, Verdict::kReset) << "only one place was freed";
}

// "An LTE/WLAN handover (join, close, join, close, ... 20 times with limit 8) is never refused."
// And the limit still holds after it: a 9th simultaneous subflow is refused.
TEST(SubflowAccountingRule, HandoverOfTwentyJoinCloseCyclesIsNeverRefused) {
  Connection c(8);
  for (uint16_t i = 0; i < 20; ++i) {
    const FourTuple t = i % 2 ? Wlan(uint16_t(42000 + i)) : Lte(uint16_t(41000 + i));
    ExpectAdmitted(c.Join(t), c.flow_, "handover join " + std::to_string(i));
    ASSERT_TRUE(c.Close(t).ok()) << "handover close " << i;
  }
  EXPECT_EQ(c.Refused(), 0u);
  for (uint16_t i = 0; i < 7; ++i) {
    ExpectAdmitted(c.Join(Lte(uint16_t(43000 + i))), c.flow_, "subflow " + std::to_string(i + 2) + " of 8");
  }
  EXPECT_EQ(c.Join(Wlan(44000)).kind, Verdict::kReset) << "the 9th simultaneous subflow";
  EXPECT_EQ(c.Refused(), 1u);
}

// "A retransmitted MP_JOIN SYN (same 4-tuple) counts once (verdict kPassThrough again)."
TEST(SubflowAccountingRule, RetransmittedJoinSynCountsOnce) {
  Connection c(3);
  for (int i = 0; i < 5; ++i) ExpectAdmitted(c.Join(Lte(41000)), c.flow_, "join 1, copy " + std::to_string(i));
  ExpectAdmitted(c.Join(Wlan(42000)), c.flow_, "join 2 (subflow 3 of 3)");
  ExpectAdmitted(c.Join(Lte(41000)), c.flow_, "join 1 again, while full: still the same subflow");
  EXPECT_EQ(c.Join(Lte(41001)).kind, Verdict::kReset) << "subflow 4 of 3";
  EXPECT_EQ(c.Refused(), 1u);
}

// "The counter cannot wrap: max_subflows_per_connection is validated 1..65535 in config." A limit
// above 255 holds exactly: 299 joins and the initial subflow fill 300 places.
TEST(SubflowAccountingRule, LimitAbove255HoldsWithoutWrapping) {
  Connection c(300);
  for (uint16_t i = 0; i < 299; ++i) {
    const Verdict v = c.Join(Lte(uint16_t(10000 + i)));
    ASSERT_EQ(v.kind, Verdict::kPassThrough) << "join " << i;
  }
  EXPECT_EQ(c.Join(Lte(20000)).kind, Verdict::kReset) << "subflow 301 of 300";
  EXPECT_EQ(c.Join(Lte(20001)).kind, Verdict::kReset);
  EXPECT_EQ(c.Refused(), 2u);
  ASSERT_TRUE(c.Close(Lte(10000)).ok());
  EXPECT_EQ(c.Join(Lte(20002)).kind, Verdict::kPassThrough) << "one place freed";
}

// "MP_JOIN SYNs pass acl_source_prefixes: refused -> Verdict kReset, REFUSED_ACL (flow set)."
// Seed 002 §5.3: the same ACL as the initial SYN.
TEST(SubflowAccountingRule, JoinFromOutsideTheAclIsRefused) {
  Connection c(3, "acl_source_prefixes: \"100.64.0.0/10\"");
  const FourTuple outsider{Ip("198.18.0.7"), Ip("203.0.113.1"), 41000, 5555};
  const Verdict v = c.Join(outsider);
  EXPECT_EQ(v.kind, Verdict::kReset);
  const auto events = DrainAll(c.mcp_);
  ASSERT_THAT(Kinds(events), ElementsAre(EventKind::kRefusedAcl));
  EXPECT_EQ(events[0].flow, c.flow_) << "the connection the join asked for";
  EXPECT_EQ(c.mcp_.stats().count(EventKind::kRefusedAcl), 1u);
  EXPECT_EQ(c.Refused(), 0u);
  // A refused join holds no place: two joins from inside still fit.
  ExpectAdmitted(c.Join(Lte(41001)), c.flow_, "inside the ACL");
  ExpectAdmitted(c.Join(Wlan(42001)), c.flow_, "inside the ACL");
  EXPECT_EQ(c.mcp_.StateOf(c.flow_), State::kEstablished);
}

// "MP_JOIN on an Internet-facing interface: refused as before (REFUSED_INTERNET_FACING)." (§5.3)
TEST(SubflowAccountingRule, JoinOnAnInternetFacingInterfaceIsRefused) {
  Connection c(3);
  const Verdict v = c.Join({Ip("198.18.0.7"), Ip("203.0.113.1"), 42000, 5555}, Interface::kInternetFacing);
  EXPECT_EQ(v.kind, Verdict::kReset);
  EXPECT_EQ(c.mcp_.stats().count(EventKind::kRefusedInternetFacing), 1u);
  EXPECT_THAT(Kinds(DrainAll(c.mcp_)), ElementsAre(EventKind::kRefusedInternetFacing));
  ExpectAdmitted(c.Join(Lte(41001)), c.flow_, "customer side");
  ExpectAdmitted(c.Join(Wlan(42001)), c.flow_, "customer side: the refused join held no place");
}

}  // namespace
}  // namespace mcp_core
