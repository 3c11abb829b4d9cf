// SPDX-License-Identifier: Apache-2.0
// Segment-fed pairs end only on teardown signals that prove themselves
// (issue 12): a packet-level MCP sees traffic from the Internet side, and a
// forged segment must not kill a customer's connection.
//   * RST (RFC 5961 §3.2): exact tears down; inside the window, a challenge
//     ACK (rate limited, §7); outside, or before anything is known, dropped.
//   * FIN and the segment carrying DATA_FIN: only inside the window.
//   * MP_FASTCLOSE (RFC 8684 §3.5): only well formed, with its segment in the
//     window, and carrying the receiver's key when the core saw the keys.
// Every rejected signal is dropped, counted, and changes nothing.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mcp_core/config_loader.h"
#include "mcp_core/converter.h"
#include "mcp_core/test_harness.h"

namespace mcp_core {
namespace {

using namespace test;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

Instant T(int64_t ms) { return Instant::FromNanos(ms * 1000000); }

const FourTuple kClientToMcp{Ip("100.64.1.10"), Ip("203.0.113.1"), 40001, 5555};
const mo::MpConvertIe kDstIe{false, Ip("192.0.2.80"), 443};
constexpr uint64_t kClientKey = 0x1122334455667788;
constexpr uint64_t kMcpKey = 0x99aabbccddeeff00;

std::vector<uint8_t> FastClose(uint64_t receiver_key) {
  return Area({mo::MptcpOption{mo::MpFastclose{receiver_key}}});
}

std::vector<uint8_t> DataFin() {
  mo::Dss dss;
  dss.data_fin = true;
  dss.mapping = mo::DssMapping{500, 0, 1, std::nullopt};
  return Area({mo::MptcpOption{dss}});
}

// A network MCP fed every segment of both legs, in both directions: the
// client's MPTCP leg (upstream) and a plain TCP leg to the server
// (downstream). Both legs are established and have exchanged data:
//   upstream:   the MCP expects the client's octet kClientNext, window 1000
//               (unscaled: the MCP's SYN/ACK carries no window scale);
//   downstream: the MCP expects the server's octet kServerNext, window 1000.
class SegmentFedPair : public ::testing::Test {
 protected:
  static constexpr uint32_t kClientIsn = 1000;
  static constexpr uint32_t kMcpIsn = 50000;
  static constexpr uint32_t kDownIsn = 70000;
  static constexpr uint32_t kServerIsn = 90000;
  uint32_t kClientNext = 0;
  uint32_t kServerNext = 0;

  SegmentFedPair() : mcp_(*LoadConfig(R"pb(role: NETWORK_MCP mcp_addresses: "203.0.113.1"
                                           relay_mp_capable_to_servers: false
                                           idle_lifetime_seconds: 60)pb")) {
    auto syn = MptcpSyn(kClientToMcp, Ies({kDstIe}));
    syn.seq = kClientIsn;
    syn.window = 64240;
    flow_ = mcp_.HandleSegment(T(0), syn.view()).flow;
    kClientNext = kClientIsn + 1 + uint32_t(syn.payload.size());
    const Action open = Drain(mcp_).at(0);
    down_ = open.tuple;
    down_.src_port = 61000;
    LegEvent connected;
    connected.kind = LegEvent::kConnected;
    connected.tuple = down_;
    EXPECT_TRUE(mcp_.HandleLegEvent(T(1), flow_, Leg::kDownstream, connected).ok());
    Drain(mcp_);
    // Upstream: the MCP's SYN/ACK (its key), the client's third ACK (both
    // keys), 100 bytes from the client, acknowledged.
    mo::MpCapable synack;
    synack.sender_key = kMcpKey;
    Expect(Up(kTcpSyn | kTcpAck, kMcpIsn, kClientNext, Area({mo::MptcpOption{synack}}), "", true),
           Verdict::kForward);
    mo::MpCapable third;
    third.sender_key = kClientKey;
    third.receiver_key = kMcpKey;
    Expect(Up(kTcpAck, kClientNext, kMcpIsn + 1, Area({mo::MptcpOption{third}})), Verdict::kForward);
    Expect(Up(kTcpAck, kClientNext, kMcpIsn + 1, {}, std::string(100, 'c')), Verdict::kForward);
    kClientNext += 100;
    Expect(Up(kTcpAck, kMcpIsn + 1, kClientNext, {}, "", true), Verdict::kForward);
    // Downstream: the handshake, 100 bytes from the server, acknowledged.
    Expect(Down(kTcpSyn, kDownIsn, 0, "", true), Verdict::kForward);
    Expect(Down(kTcpSyn | kTcpAck, kServerIsn, kDownIsn + 1), Verdict::kForward);
    Expect(Down(kTcpAck, kServerIsn + 1, kDownIsn + 1, std::string(100, 's')), Verdict::kForward);
    kServerNext = kServerIsn + 101;
    Expect(Down(kTcpAck, kDownIsn + 1, kServerNext, "", true), Verdict::kForward);
    EXPECT_THAT(Drain(mcp_), IsEmpty());
    EXPECT_EQ(mcp_.StateOf(flow_), State::kEstablished);
  }

