// SPDX-License-Identifier: Apache-2.0
// MP_CONVERT IEs: layout (D1, D2), echo (D3), trailing data (D4), unknown
// types (D6) and every malformed case of D7.
#include "mptcp_opts/mp_convert_ie.h"

#include <array>
#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/test_util.h"

namespace mptcp_opts {
namespace {

using test::ExactCopy;
using test::Hex;
using test::ToHex;

IeParseResult Parse(const std::vector<uint8_t>& payload, MpConvertIeList& out) {
  ExactCopy copy(payload);
  return ParseMpConvertIes(copy.span(), out);
}

std::string BuildHex(std::vector<MpConvertIe> ies, EncodeStatus expect = EncodeStatus::kOk) {
  std::array<uint8_t, 64> out{};
  size_t n = 0;
  EXPECT_EQ(BuildMpConvertIes(ies, out, n), expect);
  return ToHex(std::span<const uint8_t>(out.data(), n));
}

// wire-formats.md §3.1 examples.
TEST(MpConvertIeTest, SpecExamplesBuildAndParse) {
  const MpConvertIe dst{false, IpAddress::V4(198, 51, 100, 10), 443};
  EXPECT_EQ(BuildHex({dst}), "faa8faa8000a0001c633640a01bb0000");
  const MpConvertIe src{true, *IpAddress::Parse("2001:db8::5"), std::nullopt};
  EXPECT_EQ(BuildHex({src}), "faa8faa80014000320010db8000000000000000000000005");

  MpConvertIeList ies;
  const auto payload = Hex("faa8faa8000a0001c633640a01bb0000 474554");  // + "GET"
  const IeParseResult r = Parse(payload, ies);
  ASSERT_EQ(r.status, IeStatus::kOk);
  EXPECT_EQ(r.consumed, 16u) << "application data starts after the padding (D4)";
  ASSERT_EQ(ies.count, 1);
  ASSERT_NE(ies.destination(), nullptr);
  EXPECT_EQ(*ies.destination(), dst);
  EXPECT_EQ(ies.source(), nullptr);
}

TEST(MpConvertIeTest, SourceAndDestinationEachFamilyEachPortForm) {
  for (const auto& [s, d] : std::vector<std::pair<MpConvertIe, MpConvertIe>>{
           {{true, IpAddress::V4(10, 1, 2, 3), std::nullopt}, {false, IpAddress::V4(192, 0, 2, 1), 80}},
           {{true, *IpAddress::Parse("2001:db8::1"), 1234}, {false, *IpAddress::Parse("2001:db8::2"), std::nullopt}},
       }) {
    std::array<uint8_t, 64> out{};
    size_t n = 0;
    std::vector<MpConvertIe> both = {s, d};
    ASSERT_EQ(BuildMpConvertIes(both, out, n), EncodeStatus::kOk);
    EXPECT_EQ(n, EncodedSize(s) + EncodedSize(d));
    EXPECT_EQ(n % 4, 0u);
    MpConvertIeList ies;
    const IeParseResult r = Parse({out.begin(), out.begin() + n}, ies);
    ASSERT_EQ(r.status, IeStatus::kOk);
    EXPECT_EQ(r.consumed, n);
    EXPECT_EQ(*ies.source(), s);
    EXPECT_EQ(*ies.destination(), d);
  }
}

TEST(MpConvertIeTest, NoMagicMeansAllApplicationData) {
  MpConvertIeList ies;
  EXPECT_EQ(Parse(Hex(""), ies).status, IeStatus::kNoIe);
  EXPECT_EQ(Parse(Hex("474554202f"), ies).status, IeStatus::kNoIe);
  EXPECT_EQ(Parse(Hex("faa8fa"), ies).status, IeStatus::kNoIe);
  EXPECT_EQ(Parse(Hex("faa8faa9000a0001"), ies).consumed, 0u);
}

TEST(MpConvertIeTest, UnknownTypeIsSkippedAndCounted) {  // D6
  // Type 7, Length 6 (2 bytes of value), M=0; then a Type-0 destination.
  const auto payload = Hex("faa8faa8 07060000 abcd0000  faa8faa8 00080001 c0000201");
  MpConvertIeList ies;
  const IeParseResult r = Parse(payload, ies);
  ASSERT_EQ(r.status, IeStatus::kOk);
  EXPECT_EQ(r.consumed, payload.size());
  EXPECT_EQ(ies.skipped_unknown_type, 1);
  EXPECT_EQ(ies.count, 1);
}

// D7, one case per malformation.
TEST(MpConvertIeTest, MalformedCases) {
  struct Case {
    const char* name;
    const char* hex;
    IeStatus status;
  } cases[] = {
      {"three IEs", "faa8faa8 00080000 c0000201 faa8faa8 00080002 0a000001 "
                    "faa8faa8 00080001 c0000202", IeStatus::kTooManyIes},
      {"same D twice", "faa8faa8 00080000 c0000201 faa8faa8 00080001 c0000202",
       IeStatus::kDuplicateDirection},
      {"length 9", "faa8faa8 00090001 c0000201 0a000000", IeStatus::kBadLength},
      {"length 4 (no address)", "faa8faa8 00040001", IeStatus::kBadLength},
      {"length 2", "faa8faa8 00020001", IeStatus::kBadLength},
      {"length past end", "faa8faa8 00160001 20010db8", IeStatus::kPastEnd},
      {"header cut", "faa8faa8 0008", IeStatus::kPastEnd},
      {"M=0 on last", "faa8faa8 00080000 c0000201", IeStatus::kMissingLastFlag},
      {"M=0 then data", "faa8faa8 00080000 c0000201 47455420", IeStatus::kMissingLastFlag},
      {"multicast v4", "faa8faa8 00080001 e0000001", IeStatus::kBadAddressClass},
      {"broadcast v4", "faa8faa8 00080001 ffffffff", IeStatus::kBadAddressClass},
      {"loopback v4", "faa8faa8 00080001 7f000001", IeStatus::kBadAddressClass},
      {"unspecified v4", "faa8faa8 00080001 00000000", IeStatus::kBadAddressClass},
      {"multicast v6", "faa8faa8 00140001 ff020000000000000000000000000001",
       IeStatus::kBadAddressClass},
      {"loopback v6", "faa8faa8 00140001 00000000000000000000000000000001",
       IeStatus::kBadAddressClass},
      {"unspecified v6", "faa8faa8 00140001 00000000000000000000000000000000",
       IeStatus::kBadAddressClass},
      {"mapped loopback", "faa8faa8 00140001 00000000000000000000ffff7f000001",
       IeStatus::kBadAddressClass},
      {"five unknown types", "faa8faa8 07040000 faa8faa8 07040000 faa8faa8 07040000 "
                             "faa8faa8 07040000 faa8faa8 07040001", IeStatus::kTooManyIes},
  };
  for (const Case& c : cases) {
    MpConvertIeList ies;
    EXPECT_EQ(Parse(Hex(c.hex), ies).status, c.status) << c.name;
  }
}

TEST(MpConvertIeTest, TruncationNeverReadsPastThePayload) {
  const auto payload = Hex("faa8faa8 00140002 20010db8000000000000000000000001 "
                           "faa8faa8 000a0001 c633640a 01bb0000");
  for (size_t cut = 0; cut < payload.size(); ++cut) {
    MpConvertIeList ies;
    const IeParseResult r = Parse({payload.begin(), payload.begin() + cut}, ies);
    EXPECT_NE(r.status, IeStatus::kOk) << cut;
    EXPECT_LE(r.consumed, cut);
  }
}

TEST(MpConvertIeTest, BuildRefusesWhatParseWouldReject) {
  const MpConvertIe ok{false, IpAddress::V4(192, 0, 2, 1), std::nullopt};
  BuildHex({}, EncodeStatus::kInvalidValue);
  BuildHex({ok, ok}, EncodeStatus::kInvalidValue);
  BuildHex({ok, {true, IpAddress::V4(10, 0, 0, 1), std::nullopt}, ok},
           EncodeStatus::kInvalidValue);
  BuildHex({{false, IpAddress::V4(127, 0, 0, 1), std::nullopt}}, EncodeStatus::kInvalidValue);
  std::array<uint8_t, 11> small{};
  size_t n;
  std::vector<MpConvertIe> one = {ok};
  EXPECT_EQ(BuildMpConvertIes(one, small, n), EncodeStatus::kBufferTooSmall);
}

TEST(MpConvertIeTest, EchoMustBeByteIdentical) {  // D3
  const auto sent = Hex("faa8faa8000a0001c633640a01bb0000");
  EXPECT_TRUE(IsExactEcho(sent, sent));
  auto with_data = sent;
  with_data.push_back(0x48);
  EXPECT_TRUE(IsExactEcho(sent, with_data));
  auto changed = sent;
  changed[15] = 1;  // padding differs
  EXPECT_FALSE(IsExactEcho(sent, changed));
  EXPECT_FALSE(IsExactEcho(sent, Hex("faa8faa8")));
  EXPECT_FALSE(IsExactEcho({}, sent));
}

}  // namespace
}  // namespace mptcp_opts
