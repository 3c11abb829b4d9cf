// SPDX-License-Identifier: Apache-2.0
// MP_PRIO (RFC 8684 §3.3.8; RFC 6824 §3.3.8): changes a subflow's backup
// priority. v1: | 30 | 3 | 5 | rsv B |. v0 also allows Length 4 with the
// address ID the change applies to.
//
//   mptcp_opts::MpPrio m;
//   if (Decode(option_bytes, MptcpVersion::kV1, m) == DecodeStatus::kOk) SetBackup(m.backup);
#ifndef MPTCP_OPTS_MP_PRIO_H_
#define MPTCP_OPTS_MP_PRIO_H_

#include <cstdint>
#include <optional>
#include <span>

#include "mptcp_opts/option_header.h"

namespace mptcp_opts {

struct MpPrio {
  MptcpVersion version = MptcpVersion::kV1;
  bool backup = false;
  std::optional<uint8_t> address_id;  // v0 only
  friend bool operator==(const MpPrio&, const MpPrio&) = default;
};

// Statuses: kOk; kTruncated; kBadLength (v1: not 3; v0: not 3 or 4);
// kWrongKind / kWrongSubtype.
namespace internal {

// The body of Decode, for a header CheckMptcpHeader accepted: `p` holds the
// option's `len` bytes. The dispatcher calls it after checking the header once.
[[nodiscard]] inline DecodeStatus DecodeBody(const uint8_t* p, size_t len, MptcpVersion version, MpPrio& out) {
  if (len != 3 && !(len == 4 && version == MptcpVersion::kV0)) return DecodeStatus::kBadLength;
  out = MpPrio{version, bool(p[2] & 0x01), std::nullopt};
  if (len == 4) out.address_id = p[3];
  return DecodeStatus::kOk;
}

}  // namespace internal

[[nodiscard]] inline DecodeStatus Decode(std::span<const uint8_t> option, MptcpVersion version,
                                         MpPrio& out) {
  size_t len = 0;
  if (auto s = internal::CheckMptcpHeader(option, uint8_t(Subtype::kMpPrio), len);
      s != DecodeStatus::kOk) {
    return s;
  }
  return internal::DecodeBody(option.data(), len, version, out);
}

// 0 (no wire form) for a v1 MP_PRIO with an address ID.
inline size_t EncodedSize(const MpPrio& m) {
  if (!m.address_id) return 3;
  return m.version == MptcpVersion::kV0 ? 4 : 0;
}

[[nodiscard]] inline EncodeStatus Encode(const MpPrio& m, std::span<uint8_t> out,
                                         size_t& written) {
  written = 0;
  const size_t n = EncodedSize(m);
  if (n == 0) return EncodeStatus::kInvalidValue;
  if (out.size() < n) return EncodeStatus::kBufferTooSmall;
  internal::WriteMptcpHeader(out.data(), uint8_t(n), uint8_t(Subtype::kMpPrio), m.backup ? 1 : 0);
  if (n == 4) out[3] = *m.address_id;
  written = n;
  return EncodeStatus::kOk;
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_MP_PRIO_H_
