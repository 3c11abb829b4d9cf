// SPDX-License-Identifier: Apache-2.0
// Properties of connection_tracker_fuzzer: mptcp-decode's ConnectionTracker
// (examples/mptcp_decode/connection_tracker.h) fed segments the way
// capture_decoder.cc feeds it: per segment, VersionFor() first, then every
// MPTCP option of the area decoded under that version and passed to
// Observe().
//
// Input: a header byte, then steps until the input ends.
//   header & 0x80   replay the whole step sequence (the memory check below):
//                   up to kReplayPasses times, fewer for long sequences;
//                   otherwise once
//   step byte s, s % 8:
//     0-4  a noise segment: tuple byte, TCP flags byte, 1-4 options (s >> 3),
//          each an MP_CAPABLE, MP_JOIN SYN, SYN/ACK or ACK, ADD_ADDR (v1 or v0
//          layout) or raw option-area bytes. Tuples come from a small universe
//          (2 hosts per family, 4 ports) so connections and subflows actually
//          form, or from an earlier script's two subflows, or (tuple byte
//          0xFF) universe hosts with explicit ports (the kernel_* seeds replay
//          real option areas this way). Keys, tokens and
//          nonces come from small pools (tokens derived from pool keys, HMACs
//          computed from pool keys and nonces, rightly or not) or raw bytes.
//     5-7  a scripted connection on fresh ports: the MP_CAPABLE handshake
//          (v0 or v1), an MP_JOIN subflow opened by the client or the server,
//          before or after the keys were seen (capture order), and an
//          ADD_ADDR (RFC 8684 HMAC or a historical Linux variant, with or
//          without port) on either subflow from either side, optionally with
//          one HMAC corrupted; parameters from 12 input bytes.
//
// Checked:
//  * no crash, no sanitizer report;
//  * every Observe() result has the shape its option allows (MP_JOIN SYN:
//    token_known set, no HMAC result; SYN/ACK, ACK and ADD_ADDR with HMAC: a
//    result other than kNotApplicable; matching_variant only on kInvalid
//    ADD_ADDR; the rest: nothing), and the summary counters move exactly as
//    that result says;
//  * soundness: kValid (and a matching ADD_ADDR variant) only for an HMAC
//    that is right for two keys seen in MP_CAPABLE options, the version, and
//    the nonces seen on that subflow; token_known only for a token of a seen
//    key (checked while at most kSoundnessMaxKeys keys were seen);
//  * completeness, on the scripted connections (first pass): the options
//    decode back to what was sent (ADD_ADDR needs the connection's version
//    from VersionFor, on both subflows), the join's token is known when the
//    keys came first, every HMAC verifies, a corrupted one fails, and a
//    historical ADD_ADDR variant is named;
//  * bounded memory: replaying the same steps must not grow the heap beyond
//    a slack per distinct key and flow (a tracker must not grow with the
//    number of segments when the connections, keys and tuples do not).
//    CONNECTION_TRACKER_FUZZER_NO_MEMORY_CHECK=1 in the environment skips
//    only this check (finding F3, see README.md).
#ifndef MPTCP_OPTS_FUZZ_CONNECTION_TRACKER_CHECKS_H_
#define MPTCP_OPTS_FUZZ_CONNECTION_TRACKER_CHECKS_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <variant>

#include "examples/mptcp_decode/connection_tracker.h"
#include "fuzz/decoder_fuzz_common.h"
#include "mptcp_opts/capture/packet_dissector.h"
#include "mptcp_opts/crypto.h"
#include "mptcp_opts/ip_address.h"
#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/tcp_option_walker.h"

