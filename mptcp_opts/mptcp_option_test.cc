// SPDX-License-Identifier: Apache-2.0
// The any-subtype dispatcher.
#include "mptcp_opts/mptcp_option.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/test_util.h"

namespace mptcp_opts {
namespace {

using test::ExactCopy;
using test::Hex;

struct Case {
  const char* hex;
  const char* name;
};

// One valid example of every form, v1.
const Case kV1Cases[] = {
    {"1e 04 01 81", "MP_CAPABLE"},
    {"1e 0c 01 01 0102030405060708", "MP_CAPABLE"},
    {"1e 14 01 01 0102030405060708 1112131415161718", "MP_CAPABLE"},
    {"1e 16 01 01 0102030405060708 1112131415161718 0010", "MP_CAPABLE"},
    {"1e 18 01 81 0102030405060708 1112131415161718 0010 abcd", "MP_CAPABLE"},
    {"1e 0c 10 01 ccad45ac 01020304", "MP_JOIN"},
    {"1e 10 11 01 65ee096833f661d9 05060708", "MP_JOIN"},
    {"1e 18 10 00 24bdde08dfc55c9b4185e1b56b2f89db241ac0f2", "MP_JOIN"},
    {"1e 08 20 01 11223344", "DSS"},
    {"1e 1a 20 0f 0000000000000064 00000000000003e8 00000001 05a0", "DSS"},
    {"1e 10 30 01 c0000201 df24410fac2c3edb", "ADD_ADDR"},
    {"1e 08 31 01 c0000201", "ADD_ADDR"},
    {"1e 04 40 07", "REMOVE_ADDR"},
    {"1e 03 51", "MP_PRIO"},
    {"1e 0c 60 00 0102030405060708", "MP_FAIL"},
    {"1e 0c 70 00 1112131415161718", "MP_FASTCLOSE"},
    {"1e 04 81 02", "MP_TCPRST"},
    {"1e 04 e0 00", "MP_PREFER_PROXY"},
    {"1e 05 f0 aa bb", "UNKNOWN"},
    {"1e 03 90", "UNKNOWN"},
};

TEST(MptcpOptionTest, DispatchesEveryFormAndRoundTrips) {
  for (const Case& c : kV1Cases) {
    const auto bytes = Hex(c.hex);
    ExactCopy copy(bytes);
    MptcpOption opt;
    ASSERT_EQ(DecodeMptcpOption(copy.span(), CodecConfig{}, opt), DecodeStatus::kOk) << c.hex;
    EXPECT_STREQ(SubtypeName(opt), c.name) << c.hex;
    EXPECT_STREQ(SubtypeName(uint8_t(bytes[2] >> 4), CodecConfig{}), c.name);
    std::array<uint8_t, 40> out{};
    size_t n = 0;
    ASSERT_EQ(Encode(opt, out, n), EncodeStatus::kOk) << c.hex;
    EXPECT_EQ(n, EncodedSize(opt));
    EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + n), bytes) << c.hex;
    // Decode -> encode -> decode is the identity.
    MptcpOption again;
    ASSERT_EQ(DecodeMptcpOption(std::span<const uint8_t>(out.data(), n), CodecConfig{}, again),
              DecodeStatus::kOk);
    if (!std::holds_alternative<UnknownMptcp>(opt)) {
      EXPECT_EQ(again, opt) << c.hex;
    }
    test::ExpectTruncatedAtEveryByte(bytes, [](std::span<const uint8_t> b) {
      MptcpOption o;
      return DecodeMptcpOption(b, CodecConfig{}, o);
    });
  }
}

TEST(MptcpOptionTest, VersionSelectsAddAddrAndTcprstLayouts) {
  CodecConfig v0;
  v0.version = MptcpVersion::kV0;
  MptcpOption opt;
  ASSERT_EQ(DecodeMptcpOption(Hex("1e 08 34 03 0a000001"), v0, opt), DecodeStatus::kOk);
  EXPECT_EQ(std::get<AddAddr>(opt).version, MptcpVersion::kV0);
  // The same bytes are a malformed v1 ADD_ADDR (E=0 needs an HMAC).
  EXPECT_EQ(DecodeMptcpOption(Hex("1e 08 34 03 0a000001"), CodecConfig{}, opt),
            DecodeStatus::kBadLength);
  // MP_TCPRST does not exist in v0.
  ASSERT_EQ(DecodeMptcpOption(Hex("1e 04 81 02"), v0, opt), DecodeStatus::kOk);
  EXPECT_TRUE(std::holds_alternative<UnknownMptcp>(opt));
}

