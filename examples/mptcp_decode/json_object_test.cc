// SPDX-License-Identifier: Apache-2.0
// The hand-written number and address formatting of json_object.h (written
// without printf for speed) against printf and inet_ntop.
#include "examples/mptcp_decode/json_object.h"

#include <cinttypes>
#include <cstdio>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace mptcp_decode {
namespace {

std::string Printf(const char* fmt, auto... args) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, args...);
  return buf;
}

TEST(JsonObjectTest, NumbersAreWhatPrintfWrites) {
  std::mt19937_64 rng(15);
  for (uint64_t v : {uint64_t{0}, uint64_t{9}, uint64_t{10}, uint64_t{999999}, uint64_t{1000000},
                     uint64_t{UINT32_MAX}, uint64_t{UINT64_MAX}}) {
    std::string s;
    AppendUnsigned(s, v);
    EXPECT_EQ(s, Printf("%" PRIu64, v));
  }
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = rng() >> (rng() % 64);
    std::string dec, pad, hex8, hex16;
    AppendUnsigned(dec, v);
    AppendUnsignedPadded(pad, v % 1000000, 6);
    AppendHexFixed(hex8, v, 8);
    AppendHexFixed(hex16, v, 16);
    ASSERT_EQ(dec, Printf("%" PRIu64, v));
    ASSERT_EQ(pad, Printf("%06" PRIu64, v % 1000000));
    ASSERT_EQ(hex8, Printf("%08" PRIx64, v));  // wider values are never cut
    ASSERT_EQ(hex16, Printf("%016" PRIx64, v));
  }
}

std::string Address(const mptcp_opts::IpAddress& a) {
  std::string s;
  AppendAddress(s, a);
  return s;
}

TEST(JsonObjectTest, AddressesAreWhatInetNtopWrites) {
  for (const char* text : {"::", "::1", "1::", "::ffff:1.2.3.4", "::1.2.3.4", "::ffff:0:1.2.3.4",
                           "1:0:0:1:0:0:0:1", "1:0:0:2:0:0:3:4", "0:0:1::", "2001:db8::",
                           "::ffff:0.0.0.0", "::0.0.0.2", "fe80::1:2", "1:2:3:4:5:6:7:8",
                           "0:1:2:3:4:5:6:7", "1:2:3:4:5:6:7:0", "0.0.0.0", "255.255.255.255",
                           "10.51.1.1"}) {
    const auto a = mptcp_opts::IpAddress::Parse(text);
    ASSERT_TRUE(a) << text;
    EXPECT_EQ(Address(*a), a->ToString()) << text;
  }
  std::mt19937_64 rng(15);
  for (int n = 0; n < 200000; ++n) {
    uint8_t b[16];
    for (uint8_t& x : b) {
      const uint64_t r = rng();
      x = (r & 3) ? 0 : (r >> 20) % 5 == 0 ? 0xff : static_cast<uint8_t>(r >> 8);  // zero runs
    }
    const auto v6 = mptcp_opts::IpAddress::FromV6Bytes(b);
    const auto v4 = mptcp_opts::IpAddress::FromV4Bytes(b);
    ASSERT_EQ(Address(v6), v6.ToString());
    ASSERT_EQ(Address(v4), v4.ToString());
  }
}

TEST(JsonObjectTest, EndpointAndFieldsKeepTheOldForms) {
  std::string e;
  AppendEndpoint(e, *mptcp_opts::IpAddress::Parse("2001:db8::1"), 443);
  EXPECT_EQ(e, Endpoint(*mptcp_opts::IpAddress::Parse("2001:db8::1"), 443));
  EXPECT_EQ(e, "[2001:db8::1]:443");
  std::string out;
  JsonObject j(out);
  j.Num("frame", 1).Fields("\"a\": 1").NumOrNull("connection", 0).NumOrNull("subflow", 2);
  j.Hex("token", 0xab, 8).Str("s", std::string("a\"b\\c\x01\nd")).Str("e", "").End();
  EXPECT_EQ(out, "{\"frame\": 1, \"a\": 1, \"connection\": null, \"subflow\": 2, "
                 "\"token\": \"000000ab\", \"s\": \"a\\\"b\\\\cd\", \"e\": \"\"}\n");
}

}  // namespace
}  // namespace mptcp_decode
