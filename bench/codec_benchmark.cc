// SPDX-License-Identifier: Apache-2.0
// Google Benchmark suite for mptcp_opts (issue 4). Run it with
// bench/run_bench.sh (or ./dev bench), which builds with -c opt, runs 5
// repetitions and prints the table of bench/compare.py. Names:
//
//   walk/mptcp_opts/AREA    ParseSegmentOptions (segment_options.h): standard
//                           options + every MPTCP option, one pass
//   walk/walker_dispatch/AREA  the same by composing TcpOptionWalker and
//                           DecodeMptcpOption (what the one-pass parser saves)
//   walk/kernel_style/AREA  the same extraction by bench/kernel_style_parser.h
//   decode/SUBTYPE/FORM     one typed Decode() of one option
//   encode/SUBTYPE/FORM     one typed Encode() of the value decoded from it
//   build_option_area/syn   BuildOptionArea of a SYN's five options
//   editor/OP               copy a 60-byte SYN, then TcpSegmentEditor + OP;
//                           editor/copy_only is the copy alone (subtract it)
//   mp_convert/parse_*      ParseMpConvertIes over one or two IEs + app data
//   crypto/*                Token, Idsn, MP_JOIN and ADD_ADDR HMACs
//
// Every benchmark reports allocs_per_iter (bench/alloc_counter.h). Inputs live
// in mutable globals and every iteration ends in a memory clobber, so the
// compiler must re-read pointer, length and bytes each time and cannot hoist
// or constant-fold the work; outputs go through DoNotOptimize.
#include <benchmark/benchmark.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bench/alloc_counter.h"
#include "bench/hex.h"
#include "bench/kernel_style_parser.h"
#include "mptcp_opts/crypto.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/option_area_builder.h"
#include "mptcp_opts/segment_options.h"
#include "mptcp_opts/tcp_checksum.h"
#include "mptcp_opts/tcp_option_walker.h"
#include "mptcp_opts/tcp_segment_editor.h"

