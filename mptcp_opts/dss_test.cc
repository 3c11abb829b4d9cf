// SPDX-License-Identifier: Apache-2.0
#include "mptcp_opts/dss.h"

#include <array>
#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/test_util.h"

namespace mptcp_opts {
namespace {

using test::ExactCopy;
using test::Hex;

DecodeStatus DecodeDss(std::span<const uint8_t> b) {
  Dss d;
  return Decode(b, d);
}

std::vector<uint8_t> EncodeOrDie(const Dss& d) {
  std::array<uint8_t, 40> out{};
  size_t n = 0;
  EXPECT_EQ(Encode(d, out, n), EncodeStatus::kOk);
  EXPECT_EQ(n, EncodedSize(d));
  return {out.begin(), out.begin() + n};
}

TEST(DssTest, AckOnly4And8Bytes) {
  Dss d;
  ASSERT_EQ(Decode(Hex("1e 08 20 01 11223344"), d), DecodeStatus::kOk);
  EXPECT_EQ(d.data_ack, 0x11223344u);
  EXPECT_FALSE(d.mapping.has_value());
  ASSERT_EQ(Decode(Hex("1e 0c 20 03 1122334455667788"), d), DecodeStatus::kOk);
  EXPECT_EQ(d.data_ack, 0x1122334455667788u);
  EXPECT_TRUE(d.data_ack_8_bytes);
}

TEST(DssTest, LinuxDataSegmentAckAndMappingWith8ByteFields) {
  // What Linux sends on data: A, a, M, m set, no checksum: length 26.
  const auto bytes = Hex("1e 1a 20 0f 0000000000000064 00000000000003e8 00000001 05 a0");
  Dss d;
  ASSERT_EQ(Decode(bytes, d), DecodeStatus::kOk);
  EXPECT_EQ(d.data_ack, 100u);
  ASSERT_TRUE(d.mapping.has_value());
  EXPECT_EQ(d.mapping->dsn, 1000u);
  EXPECT_EQ(d.mapping->subflow_seq, 1u);
  EXPECT_EQ(d.mapping->data_level_length, 1440);
  EXPECT_FALSE(d.mapping->checksum.has_value());
  EXPECT_EQ(EncodeOrDie(d), bytes);
}

TEST(DssTest, MappingWithChecksumAndDataFin) {
  const auto bytes = Hex("1e 10 20 14 0000abcd 00000005 0001 beef");
  Dss d;
  ASSERT_EQ(Decode(bytes, d), DecodeStatus::kOk);
  EXPECT_TRUE(d.data_fin);
  EXPECT_FALSE(d.data_ack.has_value());
  EXPECT_EQ(d.mapping->checksum, 0xbeef);
  EXPECT_EQ(EncodeOrDie(d), bytes);
}

// All 32 flag combinations, with and without checksum: the expected length
// decodes, encodes back to the same bytes; every other length is kBadLength
// and every prefix is kTruncated.
TEST(DssTest, EveryFlagCombinationAndLength) {
  for (int flags = 0; flags < 32; ++flags) {
    for (bool csum : {false, true}) {
      if (csum && !(flags & Dss::kFlagMapping)) continue;
      const size_t len = DssLength(uint8_t(flags), csum);
      std::vector<uint8_t> bytes(len);
      for (size_t i = 0; i < len; ++i) bytes[i] = uint8_t(0x30 + i);
      bytes[0] = 30, bytes[1] = uint8_t(len), bytes[2] = 0x20, bytes[3] = uint8_t(flags);
      Dss d;
      ASSERT_EQ(Decode(ExactCopy(bytes).span(), d), DecodeStatus::kOk) << flags << " " << csum;
      EXPECT_EQ(d.mapping.has_value() && d.mapping->checksum.has_value(), csum);
      EXPECT_EQ(EncodeOrDie(d), bytes) << "flags " << flags;
      test::ExpectTruncatedAtEveryByte(bytes, DecodeDss);
      std::vector<int> allowed = {int(len)};
      if (flags & Dss::kFlagMapping) allowed.push_back(int(DssLength(uint8_t(flags), !csum)));
      test::ExpectBadLengthOutside(bytes, allowed, DecodeDss);
    }
  }
}

TEST(DssTest, EncodeRefusesWideValueInNarrowField) {
  Dss d;
  d.data_ack = 0x100000000ull;
  std::array<uint8_t, 40> out{};
  size_t n = 0;
  EXPECT_EQ(Encode(d, out, n), EncodeStatus::kInvalidValue);
  d.data_ack_8_bytes = true;
  EXPECT_EQ(Encode(d, out, n), EncodeStatus::kOk);
  EXPECT_EQ(n, 12u);
}

}  // namespace
}  // namespace mptcp_opts
