// SPDX-License-Identifier: Apache-2.0
// One pass over a segment's TCP option area, as a receiver's per-segment path
// wants it: the standard options a TCP stack keeps (MSS, window scale,
// SACK-permitted, timestamps) and every MPTCP option decoded into a value,
// each with its own status. It walks exactly as TcpOptionWalker does and
// decodes each MPTCP option exactly as DecodeMptcpOption does
// (CheckSegmentOptions in fuzz/fuzz_checks.h holds it to both, in
// tcp_option_walker_fuzzer and fuzz/regression_test); it is faster than
// composing the two because it checks each header once, inlines the subtype
// decoders, and reads Linux's usual 4-byte-aligned option words (NOP NOP TS,
// SACK-perm TS, MSS, NOP WS) with one load and compare.
//
//   mptcp_opts::SegmentOptions opts;
//   if (ParseSegmentOptions(option_area, config, opts) != WalkStatus::kOk) Drop();
//   if (opts.has(SegmentOptions::kTimestamps)) UseTs(opts.tsval, opts.tsecr);
//   for (const auto& e : opts.mptcp_options())
//     if (e.status == DecodeStatus::kOk) std::visit(handler, e.value);
//
// Options of other kinds (SACK blocks, TCP-AO, ...) are walked over, not kept:
// use TcpOptionWalker for them. No allocation; `opts` may be reused for every
// segment (only what a parse sets is written).
#ifndef MPTCP_OPTS_SEGMENT_OPTIONS_H_
#define MPTCP_OPTS_SEGMENT_OPTIONS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/option_header.h"
#include "mptcp_opts/status.h"
#include "mptcp_opts/wire.h"

namespace mptcp_opts {

// One MPTCP option of the area.
struct MptcpOptionEntry {
  uint8_t offset = 0;  // of its Kind byte, from the start of the area
  uint8_t length = 0;  // its Length byte (the option's size in the area)
  // What DecodeMptcpOption returns for these bytes. `value` holds the decoded
  // option when kOk, an unspecified value otherwise.
  DecodeStatus status = DecodeStatus::kOk;
  MptcpOption value;
};

struct SegmentOptions {
  // Bits of `present` and `malformed`.
  static constexpr uint8_t kMss = 0x01;
  static constexpr uint8_t kWindowScale = 0x02;
  static constexpr uint8_t kSackPermitted = 0x04;
  static constexpr uint8_t kTimestamps = 0x08;
  // The most MPTCP options a 40-byte area holds: a 2-byte one walks (and
  // decodes as kTruncated), so 20.
  static constexpr size_t kMaxMptcpOptions = kMaxOptionAreaBytes / 2;

  // Standard options seen with their exact length (MSS 4, window scale 3,
  // SACK-permitted 2, timestamps 10). With another length an option sets its
  // bit in `malformed` instead and its fields keep their previous values, as
  // RFC 9293 asks a receiver to ignore it. A repeated option: the last wins.
  uint8_t present = 0;
  uint8_t malformed = 0;
  uint16_t mss = 0;
  // The shift as sent. RFC 7323 §2.3: a receiver uses min(shift, 14).
  uint8_t window_scale = 0;
  uint32_t tsval = 0;
  uint32_t tsecr = 0;

  // How the walk ended (TcpOptionWalker's status) and where: the offset of
  // the first byte not walked (an EOL, the option in error, or the area size).
  WalkStatus walk = WalkStatus::kOk;
  uint8_t walked = 0;

  // Every MPTCP option before the walk stopped, in area order.
  uint8_t mptcp_count = 0;
  std::array<MptcpOptionEntry, kMaxMptcpOptions> mptcp;