  // A segment on the upstream leg: from the client, or (reply) to it.
  Verdict Up(uint8_t flags, uint32_t seq, uint32_t ack, std::vector<uint8_t> options = {},
             const std::string& payload = "", bool reply = false) {
    OwnedSegment s;
    s.tuple = reply ? kClientToMcp.Reversed() : kClientToMcp;
    s.flags = flags;
    s.seq = seq;
    s.ack_seq = ack;
    s.window = 1000;
    s.options = std::move(options);
    s.payload.assign(payload.begin(), payload.end());
    return mcp_.HandleSegment(T(now_ms_++), s.view());
  }
  // A segment on the downstream leg: from the server, or (ours) to it.
  Verdict Down(uint8_t flags, uint32_t seq, uint32_t ack, const std::string& payload = "",
               bool ours = false) {
    OwnedSegment s;
    s.interface = Interface::kInternetFacing;
    s.tuple = ours ? down_ : down_.Reversed();
    s.flags = flags;
    s.seq = seq;
    s.ack_seq = ack;
    s.window = 1000;
    s.payload.assign(payload.begin(), payload.end());
    return mcp_.HandleSegment(T(now_ms_++), s.view());
  }
  void Expect(const Verdict& v, Verdict::Kind kind) {
    EXPECT_EQ(v.kind, kind);
    EXPECT_EQ(v.flow, flow_);
  }
  uint64_t Count(EventKind k) const { return mcp_.stats().count(k); }
  std::vector<uint8_t> Reasons(EventKind k) {
    std::vector<uint8_t> out;
    while (auto e = mcp_.PollEvent()) {
      if (e->kind == k) out.push_back(e->reason);
    }
    return out;
  }
  void ExpectUnchanged() {
    EXPECT_EQ(mcp_.StateOf(flow_), State::kEstablished);
    EXPECT_EQ(mcp_.stats().pairs, 1u);
  }

  Converter mcp_;
  FlowId flow_ = 0;
  FourTuple down_;
  int64_t now_ms_ = 10;
};

// ------------------------------------------------------------ RST on a TCP leg

TEST_F(SegmentFedPair, ExactRstFromTheServerTearsDown) {
  Expect(Down(kTcpRst, kServerNext, 0), Verdict::kForward);
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("FASTCLOSE up"));
  EXPECT_EQ(mcp_.StateOf(flow_), State::kClosed);
}

TEST_F(SegmentFedPair, RegressionOutOfWindowRstIsDroppedAndCounted) {
  Expect(Down(kTcpRst, kServerNext + 5000000, 0), Verdict::kDrop);
  Expect(Down(kTcpRst, kServerNext - 1, 0), Verdict::kDrop);  // before the window
  EXPECT_THAT(Drain(mcp_), IsEmpty());
  ExpectUnchanged();
  EXPECT_EQ(Count(EventKind::kRstOutOfWindow), 2u);
  EXPECT_THAT(Reasons(EventKind::kRstOutOfWindow),
              ElementsAre(uint8_t(SeqClass::kOutOfWindow), uint8_t(SeqClass::kOutOfWindow)));
}

TEST_F(SegmentFedPair, RegressionInWindowRstGetsAChallengeAckNotATeardown) {
  Expect(Down(kTcpRst, kServerNext + 10, 0), Verdict::kDrop);
  const auto actions = Drain(mcp_);
  ASSERT_THAT(Describe(actions), ElementsAre("CHALLENGE_ACK down"));
  EXPECT_EQ(actions[0].tuple, down_) << "the ACK goes to the RST's sender";
  ExpectUnchanged();
  EXPECT_EQ(Count(EventKind::kRstChallenged), 1u);
  // The genuine server answers the challenge with the exact RST.
  Expect(Down(kTcpRst, kServerNext, 0), Verdict::kForward);
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("FASTCLOSE up"));
}

