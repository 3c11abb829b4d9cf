// SPDX-License-Identifier: Apache-2.0
#include "mptcp_opts/option_area_builder.h"

#include <array>
#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/tcp_option_walker.h"
#include "mptcp_opts/test_util.h"

namespace mptcp_opts {
namespace {

using test::Hex;
using test::ToHex;

std::string Build(std::vector<TcpOptionValue> opts, EncodeStatus expect = EncodeStatus::kOk) {
  std::array<uint8_t, 40> out{};
  size_t n = 99;
  EXPECT_EQ(BuildOptionArea(opts, out, n), expect);
  return ToHex(std::span<const uint8_t>(out.data(), n));
}

TEST(OptionAreaBuilderTest, LinuxStyleSynLayout) {
  MpCapable cap;  // v1 SYN: no key, HMAC-SHA256
  EXPECT_EQ(Build({Mss{1460}, SackPermitted{}, Timestamps{1, 0}, WindowScale{7}, cap}),
            "020405b40402080a0000000100000000010303071e040101");
}

TEST(OptionAreaBuilderTest, TimestampsAloneGetTwoNops) {
  EXPECT_EQ(Build({Timestamps{0x11223344, 0x55667788}}), "0101080a1122334455667788");
  EXPECT_EQ(Build({SackPermitted{}}), "01010402");
}

TEST(OptionAreaBuilderTest, DataSegmentWithDss) {
  Dss d;
  d.data_ack = 100;
  d.data_ack_8_bytes = true;
  d.mapping = DssMapping{1000, 1, 1440, std::nullopt};
  d.dsn_8_bytes = true;
  const std::string area = Build({Timestamps{1, 2}, MptcpOption{d}});
  EXPECT_EQ(area.size() / 2, 12u + 2 + 26);  // NOP NOP TS, NOP NOP DSS
  const auto bytes = Hex(area);
  TcpOptionWalker w(bytes);
  int n = 0;
  for (TcpOption o; w.Next(o);) ++n;
  EXPECT_EQ(n, 2);
  EXPECT_EQ(w.status(), WalkStatus::kOk);
}

TEST(OptionAreaBuilderTest, RefusesRatherThanTruncates) {
  MpCapable ack;
  ack.sender_key = 1;
  ack.receiver_key = 2;
  ack.data_level_length = 3;
  ack.checksum = 4;  // 24 bytes
  EXPECT_EQ(Build({Timestamps{1, 2}, Mss{1460}, MptcpOption{ack}, WindowScale{7}},
                  EncodeStatus::kNoOptionSpace),
            "");
  EXPECT_EQ(Build({Timestamps{1, 2}, Mss{1460}, MptcpOption{ack}}).size(), 80u);  // exactly 40
  std::array<uint8_t, 8> small{};
  size_t n = 0;
  std::vector<TcpOptionValue> opts = {Timestamps{1, 2}};
  EXPECT_EQ(BuildOptionArea(opts, small, n), EncodeStatus::kBufferTooSmall);
  EXPECT_EQ(small, (std::array<uint8_t, 8>{}));
  MpCapable bad;
  bad.receiver_key = 1;
  EXPECT_EQ(Build({Mss{1}, MptcpOption{bad}}, EncodeStatus::kInvalidValue), "");
  EXPECT_EQ(Build({RawOption{kKindNop, {}}}, EncodeStatus::kInvalidValue), "");
}

TEST(OptionAreaBuilderTest, RawOptionAndExactly40Bytes) {
  const uint8_t cookie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(Build({RawOption{34, cookie}}), "0101220a0102030405060708");
  MpCapable ack;
  ack.sender_key = 1;
  ack.receiver_key = 2;  // 20 bytes
  const std::string area = Build({Timestamps{1, 2}, MptcpOption{ack}, Mss{1460}, WindowScale{1}});
  EXPECT_EQ(area.size() / 2, 40u);
}

}  // namespace
}  // namespace mptcp_opts
