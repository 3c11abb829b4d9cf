// SPDX-License-Identifier: Apache-2.0
// The daemons' configuration as plain values: the core's mcp_core::Config
// plus the daemon's own fields, converted from hybrid_access.DaemonConfig
// (daemon_config.proto) and validated.
//
//   absl::StatusOr<DaemonSettings> c = LoadDaemonConfigFile("concentrator.textproto");
//   if (!c.ok()) { std::cerr << c.status().message() << "\n"; return 2; }
#ifndef EXAMPLES_HYBRID_ACCESS_DAEMON_CONFIG_H_
#define EXAMPLES_HYBRID_ACCESS_DAEMON_CONFIG_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "examples/hybrid_access/daemon_config.pb.h"
#include "mcp_core/config.h"
#include "mcp_core/time.h"
#include "mptcp_opts/ip_address.h"

namespace hybrid_access {

struct DaemonSettings {
  mcp_core::Config core;
  mptcp_opts::IpAddress listen_address;
  uint16_t listen_port = 0;
  uint32_t tfo_queue = 256;
  uint32_t max_connections = 4096;
  uint32_t pipe_bytes = 65536;
  mcp_core::Duration first_bytes_timeout;  // default: core.setup_timeout
  std::string log_path;                    // empty: standard error
  std::string stats_path;                  // empty: no stats file
  mcp_core::Duration stats_interval = mcp_core::Duration::Millis(1000);
  bool ies_in_syn = true;  // CPE: TCP Fast Open to the concentrator
};

// Validates the daemon's fields (messages name the field, e.g.
// "pipe_bytes: 100 is outside 4096..1048576") and converts the core's through
// mcp_core::ConfigFromProto (its messages get the "core." prefix).
absl::StatusOr<DaemonSettings> DaemonConfigFromProto(const DaemonConfig& proto);
// Parses textproto (syntax errors name line and column), then validates.
absl::StatusOr<DaemonSettings> LoadDaemonConfig(const std::string& textproto);
// Reads `path` (the error names it when it cannot), then LoadDaemonConfig.
absl::StatusOr<DaemonSettings> LoadDaemonConfigFile(const std::string& path);

}  // namespace hybrid_access

#endif  // EXAMPLES_HYBRID_ACCESS_DAEMON_CONFIG_H_
