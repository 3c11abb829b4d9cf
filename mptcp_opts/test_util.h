// SPDX-License-Identifier: Apache-2.0
// Test helpers shared by the codec tests: hex to bytes, exact-size heap
// copies (so ASan catches a read one byte past the input), and the
// truncation / wrong-length sweeps every decoder test runs.
#ifndef MPTCP_OPTS_TEST_UTIL_H_
#define MPTCP_OPTS_TEST_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/hex_text.h"
#include "mptcp_opts/status.h"

namespace mptcp_opts::test {

inline std::vector<uint8_t> Hex(const std::string& text) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(ParseHex(text, out)) << "not a hex fixture: " << text;
  return out;
}

inline std::string ToHex(std::span<const uint8_t> bytes) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    s += d[b >> 4];
    s += d[b & 15];
  }
  return s;
}

// A heap buffer of exactly the given bytes: reading one past the end is an
// ASan report, not silently a neighbouring byte.
class ExactCopy {
 public:
  explicit ExactCopy(std::span<const uint8_t> bytes)
      : size_(bytes.size()), data_(new uint8_t[bytes.size() ? bytes.size() : 1]) {
    std::copy(bytes.begin(), bytes.end(), data_.get());
  }
  std::span<const uint8_t> span() const { return {data_.get(), size_}; }

 private:
  size_t size_;
  std::unique_ptr<uint8_t[]> data_;
};

// Every strict prefix of a valid option must decode to kTruncated.
template <typename DecodeFn>
void ExpectTruncatedAtEveryByte(const std::vector<uint8_t>& valid, DecodeFn decode) {
  for (size_t cut = 0; cut < valid.size(); ++cut) {
    ExactCopy copy(std::span<const uint8_t>(valid.data(), cut));
    EXPECT_EQ(decode(copy.span()), DecodeStatus::kTruncated)
        << "cut at " << cut << " of " << ToHex(valid);
  }
}

// Every Length byte outside `allowed` (buffer sized to match, so the option
// is never truncated) must decode to kBadLength; lengths in `allowed` must
// not. `valid` supplies the header bytes (kind, subtype, flags).
template <typename DecodeFn>
void ExpectBadLengthOutside(const std::vector<uint8_t>& valid, std::vector<int> allowed,
                            DecodeFn decode) {
  for (int len = 0; len <= 255; ++len) {
    std::vector<uint8_t> bytes(std::max(len, 4), 0x5a);
    for (size_t i = 0; i < std::min(valid.size(), bytes.size()); ++i) bytes[i] = valid[i];
    bytes[1] = static_cast<uint8_t>(len);
    ExactCopy copy(bytes);
    const DecodeStatus s = decode(copy.span());
    const bool ok_len = std::find(allowed.begin(), allowed.end(), len) != allowed.end();
    if (ok_len) {
      EXPECT_NE(s, DecodeStatus::kBadLength) << "length " << len << " is valid";
    } else {
      EXPECT_EQ(s, DecodeStatus::kBadLength) << "length " << len << " of " << ToHex(valid);
    }
  }
}

}  // namespace mptcp_opts::test

#endif  // MPTCP_OPTS_TEST_UTIL_H_
