// SPDX-License-Identifier: Apache-2.0
// The core's configuration as plain C++ values. The per-segment path reads
// only this struct, and this header includes no protobuf: generated code stays
// at the edge, in config_loader.h, which builds a Config from config.proto
// (textproto on disk) and validates it. converter.h includes this header;
// converter_header_has_no_protobuf_test keeps its include graph free of
// protobuf.
//
//   #include "mcp_core/config_loader.h"   // the embedder's start-up code only
//   absl::StatusOr<mcp_core::Config> c = mcp_core::LoadConfig(textproto);
//   if (!c.ok()) std::cerr << c.status() << "\n";   // says which field and why
//   mcp_core::Converter converter(*c);
#ifndef MCP_CORE_CONFIG_H_
#define MCP_CORE_CONFIG_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "mcp_core/ip_prefix.h"
#include "mcp_core/time.h"
#include "mptcp_opts/ip_address.h"
#include "mptcp_opts/option_header.h"

namespace mcp_core {

enum class Role : uint8_t { kNetworkMcp, kCpeMcp, kMultipathClient };

// Seed 002 §5.6.2: recorded only; the embedder's MPTCP scheduler applies it.
enum class DistributionScheme : uint8_t { kDefaultScheduler, kRoundRobin, kPrimaryBackup, kRedundant };

struct Config {
  Role role = Role::kNetworkMcp;
  std::vector<mptcp_opts::IpAddress> mcp_addresses;   // network MCP: own addresses
  std::optional<mptcp_opts::IpAddress> network_mcp;   // CPE / client: where to go
  uint16_t network_mcp_port = 0;
  bool source_pool_mode = false;                      // false: PRESERVE
  std::vector<mptcp_opts::IpAddress> source_pool;
  bool send_source_ie = false;

  std::vector<IpPrefix> eligible_prefixes;            // empty = all
  std::vector<uint16_t> eligible_ports;               // empty = all
  std::vector<IpPrefix> excluded_prefixes;
  std::vector<uint8_t> supported_transport_protocols = {6};
  DistributionScheme distribution_scheme = DistributionScheme::kDefaultScheduler;

  bool relay_mp_capable_to_servers = true;            // seed 002 §5.6.1
  Duration server_mp_capable_timeout = Duration::Millis(3000);   // D9
  Duration server_cache_ttl = Duration::Seconds(86400);          // D9
  bool mcp_withdrawal = false;
  uint16_t mss_clamp = 0;
  bool preserve_dscp = true;                          // seed 002 §5.6.5
  uint8_t dscp_remark = 0;
  bool logging = true;

  Duration setup_timeout = Duration::Millis(10000);
  Duration idle_lifetime = Duration::Seconds(7440);
  Duration capability_cache_ttl = Duration::Seconds(86400);      // D8

  std::vector<IpPrefix> acl_source_prefixes;          // empty = any
  uint32_t max_half_open_per_source = 64;
  uint32_t max_half_open_total = 4096;
  uint32_t max_subflows_per_connection = 8;
  uint32_t max_flows = 1000000;
  uint32_t challenge_acks_per_second = 1000;          // RFC 5961 §7; 0: never
  // Network MCP destination policy (decisions.md D13). Own addresses
  // (mcp_addresses, source_pool) are always refused; with this on (default),
  // also loopback, link-local, multicast, unspecified and broadcast.
  bool refuse_special_destinations = true;
  std::vector<IpPrefix> refused_destination_prefixes;  // internal prefixes, always refused
  // PRESERVE mode, the client's address cannot be kept because it is of the
  // other family than the server's (seed 002 §5.5): use the stack's own
  // address (default) or one of source_pool.
  enum class CrossFamilySource : uint8_t { kStackAddress, kSourcePool };
  CrossFamilySource cross_family_source = CrossFamilySource::kStackAddress;
  // Events waiting for PollEvent; past it they are counted (Stats) and dropped.
  uint32_t max_queued_events = 65536;
  // D5: 0x9..0xE, default 0xE; the type holds nothing else.
  mptcp_opts::PreferProxySubtype prefer_proxy_subtype = mptcp_opts::PreferProxySubtype::Default();
};

}  // namespace mcp_core

#endif  // MCP_CORE_CONFIG_H_
