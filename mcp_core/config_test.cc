// SPDX-License-Identifier: Apache-2.0
#include "mcp_core/config_loader.h"

#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace mcp_core {
namespace {

TEST(ConfigTest, NetworkMcpDefaults) {
  auto c = LoadConfig(R"pb(role: NETWORK_MCP mcp_addresses: "203.0.113.1")pb");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->role, Role::kNetworkMcp);
  EXPECT_TRUE(c->preserve_dscp);               // seed 002 §5.6.5: on by default
  EXPECT_TRUE(c->relay_mp_capable_to_servers);  // §5.6.1
  EXPECT_FALSE(c->mcp_withdrawal);              // §5.6.1: the MCP stays by default
  EXPECT_EQ(c->capability_cache_ttl, Duration::Seconds(86400));  // D8
  EXPECT_EQ(c->server_cache_ttl, Duration::Seconds(86400));      // D9
  EXPECT_EQ(c->server_mp_capable_timeout, Duration::Millis(3000));  // D9
  EXPECT_EQ(c->prefer_proxy_subtype.value(), 0xE);                // D5
  EXPECT_EQ(c->supported_transport_protocols, std::vector<uint8_t>{6});
  EXPECT_TRUE(c->logging);
  EXPECT_EQ(c->challenge_acks_per_second, 1000u);  // RFC 5961 §7
}

TEST(ConfigTest, EverySection56ParameterLoads) {
  auto c = LoadConfig(R"pb(
    role: CPE_MCP
    network_mcps { address: "2001:db8:ffff::1" port: 5555 }
    source_mode: POOL
    source_pool: "192.0.2.1"
    send_source_ie: true
    eligible_flows { destination_prefixes: "0.0.0.0/0" destination_ports: 443 excluded_destination_prefixes: "10.0.0.0/8" }
    supported_transport_protocols: 6
    supported_transport_protocols: 17
    traffic_distribution_scheme: PRIMARY_BACKUP
    relay_mp_capable_to_servers: false
    server_cache_ttl_seconds: 600
    mcp_withdrawal: true
    mss_clamp: 1400
    preserve_dscp: false
    dscp_remark: 10
    logging: false
    setup_timeout_ms: 2000
    idle_lifetime_seconds: 300
    capability_cache_ttl_seconds: 60
    acl_source_prefixes: "100.64.0.0/10"
    max_half_open_per_source: 4
    max_half_open_total: 100
    max_subflows_per_connection: 4
    max_flows: 1000
    prefer_proxy_subtype: 11
    challenge_acks_per_second: 50
  )pb");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->network_mcp_port, 5555);
  EXPECT_EQ(c->distribution_scheme, DistributionScheme::kPrimaryBackup);
  EXPECT_FALSE(c->relay_mp_capable_to_servers);
  EXPECT_TRUE(c->mcp_withdrawal);
  EXPECT_EQ(c->mss_clamp, 1400);
  EXPECT_FALSE(c->preserve_dscp);
  EXPECT_EQ(c->dscp_remark, 10);
  EXPECT_EQ(c->setup_timeout, Duration::Millis(2000));
  EXPECT_EQ(c->prefer_proxy_subtype.value(), 11);
  EXPECT_EQ(c->challenge_acks_per_second, 50u);
  EXPECT_EQ(c->eligible_ports, std::vector<uint16_t>{443});
}

