// SPDX-License-Identifier: Apache-2.0
#include "mcp_core/config_loader.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mcp_core {
namespace {

using mptcp_opts::IpAddress;

absl::Status Bad(const std::string& field, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

absl::Status ParseAddresses(const google::protobuf::RepeatedPtrField<std::string>& in,
                            const char* field, std::vector<IpAddress>& out) {
  for (int i = 0; i < in.size(); ++i) {
    auto a = IpAddress::Parse(in[i]);
    if (!a) return Bad(absl::StrCat(field, "[", i, "]"), absl::StrCat("'", in[i], "' is not an IP address"));
    out.push_back(*a);
  }
  return absl::OkStatus();
}

absl::Status ParsePrefixes(const google::protobuf::RepeatedPtrField<std::string>& in,
                           const std::string& field, std::vector<IpPrefix>& out) {
  for (int i = 0; i < in.size(); ++i) {
    auto p = IpPrefix::Parse(in[i]);
    if (!p) return Bad(absl::StrCat(field, "[", i, "]"), absl::StrCat("'", in[i], "' is not an IP prefix"));
    out.push_back(*p);
  }
  return absl::OkStatus();
}

// Keeps the first textproto syntax error with its position (1-based).
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first_.empty()) first_ = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ", message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

}  // namespace