// RFC 5961 §7: challenge ACKs are rate limited (challenge_acks_per_second,
// default 1000); past the limit an in-window RST is ignored and counted.
TEST_F(SegmentFedPair, ChallengeAcksAreRateLimitedPerSecond) {
  for (int i = 0; i < 1001; ++i) {
    OwnedSegment s;
    s.tuple = down_.Reversed();
    s.flags = kTcpRst;
    s.seq = kServerNext + 1 + uint32_t(i % 500);
    EXPECT_EQ(mcp_.HandleSegment(T(5000 + i / 2), s.view()).kind, Verdict::kDrop);
  }
  EXPECT_EQ(Drain(mcp_).size(), 1000u);
  EXPECT_EQ(Count(EventKind::kRstChallenged), 1000u);
  EXPECT_EQ(Count(EventKind::kRstInWindowIgnored), 1u);
  OwnedSegment s;
  s.tuple = down_.Reversed();
  s.flags = kTcpRst;
  s.seq = kServerNext + 7;
  EXPECT_EQ(mcp_.HandleSegment(T(6000), s.view()).kind, Verdict::kDrop);  // a new second
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("CHALLENGE_ACK down"));
  ExpectUnchanged();
}

TEST_F(SegmentFedPair, RegressionForgedSegmentsCannotWalkTheWindowToAnExactRst) {
  // A data segment far from the server's position is not learned, so the RST
  // "after" it is still outside the window.
  Expect(Down(kTcpAck, kServerNext + 3000000, kDownIsn + 1, std::string(10, 'f')), Verdict::kForward);
  Expect(Down(kTcpRst, kServerNext + 3000010, 0), Verdict::kDrop);
  ExpectUnchanged();
}

TEST_F(SegmentFedPair, ExactRstFromTheMcpSideTearsDownToo) {
  // Our own stack's RST on the downstream leg, at the server's expected point.
  Expect(Down(kTcpRst, kDownIsn + 1, 0, "", true), Verdict::kForward);
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("FASTCLOSE up"));
}

// ------------------------------------------------------------ FIN on a TCP leg

TEST_F(SegmentFedPair, FinInWindowClosesGracefully) {
  Expect(Down(kTcpFin | kTcpAck, kServerNext, kDownIsn + 1), Verdict::kForward);
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("CLOSE up"));
  EXPECT_EQ(mcp_.StateOf(flow_), State::kDownstreamClosed);
}

TEST_F(SegmentFedPair, RegressionOutOfWindowFinIsDroppedAndCounted) {
  Expect(Down(kTcpFin | kTcpAck, kServerNext + 200000, kDownIsn + 1), Verdict::kDrop);
  EXPECT_THAT(Drain(mcp_), IsEmpty());
  ExpectUnchanged();
  EXPECT_EQ(Count(EventKind::kFinOutOfWindow), 1u);
}

// ------------------------------------------------------------ the MPTCP leg

TEST_F(SegmentFedPair, FastCloseWithTheReceiversKeyTearsDown) {
  Expect(Up(kTcpRst | kTcpAck, kClientNext, 0, FastClose(kMcpKey)), Verdict::kForward);
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("RESET down"));
  EXPECT_EQ(mcp_.StateOf(flow_), State::kClosed);
}

