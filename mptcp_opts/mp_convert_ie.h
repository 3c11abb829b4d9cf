// SPDX-License-Identifier: Apache-2.0
// MP_CONVERT Information Elements (draft-boucadair-mptcp-plain-mode-10 §5):
// magic-framed records at the start of the payload of a SYN + MP_CAPABLE that
// tell an MCP where to connect (D=0, destination) and, optionally, which
// source to use (D=1). What follows the last IE is application data.
//
//   +--------+--------+--------+--------+
//   |     Magic Number = FA A8 FA A8    |
//   |  Type  | Length | Reserved   |D|M|   M=1: this is the last IE
//   | Address (4 or 16) | [Port (2)] | zero padding to 4 bytes
//
// Length counts from Type to the end of Address/Port (decisions.md D1): 8, 10,
// 20 or 22 for Type 0; one IE takes 4 + roundup4(Length) bytes. Rules D1-D7.
//
//   mptcp_opts::MpConvertIeList ies;
//   auto r = mptcp_opts::ParseMpConvertIes(syn_payload, ies);
//   if (r.status == IeStatus::kOk) Relay(syn_payload.subspan(r.consumed));
#ifndef MPTCP_OPTS_MP_CONVERT_IE_H_
#define MPTCP_OPTS_MP_CONVERT_IE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "mptcp_opts/ip_address.h"
#include "mptcp_opts/status.h"
#include "mptcp_opts/wire.h"

namespace mptcp_opts {

inline constexpr std::array<uint8_t, 4> kMpConvertMagic = {0xFA, 0xA8, 0xFA, 0xA8};  // D2
inline constexpr uint8_t kMpConvertTypeAddress = 0;
inline constexpr uint8_t kMpConvertFlagSource = 0x02;  // D
inline constexpr uint8_t kMpConvertFlagLast = 0x01;    // M
// draft -10 §5: at most two Type-0 IEs, with different D (decisions.md D7).
inline constexpr size_t kMaxAddressIes = 2;
// Bound on IEs walked in one payload, counting skipped non-zero Types (D6).
inline constexpr size_t kMaxIesWalked = 4;

enum class IeStatus : uint8_t {
  kOk = 0,
  // The payload does not start with the magic number: there is no IE and
  // every byte is application data (consumed = 0).
  kNoIe,
  // An IE header or its Length reaches past the end of the payload (D7).
  kPastEnd,
  // Type 0 with Length not in {8,10,20,22}, or any Type with Length < 4 (D7).
  kBadLength,
  // More than two Type-0 IEs, or more than kMaxIesWalked IEs in all (D7).
  kTooManyIes,
  // Two Type-0 IEs with the same D bit (D7).
  kDuplicateDirection,
  // The last IE present has M=0 (says another follows, none does) (D7).
  kMissingLastFlag,
  // Multicast, broadcast, loopback or unspecified address (D7, draft §5).
  kBadAddressClass,
};

constexpr const char* StatusName(IeStatus s) {
  switch (s) {
    case IeStatus::kOk: return "OK";
    case IeStatus::kNoIe: return "NO_IE";
    case IeStatus::kPastEnd: return "PAST_END";
    case IeStatus::kBadLength: return "BAD_LENGTH";
    case IeStatus::kTooManyIes: return "TOO_MANY_IES";
    case IeStatus::kDuplicateDirection: return "DUPLICATE_DIRECTION";
    case IeStatus::kMissingLastFlag: return "MISSING_LAST_FLAG";
    case IeStatus::kBadAddressClass: return "BAD_ADDRESS_CLASS";
  }
  return "UNKNOWN_STATUS";
}

struct MpConvertIe {
  bool source = false;  // D: true = source address/port, false = destination
  IpAddress address;
  std::optional<uint16_t> port;
  friend bool operator==(const MpConvertIe&, const MpConvertIe&) = default;
};

struct MpConvertIeList {
  std::array<MpConvertIe, kMaxAddressIes> ies{};
  uint8_t count = 0;
  uint8_t skipped_unknown_type = 0;  // D6: skipped, not echoed, counted

  std::span<const MpConvertIe> view() const { return {ies.data(), count}; }
  const MpConvertIe* destination() const {
    for (size_t i = 0; i < count; ++i) if (!ies[i].source) return &ies[i];
    return nullptr;
  }
  const MpConvertIe* source() const {
    for (size_t i = 0; i < count; ++i) if (ies[i].source) return &ies[i];
    return nullptr;
  }
};

struct IeParseResult {
  IeStatus status = IeStatus::kNoIe;
  // kOk: bytes taken by the IEs (application data starts here). Otherwise the
  // offset of the IE where the error was found.
  size_t consumed = 0;
};

// An address an MCP may connect to or use as a source: not unspecified, not
// loopback, not multicast, not (limited) broadcast; IPv4-mapped IPv6
// addresses are judged as the IPv4 address they carry (RFC 6890).
inline bool IsAllowedIeAddress(const IpAddress& a) {
  auto v4_ok = [](const uint8_t* b) {
    if (b[0] == 0 || b[0] == 127) return false;       // 0/8 "this network", loopback
    if ((b[0] & 0xf0) == 0xe0) return false;           // 224/4 multicast
    if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255) return false;
    return true;
  };
  const uint8_t* b = a.bytes().data();
  if (a.is_v4()) return v4_ok(b);
  if (b[0] == 0xff) return false;  // ff00::/8 multicast
  bool zero_prefix = true;
  for (int i = 0; i < 10; ++i) zero_prefix &= b[i] == 0;
  if (zero_prefix && b[10] == 0xff && b[11] == 0xff) return v4_ok(b + 12);  // ::ffff:0:0/96
  bool all_zero_but_last = zero_prefix && b[10] == 0 && b[11] == 0 && b[12] == 0 && b[13] == 0 &&
                           b[14] == 0;
  if (all_zero_but_last && (b[15] == 0 || b[15] == 1)) return false;  // ::, ::1
  return true;
}

