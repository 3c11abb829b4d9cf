// SPDX-License-Identifier: Apache-2.0
// MPTCP key-derived values (RFC 8684 §3.1, §3.2, §3.4.1; RFC 6824 for v0):
// token and IDSN from a key, MP_JOIN HMACs, the ADD_ADDR HMAC, and a
// constant-time comparison for verifying them. The only file that touches
// OpenSSL is crypto.cc; nothing here allocates (bench/ counts it).
//
// Keys are 64-bit numbers hashed as 8 big-endian bytes. v0 uses SHA-1 and
// HMAC-SHA1, v1 SHA-256 and HMAC-SHA256.
//
//   uint32_t token = mptcp_opts::Token(key, MptcpVersion::kV1);
//   uint64_t expect = JoinSynAckTruncatedHmac(v, key_b, key_a, nonce_b, nonce_a);
//   bool ok = HmacEqual(expect, join_syn_ack.truncated_hmac);
#ifndef MPTCP_OPTS_CRYPTO_H_
#define MPTCP_OPTS_CRYPTO_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "mptcp_opts/ip_address.h"
#include "mptcp_opts/option_header.h"

namespace mptcp_opts {

// A SHA-1 (20-byte) or SHA-256 (32-byte) digest.
struct Digest {
  std::array<uint8_t, 32> bytes{};
  size_t size = 0;
  std::span<const uint8_t> view() const { return {bytes.data(), size}; }
};

// H(key): SHA-1 for v0, SHA-256 for v1, over the key's 8 big-endian bytes.
Digest HashKey(uint64_t key, MptcpVersion version);
// Most significant 32 bits of H(key).
uint32_t Token(uint64_t key, MptcpVersion version);
// Least significant 64 bits of H(key): the initial data sequence number.
uint64_t Idsn(uint64_t key, MptcpVersion version);

// HMAC (SHA-1 for v0, SHA-256 for v1) keyed with `key` over `message`.
Digest Hmac(MptcpVersion version, std::span<const uint8_t> key, std::span<const uint8_t> message);

// The MP_JOIN HMAC a host computes: HMAC(own key || peer key, own nonce ||
// peer nonce) (RFC 8684 §3.2). Full digest.
Digest JoinHmac(MptcpVersion version, uint64_t own_key, uint64_t peer_key, uint32_t own_nonce,
                uint32_t peer_nonce);
// MP_JOIN SYN/ACK: leftmost 64 bits of the responder's (B's) HMAC.
uint64_t JoinSynAckTruncatedHmac(MptcpVersion version, uint64_t responder_key,
                                 uint64_t initiator_key, uint32_t responder_nonce,
                                 uint32_t initiator_nonce);
// MP_JOIN ACK: leftmost 160 bits of the initiator's (A's) HMAC.
std::array<uint8_t, 20> JoinAckHmac(MptcpVersion version, uint64_t initiator_key,
                                    uint64_t responder_key, uint32_t initiator_nonce,
                                    uint32_t responder_nonce);

// How the 64 bits of an ADD_ADDR HMAC are chosen. RFC 8684 §3.4.1 with
// decisions.md D11 is kRfc8684; the others are what earlier Linux kernels
// sent (wire-formats.md §7.3, §8), for telling an old peer from a bad one.
enum class AddAddrHmacVariant : uint8_t {
  kRfc8684 = 0,            // rightmost 64 bits; port bytes, or 00 00 without port
  kLinuxPortAlwaysZero,    // rightmost 64 bits; port always 00 00
  kLinuxLeftmostPortZero,  // leftmost 64 bits; port always 00 00
};
const char* AddAddrHmacVariantName(AddAddrHmacVariant variant);

// v1 ADD_ADDR HMAC: HMAC-SHA256(sender key || receiver key,
// ID || address || port) truncated per `variant`.
uint64_t AddAddrHmac(uint64_t sender_key, uint64_t receiver_key, uint8_t address_id,
                     const IpAddress& address, std::optional<uint16_t> port,
                     AddAddrHmacVariant variant = AddAddrHmacVariant::kRfc8684);

// Constant-time equality (CRYPTO_memcmp): verification must not leak how
// many leading bytes of a forged HMAC were right. Different sizes: false.
bool ConstantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b);
bool HmacEqual(uint64_t a, uint64_t b);

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_CRYPTO_H_
