// SPDX-License-Identifier: Apache-2.0
// LegSequence against the sentences it implements: RFC 5961 §3.2 (a RST is
// acted on when exact, challenged when inside the window, dropped outside),
// RFC 9293 §3.10.7.3 (a RST answering a SYN acknowledges it), RFC 7323 §2
// (window scaling only when both SYNs offered it, never on a SYN's own
// window), and the on-path rule that nothing unproven moves a side.
#include "mcp_core/leg_sequence.h"

#include <string>

#include "gtest/gtest.h"

namespace mcp_core {
namespace {

constexpr LegSide kClient = LegSide::kTupleSource;
constexpr LegSide kServer = LegSide::kTupleDestination;

SegmentView Seg(uint8_t flags, uint32_t seq, uint32_t ack = 0, uint16_t window = 0,
                const std::string* payload = nullptr) {
  SegmentView s;
  s.flags = flags;
  s.seq = seq;
  s.ack_seq = ack;
  s.window = window;
  if (payload) s.payload = {reinterpret_cast<const uint8_t*>(payload->data()), payload->size()};
  return s;
}

// A handshake and 100 bytes from the client, acknowledged: the server
// expects the client's octet 1101 next and advertises `server_window`.
struct Established {
  LegSequence s;
  const std::string hundred = std::string(100, 'x');
  Established(uint16_t server_window = 1000, std::optional<uint8_t> client_scale = std::nullopt,
              std::optional<uint8_t> server_scale = std::nullopt) {
    EXPECT_TRUE(s.Learn(kClient, Seg(kTcpSyn, 1000, 0, 64240), client_scale));
    EXPECT_TRUE(s.Learn(kServer, Seg(kTcpSyn | kTcpAck, 5000, 1001, 65535), server_scale));
    EXPECT_TRUE(s.Learn(kClient, Seg(kTcpAck, 1001, 5001, 500, &hundred), std::nullopt));
    EXPECT_TRUE(s.Learn(kServer, Seg(kTcpAck, 5001, 1101, server_window), std::nullopt));
  }
};

TEST(LegSequenceTest, NothingSeenIsUnknown) {
  LegSequence s;
  EXPECT_EQ(s.ClassifyRst(kClient, Seg(kTcpRst, 1234)), SeqClass::kUnknown);
  EXPECT_EQ(s.ClassifyFin(kClient, 1234), SeqClass::kUnknown);
}

// RFC 5961 §3.2 (2): exactly RCV.NXT resets the connection.
TEST(LegSequenceTest, RstAtTheReceiversNextOctetIsExact) {
  Established e;
  EXPECT_EQ(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1101)), SeqClass::kExact);
  EXPECT_EQ(e.s.ClassifyRst(kServer, Seg(kTcpRst | kTcpAck, 5001, 1101)), SeqClass::kExact);
}

// RFC 5961 §3.2 (3): inside the window but not exact: challenge ACK.
TEST(LegSequenceTest, RstInsideTheWindowButNotExactIsInWindow) {
  Established e(/*server_window=*/1000);
  EXPECT_EQ(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1102)), SeqClass::kInWindow);
  EXPECT_EQ(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1101 + 999)), SeqClass::kInWindow);
}

// RFC 5961 §3.2 (1): outside the window (either side of it): dropped.
TEST(LegSequenceTest, RstOutsideTheWindowIsOutOfWindow) {
  Established e(/*server_window=*/1000);
  EXPECT_EQ(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1101 + 1000)), SeqClass::kOutOfWindow);
  EXPECT_EQ(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1100)), SeqClass::kOutOfWindow);
  EXPECT_EQ(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1101 + 0x40000000)), SeqClass::kOutOfWindow);
}

