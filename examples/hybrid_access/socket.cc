// SPDX-License-Identifier: Apache-2.0
#include "examples/hybrid_access/socket.h"

#include <netinet/tcp.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace hybrid_access {

using mptcp_opts::IpAddress;

void Socket::Reset() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void Socket::Close(EventLoop& loop) {
  if (fd_ < 0) return;
  loop.Forget(fd_);
  Reset();
}

void Socket::Abort(EventLoop& loop) {
  if (fd_ < 0) return;
  const linger hard{1, 0};
  setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  Close(loop);
}

SockAddr ToSockAddr(const IpAddress& address, uint16_t port) {
  SockAddr out;
  if (address.is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, address.bytes().data(), 4);
    out.length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::memcpy(&in6->sin6_addr, address.bytes().data(), 16);
    out.length = sizeof(sockaddr_in6);
  }
  return out;
}

std::optional<std::pair<IpAddress, uint16_t>> FromSockAddr(const sockaddr_storage& s) {
  if (s.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&s);
    return std::pair{IpAddress::FromV4Bytes(reinterpret_cast<const uint8_t*>(&in->sin_addr)),
                     ntohs(in->sin_port)};
  }
  if (s.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&s);
    const auto* b = reinterpret_cast<const uint8_t*>(&in6->sin6_addr);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return std::pair{IpAddress::FromV4Bytes(b + 12), ntohs(in6->sin6_port)};
    return std::pair{IpAddress::FromV6Bytes(b), ntohs(in6->sin6_port)};
  }
  return std::nullopt;
}

namespace {

std::optional<std::pair<IpAddress, uint16_t>> End(int fd, bool peer) {
  sockaddr_storage s{};
  socklen_t len = sizeof(s);
  const int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&s), &len)
                      : getsockname(fd, reinterpret_cast<sockaddr*>(&s), &len);
  if (rc < 0) return std::nullopt;
  return FromSockAddr(s);
}

}  // namespace

std::optional<mcp_core::FourTuple> PeerToLocal(int fd) {
  auto peer = End(fd, true);
  auto local = End(fd, false);
  if (!peer || !local) return std::nullopt;
  return mcp_core::FourTuple{peer->first, local->first, peer->second, local->second};
}

std::optional<mcp_core::FourTuple> LocalToPeer(int fd) {
  auto t = PeerToLocal(fd);
  if (!t) return std::nullopt;
  return t->Reversed();
}

int TakeSocketError(int fd) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
  return err;
}

bool IsMptcp(int fd) {
  int on = 0;
  socklen_t len = sizeof(on);
  return getsockopt(fd, SOL_TCP, kTcpIsMptcp, &on, &len) == 0 && on != 0;
}

bool IsUnspecified(const IpAddress& a) {
  for (uint8_t b : a.bytes()) {
    if (b != 0) return false;
  }
  return true;
}

std::string Endpoint(const IpAddress& a, uint16_t port) {
  return a.is_v4() ? absl::StrCat(a.ToString(), ":", port) : absl::StrCat("[", a.ToString(), "]:", port);
}

std::string ToString(const mcp_core::FourTuple& t) {
  return absl::StrCat(Endpoint(t.src, t.src_port), "->", Endpoint(t.dst, t.dst_port));
}

}  // namespace hybrid_access
