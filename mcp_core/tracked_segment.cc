// SPDX-License-Identifier: Apache-2.0
// PairMachine::OnSegment: a segment on a tracked leg. It refreshes the pair
// and, for pairs fed by segments, turns RST, FIN, DATA_FIN and MP_FASTCLOSE
// into LegSignals once they prove themselves: in the leg's window (RFC 5961
// §3 for RST, RFC 9293 §3.10.7.4 for the others) and, for MP_FASTCLOSE, well
// formed with the receiver's key when the core saw it. A signal that does not
// prove itself changes nothing: the segment is dropped and counted. An MPTCP
// leg ends with DATA_FIN or MP_FASTCLOSE, not with one subflow's FIN or RST
// (RFC 8684 §3.3.3, §3.5).
#include "mcp_core/pair_machine.h"
#include "mptcp_opts/mptcp_option.h"

namespace mcp_core {
namespace {

namespace mo = mptcp_opts;

// What the MPTCP options of a segment on an MPTCP leg signal, in one pass
// over the segment's one option parse.
struct MptcpSignals {
  const mo::MptcpOptionEntry* fastclose = nullptr;  // the first MP_FASTCLOSE, decoded or not
  bool data_fin = false;                            // a decoded DSS with DATA_FIN
  bool prefer_proxy = false;                        // D10: meaningless here
  const mo::MpCapable* keys = nullptr;              // a decoded MP_CAPABLE carrying a key
};

MptcpSignals ScanMptcpSignals(const mo::SegmentOptions& parsed, std::span<const uint8_t> area) {
  MptcpSignals out;
  for (const mo::MptcpOptionEntry& e : parsed.mptcp_options()) {
    if (e.status != mo::DecodeStatus::kOk) {
      // Recognised by its subtype alone, so that a malformed one is counted.
      const auto bytes = mo::SegmentOptions::BytesOf(e, area);
      if (!out.fastclose && bytes.size() >= 3 && mo::SubtypeOf(bytes) == uint8_t(mo::Subtype::kMpFastclose)) {
        out.fastclose = &e;
      }
    } else if (const auto* dss = std::get_if<mo::Dss>(&e.value)) {
      out.data_fin |= dss->data_fin;
    } else if (std::holds_alternative<mo::MpFastclose>(e.value)) {
      if (!out.fastclose) out.fastclose = &e;
    } else if (const auto* capable = std::get_if<mo::MpCapable>(&e.value)) {
      if (capable->sender_key || capable->receiver_key) out.keys = capable;
    } else if (std::holds_alternative<mo::MpPreferProxy>(e.value)) {
      out.prefer_proxy = true;
    }
  }
  return out;
}

}  // namespace

Verdict PairMachine::OnSegment(Instant now, FlowId id, Pair& p, Leg leg, const SegmentView& seg) {
  const Verdict forward{Verdict::kForward, id, leg};
  const Verdict drop{Verdict::kDrop, id, leg};
  const bool mptcp = p.transport(leg) == Transport::kMptcp;
  const LegSide from = flows_.SameWay(id, leg, seg.tuple) ? LegSide::kTupleSource : LegSide::kTupleDestination;
  LegSequence& sequence = p.sequence[int(leg)];
  // The one option parse, where options can matter: MPTCP legs and SYNs.
  const bool parsed = !seg.options.empty() && (mptcp || seg.syn());
  if (parsed) (void)mo::ParseSegmentOptions(seg.options, codec_, parsed_);

  const SeqClass position = seg.rst() ? sequence.ClassifyRst(from, seg)
                                      : sequence.ClassifyFin(from, seg.seq + uint32_t(seg.payload.size()));
  const bool in_window = position == SeqClass::kExact || position == SeqClass::kInWindow;
  const MptcpSignals signals = mptcp && parsed ? ScanMptcpSignals(parsed_, seg.options) : MptcpSignals{};
  if (signals.prefer_proxy) out_.Emit(EventKind::kPreferProxyIgnored, id);  // D10
  auto signal = [&](LegSignal::Kind kind) {
    if (auto input = InputFor(p, leg, LegSignal{kind})) Apply(now, id, p, *input);
  };
  if (signals.fastclose) {
    if (!FastCloseProves(id, p, leg, from, *signals.fastclose, in_window)) return drop;
    p.last_activity_ns = now.nanos();
    signal(LegSignal::kFastClose);
    return forward;
  }
  if (seg.rst()) {
    switch (position) {
      case SeqClass::kExact:
        p.last_activity_ns = now.nanos();
        // A subflow's RST does not end an MPTCP connection.
        if (!mptcp) signal(LegSignal::kReset);
        return forward;
      case SeqClass::kInWindow:
        ChallengeRst(now, id, p, leg, seg);
        return drop;
      case SeqClass::kOutOfWindow:
      case SeqClass::kUnknown:
        out_.Emit(EventKind::kRstOutOfWindow, id, uint8_t(position));
        return drop;
    }
  }
  // FIN on a TCP leg, DATA_FIN on an MPTCP leg: graceful closes, when in window.
  const bool close = mptcp ? signals.data_fin : seg.fin();
  if (close && !in_window) {
    out_.Emit(mptcp ? EventKind::kDataFinOutOfWindow : EventKind::kFinOutOfWindow, id, uint8_t(position));
    return drop;
  }
  const std::optional<uint8_t> window_scale =
      parsed && seg.syn() && parsed_.has(mo::SegmentOptions::kWindowScale)
          ? std::optional<uint8_t>(parsed_.effective_window_scale())
          : std::nullopt;
  // Only a segment near the leg's sequence space refreshes the pair: one
  // from anywhere else cannot keep a pair alive.
  if (!sequence.Learn(from, seg, window_scale) && !close) return forward;
  p.last_activity_ns = now.nanos();
  if (signals.keys) LearnKeys(p, leg, from, *signals.keys);
  if (close) signal(LegSignal::kFin);
  return forward;
}

bool PairMachine::FastCloseProves(FlowId id, Pair& p, Leg leg, LegSide from, const mo::MptcpOptionEntry& option,
                                  bool in_window) {
  const auto* fastclose = std::get_if<mo::MpFastclose>(&option.value);
  const LegKeys* keys = p.phase.keys(/*create=*/false);
  const std::optional<uint64_t>* receiver_key = keys ? &keys[int(leg)].key[int(Other(from))] : nullptr;
  FastCloseRejection why;
  if (option.status != mo::DecodeStatus::kOk || !fastclose) {
    why = FastCloseRejection::kMalformed;
  } else if (!in_window) {
    why = FastCloseRejection::kOutOfWindow;
  } else if (receiver_key && *receiver_key && **receiver_key != fastclose->receiver_key) {
    why = FastCloseRejection::kKeyMismatch;  // RFC 8684 §3.5: the receiver's key
  } else {
    return true;
  }
  out_.Emit(EventKind::kFastCloseRejected, id, uint8_t(why));
  return false;
}

// MP_CAPABLE carries the sender's key (SYN in v0, SYN/ACK) and both keys
// (the third ACK, RFC 8684 §3.1). The first key seen for a side stays: the
// segment carrying it was already held to the leg's window.
void PairMachine::LearnKeys(Pair& p, Leg leg, LegSide from, const mo::MpCapable& capable) {
  LegKeys* all = p.phase.keys(/*create=*/true);
  if (!all) return;
  LegKeys& keys = all[int(leg)];
  auto& sender = keys.key[int(from)];
  auto& receiver = keys.key[int(Other(from))];
  if (!sender && capable.sender_key) sender = capable.sender_key;
  if (!receiver && capable.receiver_key) receiver = capable.receiver_key;
}

// An in-window RST: a challenge ACK, within config challenge_acks_per_second
// (RFC 5961 §7); past it the RST is ignored and counted.
void PairMachine::ChallengeRst(Instant now, FlowId id, const Pair& p, Leg leg, const SegmentView& seg) {
  const int64_t second = now.nanos() / 1000000000;
  if (second != challenge_second_) {
    challenge_second_ = second;
    challenges_this_second_ = 0;
  }
  if (challenges_this_second_ >= config_.challenge_acks_per_second) {
    out_.Emit(EventKind::kRstInWindowIgnored, id);
    return;
  }
  ++challenges_this_second_;
  Action a;
  a.kind = Action::kChallengeAck;
  a.flow = id;
  a.leg = leg;
  a.transport = p.transport(leg);
  a.tuple = seg.tuple.Reversed();  // to the RST's sender
  out_.Push(std::move(a));
  out_.Emit(EventKind::kRstChallenged, id);
}

}  // namespace mcp_core
