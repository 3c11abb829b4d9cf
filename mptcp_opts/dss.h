// SPDX-License-Identifier: Apache-2.0
// DSS, the Data Sequence Signal (RFC 8684 §3.3; RFC 6824 §3.3 is identical):
// a data-level ACK and/or a mapping from subflow to data sequence space.
//
//   flags (byte 3, low 5 bits): F=0x10 DATA_FIN, m=0x08 DSN is 8 bytes,
//   M=0x04 mapping present, a=0x02 Data ACK is 8 bytes, A=0x01 Data ACK present.
//   Length = 4 + (A ? (a ? 8 : 4) : 0) + (M ? (m ? 8 : 4) + 4 + 2 + (csum ? 2 : 0) : 0)
//
//   mptcp_opts::Dss d;
//   if (Decode(option_bytes, d) == DecodeStatus::kOk && d.mapping) Map(*d.mapping);
#ifndef MPTCP_OPTS_DSS_H_
#define MPTCP_OPTS_DSS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "mptcp_opts/option_header.h"
#include "mptcp_opts/wire.h"

namespace mptcp_opts {

struct DssMapping {
  uint64_t dsn = 0;             // data sequence number (4 or 8 bytes on the wire)
  uint32_t subflow_seq = 0;     // relative subflow sequence number
  uint16_t data_level_length = 0;
  std::optional<uint16_t> checksum;  // present when checksums were negotiated
  friend bool operator==(const DssMapping&, const DssMapping&) = default;
};

struct Dss {
  static constexpr uint8_t kFlagDataFin = 0x10;
  static constexpr uint8_t kFlagDsn8 = 0x08;
  static constexpr uint8_t kFlagMapping = 0x04;
  static constexpr uint8_t kFlagAck8 = 0x02;
  static constexpr uint8_t kFlagAck = 0x01;

  std::optional<uint64_t> data_ack;
  std::optional<DssMapping> mapping;
  bool data_fin = false;
  // Wire widths. Kept even when the field they size is absent (a sender may
  // set m without M), so decode -> encode reproduces the flags byte.
  bool data_ack_8_bytes = false;
  bool dsn_8_bytes = false;

