// SPDX-License-Identifier: Apache-2.0
// Issue 14, rules 6 and 7: everything bounded (the event queue, one pair per
// 4-tuple) and every counter consistent (a refusal moves the same counters
// whichever way the embedder reports it; MP_PREFER_PROXY without MP_CAPABLE
// is counted in every role, decisions.md D10). `now` going backwards is in
// time_backwards_test.cc.
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

// ------------------------------------------------------------ 6. bounded

// "events queue holds at most max_queued_events; beyond, the event is counted in
// stats().events[kind] as always, but not queued, and stats().events_dropped increments."
// A flood of 1000 SYNs the ACL refuses, from an embedder that drains only actions.
TEST(BoundedRule, EventQueueHoldsAtMostMaxQueuedEvents) {
  Config c = NetworkMcp("acl_source_prefixes: \"100.64.0.0/10\"");
  c.max_queued_events = 16;
  Converter mcp(c);
  for (int i = 0; i < 1000; ++i) {
    const FourTuple t{mo::IpAddress::V4(198, 18, uint8_t(i >> 8), uint8_t(i)), Ip("203.0.113.1"),
                      uint16_t(10000 + i), 5555};
    ASSERT_EQ(mcp.HandleSegment(T(i), MptcpSyn(t, Ies({kDstIe})).view()).kind, Verdict::kReset) << i;
    ASSERT_THAT(Describe(Drain(mcp)), ElementsAre());
  }
  EXPECT_EQ(mcp.stats().count(EventKind::kRefusedAcl), 1000u) << "counted as always";
  EXPECT_EQ(mcp.stats().events_dropped, 1000u - 16u);
  const auto queued = DrainAll(mcp);
  EXPECT_EQ(queued.size(), 16u);
  EXPECT_EQ(CountOf(queued, EventKind::kRefusedAcl), queued.size());
  // Once polled, there is room again.
  const FourTuple t{Ip("198.18.99.1"), Ip("203.0.113.1"), 9999, 5555};
  EXPECT_EQ(mcp.HandleSegment(T(2000), MptcpSyn(t, Ies({kDstIe})).view()).kind, Verdict::kReset);
  EXPECT_THAT(Kinds(DrainAll(mcp)), ElementsAre(EventKind::kRefusedAcl));
  EXPECT_EQ(mcp.stats().events_dropped, 984u) << "nothing dropped with room in the queue";
  EXPECT_EQ(mcp.stats().count(EventKind::kRefusedAcl), 1001u);
}

// The same sentence with the default bound (65536): a flood of 1000 refusals is all queued.
TEST(BoundedRule, DefaultEventQueueHoldsAFloodOfAThousand) {
  Converter mcp(NetworkMcp("acl_source_prefixes: \"100.64.0.0/10\""));
  EXPECT_EQ(mcp.config().max_queued_events, 65536u);
  for (int i = 0; i < 1000; ++i) {
    const FourTuple t{mo::IpAddress::V4(198, 18, uint8_t(i >> 8), uint8_t(i)), Ip("203.0.113.1"),
                      uint16_t(10000 + i), 5555};
    (void)mcp.HandleSegment(T(i), MptcpSyn(t, Ies({kDstIe})).view());
  }
  EXPECT_EQ(mcp.stats().events_dropped, 0u);
  EXPECT_EQ(DrainAll(mcp).size(), 1000u);
}

