// SPDX-License-Identifier: Apache-2.0
// Who may open a pair and where it may go: every check a SYN, an accepted
// connection or a local connect passes before the core holds anything for
// it, in every role.
//  * Source: customer-facing interface and ACL (seed 002 §5.3), for the
//    initial SYN and for MP_JOIN SYNs alike.
//  * Flow eligibility: eligible_flows and supported_transport_protocols
//    (seed 002 §5.6.3, §5.6.6).
//  * Destination policy of a network MCP: never itself, never link-local or
//    an operator's internal prefix (decisions.md D13).
//  * The explicit request in a SYN's payload: IEs (D1-D7), destination port,
//    source address (PRESERVE / POOL, across families: seed 002 §5.4, §5.5).
//  * SYN-flood bounds: flow table, half-open in total and per source (§7.2).
#ifndef MCP_CORE_ADMISSION_H_
#define MCP_CORE_ADMISSION_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "mcp_core/actions.h"
#include "mcp_core/config.h"
#include "mcp_core/segment.h"
#include "mptcp_opts/ip_address.h"

namespace mcp_core {

struct Refusal {
  EventKind kind;
  uint8_t reason = 0;
};

// What an explicit-mode SYN asks a network MCP for, once admitted.
struct ExplicitRequest {
  FourTuple down;                 // the server leg: source chosen, destination from the IE
  std::vector<uint8_t> echo;      // D3: the Type-0 IEs, byte-identical (D6: without unknown types)
  size_t ies_length = 0;          // payload bytes taken by IEs; application data follows (D4)
  uint8_t skipped_unknown_types = 0;  // D6
};

// The unspecified address of a family: "the stack picks its own source".
mptcp_opts::IpAddress UnspecifiedAddress(mptcp_opts::IpAddress::Family family);

class Admission {
 public:
  explicit Admission(const Config& config) : config_(config) {}

  std::optional<Refusal> CheckSource(Interface iface, const mptcp_opts::IpAddress& source) const;
  // The flow to dst:dst_port under eligible_flows and supported_transport_protocols.
  std::optional<Refusal> CheckEligible(const mptcp_opts::IpAddress& dst, uint16_t dst_port) const;
  // Network MCP: where a concentrator must never connect (D13).
  std::optional<Refusal> CheckDestination(const mptcp_opts::IpAddress& dst) const;
  // Network MCP: the IEs of a SYN to the MCP (`syn` as it arrived), checked
  // with the destination policy and given a source.
  std::variant<ExplicitRequest, Refusal> ReadExplicitRequest(const FourTuple& syn,
                                                             std::span<const uint8_t> payload) const;

  // SYN-flood bounds: the first one a new pair from `source` would exceed.
  std::optional<EventKind> SetupLimitHit(const mptcp_opts::IpAddress& source, uint32_t pairs,
                                         uint32_t max_pairs) const;
  void HoldHalfOpen(const mptcp_opts::IpAddress& source);
  void ReleaseHalfOpen(const mptcp_opts::IpAddress& source);
  uint32_t half_open() const { return half_open_; }

 private:
  // A source of the destination's family from source_pool, the same for
  // every flow of one client ("paired" pooling, RFC 4787).
  std::optional<mptcp_opts::IpAddress> PoolAddress(mptcp_opts::IpAddress::Family family,
                                                   const mptcp_opts::IpAddress& client) const;
  // A fixed-size key (the family, then the address's bytes): no string to
  // build on every SYN.
  using SourceKey = std::array<uint8_t, 17>;
  static SourceKey Key(const mptcp_opts::IpAddress& a);

  const Config& config_;
  uint32_t half_open_ = 0;
  absl::flat_hash_map<SourceKey, uint32_t> half_open_by_source_;
};

}  // namespace mcp_core

#endif  // MCP_CORE_ADMISSION_H_
