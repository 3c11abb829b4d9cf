// SPDX-License-Identifier: Apache-2.0
// Edits the option area of a TCP segment in place, as seed 002 §5.6 asks of
// MCPs: insert MP_PREFER_PROXY (or any option), remove MP_CAPABLE (or any
// MPTCP subtype), clamp the MSS. The header grows or shrinks by whole 32-bit
// words, the payload moves with it, the data offset is rewritten and the TCP
// checksum is updated incrementally (RFC 1624) without reading the payload.
//
//   TcpSegmentEditor ed(buffer, segment_length);  // buffer has room to grow
//   if (ed.status() == EditStatus::kOk && ed.ClampMss(1400) == EditStatus::kOk)
//     Send(buffer.first(ed.segment_length()));
#ifndef MPTCP_OPTS_TCP_SEGMENT_EDITOR_H_
#define MPTCP_OPTS_TCP_SEGMENT_EDITOR_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <span>

#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/option_header.h"
#include "mptcp_opts/tcp_checksum.h"
#include "mptcp_opts/tcp_option_walker.h"
#include "mptcp_opts/wire.h"

namespace mptcp_opts {

enum class EditStatus : uint8_t {
  kOk = 0,
  // Segment shorter than 20 bytes, or a data offset < 5 or past its end.
  kMalformedHeader,
  // The existing option area does not walk cleanly (see WalkStatus).
  kMalformedOptions,
  // The result would exceed 40 bytes of options.
  kNoOptionSpace,
  // The buffer has no spare room for the header to grow.
  kBufferTooSmall,
  // Nothing to remove or clamp: the segment is unchanged.
  kNotFound,
  // The option to insert has no wire form.
  kInvalidValue,
};

constexpr const char* StatusName(EditStatus s) {
  switch (s) {
    case EditStatus::kOk: return "OK";
    case EditStatus::kMalformedHeader: return "MALFORMED_HEADER";
    case EditStatus::kMalformedOptions: return "MALFORMED_OPTIONS";
    case EditStatus::kNoOptionSpace: return "NO_OPTION_SPACE";
    case EditStatus::kBufferTooSmall: return "BUFFER_TOO_SMALL";
    case EditStatus::kNotFound: return "NOT_FOUND";
    case EditStatus::kInvalidValue: return "INVALID_VALUE";
  }
  return "UNKNOWN_STATUS";
}

class TcpSegmentEditor {
 public:
  static constexpr size_t kTcpHeaderBytes = 20;

  // `buffer` holds a TCP segment (header and payload) in its first
  // `segment_length` bytes; the bytes after it are room to grow. The editor
  // keeps a view; the caller owns the buffer. status() tells whether the
  // header and its options are sound enough to edit.
  TcpSegmentEditor(std::span<uint8_t> buffer, size_t segment_length)
      : buf_(buffer), length_(segment_length) {
    if (segment_length > buffer.size() || segment_length < kTcpHeaderBytes) {
      status_ = EditStatus::kMalformedHeader;
      return;
    }
    const size_t header = size_t(buf_[12] >> 4) * 4;
    if (header < kTcpHeaderBytes || header > segment_length) {
      status_ = EditStatus::kMalformedHeader;
      return;
    }
    TcpOptionWalker walker(area());
    for (TcpOption o; walker.Next(o);) {
    }
    if (walker.status() != WalkStatus::kOk) status_ = EditStatus::kMalformedOptions;
  }

  EditStatus status() const { return status_; }
  size_t segment_length() const { return length_; }
  size_t header_length() const { return size_t(buf_[12] >> 4) * 4; }
  std::span<const uint8_t> area() const {
    return {buf_.data() + kTcpHeaderBytes, header_length() - kTcpHeaderBytes};
  }

  // Appends `option` (one whole option, Kind first) after the existing ones,
  // NOP-aligned when there is room, EOL-padded to a word. Statuses: kOk,
  // kNoOptionSpace, kBufferTooSmall, kInvalidValue, or status().
  [[nodiscard]] EditStatus InsertOption(std::span<const uint8_t> option) {
    if (status_ != EditStatus::kOk) return status_;
    if (option.size() < 2 || option[1] != option.size() || option[0] <= kKindNop)
      return EditStatus::kInvalidValue;
    std::array<uint8_t, kMaxOptionAreaBytes + 3> next{};
    size_t n = UsedLength();
    std::memcpy(next.data(), area().data(), n);
    const size_t pad = (4 - option.size() % 4) % 4;
    if (n + pad + option.size() <= kMaxOptionAreaBytes) {
      for (size_t i = 0; i < pad; ++i) next[n++] = kKindNop;
    }
    if (n + option.size() > kMaxOptionAreaBytes) return EditStatus::kNoOptionSpace;
    std::memcpy(next.data() + n, option.data(), option.size());
    n += option.size();
    return ReplaceArea(std::span<const uint8_t>(next.data(), n));
  }

