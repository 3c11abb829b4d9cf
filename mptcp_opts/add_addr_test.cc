// SPDX-License-Identifier: Apache-2.0
#include "mptcp_opts/add_addr.h"

#include <array>
#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/test_util.h"

namespace mptcp_opts {
namespace {

using test::ExactCopy;
using test::Hex;

auto DecoderFor(MptcpVersion v) {
  return [v](std::span<const uint8_t> b) {
    AddAddr a;
    return Decode(b, v, a);
  };
}

AddAddr RoundTrip(const std::vector<uint8_t>& bytes, MptcpVersion v) {
  AddAddr a;
  EXPECT_EQ(Decode(ExactCopy(bytes).span(), v, a), DecodeStatus::kOk) << test::ToHex(bytes);
  std::array<uint8_t, 40> out{};
  size_t n = 0;
  EXPECT_EQ(Encode(a, out, n), EncodeStatus::kOk);
  EXPECT_EQ(n, EncodedSize(a));
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + n), bytes);
  return a;
}

TEST(AddAddrTest, V1Ipv4WithHmacNoPort) {
  const AddAddr a = RoundTrip(Hex("1e 10 30 01 c0000201 df24410fac2c3edb"), MptcpVersion::kV1);
  EXPECT_FALSE(a.echo);
  EXPECT_EQ(a.address_id, 1);
  EXPECT_EQ(a.address, IpAddress::V4(192, 0, 2, 1));
  EXPECT_FALSE(a.port.has_value());
  EXPECT_EQ(a.truncated_hmac, 0xdf24410fac2c3edbu);
}

TEST(AddAddrTest, V1AllLengths) {
  EXPECT_EQ(RoundTrip(Hex("1e 12 30 01 c0000201 1f90 68e8377eb37c4afa"), MptcpVersion::kV1).port,
            8080);
  const AddAddr v6 = RoundTrip(Hex("1e 1c 30 02 20010db8000000000000000000000001 0f4ad3095f39843d"),
                               MptcpVersion::kV1);
  EXPECT_EQ(v6.address.ToString(), "2001:db8::1");
  RoundTrip(Hex("1e 1e 30 02 20010db8000000000000000000000001 1f90 0f4ad3095f39843d"),
            MptcpVersion::kV1);
  // Echoes carry no HMAC.
  EXPECT_TRUE(RoundTrip(Hex("1e 08 31 01 c0000201"), MptcpVersion::kV1).echo);
  RoundTrip(Hex("1e 0a 31 01 c0000201 1f90"), MptcpVersion::kV1);
  RoundTrip(Hex("1e 14 31 02 20010db8000000000000000000000001"), MptcpVersion::kV1);
  RoundTrip(Hex("1e 16 31 02 20010db8000000000000000000000001 1f90"), MptcpVersion::kV1);
}

TEST(AddAddrTest, V0UsesIpVerField) {
  const AddAddr a = RoundTrip(Hex("1e 08 34 03 0a000001"), MptcpVersion::kV0);
  EXPECT_EQ(a.address, IpAddress::V4(10, 0, 0, 1));
  EXPECT_FALSE(a.truncated_hmac.has_value());
  RoundTrip(Hex("1e 0a 34 03 0a000001 0050"), MptcpVersion::kV0);
  RoundTrip(Hex("1e 14 36 03 fd000000000000000000000000000001"), MptcpVersion::kV0);
  RoundTrip(Hex("1e 16 36 03 fd000000000000000000000000000001 0050"), MptcpVersion::kV0);
  AddAddr x;
  EXPECT_EQ(Decode(Hex("1e 08 36 03 0a000001"), MptcpVersion::kV0, x), DecodeStatus::kBadIpVersion);
  EXPECT_EQ(Decode(Hex("1e 08 35 03 0a000001"), MptcpVersion::kV0, x), DecodeStatus::kBadIpVersion);
}

TEST(AddAddrTest, EveryWrongLength) {
  test::ExpectBadLengthOutside(Hex("1e 10 30 01"), {16, 18, 28, 30}, DecoderFor(MptcpVersion::kV1));
  test::ExpectBadLengthOutside(Hex("1e 08 31 01"), {8, 10, 20, 22}, DecoderFor(MptcpVersion::kV1));
  // v0: lengths 8/10 need IPVer 4, 20/22 IPVer 6; the rest are bad lengths.
  auto v0 = DecoderFor(MptcpVersion::kV0);
  for (int len = 0; len < 256; ++len) {
    std::vector<uint8_t> b(std::max(len, 4), 0);
    b[0] = 30, b[1] = uint8_t(len), b[2] = 0x34;
    const DecodeStatus s = v0(ExactCopy(b).span());
    if (len == 8 || len == 10) EXPECT_EQ(s, DecodeStatus::kOk);
    else if (len == 20 || len == 22) EXPECT_EQ(s, DecodeStatus::kBadIpVersion);
    else EXPECT_EQ(s, DecodeStatus::kBadLength) << len;
  }
}

TEST(AddAddrTest, TruncatedAtEveryByte) {
  test::ExpectTruncatedAtEveryByte(
      Hex("1e 1e 30 02 20010db8000000000000000000000001 1f90 0f4ad3095f39843d"),
      DecoderFor(MptcpVersion::kV1));
  test::ExpectTruncatedAtEveryByte(Hex("1e 0a 34 03 0a000001 0050"), DecoderFor(MptcpVersion::kV0));
}

TEST(AddAddrTest, EncodeRefusesInconsistentValues) {
  std::array<uint8_t, 40> out{};
  size_t n;
  AddAddr a;
  a.address = IpAddress::V4(192, 0, 2, 1);
  EXPECT_EQ(Encode(a, out, n), EncodeStatus::kInvalidValue) << "v1 non-echo needs an HMAC";
  a.echo = true;
  a.truncated_hmac = 1;
  EXPECT_EQ(Encode(a, out, n), EncodeStatus::kInvalidValue) << "echo carries no HMAC";
  a.version = MptcpVersion::kV0;
  a.echo = false;
  EXPECT_EQ(Encode(a, out, n), EncodeStatus::kInvalidValue) << "v0 has no HMAC";
}

}  // namespace
}  // namespace mptcp_opts
