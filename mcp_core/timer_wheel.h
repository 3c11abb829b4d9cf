// SPDX-License-Identifier: Apache-2.0
// The pairs' deadlines: a hierarchical timing wheel with intrusive links.
//
// A million pairs each hold one deadline (setup, retry or idle). A balanced
// tree of (deadline, id) cost ~23 bytes a pair and two O(log n) updates per
// SYN; here a deadline costs the 8 bytes of links inside the pair and O(1)
// to arm or cancel. Entries are named by the flow table's slot index; the
// wheel reads each entry's deadline and links through `Store`:
//
//   struct Store {
//     TimerLinks& Links(uint32_t index);
//     int64_t Deadline(uint32_t index) const;   // nanoseconds, set before Link
//   };
//
// Layout: time in ticks of 2^20 ns (~1.05 ms); six levels of 64 slots, level
// L holding the entries whose tick shares the 2^(6(L+1))-tick block of the
// wheel's base but not its 2^(6L) block, so every level-0 entry is earlier
// than every level-1 entry, and so on (the classic cascading wheel, as in
// Varghese and Lauck's scheme 6 and Linux's pre-4.8 timers). Entries past
// 2^36 ticks (~2.3 years; Instant::Infinite) wait in one overflow list. Each
// level's occupancy is a 64-bit mask, so Expire and NextDeadline jump over
// empty slots instead of stepping through time.
//
// Exactness: Expire fires an entry only once its own deadline is <= now (not
// its tick's); NextDeadline is a lower bound of the earliest deadline, exact
// unless a cancelled entry was its slot's earliest, and never <= the `now`
// of the last Expire unless something is due (no wake-up loop).
#ifndef MCP_CORE_TIMER_WHEEL_H_
#define MCP_CORE_TIMER_WHEEL_H_

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <optional>

namespace mcp_core {

struct TimerLinks {
  static constexpr uint32_t kNone = 0xFFFFFFFFu;   // unlinked (prev) / end of list (next)
  static constexpr uint32_t kHead = 0x80000000u;   // prev of a slot's first entry: kHead | slot
  uint32_t next = kNone;
  uint32_t prev = kNone;
  bool linked() const { return prev != kNone; }
};

template <typename Store>
class TimerWheel {
 public:
  // Slot indexes (and kHead-tagged slot numbers) must stay below kHead.
  static constexpr uint32_t kMaxEntries = TimerLinks::kHead;

  explicit TimerWheel(Store store) : store_(store) {
    std::fill_n(head_, kParking + 1, TimerLinks::kNone);
  }

  uint32_t size() const { return size_; }

  // Arms entry `i` at its Store::Deadline. It must not be linked. `now_ns`:
  // the caller's present, so that an idle wheel starts from it.
  void Link(uint32_t i, int64_t now_ns) {
    if (size_ == 0) base_ = std::max(base_, TickOf(now_ns));
    ++size_;
    Place(i);
  }

  // Cancels entry `i` if it is armed.
  void Unlink(uint32_t i) {
    TimerLinks& l = store_.Links(i);
    if (!l.linked()) return;
    --size_;
    Remove(i, l);
  }

  // Fires every armed entry whose deadline is <= now: unlinks it, then calls
  // fire(i), which may arm or cancel entries (itself included).
  template <typename Fire>
  void Expire(int64_t now_ns, Fire&& fire) {
    const uint64_t n = TickOf(now_ns);
    base_floor_ = std::max(base_floor_, n);
    while (size_ > 0) {
      const Next e = NextEvent();
      if (e.tick > n) break;
      base_ = e.tick;
      Cascade();
      if (e.level == 0 || HasLevel0(e.tick)) FireSlot(uint32_t(e.tick & kMask), now_ns, fire);
      if (e.tick == n) break;
    }
    base_ = std::max(base_, n);
  }

  // A lower bound of the earliest armed deadline (see the header comment);
  // nullopt when nothing is armed.
  std::optional<int64_t> NextDeadline() const {
    if (size_ == 0) return std::nullopt;
    const Next e = NextEvent();
    // An overdue entry sits in the base's slot with a deadline before the
    // slot's start; elsewhere a cancelled slot minimum may be stale, and the
    // slot's start is the better bound (it moves once Expire reaches it).
    if (e.tick <= base_floor_) return min_[e.slot];
    return std::max(min_[e.slot], NanosOf(e.tick));
  }

 private:
  static constexpr int kTickShift = 20;
  static constexpr int kBits = 6;
  static constexpr uint32_t kSlots = 1u << kBits;
  static constexpr uint64_t kMask = kSlots - 1;
  static constexpr int kLevels = 6;
  static constexpr uint32_t kOverflow = kLevels * kSlots;  // the one slot past the levels
  static constexpr uint32_t kParking = kOverflow + 1;       // FireSlot's not-yet-due entries

  // Ticks as unsigned numbers in the order of the signed nanoseconds.
  static uint64_t TickOf(int64_t ns) { return (uint64_t(ns) ^ (uint64_t{1} << 63)) >> kTickShift; }
  static int64_t NanosOf(uint64_t tick) {
    return int64_t((tick << kTickShift) ^ (uint64_t{1} << 63));
  }

