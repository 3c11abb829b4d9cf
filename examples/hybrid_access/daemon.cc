// SPDX-License-Identifier: Apache-2.0
#include "examples/hybrid_access/daemon.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "examples/hybrid_access/ie_framing.h"

namespace hybrid_access {
namespace {

using mcp_core::Action;
using mcp_core::Instant;
using mcp_core::Leg;
using mcp_core::LegEvent;
using mcp_core::Verdict;

// Tokens: connection id * 4 + side; ids start at 1, so 0..3 are the daemon's.
constexpr uint64_t kListenerToken = 0;
constexpr uint64_t kTimerToken = 1;
constexpr uint64_t kSignalToken = 2;
uint64_t Token(uint64_t id, Side side) { return id * 4 + uint64_t(side); }

constexpr int kAcceptsPerWakeup = 64;
// Concentrator: what is read from a new connection before the core sees it.
// Never less than the largest IE area, so the framing always decides.
constexpr size_t kFirstBytesLimit = 4096;
static_assert(kFirstBytesLimit >= kMaxIeAreaBytes);
constexpr int64_t kActivityEveryNs = 1000000000;  // kActivity at most once a second per pair

Side SideOf(Leg leg) { return leg == Leg::kUpstream ? Side::kUpstream : Side::kDownstream; }
Leg LegOf(Side side) { return side == Side::kUpstream ? Leg::kUpstream : Leg::kDownstream; }

Instant Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Instant::FromNanos(int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec);
}

const char* ActionName(Action::Kind kind) {
  switch (kind) {
    case Action::kOpenLeg: return "OPEN_LEG";
    case Action::kAnswerSyn: return "ANSWER_SYN";
    case Action::kReset: return "RESET";
    case Action::kFastClose: return "FAST_CLOSE";
    case Action::kClose: return "CLOSE";
    case Action::kNotifyApplication: return "NOTIFY_APPLICATION";
    case Action::kChallengeAck: return "CHALLENGE_ACK";
    case Action::kAnswerAccepted: return "ANSWER_ACCEPTED";
  }
  return "?";
}

const char* LegEventName(LegEvent::Kind kind) {
  switch (kind) {
    case LegEvent::kConnected: return "CONNECTED";
    case LegEvent::kRefused: return "REFUSED";
    case LegEvent::kReset: return "RESET";
    case LegEvent::kFastClose: return "FAST_CLOSE";
    case LegEvent::kFin: return "FIN";
    case LegEvent::kTimedOut: return "TIMED_OUT";
    case LegEvent::kActivity: return "ACTIVITY";
    case LegEvent::kFirstBytes: return "FIRST_BYTES";
    case LegEvent::kSubflowClosed: return "SUBFLOW_CLOSED";
  }
  return "?";
}

const char* VerdictName(Verdict::Kind kind) {
  switch (kind) {
    case Verdict::kPassThrough: return "PASS_THROUGH";
    case Verdict::kIntercept: return "INTERCEPT";
    case Verdict::kForward: return "FORWARD";
    case Verdict::kDrop: return "DROP";
    case Verdict::kReset: return "RESET";
  }
  return "?";
}

// How a failed connect is reported to the core.
LegEvent::Kind ConnectFailure(int error) {
  switch (error) {
    case ETIMEDOUT:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EHOSTDOWN:
      return LegEvent::kTimedOut;
    default:
      return LegEvent::kRefused;  // ECONNREFUSED, and anything that never connected
  }
}

bool IsError(uint32_t events) { return events & (EPOLLERR | EPOLLHUP); }

}  // namespace

struct Daemon::Connection final : Relay::Observer {
  Connection(Daemon& daemon, uint64_t id) : daemon(daemon), id(id) {}

  enum class Phase : uint8_t { kFirstBytes, kSetup, kRelaying };
  // The leg this daemon opens (towards the server, or the MCP at a CPE).
  enum class Down : uint8_t { kNone, kConnecting, kReadingEcho, kConnected };

  Daemon& daemon;
  const uint64_t id;
  Phase phase = Phase::kSetup;
  bool passthrough = false;    // CPE: relayed without the core
  mcp_core::FlowId flow = 0;
  bool core_open = false;      // the core's pair is open
  mcp_core::FourTuple customer;  // client -> original destination (or the MCP address)
  Socket up;                   // until the relay takes them
  Socket down;
  Down down_state = Down::kNone;
  std::vector<uint8_t> first_bytes;  // concentrator: read from the customer so far
  int64_t first_bytes_deadline_ns = 0;
  std::string down_target;           // where the leg we open goes, for the log
  std::vector<uint8_t> down_first;   // kOpenLeg payload still to write to the new leg
  uint16_t echo_length = 0;          // CPE: the echo due from the MCP leg
  std::vector<uint8_t> echo;
  std::unique_ptr<Relay> relay;
  int64_t last_activity_ns = std::numeric_limits<int64_t>::min();

