// SPDX-License-Identifier: Apache-2.0
// Vectors from ../shared/spec/wire-formats.md §9: the Linux KUnit HMAC
// vectors (9.1), the v0 token examples (9.2), and the locally computed table
// (9.3).
#include "mptcp_opts/crypto.h"

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/test_util.h"
#include "mptcp_opts/wire.h"

namespace mptcp_opts {
namespace {

using test::ToHex;

uint64_t AsciiBe64(const char* s) { return internal::LoadBe64(reinterpret_cast<const uint8_t*>(s)); }
uint32_t AsciiBe32(const char* s) { return internal::LoadBe32(reinterpret_cast<const uint8_t*>(s)); }

// net/mptcp/crypto_test.c: the key and message are the ASCII bytes of the
// strings (key1 = first 8 characters, key2 = next 8; nonces 4 each).
TEST(CryptoTest, LinuxKunitHmacSha256Vectors) {
  struct Vector {
    const char* key;
    const char* msg;
    const char* hmac;
  } vectors[] = {
      {"0b0b0b0b0b0b0b0b", "48692054",
       "8385e24fb4235ac37556b6b886db106284a1da671699f46db1f235ec622dcafa"},
      {"aaaaaaaaaaaaaaaa", "dddddddd",
       "2c5e219164ff1dca1c4a92318d847bb6b9d44492984e1eb71aff9022f71046e9"},
      {"0102030405060708", "cdcdcdcd",
       "e73b9ba9969969cefb04aa0d6df18ec2fcc075b6f23b4d8c4da736a5dbbc6e7d"},
  };
  for (const auto& v : vectors) {
    const Digest d = JoinHmac(MptcpVersion::kV1, AsciiBe64(v.key), AsciiBe64(v.key + 8),
                              AsciiBe32(v.msg), AsciiBe32(v.msg + 4));
    EXPECT_EQ(ToHex(d.view()), v.hmac) << v.key;
  }
}

TEST(CryptoTest, V0TokenExamples) {
  struct {
    uint64_t key;
    uint32_t token;
    uint64_t idsn;
  } cases[] = {
      {0x1d1d262c4cb328fdull, 3453009450u, 0x14decbfcc6a182c7ull},
      {0xc58478a9dd4bdc20ull, 1187499290u, 0x9f22934d842ae7b8ull},
      {0x0da4d294f8b537f8ull, 3611618124u, 0x4df333eef13773efull},
      {0x5686675606032088ull, 2308765430u, 0x556c16fe314ab5f2ull},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Token(c.key, MptcpVersion::kV0), c.token);
    EXPECT_EQ(Idsn(c.key, MptcpVersion::kV0), c.idsn);
  }
}

constexpr uint64_t kKeyA = 0x0102030405060708ull;
constexpr uint64_t kKeyB = 0x1112131415161718ull;
constexpr uint32_t kNonceA = 0x01020304;
constexpr uint32_t kNonceB = 0x05060708;

TEST(CryptoTest, LocalTableTokensAndIdsns) {
  EXPECT_EQ(Token(kKeyA, MptcpVersion::kV0), 0xdd5783bcu);
  EXPECT_EQ(Idsn(kKeyA, MptcpVersion::kV0), 0x3a95ed6e4ebb4ad5ull);
  EXPECT_EQ(Token(kKeyB, MptcpVersion::kV0), 0x3383d918u);
  EXPECT_EQ(Idsn(kKeyB, MptcpVersion::kV0), 0x9e1ae42f702627a9ull);
  EXPECT_EQ(Token(kKeyA, MptcpVersion::kV1), 0x66840ddau);
  EXPECT_EQ(Idsn(kKeyA, MptcpVersion::kV1), 0xf5a101d3d29d6f72ull);
  EXPECT_EQ(Token(kKeyB, MptcpVersion::kV1), 0xccad45acu);
  EXPECT_EQ(Idsn(kKeyB, MptcpVersion::kV1), 0x535beea38e087c8eull);
}

TEST(CryptoTest, LocalTableJoinHmacs) {
  EXPECT_EQ(ToHex(JoinHmac(MptcpVersion::kV0, kKeyA, kKeyB, kNonceA, kNonceB).view()),
            "5759d8ab7fe30caebe9bbae6a9634f530c3d0a3c");
  EXPECT_EQ(ToHex(JoinHmac(MptcpVersion::kV0, kKeyB, kKeyA, kNonceB, kNonceA).view()),
            "93fdbef955c9f2138e40738bc80889ae82c92f10");
  EXPECT_EQ(ToHex(JoinHmac(MptcpVersion::kV1, kKeyA, kKeyB, kNonceA, kNonceB).view()),
            "24bdde08dfc55c9b4185e1b56b2f89db241ac0f29084bb04927ac6c6548dfe65");
  EXPECT_EQ(ToHex(JoinHmac(MptcpVersion::kV1, kKeyB, kKeyA, kNonceB, kNonceA).view()),
            "65ee096833f661d92fc5b27515cbc3b840dd77a5575c1d9c4b4271561ed13849");
  EXPECT_EQ(JoinSynAckTruncatedHmac(MptcpVersion::kV0, kKeyB, kKeyA, kNonceB, kNonceA),
            0x93fdbef955c9f213ull);
  EXPECT_EQ(JoinSynAckTruncatedHmac(MptcpVersion::kV1, kKeyB, kKeyA, kNonceB, kNonceA),
            0x65ee096833f661d9ull);
  EXPECT_EQ(ToHex(JoinAckHmac(MptcpVersion::kV0, kKeyA, kKeyB, kNonceA, kNonceB)),
            "5759d8ab7fe30caebe9bbae6a9634f530c3d0a3c");
  EXPECT_EQ(ToHex(JoinAckHmac(MptcpVersion::kV1, kKeyA, kKeyB, kNonceA, kNonceB)),
            "24bdde08dfc55c9b4185e1b56b2f89db241ac0f2");
}

TEST(CryptoTest, LocalTableAddAddrHmacs) {
  EXPECT_EQ(AddAddrHmac(kKeyA, kKeyB, 1, IpAddress::V4(192, 0, 2, 1), std::nullopt),
            0xdf24410fac2c3edbull);
  EXPECT_EQ(AddAddrHmac(kKeyA, kKeyB, 1, IpAddress::V4(192, 0, 2, 1), 8080),
            0x68e8377eb37c4afaull);
  EXPECT_EQ(AddAddrHmac(kKeyA, kKeyB, 2, *IpAddress::Parse("2001:db8::1"), std::nullopt),
            0x0f4ad3095f39843dull);
}

TEST(CryptoTest, HistoricalAddAddrVariantsDifferFromRfc) {
  const auto addr = IpAddress::V4(192, 0, 2, 1);
  // With no port, "port always zero" is the RFC value (D11)...
  EXPECT_EQ(AddAddrHmac(kKeyA, kKeyB, 1, addr, std::nullopt,
                        AddAddrHmacVariant::kLinuxPortAlwaysZero),
            0xdf24410fac2c3edbull);
  // ...with a port it is the no-port value.
  EXPECT_EQ(AddAddrHmac(kKeyA, kKeyB, 1, addr, 8080, AddAddrHmacVariant::kLinuxPortAlwaysZero),
            0xdf24410fac2c3edbull);
  // Leftmost 64 bits of the same HMAC.
  const Digest full = [&] {
    const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18};
    const uint8_t msg[7] = {1, 192, 0, 2, 1, 0, 0};
    return Hmac(MptcpVersion::kV1, key, msg);
  }();
  EXPECT_EQ(AddAddrHmac(kKeyA, kKeyB, 1, addr, 8080, AddAddrHmacVariant::kLinuxLeftmostPortZero),
            internal::LoadBe64(full.bytes.data()));
}

