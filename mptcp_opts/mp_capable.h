// SPDX-License-Identifier: Apache-2.0
// MP_CAPABLE (RFC 8684 §3.1 for v1, RFC 6824 §3.1 for v0): the handshake
// option that carries the keys. Which handshake step a length belongs to:
//
//   version | SYN | SYN/ACK | ACK | ACK + first data
//   v0      | 12  | 12      | 20  | (DSS instead)
//   v1      |  4  | 12      | 20  | 22 (no checksum) / 24 (checksum)
//
//   mptcp_opts::MpCapable c;
//   if (Decode(option_bytes, c) == DecodeStatus::kOk && c.sender_key) { ... }
//   size_t n; Encode(c, out, n);
#ifndef MPTCP_OPTS_MP_CAPABLE_H_
#define MPTCP_OPTS_MP_CAPABLE_H_

#include <cstdint>
#include <optional>
#include <span>

#include "mptcp_opts/option_header.h"
#include "mptcp_opts/wire.h"

namespace mptcp_opts {

struct MpCapable {
  // Flag bits of byte 3, RFC 8684 §3.1 (A is the most significant bit).
  static constexpr uint8_t kFlagA = 0x80;  // checksum required
  static constexpr uint8_t kFlagB = 0x40;  // extensibility, must be 0
  static constexpr uint8_t kFlagC = 0x20;  // v1: no joins to this address/port
  static constexpr uint8_t kFlagD = 0x10;
  static constexpr uint8_t kFlagE = 0x08;
  static constexpr uint8_t kFlagF = 0x04;
  static constexpr uint8_t kFlagG = 0x02;
  static constexpr uint8_t kFlagH = 0x01;  // v0 HMAC-SHA1, v1 HMAC-SHA256

  uint8_t version = 1;  // 4 bits on the wire
  uint8_t flags = kFlagH;
  std::optional<uint64_t> sender_key;
  std::optional<uint64_t> receiver_key;
  std::optional<uint16_t> data_level_length;  // v1 ACK with data only
  std::optional<uint16_t> checksum;           // only with data_level_length

  bool checksum_required() const { return flags & kFlagA; }
  bool extensibility() const { return flags & kFlagB; }
  // v1 only: the sender does not accept MP_JOINs to the address/port of this
  // subflow (RFC 8684 §3.1, Linux MPTCP_CAP_DENY_JOIN_ID0).
  bool no_joins_to_this_address() const { return version >= 1 && (flags & kFlagC); }
  bool hmac_sha256() const { return version >= 1 && (flags & kFlagH); }
  bool hmac_sha1() const { return version == 0 && (flags & kFlagH); }
  // The receiver's check of RFC 8684 / RFC 6824 §3.1, left to the caller
  // because such options are well-formed: an MP_CAPABLE with B set (an
  // extension this codec does not know) or without H (the one HMAC algorithm
  // either version defines) must be ignored, i.e. the connection falls back
  // to plain TCP. Linux's parser applies the same rule.
  bool usable_by_receiver() const { return !(flags & kFlagB) && (flags & kFlagH); }

  friend bool operator==(const MpCapable&, const MpCapable&) = default;
};

// Decodes one MP_CAPABLE option (`option` starts at the Kind byte; bytes past
// its Length are ignored). Statuses: kOk; kTruncated; kBadLength (length not
// in the table above for the version); kUnsupportedVersion (version > 1);
// kWrongKind / kWrongSubtype. On failure `out` is unspecified.
namespace internal {

// The body of Decode, for a header CheckMptcpHeader accepted: `p` holds the
// option's `len` bytes. The dispatcher calls it after checking the header once.
[[nodiscard]] inline DecodeStatus DecodeBody(const uint8_t* p, size_t len, MpCapable& out) {
  if (len < 4) return DecodeStatus::kBadLength;
  internal::Clear(out.sender_key);
  internal::Clear(out.receiver_key);
  internal::Clear(out.data_level_length);
  internal::Clear(out.checksum);
  out.version = p[2] & 0x0f;
  out.flags = p[3];
  if (out.version > 1) return DecodeStatus::kUnsupportedVersion;
  const bool v0 = out.version == 0;
  switch (len) {
    case 4:
      if (v0) return DecodeStatus::kBadLength;  // v0 SYN always carries a key
      return DecodeStatus::kOk;
    case 12:
      out.sender_key = internal::LoadBe64(p + 4);
      return DecodeStatus::kOk;
    case 20:
      out.sender_key = internal::LoadBe64(p + 4);
      out.receiver_key = internal::LoadBe64(p + 12);
      return DecodeStatus::kOk;
    case 22:
    case 24:
      if (v0) return DecodeStatus::kBadLength;
      out.sender_key = internal::LoadBe64(p + 4);
      out.receiver_key = internal::LoadBe64(p + 12);
      out.data_level_length = internal::LoadBe16(p + 20);
      if (len == 24) out.checksum = internal::LoadBe16(p + 22);
      return DecodeStatus::kOk;
    default:
      return DecodeStatus::kBadLength;
  }
}

}  // namespace internal

[[nodiscard]] inline DecodeStatus Decode(std::span<const uint8_t> option, MpCapable& out) {
  size_t len = 0;
  if (auto s = internal::CheckMptcpHeader(option, uint8_t(Subtype::kMpCapable), len);
      s != DecodeStatus::kOk) {
    return s;
  }
  return internal::DecodeBody(option.data(), len, out);
}

// 0 when the value has no wire form (see Encode's kInvalidValue cases).
inline size_t EncodedSize(const MpCapable& c) {
  if (c.version > 15) return 0;
  // v0 has only the 12- and 20-byte forms (RFC 6824 §3.1).
  if (c.version == 0 && (!c.sender_key || c.data_level_length || c.checksum)) return 0;
  if (!c.sender_key) return (c.receiver_key || c.data_level_length || c.checksum) ? 0 : 4;
  if (!c.receiver_key) return (c.data_level_length || c.checksum) ? 0 : 12;
  if (!c.data_level_length) return c.checksum ? 0 : 20;
  return c.checksum ? 24 : 22;
}

// Writes the option into `out` and sets `written`. kInvalidValue when a field
// is present without the ones it depends on (receiver key without sender key,
// checksum without data-level length), for a v0 value without a key or with a
// data-level length (v1-only forms), or version > 15; kBufferTooSmall.
[[nodiscard]] inline EncodeStatus Encode(const MpCapable& c, std::span<uint8_t> out,
                                         size_t& written) {
  written = 0;
  const size_t n = EncodedSize(c);
  if (n == 0) return EncodeStatus::kInvalidValue;
  if (out.size() < n) return EncodeStatus::kBufferTooSmall;
  uint8_t* p = out.data();
  internal::WriteMptcpHeader(p, uint8_t(n), uint8_t(Subtype::kMpCapable), c.version);
  p[3] = c.flags;
  if (n >= 12) internal::StoreBe64(p + 4, *c.sender_key);
  if (n >= 20) internal::StoreBe64(p + 12, *c.receiver_key);
  if (n >= 22) internal::StoreBe16(p + 20, *c.data_level_length);
  if (n == 24) internal::StoreBe16(p + 22, *c.checksum);
  written = n;
  return EncodeStatus::kOk;
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_MP_CAPABLE_H_
