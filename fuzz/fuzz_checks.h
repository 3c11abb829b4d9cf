// SPDX-License-Identifier: Apache-2.0
// Properties the byte-level fuzz targets check, shared by the libFuzzer
// targets (clang, ASan/UBSan, FUZZ_CHECK aborts) and by the corpus replay in
// fuzz/regression_test.cc (gcc, FUZZ_CHECK throws PropertyViolation).
//
// Each Check*() takes the raw fuzz input. Besides "no crash, statuses only",
// each compares the codec with a small reference model written from the RFC
// tables (which status a given Length/flags/version must produce) and checks
// decode -> encode -> decode identity with reserved bits masked (see
// ReservedOf below for exactly which bits a decoder ignores).
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* d, size_t n) {
//     mptcp_opts::fuzz::CheckMpCapableInput({d, n});
//     return 0;
//   }
#ifndef MPTCP_OPTS_FUZZ_FUZZ_CHECKS_H_
#define MPTCP_OPTS_FUZZ_FUZZ_CHECKS_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "fuzz/property_check.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/option_header.h"
#include "mptcp_opts/segment_options.h"
#include "mptcp_opts/status.h"
#include "mptcp_opts/tcp_option_walker.h"
#include "mptcp_opts/wire.h"

namespace mptcp_opts::fuzz {

#if defined(MPTCP_FUZZ_CHECKS_THROW)
using ::mptcp_fuzz::PropertyViolation;
#endif
using ::mptcp_fuzz::CheckFailed;
#define FUZZ_CHECK(cond) MPTCP_FUZZ_CHECK(cond)

using Bytes = std::span<const uint8_t>;

// An exact-size heap copy: under ASan, reading one byte past it is a report.
inline std::vector<uint8_t> Copy(Bytes b) { return std::vector<uint8_t>(b.begin(), b.end()); }

inline bool IsValid(DecodeStatus s) { return s <= DecodeStatus::kBadIpVersion; }
inline bool IsValid(WalkStatus s) { return s <= WalkStatus::kOptionPastEnd; }
inline bool IsValid(IeStatus s) { return s <= IeStatus::kBadAddressClass; }

// ---------------------------------------------------------------------------
// Reserved bits: what a decoder ignores, so re-encoding may differ only there
// (encoders send them as zero). Every MPTCP option has Kind, Length, then the
// subtype nibble; the reserved bits are always in the low nibble of byte 2
// and/or in byte 3:
//   MP_CAPABLE      none (version nibble and all 8 flag bits are kept)
//   MP_JOIN SYN     byte2 0x0e (B is bit 0; byte 3 is the address ID)
//   MP_JOIN SYN/ACK byte2 0x0e
//   MP_JOIN ACK     byte2 0x0f, byte3 0xff (12 reserved bits, RFC 8684 §3.2)
//   DSS             byte2 0x0f, byte3 0xe0 (7 reserved bits before F m M a A)
//   ADD_ADDR v1     byte2 0x0e (E is bit 0); v0 none (IPVer is checked)
//   REMOVE_ADDR     byte2 0x0f
//   MP_PRIO         byte2 0x0e (B is bit 0; v0 byte 3 is the address ID)
//   MP_FAIL         byte2 0x0f, byte3 0xff
//   MP_FASTCLOSE    byte2 0x0f, byte3 0xff
//   MP_TCPRST       none (U V W T are kept, so is the raw reason)
//   MP_PREFER_PROXY byte2 0x0f, byte3 0xff (12 reserved bits, draft §4)
//   unknown subtype none (bytes are kept verbatim)
// ---------------------------------------------------------------------------
struct ReservedBits {
  uint8_t byte2 = 0;
  uint8_t byte3 = 0;
};

struct ReservedOf {
  ReservedBits operator()(const MpCapable&) const { return {}; }
  ReservedBits operator()(const MpJoinSyn&) const { return {0x0e, 0}; }
  ReservedBits operator()(const MpJoinSynAck&) const { return {0x0e, 0}; }
  ReservedBits operator()(const MpJoinAck&) const { return {0x0f, 0xff}; }
  ReservedBits operator()(const MpJoin& j) const { return std::visit(*this, j); }
  ReservedBits operator()(const Dss&) const { return {0x0f, 0xe0}; }
  ReservedBits operator()(const AddAddr& a) const {
    return {uint8_t(a.version == MptcpVersion::kV1 ? 0x0e : 0), 0};
  }
  ReservedBits operator()(const RemoveAddr&) const { return {0x0f, 0}; }
  ReservedBits operator()(const MpPrio&) const { return {0x0e, 0}; }
  ReservedBits operator()(const MpFail&) const { return {0x0f, 0xff}; }
  ReservedBits operator()(const MpFastclose&) const { return {0x0f, 0xff}; }
  ReservedBits operator()(const MpTcprst&) const { return {}; }
  ReservedBits operator()(const MpPreferProxy&) const { return {0x0f, 0xff}; }
  ReservedBits operator()(const UnknownMptcp&) const { return {}; }
  ReservedBits operator()(const MptcpOption& o) const { return std::visit(*this, o); }
};

// ---------------------------------------------------------------------------
// Reference model of the decoders' statuses, written from the tables in the
// RFCs / the headers' comments rather than from the decoder code.
// ---------------------------------------------------------------------------

// The checks every subtype decoder starts with (Kind, Length, subtype).
// kOk means "header fine, the subtype's own rules decide".
inline DecodeStatus RefHeaderStatus(Bytes in, uint8_t subtype) {
  if (in.size() < 2) return DecodeStatus::kTruncated;
  if (in[0] != kKindMptcp) return DecodeStatus::kWrongKind;
  if (in[1] > in.size()) return DecodeStatus::kTruncated;
  if (in.size() < 3) return DecodeStatus::kTruncated;
  if (in[1] < 3) return DecodeStatus::kBadLength;
  if ((in[2] >> 4) != subtype) return DecodeStatus::kWrongSubtype;
  return DecodeStatus::kOk;
}

inline bool OneOf(size_t v, std::initializer_list<size_t> set) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

// MP_CAPABLE, RFC 8684 §3.1 / RFC 6824 §3.1: v1 4/12/20/22/24, v0 12/20.
inline DecodeStatus RefMpCapableStatus(Bytes in) {
  if (auto s = RefHeaderStatus(in, 0x0); s != DecodeStatus::kOk) return s;
  const size_t len = in[1];
  if (len < 4) return DecodeStatus::kBadLength;
  const uint8_t version = in[2] & 0x0f;
  if (version > 1) return DecodeStatus::kUnsupportedVersion;
  const bool ok = version == 1 ? OneOf(len, {4, 12, 20, 22, 24}) : OneOf(len, {12, 20});
  return ok ? DecodeStatus::kOk : DecodeStatus::kBadLength;
}

// MP_JOIN, RFC 8684 §3.2: 12 (SYN), 16 (SYN/ACK), 24 (ACK).
inline DecodeStatus RefMpJoinStatus(Bytes in) {
  if (auto s = RefHeaderStatus(in, 0x1); s != DecodeStatus::kOk) return s;
  return OneOf(in[1], {12, 16, 24}) ? DecodeStatus::kOk : DecodeStatus::kBadLength;
}

// DSS, RFC 8684 §3.3: the flags fix the length; a mapping may add a checksum.
inline DecodeStatus RefDssStatus(Bytes in) {
  if (auto s = RefHeaderStatus(in, 0x2); s != DecodeStatus::kOk) return s;
  const size_t len = in[1];
  if (len < 4) return DecodeStatus::kBadLength;
  const uint8_t f = in[3];
  size_t want = 4;
  if (f & 0x01) want += (f & 0x02) ? 8 : 4;        // A, a
  if (f & 0x04) want += ((f & 0x08) ? 8 : 4) + 6;  // M, m; subflow seq + data-level length
  const bool ok = len == want || ((f & 0x04) && len == want + 2);
  return ok ? DecodeStatus::kOk : DecodeStatus::kBadLength;
}

// ADD_ADDR, RFC 8684 §3.4.1 (v1) / RFC 6824 §3.4.1 (v0).
inline DecodeStatus RefAddAddrStatus(Bytes in, MptcpVersion v) {
  if (auto s = RefHeaderStatus(in, 0x3); s != DecodeStatus::kOk) return s;
  const size_t len = in[1];
  if (v == MptcpVersion::kV1) {
    const bool echo = in[2] & 0x01;
    const bool ok = echo ? OneOf(len, {8, 10, 20, 22}) : OneOf(len, {16, 18, 28, 30});
    return ok ? DecodeStatus::kOk : DecodeStatus::kBadLength;
  }
  if (!OneOf(len, {8, 10, 20, 22})) return DecodeStatus::kBadLength;
  const uint8_t ipver = in[2] & 0x0f;
  return ipver == (len >= 20 ? 6 : 4) ? DecodeStatus::kOk : DecodeStatus::kBadIpVersion;
}

// REMOVE_ADDR, RFC 8684 §3.4.2: 1 to 37 IDs.
inline DecodeStatus RefRemoveAddrStatus(Bytes in) {
  if (auto s = RefHeaderStatus(in, 0x4); s != DecodeStatus::kOk) return s;
  return (in[1] >= 4 && in[1] <= 40) ? DecodeStatus::kOk : DecodeStatus::kBadLength;
}

// MP_PRIO: v1 3; v0 3 or 4 (with an address ID).
inline DecodeStatus RefMpPrioStatus(Bytes in, MptcpVersion v) {
  if (auto s = RefHeaderStatus(in, 0x5); s != DecodeStatus::kOk) return s;
  const bool ok = in[1] == 3 || (in[1] == 4 && v == MptcpVersion::kV0);
  return ok ? DecodeStatus::kOk : DecodeStatus::kBadLength;
}

inline DecodeStatus RefFixedLengthStatus(Bytes in, uint8_t subtype, size_t length) {
  if (auto s = RefHeaderStatus(in, subtype); s != DecodeStatus::kOk) return s;
  return in[1] == length ? DecodeStatus::kOk : DecodeStatus::kBadLength;
}

// MP_PREFER_PROXY (draft -10 §4): Length 4, subtype from the configuration
// (0x9..0xE by type); std::nullopt disables it.
inline DecodeStatus RefPreferProxyStatus(Bytes in, const CodecConfig& cfg) {
  if (!cfg.prefer_proxy_subtype) {
    return in.size() < 2 ? DecodeStatus::kTruncated : DecodeStatus::kWrongSubtype;
  }
  return RefFixedLengthStatus(in, cfg.prefer_proxy_subtype->value(), 4);
}

// ---------------------------------------------------------------------------
// Decode -> encode -> decode.
// ---------------------------------------------------------------------------

// `in` is exactly one option (Length == in.size()) that decoded to `v`.
// Encode must succeed, write EncodedSize() == Length bytes that equal `in`
// outside the reserved bits (which must be zero), write nothing past them,
// refuse a buffer one byte short without writing, and decode back to `v`.
template <typename T, typename Redecode>
void CheckReencodes(Bytes in, const T& v, Redecode redecode) {
  const size_t len = in.size();
  FUZZ_CHECK(len >= 3 && in[1] == len);
  FUZZ_CHECK(EncodedSize(v) == len);
  std::array<uint8_t, 300> out;
  out.fill(0xa5);
  size_t n = 12345;
  FUZZ_CHECK(Encode(v, std::span<uint8_t>(out), n) == EncodeStatus::kOk);
  FUZZ_CHECK(n == len);
  const ReservedBits rsv = ReservedOf{}(v);
  for (size_t i = 0; i < len; ++i) {
    const uint8_t ignored = i == 2 ? rsv.byte2 : i == 3 ? rsv.byte3 : 0;
    FUZZ_CHECK((out[i] & ~ignored & 0xff) == (in[i] & ~ignored & 0xff));
    FUZZ_CHECK((out[i] & ignored) == 0);
  }
  FUZZ_CHECK(std::all_of(out.begin() + n, out.end(), [](uint8_t b) { return b == 0xa5; }));

  std::array<uint8_t, 300> small;
  small.fill(0x5a);
  size_t m = 7;
  FUZZ_CHECK(Encode(v, std::span<uint8_t>(small.data(), len - 1), m) ==
             EncodeStatus::kBufferTooSmall);
  FUZZ_CHECK(m == 0);
  FUZZ_CHECK(std::all_of(small.begin(), small.end(), [](uint8_t b) { return b == 0x5a; }));

  const std::vector<uint8_t> again_bytes(out.begin(), out.begin() + n);
  T again{};
  FUZZ_CHECK(redecode(Bytes(again_bytes), again) == DecodeStatus::kOk);
  FUZZ_CHECK(again == v);
}

// Runs `decode` (a callable (Bytes, T&) -> DecodeStatus) on the input and
// checks: the status is one the reference model predicts; on kOk, bytes after
// Length are not read (same result from an exact copy of the first Length
// bytes), every strict prefix is kTruncated, and the value round-trips.
template <typename T, typename DecodeFn>
DecodeStatus CheckDecoder(Bytes input, DecodeStatus expected, DecodeFn decode) {
  T v{};
  const DecodeStatus s = decode(input, v);
  FUZZ_CHECK(IsValid(s));
  FUZZ_CHECK(s == expected);
  if (s != DecodeStatus::kOk) return s;
  const size_t len = input[1];
  const std::vector<uint8_t> exact = Copy(input.first(len));
  T w{};
  FUZZ_CHECK(decode(Bytes(exact), w) == DecodeStatus::kOk);
  FUZZ_CHECK(w == v);
  for (size_t cut = 0; cut < len; ++cut) {
    const std::vector<uint8_t> prefix = Copy(input.first(cut));
    T p{};
    FUZZ_CHECK(decode(Bytes(prefix), p) == DecodeStatus::kTruncated);
  }
  CheckReencodes(Bytes(exact), v, decode);
  return s;
}

// ---------------------------------------------------------------------------
// Targets.
// ---------------------------------------------------------------------------

inline void CheckMpCapableInput(Bytes in) {
  CheckDecoder<MpCapable>(in, RefMpCapableStatus(in),
                          [](Bytes b, MpCapable& c) { return Decode(b, c); });
}

inline void CheckMpJoinInput(Bytes in) {
  CheckDecoder<MpJoin>(in, RefMpJoinStatus(in), [](Bytes b, MpJoin& j) { return Decode(b, j); });
  MpJoin j;
  if (Decode(in, j) == DecodeStatus::kOk) {
    // The Length names the form.
    const size_t len = in[1];
    FUZZ_CHECK(j.index() == (len == 12 ? 0u : len == 16 ? 1u : 2u));
  }
}

inline void CheckDssInput(Bytes in) {
  CheckDecoder<Dss>(in, RefDssStatus(in), [](Bytes b, Dss& d) { return Decode(b, d); });
  Dss d;
  if (Decode(in, d) == DecodeStatus::kOk) {
    FUZZ_CHECK(d.data_ack.has_value() == bool(in[3] & 0x01));
    FUZZ_CHECK(d.mapping.has_value() == bool(in[3] & 0x04));
    FUZZ_CHECK(d.data_fin == bool(in[3] & 0x10));
  }
}

// ADD_ADDR: every input is decoded as v0 and as v1.
inline void CheckAddAddrInput(Bytes in) {
  for (MptcpVersion v : {MptcpVersion::kV0, MptcpVersion::kV1}) {
    CheckDecoder<AddAddr>(in, RefAddAddrStatus(in, v),
                          [v](Bytes b, AddAddr& a) { return Decode(b, v, a); });
    AddAddr a;
    if (Decode(in, v, a) == DecodeStatus::kOk) {
      FUZZ_CHECK(a.version == v);
      FUZZ_CHECK(a.truncated_hmac.has_value() == (v == MptcpVersion::kV1 && !a.echo));
    }
  }
}

// The first byte selects the decoder (and, for MP_PREFER_PROXY, the
// configured subtype); the rest is the option.
//   sel = in[0] & 7: 0 REMOVE_ADDR, 1 MP_PRIO v1, 2 MP_PRIO v0, 3 MP_FAIL,
//   4 MP_FASTCLOSE, 5 MP_TCPRST, 6 MP_PREFER_PROXY with subtype in[0] >> 3
//   (0..31; outside 0x9..0xE disables it), 7 MP_PREFER_PROXY with the
//   default 0xE.
inline void CheckSmallOptionInput(Bytes data) {
  if (data.empty()) return;
  const uint8_t sel = data[0] & 7;
  const std::vector<uint8_t> copy = Copy(data.subspan(1));
  const Bytes in(copy);
  switch (sel) {
    case 0:
      CheckDecoder<RemoveAddr>(in, RefRemoveAddrStatus(in),
                               [](Bytes b, RemoveAddr& r) { return Decode(b, r); });
      break;
    case 1:
    case 2: {
      const MptcpVersion v = sel == 1 ? MptcpVersion::kV1 : MptcpVersion::kV0;
      CheckDecoder<MpPrio>(in, RefMpPrioStatus(in, v),
                           [v](Bytes b, MpPrio& m) { return Decode(b, v, m); });
      break;
    }
    case 3:
      CheckDecoder<MpFail>(in, RefFixedLengthStatus(in, 0x6, 12),
                           [](Bytes b, MpFail& f) { return Decode(b, f); });
      break;
    case 4:
      CheckDecoder<MpFastclose>(in, RefFixedLengthStatus(in, 0x7, 12),
                                [](Bytes b, MpFastclose& f) { return Decode(b, f); });
      break;
    case 5:
      CheckDecoder<MpTcprst>(in, RefFixedLengthStatus(in, 0x8, 4),
                             [](Bytes b, MpTcprst& r) { return Decode(b, r); });
      break;
    default: {
      CodecConfig cfg;
      cfg.prefer_proxy_subtype = sel == 6 ? PreferProxySubtype::FromValue(uint8_t(data[0] >> 3))
                                          : PreferProxySubtype::Default();
      const DecodeStatus s = CheckDecoder<MpPreferProxy>(
          in, RefPreferProxyStatus(in, cfg),
          [cfg](Bytes b, MpPreferProxy& p) { return Decode(b, cfg, p); });
      if (s == DecodeStatus::kOk) {
        MpPreferProxy p;
        (void)Decode(in, cfg, p);
        FUZZ_CHECK(cfg.prefer_proxy_subtype && p.subtype == *cfg.prefer_proxy_subtype);
      }
      break;
    }
  }
}

// What the dispatcher must do, per the routing rules in mptcp_option.h: the
// configured MP_PREFER_PROXY subtype first (0x9..0xE by type), then the
// RFC 8684 subtypes, MP_TCPRST only in v1, everything else UnknownMptcp.
inline DecodeStatus RefDispatch(Bytes in, const CodecConfig& cfg, MptcpOption& out) {
  if (in.size() < 2) return DecodeStatus::kTruncated;
  if (in[0] != kKindMptcp) return DecodeStatus::kWrongKind;
  if (in[1] > in.size() || in.size() < 3) return DecodeStatus::kTruncated;
  if (in[1] < 3) return DecodeStatus::kBadLength;
  const uint8_t st = in[2] >> 4;
  auto with = [&](auto value, auto decode) {
    const DecodeStatus s = decode(value);
    if (s == DecodeStatus::kOk) out = value;
    return s;
  };
  if (cfg.prefer_proxy_subtype && st == cfg.prefer_proxy_subtype->value()) {
    return with(MpPreferProxy{}, [&](MpPreferProxy& p) { return Decode(in, cfg, p); });
  }
  switch (st) {
    case 0x0: return with(MpCapable{}, [&](MpCapable& v) { return Decode(in, v); });
    case 0x1: {
      MpJoin j;
      const DecodeStatus s = Decode(in, j);
      if (s == DecodeStatus::kOk) std::visit([&](const auto& f) { out = f; }, j);
      return s;
    }
    case 0x2: return with(Dss{}, [&](Dss& v) { return Decode(in, v); });
    case 0x3: return with(AddAddr{}, [&](AddAddr& v) { return Decode(in, cfg.version, v); });
    case 0x4: return with(RemoveAddr{}, [&](RemoveAddr& v) { return Decode(in, v); });
    case 0x5: return with(MpPrio{}, [&](MpPrio& v) { return Decode(in, cfg.version, v); });
    case 0x6: return with(MpFail{}, [&](MpFail& v) { return Decode(in, v); });
    case 0x7: return with(MpFastclose{}, [&](MpFastclose& v) { return Decode(in, v); });
    case 0x8:
      if (cfg.version == MptcpVersion::kV1) {
        return with(MpTcprst{}, [&](MpTcprst& v) { return Decode(in, v); });
      }
      break;
  }
  out = UnknownMptcp{st, in.first(in[1])};
  return DecodeStatus::kOk;
}

// The dispatcher on one option under `cfg`: same status and value as the
// subtype decoders routed by RefDispatch, an UnknownMptcp view lies inside the
// input, and the value round-trips (CheckDecoder).
inline void CheckMptcpOption(Bytes in, const CodecConfig& cfg) {
  MptcpOption ref;
  const DecodeStatus ref_status = RefDispatch(in, cfg, ref);
  auto dispatch = [cfg](Bytes b, MptcpOption& o) { return DecodeMptcpOption(b, cfg, o); };
  CheckDecoder<MptcpOption>(in, ref_status, dispatch);
  MptcpOption got;
  if (DecodeMptcpOption(in, cfg, got) != DecodeStatus::kOk) return;
  FUZZ_CHECK(got == ref);
  if (const auto* u = std::get_if<UnknownMptcp>(&got)) {
    FUZZ_CHECK(u->bytes.data() == in.data() && u->bytes.size() == in[1]);
    FUZZ_CHECK(u->subtype == (in[2] >> 4));
  }
}

// First byte: bit 0 = version (1 = v1), bits 1..5 = prefer_proxy_subtype
// (0..31: 9..14 configure it, every other value disables it).
inline CodecConfig ConfigFromByte(uint8_t b) {
  CodecConfig cfg;
  cfg.version = (b & 1) ? MptcpVersion::kV1 : MptcpVersion::kV0;
  cfg.prefer_proxy_subtype = PreferProxySubtype::FromValue(uint8_t((b >> 1) & 0x1f));
  return cfg;
}

inline void CheckMptcpOptionInput(Bytes data) {
  if (data.empty()) return;
  const CodecConfig cfg = ConfigFromByte(data[0]);
  const std::vector<uint8_t> copy = Copy(data.subspan(1));
  CheckMptcpOption(Bytes(copy), cfg);
}

// ---------------------------------------------------------------------------
// Option-area walk.
// ---------------------------------------------------------------------------

// Walks `area` and checks every yielded option against a reference walk:
// only NOPs are skipped between options, each option is a view inside the
// area with Kind > 1 and Length == its size, the stop status and offset are
// the ones RFC 9293 §3.1 implies, and the stop is sticky. Every MPTCP option
// is decoded under v0 and v1 (CheckMptcpOption).
inline void CheckWalk(Bytes area) {
  TcpOptionWalker w(area);
  size_t next = 0;  // first byte after the previous option
  TcpOption o;
  size_t count = 0;
  while (w.Next(o)) {
    ++count;
    FUZZ_CHECK(area.size() <= kMaxOptionAreaBytes);
    FUZZ_CHECK(o.offset >= next);
    for (size_t i = next; i < o.offset; ++i) FUZZ_CHECK(area[i] == kKindNop);
    FUZZ_CHECK(o.bytes.data() == area.data() + o.offset);
    FUZZ_CHECK(o.offset + o.bytes.size() <= area.size());
    FUZZ_CHECK(o.bytes.size() >= 2 && o.bytes[1] == o.bytes.size());
    FUZZ_CHECK(o.kind == area[o.offset] && o.kind > kKindNop);
    next = o.offset + o.bytes.size();
    if (o.kind == kKindMptcp) {
      for (uint8_t cfg_byte : {0x1c, 0x1d, 0x20, 0x21}) {  // v0/v1, subtype 0xE / disabled
        CheckMptcpOption(o.bytes, ConfigFromByte(cfg_byte));
      }
    }
  }
  FUZZ_CHECK(!w.Next(o));  // sticky
  FUZZ_CHECK(IsValid(w.status()));
  if (area.size() > kMaxOptionAreaBytes) {
    FUZZ_CHECK(w.status() == WalkStatus::kAreaTooLong && count == 0 && w.offset() == 0);
    return;
  }
  size_t p = next;
  while (p < area.size() && area[p] == kKindNop) ++p;
  WalkStatus want = WalkStatus::kOk;
  if (p == area.size() || area[p] == kKindEol) {
    want = WalkStatus::kOk;
  } else if (p + 1 == area.size()) {
    want = WalkStatus::kOptionPastEnd;
  } else if (area[p + 1] < 2) {
    want = WalkStatus::kBadOptionLength;
  } else {
    FUZZ_CHECK(area[p + 1] > area.size() - p);  // else it would have been yielded
    want = WalkStatus::kOptionPastEnd;
  }
  FUZZ_CHECK(w.status() == want);
  FUZZ_CHECK(w.offset() == p);
}

// ParseSegmentOptions must say exactly what composing TcpOptionWalker,
// DecodeMptcpOption and RFC 9293's exact-length rule for the standard options
// says: same walk status and stop offset, same presence and malformed bits,
// same fields, same MPTCP entries (offset, length, status, value). `out` is
// parsed twice: fresh, and after a rich area, so stale state would show.
inline void CheckSegmentOptions(Bytes area, const CodecConfig& cfg) {
  uint8_t present = 0, malformed = 0, wscale = 0;
  uint16_t mss = 0;
  uint32_t tsval = 0, tsecr = 0;
  struct Want {
    uint8_t offset, length;
    DecodeStatus status;
    MptcpOption value;
  };
  std::vector<Want> want;
  TcpOptionWalker w(area);
  for (TcpOption o; w.Next(o);) {
    const size_t n = o.bytes.size();
    auto take = [&](uint8_t bit, size_t exact) {
      if (n == exact) {
        present |= bit;
      } else {
        malformed |= bit;
      }
      return n == exact;
    };
    switch (o.kind) {
      case kKindMss:
        if (take(SegmentOptions::kMss, 4)) mss = internal::LoadBe16(o.bytes.data() + 2);
        break;
      case kKindWindowScale:
        if (take(SegmentOptions::kWindowScale, 3)) wscale = o.bytes[2];
        break;
      case kKindSackPermitted:
        take(SegmentOptions::kSackPermitted, 2);
        break;
      case kKindTimestamps:
        if (take(SegmentOptions::kTimestamps, 10)) {
          tsval = internal::LoadBe32(o.bytes.data() + 2);
          tsecr = internal::LoadBe32(o.bytes.data() + 6);
        }
        break;
      case kKindMptcp: {
        Want& e = want.emplace_back();
        e.offset = o.offset;
        e.length = uint8_t(n);
        e.status = DecodeMptcpOption(o.bytes, cfg, e.value);
        break;
      }
      default:
        break;
    }
  }
  static const std::vector<uint8_t> kRich = {
      0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2,
      0x01, 0x03, 0x03, 0x07, 0x1e, 0x0c, 0x01, 0x81, 1, 2, 3, 4, 5, 6, 7, 8,
      0x1e, 0x04, 0x20, 0x01, 0x1e, 0x03, 0x50, 0x00};
  SegmentOptions fresh, reused;
  FUZZ_CHECK(ParseSegmentOptions(Bytes(kRich), cfg, reused) == WalkStatus::kOk);
  for (SegmentOptions* got : {&fresh, &reused}) {
    FUZZ_CHECK(ParseSegmentOptions(area, cfg, *got) == got->walk);
    FUZZ_CHECK(got->walk == w.status());
    FUZZ_CHECK(got->walked == w.offset());
    FUZZ_CHECK(got->present == present);
    FUZZ_CHECK(got->malformed == malformed);
    if (present & SegmentOptions::kMss) FUZZ_CHECK(got->mss == mss);
    if (present & SegmentOptions::kWindowScale) FUZZ_CHECK(got->window_scale == wscale);
    if (present & SegmentOptions::kTimestamps) {
      FUZZ_CHECK(got->tsval == tsval && got->tsecr == tsecr);
    }
    FUZZ_CHECK(got->mptcp_count == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      const MptcpOptionEntry& e = got->mptcp[i];
      FUZZ_CHECK(e.offset == want[i].offset && e.length == want[i].length);
      FUZZ_CHECK(e.status == want[i].status);
      if (e.status == DecodeStatus::kOk) FUZZ_CHECK(e.value == want[i].value);
    }
  }
}

inline void CheckWalkerInput(Bytes data) {
  CheckWalk(data);
  for (uint8_t cfg_byte : {0x1c, 0x1d, 0x20, 0x21}) {
    CheckSegmentOptions(data, ConfigFromByte(cfg_byte));
  }
  if (data.size() > kMaxOptionAreaBytes) {
    const std::vector<uint8_t> head = Copy(data.first(kMaxOptionAreaBytes));
    CheckWalk(Bytes(head));
    for (uint8_t cfg_byte : {0x1c, 0x1d, 0x20, 0x21}) {
      CheckSegmentOptions(Bytes(head), ConfigFromByte(cfg_byte));
    }
  }
}

// ---------------------------------------------------------------------------
// MP_CONVERT IEs.
// ---------------------------------------------------------------------------

inline bool StartsWithMagic(Bytes b) {
  return b.size() >= 4 && std::equal(kMpConvertMagic.begin(), kMpConvertMagic.end(), b.begin());
}

// consumed <= size; kNoIe exactly when there is no magic; on kOk the list is
// well formed, trailing bytes are not read, and (when no unknown Type was
// skipped) BuildMpConvertIes rebuilds the same number of bytes, equal to the
// input outside the ignored bits (Reserved byte, flag bits other than D and
// M, padding), which parse back to the same list. Parse keeps only D
// (`source`) of the flags; M is implied by the position.
inline void CheckMpConvertIeInput(Bytes payload) {
  MpConvertIeList ies;
  const IeParseResult r = ParseMpConvertIes(payload, ies);
  FUZZ_CHECK(IsValid(r.status));
  FUZZ_CHECK(r.consumed <= payload.size());
  FUZZ_CHECK(ies.count <= kMaxAddressIes);
  FUZZ_CHECK((r.status == IeStatus::kNoIe) == !StartsWithMagic(payload));
  if (r.status == IeStatus::kNoIe) {
    FUZZ_CHECK(r.consumed == 0 && ies.count == 0 && ies.skipped_unknown_type == 0);
    return;
  }
  if (r.status != IeStatus::kOk) return;
  FUZZ_CHECK(r.consumed >= 8 && r.consumed % 4 == 0);
  FUZZ_CHECK(ies.count + ies.skipped_unknown_type >= 1);
  FUZZ_CHECK(ies.count + ies.skipped_unknown_type <= kMaxIesWalked);
  for (const MpConvertIe& ie : ies.view()) FUZZ_CHECK(IsAllowedIeAddress(ie.address));
  if (ies.count == 2) FUZZ_CHECK(ies.ies[0].source != ies.ies[1].source);

  // Application data after the IEs is never read.
  const std::vector<uint8_t> exact = Copy(payload.first(r.consumed));
  MpConvertIeList again;
  const IeParseResult r2 = ParseMpConvertIes(Bytes(exact), again);
  FUZZ_CHECK(r2.status == IeStatus::kOk && r2.consumed == r.consumed);
  FUZZ_CHECK(again.count == ies.count && again.skipped_unknown_type == ies.skipped_unknown_type);
  for (size_t i = 0; i < ies.count; ++i) FUZZ_CHECK(again.ies[i] == ies.ies[i]);

  if (ies.skipped_unknown_type != 0) return;
  std::array<uint8_t, 128> built;
  built.fill(0xa5);
  size_t n = 0;
  FUZZ_CHECK(BuildMpConvertIes(ies.view(), built, n) == EncodeStatus::kOk);
  FUZZ_CHECK(n == r.consumed);
  size_t at = 0;
  for (size_t i = 0; i < ies.count; ++i) {
    const uint8_t* a = payload.data() + at;
    const uint8_t* b = built.data() + at;
    const size_t length = a[5];
    const size_t total = 4 + ((length + 3) & ~size_t{3});
    FUZZ_CHECK(std::equal(a, a + 6, b));            // magic, Type, Length
    FUZZ_CHECK(b[6] == 0);                          // Reserved: ignored, sent as 0
    FUZZ_CHECK((a[7] & 0x03) == b[7]);              // D and M kept, other bits sent as 0
    FUZZ_CHECK(std::equal(a + 8, a + 4 + length, b + 8));  // address, port
    for (size_t k = 4 + length; k < total; ++k) FUZZ_CHECK(b[k] == 0);  // padding
    at += total;
  }
  FUZZ_CHECK(at == n);
  const std::vector<uint8_t> rebuilt(built.begin(), built.begin() + n);
  MpConvertIeList reparsed;
  const IeParseResult r3 = ParseMpConvertIes(Bytes(rebuilt), reparsed);
  FUZZ_CHECK(r3.status == IeStatus::kOk && r3.consumed == n);
  FUZZ_CHECK(reparsed.count == ies.count && reparsed.skipped_unknown_type == 0);
  for (size_t i = 0; i < ies.count; ++i) FUZZ_CHECK(reparsed.ies[i] == ies.ies[i]);
}

// The byte-level targets, by fuzzer name (used by the gcc corpus replay).
struct ByteTarget {
  const char* name;
  void (*check)(Bytes);
};

inline constexpr ByteTarget kByteTargets[] = {
    {"tcp_option_walker_fuzzer", CheckWalkerInput},
    {"mptcp_option_fuzzer", CheckMptcpOptionInput},
    {"mp_capable_fuzzer", CheckMpCapableInput},
    {"mp_join_fuzzer", CheckMpJoinInput},
    {"dss_fuzzer", CheckDssInput},
    {"add_addr_fuzzer", CheckAddAddrInput},
    {"small_options_fuzzer", CheckSmallOptionInput},
    {"mp_convert_ie_fuzzer", CheckMpConvertIeInput},
};

}  // namespace mptcp_opts::fuzz

#endif  // MPTCP_OPTS_FUZZ_FUZZ_CHECKS_H_