namespace mptcp_bench {
namespace {

using namespace mptcp_opts;

// ---------------------------------------------------------------- inputs ---

// Input byte strings, one per 64-byte (cache-line) slot.
constexpr size_t kSlotBytes = 64;
constexpr size_t kMaxSlots = 128;
alignas(64) uint8_t g_input_bytes[kMaxSlots][kSlotBytes];
struct InputRef {
  const uint8_t* data;
  size_t size;
};
InputRef g_inputs[kMaxSlots];
size_t g_num_inputs = 0;

size_t AddInput(const std::vector<uint8_t>& bytes) {
  if (g_num_inputs == kMaxSlots || bytes.size() > kSlotBytes) std::abort();
  const size_t slot = g_num_inputs++;
  std::memcpy(g_input_bytes[slot], bytes.data(), bytes.size());
  g_inputs[slot] = {g_input_bytes[slot], bytes.size()};
  return slot;
}
size_t AddInput(std::string_view hex) { return AddInput(Hex(hex)); }

std::span<const uint8_t> InputSpan(size_t slot) {
  return {g_inputs[slot].data, g_inputs[slot].size};
}

// The realistic option areas of the issue. Timestamps are 0001e240 / 0001e23f.
struct AreaFixture {
  const char* name;
  const char* hex;
};
constexpr AreaFixture kAreas[] = {
    // (a) SYN: MSS 1460, SACK-permitted + timestamps, NOP + window scale 7,
    // MP_CAPABLE v1 SYN (flags A, H).
    {"syn", "020405b4 0402080a 0001e240 00000000 01030307 1e040181"},
    // (b) NOP NOP timestamps, DSS with 8-byte Data ACK and 8-byte DSN mapping,
    // no checksum (26 bytes), padded with NOP NOP as senders do.
    {"ts_dss",
     "0101080a 0001e240 0001e23f 1e1a200f 8f3a1c2b 4d5e6f70 8f3a1c2b 4d5e1000 00000001 05a0"
     "0101"},
    // (c) MP_JOIN SYN/ACK segment: MSS, SACK-permitted + timestamps, NOP +
    // window scale, MP_JOIN SYN/ACK (16: truncated HMAC + nonce), address ID 1.
    {"join_synack",
     "020405b4 0402080a 0001e240 0001e23f 01030307 1e101001 a1b2c3d4 e5f60718 2233aabb"},
    // (d) NOP NOP timestamps, MP_CAPABLE v1 third ACK (20: both keys).
    {"ts_mpc_ack",
     "0101080a 0001e240 0001e23f 1e140181 0102030405060708 1112131415161718"},
    // (e) ADD_ADDR v1, IPv4 192.0.2.1, ID 1, no port, 64-bit HMAC (16).
    {"add_addr", "1e103001 c0000201 0a1b2c3d 4e5f6071"},
};
constexpr size_t kNumAreas = std::size(kAreas);
size_t g_area_slot[kNumAreas];

// (f) the mix: area indices drawn once with a fixed seed.
constexpr size_t kMixLength = 4096;  // power of two
constexpr uint32_t kMixSeed = 0x6d707463;  // "mptc"
uint8_t g_mix[kMixLength];

// ---------------------------------------------------------- allocations ---

void ReportAllocs(benchmark::State& state, bool show_openssl = false) {
  const AllocCounts n = ReadAllocCounts();
  state.counters["allocs_per_iter"] =
      benchmark::Counter(double(n.total()), benchmark::Counter::kAvgIterations);
  if (show_openssl) {
    state.counters["openssl_allocs_per_iter"] =
        benchmark::Counter(double(n.openssl), benchmark::Counter::kAvgIterations);
  }
}

// ------------------------------------------------- walk + decode (ours) ---

inline uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// What a receiver keeps from one area using the library: the standard fields
// (same checks as KernelStyleParse) and every MPTCP option as a value.
struct DecodedArea {
  uint32_t tsval;
  uint32_t tsecr;
  uint16_t mss;
  uint8_t wscale;
  bool wscale_ok;
  bool sack_ok;
  bool saw_tstamp;
  uint8_t mptcp_count;
  uint8_t mptcp_errors;
  WalkStatus walk;
  std::array<MptcpOption, 4> mptcp;
};

inline void WalkAndDecode(std::span<const uint8_t> area, const CodecConfig& config,
                          DecodedArea& out) {
  out.saw_tstamp = false;
  out.sack_ok = false;
  out.wscale_ok = false;
  out.mss = 0;
  out.mptcp_count = 0;
  out.mptcp_errors = 0;
  TcpOptionWalker walker(area);
  for (TcpOption o; walker.Next(o);) {
    const uint8_t* b = o.bytes.data();
    const size_t n = o.bytes.size();
    switch (o.kind) {
      case kKindMss:
        if (n == 4) out.mss = Be16(b + 2);
        break;
      case kKindWindowScale:
        if (n == 3) {
          out.wscale_ok = true;
          out.wscale = b[2] > 14 ? 14 : b[2];
        }
        break;
      case kKindSackPermitted:
        if (n == 2) out.sack_ok = true;
        break;
      case kKindTimestamps:
        if (n == 10) {
          out.saw_tstamp = true;
          out.tsval = Be32(b + 2);
          out.tsecr = Be32(b + 6);
        }
        break;
      case kKindMptcp:
        if (out.mptcp_count < out.mptcp.size() &&
            DecodeMptcpOption(o.bytes, config, out.mptcp[out.mptcp_count]) ==
                DecodeStatus::kOk) {
          ++out.mptcp_count;
        } else {
          ++out.mptcp_errors;
        }
        break;
      default:
        break;
    }
  }
  out.walk = walker.status();
}

// Both sides are called through an out-of-line function, as a stack calls its
// per-segment option parser, so neither is specialised on the fixture.
[[gnu::noinline]] void ParseOurs(const InputRef& a, const CodecConfig& config,
                                 DecodedArea& out) {
  WalkAndDecode({a.data, a.size}, config, out);
}
[[gnu::noinline]] void ParseKernelStyle(const InputRef& a, KernelStyleOptions& out) {
  KernelStyleParse(a.data, a.size, out);
}

[[gnu::noinline]] void ParseOnePass(const InputRef& a, const CodecConfig& config,
                                    SegmentOptions& out) {
  ParseSegmentOptions({a.data, a.size}, config, out);
}

struct OursParser {
  SegmentOptions out{};
  CodecConfig config{};
  void Parse(const InputRef& a) { ParseOnePass(a, config, out); }
};
struct WalkerDispatchParser {
  DecodedArea out{};
  CodecConfig config{};
  void Parse(const InputRef& a) { ParseOurs(a, config, out); }
};
struct KernelStyleParser {
  KernelStyleOptions out{};
  void Parse(const InputRef& a) { ParseKernelStyle(a, out); }
};

template <typename Parser>
void BM_WalkArea(benchmark::State& state, size_t slot) {
  Parser parser;
  ResetAllocCounts();
  for (auto _ : state) {
    parser.Parse(g_inputs[slot]);  // pointer and length re-read every time
    benchmark::DoNotOptimize(parser.out);
    benchmark::ClobberMemory();
  }
  ReportAllocs(state);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(g_inputs[slot].size));
}

template <typename Parser>
void BM_WalkMix(benchmark::State& state) {
  Parser parser;
  size_t i = 0;
  ResetAllocCounts();
  for (auto _ : state) {
    parser.Parse(g_inputs[g_area_slot[g_mix[i]]]);
    i = (i + 1) & (kMixLength - 1);
    benchmark::DoNotOptimize(parser.out);
    benchmark::ClobberMemory();
  }
  ReportAllocs(state);
  // Exact bytes: whole passes over the mix plus the prefix of the last one.
  int64_t per_pass = 0, prefix = 0;
  const size_t rest = size_t(state.iterations()) % kMixLength;
  for (size_t k = 0; k < kMixLength; ++k) {
    const int64_t n = int64_t(g_inputs[g_area_slot[g_mix[k]]].size);
    per_pass += n;
    if (k < rest) prefix += n;
  }
  state.SetBytesProcessed(int64_t(state.iterations() / kMixLength) * per_pass + prefix);
}

// Both parsers must agree on every area before anything is timed.
bool CheckParsersAgree() {
  bool ok = true;
  for (size_t a = 0; a < kNumAreas; ++a) {
    WalkerDispatchParser composed;
    OursParser one_pass;
    KernelStyleParser ks;
    composed.Parse(g_inputs[g_area_slot[a]]);
    one_pass.Parse(g_inputs[g_area_slot[a]]);
    ks.Parse(g_inputs[g_area_slot[a]]);
    const DecodedArea& o = composed.out;
    const SegmentOptions& s = one_pass.out;
    const KernelStyleOptions& k = ks.out;
    const bool same =
        o.walk == WalkStatus::kOk && o.mptcp_errors == 0 && o.mss == k.mss_clamp &&
        o.sack_ok == k.sack_ok && o.wscale_ok == k.wscale_ok &&
        (!o.wscale_ok || o.wscale == k.snd_wscale) && o.saw_tstamp == k.saw_tstamp &&
        (!o.saw_tstamp || (o.tsval == k.rcv_tsval && o.tsecr == k.rcv_tsecr)) &&
        o.mptcp_count == std::popcount(unsigned{k.suboptions}) && o.mptcp_count == 1;
    const bool one_pass_same =
        s.walk == WalkStatus::kOk && s.malformed == 0 &&
        (s.has(SegmentOptions::kMss) ? s.mss : 0) == o.mss &&
        s.has(SegmentOptions::kSackPermitted) == o.sack_ok &&
        s.has(SegmentOptions::kWindowScale) == o.wscale_ok &&
        (!o.wscale_ok || s.effective_window_scale() == o.wscale) &&
        s.has(SegmentOptions::kTimestamps) == o.saw_tstamp &&
        (!o.saw_tstamp || (s.tsval == o.tsval && s.tsecr == o.tsecr)) &&
        s.mptcp_count == 1 && s.mptcp[0].status == DecodeStatus::kOk &&
        s.mptcp[0].value == o.mptcp[0];
    if (!same || !one_pass_same) {
      std::fprintf(stderr, "parsers disagree on area %s\n", kAreas[a].name);
      ok = false;
    }
  }
  return ok;
}

void RegisterWalks() {
  for (size_t a = 0; a < kNumAreas; ++a) g_area_slot[a] = AddInput(kAreas[a].hex);
  std::mt19937 rng(kMixSeed);
  for (auto& m : g_mix) m = uint8_t(rng() % kNumAreas);
  for (size_t a = 0; a < kNumAreas; ++a) {
    const std::string area = kAreas[a].name;
    benchmark::RegisterBenchmark(("walk/mptcp_opts/" + area).c_str(), BM_WalkArea<OursParser>,
                                 g_area_slot[a]);
    benchmark::RegisterBenchmark(("walk/kernel_style/" + area).c_str(),
                                 BM_WalkArea<KernelStyleParser>, g_area_slot[a]);
    benchmark::RegisterBenchmark(("walk/walker_dispatch/" + area).c_str(),
                                 BM_WalkArea<WalkerDispatchParser>, g_area_slot[a]);
  }
  benchmark::RegisterBenchmark("walk/mptcp_opts/mix", BM_WalkMix<OursParser>);
  benchmark::RegisterBenchmark("walk/walker_dispatch/mix", BM_WalkMix<WalkerDispatchParser>);
  benchmark::RegisterBenchmark("walk/kernel_style/mix", BM_WalkMix<KernelStyleParser>);
}

// ------------------------------------------------ per-subtype codec ---

// Each case: one option on the wire, how to decode it into T, and (for the
// encode benchmark) the typed value to encode, taken from the decoded T.
template <typename T, typename DecodeFn>
void RegisterDecode(const std::string& name, size_t slot, DecodeFn decode) {
  benchmark::RegisterBenchmark(("decode/" + name).c_str(), [slot, decode](benchmark::State& state) {
    T out{};
    if (decode(InputSpan(slot), out) != DecodeStatus::kOk) {
      state.SkipWithError("fixture does not decode");
      return;
    }
    ResetAllocCounts();
    for (auto _ : state) {
      const InputRef in = g_inputs[slot];
      DecodeStatus s = decode(std::span<const uint8_t>(in.data, in.size), out);
      benchmark::DoNotOptimize(s);
      benchmark::DoNotOptimize(out);
    }
    ReportAllocs(state);
  });
}

alignas(64) uint8_t g_out[64];

template <typename V>
void RegisterEncode(const std::string& name, size_t slot, const V& value) {
  benchmark::RegisterBenchmark(("encode/" + name).c_str(), [slot, value](benchmark::State& state) {
    V v = value;
    size_t written = 0;
    if (Encode(v, g_out, written) != EncodeStatus::kOk ||
        !std::equal(g_out, g_out + written, InputSpan(slot).begin(), InputSpan(slot).end())) {
      state.SkipWithError("encode does not reproduce the fixture");
      return;
    }
    ResetAllocCounts();
    for (auto _ : state) {
      benchmark::DoNotOptimize(v);  // the value may have changed: re-read it
      EncodeStatus s = Encode(v, g_out, written);
      benchmark::DoNotOptimize(s);
      benchmark::DoNotOptimize(written);
      benchmark::ClobberMemory();  // the bytes written are observed
    }
    ReportAllocs(state);
  });
}

// Decodes a fixture once, at registration, to get the value to encode.
template <typename T, typename DecodeFn>
T DecodeOnce(size_t slot, DecodeFn decode) {
  T v{};
  if (decode(InputSpan(slot), v) != DecodeStatus::kOk) {
    std::fprintf(stderr, "fixture in slot %zu does not decode\n", slot);
    std::abort();
  }
  return v;
}

template <typename T, typename DecodeFn>
void RegisterCodecPair(const std::string& name, std::string_view hex, DecodeFn decode) {
  const size_t slot = AddInput(hex);
  RegisterDecode<T>(name, slot, decode);
  RegisterEncode(name, slot, DecodeOnce<T>(slot, decode));
}

void RegisterSubtypes() {
  auto plain = [](std::span<const uint8_t> b, auto& out) { return Decode(b, out); };
  auto v1 = [](std::span<const uint8_t> b, auto& out) { return Decode(b, MptcpVersion::kV1, out); };
  auto v0 = [](std::span<const uint8_t> b, auto& out) { return Decode(b, MptcpVersion::kV0, out); };

  // MP_CAPABLE, every form of RFC 8684 and RFC 6824.
  const std::pair<const char*, const char*> mpc[] = {
      {"v1_syn", "1e040181"},
      {"v1_synack", "1e0c0181 0102030405060708"},
      {"v1_ack", "1e140181 0102030405060708 1112131415161718"},
      {"v1_ack_data", "1e160101 0102030405060708 1112131415161718 05a0"},
      {"v1_ack_data_csum", "1e180181 0102030405060708 1112131415161718 05a0 beef"},
      {"v0_syn", "1e0c0081 0102030405060708"},
      {"v0_ack", "1e140081 0102030405060708 1112131415161718"},
  };
  for (auto [form, hex] : mpc) {
    RegisterCodecPair<MpCapable>(std::string("mp_capable/") + form, hex, plain);
  }

  // MP_JOIN: decode into the MpJoin variant, encode each typed form.
  const std::pair<const char*, const char*> join[] = {
      {"syn", "1e0c1102 a1b2c3d4 11223344"},
      {"synack", "1e101001 a1b2c3d4e5f60718 2233aabb"},
      {"ack", "1e181000 000102030405060708090a0b0c0d0e0f10111213"},
  };
  for (size_t i = 0; i < std::size(join); ++i) {
    const std::string name = std::string("mp_join/") + join[i].first;
    const size_t slot = AddInput(join[i].second);
    RegisterDecode<MpJoin>(name, slot, plain);
    const MpJoin j = DecodeOnce<MpJoin>(slot, plain);
    std::visit([&](const auto& form) { RegisterEncode(name, slot, form); }, j);
  }

  // DSS: the 26-byte one of area (b); ACK only (8-byte, what most pure ACKs
  // carry); 4-byte ACK + 4-byte mapping with checksum.
  RegisterCodecPair<Dss>("dss/ack8_map8",
                         "1e1a200f 8f3a1c2b4d5e6f70 8f3a1c2b4d5e1000 00000001 05a0", plain);
  RegisterCodecPair<Dss>("dss/ack8", "1e0c2003 8f3a1c2b4d5e6f70", plain);
  RegisterCodecPair<Dss>("dss/ack4_map4_csum", "1e142005 4d5e6f70 4d5e1000 00000001 05a0 beef",
                         plain);

  // ADD_ADDR v1: IPv4 + HMAC (area e), IPv6 + port + HMAC, IPv4 echo; v0 IPv4.
  RegisterCodecPair<AddAddr>("add_addr/v1_v4_hmac", "1e103001 c0000201 0a1b2c3d4e5f6071", v1);
  RegisterCodecPair<AddAddr>(
      "add_addr/v1_v6_port_hmac",
      "1e1e3002 20010db8000000000000000000000002 1f90 0a1b2c3d4e5f6071", v1);
  RegisterCodecPair<AddAddr>("add_addr/v1_v4_echo", "1e083101 c0000201", v1);
  RegisterCodecPair<AddAddr>("add_addr/v0_v4", "1e083401 c0000201", v0);

  RegisterCodecPair<RemoveAddr>("remove_addr/one", "1e044003", plain);
  RegisterCodecPair<RemoveAddr>("remove_addr/four", "1e074001 020304", plain);
  RegisterCodecPair<MpPrio>("mp_prio/v1_backup", "1e0351", v1);
  RegisterCodecPair<MpPrio>("mp_prio/v0_address_id", "1e045105", v0);
  RegisterCodecPair<MpFail>("mp_fail/dsn", "1e0c6000 8f3a1c2b4d5e1000", plain);
  RegisterCodecPair<MpFastclose>("mp_fastclose/key", "1e0c7000 1112131415161718", plain);
  RegisterCodecPair<MpTcprst>("mp_tcprst/transient", "1e048102", plain);
  RegisterCodecPair<MpPreferProxy>(
      "mp_prefer_proxy/default", "1e04e000",
      [](std::span<const uint8_t> b, MpPreferProxy& out) { return Decode(b, CodecConfig{}, out); });
}

// ------------------------------------------------------ option area builder ---

TcpOptionValue g_syn_options[] = {
    Mss{1460}, SackPermitted{}, Timestamps{0x0001e240, 0}, WindowScale{7},
    MptcpOption{MpCapable{1, MpCapable::kFlagA | MpCapable::kFlagH, {}, {}, {}, {}}}};

void BM_BuildOptionAreaSyn(benchmark::State& state) {
  size_t written = 0;
  if (BuildOptionArea(g_syn_options, g_out, written) != EncodeStatus::kOk ||
      !std::equal(g_out, g_out + written, InputSpan(g_area_slot[0]).begin(),
                  InputSpan(g_area_slot[0]).end())) {
    state.SkipWithError("BuildOptionArea does not reproduce area (a)");
    return;
  }
  ResetAllocCounts();
  for (auto _ : state) {
    EncodeStatus s = BuildOptionArea(g_syn_options, g_out, written);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(written);
    benchmark::ClobberMemory();
  }
  ReportAllocs(state);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(written));
}