namespace mptcp_decode::fuzz {

namespace tracker_fuzz {

namespace mo = mptcp_opts;
using mo::capture::TcpSegmentView;

// The memory check replays the steps up to kReplayPasses times, as many as
// keep the Observe() calls of all passes within kReplayObserveBudget.
inline constexpr int kReplayPasses = 128;
inline constexpr size_t kReplayObserveBudget = 512;
// Heap the tracker may still gain after the first pass, in total and per
// distinct key and flow (a token, subflow or connection record each).
inline constexpr size_t kMemorySlack = 4096;
inline constexpr size_t kMemorySlackPerItem = 256;

// The soundness checks search every pair of seen keys; with more, they are
// skipped for speed (the kernel_* seeds carry 8).
inline constexpr size_t kSoundnessMaxKeys = 8;

inline constexpr uint64_t kKeys[4] = {0x0102030405060708, 0x1112131415161718,
                                      0xA1B2C3D4E5F60718, 0x8000000000000001};
inline constexpr uint32_t kNonces[4] = {0x01020304, 0x05060708, 0xCAFEBABE, 0};
inline constexpr uint16_t kPorts[4] = {443, 8080, 40000, 40001};
inline constexpr uint16_t kScriptServerPort = 5000;
inline constexpr uint16_t kScriptFirstClientPort = 20000;

inline mo::IpAddress Host(bool v6, int index) {
  if (!v6) return index == 0 ? mo::IpAddress::V4(192, 0, 2, 1) : mo::IpAddress::V4(198, 51, 100, 2);
  uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8};
  b[15] = static_cast<uint8_t>(index + 1);
  return mo::IpAddress::FromV6Bytes(b);
}

inline mo::MptcpVersion Version(bool v0) { return v0 ? mo::MptcpVersion::kV0 : mo::MptcpVersion::kV1; }

struct Endpoint {
  mo::IpAddress address;
  uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// A flow as the tracker keys it: the two endpoints, in either direction.
struct FlowId {
  Endpoint a, b;
  bool Matches(const Endpoint& x, const Endpoint& y) const {
    return (a == x && b == y) || (a == y && b == x);
  }
};

// Keys seen in MP_CAPABLE options (with their tokens), for the soundness
// checks. Fixed size: the memory check needs a harness that does not allocate.
class KeySet {
 public:
  static constexpr size_t kCapacity = 12;
  void Add(uint64_t key) {
    for (size_t i = 0; i < size_; ++i) {
      if (keys_[i] == key) return;
    }
    if (size_ == kCapacity) {
      overflow_ = true;
      return;
    }
    keys_[size_] = key;
    tokens_[size_][0] = mo::Token(key, mo::MptcpVersion::kV0);
    tokens_[size_][1] = mo::Token(key, mo::MptcpVersion::kV1);
    ++size_;
  }
  bool Contains(uint64_t key) const {
    return overflow_ || std::find(keys_.begin(), keys_.begin() + size_, key) != keys_.begin() + size_;
  }
  // Whether every seen key is listed (the soundness checks need all of them).
  bool complete() const { return !overflow_; }
  size_t size() const { return size_; }
  uint64_t operator[](size_t i) const { return keys_[i]; }
  bool IsTokenOfSeenKey(uint32_t token) const {
    for (size_t i = 0; i < size_; ++i) {
      if (tokens_[i][0] == token || tokens_[i][1] == token) return true;
    }
    return false;
  }

 private:
  std::array<uint64_t, kCapacity> keys_{};
  std::array<std::array<uint32_t, 2>, kCapacity> tokens_{};
  size_t size_ = 0;
  bool overflow_ = false;
};

// Per flow: the nonce of the last MP_JOIN SYN and of the last SYN/ACK after it.
class FlowTable {
 public:
  static constexpr size_t kCapacity = 96;
  struct Entry {
    FlowId id;
    std::optional<uint32_t> syn_nonce;
    std::optional<uint32_t> synack_nonce;
  };
  // nullptr when the table is full.
  Entry* Find(const Endpoint& x, const Endpoint& y) {
    for (size_t i = 0; i < size_; ++i) {
      if (entries_[i].id.Matches(x, y)) return &entries_[i];
    }
    if (size_ == kCapacity) return nullptr;
    entries_[size_] = Entry{FlowId{x, y}, {}, {}};
    return &entries_[size_++];
  }
  size_t size() const { return size_; }

