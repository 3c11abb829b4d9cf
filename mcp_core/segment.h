// SPDX-License-Identifier: Apache-2.0
// What the embedder feeds the core: a TCP segment as a view (no copy) with the
// interface class it arrived on, and the 4-tuple that names a leg.
//
//   mcp_core::SegmentView seg{.interface = Interface::kCustomerFacing,
//                             .tuple = {src, dst, sport, dport}, .flags = kTcpSyn,
//                             .seq = seq, .ack_seq = ack, .window = window,
//                             .options = option_area, .payload = payload};
//   Verdict v = converter.HandleSegment(now, seg);
#ifndef MCP_CORE_SEGMENT_H_
#define MCP_CORE_SEGMENT_H_

#include <cstdint>
#include <cstring>
#include <span>

#include "mptcp_opts/ip_address.h"

namespace mcp_core {

// Seed 002 §5.3: MPTCP connections are accepted only on customer-facing
// interfaces; the embedder says where each segment came from.
enum class Interface : uint8_t { kCustomerFacing, kInternetFacing };

inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;
inline constexpr uint8_t kTcpAck = 0x10;

struct FourTuple {
  mptcp_opts::IpAddress src;
  mptcp_opts::IpAddress dst;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;

  FourTuple Reversed() const { return {dst, src, dst_port, src_port}; }
  friend bool operator==(const FourTuple&, const FourTuple&) = default;
};

struct SegmentView {
  Interface interface = Interface::kCustomerFacing;
  FourTuple tuple;
  uint8_t flags = 0;                  // TCP flags (kTcpSyn, ...)
  uint8_t dscp = 0;
  // The TCP header's sequence number, acknowledgment number (meaningful with
  // kTcpAck) and window field as on the wire (unscaled). The core tracks each
  // leg's sequence space from them and accepts a RST, FIN, DATA_FIN or
  // MP_FASTCLOSE only where the receiver expects it (leg_sequence.h).
  uint32_t seq = 0;
  uint32_t ack_seq = 0;  // the acknowledgment number (th->ack_seq)
  uint16_t window = 0;
  std::span<const uint8_t> options;   // TCP option area, valid for the call only
  std::span<const uint8_t> payload;   // valid for the call only

  bool syn() const { return flags & kTcpSyn; }
  bool ack() const { return flags & kTcpAck; }
  bool fin() const { return flags & kTcpFin; }
  bool rst() const { return flags & kTcpRst; }
};

}  // namespace mcp_core

#endif  // MCP_CORE_SEGMENT_H_