// ------------------------------------------------------------ segment editor ---

// A SYN from 10.0.0.1:40000 to 198.51.100.10:443 with area (a) and a 16-byte
// MP_CONVERT IE as payload: 60 bytes, valid checksum. Copied per iteration
// into g_work (room to grow) since every edit changes it.
constexpr size_t kSegmentLength = 60;
alignas(64) uint8_t g_segment[kSegmentLength];
alignas(64) uint8_t g_work[128];
size_t g_segment_length = kSegmentLength;  // read from memory, opaque to the compiler
const IpAddress kSegSrc = IpAddress::V4(10, 0, 0, 1);
const IpAddress kSegDst = IpAddress::V4(198, 51, 100, 10);

void MakeSegment() {
  const std::vector<uint8_t> header =
      Hex("9c4001bb 00000001 00000000 b002faf0 00000000");  // doff 11, SYN
  const std::vector<uint8_t> area = Hex(kAreas[0].hex);
  const std::vector<uint8_t> payload = Hex("faa8faa8 000a0001 c633640a 01bb0000");
  std::vector<uint8_t> seg = header;
  seg.insert(seg.end(), area.begin(), area.end());
  seg.insert(seg.end(), payload.begin(), payload.end());
  if (seg.size() != kSegmentLength) std::abort();
  const uint16_t c = TcpChecksum(kSegSrc, kSegDst, seg);
  seg[16] = uint8_t(c >> 8);
  seg[17] = uint8_t(c);
  std::memcpy(g_segment, seg.data(), seg.size());
}

