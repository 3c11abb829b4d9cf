// SPDX-License-Identifier: Apache-2.0
// Where the core's parts put what they produce: actions for the embedder's
// stack (never dropped: each one carries a decision), events for logs
// (bounded: an embedder that polls only actions must not let a SYN flood
// grow memory), and the counters, which count every event, queued or not.
#ifndef MCP_CORE_OUTPUTS_H_
#define MCP_CORE_OUTPUTS_H_

#include <cstdint>
#include <deque>
#include <optional>

#include "mcp_core/actions.h"
#include "mcp_core/stats.h"

namespace mcp_core {

class Outputs {
 public:
  Outputs(bool logging, uint32_t max_queued_events) : logging_(logging), max_events_(max_queued_events) {}

  void Push(Action a) { actions_.push_back(std::move(a)); }
  void Emit(EventKind kind, FlowId flow, uint8_t reason = 0) {
    ++stats.events[int(kind)];
    if (!logging_) return;
    if (events_.size() >= max_events_) {
      ++stats.events_dropped;
      return;
    }
    events_.push_back({kind, flow, reason});
  }
  std::optional<Action> PollAction() {
    if (actions_.empty()) return std::nullopt;
    Action a = std::move(actions_.front());
    actions_.pop_front();
    return a;
  }
  std::optional<Event> PollEvent() {
    if (events_.empty()) return std::nullopt;
    Event e = events_.front();
    events_.pop_front();
    return e;
  }

  Stats stats;

 private:
  bool logging_;
  uint32_t max_events_;
  std::deque<Action> actions_;
  std::deque<Event> events_;
};

}  // namespace mcp_core

#endif  // MCP_CORE_OUTPUTS_H_
