// SPDX-License-Identifier: Apache-2.0
#include "examples/hybrid_access/relay.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace hybrid_access {
namespace {

constexpr unsigned kSpliceFlags = SPLICE_F_NONBLOCK | SPLICE_F_MOVE;
// Rounds of reads and writes per wake-up: a relay between two fast sockets
// must not starve the others. Level-triggered epoll brings it back.
constexpr int kMaxRoundsPerPump = 16;

bool Retry(int error) { return error == EINTR; }
bool WouldBlock(int error) { return error == EAGAIN || error == EWOULDBLOCK; }
// splice() refusing this kind of file, as opposed to the connection failing.
bool SpliceUnsupported(int error) { return error == EINVAL || error == ENOSYS || error == EOPNOTSUPP; }

}  // namespace

Relay::Relay(EventLoop& loop, Observer& observer, std::array<Socket, 2> sockets, std::array<uint64_t, 2> tokens,
             std::array<std::vector<uint8_t>, 2> first, Options options)
    : loop_(loop), observer_(observer), options_(options) {
  for (int s = 0; s < 2; ++s) {
    sides_[s].socket = std::move(sockets[s]);
    sides_[s].token = tokens[s];
    directions_[s].from = Side(s);
    // The bytes to write to side s first travel in the direction into it.
    directions_[1 - s].first = std::move(first[s]);
  }
  capacity_ = options_.pipe_bytes;
  for (Direction& d : directions_) {
    if (!options_.splice) {
      d.copying = true;
      d.buffer.resize(capacity_);
      continue;
    }
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) {
      status_ = absl::ResourceExhaustedError(absl::StrCat("pipe2: ", std::strerror(errno)));
      return;
    }
    d.pipe_read = fds[0];
    d.pipe_write = fds[1];
    // The pipe holds at least what was asked (rounded up to pages); the
    // relay never puts more than pipe_bytes in it.
    const int size = fcntl(d.pipe_write, F_SETPIPE_SZ, int(options_.pipe_bytes));
    if (size < 0) {
      const int now = fcntl(d.pipe_write, F_GETPIPE_SZ);
      capacity_ = std::min(capacity_, size_t(std::max(now, 4096)));
    }
  }
  Pump();
}

Relay::~Relay() {
  for (int s = 0; s < 2; ++s) sides_[s].socket.Close(loop_);
  for (Direction& d : directions_) {
    if (d.pipe_read >= 0) close(d.pipe_read);
    if (d.pipe_write >= 0) close(d.pipe_write);
  }
}

std::array<Socket, 2> Relay::TakeSockets() {
  for (auto& side : sides_) loop_.Forget(side.socket.fd());
  return {std::move(sides_[0].socket), std::move(sides_[1].socket)};
}

size_t Relay::buffered(Side side) const {
  const Direction& d = directions_[int(Other(side))];
  return d.held();
}

void Relay::OnReady(Side side, uint32_t events) {
  if (!status_.ok() || !open(side)) return;
  if (events & EPOLLERR) {
    if (const int error = TakeSocketError(sides_[int(side)].socket.fd()); error != 0) Fail(side, error);
  }
  if (events & EPOLLHUP) sides_[int(side)].hung_up = true;
  Pump();
}

void Relay::CloseWhenDrained(Side side) {
  if (!status_.ok() || !open(side)) return;
  to(side).close_requested = true;
  Pump();
}

void Relay::Abort(Side side) {
  if (!open(side)) return;
  CloseSide(side, /*abortive=*/true);
  DropDirection(to(side));
  if (status_.ok()) Pump();
}

void Relay::Pump() {
  bool progress = true;
  for (int round = 0; progress && round < kMaxRoundsPerPump; ++round) {
    progress = false;
    for (Direction& d : directions_) {
      progress |= Fill(d);
      progress |= Drain(d);
    }
  }
  Settle();
}

bool Relay::Fill(Direction& d) {
  const Side from = d.from;
  // Read only into an empty buffer: a splice that returns EAGAIN with bytes
  // in the pipe cannot say whether the socket or the pipe ran out, so the
  // next read waits until the receiver took everything.
  if (!open(from) || !open(Other(from)) || d.eof || d.close_requested || d.held() > 0) return false;
  const int fd = sides_[int(from)].socket.fd();
  bool progress = false;
  while (d.held() < capacity_) {
    ssize_t n;
    if (d.copying) {
      n = recv(fd, d.buffer.data() + d.buffer_end, capacity_ - d.buffer_end, MSG_DONTWAIT);
    } else {
      n = splice(fd, nullptr, d.pipe_write, nullptr, capacity_ - d.in_pipe, kSpliceFlags);
    }
    if (n > 0) {
      if (d.copying) d.buffer_end += size_t(n);
      else d.in_pipe += size_t(n);
      max_buffered_ = std::max(max_buffered_, d.held());
      progress = true;
      continue;
    }
    if (n == 0) {
      d.eof = true;
      observer_.OnEof(from);
      return true;
    }
    const int error = errno;
    if (Retry(error)) continue;
    if (WouldBlock(error)) break;
    if (!d.copying && d.in_pipe == 0 && SpliceUnsupported(error)) {
      d.copying = true;
      d.buffer.resize(capacity_);
      observer_.OnCopyFallback(from, error);
      continue;
    }
    Fail(from, error);
    return true;
  }
  return progress;
}

