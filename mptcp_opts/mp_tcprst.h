// SPDX-License-Identifier: Apache-2.0
// MP_TCPRST (RFC 8684 §3.6, v1 only): why a subflow was reset.
//   | 30 | 4 | 8 | U V W T | reason |   T = transient (the subflow may be retried)
//
//   mptcp_opts::MpTcprst r;
//   if (Decode(option_bytes, r) == DecodeStatus::kOk) Log(MpTcprstReasonName(r.reason));
#ifndef MPTCP_OPTS_MP_TCPRST_H_
#define MPTCP_OPTS_MP_TCPRST_H_

#include <cstdint>
#include <span>

#include "mptcp_opts/option_header.h"

namespace mptcp_opts {

// RFC 8684 §3.6 / IANA "MPTCP TCPRST Reason Codes".
enum class MpTcprstReason : uint8_t {
  kUnspecified = 0,
  kMptcpSpecificError = 1,
  kLackOfResources = 2,
  kAdministrativelyProhibited = 3,
  kTooMuchOutstandingData = 4,
  kUnacceptablePerformance = 5,
  kMiddleboxInterference = 6,
};

// Name of a reason code; "UNASSIGNED" for values IANA has not registered.
constexpr const char* MpTcprstReasonName(uint8_t reason) {
  switch (reason) {
    case 0: return "UNSPECIFIED";
    case 1: return "MPTCP_SPECIFIC_ERROR";
    case 2: return "LACK_OF_RESOURCES";
    case 3: return "ADMINISTRATIVELY_PROHIBITED";
    case 4: return "TOO_MUCH_OUTSTANDING_DATA";
    case 5: return "UNACCEPTABLE_PERFORMANCE";
    case 6: return "MIDDLEBOX_INTERFERENCE";
  }
  return "UNASSIGNED";
}

struct MpTcprst {
  static constexpr uint8_t kFlagTransient = 0x01;  // T
  uint8_t flags = 0;   // low nibble: U V W T (U, V, W are unassigned)
  uint8_t reason = 0;  // raw, so unassigned codes survive a round trip
  bool transient() const { return flags & kFlagTransient; }
  friend bool operator==(const MpTcprst&, const MpTcprst&) = default;
};

inline constexpr uint8_t kMpTcprstLength = 4;

// Statuses: kOk; kTruncated; kBadLength (not 4); kWrongKind / kWrongSubtype.
namespace internal {

// The body of Decode, for a header CheckMptcpHeader accepted: `p` holds the
// option's `len` bytes. The dispatcher calls it after checking the header once.
[[nodiscard]] inline DecodeStatus DecodeBody(const uint8_t* p, size_t len, MpTcprst& out) {
  if (len != kMpTcprstLength) return DecodeStatus::kBadLength;
  out.flags = p[2] & 0x0f;
  out.reason = p[3];
  return DecodeStatus::kOk;
}

}  // namespace internal

[[nodiscard]] inline DecodeStatus Decode(std::span<const uint8_t> option, MpTcprst& out) {
  size_t len = 0;
  if (auto s = internal::CheckMptcpHeader(option, uint8_t(Subtype::kMpTcprst), len);
      s != DecodeStatus::kOk) {
    return s;
  }
  return internal::DecodeBody(option.data(), len, out);
}

// 0 (no wire form) when flags uses more than the low nibble.
inline size_t EncodedSize(const MpTcprst& r) { return r.flags > 0x0f ? 0 : kMpTcprstLength; }

[[nodiscard]] inline EncodeStatus Encode(const MpTcprst& r, std::span<uint8_t> out,
                                         size_t& written) {
  written = 0;
  if (EncodedSize(r) == 0) return EncodeStatus::kInvalidValue;
  if (out.size() < kMpTcprstLength) return EncodeStatus::kBufferTooSmall;
  internal::WriteMptcpHeader(out.data(), kMpTcprstLength, uint8_t(Subtype::kMpTcprst), r.flags);
  out[3] = r.reason;
  written = kMpTcprstLength;
  return EncodeStatus::kOk;
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_MP_TCPRST_H_
