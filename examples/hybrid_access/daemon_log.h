// SPDX-License-Identifier: Apache-2.0
// The daemons' log: one line per item, "<seconds since start, 3 decimals>
// <what>", where <what> is "event <EVENT_KIND_NAME> flow=<id> reason=<n>" for
// each of the core's events, or a daemon line starting with accept, relay,
// action or error. Written through stdio and flushed once per loop turn.
//
//   DaemonLog log(stderr, start);
//   log.Line(now, absl::StrCat("accept ", ToString(tuple)));
//   log.Flush();
#ifndef EXAMPLES_HYBRID_ACCESS_DAEMON_LOG_H_
#define EXAMPLES_HYBRID_ACCESS_DAEMON_LOG_H_

#include <cstdio>
#include <string_view>

#include "mcp_core/actions.h"
#include "mcp_core/time.h"

namespace hybrid_access {

class DaemonLog {
 public:
  // `out` stays the caller's (stderr, or a file it opened).
  DaemonLog(FILE* out, mcp_core::Instant start) : out_(out), start_(start) {}

  void Line(mcp_core::Instant now, std::string_view text);
  void Event(mcp_core::Instant now, const mcp_core::Event& event);
  void Flush() { std::fflush(out_); }

 private:
  FILE* out_;
  mcp_core::Instant start_;
};

}  // namespace hybrid_access

#endif  // EXAMPLES_HYBRID_ACCESS_DAEMON_LOG_H_
