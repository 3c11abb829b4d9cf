// SPDX-License-Identifier: Apache-2.0
#include "examples/hybrid_access/daemon_config.h"

#include <string>

#include "gtest/gtest.h"

namespace hybrid_access {
namespace {

constexpr char kCore[] = R"pb(core { role: NETWORK_MCP mcp_addresses: "10.9.0.1" })pb";

std::string With(const std::string& fields) { return std::string(kCore) + "\n" + fields; }

// The error message of loading `text`, or "ok".
std::string ErrorOf(const std::string& text) {
  auto s = LoadDaemonConfig(text);
  return s.ok() ? "ok" : std::string(s.status().message());
}

TEST(DaemonConfigTest, ExampleFilesLoad) {
  auto concentrator = LoadDaemonConfigFile("examples/hybrid_access/concentrator.textproto");
  ASSERT_TRUE(concentrator.ok()) << concentrator.status();
  EXPECT_EQ(concentrator->core.role, mcp_core::Role::kNetworkMcp);
  EXPECT_EQ(concentrator->listen_address.ToString(), "10.9.0.1");
  EXPECT_EQ(concentrator->listen_port, 5555);
  EXPECT_EQ(concentrator->core.acl_source_prefixes.size(), 2u);
  EXPECT_EQ(concentrator->core.max_half_open_per_source, 1024u);
  EXPECT_EQ(concentrator->core.max_half_open_total, 2048u);
  EXPECT_FALSE(concentrator->core.source_pool_mode);

  auto cpe = LoadDaemonConfigFile("examples/hybrid_access/cpe.textproto");
  ASSERT_TRUE(cpe.ok()) << cpe.status();
  EXPECT_EQ(cpe->core.role, mcp_core::Role::kCpeMcp);
  EXPECT_EQ(cpe->core.network_mcp->ToString(), "10.9.0.1");
  EXPECT_EQ(cpe->core.network_mcp_port, 5555);
  EXPECT_TRUE(cpe->core.send_source_ie);
  EXPECT_EQ(cpe->listen_address.ToString(), "0.0.0.0");
  EXPECT_EQ(cpe->listen_port, 7000);
}

TEST(DaemonConfigTest, Defaults) {
  auto s = LoadDaemonConfig(With(R"pb(listen_address: "10.9.0.1" listen_port: 5555)pb"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->tfo_queue, 256u);
  EXPECT_EQ(s->max_connections, 4096u);
  EXPECT_EQ(s->pipe_bytes, 65536u);
  EXPECT_EQ(s->first_bytes_timeout, s->core.setup_timeout);  // the core's setup timeout
  EXPECT_EQ(s->stats_interval, mcp_core::Duration::Millis(1000));
  EXPECT_EQ(s->log_path, "");    // standard error
  EXPECT_EQ(s->stats_path, "");  // no stats file
  EXPECT_TRUE(s->ies_in_syn);    // TCP Fast Open
}

TEST(DaemonConfigTest, FirstBytesTimeoutFollowsTheCoresSetupTimeout) {
  auto s = LoadDaemonConfig(R"pb(core { role: NETWORK_MCP mcp_addresses: "10.9.0.1" setup_timeout_ms: 2500 }
                                 listen_address: "10.9.0.1" listen_port: 5555)pb");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->first_bytes_timeout, mcp_core::Duration::Millis(2500));
  s = LoadDaemonConfig(With(R"pb(listen_address: "10.9.0.1" listen_port: 5555 first_bytes_timeout_ms: 700)pb"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->first_bytes_timeout, mcp_core::Duration::Millis(700));
}

TEST(DaemonConfigTest, EveryBadFieldIsNamed) {
  const std::string listen = R"pb(listen_address: "10.9.0.1" listen_port: 5555 )pb";
  struct Case {
    std::string text;
    std::string message;
  } cases[] = {
      {R"pb(listen_address: "10.9.0.1" listen_port: 5555)pb", "core: missing: the core's McpConfig (role, addresses, limits)"},
      {R"pb(core { role: NETWORK_MCP } listen_address: "10.9.0.1" listen_port: 5555)pb",
       "core.mcp_addresses: a NETWORK_MCP needs at least one address clients send SYNs to"},
      {R"pb(core { role: NETWORK_MCP mcp_addresses: "10.9.0.300" } listen_address: "10.9.0.1" listen_port: 5555)pb",
       "core.mcp_addresses[0]: '10.9.0.300' is not an IP address"},
      {R"pb(core { role: MULTIPATH_CLIENT network_mcps { address: "10.9.0.1" port: 5555 } }
            listen_address: "10.9.0.1" listen_port: 5555)pb",
       "core.role: MULTIPATH_CLIENT has no daemon here; use CPE_MCP or NETWORK_MCP"},
      {With(R"pb(listen_port: 5555)pb"), "listen_address: missing"},
      {With(R"pb(listen_address: "10.9.0" listen_port: 5555)pb"), "listen_address: '10.9.0' is not an IP address"},
      {With(R"pb(listen_address: "10.9.0.1")pb"), "listen_port: 0 is outside 1..65535"},
      {With(R"pb(listen_address: "10.9.0.1" listen_port: 65536)pb"), "listen_port: 65536 is outside 1..65535"},
      {With(listen + "tfo_queue: 0"), "tfo_queue: 0 is outside 1..65535"},
      {With(listen + "max_connections: 0"), "max_connections: 0 is outside 1..16777216"},
      {With(listen + "pipe_bytes: 100"), "pipe_bytes: 100 is outside 4096..1048576"},
      {With(listen + "pipe_bytes: 2097152"), "pipe_bytes: 2097152 is outside 4096..1048576"},
      {With(listen + "first_bytes_timeout_ms: 0"), "first_bytes_timeout_ms: 0 is outside 1..3600000"},
      {With(listen + "stats_interval_ms: 5"), "stats_interval_ms: 5 is outside 10..3600000"},
  };
  for (const Case& c : cases) EXPECT_EQ(ErrorOf(c.text), c.message) << c.text;
}

TEST(DaemonConfigTest, SyntaxErrorsNameLineAndColumn) {
  EXPECT_EQ(ErrorOf(With("listen_address: \"10.9.0.1\"\nlisten_prot: 5555")),
            "config textproto: line 3, column 12: Message type \"hybrid_access.DaemonConfig\" has no field named "
            "\"listen_prot\".");
}

TEST(DaemonConfigTest, UnreadableFileIsNamed) {
  auto s = LoadDaemonConfigFile("/nonexistent/daemon.textproto");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "/nonexistent/daemon.textproto: cannot be read");
}

}  // namespace
}  // namespace hybrid_access