// RFC 7323 §2.2/§2.3: the shift counts when both SYNs carried it.
TEST(LegSequenceTest, WindowScaleCountsOnlyWhenBothSynsOfferedIt) {
  Established both(/*server_window=*/1000, 7, 7);  // 128000 octets
  EXPECT_EQ(both.s.ClassifyRst(kClient, Seg(kTcpRst, 1101 + 100000)), SeqClass::kInWindow);
  Established one(/*server_window=*/1000, 7, std::nullopt);  // 1000 octets
  EXPECT_EQ(one.s.ClassifyRst(kClient, Seg(kTcpRst, 1101 + 100000)), SeqClass::kOutOfWindow);
  // RFC 7323 §2.3: a shift above 14 is used as 14.
  Established big(/*server_window=*/1, 20, 20);  // 16384 octets
  EXPECT_EQ(big.s.ClassifyRst(kClient, Seg(kTcpRst, 1101 + 16383)), SeqClass::kInWindow);
  EXPECT_EQ(big.s.ClassifyRst(kClient, Seg(kTcpRst, 1101 + 16384)), SeqClass::kOutOfWindow);
}

// RFC 9293 §3.10.7.3: in SYN-SENT a RST is acceptable if it acknowledges the SYN.
TEST(LegSequenceTest, RstAnsweringASynMustAcknowledgeIt) {
  LegSequence s;
  const std::string data = "0123456789";  // SYN data (TFO, MP_CONVERT IEs) counts
  ASSERT_TRUE(s.Learn(kClient, Seg(kTcpSyn, 7000, 0, 64240, &data), 7));
  EXPECT_EQ(s.ClassifyRst(kServer, Seg(kTcpRst | kTcpAck, 0, 7011)), SeqClass::kExact);
  EXPECT_NE(s.ClassifyRst(kServer, Seg(kTcpRst | kTcpAck, 0, 7010)), SeqClass::kExact);
  EXPECT_NE(s.ClassifyRst(kServer, Seg(kTcpRst, 0, 7011)), SeqClass::kExact);  // no ACK bit
}

// RFC 5961: a RST is checked, never learned from.
TEST(LegSequenceTest, RstTeachesNothing) {
  Established e;
  EXPECT_FALSE(e.s.Learn(kClient, Seg(kTcpRst | kTcpAck, 1150, 5001, 1000), std::nullopt));
  EXPECT_EQ(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1101)), SeqClass::kExact);
  EXPECT_EQ(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1150)), SeqClass::kInWindow);
}

// A blind attacker cannot move a side: a segment far from the side's
// position is not learned, so a RST placed after it is still outside.
TEST(LegSequenceTest, ForgedSegmentFarFromTheSideMovesNothing) {
  Established e;
  const std::string forged(10, 'f');
  EXPECT_FALSE(e.s.Learn(kClient, Seg(kTcpAck, 1101 + 3000000, 5001, 1000, &forged), std::nullopt));
  EXPECT_EQ(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1101 + 3000010)), SeqClass::kOutOfWindow);
  EXPECT_EQ(e.s.ClassifyFin(kClient, 1101 + 3000010), SeqClass::kOutOfWindow);
}

// An acknowledgment of data the other side never sent teaches nothing.
TEST(LegSequenceTest, AcknowledgmentPastWhatTheOtherSideSentIsIgnored) {
  Established e;
  EXPECT_FALSE(e.s.Learn(kServer, Seg(kTcpAck, 5001, 1101 + 50000, 1000), std::nullopt));
  EXPECT_EQ(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1101)), SeqClass::kExact);
  EXPECT_NE(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1101 + 50000)), SeqClass::kExact);
}

// Acknowledgments never move backwards (a reordered old ACK).
TEST(LegSequenceTest, OldAcknowledgmentDoesNotMoveTheExpectedPointBack) {
  Established e;
  EXPECT_TRUE(e.s.Learn(kServer, Seg(kTcpAck, 5001, 1050, 1000), std::nullopt));
  EXPECT_EQ(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1101)), SeqClass::kExact);
  EXPECT_EQ(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1050)), SeqClass::kOutOfWindow);
}