 private:
  std::array<Entry, kCapacity> entries_{};
  size_t size_ = 0;
};

struct Observation {
  mo::MptcpOption option;
  Verification verification;
};

// Up to 13 MPTCP options fit in a 40-byte area.
struct Observations {
  std::array<Observation, 16> items;
  size_t size = 0;
};

inline bool SummaryEqual(const TrackerSummary& a, const TrackerSummary& b) {
  return a.connections == b.connections && a.subflows == b.subflows &&
         a.hmacs_verified == b.hmacs_verified && a.hmacs_failed == b.hmacs_failed &&
         a.hmacs_unverifiable == b.hmacs_unverifiable && a.tokens_known == b.tokens_known &&
         a.tokens_unknown == b.tokens_unknown;
}

inline bool IsEmpty(const Verification& v) {
  return v.result == HmacResult::kNotApplicable && !v.matching_variant && !v.token_known;
}

class TrackerHarness {
 public:
  void Run(std::span<const uint8_t> input) {
    Reader header(input);
    const uint8_t flags = header.U8();
    const auto program = input.subspan(input.empty() ? 0 : 1);
    Pass(program, true);
    if (!(flags & 0x80) || observes_ == 0) return;
    const size_t passes = std::clamp<size_t>(kReplayObserveBudget / observes_, 2, kReplayPasses);
    const size_t after_first = LiveHeapBytes();
    for (size_t pass = 1; pass < passes; ++pass) Pass(program, false);
    if (std::getenv("CONNECTION_TRACKER_FUZZER_NO_MEMORY_CHECK") == nullptr) {
      const size_t items = keys_.size() + flows_.size();
      const size_t now = LiveHeapBytes();
      DECODER_FUZZ_CHECK(now <= after_first + kMemorySlack + kMemorySlackPerItem * items);
    }
  }

  ConnectionTracker& tracker() { return tracker_; }

 private:
  void Pass(std::span<const uint8_t> program, bool first) {
    Reader r(program);
    scripts_ = 0;
    while (!r.empty()) {
      const uint8_t step = r.U8();
      if (step % 8 < 5) {
        NoiseSegment(r, 1 + (step >> 3) % 4);
      } else {
        Script(r, first);
      }
    }
  }

  // --- Segments -----------------------------------------------------------

  static TcpSegmentView View(const Endpoint& src, const Endpoint& dst, uint8_t flags,
                             std::span<const uint8_t> options) {
    TcpSegmentView s;
    s.ip_version = src.address.is_v4() ? 4 : 6;
    s.src = src.address;
    s.dst = dst.address;
    s.src_port = src.port;
    s.dst_port = dst.port;
    s.flags = flags;
    s.options = options;
    return s;
  }

  // As CaptureDecoder::DecodeSegment: the version first, then every MPTCP
  // option that decodes, in order. Checks each result's shape and counters.
  void Feed(const TcpSegmentView& seg, Observations& out) {
    out.size = 0;
    mo::CodecConfig config;
    config.version = tracker_.VersionFor(seg);
    mo::TcpOptionWalker walker(seg.options);
    for (mo::TcpOption o; walker.Next(o);) {
      if (o.kind != mo::kKindMptcp) continue;
      DECODER_FUZZ_CHECK(out.size < out.items.size());
      Observation& ob = out.items[out.size];
      if (mo::DecodeMptcpOption(o.bytes, config, ob.option) != mo::DecodeStatus::kOk) continue;
      Record(seg, ob.option);
      const TrackerSummary before = tracker_.summary();
      ob.verification = tracker_.Observe(seg, ob.option);
      ++observes_;
      CheckShape(seg, ob.option, ob.verification, before, tracker_.summary());
      ++out.size;
    }
  }

  // What the harness must know for the soundness checks, recorded before
  // Observe() sees the option.
  void Record(const TcpSegmentView& seg, const mo::MptcpOption& option) {
    if (auto* cap = std::get_if<mo::MpCapable>(&option)) {
      if (cap->sender_key) keys_.Add(*cap->sender_key);
      if (cap->receiver_key) keys_.Add(*cap->receiver_key);
    }
    FlowTable::Entry* e = flows_.Find({seg.src, seg.src_port}, {seg.dst, seg.dst_port});
    if (e == nullptr) {
      flows_full_ = true;
      return;
    }
    if (auto* syn = std::get_if<mo::MpJoinSyn>(&option)) {
      e->syn_nonce = syn->nonce;
      e->synack_nonce.reset();
    } else if (auto* sa = std::get_if<mo::MpJoinSynAck>(&option)) {
      if (e->syn_nonce) e->synack_nonce = sa->nonce;
    }
  }

