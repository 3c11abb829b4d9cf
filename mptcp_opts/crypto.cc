// The codec's only use of OpenSSL's libcrypto.
#include "mptcp_opts/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "mptcp_opts/wire.h"

namespace mptcp_opts {
namespace {

const EVP_MD* DigestFor(MptcpVersion version) {
  return version == MptcpVersion::kV0 ? EVP_sha1() : EVP_sha256();
}

}  // namespace

Digest HashKey(uint64_t key, MptcpVersion version) {
  uint8_t k[8];
  internal::StoreBe64(k, key);
  Digest d;
  if (version == MptcpVersion::kV0) {
    SHA1(k, sizeof(k), d.bytes.data());
    d.size = SHA_DIGEST_LENGTH;
  } else {
    SHA256(k, sizeof(k), d.bytes.data());
    d.size = SHA256_DIGEST_LENGTH;
  }
  return d;
}

uint32_t Token(uint64_t key, MptcpVersion version) {
  return internal::LoadBe32(HashKey(key, version).bytes.data());
}

uint64_t Idsn(uint64_t key, MptcpVersion version) {
  const Digest d = HashKey(key, version);
  return internal::LoadBe64(d.bytes.data() + d.size - 8);
}

Digest Hmac(MptcpVersion version, std::span<const uint8_t> key, std::span<const uint8_t> message) {
  // OpenSSL 3 fails on null pointers even for zero lengths (an empty span
  // may have one), so point empty inputs at a real byte.
  static const uint8_t kEmpty = 0;
  Digest d;
  unsigned int n = 0;
  const bool ok = HMAC(DigestFor(version), key.empty() ? &kEmpty : key.data(),
                       static_cast<int>(key.size()), message.empty() ? &kEmpty : message.data(),
                       message.size(), d.bytes.data(), &n) != nullptr;
  d.size = ok ? n : 0;
  return d;
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
