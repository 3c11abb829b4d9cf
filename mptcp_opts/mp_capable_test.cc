// SPDX-License-Identifier: Apache-2.0
#include "mptcp_opts/mp_capable.h"

#include <array>
#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/test_util.h"

namespace mptcp_opts {
namespace {

using test::ExactCopy;
using test::Hex;

DecodeStatus DecodeCap(std::span<const uint8_t> b) {
  MpCapable c;
  return Decode(b, c);
}

MpCapable MustDecode(const std::vector<uint8_t>& bytes) {
  MpCapable c;
  ExactCopy copy(bytes);
  EXPECT_EQ(Decode(copy.span(), c), DecodeStatus::kOk) << test::ToHex(bytes);
  return c;
}

void ExpectRoundTrip(const std::vector<uint8_t>& bytes) {
  const MpCapable c = MustDecode(bytes);
  std::array<uint8_t, 40> out{};
  size_t n = 0;
  ASSERT_EQ(Encode(c, out, n), EncodeStatus::kOk);
  EXPECT_EQ(n, EncodedSize(c));
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + n), bytes);
}

TEST(MpCapableTest, V1SynHasNoKey) {
  const MpCapable c = MustDecode(Hex("1e 04 01 81"));
  EXPECT_EQ(c.version, 1);
  EXPECT_TRUE(c.checksum_required());
  EXPECT_TRUE(c.hmac_sha256());
  EXPECT_FALSE(c.sender_key.has_value());
  ExpectRoundTrip(Hex("1e 04 01 81"));
}

TEST(MpCapableTest, ReceiverIgnoresBFlagOrMissingH) {
  EXPECT_TRUE(MustDecode(Hex("1e 04 01 81")).usable_by_receiver());  // A, H
  EXPECT_TRUE(MustDecode(Hex("1e 04 01 21")).usable_by_receiver());  // C (v1 deny-join), H
  // Well-formed, so decoded, but a receiver must fall back on them.
  EXPECT_FALSE(MustDecode(Hex("1e 04 01 41")).usable_by_receiver());  // B set
  EXPECT_FALSE(MustDecode(Hex("1e 04 01 80")).usable_by_receiver());  // no algorithm
  EXPECT_FALSE(MustDecode(Hex("1e 04 01 02")).usable_by_receiver());  // G: unassigned
  EXPECT_TRUE(MustDecode(Hex("1e 0c 00 01 01 02 03 04 05 06 07 08")).usable_by_receiver());  // v0
}

TEST(MpCapableTest, V1SynAckCarriesSenderKeyAndFlagC) {
  const MpCapable c = MustDecode(Hex("1e 0c 01 21 01 02 03 04 05 06 07 08"));
  EXPECT_EQ(c.sender_key, 0x0102030405060708u);
  EXPECT_TRUE(c.no_joins_to_this_address());
  EXPECT_FALSE(c.checksum_required());
  EXPECT_FALSE(c.receiver_key.has_value());
}

TEST(MpCapableTest, V1AckCarriesBothKeys) {
  const auto bytes = Hex("1e 14 01 01 01 02 03 04 05 06 07 08 11 12 13 14 15 16 17 18");
  const MpCapable c = MustDecode(bytes);
  EXPECT_EQ(c.sender_key, 0x0102030405060708u);
  EXPECT_EQ(c.receiver_key, 0x1112131415161718u);
  ExpectRoundTrip(bytes);
}

TEST(MpCapableTest, V1AckWithDataAndOptionalChecksum) {
  const auto no_csum = Hex("1e 16 01 01 0102030405060708 1112131415161718 05 dc");
  const MpCapable a = MustDecode(no_csum);
  EXPECT_EQ(a.data_level_length, 1500);
  EXPECT_FALSE(a.checksum.has_value());
  ExpectRoundTrip(no_csum);
  const auto csum = Hex("1e 18 01 81 0102030405060708 1112131415161718 05 dc be ef");
  const MpCapable b = MustDecode(csum);
  EXPECT_EQ(b.checksum, 0xbeef);
  ExpectRoundTrip(csum);
}

TEST(MpCapableTest, V0FormsAndSha1Flag) {
  const MpCapable syn = MustDecode(Hex("1e 0c 00 81 0102030405060708"));
  EXPECT_EQ(syn.version, 0);
  EXPECT_TRUE(syn.hmac_sha1());
  EXPECT_FALSE(syn.hmac_sha256());
  // In v0 the C bit is a crypto bit, not "no joins".
  EXPECT_FALSE(MustDecode(Hex("1e 0c 00 21 0102030405060708")).no_joins_to_this_address());
  ExpectRoundTrip(Hex("1e 14 00 81 0102030405060708 1112131415161718"));
}

TEST(MpCapableTest, EveryWrongLengthIsBadLength) {
  test::ExpectBadLengthOutside(Hex("1e 04 01 81"), {4, 12, 20, 22, 24}, DecodeCap);
  // v0 has neither the keyless SYN nor the data-carrying ACK.
  test::ExpectBadLengthOutside(Hex("1e 0c 00 81"), {12, 20}, DecodeCap);
}

TEST(MpCapableTest, TruncatedAtEveryByte) {
  for (const char* hex : {"1e 04 01 81", "1e 0c 01 01 0102030405060708",
                          "1e 18 01 81 0102030405060708 1112131415161718 05 dc be ef"}) {
    test::ExpectTruncatedAtEveryByte(Hex(hex), DecodeCap);
  }
}

TEST(MpCapableTest, UnsupportedVersionAndWrongSubtype) {
  EXPECT_EQ(DecodeCap(Hex("1e 04 02 81")), DecodeStatus::kUnsupportedVersion);
  EXPECT_EQ(DecodeCap(Hex("1e 04 11 81")), DecodeStatus::kWrongSubtype);
  EXPECT_EQ(DecodeCap(Hex("1f 04 01 81")), DecodeStatus::kWrongKind);
}

TEST(MpCapableTest, EncodeRefusesInconsistentValues) {
  std::array<uint8_t, 40> out{};
  size_t n = 99;
  MpCapable c;
  c.receiver_key = 1;  // without a sender key
  EXPECT_EQ(Encode(c, out, n), EncodeStatus::kInvalidValue);
  EXPECT_EQ(n, 0u);
  c = MpCapable{};
  c.sender_key = 1;
  c.receiver_key = 2;
  c.checksum = 3;  // without a data-level length
  EXPECT_EQ(Encode(c, out, n), EncodeStatus::kInvalidValue);
  c.data_level_length = 4;
  EXPECT_EQ(Encode(c, std::span<uint8_t>(out.data(), 23), n), EncodeStatus::kBufferTooSmall);
  EXPECT_EQ(Encode(c, out, n), EncodeStatus::kOk);
  EXPECT_EQ(n, 24u);
  // v0 has neither the keyless SYN nor the ACK with data (fuzz finding F1).
  c.version = 0;
  EXPECT_EQ(Encode(c, out, n), EncodeStatus::kInvalidValue);
  MpCapable v0_syn;
  v0_syn.version = 0;
  EXPECT_EQ(Encode(v0_syn, out, n), EncodeStatus::kInvalidValue);
  v0_syn.sender_key = 7;
  EXPECT_EQ(Encode(v0_syn, out, n), EncodeStatus::kOk);
  EXPECT_EQ(n, 12u);
}

}  // namespace
}  // namespace mptcp_opts