  void CheckShape(const TcpSegmentView& seg, const mo::MptcpOption& option,
                  const Verification& v, const TrackerSummary& b, const TrackerSummary& a) {
    const bool soundness = keys_.complete() && !flows_full_ && keys_.size() <= kSoundnessMaxKeys;
    const uint32_t d_conn = a.connections - b.connections;
    const uint32_t d_sub = a.subflows - b.subflows;
    const uint32_t d_ok = a.hmacs_verified - b.hmacs_verified;
    const uint32_t d_bad = a.hmacs_failed - b.hmacs_failed;
    const uint32_t d_unv = a.hmacs_unverifiable - b.hmacs_unverifiable;
    const uint32_t d_known = a.tokens_known - b.tokens_known;
    const uint32_t d_unknown = a.tokens_unknown - b.tokens_unknown;
    auto hmac_counted = [&] {
      DECODER_FUZZ_CHECK(d_conn == 0 && d_sub == 0 && d_known == 0 && d_unknown == 0);
      DECODER_FUZZ_CHECK(d_ok == (v.result == HmacResult::kValid));
      DECODER_FUZZ_CHECK(d_bad == (v.result == HmacResult::kInvalid));
      DECODER_FUZZ_CHECK(d_unv == (v.result == HmacResult::kUnverifiable));
      DECODER_FUZZ_CHECK(v.result != HmacResult::kNotApplicable);
      DECODER_FUZZ_CHECK(!v.token_known);
    };
    const FlowTable::Entry* flow =
        flows_full_ ? nullptr : flows_.Find({seg.src, seg.src_port}, {seg.dst, seg.dst_port});
    if (std::holds_alternative<mo::MpCapable>(option)) {
      DECODER_FUZZ_CHECK(IsEmpty(v));
      DECODER_FUZZ_CHECK(d_conn <= 1 && d_sub == d_conn);
      DECODER_FUZZ_CHECK(d_ok == 0 && d_bad == 0 && d_unv == 0 && d_known == 0 && d_unknown == 0);
    } else if (auto* syn = std::get_if<mo::MpJoinSyn>(&option)) {
      DECODER_FUZZ_CHECK(v.result == HmacResult::kNotApplicable && !v.matching_variant);
      DECODER_FUZZ_CHECK(v.token_known.has_value());
      DECODER_FUZZ_CHECK(d_known == (*v.token_known ? 1u : 0u));
      DECODER_FUZZ_CHECK(d_unknown == (*v.token_known ? 0u : 1u));
      DECODER_FUZZ_CHECK(d_conn == 0 && d_sub <= 1 && d_ok == 0 && d_bad == 0 && d_unv == 0);
      if (*v.token_known && soundness) DECODER_FUZZ_CHECK(keys_.IsTokenOfSeenKey(syn->token));
    } else if (auto* sa = std::get_if<mo::MpJoinSynAck>(&option)) {
      hmac_counted();
      DECODER_FUZZ_CHECK(!v.matching_variant);
      if (v.result == HmacResult::kValid && soundness) {
        DECODER_FUZZ_CHECK(flow != nullptr && flow->syn_nonce);
        DECODER_FUZZ_CHECK(SomeKeysGive(sa->truncated_hmac, [&](mo::MptcpVersion ver, uint64_t x,
                                                                 uint64_t y) {
          return mo::JoinSynAckTruncatedHmac(ver, x, y, sa->nonce, *flow->syn_nonce) ==
                 sa->truncated_hmac;
        }));
      }
    } else if (auto* ack = std::get_if<mo::MpJoinAck>(&option)) {
      hmac_counted();
      DECODER_FUZZ_CHECK(!v.matching_variant);
      if (v.result == HmacResult::kValid && soundness) {
        DECODER_FUZZ_CHECK(flow != nullptr && flow->syn_nonce && flow->synack_nonce);
        uint64_t id = 0;
        std::memcpy(&id, ack->hmac.data(), sizeof(id));
        DECODER_FUZZ_CHECK(SomeKeysGive(id, [&](mo::MptcpVersion ver, uint64_t x, uint64_t y) {
          return mo::JoinAckHmac(ver, x, y, *flow->syn_nonce, *flow->synack_nonce) == ack->hmac;
        }));
      }
    } else if (auto* add = std::get_if<mo::AddAddr>(&option); add && add->truncated_hmac) {
      hmac_counted();
      if (v.matching_variant) DECODER_FUZZ_CHECK(v.result == HmacResult::kInvalid);
      if (soundness && (v.result == HmacResult::kValid || v.matching_variant)) {
        const auto variant = v.matching_variant.value_or(mo::AddAddrHmacVariant::kRfc8684);
        DECODER_FUZZ_CHECK(SomeKeysGive(*add->truncated_hmac ^ uint64_t(variant),
                                        [&](mo::MptcpVersion ver, uint64_t x, uint64_t y) {
          return ver == mo::MptcpVersion::kV1 &&
                 mo::AddAddrHmac(x, y, add->address_id, add->address, add->port, variant) ==
                     *add->truncated_hmac;
        }));
      }
    } else {
      // Options without a token or an HMAC (DSS, echoed or v0 ADD_ADDR, ...).
      DECODER_FUZZ_CHECK(IsEmpty(v));
      DECODER_FUZZ_CHECK(SummaryEqual(a, b));
    }
  }