TEST(ConfigTest, ClearErrors) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"", "role: must be"},
      {"role: NETWORK_MCP", "mcp_addresses: a NETWORK_MCP needs"},
      {"role: NETWORK_MCP mcp_addresses: \"203.0.113.300\"", "mcp_addresses[0]: '203.0.113.300' is not an IP address"},
      {"role: CPE_MCP", "network_mcps: a CPE_MCP"},
      {"role: CPE_MCP network_mcps { address: \"192.0.2.1\" }", "network_mcps[0].port"},
      {"role: NETWORK_MCP mcp_addresses: \"192.0.2.1\" source_mode: POOL", "source_pool: source_mode POOL needs"},
      {"role: NETWORK_MCP mcp_addresses: \"192.0.2.1\" acl_source_prefixes: \"10.0.0.0/33\"", "acl_source_prefixes[0]"},
      {"role: NETWORK_MCP mcp_addresses: \"192.0.2.1\" prefer_proxy_subtype: 2", "prefer_proxy_subtype: 2 is outside 0x9..0xE"},
      {"role: NETWORK_MCP mcp_addresses: \"192.0.2.1\" dscp_remark: 10", "dscp_remark: set preserve_dscp: false"},
      {"role: NETWORK_MCP mcp_addresses: \"192.0.2.1\" mss_clamp: 20", "mss_clamp"},
      {"role: NETWORK_MCP mcp_addresses: \"192.0.2.1\" max_flows: 10 max_half_open_total: 20", "max_half_open_total: cannot exceed"},
      {"role: NETWORK_MCP bogus_field: 1", "line 1, column"},
  };
  for (const Case& c : cases) {
    auto r = LoadConfig(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(r.status().message()).find(c.message), std::string::npos)
        << c.text << " -> " << r.status();
  }
}

// Issue 12: the textproto loader takes the one range of decisions.md D5
// (0x9..0xE) and names the field and the range when it refuses.
TEST(ConfigTest, PreferProxySubtypeOutsideD5RangeIsRefusedNamingTheField) {
  for (const char* v : {"2", "0x8", "0xF", "16", "256", "4294967295", "270"}) {
    const std::string text =
        std::string("role: NETWORK_MCP mcp_addresses: \"192.0.2.1\" prefer_proxy_subtype: ") + v;
    auto r = LoadConfig(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message(r.status().message());
    EXPECT_EQ(message.rfind("prefer_proxy_subtype: ", 0), 0u) << message;
    EXPECT_NE(message.find(" is outside 0x9..0xE"), std::string::npos) << message;
    EXPECT_NE(message.find("decisions.md D5"), std::string::npos) << message;
  }
}

TEST(ConfigTest, PreferProxySubtypeAcceptsBothEndsOfTheD5Range) {
  for (const auto& [text, want] : {std::pair{"0x9", 0x9}, std::pair{"0xE", 0xE}, std::pair{"9", 9},
                                   std::pair{"14", 14}}) {
    auto c = LoadConfig(
        std::string("role: NETWORK_MCP mcp_addresses: \"192.0.2.1\" prefer_proxy_subtype: ") + text);
    ASSERT_TRUE(c.ok()) << text << " -> " << c.status();
    EXPECT_EQ(c->prefer_proxy_subtype.value(), want) << text;
  }
}

// Issue 14: the destination policy, cross-family and event-queue settings and
// the subflow limit's range, from config.proto to the plain Config.
constexpr char kNetworkMcp[] = "role: NETWORK_MCP mcp_addresses: \"203.0.113.1\" ";

absl::StatusOr<Config> LoadNetworkMcp(const std::string& extra) { return LoadConfig(kNetworkMcp + extra); }

void ExpectRefused(const std::string& extra, const std::string& message) {
  auto r = LoadNetworkMcp(extra);
  ASSERT_FALSE(r.ok()) << extra;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << extra;
  EXPECT_EQ(r.status().message(), message) << extra;
}

TEST(ConfigTest, SecondPassSettingsDefaults) {
  auto c = LoadNetworkMcp("");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->refuse_special_destinations);  // D13: on by default
  EXPECT_TRUE(c->refused_destination_prefixes.empty());
  EXPECT_EQ(c->cross_family_source, Config::CrossFamilySource::kStackAddress);  // seed 002 §5.5
  EXPECT_EQ(c->max_queued_events, 65536u);
  EXPECT_EQ(c->max_subflows_per_connection, 8u);
  EXPECT_EQ(c->distribution_scheme, DistributionScheme::kDefaultScheduler);
}