bool Relay::Drain(Direction& d) {
  const Side to = Other(d.from);
  if (!open(to) || d.shut) return false;
  const int fd = sides_[int(to)].socket.fd();
  bool progress = false;
  while (d.first_written < d.first.size()) {
    const ssize_t n = send(fd, d.first.data() + d.first_written, d.first.size() - d.first_written,
                           MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      d.first_written += size_t(n);
      progress = true;
      continue;
    }
    const int error = errno;
    if (n < 0 && Retry(error)) continue;
    if (n < 0 && WouldBlock(error)) return progress;
    Fail(to, n < 0 ? error : EPIPE);
    return true;
  }
  if (!d.first.empty()) {  // written: free it
    d.first = {};
    d.first_written = 0;
  }
  while (d.held() > 0) {
    ssize_t n;
    if (d.copying && d.in_pipe == 0) {
      n = send(fd, d.buffer.data() + d.buffer_start, d.buffer_end - d.buffer_start, MSG_DONTWAIT | MSG_NOSIGNAL);
    } else {
      // Bytes spliced before a fallback to copying leave the pipe first.
      n = splice(d.pipe_read, nullptr, fd, nullptr, d.in_pipe, kSpliceFlags);
    }
    if (n > 0) {
      if (d.copying && d.in_pipe == 0) {
        d.buffer_start += size_t(n);
        if (d.buffer_start == d.buffer_end) d.buffer_start = d.buffer_end = 0;
      } else {
        d.in_pipe -= size_t(n);
      }
      observer_.OnDelivered(to, size_t(n));
      progress = true;
      continue;
    }
    const int error = errno;
    if (n < 0 && Retry(error)) continue;
    if (n < 0 && WouldBlock(error)) return progress;
    Fail(to, n < 0 ? error : EPIPE);
    return true;
  }
  if (d.close_requested) {
    // Everything read before the close is written: now FIN (DATA_FIN).
    shutdown(fd, SHUT_WR);
    d.shut = true;
    progress = true;
  }
  return progress;
}

void Relay::Fail(Side side, int error) {
  CloseSide(side, /*abortive=*/false);  // already reset or timed out
  DropDirection(to(side));
  observer_.OnError(side, error);
}

void Relay::CloseSide(Side side, bool abortive) {
  Socket& s = sides_[int(side)].socket;
  if (abortive) s.Abort(loop_);
  else s.Close(loop_);
}

void Relay::DropDirection(Direction& d) {
  // Its receiver is gone: what it holds can never be delivered.
  d.first.clear();
  d.first_written = 0;
  d.buffer_start = d.buffer_end = 0;
  if (d.in_pipe > 0 && d.pipe_read >= 0) {
    // Empty the pipe so that it no longer pins the socket buffers' pages.
    char sink[4096];
    while (d.in_pipe > 0) {
      const ssize_t n = read(d.pipe_read, sink, std::min(sizeof(sink), d.in_pipe));
      if (n <= 0) break;
      d.in_pipe -= size_t(n);
    }
    d.in_pipe = 0;
  }
  d.shut = true;
}

void Relay::Settle() {
  // First close the sides whose both directions are over: `side` sent FIN
  // (or nothing more is read from it) and our FIN to it is sent.
  for (int s = 0; s < 2; ++s) {
    const Side side = Side(s);
    if (open(side) && (from(side).eof || from(side).close_requested) && to(side).shut) {
      CloseSide(side, /*abortive=*/false);
    }
  }
  // Then what each open side waits for, which depends on the other's state.
  for (int s = 0; s < 2; ++s) {
    const Side side = Side(s);
    if (!open(side)) continue;
    Direction& out = from(side);
    const Direction& in = to(side);
    if (out.held() > 0 && !out.stalled_on_receiver) ++stalls_;
    out.stalled_on_receiver = out.held() > 0;
    uint32_t events = 0;
    if (!out.eof && !out.close_requested && open(Other(side)) && out.held() == 0) events |= EPOLLIN;
    if (!in.shut && (in.held() > 0 || in.first_written < in.first.size())) events |= EPOLLOUT;
    End& end = sides_[s];
    // After a hang-up the kernel reports EPOLLHUP on every wait: watching a
    // socket with nothing to do for it would spin. It is watched again when
    // there is something to read (the pumps for the other side get there).
    if (end.hung_up && events == 0) {
      loop_.Forget(end.socket.fd());
      continue;
    }
    if (!loop_.Watch(end.socket.fd(), end.token, events).ok()) Fail(side, ENOMEM);
  }
}

}  // namespace hybrid_access