// RFC 8684 §3.5: MP_FASTCLOSE carries the receiver's key. The client's
// MP_FASTCLOSE to the MCP must carry the MCP's key, not its own or another.
TEST_F(SegmentFedPair, RegressionFastCloseWithAnotherKeyIsRejected) {
  Expect(Up(kTcpRst | kTcpAck, kClientNext, 0, FastClose(kClientKey)), Verdict::kDrop);
  Expect(Up(kTcpAck, kClientNext, kMcpIsn + 1, FastClose(kMcpKey ^ 1)), Verdict::kDrop);
  EXPECT_THAT(Drain(mcp_), IsEmpty());
  ExpectUnchanged();
  EXPECT_THAT(Reasons(EventKind::kFastCloseRejected),
              ElementsAre(uint8_t(FastCloseRejection::kKeyMismatch), uint8_t(FastCloseRejection::kKeyMismatch)));
}

// Before: any MPTCP option whose subtype nibble was 7 ended the connection.
TEST_F(SegmentFedPair, RegressionMalformedFastCloseIsRejected) {
  const std::vector<uint8_t> short_fastclose = {30, 8, 0x70, 0, 0x99, 0xaa, 0xbb, 0xcc};
  const std::vector<uint8_t> three_bytes = {30, 3, 0x70, 1};  // length 3, then a NOP
  Expect(Up(kTcpRst | kTcpAck, kClientNext, 0, short_fastclose), Verdict::kDrop);
  Expect(Up(kTcpRst | kTcpAck, kClientNext, 0, three_bytes), Verdict::kDrop);
  ExpectUnchanged();
  EXPECT_THAT(Reasons(EventKind::kFastCloseRejected),
              ElementsAre(uint8_t(FastCloseRejection::kMalformed), uint8_t(FastCloseRejection::kMalformed)));
}

TEST_F(SegmentFedPair, RegressionFastCloseOutOfWindowIsRejectedEvenWithTheKey) {
  Expect(Up(kTcpRst | kTcpAck, kClientNext + 4000000, 0, FastClose(kMcpKey)), Verdict::kDrop);
  ExpectUnchanged();
  EXPECT_THAT(Reasons(EventKind::kFastCloseRejected), ElementsAre(uint8_t(FastCloseRejection::kOutOfWindow)));
}

TEST_F(SegmentFedPair, SubflowRstDoesNotEndTheMptcpLeg) {
  Expect(Up(kTcpRst, kClientNext, 0), Verdict::kForward);
  EXPECT_THAT(Drain(mcp_), IsEmpty());
  ExpectUnchanged();
}

TEST_F(SegmentFedPair, DataFinInWindowClosesGracefully) {
  Expect(Up(kTcpAck, kClientNext, kMcpIsn + 1, DataFin()), Verdict::kForward);
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("CLOSE down"));
  EXPECT_EQ(mcp_.StateOf(flow_), State::kUpstreamClosed);
}

TEST_F(SegmentFedPair, RegressionOutOfWindowDataFinIsDroppedAndCounted) {
  Expect(Up(kTcpAck, kClientNext + 70000, kMcpIsn + 1, DataFin()), Verdict::kDrop);
  EXPECT_THAT(Drain(mcp_), IsEmpty());
  ExpectUnchanged();
  EXPECT_EQ(Count(EventKind::kDataFinOutOfWindow), 1u);
}

// Keys are learned once: a later MP_CAPABLE (even in window) cannot replace
// them and so cannot make a forged MP_FASTCLOSE match.
TEST_F(SegmentFedPair, RegressionKeysCannotBeReplacedByALaterMpCapable) {
  mo::MpCapable forged;
  forged.sender_key = 0x0bad;
  forged.receiver_key = 0x0bad;
  Expect(Up(kTcpAck, kClientNext, kMcpIsn + 1, Area({mo::MptcpOption{forged}})), Verdict::kForward);
  Expect(Up(kTcpRst | kTcpAck, kClientNext, 0, FastClose(0x0bad)), Verdict::kDrop);
  ExpectUnchanged();
}

