// SPDX-License-Identifier: Apache-2.0
// MP_FAIL (RFC 8684 §3.7): reports a checksum failure and the data sequence
// number from which data is unreliable.   | 30 | 12 | 6 | rsv | DSN (64) |
//
//   mptcp_opts::MpFail f;
//   if (Decode(option_bytes, f) == DecodeStatus::kOk) FallBackAt(f.dsn);
#ifndef MPTCP_OPTS_MP_FAIL_H_
#define MPTCP_OPTS_MP_FAIL_H_

#include <cstdint>
#include <span>

#include "mptcp_opts/option_header.h"
#include "mptcp_opts/wire.h"

namespace mptcp_opts {

struct MpFail {
  uint64_t dsn = 0;
  friend bool operator==(const MpFail&, const MpFail&) = default;
};

inline constexpr uint8_t kMpFailLength = 12;

// Statuses: kOk; kTruncated; kBadLength (not 12); kWrongKind / kWrongSubtype.
namespace internal {

// The body of Decode, for a header CheckMptcpHeader accepted: `p` holds the
// option's `len` bytes. The dispatcher calls it after checking the header once.
[[nodiscard]] inline DecodeStatus DecodeBody(const uint8_t* p, size_t len, MpFail& out) {
  if (len != kMpFailLength) return DecodeStatus::kBadLength;
  out.dsn = internal::LoadBe64(p + 4);
  return DecodeStatus::kOk;
}

}  // namespace internal

[[nodiscard]] inline DecodeStatus Decode(std::span<const uint8_t> option, MpFail& out) {
  size_t len = 0;
  if (auto s = internal::CheckMptcpHeader(option, uint8_t(Subtype::kMpFail), len);
      s != DecodeStatus::kOk) {
    return s;
  }
  return internal::DecodeBody(option.data(), len, out);
}

inline size_t EncodedSize(const MpFail&) { return kMpFailLength; }

[[nodiscard]] inline EncodeStatus Encode(const MpFail& f, std::span<uint8_t> out,
                                         size_t& written) {
  written = 0;
  if (out.size() < kMpFailLength) return EncodeStatus::kBufferTooSmall;
  internal::WriteMptcpHeader(out.data(), kMpFailLength, uint8_t(Subtype::kMpFail), 0);
  out[3] = 0;
  internal::StoreBe64(out.data() + 4, f.dsn);
  written = kMpFailLength;
  return EncodeStatus::kOk;
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_MP_FAIL_H_
