// SPDX-License-Identifier: Apache-2.0
// MP_FASTCLOSE (RFC 8684 §3.5): abrupt close of the whole connection, proven
// by echoing the receiver's key.   | 30 | 12 | 7 | rsv | receiver's key (64) |
//
//   mptcp_opts::MpFastclose f;
//   if (Decode(option_bytes, f) == DecodeStatus::kOk && f.receiver_key == my_key) Abort();
#ifndef MPTCP_OPTS_MP_FASTCLOSE_H_
#define MPTCP_OPTS_MP_FASTCLOSE_H_

#include <cstdint>
#include <span>

#include "mptcp_opts/option_header.h"
#include "mptcp_opts/wire.h"

namespace mptcp_opts {

struct MpFastclose {
  uint64_t receiver_key = 0;
  friend bool operator==(const MpFastclose&, const MpFastclose&) = default;
};

inline constexpr uint8_t kMpFastcloseLength = 12;

// Statuses: kOk; kTruncated; kBadLength (not 12); kWrongKind / kWrongSubtype.
namespace internal {

// The body of Decode, for a header CheckMptcpHeader accepted: `p` holds the
// option's `len` bytes. The dispatcher calls it after checking the header once.
[[nodiscard]] inline DecodeStatus DecodeBody(const uint8_t* p, size_t len, MpFastclose& out) {
  if (len != kMpFastcloseLength) return DecodeStatus::kBadLength;
  out.receiver_key = internal::LoadBe64(p + 4);
  return DecodeStatus::kOk;
}

}  // namespace internal

[[nodiscard]] inline DecodeStatus Decode(std::span<const uint8_t> option, MpFastclose& out) {
  size_t len = 0;
  if (auto s = internal::CheckMptcpHeader(option, uint8_t(Subtype::kMpFastclose), len);
      s != DecodeStatus::kOk) {
    return s;
  }
  return internal::DecodeBody(option.data(), len, out);
}

inline size_t EncodedSize(const MpFastclose&) { return kMpFastcloseLength; }

[[nodiscard]] inline EncodeStatus Encode(const MpFastclose& f, std::span<uint8_t> out,
                                         size_t& written) {
  written = 0;
  if (out.size() < kMpFastcloseLength) return EncodeStatus::kBufferTooSmall;
  internal::WriteMptcpHeader(out.data(), kMpFastcloseLength, uint8_t(Subtype::kMpFastclose), 0);
  out[3] = 0;
  internal::StoreBe64(out.data() + 4, f.receiver_key);
  written = kMpFastcloseLength;
  return EncodeStatus::kOk;
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_MP_FASTCLOSE_H_