// Segments from outside the sequence space do not refresh the idle lifetime:
// a blind sender cannot keep a dead pair alive either.
TEST_F(SegmentFedPair, RegressionOutOfWindowSegmentsDoNotKeepThePairAlive) {
  for (int64_t ms = 1000; ms <= 59000; ms += 1000) {
    OwnedSegment s;
    s.tuple = kClientToMcp;
    s.flags = kTcpAck;
    s.seq = kClientNext + 0x40000000;
    EXPECT_EQ(mcp_.HandleSegment(T(ms), s.view()).kind, Verdict::kForward);
  }
  mcp_.HandleTimeouts(T(70000));  // 60 s after the last genuine segment, and more
  EXPECT_EQ(mcp_.StateOf(flow_), State::kClosed);
  EXPECT_EQ(Count(EventKind::kIdleTimeout), 1u);
}

// challenge_acks_per_second: 0 for an embedder whose own stack answers
// RFC 5961: the in-window RST is still not a teardown, and is counted.
TEST(TeardownSignalTest, ChallengeAcksOffIgnoresAndCountsInWindowRsts) {
  Converter mcp(*LoadConfig(R"pb(role: CPE_MCP network_mcps { address: "203.0.113.1" port: 5555 }
                                 challenge_acks_per_second: 0)pb"));
  const FourTuple lan{Ip("192.168.1.20"), Ip("192.0.2.80"), 50000, 443};
  auto syn = TcpSyn(lan);
  syn.seq = 100;
  const Verdict v = mcp.HandleSegment(T(0), syn.view());
  std::vector<uint8_t> echo = Ies({{false, Ip("192.0.2.80"), 443}});
  LegEvent connected;
  connected.kind = LegEvent::kConnected;
  connected.with_mptcp = true;
  connected.syn_ack_payload = echo;
  ASSERT_TRUE(mcp.HandleLegEvent(T(1), v.flow, Leg::kDownstream, connected).ok());
  Drain(mcp);
  OwnedSegment reply;  // the CPE's own ACK to the LAN host: window 1000
  reply.tuple = lan.Reversed();
  reply.flags = kTcpAck;
  reply.seq = 7000;
  reply.ack_seq = 101;
  reply.window = 1000;
  EXPECT_EQ(mcp.HandleSegment(T(2), reply.view()).kind, Verdict::kForward);
  OwnedSegment rst;
  rst.tuple = lan;
  rst.flags = kTcpRst;
  rst.seq = 150;  // inside [101, 1101)
  EXPECT_EQ(mcp.HandleSegment(T(3), rst.view()).kind, Verdict::kDrop);
  EXPECT_THAT(Drain(mcp), IsEmpty());
  EXPECT_EQ(mcp.stats().count(EventKind::kRstInWindowIgnored), 1u);
  EXPECT_EQ(mcp.StateOf(v.flow), State::kEstablished);
}

// ------------------------------------------------------------ nothing known yet

// A pair whose downstream leg the core has seen nothing of: a RST there
// proves nothing and is dropped (the stack's own report, kReset, still works).
TEST(TeardownSignalTest, RegressionRstOnALegWithNothingKnownIsDropped) {
  Converter mcp(*LoadConfig(R"pb(role: NETWORK_MCP mcp_addresses: "203.0.113.1"
                                 relay_mp_capable_to_servers: false)pb"));
  auto syn = MptcpSyn(kClientToMcp, Ies({kDstIe}));
  const Verdict v = mcp.HandleSegment(T(0), syn.view());
  FourTuple down = Drain(mcp).at(0).tuple;
  down.src_port = 61000;
  LegEvent connected;
  connected.kind = LegEvent::kConnected;
  connected.tuple = down;
  ASSERT_TRUE(mcp.HandleLegEvent(T(1), v.flow, Leg::kDownstream, connected).ok());
  Drain(mcp);
  OwnedSegment rst;
  rst.tuple = down.Reversed();
  rst.flags = kTcpRst;
  rst.seq = 12345;
  EXPECT_EQ(mcp.HandleSegment(T(2), rst.view()).kind, Verdict::kDrop);
  EXPECT_EQ(mcp.StateOf(v.flow), State::kEstablished);
  EXPECT_EQ(mcp.stats().count(EventKind::kRstOutOfWindow), 1u);
  LegEvent reset;
  reset.kind = LegEvent::kReset;
  ASSERT_TRUE(mcp.HandleLegEvent(T(3), v.flow, Leg::kDownstream, reset).ok());
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("FASTCLOSE up"));
}

// A CPE: the LAN host's RST must sit at its next octet; a forged one from
// anywhere else does not fast-close the customer's MPTCP connection.
TEST(TeardownSignalTest, RegressionCpeIgnoresAForgedLanRst) {
  Converter cpe(*LoadConfig(R"pb(role: CPE_MCP network_mcps { address: "203.0.113.1" port: 5555 })pb"));
  const FourTuple lan{Ip("192.168.1.20"), Ip("192.0.2.80"), 50000, 443};
  auto syn = TcpSyn(lan);  // no data: before discovery a CPE passes TFO SYNs through
  syn.seq = 777;
  const Verdict v = cpe.HandleSegment(T(0), syn.view());
  std::vector<uint8_t> echo = Ies({{false, Ip("192.0.2.80"), 443}});
  LegEvent connected;
  connected.kind = LegEvent::kConnected;
  connected.with_mptcp = true;
  connected.syn_ack_payload = echo;
  ASSERT_TRUE(cpe.HandleLegEvent(T(1), v.flow, Leg::kDownstream, connected).ok());
  Drain(cpe);
  OwnedSegment rst;
  rst.tuple = lan;
  rst.flags = kTcpRst;
  rst.seq = 777 + 1 + 1;  // one past the host's next octet (no window known: outside)
  EXPECT_EQ(cpe.HandleSegment(T(2), rst.view()).kind, Verdict::kDrop);
  EXPECT_EQ(cpe.StateOf(v.flow), State::kEstablished);
  rst.seq = 777 + 1;
  EXPECT_EQ(cpe.HandleSegment(T(3), rst.view()).kind, Verdict::kForward);
  EXPECT_THAT(Describe(Drain(cpe)), ElementsAre("FASTCLOSE down"));
}

// The server refusing the downstream SYN: its RST/ACK acknowledges our SYN
// (RFC 9293 §3.10.7.3), which the box saw go out.
TEST(TeardownSignalTest, RstAnsweringOurSynMustAcknowledgeIt) {
  Converter mcp(*LoadConfig(R"pb(role: NETWORK_MCP mcp_addresses: "203.0.113.1"
                                 relay_mp_capable_to_servers: false)pb"));
  const Verdict v = mcp.HandleSegment(T(0), MptcpSyn(kClientToMcp, Ies({kDstIe, {true, Ip("100.64.1.10"), 40001}})).view());
  const Action open = Drain(mcp).at(0);
  ASSERT_EQ(open.tuple.src_port, 40001) << "the source IE names the port: the leg is indexed at once";
  OwnedSegment our_syn;
  our_syn.tuple = open.tuple;
  our_syn.flags = kTcpSyn;
  our_syn.seq = 3000;
  EXPECT_EQ(mcp.HandleSegment(T(1), our_syn.view()).kind, Verdict::kForward);
  OwnedSegment refusal;
  refusal.tuple = open.tuple.Reversed();
  refusal.flags = kTcpRst | kTcpAck;
  refusal.ack_seq = 2999;  // not our SYN
  EXPECT_EQ(mcp.HandleSegment(T(2), refusal.view()).kind, Verdict::kDrop);
  EXPECT_EQ(mcp.StateOf(v.flow), State::kAwaitingServer);
  refusal.ack_seq = 3001;
  EXPECT_EQ(mcp.HandleSegment(T(3), refusal.view()).kind, Verdict::kForward);
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("RESET up"));
  EXPECT_EQ(mcp.StateOf(v.flow), State::kClosed);
}

}  // namespace
}  // namespace mcp_core
