// SPDX-License-Identifier: Apache-2.0
// The any-subtype dispatcher: decodes one MPTCP option (Kind 30) into a
// variant holding the form its subtype and Length name. Unknown or private
// subtypes are a value (UnknownMptcp), not an error; a Length that does not
// fit its subtype is an error with its own status, never a different form.
//
//   mptcp_opts::MptcpOption opt;
//   if (DecodeMptcpOption(option_bytes, config, opt) == DecodeStatus::kOk)
//     std::visit(handler, opt);
#ifndef MPTCP_OPTS_MPTCP_OPTION_H_
#define MPTCP_OPTS_MPTCP_OPTION_H_

#include <cstdint>
#include <span>
#include <variant>

#include "mptcp_opts/add_addr.h"
#include "mptcp_opts/dss.h"
#include "mptcp_opts/mp_capable.h"
#include "mptcp_opts/mp_fail.h"
#include "mptcp_opts/mp_fastclose.h"
#include "mptcp_opts/mp_join.h"
#include "mptcp_opts/mp_prefer_proxy.h"
#include "mptcp_opts/mp_prio.h"
#include "mptcp_opts/mp_tcprst.h"
#include "mptcp_opts/option_header.h"
#include "mptcp_opts/remove_addr.h"

namespace mptcp_opts {

// A subtype this codec does not interpret (private use 0xF, unassigned, or
// MP_TCPRST in a v0 connection). `bytes` views the caller's buffer (the whole
// option) and is valid as long as that buffer is.
struct UnknownMptcp {
  uint8_t subtype = 0;
  std::span<const uint8_t> bytes;
  friend bool operator==(const UnknownMptcp& a, const UnknownMptcp& b) {
    return a.subtype == b.subtype && std::equal(a.bytes.begin(), a.bytes.end(), b.bytes.begin(),
                                                b.bytes.end());
  }
};

using MptcpOption = std::variant<MpCapable, MpJoinSyn, MpJoinSynAck, MpJoinAck, Dss, AddAddr,
                                 RemoveAddr, MpPrio, MpFail, MpFastclose, MpTcprst,
                                 MpPreferProxy, UnknownMptcp>;

// Name used in logs, JSON and Python: "MP_CAPABLE", "MP_JOIN", "DSS", ...
inline const char* SubtypeName(const MptcpOption& o) {
  struct Namer {
    const char* operator()(const MpCapable&) const { return "MP_CAPABLE"; }
    const char* operator()(const MpJoinSyn&) const { return "MP_JOIN"; }
    const char* operator()(const MpJoinSynAck&) const { return "MP_JOIN"; }
    const char* operator()(const MpJoinAck&) const { return "MP_JOIN"; }
    const char* operator()(const Dss&) const { return "DSS"; }
    const char* operator()(const AddAddr&) const { return "ADD_ADDR"; }
    const char* operator()(const RemoveAddr&) const { return "REMOVE_ADDR"; }
    const char* operator()(const MpPrio&) const { return "MP_PRIO"; }
    const char* operator()(const MpFail&) const { return "MP_FAIL"; }
    const char* operator()(const MpFastclose&) const { return "MP_FASTCLOSE"; }
    const char* operator()(const MpTcprst&) const { return "MP_TCPRST"; }
    const char* operator()(const MpPreferProxy&) const { return "MP_PREFER_PROXY"; }
    const char* operator()(const UnknownMptcp&) const { return "UNKNOWN"; }
  };
  return std::visit(Namer{}, o);
}

// Name of a subtype number under `config` (for error records, where there is
// no decoded value to name).
inline const char* SubtypeName(uint8_t subtype, const CodecConfig& config) {
  if (IsConfiguredPreferProxy(subtype, config)) return "MP_PREFER_PROXY";
  switch (subtype) {
    case 0x0: return "MP_CAPABLE";
    case 0x1: return "MP_JOIN";
    case 0x2: return "DSS";
    case 0x3: return "ADD_ADDR";
    case 0x4: return "REMOVE_ADDR";
    case 0x5: return "MP_PRIO";
    case 0x6: return "MP_FAIL";
    case 0x7: return "MP_FASTCLOSE";
    case 0x8: return config.version == MptcpVersion::kV1 ? "MP_TCPRST" : "UNKNOWN";
  }
  return "UNKNOWN";
}

namespace internal {

// The dispatcher's body, for a header already checked: `p` holds the option's
// `len` bytes, Kind 30, 3 <= len. Shared by DecodeMptcpOption and
// ParseSegmentOptions (segment_options.h), which check the header themselves.
[[nodiscard]] inline DecodeStatus DecodeMptcpBody(const uint8_t* p, size_t len,
                                                  const CodecConfig& config, MptcpOption& out) {
  const uint8_t subtype = p[2] >> 4;
  // Decoded into the alternative already held when it is the same type (no
  // re-zeroing; every body sets or resets each field it owns).
  // DSS (every data segment), then MP_CAPABLE and MP_JOIN (connection and
  // subflow setup) and ADD_ADDR (address announcements) are tested by compares
  // in that order: cheaper than the jump table (callgrind, bench/linux_parser:
  // 1-5 fewer instructions per area holding one of the three). The rest switch.
  if (subtype == static_cast<uint8_t>(Subtype::kDss)) [[likely]] {
    return DecodeBody(p, len, Reuse<Dss>(out));
  }
  if (subtype == static_cast<uint8_t>(Subtype::kMpCapable)) {
    return DecodeBody(p, len, Reuse<MpCapable>(out));
  }
  if (subtype == static_cast<uint8_t>(Subtype::kMpJoin)) return DecodeMpJoinBody(p, len, out);
  if (subtype == static_cast<uint8_t>(Subtype::kAddAddr)) {
    return DecodeBody(p, len, config.version, Reuse<AddAddr>(out));
  }
  switch (static_cast<Subtype>(subtype)) {
    case Subtype::kRemoveAddr: return DecodeBody(p, len, Reuse<RemoveAddr>(out));
    case Subtype::kMpPrio: return DecodeBody(p, len, config.version, Reuse<MpPrio>(out));
    case Subtype::kMpFail: return DecodeBody(p, len, Reuse<MpFail>(out));
    case Subtype::kMpFastclose: return DecodeBody(p, len, Reuse<MpFastclose>(out));
    case Subtype::kMpTcprst:
      if (config.version == MptcpVersion::kV1) return DecodeBody(p, len, Reuse<MpTcprst>(out));
      break;
    default:
      // MP_PREFER_PROXY's configurable subtype is never one of the above
      // (PreferProxySubtype holds 0x9-0xE only), so it is checked here, off
      // the path of the RFC 8684 subtypes.
      if (IsConfiguredPreferProxy(subtype, config)) {
        if (len != kMpPreferProxyLength) return DecodeStatus::kBadLength;
        Reuse<MpPreferProxy>(out).subtype = *config.prefer_proxy_subtype;
        return DecodeStatus::kOk;
      }
      break;
  }
  out = UnknownMptcp{subtype, std::span<const uint8_t>(p, len)};
  return DecodeStatus::kOk;
}

}  // namespace internal

// Decodes one option starting at its Kind byte. Statuses: those of the
// subtype decoder; kWrongKind when Kind is not 30; kTruncated when fewer than
// 3 bytes (no subtype to dispatch on) or Length past the buffer. The value is
// decoded in place (no copy of the struct afterwards), so on failure `out`
// holds an unspecified value.
[[nodiscard]] inline DecodeStatus DecodeMptcpOption(std::span<const uint8_t> option,
                                                    const CodecConfig& config,
                                                    MptcpOption& out) {
  if (option.size() < 2) return DecodeStatus::kTruncated;
  if (option[0] != kKindMptcp) return DecodeStatus::kWrongKind;
  if (option[1] > option.size()) return DecodeStatus::kTruncated;
  if (option.size() < 3) return DecodeStatus::kTruncated;
  if (option[1] < 3) return DecodeStatus::kBadLength;
  return internal::DecodeMptcpBody(option.data(), option[1], config, out);
}

// 0 (no wire form) unless `bytes` is one whole MPTCP option.
inline size_t EncodedSize(const UnknownMptcp& u) {
  const bool whole = u.bytes.size() >= 3 && u.bytes.size() <= 255 &&
                     u.bytes[0] == kKindMptcp && u.bytes[1] == u.bytes.size();
  return whole ? u.bytes.size() : 0;
}

// Writes the viewed bytes back unchanged.
[[nodiscard]] inline EncodeStatus Encode(const UnknownMptcp& u, std::span<uint8_t> out,
                                         size_t& written) {
  written = 0;
  if (EncodedSize(u) == 0) return EncodeStatus::kInvalidValue;
  if (out.size() < u.bytes.size()) return EncodeStatus::kBufferTooSmall;
  std::copy(u.bytes.begin(), u.bytes.end(), out.begin());
  written = u.bytes.size();
  return EncodeStatus::kOk;
}

inline size_t EncodedSize(const MptcpOption& o) {
  return std::visit([](const auto& v) { return EncodedSize(v); }, o);
}

[[nodiscard]] inline EncodeStatus Encode(const MptcpOption& o, std::span<uint8_t> out,
                                         size_t& written) {
  return std::visit([&](const auto& v) { return Encode(v, out, written); }, o);
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_MPTCP_OPTION_H_
