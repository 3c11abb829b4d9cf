// SPDX-License-Identifier: Apache-2.0
#include "examples/hybrid_access/daemon_main.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "examples/hybrid_access/daemon.h"
#include "examples/hybrid_access/daemon_config.h"
#include "examples/hybrid_access/daemon_log.h"

namespace hybrid_access {
namespace {

const char* RoleName(mcp_core::Role role) {
  switch (role) {
    case mcp_core::Role::kNetworkMcp: return "NETWORK_MCP";
    case mcp_core::Role::kCpeMcp: return "CPE_MCP";
    case mcp_core::Role::kMultipathClient: return "MULTIPATH_CLIENT";
  }
  return "?";
}

int Usage(const char* me, const std::string& why) {
  std::fprintf(stderr, "%s: %s\nusage: %s --config FILE [--stats PATH] [--log PATH]\n", me, why.c_str(), me);
  return 2;
}

// Every connection holds two sockets and two pipes (four fds).
void RaiseFileLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int DaemonMain(int argc, char** argv, mcp_core::Role role) {
  const char* me = argc > 0 ? argv[0] : "mcp-daemon";
  if (const char* slash = std::strrchr(me, '/')) me = slash + 1;
  std::optional<std::string> config, stats, log;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::optional<std::string>* target = arg == "--config" ? &config : arg == "--stats" ? &stats : arg == "--log" ? &log : nullptr;
    if (!target) return Usage(me, "unknown argument '" + arg + "'");
    if (i + 1 == argc) return Usage(me, arg + " needs a value");
    *target = argv[++i];
  }
  if (!config) return Usage(me, "--config is required");
  auto settings = LoadDaemonConfigFile(*config);
  if (!settings.ok()) {
    std::fprintf(stderr, "%s: %s\n", me, std::string(settings.status().message()).c_str());
    return 2;
  }
  if (settings->core.role != role) {
    std::fprintf(stderr, "%s: %s: core.role: %s is for the other daemon; %s needs %s\n", me, config->c_str(),
                 RoleName(settings->core.role), me, RoleName(role));
    return 2;
  }
  if (stats) settings->stats_path = *stats;
  if (log) settings->log_path = *log;
  FILE* out = stderr;
  if (!settings->log_path.empty()) {
    out = std::fopen(settings->log_path.c_str(), "a");
    if (!out) {
      std::fprintf(stderr, "%s: log_path: %s: %s\n", me, settings->log_path.c_str(), std::strerror(errno));
      return 2;
    }
  }
  RaiseFileLimit();
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  DaemonLog daemon_log(out, mcp_core::Instant::FromNanos(int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec));
  Daemon daemon(*settings, daemon_log);
  if (auto s = daemon.Start(); !s.ok()) {
    std::fprintf(stderr, "%s: %s\n", me, std::string(s.message()).c_str());
    if (out != stderr) std::fprintf(out, "0.000 error %s\n", std::string(s.message()).c_str());
    return 1;
  }
  daemon.Run();
  if (out != stderr) std::fclose(out);
  return 0;
}

}  // namespace hybrid_access
