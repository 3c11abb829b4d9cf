// SPDX-License-Identifier: Apache-2.0
// The deadline wheel against the contract converter.h promises for
// NextDeadline and HandleTimeouts: an entry fires once its deadline is <= now
// and not before; the announced next deadline is never later than a real
// one; once Expire(now) has run, nothing announced is <= now unless it is due
// (an embedder sleeping until NextDeadline never spins). Checked against a
// plain multimap model under random arming, cancelling and time jumps, from
// nanoseconds to Instant::Infinite.
#include "mcp_core/timer_wheel.h"

#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "gtest/gtest.h"

namespace mcp_core {
namespace {

struct Entries {
  std::vector<TimerLinks> links;
  std::vector<int64_t> deadline;
};

struct Store {
  Entries* e;
  TimerLinks& Links(uint32_t i) { return e->links[i]; }
  int64_t Deadline(uint32_t i) const { return e->deadline[i]; }
};

constexpr int64_t kMs = 1000000;
constexpr int64_t kSecond = 1000 * kMs;
constexpr int64_t kInfinite = std::numeric_limits<int64_t>::max();

class Harness {
 public:
  explicit Harness(uint32_t n) : wheel_(Store{&entries_}) {
    entries_.links.resize(n);
    entries_.deadline.resize(n);
  }
  void Arm(uint32_t i, int64_t deadline, int64_t now) {
    Cancel(i);
    entries_.deadline[i] = deadline;
    wheel_.Link(i, now);
    model_.insert({deadline, i});
  }
  void Cancel(uint32_t i) {
    if (!entries_.links[i].linked()) return;
    wheel_.Unlink(i);
    model_.erase({entries_.deadline[i], i});
  }
  // Expire and return what fired, checking each firing against the model.
  std::set<uint32_t> Expire(int64_t now) {
    std::set<uint32_t> fired;
    wheel_.Expire(now, [&](uint32_t i) {
      EXPECT_LE(entries_.deadline[i], now) << "entry " << i << " fired before its deadline";
      EXPECT_FALSE(entries_.links[i].linked());
      EXPECT_TRUE(fired.insert(i).second) << "entry " << i << " fired twice";
      model_.erase({entries_.deadline[i], i});
    });
    return fired;
  }
  // Every deadline the model still has that is <= now should have fired.
  void CheckNothingDueLeft(int64_t now) {
    if (!model_.empty()) {
      EXPECT_GT(model_.begin()->first, now) << "entry " << model_.begin()->second << " was due but did not fire";
    }
  }
  void CheckNextDeadline(int64_t now_after_expire) {
    const auto next = wheel_.NextDeadline();
    EXPECT_EQ(next.has_value(), !model_.empty());
    EXPECT_EQ(wheel_.size(), model_.size());
    if (!next || model_.empty()) return;
    EXPECT_LE(*next, model_.begin()->first) << "NextDeadline later than a real deadline";
    EXPECT_GT(*next, now_after_expire) << "NextDeadline <= now with nothing due: a wake-up loop";
  }
  TimerWheel<Store>& wheel() { return wheel_; }
  Entries& entries() { return entries_; }