// RFC 4231 has no empty-input vector; this is HMAC-SHA256("", "") as every
// implementation computes it. OpenSSL 3 fails on null pointers, which an
// empty span may hold.
TEST(CryptoTest, HmacOfEmptyKeyAndMessage) {
  EXPECT_EQ(ToHex(Hmac(MptcpVersion::kV1, {}, {}).view()),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(ToHex(Hmac(MptcpVersion::kV0, {}, {}).view()),
            "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
}

// Keys longer than the 64-byte block are hashed first (RFC 2104 §2):
// RFC 4231 test case 6 (SHA-256) and RFC 2202 test case 6 (SHA-1).
TEST(CryptoTest, HmacWithKeyLongerThanABlock) {
  const std::string data = "Test Using Larger Than Block-Size Key - Hash Key First";
  const std::vector<uint8_t> key256(131, 0xaa), key1(80, 0xaa);
  const std::span<const uint8_t> msg(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  EXPECT_EQ(ToHex(Hmac(MptcpVersion::kV1, key256, msg).view()),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(ToHex(Hmac(MptcpVersion::kV0, key1, msg).view()), "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(CryptoTest, ConstantTimeEqual) {
  const uint8_t a[3] = {1, 2, 3};
  const uint8_t b[3] = {1, 2, 4};
  EXPECT_TRUE(ConstantTimeEqual(a, a));
  EXPECT_FALSE(ConstantTimeEqual(a, b));
  EXPECT_FALSE(ConstantTimeEqual(a, std::span<const uint8_t>(a, 2)));
  EXPECT_TRUE(HmacEqual(0x1234, 0x1234));
  EXPECT_FALSE(HmacEqual(0x1234, 0x1235));
}

}  // namespace
}  // namespace mptcp_opts