  friend bool operator==(const Dss&, const Dss&) = default;
};

// Length a DSS with these flags has (without / with a mapping checksum).
inline constexpr size_t DssLength(uint8_t flags, bool checksum) {
  size_t n = 4;
  if (flags & Dss::kFlagAck) n += (flags & Dss::kFlagAck8) ? 8 : 4;
  if (flags & Dss::kFlagMapping) n += ((flags & Dss::kFlagDsn8) ? 8 : 4) + 4 + 2 + (checksum ? 2 : 0);
  return n;
}

// Decodes one DSS option. The Length must equal what the flags require, with
// or without the 2-byte checksum (which can only follow a mapping). Statuses:
// kOk; kTruncated; kBadLength; kWrongKind / kWrongSubtype. A 4-byte DSS with
// no flags set decodes (it says nothing; RFC 8684 does not forbid it).
namespace internal {

// The body of Decode, for a header CheckMptcpHeader accepted: `p` holds the
// option's `len` bytes. The dispatcher calls it after checking the header once.
[[nodiscard]] inline DecodeStatus DecodeBody(const uint8_t* p, size_t len, Dss& out) {
  if (len < 4) return DecodeStatus::kBadLength;
  const uint8_t flags = p[3] & 0x1f;
  // DssLength without checksum for each of the 16 A/a/M/m combinations: one
  // table load on the per-segment path instead of recomputing it twice.
  static constexpr auto kLengths = [] {
    std::array<uint8_t, 16> t{};
    for (uint8_t f = 0; f < 16; ++f) t[f] = static_cast<uint8_t>(DssLength(f, false));
    return t;
  }();
  const size_t base = kLengths[flags & 0x0f];
  bool has_csum = false;
  if (len != base) [[unlikely]] {  // checksums are off unless both ends ask for them
    if (!(flags & Dss::kFlagMapping) || len != base + 2) return DecodeStatus::kBadLength;
    has_csum = true;
  }
  out.data_fin = flags & Dss::kFlagDataFin;
  out.data_ack_8_bytes = flags & Dss::kFlagAck8;
  out.dsn_8_bytes = flags & Dss::kFlagDsn8;
  // Each optional is set or cleared once (no reset-then-set), and a mapping
  // already held is overwritten field by field rather than re-zeroed.
  const uint8_t* q = p + 4;
  if (flags & Dss::kFlagAck) [[likely]] {  // Linux sends a Data ACK in every DSS
    if (flags & Dss::kFlagAck8) {
      out.data_ack = internal::LoadBe64(q);
      q += 8;
    } else {
      out.data_ack = internal::LoadBe32(q);
      q += 4;
    }
  } else {
    internal::Clear(out.data_ack);
  }
  if (flags & Dss::kFlagMapping) {
    DssMapping& m = out.mapping ? *out.mapping : out.mapping.emplace();
    if (flags & Dss::kFlagDsn8) {
      m.dsn = internal::LoadBe64(q);
      q += 8;
    } else {
      m.dsn = internal::LoadBe32(q);
      q += 4;
    }
    m.subflow_seq = internal::LoadBe32(q);
    m.data_level_length = internal::LoadBe16(q + 4);
    if (has_csum) [[unlikely]] {
      m.checksum = internal::LoadBe16(q + 6);
    } else {
      internal::Clear(m.checksum);
    }
  } else {
    internal::Clear(out.mapping);
  }
  return DecodeStatus::kOk;
}

}  // namespace internal

[[nodiscard]] inline DecodeStatus Decode(std::span<const uint8_t> option, Dss& out) {
  size_t len = 0;
  if (auto s = internal::CheckMptcpHeader(option, uint8_t(Subtype::kDss), len);
      s != DecodeStatus::kOk) {
    return s;
  }
  return internal::DecodeBody(option.data(), len, out);
}

inline uint8_t DssFlags(const Dss& d) {
  uint8_t f = 0;
  if (d.data_fin) f |= Dss::kFlagDataFin;
  if (d.dsn_8_bytes) f |= Dss::kFlagDsn8;
  if (d.mapping) f |= Dss::kFlagMapping;
  if (d.data_ack_8_bytes) f |= Dss::kFlagAck8;
  if (d.data_ack) f |= Dss::kFlagAck;
  return f;
}

// 0 when the value has no wire form: a 4-byte Data ACK or DSN field that
// does not fit in 32 bits.
inline size_t EncodedSize(const Dss& d) {
  if (d.data_ack && !d.data_ack_8_bytes && *d.data_ack > 0xffffffffu) return 0;
  if (d.mapping && !d.dsn_8_bytes && d.mapping->dsn > 0xffffffffu) return 0;
  return DssLength(DssFlags(d), d.mapping && d.mapping->checksum);
}

[[nodiscard]] inline EncodeStatus Encode(const Dss& d, std::span<uint8_t> out, size_t& written) {
  written = 0;
  const size_t n = EncodedSize(d);
  if (n == 0) return EncodeStatus::kInvalidValue;
  if (out.size() < n) return EncodeStatus::kBufferTooSmall;
  uint8_t* p = out.data();
  internal::WriteMptcpHeader(p, uint8_t(n), uint8_t(Subtype::kDss), 0);
  p[3] = DssFlags(d);
  size_t at = 4;
  if (d.data_ack) {
    if (d.data_ack_8_bytes) {
      internal::StoreBe64(p + at, *d.data_ack);
      at += 8;
    } else {
      internal::StoreBe32(p + at, uint32_t(*d.data_ack));
      at += 4;
    }
  }
  if (d.mapping) {
    if (d.dsn_8_bytes) {
      internal::StoreBe64(p + at, d.mapping->dsn);
      at += 8;
    } else {
      internal::StoreBe32(p + at, uint32_t(d.mapping->dsn));
      at += 4;
    }
    internal::StoreBe32(p + at, d.mapping->subflow_seq);
    internal::StoreBe16(p + at + 4, d.mapping->data_level_length);
    at += 6;
    if (d.mapping->checksum) internal::StoreBe16(p + at, *d.mapping->checksum);
  }
  written = n;
  return EncodeStatus::kOk;
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_DSS_H_
