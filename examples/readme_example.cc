// SPDX-License-Identifier: Apache-2.0
// The usage example shown in README.md; README_test checks the two agree.
#include <cassert>
#include <cstdio>
#include <variant>

#include "mptcp_opts/crypto.h"
#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/option_area_builder.h"
#include "mptcp_opts/segment_options.h"
#include "mptcp_opts/tcp_option_walker.h"

int main() {
  using namespace mptcp_opts;
  // Build a SYN's option area: MSS, SACK-permitted, timestamps, window scale,
  // MP_CAPABLE v1 and MP_PREFER_PROXY.
  const TcpOptionValue syn[] = {Mss{1460}, SackPermitted{}, Timestamps{7, 0}, WindowScale{7},
                                MptcpOption{MpCapable{}}, MptcpOption{MpPreferProxy{}}};
  uint8_t area[kMaxOptionAreaBytes];
  size_t length = 0;
  if (BuildOptionArea(syn, area, length) != EncodeStatus::kOk) return 1;

  // Walk it back and decode every MPTCP option.
  TcpOptionWalker walker(std::span<const uint8_t>(area, length));
  int mptcp_options = 0;
  for (TcpOption option; walker.Next(option);) {
    if (option.kind != kKindMptcp) continue;
    MptcpOption decoded;
    if (DecodeMptcpOption(option.bytes, CodecConfig{}, decoded) != DecodeStatus::kOk) return 1;
    std::printf("%s\n", SubtypeName(decoded));
    ++mptcp_options;
  }
  if (walker.status() != WalkStatus::kOk || mptcp_options != 2) return 1;

  // A proxy's per-segment path does both in one pass: the standard options
  // and every MPTCP option, each with its own status.
  SegmentOptions parsed;
  if (ParseSegmentOptions(std::span<const uint8_t>(area, length), CodecConfig{}, parsed) !=
          WalkStatus::kOk ||
      !parsed.has(SegmentOptions::kMss) || parsed.mss != 1460 || parsed.mptcp_count != 2) {
    return 1;
  }

  // The token a peer will put in MP_JOIN, from the key in MP_CAPABLE.
  std::printf("token %08x\n", Token(0x0102030405060708, MptcpVersion::kV1));  // 66840dda
  return 0;
}
