// SPDX-License-Identifier: Apache-2.0
// A frame's capture time and tcpdump's -t styles for printing it, e.g.
// "00:45:13.593273" (default), "1795308313.593273" (-tt), " 00:00:00.000015"
// (-ttt, since the previous frame: tcpdump puts a space or '-' first).
//
//   TimestampFormatter ts(TimestampStyle::kTimeOfDay);
//   ts.Next({header->ts.tv_sec, header->ts.tv_usec});  // every frame, in order
//   ts.Append(out);
#ifndef EXAMPLES_MPTCP_DECODE_FRAME_TIME_H_
#define EXAMPLES_MPTCP_DECODE_FRAME_TIME_H_

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <ctime>
#include <string>

#include "examples/mptcp_decode/json_object.h"

namespace mptcp_decode {

// Seconds and microseconds since the epoch (pcap's timeval, microsecond
// precision as tcpdump reads captures by default).
struct FrameTime {
  int64_t sec = 0;
  int32_t usec = 0;
  int64_t Micros() const { return sec * 1000000 + usec; }
  // A capture file's record may hold any 32-bit microseconds value: carried
  // into the seconds so usec is 0..999999 (seconds kept within +-2^40, so
  // Micros() cannot overflow).
  FrameTime Normalized() const {
    constexpr int64_t kLimit = int64_t{1} << 40;
    int64_t s = std::clamp<int64_t>(sec, -kLimit, kLimit) + usec / 1000000;
    int32_t u = usec % 1000000;
    if (u < 0) {
      u += 1000000;
      --s;
    }
    return {s, u};
  }
};

// tcpdump's -t options: none (-t), time of day (default), epoch (-tt),
// since the previous frame (-ttt), date and time (-tttt), since the first
// frame (-ttttt). Time of day and date are local time (TZ).
enum class TimestampStyle : uint8_t {
  kNone,
  kTimeOfDay,
  kEpoch,
  kSincePrevious,
  kDateTime,
  kSinceFirst,
};

// Appends "1795308313.593273": the JSON records' "time" and -tt. `t` is
// normalized (FrameTime::Normalized); before 1970 it is "-0.500000".
inline void AppendEpoch(std::string& out, FrameTime t) {
  const int64_t m = t.Micros();
  const uint64_t a = m < 0 ? 0 - static_cast<uint64_t>(m) : static_cast<uint64_t>(m);
  if (m < 0) out += '-';
  AppendUnsigned(out, a / 1000000);
  out += '.';
  AppendUnsignedPadded(out, a % 1000000, 6);
}

class TimestampFormatter {
 public:
  explicit TimestampFormatter(TimestampStyle style) : style_(style) {}

  TimestampStyle style() const { return style_; }

  // The next frame's time. Every frame counts (also those that print
  // nothing), so the deltas are tcpdump's, whose every frame prints.
  void Next(FrameTime time) {
    const FrameTime t = time.Normalized();
    previous_ = frames_ == 0 ? t : current_;
    if (frames_ == 0) first_ = t;
    current_ = t;
    ++frames_;
  }

  FrameTime current() const { return current_; }

  // Appends the current frame's time in the style; nothing for kNone.
  void Append(std::string& out) {
    switch (style_) {
      case TimestampStyle::kNone: return;
      case TimestampStyle::kEpoch: AppendEpoch(out, current_); return;
      case TimestampStyle::kTimeOfDay:
      case TimestampStyle::kDateTime:
        if (current_.sec != cached_sec_ || cached_.empty()) Cache();
        out += cached_;
        out += '.';
        AppendUnsignedPadded(out, static_cast<uint64_t>(current_.usec), 6);
        return;
      case TimestampStyle::kSincePrevious: AppendDelta(out, current_.Micros() - previous_.Micros()); return;
      case TimestampStyle::kSinceFirst: AppendDelta(out, current_.Micros() - first_.Micros()); return;
    }
  }

 private:
  // localtime_r only when the second changes: most frames share it.
  void Cache() {
    cached_sec_ = current_.sec;
    const time_t sec = static_cast<time_t>(current_.sec);
    tm local{};
    char buf[64];
    const char* format = style_ == TimestampStyle::kDateTime ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S";
    if (localtime_r(&sec, &local) == nullptr || strftime(buf, sizeof(buf), format, &local) == 0) {
      std::snprintf(buf, sizeof(buf), "%" PRId64, current_.sec);  // out of tm's range
    }
    cached_ = buf;
  }

  // tcpdump's delta form: ' ' or '-', then hours (two digits or more),
  // minutes, seconds and microseconds.
  static void AppendDelta(std::string& out, int64_t micros) {
    const char sign = micros < 0 ? '-' : ' ';
    const uint64_t m = micros < 0 ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
    const uint64_t s = m / 1000000;
    AppendF(out, "%c%02" PRIu64 ":%02u:%02u.%06u", sign, s / 3600, unsigned(s / 60 % 60),
            unsigned(s % 60), unsigned(m % 1000000));
  }

  TimestampStyle style_;
  FrameTime first_, previous_, current_;
  uint64_t frames_ = 0;
  int64_t cached_sec_ = 0;
  std::string cached_;
};

}  // namespace mptcp_decode

#endif  // EXAMPLES_MPTCP_DECODE_FRAME_TIME_H_
