// SPDX-License-Identifier: Apache-2.0
// A leg's sequence space as the segments fed to the core show it, so that a
// teardown signal (RST, FIN, the segment carrying DATA_FIN or MP_FASTCLOSE)
// changes a pair's state only when it falls where the receiver expects it.
// The rules are RFC 5961 §3 (blind RST: exact, in-window, outside) and the
// segment acceptability test of RFC 9293 §3.10.7.4, applied on path as Linux
// conntrack does: the core sees both directions, so what one side
// acknowledged tells where the other side's RST must sit.
//
//   LegSequence& s = pair.sequence[leg];
//   switch (s.ClassifyRst(from, seg)) {
//     case SeqClass::kExact: Teardown(); break;          // RFC 5961 §3.2 (1)
//     case SeqClass::kInWindow: ChallengeAck(); break;   // §3.2 (2)
//     default: DropAndCount();                           // outside, or unproven
//   }
//   if (accepted) s.Learn(from, seg, syn_window_scale);
//
// Nothing here trusts a segment it has not checked: a side's position moves
// only with segments near it, acknowledgments never move backwards nor past
// what the other side sent, and a RST never teaches anything.
#ifndef MCP_CORE_LEG_SEQUENCE_H_
#define MCP_CORE_LEG_SEQUENCE_H_

#include <cstdint>
#include <optional>

#include "mcp_core/segment.h"

namespace mcp_core {

// Where a sequence number falls for the side that receives it.
enum class SeqClass : uint8_t {
  kExact,        // at the receiver's next expected octet (or the sender's own next)
  kInWindow,     // inside the receiver's window, not exact
  kOutOfWindow,  // anywhere else
  kUnknown,      // nothing proven about this direction yet: treated as outside
};
const char* SeqClassName(SeqClass c);

// RFC 1982 serial arithmetic on 32-bit sequence numbers.
inline bool SeqBefore(uint32_t a, uint32_t b) { return int32_t(a - b) < 0; }
inline bool SeqAfter(uint32_t a, uint32_t b) { return SeqBefore(b, a); }

// The two endpoints of a leg: kTupleSource sends segments whose tuple equals
// the leg's tuple (pair.up or pair.down), kTupleDestination sends the reversed.
enum class LegSide : uint8_t { kTupleSource = 0, kTupleDestination = 1 };
inline LegSide Other(LegSide s) { return LegSide(1 - int(s)); }

class LegSequence {
 public:
  // Slack for a side's position before the other side has advertised a
  // window (the largest unscaled window).
  static constexpr uint32_t kUnknownWindowSlack = 65535;

  // Where `seg` (a RST from `from`) falls. A RST answering a SYN is exact when
  // it acknowledges that SYN and its sender has sent nothing else (RFC 9293
  // §3.10.7.3, SYN-SENT: the RST's own sequence number is not known there).
  SeqClass ClassifyRst(LegSide from, const SegmentView& seg) const;

  // The FIN octet of a segment from `from` sits at `fin_seq` (its sequence
  // number plus its payload length). Acceptable when at or inside the
  // receiver's window, or the octet the receiver already acknowledged.
  // Also used for the segment carrying DATA_FIN or MP_FASTCLOSE.
  SeqClass ClassifyFin(LegSide from, uint32_t fin_seq) const;

  // A non-RST segment from `from`. Moves that side's position when the
  // segment is near it (or is the first seen from that side); otherwise it
  // changes nothing and returns false. `syn_window_scale`: the window scale
  // option of a SYN (nullopt: none or not a SYN).
  bool Learn(LegSide from, const SegmentView& seg, std::optional<uint8_t> syn_window_scale);

  // Whether anything was learned from `side` (for tests and diagnostics).
  bool Known(LegSide side) const { return side_[int(side)].flags & kSent; }

 private:
  enum Flags : uint8_t {
    kSent = 1 << 0,         // `next` holds the side's position
    kAcked = 1 << 1,        // `acked` holds its last acknowledgment
    kSynSeen = 1 << 2,      // its SYN was seen (the window scale is known)
    kScaleOffered = 1 << 3, // ... and carried a window scale option
    kWindowFromSyn = 1 << 4,  // `window` came from a SYN (never scaled)
    kOnlySyn = 1 << 5,      // it has sent its SYN and nothing else
  };
  // What one endpoint has sent, as far as accepted segments show it. 12
  // bytes: a pair holds two legs of two sides.
  struct Side {
    uint32_t next = 0;    // after the last octet it sent (SND.NXT as seen)
    uint32_t acked = 0;   // its last acknowledgment (its RCV.NXT as seen)
    uint16_t window = 0;  // its last advertised window, as on the wire
    uint8_t window_scale = 0;
    uint8_t flags = 0;
  };

  // Where the receiver expects the sender's next octet, if anything is known.
  std::optional<uint32_t> Expected(const Side& sender, const Side& receiver) const;
  // The receiver's window in octets; 0 before it advertised one.
  uint32_t WindowOf(const Side& receiver, const Side& sender) const;

  Side side_[2];
};

}  // namespace mcp_core

#endif  // MCP_CORE_LEG_SEQUENCE_H_