  void OnEof(Side side) override { daemon.Queue(id, side, LegEvent::kFin); }
  void OnError(Side side, int error) override {
    daemon.Log(absl::StrCat("relay conn=", id, " flow=", flow, " ", SideName(side), " failed: ",
                            std::strerror(error)));
    daemon.Queue(id, side, error == ETIMEDOUT ? LegEvent::kTimedOut : LegEvent::kReset);
  }
  void OnDelivered(Side to, size_t bytes) override { daemon.OnDelivered(*this, to, bytes); }
  void OnCopyFallback(Side from, int error) override { daemon.OnCopyFallback(from, error); }
};

Daemon::Daemon(const DaemonSettings& settings, DaemonLog& log)
    : settings_(settings), log_(log), core_(settings.core), now_(Now()) {}

Daemon::~Daemon() = default;

// ---------------------------------------------------------------- setup

absl::Status Daemon::Start() {
  if (!loop_.ok()) return absl::InternalError(absl::StrCat("epoll_create1: ", std::strerror(errno)));
  // A write to a socket the peer reset must be an error, not a signal.
  signal(SIGPIPE, SIG_IGN);
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  signals_ = Socket(signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC));
  timer_ = Socket(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!signals_.valid() || !timer_.valid()) {
    return absl::InternalError(absl::StrCat("signalfd/timerfd: ", std::strerror(errno)));
  }
  Watch(signals_.fd(), kSignalToken, EPOLLIN);
  Watch(timer_.fd(), kTimerToken, EPOLLIN);
  if (auto s = OpenListener(); !s.ok()) return s;
  now_ = Now();
  WriteStats();  // its existence means "listening"
  log_.Flush();
  return absl::OkStatus();
}

absl::Status Daemon::OpenListener() {
  const mptcp_opts::IpAddress& address = settings_.listen_address;
  const int family = address.is_v4() ? AF_INET : AF_INET6;
  // The concentrator takes MPTCP (and plain TCP, which the core passes by);
  // the CPE's transparent listener takes the LAN's plain TCP.
  listener_ = Socket(socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, is_cpe() ? IPPROTO_TCP : kIpProtoMptcp));
  const std::string where = Endpoint(address, settings_.listen_port);
  if (!listener_.valid()) return absl::UnavailableError(absl::StrCat("socket for ", where, ": ", std::strerror(errno)));
  const int one = 1;
  setsockopt(listener_.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (is_cpe()) {
    // TPROXY delivers connections addressed to anyone: accept them as theirs.
    const int level = family == AF_INET ? SOL_IP : SOL_IPV6;
    const int option = family == AF_INET ? IP_TRANSPARENT : IPV6_TRANSPARENT;
    if (setsockopt(listener_.fd(), level, option, &one, sizeof(one)) < 0) {
      return absl::PermissionDeniedError(absl::StrCat("IP_TRANSPARENT on ", where, ": ", std::strerror(errno)));
    }
  }
  const SockAddr sa = ToSockAddr(address, settings_.listen_port);
  if (bind(listener_.fd(), sa.get(), sa.length) < 0) {
    return absl::UnavailableError(absl::StrCat("bind ", where, ": ", std::strerror(errno)));
  }
  if (!is_cpe()) {
    // The IEs come in the SYN: accept data there (with net.ipv4.tcp_fastopen
    // 0x602 the kernel needs no cookie).
    const int qlen = int(settings_.tfo_queue);
    if (setsockopt(listener_.fd(), SOL_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)) < 0) {
      return absl::UnavailableError(absl::StrCat("TCP_FASTOPEN on ", where, ": ", std::strerror(errno)));
    }
  }
  if (listen(listener_.fd(), int(std::min<uint32_t>(settings_.max_connections, 65535))) < 0) {
    return absl::UnavailableError(absl::StrCat("listen ", where, ": ", std::strerror(errno)));
  }
  Watch(listener_.fd(), kListenerToken, EPOLLIN);
  Log(absl::StrCat("accept listening on ", where, is_cpe() ? " (TCP, transparent)" : " (MPTCP, TCP_FASTOPEN ",
                   is_cpe() ? "" : absl::StrCat(settings_.tfo_queue, ")")));
  return absl::OkStatus();
}

void Daemon::Watch(int fd, uint64_t token, uint32_t events) {
  if (auto s = loop_.Watch(fd, token, events); !s.ok()) Log(absl::StrCat("error ", s.message()));
}

// ---------------------------------------------------------------- the loop

void Daemon::Run() {
  epoll_event events[256];
  while (!stopping_) {
    core_.HandleTimeouts(now_);
    ExpireFirstBytes();
    Process();
    Sweep();
    if (!settings_.stats_path.empty() && now_ >= next_stats_) WriteStats();
    log_.Flush();
    ArmTimer();
    const int n = loop_.Wait(events, -1);
    now_ = Now();
    for (int i = 0; i < n; ++i) Dispatch(events[i]);
  }
  Process();
  Log(absl::StrCat("accept stopping: ", connections_.size(), " connections open"));
  WriteStats();
  log_.Flush();
}