  uint32_t SlotFor(uint64_t tick) const {
    tick = std::max(tick, base_);  // overdue: the current slot
    const uint64_t diff = tick ^ base_;
    for (int level = 0; level < kLevels; ++level) {
      if ((diff >> (kBits * (level + 1))) == 0) {
        return uint32_t(level) * kSlots + uint32_t((tick >> (kBits * level)) & kMask);
      }
    }
    return kOverflow;
  }

  void Place(uint32_t i) {
    TimerLinks& l = store_.Links(i);
    const int64_t deadline = store_.Deadline(i);
    const uint32_t s = SlotFor(TickOf(deadline));
    min_[s] = head_[s] == TimerLinks::kNone ? deadline : std::min(min_[s], deadline);
    Push(s, i, l);
    if (s < kOverflow) occupied_[s / kSlots] |= uint64_t{1} << (s % kSlots);
  }

  void Push(uint32_t s, uint32_t i, TimerLinks& l) {
    const uint32_t old = head_[s];
    l.prev = TimerLinks::kHead | s;
    l.next = old;
    if (old != TimerLinks::kNone) store_.Links(old).prev = i;
    head_[s] = i;
  }

  void Remove(uint32_t i, TimerLinks& l) {
    if (l.next != TimerLinks::kNone) store_.Links(l.next).prev = l.prev;
    if (l.prev & TimerLinks::kHead) {
      const uint32_t s = l.prev & ~TimerLinks::kHead;
      head_[s] = l.next;
      if (l.next == TimerLinks::kNone && s < kOverflow) {
        occupied_[s / kSlots] &= ~(uint64_t{1} << (s % kSlots));
      }
    } else {
      store_.Links(l.prev).next = l.next;
    }
    l.next = l.prev = TimerLinks::kNone;
  }

  // Takes slot s's whole list out of the wheel and places each entry again
  // (relative to the base as it is now).
  void Replace(uint32_t s) {
    uint32_t i = head_[s];
    head_[s] = TimerLinks::kNone;
    if (s < kOverflow) occupied_[s / kSlots] &= ~(uint64_t{1} << (s % kSlots));
    while (i != TimerLinks::kNone) {
      TimerLinks& l = store_.Links(i);
      const uint32_t next = l.next;
      l.next = l.prev = TimerLinks::kNone;
      Place(i);
      i = next;
    }
  }

  struct Next {
    uint64_t tick;  // the earliest tick at which something happens: a firing or a cascade
    uint32_t slot;
    int level;
  };
  // The earliest non-empty slot: at level 0 the first at or after the base's
  // tick, at level L the first after the base's own slot (which is always
  // empty: entering it cascaded it), else the overflow at the next 2^36
  // block. Levels are ordered, so the lowest non-empty level holds it.
  Next NextEvent() const {
    for (int level = 0; level < kLevels; ++level) {
      const int shift = kBits * level;
      const uint32_t current = uint32_t((base_ >> shift) & kMask);
      const uint64_t from = level == 0 ? current : current + 1;
      if (from >= kSlots) continue;
      const uint64_t pending = occupied_[level] & (~uint64_t{0} << from);
      if (pending == 0) continue;
      const uint32_t index = uint32_t(std::countr_zero(pending));
      const uint64_t block = base_ >> (shift + kBits) << (shift + kBits);
      return {block + (uint64_t(index) << shift), uint32_t(level) * kSlots + index, level};
    }
    const int top = kBits * kLevels;
    return {((base_ >> top) + 1) << top, kOverflow, kLevels};
  }

  bool HasLevel0(uint64_t tick) const { return occupied_[0] >> (tick & kMask) & 1; }

  // The base has just moved to the start of a slot: that slot (at each level
  // where the base sits on a slot boundary, highest first) moves down.
  void Cascade() {
    for (int level = kLevels; level >= 1; --level) {
      const int shift = kBits * level;
      if (base_ & ((uint64_t{1} << shift) - 1)) continue;
      Replace(level == kLevels ? kOverflow : uint32_t(level) * kSlots + uint32_t((base_ >> shift) & kMask));
    }
  }

  // Fires level-0 slot `index`'s due entries; the others (due later in the
  // same tick) go back, which also makes the slot's minimum exact.
  // (Parked entries stay linked, in the parking list, so fire() may cancel
  // any of them.)
  template <typename Fire>
  void FireSlot(uint32_t index, int64_t now_ns, Fire& fire) {
    while (head_[index] != TimerLinks::kNone) {
      const uint32_t i = head_[index];
      TimerLinks& l = store_.Links(i);
      Remove(i, l);
      if (store_.Deadline(i) <= now_ns) {
        --size_;
        fire(i);
      } else {
        Push(kParking, i, l);
      }
    }
    Replace(kParking);
  }

  Store store_;
  uint64_t base_ = 0;        // every entry with an earlier tick has fired
  uint64_t base_floor_ = 0;  // the tick of the latest Expire's now
  uint32_t size_ = 0;
  uint64_t occupied_[kLevels] = {};
  uint32_t head_[kParking + 1];
  int64_t min_[kOverflow + 1] = {};  // a lower bound of each non-empty slot's deadlines
};

}  // namespace mcp_core

#endif  // MCP_CORE_TIMER_WHEEL_H_
