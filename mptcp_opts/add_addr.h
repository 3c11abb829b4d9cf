// SPDX-License-Identifier: Apache-2.0
// ADD_ADDR (RFC 8684 §3.4.1 for v1, RFC 6824 §3.4.1 for v0): announces an
// address, optionally with a port. The two versions share the subtype but not
// the layout, so the decoder takes the connection's version.
//
//   v0: | 30 | len | 3 | IPVer | ID | address | [port] |          len 8/10/20/22
//   v1: | 30 | len | 3 | rsv E | ID | address | [port] | [HMAC] |
//        E=1 (echo, no HMAC): 8/10/20/22;  E=0 (64-bit HMAC): 16/18/28/30
//
//   mptcp_opts::AddAddr a;
//   if (Decode(option_bytes, MptcpVersion::kV1, a) == DecodeStatus::kOk) ...
#ifndef MPTCP_OPTS_ADD_ADDR_H_
#define MPTCP_OPTS_ADD_ADDR_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "mptcp_opts/ip_address.h"
#include "mptcp_opts/option_header.h"
#include "mptcp_opts/wire.h"

namespace mptcp_opts {

struct AddAddr {
  MptcpVersion version = MptcpVersion::kV1;
  bool echo = false;  // v1 only
  uint8_t address_id = 0;
  IpAddress address;
  std::optional<uint16_t> port;
  // v1 only, present exactly when echo is false: the rightmost 64 bits of
  // HMAC(sender key || receiver key, ID || address || port) (decisions.md D11).
  std::optional<uint64_t> truncated_hmac;

  friend bool operator==(const AddAddr&, const AddAddr&) = default;
};

// Decodes one ADD_ADDR. Statuses: kOk; kTruncated; kBadLength (length not
// valid for the version and, in v1, the E bit); kBadIpVersion (v0 IPVer not 4
// or 6, or not matching the length); kWrongKind / kWrongSubtype.
namespace internal {

// DecodeBody for one version and E bit, known at compile time: each of the
// three cases folds its own constants (HMAC or not, where the length table is
// indexed), so the common one (v1, no echo) tests the version and the E bit
// once each.
template <MptcpVersion kVersion, bool kEcho>
[[nodiscard]] inline DecodeStatus DecodeShape(const uint8_t* p, size_t len, AddAddr& out) {
  constexpr bool kV1 = kVersion == MptcpVersion::kV1;
  constexpr bool kHasHmac = kV1 && !kEcho;
  // By the bytes before the HMAC: 8 IPv4, 10 IPv4 + port, 20 IPv6, 22 IPv6 + port.
  static constexpr uint8_t kValid = 1, kV6 = 2, kPort = 4;
  static constexpr auto kShapes = [] {
    std::array<uint8_t, 23> t{};
    t[8] = kValid;
    t[10] = kValid | kPort;
    t[20] = kValid | kV6;
    t[22] = kValid | kV6 | kPort;
    return t;
  }();
  const size_t before_hmac = kHasHmac ? len - 8 : len;  // wraps past the table when len < 8
  const uint8_t shape = before_hmac < kShapes.size() ? kShapes[before_hmac] : 0;
  if (!(shape & kValid)) [[unlikely]] return DecodeStatus::kBadLength;
  const bool v6 = shape & kV6;
  if (!kV1 && (p[2] & 0x0f) != (v6 ? 6 : 4)) [[unlikely]] return DecodeStatus::kBadIpVersion;
  out.version = kVersion;
  out.echo = kEcho;
  out.address_id = p[3];
  if (!v6) [[likely]] {
    out.address.AssignV4(p + 4);
  } else {
    out.address.AssignV6(p + 4);
  }
  // Port right after the address, HMAC in the last 8 bytes: fixed offsets.
  if (shape & kPort) [[unlikely]] {  // Linux announces a port only when it differs
    out.port = internal::LoadBe16(p + (v6 ? 20 : 8));
  } else {
    internal::Clear(out.port);
  }
  if constexpr (kHasHmac) {
    out.truncated_hmac = internal::LoadBe64(p + len - 8);
  } else {
    internal::Clear(out.truncated_hmac);
  }
  return DecodeStatus::kOk;
}

// The body of Decode, for a header CheckMptcpHeader accepted: `p` holds the
// option's `len` bytes. The dispatcher calls it after checking the header once.
// Everything is validated before the first write; then each field is set in
// place (the dispatcher may be reusing `out`; no temporary). The length is
// classified by one table load, not a chain of compares: ADD_ADDR sits on the
// per-segment path of every connection that announces addresses.
[[nodiscard]] inline DecodeStatus DecodeBody(const uint8_t* p, size_t len, MptcpVersion version,
                                             AddAddr& out) {
  if (version == MptcpVersion::kV1) [[likely]] {  // v0 is legacy
    // An echo is the rarer of the two (one per announcement received).
    if (!(p[2] & 0x01)) [[likely]] return DecodeShape<MptcpVersion::kV1, false>(p, len, out);
    return DecodeShape<MptcpVersion::kV1, true>(p, len, out);
  }
  return DecodeShape<MptcpVersion::kV0, false>(p, len, out);
}

}  // namespace internal

[[nodiscard]] inline DecodeStatus Decode(std::span<const uint8_t> option, MptcpVersion version,
                                         AddAddr& out) {
  size_t len = 0;
  if (auto s = internal::CheckMptcpHeader(option, uint8_t(Subtype::kAddAddr), len);
      s != DecodeStatus::kOk) {
    return s;
  }
  return internal::DecodeBody(option.data(), len, version, out);
}

// 0 when the value has no wire form: v0 with echo or an HMAC; v1 where the
// HMAC's presence does not match !echo.
inline size_t EncodedSize(const AddAddr& a) {
  size_t n = 4 + a.address.size() + (a.port ? 2 : 0);
  if (a.version == MptcpVersion::kV0) return (a.echo || a.truncated_hmac) ? 0 : n;
  if (a.echo == a.truncated_hmac.has_value()) return 0;
  return n + (a.truncated_hmac ? 8 : 0);
}

[[nodiscard]] inline EncodeStatus Encode(const AddAddr& a, std::span<uint8_t> out,
                                         size_t& written) {
  written = 0;
  const size_t n = EncodedSize(a);
  if (n == 0) return EncodeStatus::kInvalidValue;
  if (out.size() < n) return EncodeStatus::kBufferTooSmall;
  uint8_t* p = out.data();
  const uint8_t low = a.version == MptcpVersion::kV0 ? (a.address.is_v6() ? 6 : 4)
                                                     : (a.echo ? 1 : 0);
  internal::WriteMptcpHeader(p, uint8_t(n), uint8_t(Subtype::kAddAddr), low);
  p[3] = a.address_id;
  const auto addr = a.address.bytes();
  for (size_t i = 0; i < addr.size(); ++i) p[4 + i] = addr[i];
  size_t at = 4 + addr.size();
  if (a.port) {
    internal::StoreBe16(p + at, *a.port);
    at += 2;
  }
  if (a.truncated_hmac) internal::StoreBe64(p + at, *a.truncated_hmac);
  written = n;
  return EncodeStatus::kOk;
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_ADD_ADDR_H_