// The FIN octet sits after the segment's payload (RFC 9293 §3.10.7.4).
TEST(LegSequenceTest, FinInsideTheWindowIsAcceptableOutsideIsNot) {
  Established e(/*server_window=*/1000);
  EXPECT_EQ(e.s.ClassifyFin(kClient, 1101), SeqClass::kExact);
  EXPECT_EQ(e.s.ClassifyFin(kClient, 1101 + 1000), SeqClass::kInWindow);
  EXPECT_EQ(e.s.ClassifyFin(kClient, 1100), SeqClass::kExact);  // retransmitted, already acknowledged
  EXPECT_EQ(e.s.ClassifyFin(kClient, 1101 + 1001), SeqClass::kOutOfWindow);
  EXPECT_EQ(e.s.ClassifyFin(kClient, 1000), SeqClass::kOutOfWindow);
}

// RFC 1982 arithmetic: the window and positions work across 2^32.
TEST(LegSequenceTest, SequenceNumbersWrapAround) {
  LegSequence s;
  const std::string data(32, 'w');
  ASSERT_TRUE(s.Learn(kClient, Seg(kTcpSyn, 0xFFFFFFF0u, 0, 64240), std::nullopt));
  ASSERT_TRUE(s.Learn(kServer, Seg(kTcpSyn | kTcpAck, 77, 0xFFFFFFF1u, 65535), std::nullopt));
  ASSERT_TRUE(s.Learn(kClient, Seg(kTcpAck, 0xFFFFFFF1u, 78, 500, &data), std::nullopt));
  ASSERT_TRUE(s.Learn(kServer, Seg(kTcpAck, 78, 0x11u, 1000), std::nullopt));
  EXPECT_EQ(s.ClassifyRst(kClient, Seg(kTcpRst, 0x11u)), SeqClass::kExact);
  EXPECT_EQ(s.ClassifyRst(kClient, Seg(kTcpRst, 0x12u)), SeqClass::kInWindow);
  EXPECT_EQ(s.ClassifyRst(kClient, Seg(kTcpRst, 0xFFFFFFFFu)), SeqClass::kOutOfWindow);
}

// A segment the core was not fed leaves a gap; what follows it is still near.
TEST(LegSequenceTest, SegmentAfterAGapIsLearned) {
  Established e;
  const std::string more(200, 'm');
  EXPECT_TRUE(e.s.Learn(kClient, Seg(kTcpAck, 1101 + 1400, 5001, 500, &more), std::nullopt));
  EXPECT_EQ(e.s.ClassifyRst(kClient, Seg(kTcpRst, 1101 + 1600)), SeqClass::kExact);  // the client's own next
}

// Before the receiver said anything, the sender's own position is the one
// proven point (a leg whose other side the embedder does not feed).
TEST(LegSequenceTest, OnlyOneDirectionFedUsesTheSendersPosition) {
  LegSequence s;
  const std::string data(10, 'd');
  ASSERT_TRUE(s.Learn(kClient, Seg(kTcpSyn, 300, 0, 64240), std::nullopt));
  ASSERT_TRUE(s.Learn(kClient, Seg(kTcpAck, 301, 9000, 500, &data), std::nullopt));
  EXPECT_EQ(s.ClassifyRst(kClient, Seg(kTcpRst, 311)), SeqClass::kExact);
  EXPECT_EQ(s.ClassifyRst(kClient, Seg(kTcpRst, 312)), SeqClass::kOutOfWindow);  // no window known
  EXPECT_EQ(s.ClassifyFin(kClient, 311), SeqClass::kExact);
}

TEST(LegSequenceTest, ASecondSynWithAnotherSequenceNumberIsNotLearned) {
  LegSequence s;
  ASSERT_TRUE(s.Learn(kClient, Seg(kTcpSyn, 300, 0, 64240), std::nullopt));
  EXPECT_TRUE(s.Learn(kClient, Seg(kTcpSyn, 300, 0, 64240), std::nullopt));  // retransmission
  EXPECT_FALSE(s.Learn(kClient, Seg(kTcpSyn, 9999, 0, 64240), std::nullopt));
  EXPECT_EQ(s.ClassifyFin(kClient, 301), SeqClass::kExact);
}

}  // namespace
}  // namespace mcp_core
