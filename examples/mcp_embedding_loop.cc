// SPDX-License-Identifier: Apache-2.0
// A minimal embedding loop for mcp_core: a network MCP driven by a toy
// "stack" that connects every leg it is asked to open. A real proxy replaces
// FakeStack with its sockets (or packet I/O) and its clock; the loop's shape
// stays: feed inputs with `now`, drain actions, arm one timer.
#include <cstdio>
#include <deque>
#include <string>

#include "mcp_core/config_loader.h"
#include "mcp_core/converter.h"
#include "mptcp_opts/mp_convert_ie.h"

namespace {

using namespace mcp_core;

struct FakeStack {
  // Completions the network would deliver later: (flow, leg, event).
  std::deque<std::tuple<FlowId, Leg, LegEvent::Kind>> pending;
  int answered = 0, opened = 0, closed = 0;

  void Execute(const Action& a) {
    const char* kinds[] = {"open leg", "answer SYN", "reset",          "fastclose",
                           "close",    "notify app", "challenge ACK", "answer accepted"};
    std::printf("  action: %s (%s) flow %llu\n", kinds[a.kind],
                a.leg == Leg::kUpstream ? "upstream" : "downstream",
                static_cast<unsigned long long>(a.flow & 0xffffffff));
    if (a.kind == Action::kOpenLeg) {
      ++opened;
      std::printf("          to %s:%u, %zu bytes of SYN data\n", a.tuple.dst.ToString().c_str(),
                  a.tuple.dst_port, a.payload.size());
      pending.push_back({a.flow, Leg::kDownstream, LegEvent::kConnected});
    }
    if (a.kind == Action::kAnswerSyn) ++answered;
    if (a.kind == Action::kClose || a.kind == Action::kReset || a.kind == Action::kFastClose) ++closed;
  }
};

}  // namespace

int main() {
  auto config = LoadConfig(R"pb(role: NETWORK_MCP mcp_addresses: "203.0.113.1"
                                relay_mp_capable_to_servers: false idle_lifetime_seconds: 30)pb");
  if (!config.ok()) return 1;
  Converter mcp(*config);
  FakeStack stack;
  int64_t clock_ms = 0;  // the embedder's monotonic clock
  auto now = [&] { return Instant::FromNanos(clock_ms * 1000000); };

  // A client SYN with MP_CAPABLE and a destination IE arrives.
  uint8_t ie[32];
  size_t n = 0;
  const mptcp_opts::MpConvertIe dst{false, mptcp_opts::IpAddress::V4(192, 0, 2, 80), 443};
  if (mptcp_opts::BuildMpConvertIes({&dst, 1}, ie, n) != mptcp_opts::EncodeStatus::kOk) return 1;
  const uint8_t mp_capable[] = {30, 4, 0x01, 0x01};
  SegmentView syn{.interface = Interface::kCustomerFacing,
                  .tuple = {mptcp_opts::IpAddress::V4(100, 64, 1, 10), mptcp_opts::IpAddress::V4(203, 0, 113, 1),
                            40001, 5555},
                  .flags = kTcpSyn,
                  .seq = 0x5eed0000,
                  .window = 64240,
                  .options = mp_capable,
                  .payload = {ie, n}};

  for (int round = 0; round < 4; ++round) {
    std::printf("t=%lld ms\n", static_cast<long long>(clock_ms));
    if (round == 0) {
      const Verdict v = mcp.HandleSegment(now(), syn);
      std::printf("  verdict: %s\n", v.kind == Verdict::kIntercept ? "intercept" : "other");
    }
    while (!stack.pending.empty()) {  // what the stack saw happen
      auto [flow, leg, kind] = stack.pending.front();
      stack.pending.pop_front();
      LegEvent e;
      e.kind = kind;
      (void)mcp.HandleLegEvent(now(), flow, leg, e);
    }
    mcp.HandleTimeouts(now());
    while (auto action = mcp.PollAction()) stack.Execute(*action);
    while (auto event = mcp.PollEvent()) std::printf("  event: %s\n", EventKindName(event->kind));
    // One OS timer for every pair: sleep until the next deadline (here: jump).
    const auto deadline = mcp.NextDeadline();
    std::printf("  next deadline: %s\n", deadline ? std::to_string(deadline->nanos() / 1000000).c_str() : "none");
    // The toy network answers 20 ms later; otherwise sleep until the deadline.
    if (!stack.pending.empty()) clock_ms += 20;
    else clock_ms = deadline ? deadline->nanos() / 1000000 : clock_ms + 1;
  }
  // Opened one leg, answered the client, and after 30 idle seconds closed both.
  return stack.opened == 1 && stack.answered == 1 && stack.closed == 2 && mcp.stats().pairs == 0 ? 0 : 1;
}
