// SPDX-License-Identifier: Apache-2.0
#include "mptcp_opts/tcp_option_walker.h"

#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/test_util.h"

namespace mptcp_opts {
namespace {

using test::ExactCopy;
using test::Hex;

std::vector<uint8_t> Kinds(std::span<const uint8_t> area, WalkStatus* status = nullptr) {
  TcpOptionWalker w(area);
  std::vector<uint8_t> kinds;
  for (TcpOption o; w.Next(o);) kinds.push_back(o.kind);
  if (status) *status = w.status();
  return kinds;
}

TEST(TcpOptionWalkerTest, LinuxSynWithMpCapable) {
  // MSS, SACK-permitted + timestamps, NOP + window scale, MP_CAPABLE v1 SYN.
  const auto area = Hex("020405b4 0402080a 00000001 00000000 01030307 1e040181");
  ExactCopy copy(area);
  TcpOptionWalker w(copy.span());
  TcpOption o;
  ASSERT_TRUE(w.Next(o));
  EXPECT_EQ(o.kind, kKindMss);
  EXPECT_EQ(o.offset, 0);
  ASSERT_TRUE(w.Next(o));
  EXPECT_EQ(o.kind, kKindSackPermitted);
  ASSERT_TRUE(w.Next(o));
  EXPECT_EQ(o.kind, kKindTimestamps);
  EXPECT_EQ(o.bytes.size(), 10u);
  ASSERT_TRUE(w.Next(o));
  EXPECT_EQ(o.kind, kKindWindowScale);
  EXPECT_EQ(o.offset, 17);
  ASSERT_TRUE(w.Next(o));
  EXPECT_EQ(o.kind, kKindMptcp);
  EXPECT_EQ(o.offset, 20);
  EXPECT_FALSE(w.Next(o));
  EXPECT_EQ(w.status(), WalkStatus::kOk);
}

TEST(TcpOptionWalkerTest, EolStopsTheWalkAndUnknownKindsAreYielded) {
  WalkStatus s;
  EXPECT_EQ(Kinds(Hex("fd 04 aa bb 00 02 04 05 b4"), &s), (std::vector<uint8_t>{0xfd}));
  EXPECT_EQ(s, WalkStatus::kOk);
  EXPECT_EQ(Kinds(Hex(""), &s), (std::vector<uint8_t>{}));
  EXPECT_EQ(Kinds(Hex("01 01 01"), &s), (std::vector<uint8_t>{}));
}

TEST(TcpOptionWalkerTest, StructuralErrorsStopWithDistinctStatuses) {
  WalkStatus s;
  EXPECT_EQ(Kinds(Hex("020405b4 08 00"), &s), (std::vector<uint8_t>{2}));
  EXPECT_EQ(s, WalkStatus::kBadOptionLength);
  Kinds(Hex("08 01 00 00"), &s);
  EXPECT_EQ(s, WalkStatus::kBadOptionLength);
  EXPECT_EQ(Kinds(Hex("020405b4 1e 0c 00"), &s), (std::vector<uint8_t>{2}));
  EXPECT_EQ(s, WalkStatus::kOptionPastEnd);
  Kinds(Hex("01 01 01 08"), &s);  // kind with no room for a length
  EXPECT_EQ(s, WalkStatus::kOptionPastEnd);
  std::vector<uint8_t> too_long(41, 1);
  Kinds(too_long, &s);
  EXPECT_EQ(s, WalkStatus::kAreaTooLong);
}

TEST(TcpOptionWalkerTest, StatusIsSticky) {
  const auto area = Hex("08 00 02 04 05 b4");
  TcpOptionWalker w(area);
  TcpOption o;
  EXPECT_FALSE(w.Next(o));
  EXPECT_FALSE(w.Next(o));
  EXPECT_EQ(w.status(), WalkStatus::kBadOptionLength);
  EXPECT_EQ(w.offset(), 0u);
}

TEST(TcpOptionWalkerTest, EveryPrefixOfAValidAreaWalksWithoutOverread) {
  const auto area = Hex("020405b4 0402080a 00000001 00000000 01030307 1e040181");
  for (size_t cut = 0; cut <= area.size(); ++cut) {
    ExactCopy copy(std::span<const uint8_t>(area.data(), cut));
    TcpOptionWalker w(copy.span());
    size_t bytes = 0;
    for (TcpOption o; w.Next(o);) bytes += o.bytes.size();
    EXPECT_LE(bytes, cut);
  }
}

}  // namespace
}  // namespace mptcp_opts