inline void CopySegment() { std::memcpy(g_work, g_segment, kSegmentLength); }

void BM_EditorCopyOnly(benchmark::State& state) {
  ResetAllocCounts();
  for (auto _ : state) {
    CopySegment();
    benchmark::ClobberMemory();
  }
  ReportAllocs(state);
}

template <typename Op>
void BM_Editor(benchmark::State& state, Op op) {
  {  // The edit must succeed and leave a valid checksum.
    CopySegment();
    TcpSegmentEditor ed(g_work, g_segment_length);
    if (op(ed) != EditStatus::kOk ||
        TcpChecksum(kSegSrc, kSegDst, std::span<const uint8_t>(g_work, ed.segment_length())) !=
            0) {
      state.SkipWithError("edit failed or broke the checksum");
      return;
    }
  }
  ResetAllocCounts();
  for (auto _ : state) {
    CopySegment();
    TcpSegmentEditor ed(g_work, g_segment_length);
    EditStatus s = op(ed);
    benchmark::DoNotOptimize(s);
    benchmark::ClobberMemory();
  }
  ReportAllocs(state);
}

void RegisterEditor() {
  MakeSegment();
  benchmark::RegisterBenchmark("editor/copy_only", BM_EditorCopyOnly);
  // Each edit is a distinct lambda type, so BM_Editor inlines it.
  benchmark::RegisterBenchmark("editor/insert_prefer_proxy", [](benchmark::State& state) {
    BM_Editor(state, [](TcpSegmentEditor& ed) { return ed.InsertMptcp(MpPreferProxy{}); });
  });
  benchmark::RegisterBenchmark("editor/remove_mp_capable", [](benchmark::State& state) {
    BM_Editor(state, [](TcpSegmentEditor& ed) {
      return ed.RemoveMptcpSubtype(uint8_t(Subtype::kMpCapable));
    });
  });
  benchmark::RegisterBenchmark("editor/clamp_mss", [](benchmark::State& state) {
    BM_Editor(state, [](TcpSegmentEditor& ed) { return ed.ClampMss(1400); });
  });
}

