// SPDX-License-Identifier: Apache-2.0
// MP_PREFER_PROXY (draft-boucadair-mptcp-plain-mode-10 §4): marks an MPTCP
// connection that an on-path MCP should proxy. | 30 | 4 | subtype | rsv(12) |
// The subtype was never assigned; it comes from CodecConfig (decisions.md D5).
// Where it may appear (only SYN + MP_CAPABLE; elsewhere ignored and counted,
// D10) is the caller's rule: see IsPreferProxyApplicable().
//
//   mptcp_opts::MpPreferProxy pp;
//   if (Decode(option_bytes, config, pp) == DecodeStatus::kOk) TrackConnection();
#ifndef MPTCP_OPTS_MP_PREFER_PROXY_H_
#define MPTCP_OPTS_MP_PREFER_PROXY_H_

#include <cstdint>
#include <span>

#include "mptcp_opts/option_header.h"

namespace mptcp_opts {

struct MpPreferProxy {
  // The one typed range (0x9..0xE, decisions.md D5): what decodes is what
  // encodes, and nothing else can be built.
  PreferProxySubtype subtype = PreferProxySubtype::Default();
  friend bool operator==(const MpPreferProxy&, const MpPreferProxy&) = default;
};

inline constexpr uint8_t kMpPreferProxyLength = 4;

// Statuses: kOk; kTruncated; kBadLength (not 4); kWrongKind; kWrongSubtype
// (including when config.prefer_proxy_subtype is std::nullopt, disabled).
// The subtype comes typed (PreferProxySubtype, 0x9..0xE), so no RFC 8684
// subtype can be decoded as MP_PREFER_PROXY. The 12 reserved bits are
// ignored on receipt (§4).
[[nodiscard]] inline DecodeStatus Decode(std::span<const uint8_t> option,
                                         const CodecConfig& config, MpPreferProxy& out) {
  if (!config.prefer_proxy_subtype) {
    return option.size() < 2 ? DecodeStatus::kTruncated : DecodeStatus::kWrongSubtype;
  }
  const uint8_t subtype = config.prefer_proxy_subtype->value();
  size_t len = 0;
  if (auto s = internal::CheckMptcpHeader(option, subtype, len); s != DecodeStatus::kOk) {
    return s;
  }
  if (len != kMpPreferProxyLength) return DecodeStatus::kBadLength;
  out.subtype = *config.prefer_proxy_subtype;
  return DecodeStatus::kOk;
}

// draft -10 §4: MP_PREFER_PROXY counts only in a SYN (not SYN/ACK) that also
// carries MP_CAPABLE; otherwise the receiver ignores it (decisions.md D10).
inline constexpr bool IsPreferProxyApplicable(bool syn, bool ack, bool has_mp_capable) {
  return syn && !ack && has_mp_capable;
}

inline size_t EncodedSize(const MpPreferProxy&) { return kMpPreferProxyLength; }

// Reserved bits are sent as zero. Another subtype on the wire (crafted
// traffic, tests) is an UnknownMptcp, which re-encodes verbatim.
[[nodiscard]] inline EncodeStatus Encode(const MpPreferProxy& pp, std::span<uint8_t> out,
                                         size_t& written) {
  written = 0;
  if (out.size() < kMpPreferProxyLength) return EncodeStatus::kBufferTooSmall;
  internal::WriteMptcpHeader(out.data(), kMpPreferProxyLength, pp.subtype.value(), 0);
  out[3] = 0;
  written = kMpPreferProxyLength;
  return EncodeStatus::kOk;
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_MP_PREFER_PROXY_H_