  bool has(uint8_t bit) const { return present & bit; }
  std::span<const MptcpOptionEntry> mptcp_options() const { return {mptcp.data(), mptcp_count}; }
  // The option's bytes; `area` is the span given to ParseSegmentOptions.
  static std::span<const uint8_t> BytesOf(const MptcpOptionEntry& e,
                                          std::span<const uint8_t> area) {
    return area.subspan(e.offset, e.length);
  }
  // Window scale as a receiver applies it.
  uint8_t effective_window_scale() const { return window_scale > 14 ? 14 : window_scale; }
};

// Parses `area` (the bytes after the 20-byte TCP header) into `out` and
// returns out.walk. kAreaTooLong (more than 40 bytes) walks nothing; the
// other errors keep what was parsed before the bad option.
//
// Flattened: the subtype decoders are inlined into this one per-segment
// function. It is bound by the number of instructions and taken branches, so
// the common options come first and fall through: MPTCP, then Linux's
// aligned words, then the byte-wise walk. The bits and the count are updated
// in `out` (keeping them in registers made the compiler spill them and save
// more registers on entry).
[[gnu::flatten]] inline WalkStatus ParseSegmentOptions(std::span<const uint8_t> area,
                                                       const CodecConfig& config,
                                                       SegmentOptions& out) {
  using internal::LoadBe16;
  using internal::LoadBe32;
  out.present = 0;
  out.malformed = 0;
  MptcpOptionEntry* next = out.mptcp.data();  // next free entry
  out.mptcp_count = 0;
  WalkStatus walk = WalkStatus::kOk;
  const uint8_t* const begin = area.data();
  const uint8_t* p = begin;
  const uint8_t* end = begin + area.size();
  if (area.size() > kMaxOptionAreaBytes) [[unlikely]] {
    walk = WalkStatus::kAreaTooLong;
    end = begin;
  }
  auto take_timestamps = [&](const uint8_t* value) {
    out.present |= SegmentOptions::kTimestamps;
    out.tsval = LoadBe32(value);
    out.tsecr = LoadBe32(value + 4);
  };
  // As DecodeMptcpOption on exactly these `len` (>= 2) bytes.
  auto take_mptcp = [&](uint8_t len) {
    MptcpOptionEntry& e = *next;
    ++out.mptcp_count;
    e.offset = static_cast<uint8_t>(p - begin);
    e.length = len;
    if (len < 3) [[unlikely]] {
      e.status = DecodeStatus::kTruncated;
    } else {
      e.status = internal::DecodeMptcpBody(p, len, config, e.value);
    }
    ++next;  // after the decode: `next` and `next + 1` are not both live across it
  };
  using internal::BytesWord;
  while (p < end) {
    const size_t left = static_cast<size_t>(end - p);
    const uint8_t kind = p[0];
    // MPTCP first: the option this parser exists for. A header in error
    // (Length under 3 or past the end) is left to the byte-wise path below.
    if (kind == kKindMptcp) {
      if (left >= 3) [[likely]] {
        const uint8_t len = p[1];
        if (len >= 3 && len <= left) [[likely]] {
          take_mptcp(len);
          p += len;
          continue;
        }
      }
    }
    // Linux's 4-byte-aligned words (net/ipv4/tcp_output.c: NOP NOP TS,
    // SACK-permitted TS, MSS, NOP window scale): one load and compare against
    // the expected bytes decides a whole option (or two), and the walk
    // advances by a constant instead of by a loaded Length. Anything else
    // takes the byte-wise path below, which checks the same Kind and Length.
    if (left >= 4) {
      const uint32_t word = internal::LoadWord32(p);
      if ((word == BytesWord(kKindNop, kKindNop, kKindTimestamps, 10) ||
           word == BytesWord(kKindSackPermitted, 2, kKindTimestamps, 10)) &&
          left >= 12) {
        if (kind == kKindSackPermitted) out.present |= SegmentOptions::kSackPermitted;
        take_timestamps(p + 4);
        p += 12;
        continue;
      }
      if ((word & BytesWord(0xff, 0xff, 0, 0)) == BytesWord(kKindMss, 4, 0, 0)) {
        out.present |= SegmentOptions::kMss;
        out.mss = LoadBe16(p + 2);
        p += 4;
        continue;
      }
      if ((word & BytesWord(0xff, 0xff, 0xff, 0)) == BytesWord(kKindNop, kKindWindowScale, 3, 0)) {
        out.present |= SegmentOptions::kWindowScale;
        out.window_scale = p[3];
        p += 4;
        continue;
      }
    }
    if (kind == kKindNop) {  // a run of NOPs, e.g. the padding after a DSS
      do ++p;
      while (p < end && *p == kKindNop);
      continue;
    }
    if (kind == kKindEol) break;
    if (left < 2) [[unlikely]] {
      walk = WalkStatus::kOptionPastEnd;
      break;
    }
    const uint8_t len = p[1];
    if (len < 2) [[unlikely]] {
      walk = WalkStatus::kBadOptionLength;
      break;
    }
    if (len > left) [[unlikely]] {
      walk = WalkStatus::kOptionPastEnd;
      break;
    }
    if (kind == kKindMptcp) {  // Length 2: an entry with kTruncated, as DecodeMptcpOption says
      take_mptcp(len);
      p += len;
      continue;
    }
    // Four cases: compares, not a jump table whose base would take a
    // register for the whole function.
    switch (kind) {
      case kKindMss:
        if (len == 4) {
          out.present |= SegmentOptions::kMss;
          out.mss = LoadBe16(p + 2);
        } else {
          out.malformed |= SegmentOptions::kMss;
        }
        break;
      case kKindWindowScale:
        if (len == 3) {
          out.present |= SegmentOptions::kWindowScale;
          out.window_scale = p[2];
        } else {
          out.malformed |= SegmentOptions::kWindowScale;
        }
        break;
      case kKindSackPermitted:
        if (len == 2) {
          out.present |= SegmentOptions::kSackPermitted;
        } else {
          out.malformed |= SegmentOptions::kSackPermitted;
        }
        break;
      case kKindTimestamps:
        if (len == 10) {
          take_timestamps(p + 2);
        } else {
          out.malformed |= SegmentOptions::kTimestamps;
        }
        break;
      default:
        break;
    }
    p += len;
  }
  out.walk = walk;
  out.walked = static_cast<uint8_t>(p - begin);
  return walk;
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_SEGMENT_OPTIONS_H_