TEST(ConfigTest, RefuseSpecialDestinationsCanBeSwitchedOff) {
  auto off = LoadNetworkMcp("refuse_special_destinations: false");
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_FALSE(off->refuse_special_destinations);
  auto on = LoadNetworkMcp("refuse_special_destinations: true");
  ASSERT_TRUE(on.ok()) << on.status();
  EXPECT_TRUE(on->refuse_special_destinations);
}

TEST(ConfigTest, RefusedDestinationPrefixesParseAsPrefixes) {
  auto c = LoadNetworkMcp(R"pb(refused_destination_prefixes: "10.0.0.0/8"
                               refused_destination_prefixes: "fd00::/8")pb");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->refused_destination_prefixes.size(), 2u);
  EXPECT_TRUE(c->refused_destination_prefixes[0].Contains(mptcp_opts::IpAddress::V4(10, 1, 2, 3)));
  EXPECT_FALSE(c->refused_destination_prefixes[0].Contains(mptcp_opts::IpAddress::V4(11, 0, 0, 1)));
  EXPECT_TRUE(c->refused_destination_prefixes[1].Contains(*mptcp_opts::IpAddress::Parse("fd12::1")));
}

TEST(ConfigTest, RefusedDestinationPrefixWithBadTextIsRefusedNamingTheEntry) {
  ExpectRefused(R"pb(refused_destination_prefixes: "10.0.0.0/8"
                     refused_destination_prefixes: "10.0.0.0/33")pb",
                "refused_destination_prefixes[1]: '10.0.0.0/33' is not an IP prefix");
  ExpectRefused(R"pb(refused_destination_prefixes: "intranet")pb",
                "refused_destination_prefixes[0]: 'intranet' is not an IP prefix");
}

TEST(ConfigTest, CrossFamilySource) {
  auto unset = LoadNetworkMcp("");
  ASSERT_TRUE(unset.ok()) << unset.status();
  EXPECT_EQ(unset->cross_family_source, Config::CrossFamilySource::kStackAddress);
  auto stack = LoadNetworkMcp("cross_family_source: STACK_ADDRESS");
  ASSERT_TRUE(stack.ok()) << stack.status();
  EXPECT_EQ(stack->cross_family_source, Config::CrossFamilySource::kStackAddress);
  auto unspecified = LoadNetworkMcp("cross_family_source: CROSS_FAMILY_SOURCE_UNSPECIFIED");
  ASSERT_TRUE(unspecified.ok()) << unspecified.status();
  EXPECT_EQ(unspecified->cross_family_source, Config::CrossFamilySource::kStackAddress);
  // PRESERVE mode (the default) with a pool for the cross-family legs only.
  auto pool = LoadNetworkMcp(R"pb(cross_family_source: SOURCE_POOL source_pool: "2001:db8::200")pb");
  ASSERT_TRUE(pool.ok()) << pool.status();
  EXPECT_EQ(pool->cross_family_source, Config::CrossFamilySource::kSourcePool);
  EXPECT_FALSE(pool->source_pool_mode);
  EXPECT_EQ(pool->source_pool.size(), 1u);
}

TEST(ConfigTest, CrossFamilySourcePoolWithoutPoolIsRefused) {
  ExpectRefused("cross_family_source: SOURCE_POOL", "cross_family_source: SOURCE_POOL needs addresses in source_pool");
}

