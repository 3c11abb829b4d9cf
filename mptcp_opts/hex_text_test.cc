// SPDX-License-Identifier: Apache-2.0
// hex_text.h: the one hex parser of mptcp-decode --hex, the tests and the
// benchmark fixtures.
#include "mptcp_opts/hex_text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace mptcp_opts {
namespace {

TEST(HexTextTest, DigitsInEitherCaseWithSpacesColonsOrDashes) {
  std::vector<uint8_t> out;
  ASSERT_TRUE(ParseHex("1e0C 01:81-aB", out));
  EXPECT_EQ(out, (std::vector<uint8_t>{0x1e, 0x0c, 0x01, 0x81, 0xab}));
}

TEST(HexTextTest, AppendsToWhatOutAlreadyHolds) {
  std::vector<uint8_t> out = {0x02};
  ASSERT_TRUE(ParseHex("04", out));
  EXPECT_EQ(out, (std::vector<uint8_t>{0x02, 0x04}));
}

TEST(HexTextTest, EmptyTextIsNoBytes) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(ParseHex("", out));
  EXPECT_TRUE(out.empty());
}

TEST(HexTextTest, OddDigitCountIsRefused) {
  std::vector<uint8_t> out;
  EXPECT_FALSE(ParseHex("1e0", out));
  EXPECT_EQ(out, (std::vector<uint8_t>{0x1e}));
}

TEST(HexTextTest, OtherCharactersAreRefused) {
  for (const char* bad : {"1e,0c", "0x1e", "1e\n0c", "1g"}) {
    std::vector<uint8_t> out;
    EXPECT_FALSE(ParseHex(bad, out)) << bad;
  }
}

}  // namespace
}  // namespace mptcp_opts
