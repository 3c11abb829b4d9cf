// SPDX-License-Identifier: Apache-2.0
#include "mcp_core/leg_sequence.h"

#include <algorithm>

namespace mcp_core {

const char* SeqClassName(SeqClass c) {
  switch (c) {
    case SeqClass::kExact: return "exact";
    case SeqClass::kInWindow: return "in_window";
    case SeqClass::kOutOfWindow: return "out_of_window";
    case SeqClass::kUnknown: return "unknown";
  }
  return "?";
}

std::optional<uint32_t> LegSequence::Expected(const Side& sender, const Side& receiver) const {
  // The receiver's last acknowledgment is its RCV.NXT; before it sent one,
  // the sender's own position is the best proven point.
  if (receiver.flags & kAcked) return receiver.acked;
  if (sender.flags & kSent) return sender.next;
  return std::nullopt;
}

uint32_t LegSequence::WindowOf(const Side& receiver, const Side& sender) const {
  // RFC 7323 §2.2: the shift applies when both SYNs carried the option, and
  // never to a SYN's own window. Unknown (a SYN not seen): unscaled, the
  // conservative reading (a legitimate signal further out is retransmitted
  // once the receiver's acknowledgments have caught up).
  const bool scaled = (receiver.flags & kScaleOffered) && (sender.flags & kScaleOffered) &&
                      !(receiver.flags & kWindowFromSyn);
  return uint32_t(receiver.window) << (scaled ? receiver.window_scale : 0);
}

SeqClass LegSequence::ClassifyRst(LegSide from, const SegmentView& seg) const {
  const Side& sender = side_[int(from)];
  const Side& receiver = side_[int(Other(from))];
  // RFC 9293 §3.10.7.3: the answer to a SYN is acceptable when its ACK
  // acknowledges the SYN; its sequence number carries nothing then.
  if (!(sender.flags & kSent) && (receiver.flags & kOnlySyn) && seg.ack() &&
      seg.ack_seq == receiver.next) {
    return SeqClass::kExact;
  }
  const auto expected = Expected(sender, receiver);
  if (!expected) return SeqClass::kUnknown;
  if (seg.seq == *expected || ((sender.flags & kSent) && seg.seq == sender.next)) {
    return SeqClass::kExact;
  }
  if (seg.seq - *expected < WindowOf(receiver, sender)) return SeqClass::kInWindow;
  return SeqClass::kOutOfWindow;
}

SeqClass LegSequence::ClassifyFin(LegSide from, uint32_t fin_seq) const {
  const Side& sender = side_[int(from)];
  const Side& receiver = side_[int(Other(from))];
  const auto expected = Expected(sender, receiver);
  if (!expected) return SeqClass::kUnknown;
  // A retransmitted FIN the receiver already acknowledged sits one before.
  if (fin_seq == *expected || fin_seq + 1 == *expected ||
      ((sender.flags & kSent) && fin_seq == sender.next)) {
    return SeqClass::kExact;
  }
  if (fin_seq - *expected <= WindowOf(receiver, sender)) return SeqClass::kInWindow;
  return SeqClass::kOutOfWindow;
}

bool LegSequence::Learn(LegSide from, const SegmentView& seg,
                        std::optional<uint8_t> syn_window_scale) {
  Side& sender = side_[int(from)];
  const Side& receiver = side_[int(Other(from))];
  if (seg.rst()) return false;  // RFC 5961: a RST is checked, never learned from
  const uint32_t end = seg.seq + uint32_t(seg.payload.size()) + (seg.syn() ? 1 : 0) + (seg.fin() ? 1 : 0);
  // Check everything first; change nothing unless the segment belongs here.
  const uint32_t slack = std::max(WindowOf(receiver, sender), kUnknownWindowSlack);
  auto near = [slack](uint32_t a, uint32_t b) { return (SeqAfter(a, b) ? a - b : b - a) <= slack; };
  if (seg.syn()) {
    // One SYN per side: another sequence number is not this connection's.
    if ((sender.flags & kSynSeen) && end != sender.next && seg.seq + 1 != sender.next) return false;
  } else if (sender.flags & kSent) {
    // Near the side's position: a retransmission, or what follows a segment
    // the core was not fed. Further away is not this connection's.
    if (!near(seg.seq, sender.next)) return false;
  } else if (const auto expected = Expected(sender, receiver); expected && !near(seg.seq, *expected)) {
    return false;  // the first from this side, far from what the other side acknowledged
  }
  // An acknowledgment never goes past what the other side sent.
  if (seg.ack() && (receiver.flags & kSent) && SeqAfter(seg.ack_seq, receiver.next)) return false;

  if (seg.syn() && !(sender.flags & kSynSeen)) {
    sender.flags |= kSynSeen | kOnlySyn;
    if (syn_window_scale) {
      sender.flags |= kScaleOffered;
      sender.window_scale = std::min<uint8_t>(*syn_window_scale, 14);  // RFC 7323 §2.3
    }
  }
  if (seg.ack()) {  // never backwards
    if (!(sender.flags & kAcked) || SeqAfter(seg.ack_seq, sender.acked)) sender.acked = seg.ack_seq;
    sender.flags |= kAcked;
  }
  if (!(sender.flags & kSent) || SeqAfter(end, sender.next)) sender.next = end;
  sender.flags |= kSent;
  if (!seg.syn()) sender.flags &= uint8_t(~kOnlySyn);
  sender.window = seg.window;
  sender.flags = seg.syn() ? uint8_t(sender.flags | kWindowFromSyn) : uint8_t(sender.flags & ~kWindowFromSyn);
  return true;
}

}  // namespace mcp_core
