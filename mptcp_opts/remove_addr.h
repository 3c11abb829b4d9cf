// SPDX-License-Identifier: Apache-2.0
// REMOVE_ADDR (RFC 8684 §3.4.2): withdraws one or more address IDs.
//   | 30 | 3+n | 4 | rsv | ID1 ... IDn |,  1 <= n <= 37 (40-byte option area)
//
//   mptcp_opts::RemoveAddr r;
//   if (Decode(option_bytes, r) == DecodeStatus::kOk)
//     for (uint8_t id : r.ids()) Forget(id);
#ifndef MPTCP_OPTS_REMOVE_ADDR_H_
#define MPTCP_OPTS_REMOVE_ADDR_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "mptcp_opts/option_header.h"

namespace mptcp_opts {

struct RemoveAddr {
  static constexpr size_t kMaxIds = kMaxOptionAreaBytes - 3;

  RemoveAddr() = default;
  RemoveAddr(std::initializer_list<uint8_t> ids) {
    for (uint8_t id : ids) {
      if (count_ < kMaxIds) ids_[count_] = id;
      ++count_;  // more than kMaxIds makes the value unencodable, not truncated
    }
  }

  std::span<const uint8_t> ids() const { return {ids_.data(), std::min<size_t>(count_, kMaxIds)}; }
  size_t count() const { return count_; }
  void Clear() { count_ = 0; }
  // Returns false (and changes nothing) when already holding kMaxIds IDs.
  bool Add(uint8_t id) {
    if (count_ >= kMaxIds) return false;
    ids_[count_++] = id;
    return true;
  }

  friend bool operator==(const RemoveAddr& a, const RemoveAddr& b) {
    return a.count_ == b.count_ && std::equal(a.ids().begin(), a.ids().end(), b.ids().begin());
  }

 private:
  std::array<uint8_t, kMaxIds> ids_{};
  size_t count_ = 0;
};

// Statuses: kOk; kTruncated; kBadLength (length < 4: no ID); kWrongKind /
// kWrongSubtype.
namespace internal {

// The body of Decode, for a header CheckMptcpHeader accepted: `p` holds the
// option's `len` bytes. The dispatcher calls it after checking the header once.
[[nodiscard]] inline DecodeStatus DecodeBody(const uint8_t* p, size_t len, RemoveAddr& out) {
  if (len < 4) return DecodeStatus::kBadLength;
  out.Clear();
  for (size_t i = 3; i < len; ++i) out.Add(p[i]);  // len <= 255, ids bounded by Add
  if (len - 3 > RemoveAddr::kMaxIds) return DecodeStatus::kBadLength;
  return DecodeStatus::kOk;
}

}  // namespace internal

[[nodiscard]] inline DecodeStatus Decode(std::span<const uint8_t> option, RemoveAddr& out) {
  size_t len = 0;
  if (auto s = internal::CheckMptcpHeader(option, uint8_t(Subtype::kRemoveAddr), len);
      s != DecodeStatus::kOk) {
    return s;
  }
  return internal::DecodeBody(option.data(), len, out);
}

inline size_t EncodedSize(const RemoveAddr& r) {
  return (r.count() == 0 || r.count() > RemoveAddr::kMaxIds) ? 0 : 3 + r.count();
}

[[nodiscard]] inline EncodeStatus Encode(const RemoveAddr& r, std::span<uint8_t> out,
                                         size_t& written) {
  written = 0;
  const size_t n = EncodedSize(r);
  if (n == 0) return EncodeStatus::kInvalidValue;
  if (out.size() < n) return EncodeStatus::kBufferTooSmall;
  internal::WriteMptcpHeader(out.data(), uint8_t(n), uint8_t(Subtype::kRemoveAddr), 0);
  std::copy(r.ids().begin(), r.ids().end(), out.data() + 3);
  written = n;
  return EncodeStatus::kOk;
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_REMOVE_ADDR_H_