  // Whether `fits(version, x, y)` holds for some pair of seen keys. `id`
  // (the HMAC's first 64 bits) caches a success: the search costs up to
  // 2 * kSoundnessMaxKeys^2 HMACs.
  template <typename Fits>
  bool SomeKeysGive(uint64_t id, const Fits& fits) {
    if (std::find(sound_.begin(), sound_.begin() + sound_size_, id) != sound_.begin() + sound_size_) {
      return true;
    }
    for (auto ver : {mo::MptcpVersion::kV0, mo::MptcpVersion::kV1}) {
      for (size_t i = 0; i < keys_.size(); ++i) {
        for (size_t j = 0; j < keys_.size(); ++j) {
          if (!fits(ver, keys_[i], keys_[j])) continue;
          if (sound_size_ < sound_.size()) sound_[sound_size_++] = id;
          return true;
        }
      }
    }
    return false;
  }

  // --- Noise ----------------------------------------------------------------

  void Tuple(Reader& r, Endpoint& src, Endpoint& dst) {
    const uint8_t t = r.U8();
    if (t == 0xFF) {  // explicit: hosts from the universe, any ports
      const uint8_t h = r.U8();
      src.address = Host(h & 1, (h >> 1) & 1);
      dst.address = Host(h & 1, (h >> 2) & 1);
      src.port = r.U16();
      dst.port = r.U16();
      return;
    }
    if ((t & 0x80) && scripts_ > 0) {
      const int script = (t & 0x1F) % scripts_;
      ScriptTuple(script, (t & 0x20) != 0, script_v6_[script % script_v6_.size()], src, dst);
      if (t & 0x40) std::swap(src, dst);
      return;
    }
    const bool v6 = t & 1;
    src = {Host(v6, (t >> 1) & 1), kPorts[(t >> 3) & 3]};
    dst = {Host(v6, (t >> 2) & 1), kPorts[(t >> 5) & 3]};
  }

  static void ScriptTuple(int script, bool second, bool v6, Endpoint& client, Endpoint& server) {
    client = {Host(v6, 0),
              static_cast<uint16_t>(kScriptFirstClientPort + 2 * script + (second ? 1 : 0))};
    server = {Host(v6, 1), kScriptServerPort};
  }

  static uint64_t PickKey(Reader& r) {
    const uint8_t b = r.U8();
    return b >= 0xF0 ? r.U64() : kKeys[b & 3];
  }
  static uint32_t PickNonce(Reader& r) {
    const uint8_t b = r.U8();
    return (b & 0x80) ? r.U32() : kNonces[b & 3];
  }