// "Same 4-tuple accepted twice (HandleAcceptedConnection, network MCP or CPE): second call returns
// Verdict{kDrop, flow = the live pair}, event DUPLICATE_TUPLE, no second pair (stats().pairs same)."
// Network MCP.
TEST(BoundedRule, SameTupleAcceptedTwiceAtANetworkMcpMakesOnePair) {
  Converter mcp(NetworkMcp("relay_mp_capable_to_servers: false"));
  const std::vector<uint8_t> first = Ies({kDstIe}, "GET /");
  const AcceptedConnection conn{Interface::kCustomerFacing, kClientToMcp, true, 0, first};
  const Verdict v = mcp.HandleAcceptedConnection(T(0), conn);
  ASSERT_EQ(v.kind, Verdict::kIntercept);
  ASSERT_THAT(Describe(Drain(mcp)), ElementsAre("OPEN down tcp 192.0.2.80:443"));
  DrainAll(mcp);
  const Stats before = mcp.stats();

  const Verdict again = mcp.HandleAcceptedConnection(T(1), conn);
  EXPECT_EQ(again.kind, Verdict::kDrop);
  EXPECT_EQ(again.flow, v.flow);
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre()) << "no second leg";
  const auto events = DrainAll(mcp);
  ASSERT_THAT(Kinds(events), ElementsAre(EventKind::kDuplicateTuple));
  EXPECT_EQ(events[0].flow, v.flow);
  EXPECT_EQ(mcp.stats().pairs, before.pairs);
  EXPECT_EQ(mcp.stats().pairs_created, before.pairs_created);
  EXPECT_EQ(mcp.stats().half_open, before.half_open);
  EXPECT_EQ(mcp.StateOf(v.flow), State::kAwaitingServer) << "the live pair is untouched";

  // Once that pair is gone, the 4-tuple is free again ("the live pair").
  ASSERT_TRUE(mcp.HandleLegEvent(T(2), v.flow, Leg::kDownstream, Ev(LegEvent::kRefused)).ok());
  Drain(mcp);
  ASSERT_EQ(mcp.StateOf(v.flow), State::kClosed);
  EXPECT_EQ(mcp.HandleAcceptedConnection(T(3), conn).kind, Verdict::kIntercept);
  EXPECT_EQ(mcp.stats().count(EventKind::kDuplicateTuple), 1u);
}

