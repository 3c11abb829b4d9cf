// SPDX-License-Identifier: Apache-2.0
#include "examples/hybrid_access/daemon_config.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "mcp_core/config_loader.h"

namespace hybrid_access {
namespace {

absl::Status Bad(const std::string& field, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// `value` of optional field `field` when set, else `fallback`; in [lo, hi].
absl::StatusOr<uint32_t> InRange(const char* field, bool has, uint32_t value, uint32_t fallback,
                                 uint32_t lo, uint32_t hi) {
  if (!has) return fallback;
  if (value < lo || value > hi) return Bad(field, absl::StrCat(value, " is outside ", lo, "..", hi));
  return value;
}

}  // namespace

absl::StatusOr<DaemonSettings> DaemonConfigFromProto(const DaemonConfig& p) {
  DaemonSettings s;
  if (!p.has_core()) return Bad("core", "missing: the core's McpConfig (role, addresses, limits)");
  auto core = mcp_core::ConfigFromProto(p.core());
  // The core's messages start with its field name: make it a path from here.
  if (!core.ok()) return absl::InvalidArgumentError(absl::StrCat("core.", core.status().message()));
  if (core->role == mcp_core::Role::kMultipathClient) {
    return Bad("core.role", "MULTIPATH_CLIENT has no daemon here; use CPE_MCP or NETWORK_MCP");
  }
  s.core = *core;

  if (p.listen_address().empty()) return Bad("listen_address", "missing");
  auto address = mptcp_opts::IpAddress::Parse(p.listen_address());
  if (!address) return Bad("listen_address", absl::StrCat("'", p.listen_address(), "' is not an IP address"));
  s.listen_address = *address;
  if (p.listen_port() == 0 || p.listen_port() > 65535) {
    return Bad("listen_port", absl::StrCat(p.listen_port(), " is outside 1..65535"));
  }
  s.listen_port = static_cast<uint16_t>(p.listen_port());

  auto tfo_queue = InRange("tfo_queue", p.has_tfo_queue(), p.tfo_queue(), 256, 1, 65535);
  if (!tfo_queue.ok()) return tfo_queue.status();
  s.tfo_queue = *tfo_queue;
  auto max_connections =
      InRange("max_connections", p.has_max_connections(), p.max_connections(), 4096, 1, 1u << 24);
  if (!max_connections.ok()) return max_connections.status();
  s.max_connections = *max_connections;
  // 1048576 is Linux's default fs.pipe-max-size.
  auto pipe_bytes = InRange("pipe_bytes", p.has_pipe_bytes(), p.pipe_bytes(), 65536, 4096, 1048576);
  if (!pipe_bytes.ok()) return pipe_bytes.status();
  s.pipe_bytes = *pipe_bytes;
  const uint32_t setup_ms = static_cast<uint32_t>(s.core.setup_timeout.nanos() / 1000000);
  auto first_bytes_ms = InRange("first_bytes_timeout_ms", p.has_first_bytes_timeout_ms(),
                                p.first_bytes_timeout_ms(), setup_ms, 1, 3600000);
  if (!first_bytes_ms.ok()) return first_bytes_ms.status();
  s.first_bytes_timeout = mcp_core::Duration::Millis(*first_bytes_ms);
  auto stats_ms = InRange("stats_interval_ms", p.has_stats_interval_ms(), p.stats_interval_ms(), 1000,
                          10, 3600000);
  if (!stats_ms.ok()) return stats_ms.status();
  s.stats_interval = mcp_core::Duration::Millis(*stats_ms);
  if (p.has_ies_in_syn()) s.ies_in_syn = p.ies_in_syn();
  s.log_path = p.log_path();
  s.stats_path = p.stats_path();
  return s;
}

absl::StatusOr<DaemonSettings> LoadDaemonConfig(const std::string& textproto) {
  DaemonConfig proto;
  // The core's parser: the first syntax error with its line and column.
  if (auto s = mcp_core::ParseConfigTextProto(textproto, proto); !s.ok()) return s;
  return DaemonConfigFromProto(proto);
}

absl::StatusOr<DaemonSettings> LoadDaemonConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  auto settings = LoadDaemonConfig(text.str());
  if (!settings.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", settings.status().message()));
  return settings;
}

}  // namespace hybrid_access
