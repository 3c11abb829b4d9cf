// SPDX-License-Identifier: Apache-2.0
// IpAddress: an IPv4 or IPv6 address as it appears on the wire (network byte
// order), small and trivially copyable so option structs can hold it by value.
//
//   mptcp_opts::IpAddress a = mptcp_opts::IpAddress::V4(192, 0, 2, 1);
//   a.bytes();            // 4 bytes: c0 00 02 01
//   a.ToString();         // "192.0.2.1" (allocates; never on the per-segment path)
#ifndef MPTCP_OPTS_IP_ADDRESS_H_
#define MPTCP_OPTS_IP_ADDRESS_H_

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>

namespace mptcp_opts {

class IpAddress {
 public:
  enum class Family : uint8_t { kIpv4 = 4, kIpv6 = 6 };

  constexpr IpAddress() = default;

  static constexpr IpAddress V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    IpAddress r;
    r.family_ = Family::kIpv4;
    r.bytes_[0] = a;
    r.bytes_[1] = b;
    r.bytes_[2] = c;
    r.bytes_[3] = d;
    return r;
  }
  // `wire` must hold exactly 4 bytes.
  static IpAddress FromV4Bytes(const uint8_t* wire) {
    IpAddress r;
    r.family_ = Family::kIpv4;
    std::memcpy(r.bytes_.data(), wire, 4);
    return r;
  }
  // `wire` must hold exactly 16 bytes.
  static IpAddress FromV6Bytes(const uint8_t* wire) {
    IpAddress r;
    r.family_ = Family::kIpv6;
    std::memcpy(r.bytes_.data(), wire, 16);
    return r;
  }
  // In-place setters for decoders: no temporary, no copy of 17 bytes after
  // writing 4. Bytes past size() are left as they are (never compared).
  void AssignV4(const uint8_t* wire) {
    family_ = Family::kIpv4;
    std::memcpy(bytes_.data(), wire, 4);
  }
  void AssignV6(const uint8_t* wire) {
    family_ = Family::kIpv6;
    std::memcpy(bytes_.data(), wire, 16);
  }
  // Parses dotted-quad or RFC 4291 text; nullopt when it is neither.
  static std::optional<IpAddress> Parse(const std::string& text) {
    uint8_t buf[16];
    if (inet_pton(AF_INET, text.c_str(), buf) == 1) return FromV4Bytes(buf);
    if (inet_pton(AF_INET6, text.c_str(), buf) == 1) return FromV6Bytes(buf);
    return std::nullopt;
  }

  constexpr Family family() const { return family_; }
  constexpr bool is_v4() const { return family_ == Family::kIpv4; }
  constexpr bool is_v6() const { return family_ == Family::kIpv6; }
  constexpr size_t size() const { return is_v4() ? 4 : 16; }
  std::span<const uint8_t> bytes() const { return {bytes_.data(), size()}; }

  std::string ToString() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof(buf));
    return buf;
  }

  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.family_ == b.family_ &&
           std::memcmp(a.bytes_.data(), b.bytes_.data(), a.size()) == 0;
  }

 private:
  Family family_ = Family::kIpv4;
  std::array<uint8_t, 16> bytes_{};
};

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_IP_ADDRESS_H_
