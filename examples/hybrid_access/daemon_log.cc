// SPDX-License-Identifier: Apache-2.0
#include "examples/hybrid_access/daemon_log.h"

#include <cinttypes>

namespace hybrid_access {

void DaemonLog::Line(mcp_core::Instant now, std::string_view text) {
  const int64_t ms = (now - start_).nanos() / 1000000;
  std::fprintf(out_, "%" PRId64 ".%03" PRId64 " %.*s\n", ms / 1000, ms % 1000, int(text.size()), text.data());
}

void DaemonLog::Event(mcp_core::Instant now, const mcp_core::Event& event) {
  const int64_t ms = (now - start_).nanos() / 1000000;
  std::fprintf(out_, "%" PRId64 ".%03" PRId64 " event %s flow=%" PRIu64 " reason=%u\n", ms / 1000, ms % 1000,
               mcp_core::EventKindName(event.kind), event.flow, unsigned(event.reason));
}

}  // namespace hybrid_access
