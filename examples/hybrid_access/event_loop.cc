// SPDX-License-Identifier: Apache-2.0
#include "examples/hybrid_access/event_loop.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace hybrid_access {

EventLoop::EventLoop() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {}

EventLoop::~EventLoop() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

absl::Status EventLoop::Watch(int fd, uint64_t token, uint32_t events) {
  if (fd < 0) return absl::InvalidArgumentError("EventLoop::Watch: negative fd");
  if (size_t(fd) >= table_.size()) table_.resize(size_t(fd) + 1);
  Interest& in = table_[fd];
  if (in.watched && in.token == token && in.events == events) return absl::OkStatus();
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  int op = in.watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  int rc = epoll_ctl(epoll_fd_, op, fd, &ev);
  // The table can be stale only if an fd was closed without Forget; heal it.
  if (rc < 0 && errno == ENOENT && op == EPOLL_CTL_MOD) rc = epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  if (rc < 0 && errno == EEXIST && op == EPOLL_CTL_ADD) rc = epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
  if (rc < 0) return absl::InternalError(absl::StrCat("epoll_ctl(fd ", fd, "): ", std::strerror(errno)));
  in = {true, token, events};
  return absl::OkStatus();
}

void EventLoop::Forget(int fd) {
  if (!watched(fd)) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  table_[fd] = {};
}

int EventLoop::Wait(std::span<epoll_event> out, int timeout_ms) {
  for (;;) {
    const int n = epoll_wait(epoll_fd_, out.data(), static_cast<int>(out.size()), timeout_ms);
    if (n >= 0 || errno != EINTR) return n;
  }
}

}  // namespace hybrid_access