// Issue 12: a configuration cannot name an RFC 8684 subtype (or 0xF) for
// MP_PREFER_PROXY, so no such setting can hide DSS (the type refuses 0x2);
// under each allowed subtype the RFC 8684 options still decode as themselves.
TEST(MptcpOptionTest, PreferProxySubtypeCannotHideRfc8684Subtypes) {
  for (int v : {0x0, 0x2, 0x8, 0xF, 16, 256}) {
    EXPECT_FALSE(PreferProxySubtype::FromValue(v).has_value()) << v;
  }
  for (int v = 0x9; v <= 0xE; ++v) {
    CodecConfig config;
    config.prefer_proxy_subtype = PreferProxySubtype::FromValue(v);
    MptcpOption opt;
    ASSERT_EQ(DecodeMptcpOption(Hex("1e 08 20 01 11223344"), config, opt), DecodeStatus::kOk);
    EXPECT_TRUE(std::holds_alternative<Dss>(opt)) << v;
    const std::vector<uint8_t> pp = {0x1e, 0x04, uint8_t(v << 4), 0x00};
    ASSERT_EQ(DecodeMptcpOption(pp, config, opt), DecodeStatus::kOk);
    ASSERT_TRUE(std::holds_alternative<MpPreferProxy>(opt)) << v;
    EXPECT_EQ(std::get<MpPreferProxy>(opt).subtype.value(), v);
    EXPECT_STREQ(SubtypeName(uint8_t(v), config), "MP_PREFER_PROXY");
    EXPECT_STREQ(SubtypeName(0x2, config), "DSS");
    // Another unassigned subtype stays unknown.
    const std::vector<uint8_t> other = {0x1e, 0x04, uint8_t((v == 0x9 ? 0xA : 0x9) << 4), 0x00};
    ASSERT_EQ(DecodeMptcpOption(other, config, opt), DecodeStatus::kOk);
    EXPECT_TRUE(std::holds_alternative<UnknownMptcp>(opt)) << v;
  }
}

TEST(MptcpOptionTest, DisabledPreferProxyLeavesItsSubtypeUnknown) {
  CodecConfig config;
  config.prefer_proxy_subtype = std::nullopt;
  MptcpOption opt;
  ASSERT_EQ(DecodeMptcpOption(Hex("1e 04 e0 00"), config, opt), DecodeStatus::kOk);
  EXPECT_TRUE(std::holds_alternative<UnknownMptcp>(opt));
  EXPECT_STREQ(SubtypeName(0xE, config), "UNKNOWN");
}

// The dispatcher reuses the alternative it already holds; nothing of the
// previous value may survive into the next one.
TEST(MptcpOptionTest, ReusedValueKeepsNothingOfThePreviousOption) {
  const std::pair<const char*, const char*> sequences[] = {
      {"1e 18 01 81 0102030405060708 1112131415161718 0010 abcd", "1e 04 01 81"},
      {"1e 14 20 15 00000001 0000abcd 00000005 0001 beef", "1e 08 20 01 11223344"},
      {"1e 12 30 01 c0000201 1f90 68e8377eb37c4afa", "1e 08 31 01 c0000201"},
      {"1e 1e 30 02 20010db8000000000000000000000001 1f90 0f4ad3095f39843d", "1e 08 31 05 0a000001"},
      {"1e 06 40 01 02 03", "1e 04 40 07"},
      {"1e 10 11 01 65ee096833f661d9 05060708", "1e 0c 10 02 ccad45ac 01020304"},
  };
  for (const auto& [first, second] : sequences) {
    const auto a = Hex(first), b = Hex(second);
    MptcpOption reused, fresh;
    ASSERT_EQ(DecodeMptcpOption(a, CodecConfig{}, reused), DecodeStatus::kOk) << first;
    ASSERT_EQ(DecodeMptcpOption(b, CodecConfig{}, reused), DecodeStatus::kOk) << second;
    ASSERT_EQ(DecodeMptcpOption(b, CodecConfig{}, fresh), DecodeStatus::kOk) << second;
    EXPECT_EQ(reused, fresh) << first << " then " << second;
  }
}

TEST(MptcpOptionTest, StructuralErrors) {
  MptcpOption opt;
  EXPECT_EQ(DecodeMptcpOption(Hex(""), CodecConfig{}, opt), DecodeStatus::kTruncated);
  EXPECT_EQ(DecodeMptcpOption(Hex("02 04 05 b4"), CodecConfig{}, opt), DecodeStatus::kWrongKind);
  EXPECT_EQ(DecodeMptcpOption(Hex("1e 02 00"), CodecConfig{}, opt), DecodeStatus::kBadLength);
  EXPECT_EQ(DecodeMptcpOption(Hex("1e 0c 10 01 ccad45ac"), CodecConfig{}, opt),
            DecodeStatus::kTruncated);
  // A length that fits no form is an error, never a different form.
  EXPECT_EQ(DecodeMptcpOption(Hex("1e 0e 10 01 ccad45ac 01020304 0000"), CodecConfig{}, opt),
            DecodeStatus::kBadLength);
}

}  // namespace
}  // namespace mptcp_opts
