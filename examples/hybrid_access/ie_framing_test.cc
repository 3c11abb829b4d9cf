// SPDX-License-Identifier: Apache-2.0
#include "examples/hybrid_access/ie_framing.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace hybrid_access {
namespace {

using mptcp_opts::IpAddress;
using mptcp_opts::MpConvertIe;

constexpr IeFramingState kNeedMore = IeFramingState::kNeedMore;
constexpr IeFramingState kComplete = IeFramingState::kComplete;

std::vector<uint8_t> Ies(std::vector<MpConvertIe> ies) {
  std::vector<uint8_t> out(64);
  size_t n = 0;
  EXPECT_EQ(mptcp_opts::BuildMpConvertIes(ies, out, n), mptcp_opts::EncodeStatus::kOk);
  out.resize(n);
  return out;
}

const MpConvertIe kDestination{false, IpAddress::V4(10, 2, 0, 2), 9000};
const MpConvertIe kSource{true, IpAddress::V4(10, 0, 1, 2), 40000};

std::vector<uint8_t> Prefix(const std::vector<uint8_t>& bytes, size_t n) { return {bytes.begin(), bytes.begin() + n}; }

TEST(IeFramingTest, NothingOrPartOfTheMagicNeedsMore) {
  EXPECT_EQ(IeFraming({}), kNeedMore);
  const std::vector<uint8_t> magic = {0xFA, 0xA8, 0xFA, 0xA8};
  for (size_t n = 1; n < 4; ++n) EXPECT_EQ(IeFraming(Prefix(magic, n)), kNeedMore) << n;
}

TEST(IeFramingTest, BytesThatCannotStartTheMagicAreApplicationData) {
  EXPECT_EQ(IeFraming(std::vector<uint8_t>{'G'}), kComplete);
  EXPECT_EQ(IeFraming(std::vector<uint8_t>{0xFA, 0x00}), kComplete);
  EXPECT_EQ(IeFraming(std::vector<uint8_t>{0xFA, 0xA8, 0xFA, 0x00, 1, 2, 3, 4}), kComplete);
  const std::vector<uint8_t> http = {'G', 'E', 'T', ' ', '/'};
  EXPECT_EQ(IeFraming(http), kComplete);
}

TEST(IeFramingTest, EveryProperPrefixOfOneOrTwoIesNeedsMore) {
  for (const auto& ies : {Ies({kDestination}), Ies({kSource, kDestination})}) {
    for (size_t n = 0; n < ies.size(); ++n) EXPECT_EQ(IeFraming(Prefix(ies, n)), kNeedMore) << n;
    EXPECT_EQ(IeFraming(ies), kComplete);
  }
}

TEST(IeFramingTest, IesFollowedByApplicationDataAreComplete) {
  auto bytes = Ies({kDestination});
  bytes.insert(bytes.end(), {'h', 'e', 'l', 'l', 'o'});
  EXPECT_EQ(IeFraming(bytes), kComplete);
}

TEST(IeFramingTest, AnIeWithoutTheLastFlagWaitsForTheNextOne) {
  auto first = Ies({kSource});
  first[7] &= uint8_t(~mptcp_opts::kMpConvertFlagLast);  // M=0: another IE follows
  EXPECT_EQ(IeFraming(first), kNeedMore);
  auto next = first;
  next.insert(next.end(), {0xFA, 0xA8});  // the next IE's magic, in part
  EXPECT_EQ(IeFraming(next), kNeedMore);
  auto not_an_ie = first;
  not_an_ie.insert(not_an_ie.end(), {'G', 'E', 'T', ' '});  // malformed (D7): the core refuses it
  EXPECT_EQ(IeFraming(not_an_ie), kComplete);
}

TEST(IeFramingTest, MalformedIesAreCompleteForTheCoreToRefuse) {
  auto bad_length = Ies({kDestination});
  bad_length[5] = 9;  // Type 0 with Length 9 (D7)
  EXPECT_EQ(IeFraming(bad_length), kComplete);
  auto too_short = Ies({kDestination});
  too_short[5] = 2;  // Length < 4
  EXPECT_EQ(IeFraming(too_short), kComplete);
  auto bad_address = Ies({kDestination});
  bad_address[8] = 127;  // loopback
  EXPECT_EQ(IeFraming(bad_address), kComplete);
  auto twice = Ies({kDestination});
  twice[7] &= uint8_t(~mptcp_opts::kMpConvertFlagLast);
  auto second = Ies({kDestination});
  twice.insert(twice.end(), second.begin(), second.end());  // two destinations (D7)
  EXPECT_EQ(IeFraming(twice), kComplete);
}

TEST(IeFramingTest, AnUnknownTypeWaitsForItsLength) {
  // Type 1, Length 255: 4 + 256 bytes (D6 skips it, but it must be whole).
  std::vector<uint8_t> unknown = {0xFA, 0xA8, 0xFA, 0xA8, 1, 255, 0, 0};
  unknown.resize(260 - 1, 0);
  EXPECT_EQ(IeFraming(unknown), kNeedMore);
  unknown.push_back(0);
  // Whole, with M=0 and nothing after it: the next IE is due.
  EXPECT_EQ(IeFraming(unknown), kNeedMore);
  unknown[7] = mptcp_opts::kMpConvertFlagLast;
  EXPECT_EQ(IeFraming(unknown), kComplete);
}

TEST(IeFramingTest, APeerCannotMakeTheDaemonWaitPastTheLargestIeArea) {
  // kMaxIesWalked unknown IEs of the greatest Length, each saying another
  // follows: as long as a valid-looking prefix can get.
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < mptcp_opts::kMaxIesWalked; ++i) {
    std::vector<uint8_t> ie = {0xFA, 0xA8, 0xFA, 0xA8, 1, 255, 0, 0};
    ie.resize(260, 0);
    EXPECT_EQ(IeFraming(bytes), kNeedMore) << i;
    bytes.insert(bytes.end(), ie.begin(), ie.end());
  }
  EXPECT_EQ(bytes.size(), kMaxIeAreaBytes);
  EXPECT_EQ(IeFraming(bytes), kComplete);
  EXPECT_EQ(IeFraming(Prefix(bytes, kMaxIeAreaBytes - 1)), kNeedMore);
}

}  // namespace
}  // namespace hybrid_access