// ----------------------------------------------------------- MP_CONVERT IEs ---

void BM_ParseMpConvertIes(benchmark::State& state, size_t slot, uint8_t expected_count) {
  MpConvertIeList ies;
  const IeParseResult first = ParseMpConvertIes(InputSpan(slot), ies);
  if (first.status != IeStatus::kOk || ies.count != expected_count) {
    state.SkipWithError("IE fixture does not parse");
    return;
  }
  ResetAllocCounts();
  for (auto _ : state) {
    const InputRef in = g_inputs[slot];
    IeParseResult r = ParseMpConvertIes(std::span<const uint8_t>(in.data, in.size), ies);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(ies);
  }
  ReportAllocs(state);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(first.consumed));
}

void RegisterMpConvert() {
  const std::vector<uint8_t> app = Hex("47455420 2f204854");  // "GET / HT"
  auto build = [&](std::vector<MpConvertIe> ies) {
    std::vector<uint8_t> out(kSlotBytes);
    size_t n = 0;
    if (BuildMpConvertIes(ies, out, n) != EncodeStatus::kOk) std::abort();
    out.resize(n);
    out.insert(out.end(), app.begin(), app.end());
    return AddInput(out);
  };
  const MpConvertIe dst{false, IpAddress::V4(198, 51, 100, 10), 443};
  const MpConvertIe src{true, *IpAddress::Parse("2001:db8::5"), std::nullopt};
  benchmark::RegisterBenchmark("mp_convert/parse_one", BM_ParseMpConvertIes, build({dst}),
                               uint8_t{1});
  benchmark::RegisterBenchmark("mp_convert/parse_two", BM_ParseMpConvertIes, build({src, dst}),
                               uint8_t{2});
}

