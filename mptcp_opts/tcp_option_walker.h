// SPDX-License-Identifier: Apache-2.0
// Walks a TCP option area (<= 40 bytes, RFC 9293 §3.1): skips NOPs, stops at
// End-of-Option-List, yields every other option as a view, and stops at the
// first structural error with a sticky status. Unknown kinds are yielded, not
// errors. No allocation; views point into the caller's buffer.
//
//   mptcp_opts::TcpOptionWalker walker(option_area);
//   for (mptcp_opts::TcpOption o; walker.Next(o);) if (o.kind == kKindMptcp) ...;
//   if (walker.status() != WalkStatus::kOk) DropSegment();
#ifndef MPTCP_OPTS_TCP_OPTION_WALKER_H_
#define MPTCP_OPTS_TCP_OPTION_WALKER_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "mptcp_opts/option_header.h"
#include "mptcp_opts/status.h"

namespace mptcp_opts {

struct TcpOption {
  uint8_t kind = 0;
  uint8_t offset = 0;               // from the start of the option area
  std::span<const uint8_t> bytes;   // the whole option: Kind, Length, value
};

class TcpOptionWalker {
 public:
  explicit TcpOptionWalker(std::span<const uint8_t> area)
      : data_(area.data()), end_(area.size()) {
    if (area.size() > kMaxOptionAreaBytes) {
      status_ = WalkStatus::kAreaTooLong;
      end_ = 0;
    }
  }

  // Fills `out` with the next option and returns true; false at the end of
  // the area, at EOL, or on a structural error (see status()).
  [[nodiscard]] bool Next(TcpOption& out) {
    while (at_ < end_) {
      const uint8_t kind = data_[at_];
      if (kind > kKindNop) [[likely]] {
        if (at_ + 1 >= end_) return Fail(WalkStatus::kOptionPastEnd);
        const uint8_t len = data_[at_ + 1];
        if (len < 2) return Fail(WalkStatus::kBadOptionLength);
        if (len > end_ - at_) return Fail(WalkStatus::kOptionPastEnd);
        out.kind = kind;
        out.offset = static_cast<uint8_t>(at_);
        out.bytes = std::span<const uint8_t>(data_ + at_, len);
        at_ += len;
        return true;
      }
      if (kind == kKindEol) {
        end_ = at_;  // stop here; offset() stays at the EOL
        return false;
      }
      ++at_;  // NOP
    }
    return false;
  }

  WalkStatus status() const { return status_; }
  // Offset of the first byte not walked: where the walk stopped on an error
  // or at EOL, else the size of the area.
  size_t offset() const { return at_; }

 private:
  bool Fail(WalkStatus s) {
    status_ = s;
    end_ = at_;  // sticky: every later Next() returns false at once
    return false;
  }

  const uint8_t* data_;
  size_t end_;  // one past the last byte still to walk
  size_t at_ = 0;
  WalkStatus status_ = WalkStatus::kOk;
};

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_TCP_OPTION_WALKER_H_
