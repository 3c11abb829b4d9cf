// SPDX-License-Identifier: Apache-2.0
// Packs a list of TCP options (MSS, SACK-permitted, timestamps, window
// scale, any MPTCP option, or raw bytes) into one option area of at most 40
// bytes. Refuses with a status rather than truncating.
//
// Alignment (what Linux and most stacks send): an option whose length is not
// a multiple of 4 is preceded by NOPs so that it ends on a 4-byte boundary,
// except that SACK-permitted directly followed by timestamps is packed as
// 04 02 08 0a. The area's length is therefore always a multiple of 4.
//
//   TcpOptionValue opts[] = {Mss{1460}, SackPermitted{}, Timestamps{1, 0},
//                            WindowScale{7}, MptcpOption{MpCapable{}}};
//   uint8_t area[40]; size_t n;
//   if (BuildOptionArea(opts, area, n) != EncodeStatus::kOk) ...
#ifndef MPTCP_OPTS_OPTION_AREA_BUILDER_H_
#define MPTCP_OPTS_OPTION_AREA_BUILDER_H_

#include <array>
#include <cstdint>
#include <span>
#include <variant>

#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/option_header.h"
#include "mptcp_opts/status.h"
#include "mptcp_opts/wire.h"

namespace mptcp_opts {

struct Mss {
  uint16_t value = 0;
};
struct SackPermitted {};
struct Timestamps {
  uint32_t value = 0;
  uint32_t echo_reply = 0;
};
struct WindowScale {
  uint8_t shift = 0;
};
// Any other option: Kind plus the bytes after the Length byte.
struct RawOption {
  uint8_t kind = 0;
  std::span<const uint8_t> value;
};

using TcpOptionValue =
    std::variant<Mss, SackPermitted, Timestamps, WindowScale, RawOption, MptcpOption>;

namespace internal {

inline size_t OptionSize(const TcpOptionValue& v) {
  struct Sizer {
    size_t operator()(const Mss&) const { return 4; }
    size_t operator()(const SackPermitted&) const { return 2; }
    size_t operator()(const Timestamps&) const { return 10; }
    size_t operator()(const WindowScale&) const { return 3; }
    size_t operator()(const RawOption& r) const {
      return (r.kind <= kKindNop || r.value.size() > 253) ? 0 : 2 + r.value.size();
    }
    size_t operator()(const MptcpOption& o) const { return EncodedSize(o); }
  };
  return std::visit(Sizer{}, v);
}

// Writes one option of size OptionSize(v) (already checked to fit) at `p`.
inline EncodeStatus WriteOption(const TcpOptionValue& v, uint8_t* p, size_t room) {
  if (auto* m = std::get_if<Mss>(&v)) {
    p[0] = kKindMss, p[1] = 4;
    StoreBe16(p + 2, m->value);
  } else if (std::holds_alternative<SackPermitted>(v)) {
    p[0] = kKindSackPermitted, p[1] = 2;
  } else if (auto* t = std::get_if<Timestamps>(&v)) {
    p[0] = kKindTimestamps, p[1] = 10;
    StoreBe32(p + 2, t->value);
    StoreBe32(p + 6, t->echo_reply);
  } else if (auto* w = std::get_if<WindowScale>(&v)) {
    p[0] = kKindWindowScale, p[1] = 3, p[2] = w->shift;
  } else if (auto* r = std::get_if<RawOption>(&v)) {
    p[0] = r->kind, p[1] = static_cast<uint8_t>(2 + r->value.size());
    for (size_t i = 0; i < r->value.size(); ++i) p[2 + i] = r->value[i];
  } else {
    size_t written = 0;
    return Encode(std::get<MptcpOption>(v), std::span<uint8_t>(p, room), written);
  }
  return EncodeStatus::kOk;
}

}  // namespace internal

// Builds the area into `out` (which may be shorter than 40 bytes) and sets
// `written`. Statuses: kOk; kInvalidValue (an option has no wire form, e.g. a
// RawOption with Kind 0/1); kNoOptionSpace (more than 40 bytes);
// kBufferTooSmall (fits in 40 but not in `out`). Nothing is written on
// failure.
[[nodiscard]] inline EncodeStatus BuildOptionArea(std::span<const TcpOptionValue> options,
                                                  std::span<uint8_t> out, size_t& written) {
  written = 0;
  // First pass: sizes and padding, without touching `out`.
  std::array<uint8_t, 48> pad_before{};
  if (options.size() > pad_before.size()) return EncodeStatus::kNoOptionSpace;
  size_t total = 0;
  for (size_t i = 0; i < options.size(); ++i) {
    const size_t n = internal::OptionSize(options[i]);
    if (n == 0) return EncodeStatus::kInvalidValue;
    const bool fused_sack_ts = std::holds_alternative<SackPermitted>(options[i]) &&
                               i + 1 < options.size() &&
                               std::holds_alternative<Timestamps>(options[i + 1]);
    const bool after_fused = std::holds_alternative<Timestamps>(options[i]) && i > 0 &&
                             std::holds_alternative<SackPermitted>(options[i - 1]);
    if (!fused_sack_ts && !after_fused) pad_before[i] = static_cast<uint8_t>((4 - n % 4) % 4);
    total += pad_before[i] + n;
    if (total > kMaxOptionAreaBytes) return EncodeStatus::kNoOptionSpace;
  }
  if (out.size() < total) return EncodeStatus::kBufferTooSmall;
  size_t at = 0;
  for (size_t i = 0; i < options.size(); ++i) {
    for (size_t k = 0; k < pad_before[i]; ++k) out[at++] = kKindNop;
    if (auto s = internal::WriteOption(options[i], out.data() + at, out.size() - at);
        s != EncodeStatus::kOk) {
      return s;
    }
    at += internal::OptionSize(options[i]);
  }
  written = at;
  return EncodeStatus::kOk;
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_OPTION_AREA_BUILDER_H_
