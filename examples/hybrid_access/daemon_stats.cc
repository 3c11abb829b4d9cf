// SPDX-License-Identifier: Apache-2.0
#include "examples/hybrid_access/daemon_stats.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/numbers.h"

namespace hybrid_access {
namespace {

constexpr const char* kKernelCounters[] = {
    "TCPFastOpenListenOverflow", "ListenDrops",        "ListenOverflows",
    "SyncookiesSent",            "TCPFastOpenPassive", "TCPFastOpenPassiveFail",
};

}  // namespace

std::map<std::string, uint64_t> ReadKernelCounters() {
  std::map<std::string, uint64_t> out;
  for (const char* name : kKernelCounters) out[name] = 0;
  // Pairs of lines: "TcpExt: Name1 Name2 ..." then "TcpExt: 1 2 ...".
  std::ifstream in("/proc/net/netstat");
  std::string names, values;
  while (std::getline(in, names) && std::getline(in, values)) {
    if (names.rfind("TcpExt:", 0) != 0) continue;
    std::vector<std::string> n = absl::StrSplit(names, ' ', absl::SkipEmpty());
    std::vector<std::string> v = absl::StrSplit(values, ' ', absl::SkipEmpty());
    for (size_t i = 1; i < n.size() && i < v.size(); ++i) {
      auto it = out.find(n[i]);
      uint64_t value = 0;
      if (it != out.end() && absl::SimpleAtoi(v[i], &value)) it->second = value;
    }
  }
  return out;
}

void ReadRss(uint64_t& rss_kb, uint64_t& max_rss_kb) {
  rss_kb = max_rss_kb = 0;
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    uint64_t* field = line.rfind("VmRSS:", 0) == 0 ? &rss_kb : line.rfind("VmHWM:", 0) == 0 ? &max_rss_kb : nullptr;
    if (!field) continue;
    std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (parts.size() >= 2) (void)absl::SimpleAtoi(parts[1], field);
  }
}

std::string StatsJson(const char* role, const mcp_core::Stats& core, const DaemonCounters& c) {
  std::string events;
  // Every kind the core names, including ones added after this file.
  for (int k = 0; k < int(sizeof(core.events) / sizeof(core.events[0])); ++k) {
    const char* name = mcp_core::EventKindName(mcp_core::EventKind(k));
    if (std::strcmp(name, "?") == 0) continue;
    absl::StrAppend(&events, events.empty() ? "" : ", ", "\"", name, "\": ", core.events[k]);
  }
  std::string kernel;
  for (const auto& [name, value] : ReadKernelCounters()) {
    absl::StrAppend(&kernel, kernel.empty() ? "" : ", ", "\"", name, "\": ", value);
  }
  uint64_t rss_kb = 0, max_rss_kb = 0;
  ReadRss(rss_kb, max_rss_kb);
  return absl::StrCat(
      "{\"ready\": true, \"role\": \"", role, "\", \"pid\": ", getpid(), ",\n \"events\": {", events,
      "},\n \"pairs\": ", core.pairs, ", \"half_open\": ", core.half_open, ", \"illegal_inputs\": ",
      core.illegal_inputs, ",\n \"accepted\": ", c.accepted, ", \"active_relays\": ", c.active_relays,
      ", \"relays_completed\": ", c.relays_completed, ",\n \"passthrough\": ", c.passthrough,
      ", \"fallbacks\": ", c.fallbacks, ", \"refused\": ", c.refused, ",\n \"bytes_up\": ", c.bytes_up,
      ", \"bytes_down\": ", c.bytes_down, ", \"rss_kb\": ", rss_kb, ", \"max_rss_kb\": ", max_rss_kb,
      ",\n \"kernel\": {", kernel, "}}\n");
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& json) {
  const std::string temporary = absl::StrCat(path, ".tmp.", getpid());
  FILE* f = std::fopen(temporary.c_str(), "w");
  if (!f) return absl::UnavailableError(absl::StrCat(temporary, ": ", std::strerror(errno)));
  const bool written = std::fwrite(json.data(), 1, json.size(), f) == json.size();
  if (std::fclose(f) != 0 || !written) {
    std::remove(temporary.c_str());
    return absl::UnavailableError(absl::StrCat(temporary, ": write failed"));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return absl::UnavailableError(absl::StrCat(path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace hybrid_access