// The same sentence at a CPE (a transparently accepted LAN connection).
TEST(BoundedRule, SameTupleAcceptedTwiceAtACpeMakesOnePair) {
  Converter cpe(Cpe());
  const AcceptedConnection conn{Interface::kCustomerFacing, kLanToServer, false, 0, {}};
  const Verdict v = cpe.HandleAcceptedConnection(T(0), conn);
  ASSERT_EQ(v.kind, Verdict::kIntercept);
  ASSERT_THAT(Describe(Drain(cpe)), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
  DrainAll(cpe);
  const Verdict again = cpe.HandleAcceptedConnection(T(1), conn);
  EXPECT_EQ(again.kind, Verdict::kDrop);
  EXPECT_EQ(again.flow, v.flow);
  EXPECT_THAT(Describe(Drain(cpe)), ElementsAre());
  const auto events = DrainAll(cpe);
  ASSERT_THAT(Kinds(events), ElementsAre(EventKind::kDuplicateTuple));
  EXPECT_EQ(events[0].flow, v.flow);
  EXPECT_EQ(cpe.stats().pairs, 1u);
  EXPECT_EQ(cpe.stats().pairs_created, 1u);
  // Another LAN port is another connection.
  FourTuple other = kLanToServer;
  other.src_port = 50001;
  EXPECT_EQ(cpe.HandleAcceptedConnection(T(2), {Interface::kCustomerFacing, other, false, 0, {}}).kind,
            Verdict::kIntercept);
  EXPECT_EQ(cpe.stats().pairs, 2u);
}

// ------------------------------------------------------------ 7. counters

// The server's RST answering our downstream SYN, as a segment-fed box sees it.
void RefuseBySegment(Converter& mcp, const Action& open) {
  OwnedSegment our_syn;
  our_syn.interface = Interface::kInternetFacing;
  our_syn.tuple = open.tuple;
  our_syn.flags = kTcpSyn;
  our_syn.seq = 3000;
  EXPECT_EQ(mcp.HandleSegment(T(1), our_syn.view()).kind, Verdict::kForward);
  OwnedSegment refusal;
  refusal.interface = Interface::kInternetFacing;
  refusal.tuple = open.tuple.Reversed();
  refusal.flags = kTcpRst | kTcpAck;
  refusal.ack_seq = 3001;  // acknowledges our SYN (RFC 9293 §3.10.7.3)
  const Verdict v = mcp.HandleSegment(T(2), refusal.view());
  EXPECT_EQ(v.kind, Verdict::kForward);
  EXPECT_EQ(v.leg, Leg::kDownstream);
}

// "A downstream refusal during setup reported as a segment (a RST from the server answering our
// SYN, Verdict flows through HandleSegment on the downstream tuple) and as LegEvent kRefused move
// the same counters: SETUP_FAILED and PAIR_CLOSED each +1, in both styles."
TEST(CounterRule, DownstreamRefusalMovesTheSameCountersAsASegmentAndAsALegEvent) {
  // The source IE names the port, so the downstream leg is known by its 4-tuple at once.
  const auto syn = MptcpSyn(kClientToMcp, Ies({kDstIe, {true, Ip("100.64.1.10"), 40001}}));
  Converter by_segment(NetworkMcp("relay_mp_capable_to_servers: false"));
  Converter by_event(NetworkMcp("relay_mp_capable_to_servers: false"));
  const Verdict vs = by_segment.HandleSegment(T(0), syn.view());
  const Verdict ve = by_event.HandleSegment(T(0), syn.view());
  const auto open = Drain(by_segment);
  ASSERT_THAT(Describe(open), ElementsAre("OPEN down tcp 192.0.2.80:443"));
  Drain(by_event);

  RefuseBySegment(by_segment, open[0]);
  ASSERT_TRUE(by_event.HandleLegEvent(T(2), ve.flow, Leg::kDownstream, Ev(LegEvent::kRefused)).ok());

  EXPECT_THAT(Describe(Drain(by_segment)), ElementsAre("RESET up"));
  EXPECT_THAT(Describe(Drain(by_event)), ElementsAre("RESET up"));
  EXPECT_EQ(by_segment.StateOf(vs.flow), State::kClosed);
  EXPECT_EQ(by_event.StateOf(ve.flow), State::kClosed);
  for (Converter* c : {&by_segment, &by_event}) {
    const char* style = c == &by_segment ? "segment" : "leg event";
    EXPECT_EQ(c->stats().count(EventKind::kSetupFailed), 1u) << style;
    EXPECT_EQ(c->stats().count(EventKind::kPairClosed), 1u) << style;
    EXPECT_EQ(c->stats().pairs_closed, 1u) << style;
    EXPECT_EQ(c->stats().pairs, 0u) << style;
    EXPECT_EQ(c->stats().half_open, 0u) << style;
  }
  for (int k = 0; k < kNumEventKinds; ++k) {
    EXPECT_EQ(by_segment.stats().events[k], by_event.stats().events[k]) << Name(EventKind(k));
  }
  EXPECT_EQ(Kinds(DrainAll(by_segment)), Kinds(DrainAll(by_event)));
}

OwnedSegment PreferProxyOnlySyn(const FourTuple& t) {
  OwnedSegment s = TcpSyn(t);
  s.options = Area({mo::Mss{1460}, mo::SackPermitted{}, mo::Timestamps{1, 0}, mo::WindowScale{7},
                    mo::MptcpOption{mo::MpPreferProxy{}}});
  return s;
}

// "MP_PREFER_PROXY without MP_CAPABLE: PREFER_PROXY_IGNORED counted in every role (network MCP: a SYN
// to the MCP address with PREFER_PROXY only ...)". D10: "Ignored and counted ...; never an error
// that tears anything down": the SYN is what it would be without the option, plain TCP to the MCP.
TEST(CounterRule, PreferProxyWithoutMpCapableIsCountedAtANetworkMcp) {
  Converter mcp(NetworkMcp());
  const Verdict v = mcp.HandleSegment(T(0), PreferProxyOnlySyn(kClientToMcp).view());
  EXPECT_EQ(v.kind, Verdict::kPassThrough);
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre());
  EXPECT_EQ(mcp.stats().count(EventKind::kPreferProxyIgnored), 1u);
  EXPECT_THAT(Kinds(DrainAll(mcp)), ElementsAre(EventKind::kPreferProxyIgnored));
  EXPECT_EQ(mcp.stats().pairs_created, 0u);
}

// The same sentence, "CPE: as today": a LAN SYN with PREFER_PROXY only is counted and then proxied
// like any plain TCP SYN.
TEST(CounterRule, PreferProxyWithoutMpCapableIsCountedAtACpe) {
  Converter cpe(Cpe());
  const Verdict v = cpe.HandleSegment(T(0), PreferProxyOnlySyn(kLanToServer).view());
  EXPECT_EQ(v.kind, Verdict::kIntercept);
  EXPECT_THAT(Describe(Drain(cpe)), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
  EXPECT_EQ(cpe.stats().count(EventKind::kPreferProxyIgnored), 1u);
  EXPECT_EQ(CountOf(DrainAll(cpe), EventKind::kPreferProxyIgnored), 1u);
}

}  // namespace
}  // namespace mcp_core
