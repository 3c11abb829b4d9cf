// SPDX-License-Identifier: Apache-2.0
// The daemons' one epoll instance, level-triggered. Callers say what each fd
// should be watched for (Watch) whenever that changes; the loop remembers
// what it last told the kernel, so an unchanged interest costs no syscall.
// Tokens name what an fd belongs to (the daemon packs a connection id and a
// side into one): events for an fd closed earlier in the same batch carry a
// token that no longer resolves, and are dropped by the caller.
//
//   EventLoop loop;
//   loop.Watch(fd, token, EPOLLIN);   // EPOLLERR and EPOLLHUP are implied
//   epoll_event events[64];
//   for (int i = 0, n = loop.Wait(events, -1); i < n; ++i) Dispatch(events[i]);
//   loop.Forget(fd);                  // before close(fd)
#ifndef EXAMPLES_HYBRID_ACCESS_EVENT_LOOP_H_
#define EXAMPLES_HYBRID_ACCESS_EVENT_LOOP_H_

#include <sys/epoll.h>

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"

namespace hybrid_access {

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  bool ok() const { return epoll_fd_ >= 0; }
  // Watches `fd` for `events` (0: only errors and hang-ups), reporting
  // `token`. Adds, modifies, or does nothing when nothing changed.
  absl::Status Watch(int fd, uint64_t token, uint32_t events);
  // Stops watching `fd`; call before closing it (its number may be reused).
  void Forget(int fd);
  bool watched(int fd) const { return fd >= 0 && size_t(fd) < table_.size() && table_[fd].watched; }
  // epoll_wait; timeout_ms < 0 blocks. Retries on EINTR with the same timeout.
  int Wait(std::span<epoll_event> out, int timeout_ms);

 private:
  struct Interest {
    bool watched = false;
    uint64_t token = 0;
    uint32_t events = 0;
  };
  int epoll_fd_ = -1;
  std::vector<Interest> table_;  // by fd
};

}  // namespace hybrid_access

#endif  // EXAMPLES_HYBRID_ACCESS_EVENT_LOOP_H_