void Daemon::Dispatch(const epoll_event& event) {
  const uint64_t token = event.data.u64;
  switch (token) {
    case kListenerToken:
      AcceptReady();
      return;
    case kTimerToken: {
      uint64_t expirations;
      (void)!read(timer_.fd(), &expirations, sizeof(expirations));
      armed_ns_ = -1;
      return;
    }
    case kSignalToken: {
      signalfd_siginfo info;
      while (read(signals_.fd(), &info, sizeof(info)) == sizeof(info)) {
        Log(absl::StrCat("accept signal ", info.ssi_signo, ": stopping"));
        stopping_ = true;
      }
      return;
    }
    default:
      break;
  }
  // An event for a connection freed earlier in this batch finds nothing.
  if (Connection* c = Find(token / 4)) OnConnectionEvent(*c, Side(token % 4), event.events);
}

void Daemon::AcceptReady() {
  for (int i = 0; i < kAcceptsPerWakeup; ++i) {
    Socket s(accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!s.valid()) {
      const int error = errno;
      if (error == EAGAIN || error == EWOULDBLOCK) return;
      if (error == EINTR || error == ECONNABORTED || error == EPROTO) continue;
      Log(absl::StrCat("error accept: ", std::strerror(error)));
      if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
        // Level-triggered: the listener would wake us at once, forever.
        loop_.Forget(listener_.fd());
        listener_paused_ = true;
      }
      return;
    }
    ++counters_.accepted;
    if (connections_.size() >= settings_.max_connections) {
      ++counters_.refused;
      ++overload_resets_unlogged_;
      s.Abort(loop_);
      continue;
    }
    auto tuple = PeerToLocal(s.fd());
    if (!tuple) {  // reset while it waited in the accept queue
      Log(absl::StrCat("error accept: the peer is already gone: ", std::strerror(errno)));
      s.Abort(loop_);
      continue;
    }
    const uint64_t id = next_id_++;
    auto owned = std::make_unique<Connection>(*this, id);
    Connection& c = *owned;
    connections_.emplace(id, std::move(owned));
    c.customer = *tuple;
    c.up = std::move(s);
    Touch(c);
    if (is_cpe()) {
      CpeAccepted(c);
      continue;
    }
    c.phase = Connection::Phase::kFirstBytes;
    c.first_bytes_deadline_ns = (now_ + settings_.first_bytes_timeout).nanos();
    first_bytes_deadlines_.insert({c.first_bytes_deadline_ns, id});
    Watch(c.up.fd(), Token(id, Side::kUpstream), EPOLLIN);
    ReadFirstBytes(c);  // usually already there: they came in the SYN
  }
}

void Daemon::OnConnectionEvent(Connection& c, Side side, uint32_t events) {
  Touch(c);
  if (c.relay) {
    c.relay->OnReady(side, events);
    return;
  }
  if (side == Side::kUpstream) {
    if (!c.up.valid()) return;
    if (c.phase == Connection::Phase::kFirstBytes) {
      ReadFirstBytes(c);
      return;
    }
    // Not read before the relay starts; only errors and hang-ups get here.
    if (!IsError(events)) return;
    const int error = TakeSocketError(c.up.fd());
    Log(absl::StrCat("error conn=", c.id, " flow=", c.flow, " customer ", ToString(c.customer),
                     " went away before the relay: ", std::strerror(error ? error : ECONNRESET)));
    c.up.Close(loop_);
    if (c.core_open) Queue(c.id, Side::kUpstream, LegEvent::kReset);
    else AbortConnection(c);
    return;
  }
  if (!c.down.valid()) return;
  switch (c.down_state) {
    case Connection::Down::kConnecting:
      OnDownConnect(c, events);
      return;
    case Connection::Down::kReadingEcho:
      ReadEcho(c);
      return;
    case Connection::Down::kConnected:
    case Connection::Down::kNone:
      if (!IsError(events)) return;
      Log(absl::StrCat("error conn=", c.id, " flow=", c.flow, " downstream failed before the relay: ",
                       std::strerror(TakeSocketError(c.down.fd()))));
      c.down.Close(loop_);
      c.down_state = Connection::Down::kNone;
      Queue(c.id, Side::kDownstream, LegEvent::kReset);
      return;
  }
}

// ---------------------------------------------------------------- accepting

