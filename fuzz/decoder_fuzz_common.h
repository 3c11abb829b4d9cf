// SPDX-License-Identifier: Apache-2.0
// Shared by the fuzz targets for what mptcp-decode reads (the packet
// dissector, the connection tracker, the capture decoder): the property
// macro, an input reader and heap measurement.
//
// As in fuzz_checks.h, a violated property aborts in the libFuzzer targets
// (clang, ASan/UBSan) and throws PropertyViolation when built with
// MPTCP_FUZZ_CHECKS_THROW, as fuzz/decoder_regression_test.cc (gcc, the
// normal suite) does to replay the corpora. Own names (namespace
// mptcp_decode::fuzz, DECODER_FUZZ_CHECK) so this header never clashes with
// fuzz_checks.h.
#ifndef MPTCP_OPTS_FUZZ_DECODER_FUZZ_COMMON_H_
#define MPTCP_OPTS_FUZZ_DECODER_FUZZ_COMMON_H_

#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <stdexcept>
#include <string>

#include "fuzz/property_check.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DECODER_FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define DECODER_FUZZ_ASAN 1
#endif
#if defined(DECODER_FUZZ_ASAN)
#include <sanitizer/allocator_interface.h>
#endif

namespace mptcp_decode::fuzz {

#if defined(MPTCP_FUZZ_CHECKS_THROW)
using ::mptcp_fuzz::PropertyViolation;
#endif
using ::mptcp_fuzz::CheckFailed;
#define DECODER_FUZZ_CHECK(cond) MPTCP_FUZZ_CHECK(cond)

// Reads the fuzz input front to back, big-endian. Past the end every read
// gives 0 (and Bytes() an empty span), so any input is a complete program.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  bool empty() const { return at_ >= data_.size(); }
  size_t remaining() const { return data_.size() - at_; }

  // (Each read is its own statement: the operands of | are unsequenced.)
  uint8_t U8() { return empty() ? 0 : data_[at_++]; }
  uint16_t U16() {
    const uint16_t high = U8();
    return static_cast<uint16_t>((high << 8) | U8());
  }
  uint32_t U32() {
    const uint32_t high = U16();
    return (high << 16) | U16();
  }
  uint64_t U64() {
    const uint64_t high = U32();
    return (high << 32) | U32();
  }
  // Up to `n` bytes: fewer at the end of the input.
  std::span<const uint8_t> Bytes(size_t n) {
    const size_t k = n < remaining() ? n : remaining();
    const auto out = data_.subspan(at_, k);
    at_ += k;
    return out;
  }
  std::span<const uint8_t> Rest() { return Bytes(remaining()); }

 private:
  std::span<const uint8_t> data_;
  size_t at_ = 0;
};

// Bytes currently allocated on the heap by the whole process: ASan's
// allocator statistics in the instrumented targets, glibc's otherwise
// (small chunks plus mmapped ones).
inline size_t LiveHeapBytes() {
#if defined(DECODER_FUZZ_ASAN)
  return __sanitizer_get_current_allocated_bytes();
#else
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
#endif
}

// True when `inner` lies inside `outer` (an empty span always does: its
// pointer is not meaningful).
inline bool Within(std::span<const uint8_t> inner, std::span<const uint8_t> outer) {
  if (inner.empty()) return true;
  const auto in = reinterpret_cast<uintptr_t>(inner.data());
  const auto out = reinterpret_cast<uintptr_t>(outer.data());
  return in >= out && in - out <= outer.size() && inner.size() <= outer.size() - (in - out);
}

}  // namespace mptcp_decode::fuzz

#endif  // MPTCP_OPTS_FUZZ_DECODER_FUZZ_COMMON_H_
