// SPDX-License-Identifier: Apache-2.0
// Primitive big-endian loads and stores used by every option decoder and
// encoder, and a memory-order word load for matching several bytes at once.
// Callers check lengths once, up front, then use these unchecked helpers (one
// length check per option, as in ngtcp2's frame decoders).
#ifndef MPTCP_OPTS_WIRE_H_
#define MPTCP_OPTS_WIRE_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace mptcp_opts::internal {

inline uint16_t LoadBe16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
inline uint32_t LoadBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline uint64_t LoadBe64(const uint8_t* p) {
  return (uint64_t{LoadBe32(p)} << 32) | LoadBe32(p + 4);
}
// Four bytes as one machine word in memory order (no byte swap), to test
// them against a BytesWord constant with a single compare.
inline uint32_t LoadWord32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline constexpr uint32_t BytesWord(uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3) {
  if constexpr (std::endian::native == std::endian::little) {
    return uint32_t{b0} | (uint32_t{b1} << 8) | (uint32_t{b2} << 16) | (uint32_t{b3} << 24);
  } else {
    return (uint32_t{b0} << 24) | (uint32_t{b1} << 16) | (uint32_t{b2} << 8) | uint32_t{b3};
  }
}
inline void StoreBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void StoreBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline void StoreBe64(uint8_t* p, uint64_t v) {
  StoreBe32(p, static_cast<uint32_t>(v >> 32));
  StoreBe32(p + 4, static_cast<uint32_t>(v));
}

}  // namespace mptcp_opts::internal

#endif  // MPTCP_OPTS_WIRE_H_