  [[nodiscard]] EditStatus InsertMptcp(const MptcpOption& option) {
    std::array<uint8_t, kMaxOptionAreaBytes> bytes;
    size_t n = 0;
    if (Encode(option, bytes, n) != EncodeStatus::kOk) return EditStatus::kInvalidValue;
    return InsertOption(std::span<const uint8_t>(bytes.data(), n));
  }

  // Removes every MPTCP option with this subtype (NOPs stay). kNotFound when
  // there is none.
  [[nodiscard]] EditStatus RemoveMptcpSubtype(uint8_t subtype) {
    if (status_ != EditStatus::kOk) return status_;
    std::array<uint8_t, kMaxOptionAreaBytes + 3> next{};
    const auto old = area();
    size_t n = 0;
    size_t copied_to = 0;  // bytes of `old` already handled
    bool removed = false;
    TcpOptionWalker walker(old);
    for (TcpOption o; walker.Next(o);) {
      if (o.kind == kKindMptcp && SubtypeOf(o.bytes) == subtype) {
        std::memcpy(next.data() + n, old.data() + copied_to, o.offset - copied_to);
        n += o.offset - copied_to;
        copied_to = o.offset + o.bytes.size();
        removed = true;
      }
    }
    if (!removed) return EditStatus::kNotFound;
    const size_t used = UsedLength();
    std::memcpy(next.data() + n, old.data() + copied_to, used - copied_to);
    n += used - copied_to;
    return ReplaceArea(std::span<const uint8_t>(next.data(), n));
  }

  // Lowers an MSS option above `max_mss` to `max_mss`. kNotFound when there
  // is no MSS option or it is already <= max_mss.
  [[nodiscard]] EditStatus ClampMss(uint16_t max_mss) {
    if (status_ != EditStatus::kOk) return status_;
    std::array<uint8_t, kMaxOptionAreaBytes> next{};
    const auto old = area();
    std::memcpy(next.data(), old.data(), old.size());
    bool changed = false;
    TcpOptionWalker walker(old);
    for (TcpOption o; walker.Next(o);) {
      if (o.kind == kKindMss && o.bytes.size() == 4 && internal::LoadBe16(o.bytes.data() + 2) > max_mss) {
        internal::StoreBe16(next.data() + o.offset + 2, max_mss);
        changed = true;
      }
    }
    if (!changed) return EditStatus::kNotFound;
    return ReplaceArea(std::span<const uint8_t>(next.data(), old.size()));
  }

 private:
  // Length of the area without trailing padding (NOPs, and EOL with all
  // that follows it), so inserts reuse padding space.
  size_t UsedLength() const {
    const auto a = area();
    size_t end = 0;
    TcpOptionWalker walker(a);
    for (TcpOption o; walker.Next(o);) end = o.offset + o.bytes.size();
    return end;
  }

  // Installs `next` (unpadded) as the option area: pads it with EOL to a
  // word, moves the payload, rewrites the data offset and updates the
  // checksum from the sums of what changed.
  EditStatus ReplaceArea(std::span<const uint8_t> next_unpadded) {
    const size_t old_header = header_length();
    const size_t new_area = (next_unpadded.size() + 3) & ~size_t{3};
    if (new_area > kMaxOptionAreaBytes) return EditStatus::kNoOptionSpace;
    const size_t new_header = kTcpHeaderBytes + new_area;
    const size_t new_length = length_ - old_header + new_header;
    if (new_length > buf_.size()) return EditStatus::kBufferTooSmall;

    // Sums of everything that changes: the data-offset word (bytes 12-13), the
    // option area, and the pseudo-header's TCP length. The payload moves by
    // whole words, so its sum is unchanged.
    uint32_t old_sum = OnesComplementSum(std::span<const uint8_t>(buf_.data() + 12, 2));
    old_sum += OnesComplementSum(area());
    old_sum += (length_ >> 16) + (length_ & 0xffff);

    std::memmove(buf_.data() + new_header, buf_.data() + old_header, length_ - old_header);
    std::memcpy(buf_.data() + kTcpHeaderBytes, next_unpadded.data(), next_unpadded.size());
    std::memset(buf_.data() + kTcpHeaderBytes + next_unpadded.size(), kKindEol,
                new_area - next_unpadded.size());
    buf_[12] = static_cast<uint8_t>((new_header / 4) << 4 | (buf_[12] & 0x0f));
    length_ = new_length;

    uint32_t new_sum = OnesComplementSum(std::span<const uint8_t>(buf_.data() + 12, 2));
    new_sum += OnesComplementSum(area());
    new_sum += (length_ >> 16) + (length_ & 0xffff);
    const uint16_t checksum = internal::LoadBe16(buf_.data() + 16);
    internal::StoreBe16(buf_.data() + 16,
                        UpdateChecksum(checksum, OnesComplementSum({}, old_sum),
                                       OnesComplementSum({}, new_sum)));
    return EditStatus::kOk;
  }

  std::span<uint8_t> buf_;
  size_t length_ = 0;
  EditStatus status_ = EditStatus::kOk;
};

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_TCP_SEGMENT_EDITOR_H_