void Daemon::ReadFirstBytes(Connection& c) {
  uint8_t buf[kFirstBytesLimit];
  for (;;) {
    const size_t room = kFirstBytesLimit - c.first_bytes.size();
    if (room == 0) break;
    const ssize_t n = recv(c.up.fd(), buf, room, MSG_DONTWAIT);
    if (n > 0) {
      c.first_bytes.insert(c.first_bytes.end(), buf, buf + n);
      if (IeFraming(c.first_bytes) == IeFramingState::kComplete) break;
      continue;
    }
    if (n == 0) break;  // EOF: the core judges what came
    const int error = errno;
    if (error == EINTR) continue;
    if (error == EAGAIN || error == EWOULDBLOCK) return;  // more is due; the timer bounds the wait
    Log(absl::StrCat("error conn=", c.id, " ", ToString(c.customer), " before its IEs: ", std::strerror(error)));
    first_bytes_deadlines_.erase({c.first_bytes_deadline_ns, c.id});
    c.up.Abort(loop_);
    return;
  }
  SubmitAccepted(c);
}

void Daemon::SubmitAccepted(Connection& c) {
  first_bytes_deadlines_.erase({c.first_bytes_deadline_ns, c.id});
  c.phase = Connection::Phase::kSetup;
  mcp_core::AcceptedConnection accepted;
  accepted.interface = mcp_core::Interface::kCustomerFacing;
  accepted.tuple = c.customer;
  accepted.mptcp = IsMptcp(c.up.fd());
  accepted.first_bytes = c.first_bytes;
  const Verdict v = core_.HandleAcceptedConnection(now_, accepted);
  Log(absl::StrCat("accept conn=", c.id, " ", ToString(c.customer), accepted.mptcp ? " mptcp" : " tcp",
                   " first_bytes=", c.first_bytes.size(), " verdict=", VerdictName(v.kind), " flow=", v.flow));
  c.first_bytes = {};
  switch (v.kind) {
    case Verdict::kIntercept:
      c.flow = v.flow;
      c.core_open = true;
      by_flow_[v.flow] = c.id;
      Watch(c.up.fd(), Token(c.id, Side::kUpstream), 0);  // not read until the relay starts
      return;
    case Verdict::kPassThrough:  // not MPTCP: not a converter's connection
      ++counters_.refused;
      c.up.Close(loop_);
      return;
    default:  // refused by the core (ACL, malformed IEs, limits): its event says why
      ++counters_.refused;
      c.up.Abort(loop_);
      return;
  }
}

void Daemon::CpeAccepted(Connection& c) {
  mcp_core::AcceptedConnection accepted;
  accepted.interface = mcp_core::Interface::kCustomerFacing;
  accepted.tuple = c.customer;
  accepted.mptcp = false;  // native MPTCP is not intercepted (the nftables rule)
  const Verdict v = core_.HandleAcceptedConnection(now_, accepted);
  Log(absl::StrCat("accept conn=", c.id, " ", ToString(c.customer), " verdict=", VerdictName(v.kind),
                   " flow=", v.flow));
  switch (v.kind) {
    case Verdict::kIntercept:
      c.flow = v.flow;
      c.core_open = true;
      by_flow_[v.flow] = c.id;
      // The client's bytes wait in the kernel (bounded by its receive
      // buffer) until the relay starts.
      Watch(c.up.fd(), Token(c.id, Side::kUpstream), 0);
      return;
    case Verdict::kPassThrough: {
      // Not eligible, or the MCP is cached as not capable: plain TCP to the
      // original destination, relayed without the core.
      ++counters_.passthrough;
      c.passthrough = true;
      Watch(c.up.fd(), Token(c.id, Side::kUpstream), 0);
      Action direct;
      direct.kind = Action::kOpenLeg;
      direct.leg = Leg::kDownstream;
      direct.transport = mcp_core::Transport::kTcp;
      direct.tuple.src = c.customer.dst.is_v4() ? mptcp_opts::IpAddress::V4(0, 0, 0, 0)
                                                : *mptcp_opts::IpAddress::Parse("::");
      direct.tuple.dst = c.customer.dst;
      direct.tuple.dst_port = c.customer.dst_port;
      OpenLeg(c, direct);
      return;
    }
    default:
      ++counters_.refused;
      c.up.Abort(loop_);
      return;
  }
}

// ---------------------------------------------------------------- the leg we open