  // One option from the input into `out`; returns its size (0: none).
  static size_t NoiseOption(Reader& r, std::span<uint8_t> out) {
    const uint8_t kind = r.U8();
    mo::MptcpOption option;
    switch (kind % 8) {
      case 0: {  // MP_CAPABLE
        mo::MpCapable c;
        c.version = (kind & 0x08) ? 0 : 1;
        c.flags = r.U8();
        const int keys = (kind >> 4) & 3;
        if (keys >= 1) c.sender_key = PickKey(r);
        if (keys >= 2) c.receiver_key = PickKey(r);
        if (keys == 3 && c.version == 1) c.data_level_length = r.U16();
        option = c;
        break;
      }
      case 1: {  // MP_JOIN SYN
        mo::MpJoinSyn j;
        j.backup = kind & 0x08;
        j.address_id = r.U8();
        const uint8_t t = r.U8();
        j.token = (t & 0x80) ? r.U32() : mo::Token(kKeys[t & 3], Version(t & 4));
        j.nonce = PickNonce(r);
        option = j;
        break;
      }
      case 2: {  // MP_JOIN SYN/ACK
        mo::MpJoinSynAck j;
        j.backup = kind & 0x08;
        j.address_id = r.U8();
        j.nonce = PickNonce(r);
        const uint8_t h = r.U8();
        if (h & 0x80) {
          j.truncated_hmac = r.U64();
        } else {
          const uint32_t peer_nonce = PickNonce(r);
          j.truncated_hmac = mo::JoinSynAckTruncatedHmac(Version(h & 0x40), kKeys[h & 3],
                                                         kKeys[(h >> 2) & 3], j.nonce, peer_nonce);
        }
        option = j;
        break;
      }
      case 3: {  // MP_JOIN ACK
        mo::MpJoinAck j;
        const uint8_t h = r.U8();
        if (h & 0x80) {
          const auto raw = r.Bytes(20);
          std::copy(raw.begin(), raw.end(), j.hmac.begin());
        } else {
          const uint32_t own = PickNonce(r);
          const uint32_t peer = PickNonce(r);
          j.hmac = mo::JoinAckHmac(Version(h & 0x40), kKeys[h & 3], kKeys[(h >> 2) & 3], own, peer);
        }
        option = j;
        break;
      }
      case 4:
      case 5: {  // ADD_ADDR, v1 or v0 layout
        mo::AddAddr a;
        a.version = Version(kind % 8 == 5);
        a.address_id = r.U8();
        const uint8_t f = r.U8();
        a.address = (f & 1) ? Host(true, (f >> 1) & 1) : Host(false, (f >> 1) & 1);
        if (f & 4) a.port = r.U16();
        if (a.version == mo::MptcpVersion::kV1) {
          a.echo = f & 8;
          if (!a.echo && (f & 0x40)) {
            a.truncated_hmac = r.U64();
          } else if (!a.echo) {
            const auto variant = static_cast<mo::AddAddrHmacVariant>(((f >> 4) & 3) % 3);
            const uint64_t sender_key = PickKey(r);
            const uint64_t receiver_key = PickKey(r);
            a.truncated_hmac = mo::AddAddrHmac(sender_key, receiver_key, a.address_id, a.address,
                                               a.port, variant);
          }
        }
        option = a;
        break;
      }
      default: {  // raw bytes, as many as the input says (any options, NOP, EOL)
        const auto raw = r.Bytes(std::min<size_t>(r.U8() % 41, out.size()));
        std::copy(raw.begin(), raw.end(), out.begin());
        return raw.size();
      }
    }
    size_t written = 0;
    if (mo::Encode(option, out, written) != mo::EncodeStatus::kOk) return 0;
    return written;
  }

  void NoiseSegment(Reader& r, int options) {
    Endpoint src, dst;
    Tuple(r, src, dst);
    const uint8_t flags = r.U8();
    std::array<uint8_t, mo::kMaxOptionAreaBytes> area{};
    size_t used = 0;
    for (int i = 0; i < options; ++i) {
      std::array<uint8_t, 64> one{};
      const size_t n = NoiseOption(r, one);
      if (n > area.size() - used) continue;  // does not fit: dropped
      std::copy(one.begin(), one.begin() + n, area.begin() + used);
      used += n;
    }
    Observations obs;
    Feed(View(src, dst, flags, std::span<const uint8_t>(area.data(), used)), obs);
  }

  // --- Scripted connections ------------------------------------------------

