// SPDX-License-Identifier: Apache-2.0
// One hybrid-access daemon: mcp-cpe (role CPE_MCP) or mcp-concentrator
// (NETWORK_MCP). A single thread runs one epoll loop over the listener, every
// connection's sockets, one timerfd and one signalfd. The core
// (mcp_core::Converter) decides; this class does all the I/O:
//
//  * accepted connections go to the core (HandleAcceptedConnection): at a
//    concentrator once their first bytes hold the IEs (ie_framing.h), at a
//    CPE at once (the TPROXY listener gives the original destination);
//  * what sockets do becomes leg events (connected, first bytes, FIN,
//    reset, activity), fed to the core in batches;
//  * after each batch the core's actions are executed (open a leg, answer
//    the accepted connection and start relaying, close, abort) and its events
//    logged and counted;
//  * relays are Relay objects (splice, back-pressure); the timerfd is armed
//    for the core's next deadline, the first-bytes timeouts and the stats.
//
// A connection object lives until its sockets are closed and the core has
// closed its pair, whichever comes last; a relay whose pair the core closed
// still drains and closes by itself.
//
//   Daemon daemon(settings, log);
//   if (auto s = daemon.Start(); !s.ok()) ...;   // listening, stats written
//   daemon.Run();                                // until SIGTERM / SIGINT
#ifndef EXAMPLES_HYBRID_ACCESS_DAEMON_H_
#define EXAMPLES_HYBRID_ACCESS_DAEMON_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "examples/hybrid_access/daemon_config.h"
#include "examples/hybrid_access/daemon_log.h"
#include "examples/hybrid_access/daemon_stats.h"
#include "examples/hybrid_access/event_loop.h"
#include "examples/hybrid_access/relay.h"
#include "examples/hybrid_access/socket.h"
#include "mcp_core/converter.h"

namespace hybrid_access {

class Daemon {
 public:
  Daemon(const DaemonSettings& settings, DaemonLog& log);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Opens the listener, the timer and the signal fd; writes the first stats.
  absl::Status Start();
  // Serves until SIGTERM or SIGINT, then writes the final stats.
  void Run();

 private:
  struct Connection;
  // What a socket reported, for the core (or for the daemon itself when the
  // connection is not, or no longer, the core's).
  struct QueuedLegEvent {
    uint64_t connection = 0;
    Side side = Side::kUpstream;
    mcp_core::LegEvent::Kind kind = mcp_core::LegEvent::kReset;
    bool with_mptcp = false;
    std::optional<mcp_core::FourTuple> tuple;
    std::vector<uint8_t> bytes;  // kFirstBytes
  };

  bool is_cpe() const { return settings_.core.role == mcp_core::Role::kCpeMcp; }
  absl::Status OpenListener();
  void Dispatch(const epoll_event& event);
  void AcceptReady();
  void OnConnectionEvent(Connection& c, Side side, uint32_t events);
  // Concentrator: reads until the IEs are complete, then asks the core.
  void ReadFirstBytes(Connection& c);
  void SubmitAccepted(Connection& c);
  void CpeAccepted(Connection& c);
  void OnDownConnect(Connection& c, uint32_t events);
  void ReadEcho(Connection& c);

  // Feeds queued leg events, executes actions, logs events, until quiet.
  void Process();
  void FeedLegEvent(const QueuedLegEvent& e);
  // Executes the core's actions, then logs and counts its events.
  void DrainCore();
  void Execute(const mcp_core::Action& action);
  void OnCoreEvent(const mcp_core::Event& event);
  // The daemon's own coupling for connections without a pair in the core.
  void SelfCouple(Connection& c, const QueuedLegEvent& e);

  void OpenLeg(Connection& c, const mcp_core::Action& action);
  void StartRelay(Connection& c, std::vector<uint8_t> first_up);
  void AbortLeg(Connection& c, Side side);
  void CloseLeg(Connection& c, Side side);
  void AbortConnection(Connection& c);

  void Queue(uint64_t connection, Side side, mcp_core::LegEvent::Kind kind);
  void Queue(QueuedLegEvent event) { queued_.push_back(std::move(event)); }
  void OnDelivered(Connection& c, Side to, size_t bytes);
  void OnCopyFallback(Side from, int error);
  void Touch(const Connection& c);
  Connection* Find(uint64_t id);
  void Watch(int fd, uint64_t token, uint32_t events);

  void ExpireFirstBytes();
  void Sweep();
  void WriteStats();
  void ArmTimer();
  void Log(std::string_view line) { log_.Line(now_, line); }

  DaemonSettings settings_;
  DaemonLog& log_;
  mcp_core::Converter core_;
  EventLoop loop_;
  Socket listener_;
  Socket timer_;
  Socket signals_;
  bool listener_paused_ = false;  // out of file descriptors: resumed when one frees
  bool stopping_ = false;
  mcp_core::Instant now_;
  mcp_core::Instant next_stats_;
  int64_t armed_ns_ = -1;
  uint64_t next_id_ = 1;
  absl::flat_hash_map<uint64_t, std::unique_ptr<Connection>> connections_;
  absl::flat_hash_map<mcp_core::FlowId, uint64_t> by_flow_;
  std::set<std::pair<int64_t, uint64_t>> first_bytes_deadlines_;  // (ns, connection)
  std::vector<QueuedLegEvent> queued_;
  std::vector<uint64_t> touched_;
  DaemonCounters counters_;
  uint64_t overload_resets_unlogged_ = 0;
  bool copy_fallback_logged_ = false;
};

}  // namespace hybrid_access

#endif  // EXAMPLES_HYBRID_ACCESS_DAEMON_H_
