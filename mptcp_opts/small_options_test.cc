// SPDX-License-Identifier: Apache-2.0
// REMOVE_ADDR, MP_PRIO, MP_FAIL, MP_FASTCLOSE, MP_TCPRST, MP_PREFER_PROXY.
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/mp_fail.h"
#include "mptcp_opts/mp_fastclose.h"
#include "mptcp_opts/mp_prefer_proxy.h"
#include "mptcp_opts/mp_prio.h"
#include "mptcp_opts/mp_tcprst.h"
#include "mptcp_opts/remove_addr.h"
#include "mptcp_opts/test_util.h"

namespace mptcp_opts {
namespace {

using test::ExactCopy;
using test::Hex;

template <typename T>
std::vector<uint8_t> EncodeOrDie(const T& v) {
  std::array<uint8_t, 40> out{};
  size_t n = 0;
  EXPECT_EQ(Encode(v, out, n), EncodeStatus::kOk);
  EXPECT_EQ(n, EncodedSize(v));
  return {out.begin(), out.begin() + n};
}

template <typename T>
auto Plain() {
  return [](std::span<const uint8_t> b) {
    T v;
    return Decode(b, v);
  };
}

TEST(RemoveAddrTest, OneAndManyIds) {
  RemoveAddr r;
  ASSERT_EQ(Decode(Hex("1e 04 40 07"), r), DecodeStatus::kOk);
  ASSERT_EQ(r.count(), 1u);
  EXPECT_EQ(r.ids()[0], 7);
  const auto many = Hex("1e 06 40 01 02 03");
  ASSERT_EQ(Decode(many, r), DecodeStatus::kOk);
  EXPECT_EQ(std::vector<uint8_t>(r.ids().begin(), r.ids().end()), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(EncodeOrDie(r), many);
  EXPECT_EQ(r, (RemoveAddr{1, 2, 3}));
}

TEST(RemoveAddrTest, LengthsAndTruncation) {
  std::vector<int> allowed;
  for (int n = 4; n <= 40; ++n) allowed.push_back(n);
  test::ExpectBadLengthOutside(Hex("1e 04 40 01"), allowed, Plain<RemoveAddr>());
  test::ExpectTruncatedAtEveryByte(Hex("1e 06 40 01 02 03"), Plain<RemoveAddr>());
}

TEST(RemoveAddrTest, EncodeRefusesNoIdsAndTooMany) {
  std::array<uint8_t, 64> out{};
  size_t n;
  EXPECT_EQ(Encode(RemoveAddr{}, out, n), EncodeStatus::kInvalidValue);
  RemoveAddr full;
  for (int i = 0; i < 37; ++i) EXPECT_TRUE(full.Add(uint8_t(i)));
  EXPECT_FALSE(full.Add(99));
  EXPECT_EQ(Encode(full, out, n), EncodeStatus::kOk);
  EXPECT_EQ(n, 40u);
}

TEST(MpPrioTest, V1AndV0Forms) {
  auto v1 = [](std::span<const uint8_t> b) { MpPrio m; return Decode(b, MptcpVersion::kV1, m); };
  auto v0 = [](std::span<const uint8_t> b) { MpPrio m; return Decode(b, MptcpVersion::kV0, m); };
  MpPrio m;
  ASSERT_EQ(Decode(Hex("1e 03 51"), MptcpVersion::kV1, m), DecodeStatus::kOk);
  EXPECT_TRUE(m.backup);
  EXPECT_FALSE(m.address_id.has_value());
  EXPECT_EQ(EncodeOrDie(m), Hex("1e 03 51"));
  ASSERT_EQ(Decode(Hex("1e 04 50 09"), MptcpVersion::kV0, m), DecodeStatus::kOk);
  EXPECT_FALSE(m.backup);
  EXPECT_EQ(m.address_id, 9);
  EXPECT_EQ(EncodeOrDie(m), Hex("1e 04 50 09"));
  test::ExpectBadLengthOutside(Hex("1e 03 51"), {3}, v1);
  test::ExpectBadLengthOutside(Hex("1e 03 51"), {3, 4}, v0);
  test::ExpectTruncatedAtEveryByte(Hex("1e 03 51"), v1);
  test::ExpectTruncatedAtEveryByte(Hex("1e 04 50 09"), v0);
  size_t n;
  std::array<uint8_t, 8> out;
  EXPECT_EQ(Encode(MpPrio{MptcpVersion::kV1, true, 3}, out, n), EncodeStatus::kInvalidValue);
}

TEST(MpFailTest, DecodeEncodeLengths) {
  const auto bytes = Hex("1e 0c 60 00 0102030405060708");
  MpFail f;
  ASSERT_EQ(Decode(bytes, f), DecodeStatus::kOk);
  EXPECT_EQ(f.dsn, 0x0102030405060708u);
  EXPECT_EQ(EncodeOrDie(f), bytes);
  test::ExpectBadLengthOutside(bytes, {12}, Plain<MpFail>());
  test::ExpectTruncatedAtEveryByte(bytes, Plain<MpFail>());
}

TEST(MpFastcloseTest, DecodeEncodeLengths) {
  const auto bytes = Hex("1e 0c 70 00 1112131415161718");
  MpFastclose f;
  ASSERT_EQ(Decode(bytes, f), DecodeStatus::kOk);
  EXPECT_EQ(f.receiver_key, 0x1112131415161718u);
  EXPECT_EQ(EncodeOrDie(f), bytes);
  test::ExpectBadLengthOutside(bytes, {12}, Plain<MpFastclose>());
  test::ExpectTruncatedAtEveryByte(bytes, Plain<MpFastclose>());
}

TEST(MpTcprstTest, FlagsAndNamedReasons) {
  MpTcprst r;
  ASSERT_EQ(Decode(Hex("1e 04 81 02"), r), DecodeStatus::kOk);
  EXPECT_TRUE(r.transient());
  EXPECT_EQ(r.reason, uint8_t(MpTcprstReason::kLackOfResources));
  EXPECT_STREQ(MpTcprstReasonName(r.reason), "LACK_OF_RESOURCES");
  EXPECT_STREQ(MpTcprstReasonName(6), "MIDDLEBOX_INTERFERENCE");
  EXPECT_STREQ(MpTcprstReasonName(200), "UNASSIGNED");
  EXPECT_EQ(EncodeOrDie(r), Hex("1e 04 81 02"));
  ASSERT_EQ(Decode(Hex("1e 04 80 c8"), r), DecodeStatus::kOk);  // unassigned code survives
  EXPECT_EQ(EncodeOrDie(r), Hex("1e 04 80 c8"));
  test::ExpectBadLengthOutside(Hex("1e 04 81 02"), {4}, Plain<MpTcprst>());
  test::ExpectTruncatedAtEveryByte(Hex("1e 04 81 02"), Plain<MpTcprst>());
}

TEST(MpPreferProxyTest, SubtypeComesFromConfiguration) {
  CodecConfig config;  // D5: default 0xE
  MpPreferProxy pp;
  ASSERT_EQ(Decode(Hex("1e 04 e0 00"), config, pp), DecodeStatus::kOk);
  EXPECT_EQ(pp.subtype.value(), 0xE);
  // Reserved bits are ignored on receipt and sent as zero.
  ASSERT_EQ(Decode(Hex("1e 04 ef ff"), config, pp), DecodeStatus::kOk);
  EXPECT_EQ(EncodeOrDie(pp), Hex("1e 04 e0 00"));
  config.prefer_proxy_subtype = PreferProxySubtype::FromValue(0xB);
  EXPECT_EQ(Decode(Hex("1e 04 e0 00"), config, pp), DecodeStatus::kWrongSubtype);
  ASSERT_EQ(Decode(Hex("1e 04 b0 00"), config, pp), DecodeStatus::kOk);
  EXPECT_EQ(EncodeOrDie(pp), Hex("1e 04 b0 00"));
  auto dec = [](std::span<const uint8_t> b) {
    MpPreferProxy p;
    return Decode(b, CodecConfig{}, p);
  };
  test::ExpectBadLengthOutside(Hex("1e 04 e0 00"), {4}, dec);
  test::ExpectTruncatedAtEveryByte(Hex("1e 04 e0 00"), dec);
}

// Issue 12: one range (decisions.md D5, 0x9..0xE) for every entry point; the
// type is the single check.
TEST(PreferProxySubtypeTest, FromValueAcceptsOnlyUnassignedSubtypes9ToE) {
  for (int v = 0x9; v <= 0xE; ++v) {
    const std::optional<PreferProxySubtype> p = PreferProxySubtype::FromValue(v);
    ASSERT_TRUE(p.has_value()) << v;
    EXPECT_EQ(p->value(), v);
  }
  for (int v : {0x0, 0x2, 0x8, 0xF, 16, 255, 256, -1}) {
    EXPECT_FALSE(PreferProxySubtype::FromValue(v).has_value()) << v;
  }
  // Compared without narrowing: none of these wraps into 0x9..0xE.
  EXPECT_FALSE(PreferProxySubtype::FromValue(uint32_t{0x10E}).has_value());
  EXPECT_FALSE(PreferProxySubtype::FromValue(int64_t{-2}).has_value());
  EXPECT_FALSE(PreferProxySubtype::FromValue(std::numeric_limits<uint64_t>::max()).has_value());
  EXPECT_FALSE(PreferProxySubtype::FromValue(std::numeric_limits<int64_t>::min()).has_value());
  EXPECT_EQ(PreferProxySubtype::Default().value(), 0xE);
  EXPECT_EQ(CodecConfig{}.prefer_proxy_subtype, PreferProxySubtype::Default());
  EXPECT_TRUE(IsValidPreferProxySubtype(0x9) && IsValidPreferProxySubtype(0xE));
  EXPECT_FALSE(IsValidPreferProxySubtype(0x8) || IsValidPreferProxySubtype(0xF));
  EXPECT_STREQ(PreferProxySubtype::kRangeText, "0x9..0xE");
}

// The single-option decoder cannot be handed an out-of-range subtype: a raw
// integer does not convert to the configuration's field.
static_assert(!std::is_constructible_v<PreferProxySubtype, uint8_t>);
static_assert(!std::is_convertible_v<int, PreferProxySubtype>);
static_assert(!std::is_assignable_v<std::optional<PreferProxySubtype>&, int>);
static_assert(!std::is_assignable_v<std::optional<PreferProxySubtype>&, uint8_t>);
static_assert(sizeof(PreferProxySubtype) == 1);
// Nor can the encoder: MpPreferProxy holds the same type, so every value it
// can hold has a wire form (Encode has no kInvalidValue case left).
static_assert(std::is_same_v<decltype(MpPreferProxy::subtype), PreferProxySubtype>);
static_assert(!std::is_constructible_v<MpPreferProxy, uint8_t>);

TEST(MpPreferProxyTest, EveryBuildableValueEncodesAndDecodesBack) {
  for (int v = PreferProxySubtype::kMin; v <= PreferProxySubtype::kMax; ++v) {
    const MpPreferProxy pp{*PreferProxySubtype::FromValue(v)};
    EXPECT_EQ(EncodeOrDie(pp), (std::vector<uint8_t>{0x1e, 0x04, uint8_t(v << 4), 0x00})) << v;
    CodecConfig config;
    config.prefer_proxy_subtype = pp.subtype;
    MpPreferProxy back;
    ASSERT_EQ(Decode(EncodeOrDie(pp), config, back), DecodeStatus::kOk) << v;
    EXPECT_EQ(back, pp);
  }
}

TEST(MpPreferProxyTest, DisabledConfigurationNeverDecodesIt) {
  CodecConfig config;
  config.prefer_proxy_subtype = std::nullopt;
  MpPreferProxy pp;
  EXPECT_EQ(Decode(Hex("1e 04 e0 00"), config, pp), DecodeStatus::kWrongSubtype);
  EXPECT_EQ(Decode(Hex("1e"), config, pp), DecodeStatus::kTruncated);
}

TEST(MpPreferProxyTest, DecodesAtBothEndsOfTheRange) {
  for (int v : {0x9, 0xE}) {
    CodecConfig config;
    config.prefer_proxy_subtype = PreferProxySubtype::FromValue(v);
    const std::vector<uint8_t> wire = {0x1e, 0x04, uint8_t(v << 4), 0x00};
    MpPreferProxy pp;
    ASSERT_EQ(Decode(wire, config, pp), DecodeStatus::kOk) << v;
    EXPECT_EQ(pp.subtype.value(), v);
  }
}

TEST(MpPreferProxyTest, ApplicableOnlyInSynWithMpCapable) {  // D10
  EXPECT_TRUE(IsPreferProxyApplicable(/*syn=*/true, /*ack=*/false, /*has_mp_capable=*/true));
  EXPECT_FALSE(IsPreferProxyApplicable(true, false, false));
  EXPECT_FALSE(IsPreferProxyApplicable(true, true, true));
  EXPECT_FALSE(IsPreferProxyApplicable(false, true, true));
}

}  // namespace
}  // namespace mptcp_opts
