// SPDX-License-Identifier: Apache-2.0
// Time for the sans-I/O core: the embedder passes `now` in with every call;
// the core never reads a clock. Nanoseconds on the embedder's monotonic clock.
//
//   mcp_core::Instant now = mcp_core::Instant::FromNanos(clock_gettime_ns());
//   converter.HandleTimeouts(now);
//   mcp_core::Instant wake = converter.NextDeadline().value_or(Instant::Infinite());
#ifndef MCP_CORE_TIME_H_
#define MCP_CORE_TIME_H_

#include <compare>
#include <cstdint>
#include <limits>

namespace mcp_core {

class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration Nanos(int64_t n) { return Duration(n); }
  static constexpr Duration Millis(int64_t n) { return Duration(n * 1000000); }
  static constexpr Duration Seconds(int64_t n) { return Duration(n * 1000000000); }
  constexpr int64_t nanos() const { return ns_; }
  friend constexpr auto operator<=>(Duration, Duration) = default;

 private:
  constexpr explicit Duration(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

class Instant {
 public:
  constexpr Instant() = default;
  static constexpr Instant FromNanos(int64_t ns) { return Instant(ns); }
  static constexpr Instant Infinite() { return Instant(std::numeric_limits<int64_t>::max()); }
  constexpr int64_t nanos() const { return ns_; }
  friend constexpr Instant operator+(Instant t, Duration d) {
    // Saturate: a huge lifetime must not wrap into the past.
    if (d.nanos() > 0 && t.ns_ > std::numeric_limits<int64_t>::max() - d.nanos()) return Infinite();
    return Instant(t.ns_ + d.nanos());
  }
  friend constexpr Duration operator-(Instant a, Instant b) { return Duration::Nanos(a.ns_ - b.ns_); }
  friend constexpr auto operator<=>(Instant, Instant) = default;

 private:
  constexpr explicit Instant(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

}  // namespace mcp_core

#endif  // MCP_CORE_TIME_H_
