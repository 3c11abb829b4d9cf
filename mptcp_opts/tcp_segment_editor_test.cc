// SPDX-License-Identifier: Apache-2.0
#include "mptcp_opts/tcp_segment_editor.h"

#include <array>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/option_area_builder.h"
#include "mptcp_opts/tcp_checksum.h"
#include "mptcp_opts/test_util.h"

namespace mptcp_opts {
namespace {

using test::Hex;
using test::ToHex;

const IpAddress kSrc = IpAddress::V4(10, 0, 0, 1);
const IpAddress kDst = IpAddress::V4(198, 51, 100, 10);

// A SYN with the given option area and payload, correct checksum, and
// `spare` bytes of room after it.
std::vector<uint8_t> MakeSegment(const std::vector<uint8_t>& area,
                                 const std::vector<uint8_t>& payload, const IpAddress& src,
                                 const IpAddress& dst, size_t spare = 40) {
  std::vector<uint8_t> seg(20 + area.size() + payload.size() + spare, 0xee);
  const uint8_t header[20] = {0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0,
                              uint8_t(((20 + area.size()) / 4) << 4), 0x02, 0xfa, 0xf0,
                              0, 0, 0, 0};
  std::copy(header, header + 20, seg.begin());
  std::copy(area.begin(), area.end(), seg.begin() + 20);
  std::copy(payload.begin(), payload.end(), seg.begin() + 20 + area.size());
  const size_t len = 20 + area.size() + payload.size();
  const uint16_t c = TcpChecksum(src, dst, std::span<const uint8_t>(seg.data(), len));
  seg[16] = uint8_t(c >> 8);
  seg[17] = uint8_t(c);
  return seg;
}

void ExpectChecksumValid(const std::vector<uint8_t>& seg, size_t len,
                         const IpAddress& src = kSrc, const IpAddress& dst = kDst) {
  EXPECT_EQ(TcpChecksum(src, dst, std::span<const uint8_t>(seg.data(), len)), 0)
      << "incremental checksum differs from a full recomputation";
}

const std::vector<uint8_t> kSynArea = Hex("020405b4 0402080a 00000001 00000000 01030307 1e040181");
const std::vector<uint8_t> kPayload = Hex("deadbeef 0102 03");  // odd length on purpose

TEST(TcpSegmentEditorTest, InsertPreferProxyGrowsHeaderAndMovesPayload) {
  auto seg = MakeSegment(kSynArea, kPayload, kSrc, kDst);
  TcpSegmentEditor ed(seg, 20 + kSynArea.size() + kPayload.size());
  ASSERT_EQ(ed.status(), EditStatus::kOk);
  ASSERT_EQ(ed.InsertMptcp(MpPreferProxy{}), EditStatus::kOk);
  EXPECT_EQ(ed.header_length(), 20u + 28);
  EXPECT_EQ(ToHex(ed.area()), ToHex(kSynArea) + "1e04e000");
  EXPECT_EQ(std::vector<uint8_t>(seg.begin() + 48, seg.begin() + 48 + kPayload.size()), kPayload);
  ExpectChecksumValid(seg, ed.segment_length());
}

TEST(TcpSegmentEditorTest, RemoveMpCapableShrinksHeader) {
  auto seg = MakeSegment(kSynArea, kPayload, kSrc, kDst);
  TcpSegmentEditor ed(seg, 20 + kSynArea.size() + kPayload.size());
  ASSERT_EQ(ed.RemoveMptcpSubtype(uint8_t(Subtype::kMpCapable)), EditStatus::kOk);
  EXPECT_EQ(ToHex(ed.area()), "020405b40402080a000000010000000001030307");
  EXPECT_EQ(ed.segment_length(), 20u + 20 + kPayload.size());
  EXPECT_EQ(std::vector<uint8_t>(seg.begin() + 40, seg.begin() + 40 + kPayload.size()), kPayload);
  ExpectChecksumValid(seg, ed.segment_length());
  EXPECT_EQ(ed.RemoveMptcpSubtype(uint8_t(Subtype::kMpCapable)), EditStatus::kNotFound);
}

TEST(TcpSegmentEditorTest, ClampMssOverIpv6) {
  const IpAddress src = *IpAddress::Parse("2001:db8::1");
  const IpAddress dst = *IpAddress::Parse("2001:db8::2");
  auto seg = MakeSegment(kSynArea, kPayload, src, dst, 0);
  TcpSegmentEditor ed(seg, seg.size());
  ASSERT_EQ(ed.ClampMss(1400), EditStatus::kOk);
  EXPECT_EQ(ToHex(ed.area().first(4)), "02040578");
  ExpectChecksumValid(seg, ed.segment_length(), src, dst);
  EXPECT_EQ(ed.ClampMss(1400), EditStatus::kNotFound);
  EXPECT_EQ(ed.ClampMss(1500), EditStatus::kNotFound);
}

TEST(TcpSegmentEditorTest, RefusesWhenFullOrNoRoom) {
  auto full_area = Hex("0101080a 00000001 00000002 1e140101 0102030405060708 1112131415161718 020405b4");
  ASSERT_EQ(full_area.size(), 36u);
  auto seg = MakeSegment(full_area, kPayload, kSrc, kDst);
  const auto before = seg;
  TcpSegmentEditor ed(seg, 20 + full_area.size() + kPayload.size());
  EXPECT_EQ(ed.InsertOption(Hex("1e0c7000 0102030405060708")), EditStatus::kNoOptionSpace);
  EXPECT_EQ(seg, before) << "a refused edit changes nothing";
  // Four bytes fit (40 in all).
  EXPECT_EQ(ed.InsertMptcp(MpPreferProxy{}), EditStatus::kOk);
  ExpectChecksumValid(seg, ed.segment_length());

  auto tight = MakeSegment(kSynArea, kPayload, kSrc, kDst, /*spare=*/0);
  TcpSegmentEditor ed2(tight, tight.size());
  EXPECT_EQ(ed2.InsertMptcp(MpPreferProxy{}), EditStatus::kBufferTooSmall);
}

TEST(TcpSegmentEditorTest, MalformedInputIsReportedNotEdited) {
  std::vector<uint8_t> tiny(10);
  EXPECT_EQ(TcpSegmentEditor(tiny, tiny.size()).status(), EditStatus::kMalformedHeader);
  auto seg = MakeSegment(Hex("08 00 00 00"), {}, kSrc, kDst);
  TcpSegmentEditor ed(seg, 24);
  EXPECT_EQ(ed.status(), EditStatus::kMalformedOptions);
  EXPECT_EQ(ed.ClampMss(1), EditStatus::kMalformedOptions);
  seg[12] = 0x40;  // data offset 4 words
  EXPECT_EQ(TcpSegmentEditor(seg, 24).status(), EditStatus::kMalformedHeader);
}

// Random areas built from real options, random payloads, random edits: the
// incrementally updated checksum always equals a full recomputation.
TEST(TcpSegmentEditorTest, IncrementalChecksumMatchesRecomputationRandomly) {
  std::mt19937 rng(1);
  for (int iter = 0; iter < 2000; ++iter) {
    std::vector<TcpOptionValue> opts;
    if (rng() % 2) opts.push_back(Mss{uint16_t(rng())});
    if (rng() % 2) opts.push_back(SackPermitted{});
    if (rng() % 2) opts.push_back(Timestamps{uint32_t(rng()), uint32_t(rng())});
    if (rng() % 2) opts.push_back(WindowScale{uint8_t(rng() % 15)});
    if (rng() % 2) opts.push_back(MptcpOption{MpCapable{}});
    std::array<uint8_t, 40> area{};
    size_t n = 0;
    ASSERT_EQ(BuildOptionArea(opts, area, n), EncodeStatus::kOk);
    std::vector<uint8_t> payload(rng() % 64);
    for (auto& b : payload) b = uint8_t(rng());
    auto seg = MakeSegment({area.begin(), area.begin() + n}, payload, kSrc, kDst);
    TcpSegmentEditor ed(seg, 20 + n + payload.size());
    switch (rng() % 3) {
      case 0: (void)ed.InsertMptcp(MpPreferProxy{}); break;
      case 1: (void)ed.RemoveMptcpSubtype(0); break;
      case 2: (void)ed.ClampMss(uint16_t(rng())); break;
    }
    ExpectChecksumValid(seg, ed.segment_length());
    std::vector<uint8_t> tail(seg.begin() + ed.header_length(),
                              seg.begin() + ed.header_length() + payload.size());
    ASSERT_EQ(tail, payload);
  }
}

}  // namespace
}  // namespace mptcp_opts
