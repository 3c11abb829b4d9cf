// SPDX-License-Identifier: Apache-2.0
// The TCP checksum (RFC 9293 §3.1, the Internet checksum of RFC 1071) and
// its incremental update (RFC 1624 eqn. 3), used by the segment editor so an
// MCP can change options without re-reading the payload.
//
//   uint16_t c = TcpChecksum(src, dst, segment_with_zeroed_checksum_field);
//   c = UpdateChecksum(c, OnesComplementSum(old_bytes), OnesComplementSum(new_bytes));
#ifndef MPTCP_OPTS_TCP_CHECKSUM_H_
#define MPTCP_OPTS_TCP_CHECKSUM_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "mptcp_opts/ip_address.h"

namespace mptcp_opts {

// Folded 16-bit one's-complement sum of `bytes` taken as big-endian words
// starting at an even offset; an odd last byte is padded with zero.
inline uint16_t OnesComplementSum(std::span<const uint8_t> bytes, uint32_t initial = 0) {
  uint64_t sum = initial;
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += (uint32_t{bytes[i]} << 8) | bytes[i + 1];
  if (i < bytes.size()) sum += uint32_t{bytes[i]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

// Checksum of a whole TCP segment (header with its checksum field as given,
// plus payload) under the IPv4 or IPv6 pseudo-header. With the field zeroed
// this is the value to store; over a segment as received it is 0 when valid.
inline uint16_t TcpChecksum(const IpAddress& src, const IpAddress& dst,
                            std::span<const uint8_t> segment) {
  uint32_t sum = OnesComplementSum(src.bytes());
  sum += OnesComplementSum(dst.bytes());
  const uint32_t len = static_cast<uint32_t>(segment.size());
  sum += 6;  // protocol number, zero-extended
  sum += (len >> 16) + (len & 0xffff);
  return static_cast<uint16_t>(~OnesComplementSum(segment, sum));
}

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), where m and m' are the folded sums
// of the old and new contents of the changed (even-aligned) region.
inline uint16_t UpdateChecksum(uint16_t checksum, uint16_t old_sum, uint16_t new_sum) {
  uint32_t sum = uint16_t(~checksum);
  sum += uint16_t(~old_sum);
  sum += new_sum;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_TCP_CHECKSUM_H_
