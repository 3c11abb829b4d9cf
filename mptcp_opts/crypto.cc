// SPDX-License-Identifier: Apache-2.0
// The codec's only use of OpenSSL's libcrypto: the SHA-1 and SHA-256
// compression functions and CRYPTO_memcmp. OpenSSL 3's one-shot SHA1(),
// SHA256() and HMAC() fetch algorithm objects and allocate on every call
// (3 and 13 allocations, ~330 ns and ~1.2 us, bench/README.md), so the
// digests use the low-level contexts (deprecated in 3.0, still shipped) and
// HMAC (RFC 2104) is built on them here: no allocation, about 5x faster.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "mptcp_opts/crypto.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>

#include "mptcp_opts/wire.h"

namespace mptcp_opts {
namespace {

constexpr size_t kBlockBytes = 64;  // SHA-1 and SHA-256 block size

// Incremental H over a few pieces, H = SHA-1 (v0) or SHA-256 (v1).
class Hasher {
 public:
  explicit Hasher(MptcpVersion version) : v0_(version == MptcpVersion::kV0) {
    if (v0_) SHA1_Init(&sha1_);
    else SHA256_Init(&sha256_);
  }
  void Update(const uint8_t* data, size_t n) {
    if (n == 0) return;
    if (v0_) SHA1_Update(&sha1_, data, n);
    else SHA256_Update(&sha256_, data, n);
  }
  Digest Final() {
    Digest d;
    if (v0_) {
      SHA1_Final(d.bytes.data(), &sha1_);
      d.size = SHA_DIGEST_LENGTH;
    } else {
      SHA256_Final(d.bytes.data(), &sha256_);
      d.size = SHA256_DIGEST_LENGTH;
    }
    return d;
  }

 private:
  bool v0_;
  SHA_CTX sha1_;
  SHA256_CTX sha256_;
};

}  // namespace

Digest HashKey(uint64_t key, MptcpVersion version) {
  uint8_t k[8];
  internal::StoreBe64(k, key);
  Hasher h(version);
  h.Update(k, sizeof(k));
  return h.Final();
}

uint32_t Token(uint64_t key, MptcpVersion version) {
  return internal::LoadBe32(HashKey(key, version).bytes.data());
}

uint64_t Idsn(uint64_t key, MptcpVersion version) {
  const Digest d = HashKey(key, version);
  return internal::LoadBe64(d.bytes.data() + d.size - 8);
}

// RFC 2104: H((K0 ^ opad) || H((K0 ^ ipad) || message)), K0 the key padded
// to the block size (hashed first when longer).
Digest Hmac(MptcpVersion version, std::span<const uint8_t> key, std::span<const uint8_t> message) {
  uint8_t k0[kBlockBytes] = {};
  if (key.size() > kBlockBytes) {
    Hasher h(version);
    h.Update(key.data(), key.size());
    const Digest hashed = h.Final();
    std::memcpy(k0, hashed.bytes.data(), hashed.size);
  } else if (!key.empty()) {
    std::memcpy(k0, key.data(), key.size());
  }
  uint8_t pad[kBlockBytes];
  for (size_t i = 0; i < kBlockBytes; ++i) pad[i] = k0[i] ^ 0x36;
  Hasher inner(version);
  inner.Update(pad, kBlockBytes);
  inner.Update(message.data(), message.size());
  const Digest inner_digest = inner.Final();
  for (size_t i = 0; i < kBlockBytes; ++i) pad[i] = k0[i] ^ 0x5c;
  Hasher outer(version);
  outer.Update(pad, kBlockBytes);
  outer.Update(inner_digest.bytes.data(), inner_digest.size);
  return outer.Final();
}

Digest JoinHmac(MptcpVersion version, uint64_t own_key, uint64_t peer_key, uint32_t own_nonce,
                uint32_t peer_nonce) {
  uint8_t key[16];
  uint8_t msg[8];
  internal::StoreBe64(key, own_key);
  internal::StoreBe64(key + 8, peer_key);
  internal::StoreBe32(msg, own_nonce);
  internal::StoreBe32(msg + 4, peer_nonce);
  return Hmac(version, key, msg);
}

uint64_t JoinSynAckTruncatedHmac(MptcpVersion version, uint64_t responder_key,
                                 uint64_t initiator_key, uint32_t responder_nonce,
                                 uint32_t initiator_nonce) {
  const Digest d = JoinHmac(version, responder_key, initiator_key, responder_nonce,
                            initiator_nonce);
  return internal::LoadBe64(d.bytes.data());
}

std::array<uint8_t, 20> JoinAckHmac(MptcpVersion version, uint64_t initiator_key,
                                    uint64_t responder_key, uint32_t initiator_nonce,
                                    uint32_t responder_nonce) {
  const Digest d = JoinHmac(version, initiator_key, responder_key, initiator_nonce,
                            responder_nonce);
  std::array<uint8_t, 20> out;
  for (size_t i = 0; i < out.size(); ++i) out[i] = d.bytes[i];
  return out;
}

const char* AddAddrHmacVariantName(AddAddrHmacVariant variant) {
  switch (variant) {
    case AddAddrHmacVariant::kRfc8684: return "rfc8684";
    case AddAddrHmacVariant::kLinuxPortAlwaysZero: return "linux-port-always-zero";
    case AddAddrHmacVariant::kLinuxLeftmostPortZero: return "linux-leftmost-port-zero";
  }
  return "unknown";
}

uint64_t AddAddrHmac(uint64_t sender_key, uint64_t receiver_key, uint8_t address_id,
                     const IpAddress& address, std::optional<uint16_t> port,
                     AddAddrHmacVariant variant) {
  uint8_t key[16];
  internal::StoreBe64(key, sender_key);
  internal::StoreBe64(key + 8, receiver_key);
  uint8_t msg[1 + 16 + 2];
  msg[0] = address_id;
  const auto addr = address.bytes();
  for (size_t i = 0; i < addr.size(); ++i) msg[1 + i] = addr[i];
  const uint16_t port_bytes = (variant == AddAddrHmacVariant::kRfc8684 && port) ? *port : 0;
  internal::StoreBe16(msg + 1 + addr.size(), port_bytes);  // D11: zeros when absent
  const Digest d =
      Hmac(MptcpVersion::kV1, key, std::span<const uint8_t>(msg, 1 + addr.size() + 2));
  if (variant == AddAddrHmacVariant::kLinuxLeftmostPortZero) {
    return internal::LoadBe64(d.bytes.data());
  }
  return internal::LoadBe64(d.bytes.data() + d.size - 8);
}

bool ConstantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool HmacEqual(uint64_t a, uint64_t b) {
  uint8_t x[8];
  uint8_t y[8];
  internal::StoreBe64(x, a);
  internal::StoreBe64(y, b);
  return ConstantTimeEqual(x, y);
}

}  // namespace mptcp_opts
