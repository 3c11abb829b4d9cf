// SPDX-License-Identifier: Apache-2.0
// wire.h: big-endian loads and stores, and the memory-order word compare
// ParseSegmentOptions uses for Linux's aligned option words.
#include "mptcp_opts/wire.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace mptcp_opts::internal {
namespace {

TEST(WireTest, BigEndianLoadsReadNetworkOrder) {
  const std::array<uint8_t, 8> b = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  EXPECT_EQ(LoadBe16(b.data()), 0x0102);
  EXPECT_EQ(LoadBe32(b.data()), 0x01020304u);
  EXPECT_EQ(LoadBe64(b.data()), 0x0102030405060708u);
}

TEST(WireTest, BigEndianStoresRoundTrip) {
  std::array<uint8_t, 8> b{};
  StoreBe64(b.data(), 0x8899aabbccddeeffu);
  EXPECT_EQ(b, (std::array<uint8_t, 8>{0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}));
  EXPECT_EQ(LoadBe64(b.data()), 0x8899aabbccddeeffu);
  StoreBe16(b.data() + 2, 0x1234);
  EXPECT_EQ(LoadBe32(b.data()), 0x88991234u);
}

TEST(WireTest, LoadWord32EqualsBytesWordOfTheSameBytes) {
  const std::array<uint8_t, 4> nop_nop_ts = {0x01, 0x01, 0x08, 0x0a};
  EXPECT_EQ(LoadWord32(nop_nop_ts.data()), BytesWord(1, 1, 8, 10));
  // Order matters: the same bytes in another order are another word.
  EXPECT_NE(LoadWord32(nop_nop_ts.data()), BytesWord(10, 8, 1, 1));
  EXPECT_NE(LoadWord32(nop_nop_ts.data()), BytesWord(1, 1, 10, 8));
}

TEST(WireTest, BytesWordMasksSelectLeadingBytes) {
  const std::array<uint8_t, 4> mss = {0x02, 0x04, 0x05, 0xb4};
  const uint32_t w = LoadWord32(mss.data());
  EXPECT_EQ(w & BytesWord(0xff, 0xff, 0, 0), BytesWord(2, 4, 0, 0));
  EXPECT_NE(w & BytesWord(0xff, 0xff, 0xff, 0), BytesWord(2, 4, 0, 0));
}

}  // namespace
}  // namespace mptcp_opts::internal