  // Sends `option` alone in a segment; returns its one observation, checking
  // that it decoded back to what was sent (when `check`).
  const Observation* Send(const Endpoint& src, const Endpoint& dst, uint8_t flags,
                          const mo::MptcpOption& option, bool check, Observations& obs) {
    std::array<uint8_t, mo::kMaxOptionAreaBytes> area{};
    size_t written = 0;
    if (mo::Encode(option, area, written) != mo::EncodeStatus::kOk) {
      CheckFailed("scripted option does not encode", __FILE__, __LINE__);
    }
    Feed(View(src, dst, flags, std::span<const uint8_t>(area.data(), written)), obs);
    if (!check) return obs.size == 1 ? &obs.items[0] : nullptr;
    DECODER_FUZZ_CHECK(obs.size == 1);
    DECODER_FUZZ_CHECK(obs.items[0].option == option);
    return &obs.items[0];
  }

  void Script(Reader& r, bool first_pass) {
    namespace cap = mo::capture;
    const uint8_t p0 = r.U8();
    const uint8_t p1 = r.U8();
    const uint32_t joiner_nonce = r.U32();
    const uint32_t responder_nonce = r.U32();
    const uint8_t add_id = r.U8();
    const uint8_t add_host = r.U8();
    const int index = scripts_++;
    const bool v0 = p0 & 0x01;
    const bool server_joins = p0 & 0x02;
    const bool join_first = p0 & 0x04;
    const int add_variant = (p0 >> 3) & 3;  // 0-2: AddAddrHmacVariant, 3: no ADD_ADDR
    const bool add_port = p0 & 0x20;
    const bool add_on_join = p0 & 0x40;
    const bool add_from_server = p0 & 0x80;
    const int corrupt = p1 & 7;  // 5: SYN/ACK, 6: ACK, 7: ADD_ADDR HMAC
    const bool v6 = p1 & 0x80;
    uint64_t client_key = kKeys[(p1 >> 3) & 3];
    uint64_t server_key = kKeys[(p1 >> 5) & 3];
    if (join_first) {
      // The join's token must not name an earlier connection: keys no
      // segment carried before.
      client_key = 0x5C00000000000000 | (uint64_t{p1} << 32) | uint64_t(index) << 1;
      server_key = client_key | 1;
    }
    script_v6_[index % script_v6_.size()] = v6;
    // Completeness is checked on the first pass, for fresh keys when the
    // join comes first.
    const bool check = first_pass && (!join_first || (!keys_.Contains(client_key) &&
                                                       !keys_.Contains(server_key)));
    const mo::MptcpVersion version = Version(v0);

    Endpoint client, server, join_client, join_server;
    ScriptTuple(index, false, v6, client, server);
    ScriptTuple(index, true, v6, join_client, join_server);
    const Endpoint& joiner = server_joins ? join_server : join_client;
    const Endpoint& responder = server_joins ? join_client : join_server;
    const uint64_t joiner_key = server_joins ? server_key : client_key;
    const uint64_t responder_key = server_joins ? client_key : server_key;
    const uint8_t kSyn = cap::kTcpFlagSyn, kAck = cap::kTcpFlagAck;
    Observations obs;

    mo::MpJoinSyn join_syn;
    join_syn.token = mo::Token(responder_key, version);
    join_syn.nonce = joiner_nonce;
    auto send_join_syn = [&](bool keys_seen) {
      const Observation* o = Send(joiner, responder, kSyn, join_syn, check, obs);
      if (check) DECODER_FUZZ_CHECK(o->verification.token_known == keys_seen);
    };
    if (join_first) send_join_syn(false);

    // The initial subflow's handshake (RFC 8684 §3.1; RFC 6824 for v0).
    mo::MpCapable syn, syn_ack, ack;
    syn.version = syn_ack.version = ack.version = v0 ? 0 : 1;
    if (v0) syn.sender_key = client_key;
    syn_ack.sender_key = server_key;
    ack.sender_key = client_key;
    ack.receiver_key = server_key;
    Send(client, server, kSyn, syn, check, obs);
    Send(server, client, kSyn | kAck, syn_ack, check, obs);
    Send(client, server, kAck, ack, check, obs);
    if (check) {
      DECODER_FUZZ_CHECK(tracker_.VersionFor(View(client, server, kAck, {})) == version);
    }
    if (!join_first) send_join_syn(true);

    // The join (RFC 8684 §3.2).
    mo::MpJoinSynAck join_syn_ack;
    join_syn_ack.nonce = responder_nonce;
    join_syn_ack.truncated_hmac = mo::JoinSynAckTruncatedHmac(version, responder_key, joiner_key,
                                                              responder_nonce, joiner_nonce);
    if (corrupt == 5) join_syn_ack.truncated_hmac ^= 1;
    const Observation* o = Send(responder, joiner, kSyn | kAck, join_syn_ack, check, obs);
    if (check) {
      DECODER_FUZZ_CHECK(o->verification.result ==
                         (corrupt == 5 ? HmacResult::kInvalid : HmacResult::kValid));
    }
    mo::MpJoinAck join_ack;
    join_ack.hmac = mo::JoinAckHmac(version, joiner_key, responder_key, joiner_nonce,
                                    responder_nonce);
    if (corrupt == 6) join_ack.hmac[19] ^= 1;
    o = Send(joiner, responder, kAck, join_ack, check, obs);
    if (check) {
      DECODER_FUZZ_CHECK(o->verification.result ==
                         (corrupt == 6 ? HmacResult::kInvalid : HmacResult::kValid));
      DECODER_FUZZ_CHECK(tracker_.VersionFor(View(joiner, responder, kAck, {})) == version);
    }

    // An address announcement (RFC 8684 §3.4.1; v0 has no HMAC).
    if (add_variant == 3) return;
    const Endpoint& c_end = add_on_join ? join_client : client;
    const Endpoint& s_end = add_on_join ? join_server : server;
    const Endpoint& sender = add_from_server ? s_end : c_end;
    const Endpoint& receiver = add_from_server ? c_end : s_end;
    mo::AddAddr add;
    add.version = version;
    add.address_id = add_id;
    add.address = mo::IpAddress::V4(203, 0, 113, add_host);
    if (add_port) add.port = static_cast<uint16_t>(0x1F90 + add_host);
    const auto variant = static_cast<mo::AddAddrHmacVariant>(add_variant);
    if (!v0) {
      add.truncated_hmac =
          mo::AddAddrHmac(add_from_server ? server_key : client_key,
                          add_from_server ? client_key : server_key, add_id, add.address,
                          add.port, variant);
      if (corrupt == 7) *add.truncated_hmac ^= 1;
    }
    o = Send(sender, receiver, kAck, add, check, obs);
    if (!check) return;
    const Verification& v = o->verification;
    if (v0) {
      DECODER_FUZZ_CHECK(IsEmpty(v));
    } else if (corrupt == 7) {
      DECODER_FUZZ_CHECK(v.result == HmacResult::kInvalid && !v.matching_variant);
    } else if (variant == mo::AddAddrHmacVariant::kRfc8684 ||
               (variant == mo::AddAddrHmacVariant::kLinuxPortAlwaysZero && !add.port)) {
      DECODER_FUZZ_CHECK(v.result == HmacResult::kValid && !v.matching_variant);
    } else {
      DECODER_FUZZ_CHECK(v.result == HmacResult::kInvalid && v.matching_variant == variant);
    }
  }

  ConnectionTracker tracker_;
  KeySet keys_;
  FlowTable flows_;
  bool flows_full_ = false;
  int scripts_ = 0;
  size_t observes_ = 0;
  // HMAC values already found sound (replays see the same ones again).
  std::array<uint64_t, 64> sound_{};
  size_t sound_size_ = 0;
  std::array<bool, 256> script_v6_{};
};

}  // namespace tracker_fuzz

inline void CheckConnectionTrackerInput(std::span<const uint8_t> input) {
  // On the heap: the harness's fixed tables take a few KB.
  const auto harness = std::make_unique<tracker_fuzz::TrackerHarness>();
  harness->Run(input);
}

}  // namespace mptcp_decode::fuzz

#endif  // MPTCP_OPTS_FUZZ_CONNECTION_TRACKER_CHECKS_H_
