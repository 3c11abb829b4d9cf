// SPDX-License-Identifier: Apache-2.0
// The core's counters, for an embedder's metrics (Converter::stats()).
#ifndef MCP_CORE_STATS_H_
#define MCP_CORE_STATS_H_

#include <cstdint>

#include "mcp_core/actions.h"

namespace mcp_core {

struct Stats {
  uint64_t events[kNumEventKinds] = {};  // indexed by EventKind; counted even when the queue is full
  uint64_t events_dropped = 0;     // not queued: max_queued_events were waiting to be polled
  uint64_t time_went_backwards = 0;  // calls whose `now` was earlier than a previous one (clamped)
  uint64_t segments = 0;
  uint64_t segments_tracked = 0;
  uint64_t illegal_inputs = 0;
  uint64_t pairs_created = 0;
  uint64_t pairs_closed = 0;
  uint32_t pairs = 0;
  uint32_t half_open = 0;
  uint64_t count(EventKind k) const { return events[int(k)]; }
};

}  // namespace mcp_core

#endif  // MCP_CORE_STATS_H_