// ------------------------------------------------------------------- crypto ---

uint64_t g_key_a = 0x0102030405060708;
uint64_t g_key_b = 0x1112131415161718;
uint32_t g_nonce_a = 0xa1b2c3d4;
uint32_t g_nonce_b = 0x2233aabb;
IpAddress g_addr = IpAddress::V4(192, 0, 2, 1);

template <typename Fn>
void BM_Crypto(benchmark::State& state, Fn fn) {
  ResetAllocCounts();
  for (auto _ : state) {
    auto r = fn();
    benchmark::DoNotOptimize(r);
    benchmark::ClobberMemory();
  }
  ReportAllocs(state, /*show_openssl=*/true);
  if (!OpensslHookInstalled()) state.SetLabel("OpenSSL allocations NOT counted");
}

void RegisterCrypto() {
  benchmark::RegisterBenchmark("crypto/token_v1", [](benchmark::State& state) {
    BM_Crypto(state, [] { return Token(g_key_a, MptcpVersion::kV1); });
  });
  benchmark::RegisterBenchmark("crypto/token_v0", [](benchmark::State& state) {
    BM_Crypto(state, [] { return Token(g_key_a, MptcpVersion::kV0); });
  });
  benchmark::RegisterBenchmark("crypto/idsn_v1", [](benchmark::State& state) {
    BM_Crypto(state, [] { return Idsn(g_key_a, MptcpVersion::kV1); });
  });
  benchmark::RegisterBenchmark("crypto/idsn_v0", [](benchmark::State& state) {
    BM_Crypto(state, [] { return Idsn(g_key_a, MptcpVersion::kV0); });
  });
  benchmark::RegisterBenchmark("crypto/join_synack_hmac_v1", [](benchmark::State& state) {
    BM_Crypto(state, [] {
      return JoinSynAckTruncatedHmac(MptcpVersion::kV1, g_key_b, g_key_a, g_nonce_b, g_nonce_a);
    });
  });
  benchmark::RegisterBenchmark("crypto/join_ack_hmac_v1", [](benchmark::State& state) {
    BM_Crypto(state, [] {
      return JoinAckHmac(MptcpVersion::kV1, g_key_a, g_key_b, g_nonce_a, g_nonce_b);
    });
  });
  benchmark::RegisterBenchmark("crypto/add_addr_hmac_v4", [](benchmark::State& state) {
    BM_Crypto(state, [] { return AddAddrHmac(g_key_a, g_key_b, 1, g_addr, std::nullopt); });
  });
}

}  // namespace
}  // namespace mptcp_bench

int main(int argc, char** argv) {
  // First, before OpenSSL can allocate anything.
  const bool hooked = mptcp_bench::InstallOpensslHook();
  benchmark::AddCustomContext("openssl_alloc_hook", hooked ? "installed" : "refused");
#ifdef __clang__
  benchmark::AddCustomContext("compiler", "clang " __clang_version__);
#else
  benchmark::AddCustomContext("compiler", "gcc " __VERSION__);
#endif
#ifdef __OPTIMIZE__
  benchmark::AddCustomContext("codec_optimized", "yes");
#else
  benchmark::AddCustomContext("codec_optimized", "no");
#endif
  mptcp_bench::RegisterWalks();
  if (!mptcp_bench::CheckParsersAgree()) return 1;
  mptcp_bench::RegisterSubtypes();
  benchmark::RegisterBenchmark("build_option_area/syn", mptcp_bench::BM_BuildOptionAreaSyn);
  mptcp_bench::RegisterEditor();
  mptcp_bench::RegisterMpConvert();
  mptcp_bench::RegisterCrypto();

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
