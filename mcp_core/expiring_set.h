// SPDX-License-Identifier: Apache-2.0
// A small set of addresses whose entries expire: the MCP-capability cache of
// a CPE or client (decisions.md D8: MCPs that do not echo MP_CONVERT IEs) and
// the server cache of a network MCP (D9: servers that stall on MP_CAPABLE).
// Bounded: when full, the entry closest to expiry is replaced.
#ifndef MCP_CORE_EXPIRING_SET_H_
#define MCP_CORE_EXPIRING_SET_H_

#include <cstddef>
#include <optional>
#include <vector>

#include "mcp_core/time.h"
#include "mptcp_opts/ip_address.h"

namespace mcp_core {

class ExpiringSet {
 public:
  explicit ExpiringSet(size_t capacity) : capacity_(capacity) {}

  void Add(const mptcp_opts::IpAddress& a, Instant expiry) {
    for (auto& e : entries_) {
      if (e.address == a) {
        e.expiry = expiry;
        return;
      }
    }
    if (entries_.size() < capacity_) {
      entries_.push_back({a, expiry});
      return;
    }
    auto* soonest = &entries_[0];
    for (auto& e : entries_) if (e.expiry < soonest->expiry) soonest = &e;
    *soonest = {a, expiry};
  }
  bool Contains(const mptcp_opts::IpAddress& a, Instant now) const {
    for (const auto& e : entries_) if (e.address == a && e.expiry > now) return true;
    return false;
  }
  void Expire(Instant now) {
    std::erase_if(entries_, [now](const Entry& e) { return e.expiry <= now; });
  }
  void Clear() { entries_.clear(); }
  std::optional<Instant> NextExpiry() const {
    std::optional<Instant> next;
    for (const auto& e : entries_) if (!next || e.expiry < *next) next = e.expiry;
    return next;
  }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    mptcp_opts::IpAddress address;
    Instant expiry;
  };
  size_t capacity_;
  std::vector<Entry> entries_;
};

}  // namespace mcp_core

#endif  // MCP_CORE_EXPIRING_SET_H_
