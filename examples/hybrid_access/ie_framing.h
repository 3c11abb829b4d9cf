// SPDX-License-Identifier: Apache-2.0
// Whether the first bytes read from a connection to a network MCP hold a
// complete MP_CONVERT IE area yet. The IEs usually arrive whole in the SYN
// (TCP Fast Open), but a client without TFO sends them after the handshake,
// and TCP may deliver them in pieces: the concentrator reads until this says
// kComplete (or its first-bytes timer fires) and then hands everything read
// to the core, which validates it (D1-D7). "Complete" is not "valid".
//
//   std::vector<uint8_t> got = ...;  // everything read so far
//   if (IeFraming(got) == IeFramingState::kNeedMore) keep_reading();
#ifndef EXAMPLES_HYBRID_ACCESS_IE_FRAMING_H_
#define EXAMPLES_HYBRID_ACCESS_IE_FRAMING_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "mptcp_opts/mp_convert_ie.h"

namespace hybrid_access {

// The longest IE area the parser walks: kMaxIesWalked IEs, each at most
// 4 (magic) + Length 255 rounded up to 4. A prefix this long is decided
// whatever it holds, so a peer cannot make the daemon wait for more.
inline constexpr size_t kMaxIeAreaBytes = mptcp_opts::kMaxIesWalked * (4 + 256);

enum class IeFramingState : uint8_t {
  kNeedMore,  // a proper prefix of an IE area: read more
  kComplete,  // the IEs are complete, malformed, or absent: give it to the core
};

namespace internal {
// True when `bytes` (fewer than 4) could still become the magic number.
inline bool IsMagicPrefix(std::span<const uint8_t> bytes) {
  if (bytes.size() >= mptcp_opts::kMpConvertMagic.size()) return false;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != mptcp_opts::kMpConvertMagic[i]) return false;
  }
  return true;
}
}  // namespace internal

inline IeFramingState IeFraming(std::span<const uint8_t> prefix) {
  using mptcp_opts::IeStatus;
  if (prefix.size() >= kMaxIeAreaBytes) return IeFramingState::kComplete;
  // Nothing yet, or the start of the magic number.
  if (internal::IsMagicPrefix(prefix)) return IeFramingState::kNeedMore;
  mptcp_opts::MpConvertIeList ies;
  const mptcp_opts::IeParseResult r = mptcp_opts::ParseMpConvertIes(prefix, ies);
  switch (r.status) {
    case IeStatus::kPastEnd:  // an IE header or its Length reaches past what we have
      return IeFramingState::kNeedMore;
    case IeStatus::kMissingLastFlag:
      // The last IE so far said another follows (M=0): it has not arrived
      // yet, or only the start of its magic number has.
      return internal::IsMagicPrefix(prefix.subspan(r.consumed)) ? IeFramingState::kNeedMore
                                                                 : IeFramingState::kComplete;
    default:  // kOk, kNoIe (application data only) and every malformed case
      return IeFramingState::kComplete;
  }
}

}  // namespace hybrid_access

#endif  // EXAMPLES_HYBRID_ACCESS_IE_FRAMING_H_