TEST(ConfigTest, CrossFamilySourceOutsideTheEnumIsRefused) {
  McpConfig p;
  p.set_role(McpConfig::NETWORK_MCP);
  p.add_mcp_addresses("203.0.113.1");
  p.set_cross_family_source(static_cast<McpConfig::CrossFamilySource>(7));
  auto r = ConfigFromProto(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(std::string(r.status().message()), "cross_family_source: 7 is not STACK_ADDRESS or SOURCE_POOL");
}

TEST(ConfigTest, MaxQueuedEvents) {
  for (uint32_t v : {1u, 100u, 4294967295u}) {
    auto c = LoadNetworkMcp("max_queued_events: " + std::to_string(v));
    ASSERT_TRUE(c.ok()) << v << " -> " << c.status();
    EXPECT_EQ(c->max_queued_events, v);
  }
  ExpectRefused("max_queued_events: 0", "max_queued_events: must be >= 1; use logging: false to queue none");
}

TEST(ConfigTest, MaxSubflowsPerConnectionFitsTheSixteenBitCounter) {
  for (uint32_t v : {1u, 8u, 255u, 256u, 65535u}) {
    auto c = LoadNetworkMcp("max_subflows_per_connection: " + std::to_string(v));
    ASSERT_TRUE(c.ok()) << v << " -> " << c.status();
    EXPECT_EQ(c->max_subflows_per_connection, v);
  }
  for (uint32_t v : {0u, 65536u, 4294967295u}) {
    ExpectRefused("max_subflows_per_connection: " + std::to_string(v),
                  "max_subflows_per_connection: " + std::to_string(v) + " is outside 1..65535");
  }
}

TEST(ConfigTest, DistributionSchemeMapsEveryProtoValue) {
  for (const auto& [text, want] : {std::pair{"DISTRIBUTION_UNSPECIFIED", DistributionScheme::kDefaultScheduler},
                                   std::pair{"DEFAULT_SCHEDULER", DistributionScheme::kDefaultScheduler},
                                   std::pair{"ROUND_ROBIN", DistributionScheme::kRoundRobin},
                                   std::pair{"PRIMARY_BACKUP", DistributionScheme::kPrimaryBackup},
                                   std::pair{"REDUNDANT", DistributionScheme::kRedundant}}) {
    auto c = LoadNetworkMcp(std::string("traffic_distribution_scheme: ") + text);
    ASSERT_TRUE(c.ok()) << text << " -> " << c.status();
    EXPECT_EQ(c->distribution_scheme, want) << text;
  }
  McpConfig p;
  p.set_role(McpConfig::NETWORK_MCP);
  p.add_mcp_addresses("203.0.113.1");
  p.set_traffic_distribution_scheme(static_cast<McpConfig::DistributionScheme>(9));
  auto r = ConfigFromProto(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(std::string(r.status().message()),
            "traffic_distribution_scheme: 9 is not DEFAULT_SCHEDULER, ROUND_ROBIN, PRIMARY_BACKUP or REDUNDANT");
}

// The shared textproto helper: any message, the first error with the 1-based
// line and column protobuf's parser reports (here: just after the unknown name).
TEST(ConfigTest, ParseConfigTextProtoNamesTheFirstErrorsPosition) {
  McpConfig p;
  EXPECT_TRUE(ParseConfigTextProto("role: CPE_MCP\nsend_source_ie: true", p).ok());
  EXPECT_EQ(p.role(), McpConfig::CPE_MCP);
  EXPECT_TRUE(p.send_source_ie());
  Endpoint e;
  const absl::Status s = ParseConfigTextProto("address: \"192.0.2.1\"\n  prot: 1\n  bogus: 2", e);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(s.message()),
            "config textproto: line 2, column 7: Message type \"mcp_core.Endpoint\" has no field named \"prot\".");
}

TEST(ConfigTest, IpPrefix) {
  auto p = IpPrefix::Parse("192.0.2.0/24");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->Contains(mptcp_opts::IpAddress::V4(192, 0, 2, 77)));
  EXPECT_FALSE(p->Contains(mptcp_opts::IpAddress::V4(192, 0, 3, 1)));
  EXPECT_FALSE(p->Contains(*mptcp_opts::IpAddress::Parse("::1")));
  auto v6 = IpPrefix::Parse("2001:db8::/33");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->Contains(*mptcp_opts::IpAddress::Parse("2001:db8:7fff::1")));
  EXPECT_FALSE(v6->Contains(*mptcp_opts::IpAddress::Parse("2001:db8:8000::1")));
  EXPECT_TRUE(IpPrefix::Parse("0.0.0.0/0")->Contains(mptcp_opts::IpAddress::V4(1, 2, 3, 4)));
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/"));
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/-1"));
  EXPECT_FALSE(IpPrefix::Parse("::/129"));
}

}  // namespace
}  // namespace mcp_core
