// SPDX-License-Identifier: Apache-2.0
// What every MPTCP option shares: TCP Kind 30, a Length byte, and a 4-bit
// subtype in the high nibble of the third byte (RFC 8684 §3, RFC 6824 §3).
// Also the codec configuration that decoders which depend on context take.
#ifndef MPTCP_OPTS_OPTION_HEADER_H_
#define MPTCP_OPTS_OPTION_HEADER_H_

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <variant>

#include "mptcp_opts/status.h"

namespace mptcp_opts {

inline constexpr uint8_t kKindEol = 0;
inline constexpr uint8_t kKindNop = 1;
inline constexpr uint8_t kKindMss = 2;
inline constexpr uint8_t kKindWindowScale = 3;
inline constexpr uint8_t kKindSackPermitted = 4;
inline constexpr uint8_t kKindSack = 5;
inline constexpr uint8_t kKindTimestamps = 8;
inline constexpr uint8_t kKindMptcp = 30;
// Longest TCP option area: data offset 15 words minus the 20-byte header.
inline constexpr size_t kMaxOptionAreaBytes = 40;

// MPTCP subtypes (RFC 8684 §8, IANA "MPTCP Option Subtypes").
enum class Subtype : uint8_t {
  kMpCapable = 0x0,
  kMpJoin = 0x1,
  kDss = 0x2,
  kAddAddr = 0x3,
  kRemoveAddr = 0x4,
  kMpPrio = 0x5,
  kMpFail = 0x6,
  kMpFastclose = 0x7,
  kMpTcprst = 0x8,  // v1 only
  kPrivateUse = 0xf,
};

enum class MptcpVersion : uint8_t { kV0 = 0, kV1 = 1 };

// MP_PREFER_PROXY (draft-boucadair-mptcp-plain-mode-10 §4) never received an
// IANA subtype. decisions.md D5: configurable, default 0xE.
inline constexpr uint8_t kDefaultPreferProxySubtype = 0xE;

// The subtype MP_PREFER_PROXY is configured to use (decisions.md D5): one of
// the subtypes IANA left unassigned, 0x9..0xE; never an RFC 8684 subtype
// (0x0..0x8) or the private-use 0xF. The only ways to get one are Default()
// and the checked FromValue(), so a value outside the range cannot be held,
// and code that has one (the dispatcher, the subtype decoder) never checks it
// again. Every entry point (config.proto, mptcp-decode's
// --prefer-proxy-subtype, Python's prefer_proxy_subtype=) goes through
// FromValue() and names its field or flag and kRangeText when it refuses.
class PreferProxySubtype {
 public:
  static constexpr uint8_t kMin = 0x9;
  static constexpr uint8_t kMax = 0xE;
  static constexpr const char* kRangeText = "0x9..0xE";
  // What every entry point says after "N is outside ".
  static constexpr const char* kRangeReason =
      "0x9..0xE, the MPTCP subtypes IANA left unassigned (decisions.md D5)";

  // 0xE, the value earlier draft revisions suggested for managed networks.
  static constexpr PreferProxySubtype Default() {
    return PreferProxySubtype(kDefaultPreferProxySubtype);
  }
  // std::nullopt unless kMin <= v <= kMax. Takes any integer type and compares
  // without converting, so no caller narrows first (256 is not 0, -2 not 14).
  template <std::integral T>
  static constexpr std::optional<PreferProxySubtype> FromValue(T v) {
    if (std::cmp_less(v, kMin) || std::cmp_greater(v, kMax)) return std::nullopt;
    return PreferProxySubtype(static_cast<uint8_t>(v));
  }

  constexpr uint8_t value() const { return value_; }
  friend constexpr bool operator==(PreferProxySubtype, PreferProxySubtype) = default;

 private:
  constexpr explicit PreferProxySubtype(uint8_t v) : value_(v) {}
  uint8_t value_;
};
static_assert(sizeof(PreferProxySubtype) == 1);

// True when `subtype` may be configured for MP_PREFER_PROXY (0x9..0xE); the
// same test as PreferProxySubtype::FromValue.
template <std::integral T>
constexpr bool IsValidPreferProxySubtype(T subtype) {
  return PreferProxySubtype::FromValue(subtype).has_value();
}

// Context a decoder cannot read from the option bytes themselves.
struct CodecConfig {
  // ADD_ADDR and MP_PRIO differ between v0 and v1 with the same subtype; the
  // version comes from the connection's MP_CAPABLE.
  MptcpVersion version = MptcpVersion::kV1;
  // decisions.md D5. std::nullopt disables MP_PREFER_PROXY: its bytes then
  // decode as UnknownMptcp (dispatcher) or kWrongSubtype (its own decoder).
  std::optional<PreferProxySubtype> prefer_proxy_subtype = PreferProxySubtype::Default();
};

// True when `subtype` (an option's 4-bit subtype) is MP_PREFER_PROXY under
// `config`.
constexpr bool IsConfiguredPreferProxy(uint8_t subtype, const CodecConfig& config) {
  return config.prefer_proxy_subtype.has_value() &&
         config.prefer_proxy_subtype->value() == subtype;
}

inline constexpr uint8_t SubtypeOf(std::span<const uint8_t> option) {
  return option.size() >= 3 ? static_cast<uint8_t>(option[2] >> 4) : 0xff;
}

namespace internal {

// The checks every subtype decoder starts with. On kOk, `length` is the
// option's Length byte (<= option.size(); bytes after it are not read).
[[nodiscard]] inline DecodeStatus CheckMptcpHeader(std::span<const uint8_t> option,
                                                   uint8_t subtype, size_t& length) {
  if (option.size() < 2) return DecodeStatus::kTruncated;
  if (option[0] != kKindMptcp) return DecodeStatus::kWrongKind;
  length = option[1];
  if (length > option.size()) return DecodeStatus::kTruncated;
  // Shortest MPTCP option is 3 bytes (MP_PRIO v1, REMOVE_ADDR needs 4).
  if (length < 3) return option.size() < 3 ? DecodeStatus::kTruncated : DecodeStatus::kBadLength;
  if ((option[2] >> 4) != subtype) return DecodeStatus::kWrongSubtype;
  return DecodeStatus::kOk;
}

// The alternative T of variant `out`, constructed only when `out` holds
// another one. Every decoder body sets or resets each field it owns, so
// reusing the held value is safe and saves re-zeroing it per option.
template <typename T, typename Variant>
T& Reuse(Variant& out) {
  if (!std::holds_alternative<T>(out)) [[unlikely]] out.template emplace<T>();
  return *std::get_if<T>(&out);
}

// Empties `o` with plain stores: std::optional::reset() first loads and
// branches on whether `o` held a value, which a decoder overwriting its
// output does not need to know.
template <typename T>
void Clear(std::optional<T>& o) {
  o = std::optional<T>();
}

// Writes Kind, Length and the subtype nibble (low nibble left to the caller).
inline void WriteMptcpHeader(uint8_t* out, uint8_t length, uint8_t subtype, uint8_t low_nibble) {
  out[0] = kKindMptcp;
  out[1] = length;
  out[2] = static_cast<uint8_t>((subtype << 4) | (low_nibble & 0x0f));
}

}  // namespace internal
}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_OPTION_HEADER_H_