// Parses the IEs at the start of a SYN payload. Never reads past `payload`;
// no allocation. See IeStatus for each outcome. A caller acting as an MCP
// tears the connection down on any status other than kOk and kNoIe (D7).
[[nodiscard]] inline IeParseResult ParseMpConvertIes(std::span<const uint8_t> payload,
                                                     MpConvertIeList& out) {
  out = MpConvertIeList{};
  size_t at = 0;
  size_t walked = 0;
  bool expect_more = true;  // the previous IE had M=0
  auto starts_with_magic = [&](size_t off) {
    return payload.size() - off >= 4 && payload[off] == kMpConvertMagic[0] &&
           payload[off + 1] == kMpConvertMagic[1] && payload[off + 2] == kMpConvertMagic[2] &&
           payload[off + 3] == kMpConvertMagic[3];
  };
  if (!starts_with_magic(0)) return {IeStatus::kNoIe, 0};
  while (expect_more) {
    if (at == payload.size() || !starts_with_magic(at)) return {IeStatus::kMissingLastFlag, at};
    if (++walked > kMaxIesWalked) return {IeStatus::kTooManyIes, at};
    if (payload.size() - at < 8) return {IeStatus::kPastEnd, at};
    const uint8_t* p = payload.data() + at;
    const uint8_t type = p[4];
    const uint8_t length = p[5];
    const uint8_t flags = p[7];
    if (length < 4) return {IeStatus::kBadLength, at};
    const size_t total = 4 + ((size_t{length} + 3) & ~size_t{3});
    if (total > payload.size() - at) return {IeStatus::kPastEnd, at};
    expect_more = !(flags & kMpConvertFlagLast);
    if (type != kMpConvertTypeAddress) {
      ++out.skipped_unknown_type;  // D6
      at += total;
      continue;
    }
    MpConvertIe ie;
    ie.source = flags & kMpConvertFlagSource;
    switch (length) {
      case 8: ie.address = IpAddress::FromV4Bytes(p + 8); break;
      case 10:
        ie.address = IpAddress::FromV4Bytes(p + 8);
        ie.port = internal::LoadBe16(p + 12);
        break;
      case 20: ie.address = IpAddress::FromV6Bytes(p + 8); break;
      case 22:
        ie.address = IpAddress::FromV6Bytes(p + 8);
        ie.port = internal::LoadBe16(p + 24);
        break;
      default: return {IeStatus::kBadLength, at};
    }
    if (!IsAllowedIeAddress(ie.address)) return {IeStatus::kBadAddressClass, at};
    if (out.count == kMaxAddressIes) return {IeStatus::kTooManyIes, at};
    if (out.count == 1 && out.ies[0].source == ie.source) {
      return {IeStatus::kDuplicateDirection, at};
    }
    out.ies[out.count++] = ie;
    at += total;
  }
  return {IeStatus::kOk, at};
}

inline size_t EncodedSize(const MpConvertIe& ie) {
  const size_t length = 4 + ie.address.size() + (ie.port ? 2 : 0);
  return 4 + ((length + 3) & ~size_t{3});
}

// Writes `ies` (one or two, different directions, allowed addresses) in the
// given order, M=1 on the last, zero padding. kInvalidValue otherwise;
// kBufferTooSmall. Nothing is written on failure.
[[nodiscard]] inline EncodeStatus BuildMpConvertIes(std::span<const MpConvertIe> ies,
                                                    std::span<uint8_t> out, size_t& written) {
  written = 0;
  if (ies.empty() || ies.size() > kMaxAddressIes) return EncodeStatus::kInvalidValue;
  if (ies.size() == 2 && ies[0].source == ies[1].source) return EncodeStatus::kInvalidValue;
  size_t total = 0;
  for (const auto& ie : ies) {
    if (!IsAllowedIeAddress(ie.address)) return EncodeStatus::kInvalidValue;
    total += EncodedSize(ie);
  }
  if (out.size() < total) return EncodeStatus::kBufferTooSmall;
  uint8_t* p = out.data();
  for (size_t i = 0; i < ies.size(); ++i) {
    const MpConvertIe& ie = ies[i];
    const size_t n = EncodedSize(ie);
    for (size_t k = 0; k < n; ++k) p[k] = 0;
    for (size_t k = 0; k < 4; ++k) p[k] = kMpConvertMagic[k];
    p[4] = kMpConvertTypeAddress;
    p[5] = static_cast<uint8_t>(4 + ie.address.size() + (ie.port ? 2 : 0));
    p[7] = static_cast<uint8_t>((ie.source ? kMpConvertFlagSource : 0) |
                                (i + 1 == ies.size() ? kMpConvertFlagLast : 0));
    const auto addr = ie.address.bytes();
    for (size_t k = 0; k < addr.size(); ++k) p[8 + k] = addr[k];
    if (ie.port) internal::StoreBe16(p + 8 + addr.size(), *ie.port);
    p += n;
  }
  written = total;
  return EncodeStatus::kOk;
}

// D3: the MCP echoes the IEs byte-identical, in the same order, at the start
// of its SYN/ACK payload. True when `syn_ack_payload` starts with `sent`.
inline bool IsExactEcho(std::span<const uint8_t> sent, std::span<const uint8_t> syn_ack_payload) {
  if (sent.empty() || syn_ack_payload.size() < sent.size()) return false;
  for (size_t i = 0; i < sent.size(); ++i) {
    if (sent[i] != syn_ack_payload[i]) return false;
  }
  return true;
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_MP_CONVERT_IE_H_
