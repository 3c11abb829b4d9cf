// SPDX-License-Identifier: Apache-2.0
#include "mptcp_opts/segment_options.h"

#include <variant>
#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/test_util.h"

namespace mptcp_opts {
namespace {

using test::ExactCopy;
using test::Hex;

SegmentOptions Parse(const std::string& hex, CodecConfig config = {}) {
  const auto bytes = Hex(hex);
  ExactCopy copy(bytes);  // a read past the area is an ASan report
  SegmentOptions out;
  EXPECT_EQ(ParseSegmentOptions(copy.span(), config, out), out.walk);
  return out;
}

TEST(SegmentOptionsTest, LinuxSynWithMpCapable) {
  const SegmentOptions o = Parse("020405b4 0402080a 0001e240 00000000 01030307 1e040181");
  EXPECT_EQ(o.walk, WalkStatus::kOk);
  EXPECT_EQ(o.walked, 24);
  EXPECT_EQ(o.present, SegmentOptions::kMss | SegmentOptions::kSackPermitted |
                           SegmentOptions::kTimestamps | SegmentOptions::kWindowScale);
  EXPECT_EQ(o.malformed, 0);
  EXPECT_EQ(o.mss, 1460);
  EXPECT_EQ(o.window_scale, 7);
  EXPECT_EQ(o.tsval, 0x1e240u);
  EXPECT_EQ(o.tsecr, 0u);
  ASSERT_EQ(o.mptcp_count, 1);
  const MptcpOptionEntry& e = o.mptcp[0];
  EXPECT_EQ(e.offset, 20);
  EXPECT_EQ(e.length, 4);
  EXPECT_EQ(e.status, DecodeStatus::kOk);
  const auto* cap = std::get_if<MpCapable>(&e.value);
  ASSERT_NE(cap, nullptr);
  EXPECT_EQ(cap->version, 1);
  EXPECT_EQ(cap->flags, MpCapable::kFlagA | MpCapable::kFlagH);
  EXPECT_FALSE(cap->sender_key.has_value());
}

TEST(SegmentOptionsTest, DataSegmentWithTimestampsAndDss) {
  const SegmentOptions o = Parse(
      "0101080a 0001e240 0001e23f 1e1a200f 8f3a1c2b 4d5e6f70 8f3a1c2b 4d5e1000 00000001 05a0 0101");
  EXPECT_EQ(o.walk, WalkStatus::kOk);
  EXPECT_EQ(o.walked, 40);
  EXPECT_EQ(o.present, SegmentOptions::kTimestamps);
  EXPECT_EQ(o.tsval, 0x1e240u);
  EXPECT_EQ(o.tsecr, 0x1e23fu);
  ASSERT_EQ(o.mptcp_count, 1);
  const auto* dss = std::get_if<Dss>(&o.mptcp[0].value);
  ASSERT_NE(dss, nullptr);
  EXPECT_EQ(dss->data_ack, 0x8f3a1c2b4d5e6f70u);
  ASSERT_TRUE(dss->mapping.has_value());
  EXPECT_EQ(dss->mapping->dsn, 0x8f3a1c2b4d5e1000u);
  EXPECT_EQ(dss->mapping->subflow_seq, 1u);
  EXPECT_EQ(dss->mapping->data_level_length, 0x05a0);
  EXPECT_FALSE(dss->mapping->checksum.has_value());
}

TEST(SegmentOptionsTest, EveryMptcpOptionKeptInOrderWithItsOwnStatus) {
  // MP_PRIO (ok), DSS with a length its flags do not allow, an unknown
  // subtype 0x9 (a value, not an error), a 2-byte MPTCP option (truncated),
  // then MP_PREFER_PROXY at the default subtype 0xE.
  const SegmentOptions o = Parse("1e035001 1e052001 00 1e049000 1e02 1e04e000");
  EXPECT_EQ(o.walk, WalkStatus::kOk);
  ASSERT_EQ(o.mptcp_count, 5);
  const auto entries = o.mptcp_options();
  EXPECT_EQ(entries[0].status, DecodeStatus::kOk);
  EXPECT_TRUE(std::holds_alternative<MpPrio>(entries[0].value));
  EXPECT_EQ(entries[1].offset, 4);
  EXPECT_EQ(entries[1].status, DecodeStatus::kBadLength);
  EXPECT_EQ(entries[2].offset, 9);
  EXPECT_EQ(entries[2].status, DecodeStatus::kOk);
  const auto* unknown = std::get_if<UnknownMptcp>(&entries[2].value);
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->subtype, 0x9);
  EXPECT_EQ(unknown->bytes.size(), 4u);
  EXPECT_EQ(entries[3].status, DecodeStatus::kTruncated);
  EXPECT_EQ(entries[3].length, 2);
  EXPECT_EQ(entries[4].status, DecodeStatus::kOk);
  EXPECT_TRUE(std::holds_alternative<MpPreferProxy>(entries[4].value));
}

TEST(SegmentOptionsTest, BytesOfGivesTheOptionsWireBytes) {
  const auto area = Hex("0101 1e0c0181 0102030405060708");
  SegmentOptions o;
  ASSERT_EQ(ParseSegmentOptions(area, {}, o), WalkStatus::kOk);
  ASSERT_EQ(o.mptcp_count, 1);
  const auto bytes = SegmentOptions::BytesOf(o.mptcp[0], area);
  EXPECT_EQ(bytes.data(), area.data() + 2);
  EXPECT_EQ(bytes.size(), 12u);
}

TEST(SegmentOptionsTest, ConfigVersionDecidesAddAddrAndMpTcprst) {
  // ADD_ADDR v0 (IPVer 4, 8 bytes) is a bad length in v1 (no HMAC, no echo).
  const std::string add_addr_v0 = "1e083401 c0000201";
  EXPECT_EQ(Parse(add_addr_v0, {.version = MptcpVersion::kV0}).mptcp[0].status,
            DecodeStatus::kOk);
  EXPECT_EQ(Parse(add_addr_v0, {.version = MptcpVersion::kV1}).mptcp[0].status,
            DecodeStatus::kBadLength);
  // MP_TCPRST is v1 only; in v0 it is an unknown subtype.
  const SegmentOptions v0 = Parse("1e048002", {.version = MptcpVersion::kV0});
  EXPECT_TRUE(std::holds_alternative<UnknownMptcp>(v0.mptcp[0].value));
  const SegmentOptions v1 = Parse("1e048002");
  EXPECT_TRUE(std::holds_alternative<MpTcprst>(v1.mptcp[0].value));
}

TEST(SegmentOptionsTest, StandardOptionsWithTheWrongLengthAreMalformedNotPresent) {
  // MSS of length 5, window scale of length 4 (after a NOP), SACK-permitted
  // of length 3, timestamps of length 8.
  const SegmentOptions o = Parse("0205ffff00 01 03040700 040300 0808 000000000000");
  EXPECT_EQ(o.walk, WalkStatus::kOk);
  EXPECT_EQ(o.present, 0);
  EXPECT_EQ(o.malformed, SegmentOptions::kMss | SegmentOptions::kWindowScale |
                             SegmentOptions::kSackPermitted | SegmentOptions::kTimestamps);
}

TEST(SegmentOptionsTest, RepeatedOptionLastOneWins) {
  const SegmentOptions o = Parse("02040100 02040200");
  EXPECT_EQ(o.present, SegmentOptions::kMss);
  EXPECT_EQ(o.mss, 0x200);
}

TEST(SegmentOptionsTest, WindowScaleKeptAsSentAndClampedForUse) {
  const SegmentOptions o = Parse("01030320");
  EXPECT_EQ(o.window_scale, 0x20);
  EXPECT_EQ(o.effective_window_scale(), 14);
}

TEST(SegmentOptionsTest, EolStopsTheWalk) {
  const SegmentOptions o = Parse("02040578 00 1e035001");
  EXPECT_EQ(o.walk, WalkStatus::kOk);
  EXPECT_EQ(o.walked, 4);
  EXPECT_EQ(o.mptcp_count, 0);
}

TEST(SegmentOptionsTest, StructuralErrorsKeepWhatCameBefore) {
  SegmentOptions o = Parse("02040578 1e035001 0800");
  EXPECT_EQ(o.walk, WalkStatus::kBadOptionLength);
  EXPECT_EQ(o.walked, 8);
  EXPECT_EQ(o.present, SegmentOptions::kMss);
  EXPECT_EQ(o.mptcp_count, 1);

  o = Parse("02040578 1e0c0181 01020304");  // MP_CAPABLE says 12, 8 bytes left
  EXPECT_EQ(o.walk, WalkStatus::kOptionPastEnd);
  EXPECT_EQ(o.walked, 4);
  EXPECT_EQ(o.mptcp_count, 0);

  o = Parse("010101 1e");  // a Kind with no Length byte
  EXPECT_EQ(o.walk, WalkStatus::kOptionPastEnd);
  EXPECT_EQ(o.walked, 3);
}

TEST(SegmentOptionsTest, AlignedWordsNearTheEndAreCheckedByteByByte) {
  // NOP NOP and a timestamps header with only 8 of its 10 bytes: the aligned
  // shortcut must not read or accept it.
  SegmentOptions o = Parse("0101080a 00000001 0000");
  EXPECT_EQ(o.walk, WalkStatus::kOptionPastEnd);
  EXPECT_EQ(o.walked, 2);
  EXPECT_FALSE(o.has(SegmentOptions::kTimestamps));
  // SACK-permitted then a cut timestamps option: SACK-permitted still counts.
  o = Parse("0402080a 000001");
  EXPECT_EQ(o.walk, WalkStatus::kOptionPastEnd);
  EXPECT_EQ(o.walked, 2);
  EXPECT_EQ(o.present, SegmentOptions::kSackPermitted);
  // NOP then window scale with Length 2 is a malformed window scale; the
  // EOL after it ends the walk.
  o = Parse("01030200");
  EXPECT_EQ(o.walk, WalkStatus::kOk);
  EXPECT_EQ(o.malformed, SegmentOptions::kWindowScale);
  EXPECT_EQ(o.walked, 3);
}

TEST(SegmentOptionsTest, AreaLongerThanFortyBytesIsRefused) {
  std::string nops;
  for (int i = 0; i < 41; ++i) nops += "01";
  const SegmentOptions o = Parse(nops);
  EXPECT_EQ(o.walk, WalkStatus::kAreaTooLong);
  EXPECT_EQ(o.walked, 0);
  EXPECT_EQ(o.present, 0);
  EXPECT_EQ(o.mptcp_count, 0);
}

TEST(SegmentOptionsTest, TwentyMptcpOptionsOfTwoBytesAllFit) {
  std::string hex;
  for (int i = 0; i < 20; ++i) hex += "1e02";
  const SegmentOptions o = Parse(hex);
  EXPECT_EQ(o.walk, WalkStatus::kOk);
  ASSERT_EQ(o.mptcp_count, SegmentOptions::kMaxMptcpOptions);
  for (const auto& e : o.mptcp_options()) EXPECT_EQ(e.status, DecodeStatus::kTruncated);
}

TEST(SegmentOptionsTest, ReusedStructHoldsOnlyTheNewSegment) {
  SegmentOptions o;
  const auto first = Hex("020405b4 0402080a 0001e240 00000000 01030307 1e0c0181 0102030405060708");
  ASSERT_EQ(ParseSegmentOptions(first, {}, o), WalkStatus::kOk);
  const auto second = Hex("1e0c0181 1112131415161718");
  ASSERT_EQ(ParseSegmentOptions(second, {}, o), WalkStatus::kOk);
  EXPECT_EQ(o.present, 0);
  ASSERT_EQ(o.mptcp_count, 1);
  const auto& cap = std::get<MpCapable>(o.mptcp[0].value);
  EXPECT_EQ(cap.sender_key, 0x1112131415161718u);
  EXPECT_FALSE(cap.receiver_key.has_value());
}

}  // namespace
}  // namespace mptcp_opts