void Daemon::OpenLeg(Connection& c, const Action& a) {
  if (c.relay) {
    Log(absl::StrCat("error conn=", c.id, " flow=", c.flow, " OPEN_LEG while relaying: ignored"));
    return;
  }
  if (c.down.valid()) c.down.Abort(loop_);  // a fallback replaces the leg to the MCP
  c.down_state = Connection::Down::kNone;
  const bool to_mcp = is_cpe() && a.transport == mcp_core::Transport::kMptcp && a.echo_length > 0;
  if (is_cpe() && !c.passthrough && a.transport == mcp_core::Transport::kTcp) ++counters_.fallbacks;
  c.echo_length = to_mcp ? a.echo_length : 0;
  c.echo.clear();
  const bool v4 = a.tuple.dst.is_v4();
  const std::string where = Endpoint(a.tuple.dst, a.tuple.dst_port);
  c.down_target = where;
  auto fail = [&](const char* what, int error) {
    Log(absl::StrCat("error conn=", c.id, " flow=", c.flow, " open ", where, ": ", what, ": ", std::strerror(error)));
    Queue(c.id, Side::kDownstream, ConnectFailure(error));
  };
  Socket s(socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  a.transport == mcp_core::Transport::kMptcp ? kIpProtoMptcp : IPPROTO_TCP));
  if (!s.valid()) return fail("socket", errno);
  const int one = 1;
  if (a.mss != 0) {
    const int mss = a.mss;
    setsockopt(s.fd(), SOL_TCP, TCP_MAXSEG, &mss, sizeof(mss));
  }
  if (a.dscp) {
    const int tos = int(*a.dscp) << 2;
    setsockopt(s.fd(), v4 ? SOL_IP : SOL_IPV6, v4 ? IP_TOS : IPV6_TCLASS, &tos, sizeof(tos));
  }
  if (!IsUnspecified(a.tuple.src)) {
    // PRESERVE (the client's address) and POOL (a pool address) alike: the
    // address need not be ours, so bind transparently.
    if (setsockopt(s.fd(), v4 ? SOL_IP : SOL_IPV6, v4 ? IP_TRANSPARENT : IPV6_TRANSPARENT, &one, sizeof(one)) < 0) {
      return fail("IP_TRANSPARENT", errno);
    }
    uint16_t port = a.tuple.src_port;
    if (port != 0) setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    SockAddr src = ToSockAddr(a.tuple.src, port);
    if (port == 0) setsockopt(s.fd(), SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    int rc = bind(s.fd(), src.get(), src.length);
    if (rc < 0 && errno == EADDRINUSE && port != 0) {
      // The client's port is taken here (another leg from it): any port.
      setsockopt(s.fd(), SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
      src = ToSockAddr(a.tuple.src, 0);
      rc = bind(s.fd(), src.get(), src.length);
    }
    if (rc < 0) return fail("bind", errno);
  }
  const SockAddr dst = ToSockAddr(a.tuple.dst, a.tuple.dst_port);
  size_t sent = 0;
  if (to_mcp && settings_.ies_in_syn) {
    // The IEs in the SYN (TCP Fast Open without a cookie). A nonblocking
    // sendto returns the bytes it put in the SYN (KERNEL_FACTS.md §3).
    setsockopt(s.fd(), SOL_TCP, kTcpFastOpenNoCookie, &one, sizeof(one));
    const ssize_t n = sendto(s.fd(), a.payload.data(), a.payload.size(), MSG_FASTOPEN | MSG_NOSIGNAL, dst.get(),
                             dst.length);
    if (n >= 0) sent = size_t(n);
    else if (errno != EINPROGRESS) return fail("sendto(MSG_FASTOPEN)", errno);
  } else if (connect(s.fd(), dst.get(), dst.length) < 0 && errno != EINPROGRESS) {
    return fail("connect", errno);
  }
  c.down_first.assign(a.payload.begin() + sent, a.payload.end());
  c.down = std::move(s);
  c.down_state = Connection::Down::kConnecting;
  Watch(c.down.fd(), Token(c.id, Side::kDownstream), EPOLLOUT);
}

void Daemon::OnDownConnect(Connection& c, uint32_t events) {
  int error = TakeSocketError(c.down.fd());
  if (error == 0 && !(events & EPOLLOUT)) {
    if (!(events & EPOLLHUP)) return;
    error = ECONNRESET;
  }
  if (error != 0) {
    Log(absl::StrCat("error conn=", c.id, " flow=", c.flow, " connect ", c.down_target, ": ", std::strerror(error)));
    c.down.Close(loop_);
    c.down_state = Connection::Down::kNone;
    Queue(c.id, Side::kDownstream, ConnectFailure(error));
    return;
  }
  // The payload first (the data that followed the IEs, or what the SYN could
  // not carry); a remainder goes first once the relay runs.
  while (!c.down_first.empty()) {
    const ssize_t n = send(c.down.fd(), c.down_first.data(), c.down_first.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n <= 0) break;  // the relay retries, and reports a failure
    c.down_first.erase(c.down_first.begin(), c.down_first.begin() + n);
  }
  if (c.passthrough) {
    c.down_state = Connection::Down::kConnected;
    StartRelay(c, {});
    return;
  }
  QueuedLegEvent connected;
  connected.connection = c.id;
  connected.side = Side::kDownstream;
  connected.kind = LegEvent::kConnected;
  connected.with_mptcp = IsMptcp(c.down.fd());
  connected.tuple = LocalToPeer(c.down.fd());
  Queue(std::move(connected));
  if (c.echo_length > 0) {
    // No data in a kernel SYN/ACK: the echo is the MCP's first bytes.
    c.down_state = Connection::Down::kReadingEcho;
    Watch(c.down.fd(), Token(c.id, Side::kDownstream), EPOLLIN);
  } else {
    c.down_state = Connection::Down::kConnected;
    Watch(c.down.fd(), Token(c.id, Side::kDownstream), 0);
  }
}

void Daemon::ReadEcho(Connection& c) {
  while (c.echo.size() < c.echo_length) {
    uint8_t buf[256];
    // Exactly the echo, never more: what follows is the server's data.
    const size_t want = std::min(sizeof(buf), size_t(c.echo_length) - c.echo.size());
    const ssize_t n = recv(c.down.fd(), buf, want, MSG_DONTWAIT);
    if (n > 0) {
      c.echo.insert(c.echo.end(), buf, buf + n);
      continue;
    }
    if (n == 0) {
      Log(absl::StrCat("error conn=", c.id, " flow=", c.flow, " the MCP closed after ", c.echo.size(), " of ",
                       c.echo_length, " echo bytes"));
      c.down_state = Connection::Down::kConnected;
      Watch(c.down.fd(), Token(c.id, Side::kDownstream), 0);
      Queue(c.id, Side::kDownstream, LegEvent::kFin);
      return;
    }
    const int error = errno;
    if (error == EINTR) continue;
    if (error == EAGAIN || error == EWOULDBLOCK) return;
    Log(absl::StrCat("error conn=", c.id, " flow=", c.flow, " reading the echo: ", std::strerror(error)));
    c.down.Close(loop_);
    c.down_state = Connection::Down::kNone;
    Queue(c.id, Side::kDownstream, error == ETIMEDOUT ? LegEvent::kTimedOut : LegEvent::kReset);
    return;
  }
  c.down_state = Connection::Down::kConnected;
  Watch(c.down.fd(), Token(c.id, Side::kDownstream), 0);
  QueuedLegEvent echoed;
  echoed.connection = c.id;
  echoed.side = Side::kDownstream;
  echoed.kind = LegEvent::kFirstBytes;
  echoed.bytes = std::move(c.echo);
  c.echo = {};
  Queue(std::move(echoed));
}

// ---------------------------------------------------------------- relaying

void Daemon::StartRelay(Connection& c, std::vector<uint8_t> first_up) {
  if (c.relay) return;
  if (!c.up.valid() || !c.down.valid() || c.down_state != Connection::Down::kConnected) {
    Log(absl::StrCat("error conn=", c.id, " flow=", c.flow, " cannot relay: ",
                     !c.up.valid() ? "the customer is gone" : "the other leg is not up"));
    if (!c.up.valid() && c.core_open) Queue(c.id, Side::kUpstream, LegEvent::kReset);
    if (!c.down.valid() && c.core_open) Queue(c.id, Side::kDownstream, LegEvent::kReset);
    if (!c.core_open) AbortConnection(c);
    return;
  }
  const mcp_core::FourTuple down_tuple = LocalToPeer(c.down.fd()).value_or(mcp_core::FourTuple{});
  loop_.Forget(c.up.fd());
  loop_.Forget(c.down.fd());
  c.phase = Connection::Phase::kRelaying;
  c.last_activity_ns = now_.nanos();
  c.relay = std::make_unique<Relay>(
      loop_, c, std::array<Socket, 2>{std::move(c.up), std::move(c.down)},
      std::array<uint64_t, 2>{Token(c.id, Side::kUpstream), Token(c.id, Side::kDownstream)},
      std::array<std::vector<uint8_t>, 2>{std::move(first_up), std::move(c.down_first)},
      Relay::Options{.pipe_bytes = settings_.pipe_bytes});
  c.down_first = {};
  if (!c.relay->status().ok()) {
    Log(absl::StrCat("error conn=", c.id, " flow=", c.flow, " relay: ", c.relay->status().message()));
    for (Socket& s : c.relay->TakeSockets()) s.Abort(loop_);
    c.relay.reset();
    if (c.core_open) {
      Queue(c.id, Side::kUpstream, LegEvent::kReset);
      Queue(c.id, Side::kDownstream, LegEvent::kReset);
    }
    return;
  }
  ++counters_.active_relays;
  Log(absl::StrCat("relay start conn=", c.id, " flow=", c.flow, " ", ToString(c.customer), " via ",
                   ToString(down_tuple), c.passthrough ? " passthrough" : ""));
}

void Daemon::OnDelivered(Connection& c, Side to, size_t bytes) {
  (to == Side::kDownstream ? counters_.bytes_up : counters_.bytes_down) += bytes;
  if (c.core_open && now_.nanos() - c.last_activity_ns >= kActivityEveryNs) {
    c.last_activity_ns = now_.nanos();
    Queue(c.id, Other(to), LegEvent::kActivity);
  }
}

void Daemon::OnCopyFallback(Side from, int error) {
  if (copy_fallback_logged_) return;
  copy_fallback_logged_ = true;
  Log(absl::StrCat("relay splice refused on a ", SideName(from), " socket (", std::strerror(error),
                   "): copying through a buffer for such sockets"));
}

void Daemon::AbortLeg(Connection& c, Side side) {
  if (c.relay) {
    c.relay->Abort(side);
    return;
  }
  if (side == Side::kUpstream) {
    c.up.Abort(loop_);
  } else {
    c.down.Abort(loop_);
    c.down_state = Connection::Down::kNone;
  }
}

void Daemon::CloseLeg(Connection& c, Side side) {
  if (c.relay) {
    c.relay->CloseWhenDrained(side);
    return;
  }
  // Nothing is relayed yet, so nothing is pending towards it.
  (side == Side::kUpstream ? c.up : c.down).Close(loop_);
  if (side == Side::kDownstream) c.down_state = Connection::Down::kNone;
}

void Daemon::AbortConnection(Connection& c) {
  Touch(c);
  if (c.phase == Connection::Phase::kFirstBytes) first_bytes_deadlines_.erase({c.first_bytes_deadline_ns, c.id});
  AbortLeg(c, Side::kUpstream);
  AbortLeg(c, Side::kDownstream);
}

// ---------------------------------------------------------------- the core

void Daemon::Queue(uint64_t connection, Side side, LegEvent::Kind kind) {
  QueuedLegEvent e;
  e.connection = connection;
  e.side = side;
  e.kind = kind;
  queued_.push_back(std::move(e));
}

void Daemon::Process() {
  DrainCore();
  while (!queued_.empty()) {
    std::vector<QueuedLegEvent> batch;
    batch.swap(queued_);
    // One event at a time, each followed by what the core made of it: the
    // next event then finds the connection as the actions left it (a pair the
    // core closed is known to be closed).
    for (const QueuedLegEvent& e : batch) {
      FeedLegEvent(e);
      DrainCore();
    }
  }
}

void Daemon::DrainCore() {
  while (auto action = core_.PollAction()) Execute(*action);
  while (auto event = core_.PollEvent()) OnCoreEvent(*event);
}

void Daemon::FeedLegEvent(const QueuedLegEvent& e) {
  Connection* c = Find(e.connection);
  if (!c) return;
  Touch(*c);
  if (!c->core_open) {
    SelfCouple(*c, e);
    return;
  }
  LegEvent event;
  event.kind = e.kind;
  event.with_mptcp = e.with_mptcp;
  event.tuple = e.tuple;
  event.first_bytes = e.bytes;
  const absl::Status status = core_.HandleLegEvent(now_, c->flow, LegOf(e.side), event);
  if (e.kind != LegEvent::kActivity || !status.ok()) {
    Log(absl::StrCat("relay conn=", c->id, " flow=", c->flow, " ", SideName(e.side), " ", LegEventName(e.kind),
                     e.kind == LegEvent::kConnected ? (e.with_mptcp ? " mptcp" : " tcp") : "",
                     status.ok() ? "" : absl::StrCat(": core: ", status.message())));
  }
  if (status.ok()) return;
  if (absl::IsNotFound(status)) {  // cannot happen while PAIR_CLOSED is handled at once; be safe
    c->core_open = false;
    by_flow_.erase(c->flow);
    SelfCouple(*c, e);
  } else if (e.kind == LegEvent::kReset || e.kind == LegEvent::kTimedOut || e.kind == LegEvent::kRefused) {
    // A dead leg the core will not couple: do not leave the other open.
    AbortConnection(*c);
  }
}

void Daemon::SelfCouple(Connection& c, const QueuedLegEvent& e) {
  switch (e.kind) {
    case LegEvent::kActivity:
      return;
    case LegEvent::kFin:
      if (c.relay) {
        c.relay->CloseWhenDrained(Other(e.side));
        return;
      }
      AbortConnection(c);
      return;
    default:  // a failure, or a setup step with no pair to go on with
      AbortConnection(c);
      return;
  }
}

void Daemon::Execute(const Action& a) {
  auto it = by_flow_.find(a.flow);
  Connection* c = it == by_flow_.end() ? nullptr : Find(it->second);
  std::string line = absl::StrCat("action ", ActionName(a.kind), " flow=", a.flow, " ",
                                  a.leg == Leg::kUpstream ? "upstream" : "downstream");
  if (a.kind == Action::kOpenLeg) {
    absl::StrAppend(&line, a.transport == mcp_core::Transport::kMptcp ? " mptcp " : " tcp ", ToString(a.tuple),
                    " payload=", a.payload.size(), " echo_length=", a.echo_length);
  } else if (a.kind == Action::kAnswerAccepted) {
    absl::StrAppend(&line, " payload=", a.payload.size());
  }
  if (c) absl::StrAppend(&line, " conn=", c->id);
  else absl::StrAppend(&line, ": no connection (already gone)");
  Log(line);
  if (!c) return;
  Touch(*c);
  switch (a.kind) {
    case Action::kOpenLeg:
      OpenLeg(*c, a);
      return;
    case Action::kAnswerAccepted:
      StartRelay(*c, a.payload);
      return;
    case Action::kReset:
    case Action::kFastClose:  // SO_LINGER {1, 0} on an MPTCP socket sends MP_FASTCLOSE
      AbortLeg(*c, SideOf(a.leg));
      return;
    case Action::kClose:
      CloseLeg(*c, SideOf(a.leg));
      return;
    default:  // kAnswerSyn, kNotifyApplication, kChallengeAck: not for a kernel-socket proxy
      Log(absl::StrCat("error flow=", a.flow, " ", ActionName(a.kind), " is not for this daemon: ignored"));
      return;
  }
}

void Daemon::OnCoreEvent(const mcp_core::Event& event) {
  log_.Event(now_, event);
  if (event.kind != mcp_core::EventKind::kPairClosed) return;
  auto it = by_flow_.find(event.flow);
  if (it == by_flow_.end()) return;
  Connection* c = Find(it->second);
  by_flow_.erase(it);
  if (!c) return;
  c->core_open = false;
  Touch(*c);
  // Every path to a closed pair closed or aborted both legs; a relay drains
  // what it was told to. Sockets of a setup the core gave up must not stay.
  if (!c->relay) AbortConnection(*c);
}

// ---------------------------------------------------------------- housekeeping

Daemon::Connection* Daemon::Find(uint64_t id) {
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : it->second.get();
}

void Daemon::Touch(const Connection& c) { touched_.push_back(c.id); }

void Daemon::ExpireFirstBytes() {
  while (!first_bytes_deadlines_.empty() && first_bytes_deadlines_.begin()->first <= now_.nanos()) {
    const uint64_t id = first_bytes_deadlines_.begin()->second;
    first_bytes_deadlines_.erase(first_bytes_deadlines_.begin());
    Connection* c = Find(id);
    if (!c || c->phase != Connection::Phase::kFirstBytes) continue;
    Log(absl::StrCat("error conn=", id, " ", ToString(c->customer), " sent no complete IEs in time (",
                     c->first_bytes.size(), " bytes)"));
    ++counters_.refused;
    c->phase = Connection::Phase::kSetup;
    c->up.Abort(loop_);
    Touch(*c);
  }
}

void Daemon::Sweep() {
  std::vector<uint64_t> touched;
  touched.swap(touched_);
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (uint64_t id : touched) {
    Connection* c = Find(id);
    if (!c || c->core_open || c->phase == Connection::Phase::kFirstBytes) continue;
    const bool closed = c->relay ? c->relay->finished() : !c->up.valid() && !c->down.valid();
    if (!closed) continue;
    if (c->relay) {
      --counters_.active_relays;
      ++counters_.relays_completed;
      Log(absl::StrCat("relay end conn=", id, " flow=", c->flow));
    }
    if (c->flow != 0) {
      if (auto it = by_flow_.find(c->flow); it != by_flow_.end() && it->second == id) by_flow_.erase(it);
    }
    connections_.erase(id);
    if (listener_paused_) {
      listener_paused_ = false;
      Watch(listener_.fd(), kListenerToken, EPOLLIN);
    }
  }
  if (overload_resets_unlogged_ > 0) {
    Log(absl::StrCat("error max_connections (", settings_.max_connections, ") reached: reset ",
                     overload_resets_unlogged_, " new connections"));
    overload_resets_unlogged_ = 0;
  }
}

void Daemon::WriteStats() {
  next_stats_ = now_ + settings_.stats_interval;
  if (settings_.stats_path.empty()) return;
  const std::string json = StatsJson(is_cpe() ? "CPE_MCP" : "NETWORK_MCP", core_.stats(), counters_);
  if (auto s = WriteFileAtomically(settings_.stats_path, json); !s.ok()) Log(absl::StrCat("error stats: ", s.message()));
}

void Daemon::ArmTimer() {
  int64_t next = std::numeric_limits<int64_t>::max();
  if (auto d = core_.NextDeadline()) next = std::min(next, d->nanos());
  if (!first_bytes_deadlines_.empty()) next = std::min(next, first_bytes_deadlines_.begin()->first);
  if (!settings_.stats_path.empty()) next = std::min(next, next_stats_.nanos());
  if (next == armed_ns_) return;
  itimerspec spec{};
  if (next != std::numeric_limits<int64_t>::max()) {
    next = std::max<int64_t>(next, 1);  // zero would disarm; a past time fires at once
    spec.it_value.tv_sec = next / 1000000000;
    spec.it_value.tv_nsec = next % 1000000000;
  }
  timerfd_settime(timer_.fd(), TFD_TIMER_ABSTIME, &spec, nullptr);
  armed_ns_ = next;
}

}  // namespace hybrid_access