 private:
  Entries entries_;
  TimerWheel<Store> wheel_;
  std::set<std::pair<int64_t, uint32_t>> model_;
};

TEST(TimerWheelTest, OneDeadlineIsAnnouncedExactlyAndFiresAtItNotBefore) {
  Harness h(1);
  const int64_t now = 5 * kSecond;
  h.Arm(0, now + 3 * kSecond + 17, now);
  EXPECT_EQ(h.wheel().NextDeadline(), now + 3 * kSecond + 17);
  EXPECT_TRUE(h.Expire(now + 3 * kSecond + 16).empty());
  EXPECT_EQ(h.wheel().NextDeadline(), now + 3 * kSecond + 17);
  EXPECT_EQ(h.Expire(now + 3 * kSecond + 17), std::set<uint32_t>{0});
  EXPECT_EQ(h.wheel().NextDeadline(), std::nullopt);
}

TEST(TimerWheelTest, EntriesInTheSameMillisecondFireOneByOneAsTheirNanosecondsPass) {
  Harness h(3);
  const int64_t t = 40 * kSecond;
  h.Arm(0, t + 10, 0);
  h.Arm(1, t + 20, 0);
  h.Arm(2, t + 30, 0);
  EXPECT_EQ(h.Expire(t + 15), std::set<uint32_t>{0});
  EXPECT_EQ(h.wheel().NextDeadline(), t + 20);
  EXPECT_EQ(h.Expire(t + 30), (std::set<uint32_t>{1, 2}));
}

TEST(TimerWheelTest, CancelledEntriesNeverFire) {
  Harness h(2);
  h.Arm(0, kSecond, 0);
  h.Arm(1, 2 * kSecond, 0);
  h.Cancel(0);
  EXPECT_EQ(h.Expire(3 * kSecond), std::set<uint32_t>{1});
}

TEST(TimerWheelTest, AnInfiniteDeadlineNeverFiresAndNothingElseIsHeldBack) {
  Harness h(2);
  h.Arm(0, kInfinite, 0);
  h.Arm(1, 7 * kSecond, 0);
  EXPECT_EQ(h.Expire(10 * kSecond), std::set<uint32_t>{1});
  EXPECT_TRUE(h.Expire(kInfinite - 1).empty());
  h.CheckNextDeadline(kInfinite - 1);
}

TEST(TimerWheelTest, ReArmingFromTheCallbackWorksLikeALazyIdleTimer) {
  Harness h(1);
  int fired = 0;
  h.Arm(0, kSecond, 0);
  // As PairMachine::Fired does: the first firing finds activity and re-arms.
  h.wheel().Expire(kSecond, [&](uint32_t i) {
    ++fired;
    h.entries().deadline[i] = 5 * kSecond;
    h.wheel().Link(i, kSecond);
  });
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(h.wheel().NextDeadline(), 5 * kSecond);
  EXPECT_EQ(h.wheel().size(), 1u);
}

TEST(TimerWheelTest, NegativeInstantsAreOrderedLikeTheirNanoseconds) {
  Harness h(2);
  h.Arm(0, -3 * kSecond, -10 * kSecond);
  h.Arm(1, 2 * kSecond, -10 * kSecond);
  EXPECT_EQ(h.wheel().NextDeadline(), -3 * kSecond);
  EXPECT_EQ(h.Expire(0), std::set<uint32_t>{0});
  EXPECT_EQ(h.Expire(2 * kSecond), std::set<uint32_t>{1});
}

// Random arming, cancelling and expiring against the model: deadlines from
// overdue to years and Infinite, time steps from a nanosecond to months.
TEST(TimerWheelTest, MatchesAnOrderedModelUnderRandomUse) {
  constexpr uint32_t kEntries = 300;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed);
    Harness h(kEntries);
    int64_t now = int64_t(rng() % (1000 * kSecond)) - 500 * kSecond;
    auto pick = [&](std::initializer_list<int64_t> spans) {
      const int64_t span = *(spans.begin() + rng() % spans.size());
      return int64_t(rng() % uint64_t(span));
    };
    for (int step = 0; step < 4000; ++step) {
      const uint32_t i = uint32_t(rng() % kEntries);
      switch (rng() % 6) {
        case 0:
        case 1:
        case 2: {
          int64_t deadline;
          switch (rng() % 8) {
            case 0: deadline = now - pick({kMs, kSecond}); break;              // overdue
            case 1: deadline = kInfinite; break;
            case 2: deadline = now + pick({int64_t{3600} * 24 * 365 * 3 * kSecond}); break;
            default: deadline = now + pick({2, kMs, 70 * kMs, 5 * kSecond, 7200 * kSecond}); break;
          }
          h.Arm(i, deadline, now);
          break;
        }
        case 3: h.Cancel(i); break;
        default: {
          now += pick({1, kMs, 100 * kMs, 10 * kSecond, 86400 * kSecond, int64_t{3600} * 24 * 90 * kSecond});
          h.Expire(now);
          h.CheckNothingDueLeft(now);
          h.CheckNextDeadline(now);
          break;
        }
      }
      if (::testing::Test::HasFailure()) {
        ADD_FAILURE() << "seed " << seed << " step " << step;
        return;
      }
    }
  }
}

}  // namespace
}  // namespace mcp_core