absl::StatusOr<Config> ConfigFromProto(const McpConfig& p) {
  Config c;
  switch (p.role()) {
    case McpConfig::NETWORK_MCP: c.role = Role::kNetworkMcp; break;
    case McpConfig::CPE_MCP: c.role = Role::kCpeMcp; break;
    case McpConfig::MULTIPATH_CLIENT: c.role = Role::kMultipathClient; break;
    default: return Bad("role", "must be NETWORK_MCP, CPE_MCP or MULTIPATH_CLIENT");
  }
  if (auto s = ParseAddresses(p.mcp_addresses(), "mcp_addresses", c.mcp_addresses); !s.ok()) return s;
  if (c.role == Role::kNetworkMcp && c.mcp_addresses.empty()) {
    return Bad("mcp_addresses", "a NETWORK_MCP needs at least one address clients send SYNs to");
  }
  if (c.role != Role::kNetworkMcp) {
    if (p.network_mcps().empty()) return Bad("network_mcps", "a CPE_MCP or MULTIPATH_CLIENT needs the network MCP to use");
    auto a = IpAddress::Parse(p.network_mcps(0).address());
    if (!a) return Bad("network_mcps[0].address", absl::StrCat("'", p.network_mcps(0).address(), "' is not an IP address"));
    if (p.network_mcps(0).port() == 0 || p.network_mcps(0).port() > 65535) {
      return Bad("network_mcps[0].port", "must be 1..65535");
    }
    c.network_mcp = *a;
    c.network_mcp_port = static_cast<uint16_t>(p.network_mcps(0).port());
  }
  c.source_pool_mode = p.source_mode() == McpConfig::POOL;
  if (auto s = ParseAddresses(p.source_pool(), "source_pool", c.source_pool); !s.ok()) return s;
  if (c.source_pool_mode && c.source_pool.empty()) return Bad("source_pool", "source_mode POOL needs addresses");
  c.send_source_ie = p.send_source_ie();
  switch (p.cross_family_source()) {
    case McpConfig::CROSS_FAMILY_SOURCE_UNSPECIFIED:
    case McpConfig::STACK_ADDRESS: c.cross_family_source = Config::CrossFamilySource::kStackAddress; break;
    case McpConfig::SOURCE_POOL:
      if (c.source_pool.empty()) return Bad("cross_family_source", "SOURCE_POOL needs addresses in source_pool");
      c.cross_family_source = Config::CrossFamilySource::kSourcePool;
      break;
    default:
      return Bad("cross_family_source",
                 absl::StrCat(p.cross_family_source(), " is not STACK_ADDRESS or SOURCE_POOL"));
  }

  const auto& e = p.eligible_flows();
  if (auto s = ParsePrefixes(e.destination_prefixes(), "eligible_flows.destination_prefixes", c.eligible_prefixes); !s.ok()) return s;
  if (auto s = ParsePrefixes(e.excluded_destination_prefixes(), "eligible_flows.excluded_destination_prefixes", c.excluded_prefixes); !s.ok()) return s;
  for (int i = 0; i < e.destination_ports_size(); ++i) {
    if (e.destination_ports(i) == 0 || e.destination_ports(i) > 65535) {
      return Bad(absl::StrCat("eligible_flows.destination_ports[", i, "]"), "must be 1..65535");
    }
    c.eligible_ports.push_back(static_cast<uint16_t>(e.destination_ports(i)));
  }
  if (p.supported_transport_protocols_size() > 0) {
    c.supported_transport_protocols.clear();
    for (int i = 0; i < p.supported_transport_protocols_size(); ++i) {
      if (p.supported_transport_protocols(i) > 255) {
        return Bad(absl::StrCat("supported_transport_protocols[", i, "]"), "must be an IANA protocol number (0..255)");
      }
      c.supported_transport_protocols.push_back(static_cast<uint8_t>(p.supported_transport_protocols(i)));
    }
  }
  switch (p.traffic_distribution_scheme()) {
    case McpConfig::DISTRIBUTION_UNSPECIFIED:
    case McpConfig::DEFAULT_SCHEDULER: c.distribution_scheme = DistributionScheme::kDefaultScheduler; break;
    case McpConfig::ROUND_ROBIN: c.distribution_scheme = DistributionScheme::kRoundRobin; break;
    case McpConfig::PRIMARY_BACKUP: c.distribution_scheme = DistributionScheme::kPrimaryBackup; break;
    case McpConfig::REDUNDANT: c.distribution_scheme = DistributionScheme::kRedundant; break;
    default:
      return Bad("traffic_distribution_scheme",
                 absl::StrCat(p.traffic_distribution_scheme(),
                              " is not DEFAULT_SCHEDULER, ROUND_ROBIN, PRIMARY_BACKUP or REDUNDANT"));
  }
  if (p.has_relay_mp_capable_to_servers()) c.relay_mp_capable_to_servers = p.relay_mp_capable_to_servers();
  if (p.has_server_mp_capable_timeout_ms()) c.server_mp_capable_timeout = Duration::Millis(p.server_mp_capable_timeout_ms());
  if (p.has_server_cache_ttl_seconds()) c.server_cache_ttl = Duration::Seconds(p.server_cache_ttl_seconds());
  c.mcp_withdrawal = p.mcp_withdrawal();
  if (p.mss_clamp() != 0 && (p.mss_clamp() < 88 || p.mss_clamp() > 65535)) {
    return Bad("mss_clamp", "must be 0 (off) or 88..65535");  // 88: RFC 9293 minimum IPv4 MSS + options
  }
  c.mss_clamp = static_cast<uint16_t>(p.mss_clamp());
  if (p.has_preserve_dscp()) c.preserve_dscp = p.preserve_dscp();
  if (p.dscp_remark() > 63) return Bad("dscp_remark", "a DSCP is 0..63");
  if (c.preserve_dscp && p.dscp_remark() != 0) return Bad("dscp_remark", "set preserve_dscp: false to remark");
  c.dscp_remark = static_cast<uint8_t>(p.dscp_remark());
  if (p.has_logging()) c.logging = p.logging();
  if (p.has_setup_timeout_ms()) {
    if (p.setup_timeout_ms() == 0) return Bad("setup_timeout_ms", "must be > 0");
    c.setup_timeout = Duration::Millis(p.setup_timeout_ms());
  }
  if (p.has_idle_lifetime_seconds()) {
    if (p.idle_lifetime_seconds() == 0) return Bad("idle_lifetime_seconds", "must be > 0");
    c.idle_lifetime = Duration::Seconds(p.idle_lifetime_seconds());
  }
  if (p.has_capability_cache_ttl_seconds()) c.capability_cache_ttl = Duration::Seconds(p.capability_cache_ttl_seconds());
  if (auto s = ParsePrefixes(p.acl_source_prefixes(), "acl_source_prefixes", c.acl_source_prefixes); !s.ok()) return s;
  if (p.has_max_half_open_per_source()) c.max_half_open_per_source = p.max_half_open_per_source();
  if (p.has_max_half_open_total()) c.max_half_open_total = p.max_half_open_total();
  if (p.has_max_subflows_per_connection()) {
    // Simultaneous subflows, the initial one included; the core counts them in 16 bits.
    if (p.max_subflows_per_connection() < 1 || p.max_subflows_per_connection() > 65535) {
      return Bad("max_subflows_per_connection",
                 absl::StrCat(p.max_subflows_per_connection(), " is outside 1..65535"));
    }
    c.max_subflows_per_connection = p.max_subflows_per_connection();
  }
  if (p.has_max_flows()) c.max_flows = p.max_flows();
  if (p.has_challenge_acks_per_second()) c.challenge_acks_per_second = p.challenge_acks_per_second();
  if (c.max_half_open_per_source == 0 || c.max_half_open_total == 0 || c.max_flows == 0) {
    return Bad("max_half_open_per_source/max_half_open_total/max_flows", "must be > 0");
  }
  if (c.max_flows > (1u << 30)) return Bad("max_flows", "at most 2^30");
  if (c.max_half_open_total > c.max_flows) return Bad("max_half_open_total", "cannot exceed max_flows");
  if (p.has_refuse_special_destinations()) c.refuse_special_destinations = p.refuse_special_destinations();
  if (auto s = ParsePrefixes(p.refused_destination_prefixes(), "refused_destination_prefixes",
                             c.refused_destination_prefixes);
      !s.ok()) {
    return s;
  }
  if (p.has_max_queued_events()) {
    if (p.max_queued_events() == 0) {
      return Bad("max_queued_events", "must be >= 1; use logging: false to queue none");
    }
    c.max_queued_events = p.max_queued_events();
  }
  if (p.has_prefer_proxy_subtype()) {
    const auto subtype = mptcp_opts::PreferProxySubtype::FromValue(p.prefer_proxy_subtype());
    if (!subtype) {
      return Bad("prefer_proxy_subtype",
                 absl::StrCat(p.prefer_proxy_subtype(), " is outside ",
                              mptcp_opts::PreferProxySubtype::kRangeReason));
    }
    c.prefer_proxy_subtype = *subtype;
  }
  return c;
}

absl::Status ParseConfigTextProto(const std::string& textproto, google::protobuf::Message& message) {
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(textproto, &message)) {
    return absl::InvalidArgumentError(absl::StrCat("config textproto: ", errors.first()));
  }
  return absl::OkStatus();
}

absl::StatusOr<Config> LoadConfig(const std::string& textproto) {
  McpConfig proto;
  if (auto s = ParseConfigTextProto(textproto, proto); !s.ok()) return s;
  return ConfigFromProto(proto);
}

}  // namespace mcp_core
