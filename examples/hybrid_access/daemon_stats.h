// SPDX-License-Identifier: Apache-2.0
// The daemons' stats file: one JSON object, rewritten atomically (write a
// temporary file, rename it over the old one) so a reader never sees half of
// it. Its first appearance means "listening" (ready: true).
//
//   {"ready": true, "role": "NETWORK_MCP", "pid": 42, "events": {"PAIR_CREATED": 3, ...},
//    "pairs": 1, "half_open": 0, "illegal_inputs": 0, "accepted": 3, "active_relays": 1,
//    "relays_completed": 2, "passthrough": 0, "fallbacks": 0, "refused": 0,
//    "bytes_up": 1024, "bytes_down": 2048, "rss_kb": 3000, "max_rss_kb": 3100,
//    "kernel": {"TCPFastOpenListenOverflow": 0, ...}}
#ifndef EXAMPLES_HYBRID_ACCESS_DAEMON_STATS_H_
#define EXAMPLES_HYBRID_ACCESS_DAEMON_STATS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "mcp_core/converter.h"

namespace hybrid_access {

// What the daemon itself counts (the core counts the rest).
struct DaemonCounters {
  uint64_t accepted = 0;          // connections accepted by the listener
  uint64_t active_relays = 0;     // relays running now
  uint64_t relays_completed = 0;  // relays whose both sides are closed
  uint64_t passthrough = 0;       // CPE: relayed as plain TCP without the core
  uint64_t fallbacks = 0;         // CPE: plain TCP legs opened after the MCP failed
  uint64_t refused = 0;           // accepted connections the daemon reset or closed at once
  uint64_t bytes_up = 0;          // customer -> server
  uint64_t bytes_down = 0;        // server -> customer
};

// TcpExt counters of this network namespace (/proc/net/netstat) that tell
// about the listener under load.
std::map<std::string, uint64_t> ReadKernelCounters();
// VmRSS and VmHWM of this process in KiB (/proc/self/status).
void ReadRss(uint64_t& rss_kb, uint64_t& max_rss_kb);

std::string StatsJson(const char* role, const mcp_core::Stats& core, const DaemonCounters& counters);
// Writes `json` to `path` atomically.
absl::Status WriteFileAtomically(const std::string& path, const std::string& json);

}  // namespace hybrid_access

#endif  // EXAMPLES_HYBRID_ACCESS_DAEMON_STATS_H_
