// What every MPTCP option shares: TCP Kind 30, a Length byte, and a 4-bit
// subtype in the high nibble of the third byte (RFC 8684 §3, RFC 6824 §3).
// Also the codec configuration that decoders which depend on context take.
#ifndef MPTCP_OPTS_OPTION_HEADER_H_
#define MPTCP_OPTS_OPTION_HEADER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
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

// True when `subtype` may be configured for MP_PREFER_PROXY: unassigned by
// IANA (0x9..0xE), never an RFC 8684 subtype or the private-use 0xF.
constexpr bool IsValidPreferProxySubtype(uint8_t subtype) {
  return subtype >= 0x9 && subtype <= 0xE;
}

// Context a decoder cannot read from the option bytes themselves.
struct CodecConfig {
  // ADD_ADDR and MP_PRIO differ between v0 and v1 with the same subtype; the
  // version comes from the connection's MP_CAPABLE.
  MptcpVersion version = MptcpVersion::kV1;
  // decisions.md D5. Set to 0x10 or above to disable MP_PREFER_PROXY decoding.
  uint8_t prefer_proxy_subtype = kDefaultPreferProxySubtype;
};

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
