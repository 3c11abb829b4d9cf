// SPDX-License-Identifier: Apache-2.0
// An IPv4 or IPv6 prefix ("192.0.2.0/24", "2001:db8::/32") for eligibility
// policies, ACLs and pools.
//
//   auto p = IpPrefix::Parse("10.0.0.0/8");
//   p->Contains(mptcp_opts::IpAddress::V4(10, 1, 2, 3));  // true
#ifndef MCP_CORE_IP_PREFIX_H_
#define MCP_CORE_IP_PREFIX_H_

#include <cstdint>
#include <optional>
#include <string>

#include "mptcp_opts/ip_address.h"

namespace mcp_core {

struct IpPrefix {
  mptcp_opts::IpAddress address;
  uint8_t length = 0;

  // "ADDR/LEN" or a bare address (a host prefix). nullopt on anything else,
  // including a length beyond the family's width.
  static std::optional<IpPrefix> Parse(const std::string& text) {
    const size_t slash = text.find('/');
    auto addr = mptcp_opts::IpAddress::Parse(text.substr(0, slash));
    if (!addr) return std::nullopt;
    const int width = addr->is_v4() ? 32 : 128;
    int len = width;
    if (slash != std::string::npos) {
      const std::string digits = text.substr(slash + 1);
      if (digits.empty() || digits.size() > 3 ||
          digits.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
      }
      len = std::stoi(digits);
      if (len > width) return std::nullopt;
    }
    return IpPrefix{*addr, static_cast<uint8_t>(len)};
  }

  bool Contains(const mptcp_opts::IpAddress& a) const {
    if (a.family() != address.family()) return false;
    const auto x = a.bytes();
    const auto p = address.bytes();
    size_t bits = length;
    for (size_t i = 0; bits > 0; ++i) {
      const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
      if ((x[i] & mask) != (p[i] & mask)) return false;
      bits -= bits >= 8 ? 8 : bits;
    }
    return true;
  }
};

}  // namespace mcp_core

#endif  // MCP_CORE_IP_PREFIX_H_
