// SPDX-License-Identifier: Apache-2.0
#include "mptcp_opts/mp_join.h"

#include <array>
#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/test_util.h"

namespace mptcp_opts {
namespace {

using test::ExactCopy;
using test::Hex;

DecodeStatus DecodeJoin(std::span<const uint8_t> b) {
  MpJoin j;
  return Decode(b, j);
}

MpJoin MustDecode(const std::vector<uint8_t>& bytes) {
  MpJoin j;
  ExactCopy copy(bytes);
  EXPECT_EQ(Decode(copy.span(), j), DecodeStatus::kOk) << test::ToHex(bytes);
  std::array<uint8_t, 40> out{};
  size_t n = 0;
  EXPECT_EQ(Encode(j, out, n), EncodeStatus::kOk);
  EXPECT_EQ(n, EncodedSize(j));
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + n), bytes) << "round trip";
  return j;
}

TEST(MpJoinTest, SynCarriesTokenNonceBackupAndAddressId) {
  const MpJoin j = MustDecode(Hex("1e 0c 11 05 cc ad 45 ac 01 02 03 04"));
  const auto& syn = std::get<MpJoinSyn>(j);
  EXPECT_TRUE(syn.backup);
  EXPECT_EQ(syn.address_id, 5);
  EXPECT_EQ(syn.token, 0xccad45acu);
  EXPECT_EQ(syn.nonce, 0x01020304u);
}

TEST(MpJoinTest, SynAckCarriesTruncatedHmac) {
  const MpJoin j = MustDecode(Hex("1e 10 10 00 65 ee 09 68 33 f6 61 d9 05 06 07 08"));
  const auto& sa = std::get<MpJoinSynAck>(j);
  EXPECT_FALSE(sa.backup);
  EXPECT_EQ(sa.truncated_hmac, 0x65ee096833f661d9u);
  EXPECT_EQ(sa.nonce, 0x05060708u);
}

TEST(MpJoinTest, AckCarries160BitHmac) {
  const auto bytes = Hex("1e 18 10 00 24bdde08dfc55c9b4185e1b56b2f89db241ac0f2");
  const MpJoin j = MustDecode(bytes);
  const auto& ack = std::get<MpJoinAck>(j);
  EXPECT_EQ(test::ToHex(ack.hmac), "24bdde08dfc55c9b4185e1b56b2f89db241ac0f2");
}

TEST(MpJoinTest, ReservedBitsAreIgnored) {
  MpJoin j;
  ASSERT_EQ(Decode(Hex("1e 0c 1e 05 00000001 00000002"), j), DecodeStatus::kOk);
  EXPECT_FALSE(std::get<MpJoinSyn>(j).backup);
}

TEST(MpJoinTest, EveryWrongLengthIsBadLength) {
  test::ExpectBadLengthOutside(Hex("1e 0c 10 00"), {12, 16, 24}, DecodeJoin);
}

TEST(MpJoinTest, TruncatedAtEveryByte) {
  test::ExpectTruncatedAtEveryByte(Hex("1e 0c 11 05 ccad45ac 01020304"), DecodeJoin);
  test::ExpectTruncatedAtEveryByte(Hex("1e 10 10 00 65ee096833f661d9 05060708"), DecodeJoin);
  test::ExpectTruncatedAtEveryByte(Hex("1e 18 10 00 24bdde08dfc55c9b4185e1b56b2f89db241ac0f2"),
                                   DecodeJoin);
}

TEST(MpJoinTest, EncodeIntoShortBufferWritesNothing) {
  std::array<uint8_t, 11> out{};
  size_t n = 7;
  EXPECT_EQ(Encode(MpJoinSyn{}, out, n), EncodeStatus::kBufferTooSmall);
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(out, (std::array<uint8_t, 11>{}));
}

}  // namespace
}  // namespace mptcp_opts
