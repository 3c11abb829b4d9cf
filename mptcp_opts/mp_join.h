// SPDX-License-Identifier: Apache-2.0
// MP_JOIN (RFC 8684 §3.2; same layout in v0, RFC 6824 §3.2): adds a subflow
// to an existing connection. The Length tells the handshake step:
//   SYN 12 (token + nonce), SYN/ACK 16 (truncated HMAC + nonce), ACK 24 (HMAC).
//
//   mptcp_opts::MpJoin j;
//   if (Decode(option_bytes, j) == DecodeStatus::kOk)
//     if (auto* syn = std::get_if<MpJoinSyn>(&j)) LookUpToken(syn->token);
#ifndef MPTCP_OPTS_MP_JOIN_H_
#define MPTCP_OPTS_MP_JOIN_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <variant>

#include "mptcp_opts/option_header.h"
#include "mptcp_opts/wire.h"

namespace mptcp_opts {

struct MpJoinSyn {
  bool backup = false;
  uint8_t address_id = 0;
  uint32_t token = 0;  // the receiver's token
  uint32_t nonce = 0;  // the sender's random number
  friend bool operator==(const MpJoinSyn&, const MpJoinSyn&) = default;
};

struct MpJoinSynAck {
  bool backup = false;
  uint8_t address_id = 0;
  uint64_t truncated_hmac = 0;  // leftmost 64 bits of the sender's HMAC
  uint32_t nonce = 0;
  friend bool operator==(const MpJoinSynAck&, const MpJoinSynAck&) = default;
};

struct MpJoinAck {
  // v0: the whole HMAC-SHA1; v1: the leftmost 160 bits of HMAC-SHA256.
  std::array<uint8_t, 20> hmac{};
  friend bool operator==(const MpJoinAck&, const MpJoinAck&) = default;
};

using MpJoin = std::variant<MpJoinSyn, MpJoinSynAck, MpJoinAck>;

inline constexpr uint8_t kMpJoinSynLength = 12;
inline constexpr uint8_t kMpJoinSynAckLength = 16;
inline constexpr uint8_t kMpJoinAckLength = 24;

namespace internal {

// `p` holds the `len` bytes of an MP_JOIN whose header CheckMptcpHeader
// accepted; the form is constructed in place in `out`.
template <typename Variant>
[[nodiscard]] DecodeStatus DecodeMpJoinBody(const uint8_t* p, size_t len, Variant& out) {
  const bool backup = p[2] & 0x01;
  switch (len) {
    case kMpJoinSynLength: {
      auto& syn = Reuse<MpJoinSyn>(out);
      syn.backup = backup;
      syn.address_id = p[3];
      syn.token = LoadBe32(p + 4);
      syn.nonce = LoadBe32(p + 8);
      return DecodeStatus::kOk;
    }
    case kMpJoinSynAckLength: {
      auto& syn_ack = Reuse<MpJoinSynAck>(out);
      syn_ack.backup = backup;
      syn_ack.address_id = p[3];
      syn_ack.truncated_hmac = LoadBe64(p + 4);
      syn_ack.nonce = LoadBe32(p + 12);
      return DecodeStatus::kOk;
    }
    case kMpJoinAckLength: {
      auto& ack = Reuse<MpJoinAck>(out);
      std::memcpy(ack.hmac.data(), p + 4, ack.hmac.size());
      return DecodeStatus::kOk;
    }
    default:
      return DecodeStatus::kBadLength;
  }
}

// Decodes into whichever variant holds the three forms (MpJoin, or the
// dispatcher's MptcpOption), constructing the form in place.
template <typename Variant>
[[nodiscard]] DecodeStatus DecodeMpJoinInto(std::span<const uint8_t> option, Variant& out) {
  size_t len = 0;
  if (auto s = CheckMptcpHeader(option, uint8_t(Subtype::kMpJoin), len); s != DecodeStatus::kOk) {
    return s;
  }
  return DecodeMpJoinBody(option.data(), len, out);
}

}  // namespace internal

// Decodes one MP_JOIN option into the form its Length names. Statuses: kOk;
// kTruncated; kBadLength (not 12, 16 or 24); kWrongKind / kWrongSubtype.
// Reserved bits are ignored, as RFC 8684 requires of receivers.
[[nodiscard]] inline DecodeStatus Decode(std::span<const uint8_t> option, MpJoin& out) {
  return internal::DecodeMpJoinInto(option, out);
}

inline size_t EncodedSize(const MpJoinSyn&) { return kMpJoinSynLength; }
inline size_t EncodedSize(const MpJoinSynAck&) { return kMpJoinSynAckLength; }
inline size_t EncodedSize(const MpJoinAck&) { return kMpJoinAckLength; }
inline size_t EncodedSize(const MpJoin& j) {
  return std::visit([](const auto& form) { return EncodedSize(form); }, j);
}

[[nodiscard]] inline EncodeStatus Encode(const MpJoinSyn& j, std::span<uint8_t> out,
                                         size_t& written) {
  written = 0;
  if (out.size() < kMpJoinSynLength) return EncodeStatus::kBufferTooSmall;
  uint8_t* p = out.data();
  internal::WriteMptcpHeader(p, kMpJoinSynLength, uint8_t(Subtype::kMpJoin), j.backup ? 1 : 0);
  p[3] = j.address_id;
  internal::StoreBe32(p + 4, j.token);
  internal::StoreBe32(p + 8, j.nonce);
  written = kMpJoinSynLength;
  return EncodeStatus::kOk;
}

[[nodiscard]] inline EncodeStatus Encode(const MpJoinSynAck& j, std::span<uint8_t> out,
                                         size_t& written) {
  written = 0;
  if (out.size() < kMpJoinSynAckLength) return EncodeStatus::kBufferTooSmall;
  uint8_t* p = out.data();
  internal::WriteMptcpHeader(p, kMpJoinSynAckLength, uint8_t(Subtype::kMpJoin),
                             j.backup ? 1 : 0);
  p[3] = j.address_id;
  internal::StoreBe64(p + 4, j.truncated_hmac);
  internal::StoreBe32(p + 12, j.nonce);
  written = kMpJoinSynAckLength;
  return EncodeStatus::kOk;
}

[[nodiscard]] inline EncodeStatus Encode(const MpJoinAck& j, std::span<uint8_t> out,
                                         size_t& written) {
  written = 0;
  if (out.size() < kMpJoinAckLength) return EncodeStatus::kBufferTooSmall;
  uint8_t* p = out.data();
  internal::WriteMptcpHeader(p, kMpJoinAckLength, uint8_t(Subtype::kMpJoin), 0);
  p[3] = 0;
  for (size_t i = 0; i < j.hmac.size(); ++i) p[4 + i] = j.hmac[i];
  written = kMpJoinAckLength;
  return EncodeStatus::kOk;
}

[[nodiscard]] inline EncodeStatus Encode(const MpJoin& j, std::span<uint8_t> out,
                                         size_t& written) {
  return std::visit([&](const auto& form) { return Encode(form, out, written); }, j);
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_MP_JOIN_H_
