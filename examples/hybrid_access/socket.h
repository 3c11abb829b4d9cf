// SPDX-License-Identifier: Apache-2.0
// Sockets as the daemons use them: an owning fd (Socket), the conversions
// between mcp_core's FourTuple and sockaddr, and the few socket options the
// daemons read or set.
//
//   Socket s(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_MPTCP));
//   mcp_core::FourTuple t = LocalToPeer(s.fd()).value();
//   s.Abort(loop);   // RST (MP_FASTCLOSE on an established MPTCP connection)
#ifndef EXAMPLES_HYBRID_ACCESS_SOCKET_H_
#define EXAMPLES_HYBRID_ACCESS_SOCKET_H_

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>

#include "examples/hybrid_access/event_loop.h"
#include "mcp_core/segment.h"
#include "mptcp_opts/ip_address.h"

namespace hybrid_access {

// Linux values, for C libraries that predate them.
inline constexpr int kIpProtoMptcp = 262;          // IPPROTO_MPTCP
inline constexpr int kTcpIsMptcp = 43;             // TCP_IS_MPTCP
inline constexpr int kTcpFastOpenNoCookie = 34;    // TCP_FASTOPEN_NO_COOKIE

// Owns one fd; closes it when destroyed (without telling an EventLoop, so
// prefer Close or Abort with the loop that watches it).
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() { Reset(); }
  Socket(Socket&& o) noexcept : fd_(o.Release()) {}
  Socket& operator=(Socket&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = o.Release();
    }
    return *this;
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Orderly close: unwatch, close (the kernel finishes sending what is queued).
  void Close(EventLoop& loop);
  // Abortive close: SO_LINGER {1, 0}, then close. The kernel sends RST, or
  // MP_FASTCLOSE on an established MPTCP connection.
  void Abort(EventLoop& loop);

 private:
  void Reset();
  int fd_ = -1;
};

// An address and port as a sockaddr (AF_INET or AF_INET6).
struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};
SockAddr ToSockAddr(const mptcp_opts::IpAddress& address, uint16_t port);
// nullopt for families other than AF_INET / AF_INET6. IPv4-mapped IPv6
// addresses come back as IPv4.
std::optional<std::pair<mptcp_opts::IpAddress, uint16_t>> FromSockAddr(const sockaddr_storage& s);

// The connection's 4-tuple from its two ends (getsockname, getpeername).
// PeerToLocal: src = the peer (an accepted client), dst = this socket's
// address (at a transparent listener: the client's original destination).
std::optional<mcp_core::FourTuple> PeerToLocal(int fd);
// LocalToPeer: src = this socket, dst = the peer (a leg this side opened).
std::optional<mcp_core::FourTuple> LocalToPeer(int fd);

// SO_ERROR (and clears it); 0 when none.
int TakeSocketError(int fd);
// getsockopt(SOL_TCP, TCP_IS_MPTCP): whether the connection really runs
// MPTCP (false for plain TCP sockets and for MPTCP sockets that fell back).
bool IsMptcp(int fd);
// Whether `a` is 0.0.0.0 or ::.
bool IsUnspecified(const mptcp_opts::IpAddress& a);
std::string ToString(const mcp_core::FourTuple& t);
// The peer's end of a tuple as "address:port".
std::string Endpoint(const mptcp_opts::IpAddress& a, uint16_t port);

}  // namespace hybrid_access

#endif  // EXAMPLES_HYBRID_ACCESS_SOCKET_H_
