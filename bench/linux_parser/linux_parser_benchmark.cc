// SPDX-License-Identifier: Apache-2.0
// Linux's own TCP/MPTCP option parsers (6.1: tcp_parse_options and
// mptcp_get_options/mptcp_parse_option, extracted at build time from Debian's
// linux-source-6.1 and compiled as user-space C, see README.md) against this
// project's parser and bench/kernel_style_parser.h, on the option areas of
// bench/codec_benchmark.cc, in one binary. Written for this project: no kernel
// code here; the kernel functions are linked in from a scratch build dir.
//
//   ours/AREA              mptcp_opts::ParseSegmentOptions (one pass: standard
//                          options + every MPTCP option decoded to a value)
//   kernel_style/AREA      mptcp_bench::KernelStyleParse
//   linux/AREA             tcp_parse_options + mptcp_get_options on the same
//                          segment (Linux's receive path walks the area twice)
//   linux_tcp_only/AREA    tcp_parse_options alone
//   linux_mptcp_only/AREA  mptcp_get_options alone
//
// AREA is one of syn, ts_dss, join_synack, ts_mpc_ack, add_addr, or mix (4096
// area indices from std::mt19937(0x6d707463) % 5, one per iteration). Harness
// conventions are codec_benchmark.cc's: inputs in mutable globals in 64-byte
// slots, each parser called through a [[gnu::noinline]] function, and every
// iteration ends in DoNotOptimize(out) + ClobberMemory(). Before any timing
// the parsers must agree on every area, or the binary aborts.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "bench/hex.h"
#include "bench/kernel_style_parser.h"
#include "bench/linux_parser/linux_glue.h"
#include "mptcp_opts/segment_options.h"

namespace mptcp_bench {
namespace {

using namespace mptcp_opts;

// ---------------------------------------------------------------- inputs ---

constexpr size_t kSlotBytes = 64;

constexpr uint8_t kFin = 0x01, kSyn = 0x02, kAck = 0x10;

// The option areas of bench/codec_benchmark.cc (kAreas, same hex), plus what
// Linux needs to know about the segment around each: its TCP flags, whether
// it arrives on an established connection (tcp_parse_options' `estab`), the
// payload length behind the header (mptcp_parse_option's MP_CAPABLE length
// check reads skb->len), and the MPTCP form the area carries.
struct AreaFixture {
  const char* name;
  const char* hex;
  uint8_t tcp_flags;
  bool estab;
  unsigned payload;
  lp_mptcp_form form;
};
constexpr AreaFixture kAreas[] = {
    // (a) SYN to a listener: tcp_conn_request parses with estab 0 and a
    // Fast Open cookie.
    {"syn", "020405b4 0402080a 0001e240 00000000 01030307 1e040181", kSyn, false, 0, LP_MPC_SYN},
    // (b) established data segment, DSS mapping 1440 bytes.
    {"ts_dss",
     "0101080a 0001e240 0001e23f 1e1a200f 8f3a1c2b 4d5e6f70 8f3a1c2b 4d5e1000 00000001 05a0"
     "0101",
     kAck, true, 1440, LP_DSS},
    // (c) SYN/ACK of an MP_JOIN subflow, parsed in SYN_SENT with estab 0.
    {"join_synack",
     "020405b4 0402080a 0001e240 0001e23f 01030307 1e101001 a1b2c3d4 e5f60718 2233aabb",
     kSyn | kAck, false, 0, LP_JOIN_SYNACK},
    // (d) third ACK of the MP_CAPABLE handshake, no data.
    {"ts_mpc_ack", "0101080a 0001e240 0001e23f 1e140181 0102030405060708 1112131415161718", kAck,
     true, 0, LP_MPC_ACK},
    // (e) pure ACK carrying ADD_ADDR.
    {"add_addr", "1e103001 c0000201 0a1b2c3d 4e5f6071", kAck, true, 0, LP_ADD_ADDR},
};
constexpr size_t kNumAreas = std::size(kAreas);

// Option areas (ours, kernel_style) and whole TCP headers (linux), one per
// 64-byte slot.
alignas(64) uint8_t g_area_bytes[kNumAreas][kSlotBytes];
alignas(64) uint8_t g_packet_bytes[kNumAreas][kSlotBytes];
struct InputRef {
  const uint8_t* data;
  size_t size;
};
InputRef g_inputs[kNumAreas];

// The Fast Open cookie tcp_conn_request / tcp_rcv_synsent_state_process pass
// for a SYN or SYN/ACK (nullptr on an established connection, as
// tcp_fast_parse_options passes).
alignas(64) uint8_t g_foc_bytes[kNumAreas][kSlotBytes];
struct LinuxInput {
  const sk_buff* skb;
  int estab;
  tcp_fastopen_cookie* foc;
};
LinuxInput g_linux_inputs[kNumAreas];

constexpr size_t kMixLength = 4096;  // power of two
constexpr uint32_t kMixSeed = 0x6d707463;  // "mptc"
uint8_t g_mix[kMixLength];

void SetUpInputs() {
  if (lp_sizeof_fastopen_cookie() > kSlotBytes) std::abort();
  for (size_t a = 0; a < kNumAreas; ++a) {
    const std::vector<uint8_t> bytes = Hex(kAreas[a].hex);
    if (bytes.size() > 40) std::abort();
    std::memcpy(g_area_bytes[a], bytes.data(), bytes.size());
    g_inputs[a] = {g_area_bytes[a], bytes.size()};
    sk_buff* skb = lp_make_skb(g_packet_bytes[a], bytes.data(), bytes.size(),
                               kAreas[a].tcp_flags, kAreas[a].payload);
    if (skb == nullptr) std::abort();
    auto* foc = reinterpret_cast<tcp_fastopen_cookie*>(g_foc_bytes[a]);
    lp_init_fastopen_cookie(foc);
    g_linux_inputs[a] = {skb, kAreas[a].estab ? 1 : 0, kAreas[a].estab ? nullptr : foc};
  }
  std::mt19937 rng(kMixSeed);
  for (auto& m : g_mix) m = uint8_t(rng() % kNumAreas);
}

// --------------------------------------------------------------- parsers ---

// What the kernel keeps per segment: struct tcp_options_received (in the
// socket, or a local for a SYN) and struct mptcp_options_received (a local).
// Opaque here; sizes checked against the C side at start-up.
struct LinuxState {
  alignas(16) unsigned char rx[64];
  alignas(16) unsigned char mp[256];
  tcp_options_received* tcp() { return reinterpret_cast<tcp_options_received*>(rx); }
  mptcp_options_received* mptcp() { return reinterpret_cast<mptcp_options_received*>(mp); }
  void Init() {
    if (lp_sizeof_tcp_options() > sizeof(rx) || lp_sizeof_mptcp_options() > sizeof(mp)) {
      std::fprintf(stderr, "kernel structs larger than LinuxState\n");
      std::abort();
    }
    std::memset(this, 0, sizeof(*this));
    lp_init_tcp_options(tcp());
    lp_init_mptcp_options(mptcp());
  }
};

[[gnu::noinline]] void ParseOurs(const InputRef& a, const CodecConfig& config,
                                 SegmentOptions& out) {
  ParseSegmentOptions({a.data, a.size}, config, out);
}
[[gnu::noinline]] void ParseKernelStyle(const InputRef& a, KernelStyleOptions& out) {
  KernelStyleParse(a.data, a.size, out);
}
[[gnu::noinline]] void ParseLinux(const LinuxInput& in, LinuxState& st) {
  tcp_parse_options(lp_net, in.skb, st.tcp(), in.estab, in.foc);
  mptcp_get_options(in.skb, st.mptcp());
}
[[gnu::noinline]] void ParseLinuxTcpOnly(const LinuxInput& in, LinuxState& st) {
  tcp_parse_options(lp_net, in.skb, st.tcp(), in.estab, in.foc);
}
[[gnu::noinline]] void ParseLinuxMptcpOnly(const LinuxInput& in, LinuxState& st) {
  mptcp_get_options(in.skb, st.mptcp());
}

struct OursParser {
  SegmentOptions out{};
  CodecConfig config{};
  void Parse(size_t i) { ParseOurs(g_inputs[i], config, out); }
};
struct KernelStyleParser {
  KernelStyleOptions out{};
  void Parse(size_t i) { ParseKernelStyle(g_inputs[i], out); }
};
struct LinuxParser {
  LinuxState out;
  LinuxParser() { out.Init(); }
  void Parse(size_t i) { ParseLinux(g_linux_inputs[i], out); }
};
struct LinuxTcpOnlyParser {
  LinuxState out;
  LinuxTcpOnlyParser() { out.Init(); }
  void Parse(size_t i) { ParseLinuxTcpOnly(g_linux_inputs[i], out); }
};
struct LinuxMptcpOnlyParser {
  LinuxState out;
  LinuxMptcpOnlyParser() { out.Init(); }
  void Parse(size_t i) { ParseLinuxMptcpOnly(g_linux_inputs[i], out); }
};

template <typename Parser>
void BM_Area(benchmark::State& state, size_t area) {
  Parser parser;
  for (auto _ : state) {
    parser.Parse(area);
    benchmark::DoNotOptimize(parser.out);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(g_inputs[area].size));
}

template <typename Parser>
void BM_Mix(benchmark::State& state) {
  Parser parser;
  size_t i = 0;
  for (auto _ : state) {
    parser.Parse(g_mix[i]);
    i = (i + 1) & (kMixLength - 1);
    benchmark::DoNotOptimize(parser.out);
    benchmark::ClobberMemory();
  }
}

// ------------------------------------------------------------- agreement ---

lp_facts FactsOfOurs(const SegmentOptions& s) {
  lp_facts f;
  std::memset(&f, 0, sizeof(f));
  if (s.walk != WalkStatus::kOk || s.malformed != 0 || s.mptcp_count != 1 ||
      s.mptcp[0].status != DecodeStatus::kOk) {
    f.form = LP_OTHER;
    return f;
  }
  f.mss = s.has(SegmentOptions::kMss) ? s.mss : 0;
  f.wscale_ok = s.has(SegmentOptions::kWindowScale);
  f.wscale = f.wscale_ok ? s.effective_window_scale() : 0;
  f.sack_ok = s.has(SegmentOptions::kSackPermitted);
  f.saw_tstamp = s.has(SegmentOptions::kTimestamps);
  if (f.saw_tstamp) {
    f.tsval = s.tsval;
    f.tsecr = s.tsecr;
  }
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, MpCapable>) {
          f.form = !v.sender_key ? LP_MPC_SYN : !v.receiver_key ? LP_MPC_SYNACK : LP_MPC_ACK;
          f.csum_reqd = v.checksum_required();
          f.deny_join_id0 = v.no_joins_to_this_address();
          f.sndr_key = v.sender_key.value_or(0);
          f.rcvr_key = v.receiver_key.value_or(0);
        } else if constexpr (std::is_same_v<T, MpJoinSyn>) {
          f.form = LP_JOIN_SYN;
          f.backup = v.backup;
          f.join_id = v.address_id;
          f.token = v.token;
          f.nonce = v.nonce;
        } else if constexpr (std::is_same_v<T, MpJoinSynAck>) {
          f.form = LP_JOIN_SYNACK;
          f.backup = v.backup;
          f.join_id = v.address_id;
          f.thmac = v.truncated_hmac;
          f.nonce = v.nonce;
        } else if constexpr (std::is_same_v<T, MpJoinAck>) {
          f.form = LP_JOIN_ACK;
          std::memcpy(f.hmac, v.hmac.data(), sizeof(f.hmac));
        } else if constexpr (std::is_same_v<T, Dss>) {
          f.form = LP_DSS;
          f.use_ack = v.data_ack.has_value();
          f.ack64 = f.use_ack && v.data_ack_8_bytes;
          f.use_map = v.mapping.has_value();
          f.dsn64 = f.use_map && v.dsn_8_bytes;
          f.data_fin = f.use_map && v.data_fin;
          f.data_ack = v.data_ack.value_or(0);
          if (v.mapping) {
            f.data_seq = v.mapping->dsn;
            f.subflow_seq = v.mapping->subflow_seq;
            f.data_len = v.mapping->data_level_length;
          }
        } else if constexpr (std::is_same_v<T, AddAddr>) {
          f.form = LP_ADD_ADDR;
          f.echo = v.echo;
          f.addr_id = v.address_id;
          f.family = v.address.is_v4() ? 4 : 6;
          std::memcpy(f.addr, v.address.bytes().data(), v.address.bytes().size());
          f.port = v.port.value_or(0);
          f.ahmac = v.truncated_hmac.value_or(0);
        } else {
          f.form = LP_OTHER;
        }
      },
      s.mptcp[0].value);
  return f;
}

lp_facts FactsOfKernelStyle(const KernelStyleOptions& k) {
  lp_facts f;
  std::memset(&f, 0, sizeof(f));
  f.mss = k.mss_clamp;
  f.wscale_ok = k.wscale_ok;
  f.wscale = k.wscale_ok ? k.snd_wscale : 0;
  f.sack_ok = k.sack_ok;
  f.saw_tstamp = k.saw_tstamp;
  if (f.saw_tstamp) {
    f.tsval = k.rcv_tsval;
    f.tsecr = k.rcv_tsecr;
  }
  const uint16_t sub = k.suboptions;
  if (sub & kSeenMpCapable) {
    f.form = k.mpc_keys == 0 ? LP_MPC_SYN : k.mpc_keys == 1 ? LP_MPC_SYNACK : LP_MPC_ACK;
    f.csum_reqd = k.csum_reqd;
    f.deny_join_id0 = k.deny_join_id0;
    if (k.mpc_keys >= 1) f.sndr_key = k.sndr_key;
    if (k.mpc_keys >= 2) f.rcvr_key = k.rcvr_key;
  } else if (sub & kSeenMpJoin) {
    if (k.join_len == 12) {
      f.form = LP_JOIN_SYN;
      f.token = k.token;
    } else if (k.join_len == 16) {
      f.form = LP_JOIN_SYNACK;
      f.thmac = k.thmac;
    } else {
      f.form = LP_JOIN_ACK;
      std::memcpy(f.hmac, k.hmac, sizeof(f.hmac));
    }
    if (f.form != LP_JOIN_ACK) {
      f.backup = k.backup;
      f.join_id = k.join_id;
      f.nonce = k.nonce;
    }
  } else if (sub & kSeenDss) {
    f.form = LP_DSS;
    f.use_ack = k.use_ack;
    f.ack64 = k.use_ack && k.ack64;
    f.use_map = k.use_map;
    f.dsn64 = k.use_map && k.dsn64;
    f.data_fin = k.use_map && k.data_fin;
    if (k.use_ack) f.data_ack = k.data_ack;
    if (k.use_map) {
      f.data_seq = k.data_seq;
      f.subflow_seq = k.subflow_seq;
      f.data_len = k.data_len;
    }
  } else if (sub & kSeenAddAddr) {
    f.form = LP_ADD_ADDR;
    f.echo = k.echo;
    f.addr_id = k.addr_id;
    f.family = k.family;
    std::memcpy(f.addr, k.addr, k.family == 4 ? 4 : 16);
    f.port = k.add_addr_has_port ? k.port : 0;
    f.ahmac = k.add_addr_has_hmac ? k.ahmac : 0;
  } else if (sub != 0) {
    f.form = LP_OTHER;
  }
  if (sub != 0 && (sub & (sub - 1)) != 0) f.form = LP_OTHER;  // more than one
  return f;
}

void PrintFacts(const char* who, const lp_facts& f) {
  std::fprintf(stderr,
               "  %-17s mss=%u ws_ok=%u ws=%u sack=%u ts=%u %u/%u form=%u csum=%u deny0=%u "
               "keys=%016llx/%016llx ack(%u,%u)=%llx map(%u,%u,fin %u)=%llx/%x/%u "
               "join id=%u bk=%u tok=%x nonce=%x thmac=%llx hmac0=%02x "
               "addr echo=%u id=%u fam=%u %u.%u.%u.%u port=%u ahmac=%llx\n",
               who, f.mss, f.wscale_ok, f.wscale, f.sack_ok, f.saw_tstamp, f.tsval, f.tsecr,
               f.form, f.csum_reqd, f.deny_join_id0, (unsigned long long)f.sndr_key,
               (unsigned long long)f.rcvr_key, f.use_ack, f.ack64,
               (unsigned long long)f.data_ack, f.use_map, f.dsn64, f.data_fin,
               (unsigned long long)f.data_seq, f.subflow_seq, f.data_len, f.join_id, f.backup,
               f.token, f.nonce, (unsigned long long)f.thmac, f.hmac[0], f.echo, f.addr_id,
               f.family, f.addr[0], f.addr[1], f.addr[2], f.addr[3], f.port,
               (unsigned long long)f.ahmac);
}

bool SameStandard(const lp_facts& a, const lp_facts& b) {
  return a.mss == b.mss && a.wscale_ok == b.wscale_ok && a.wscale == b.wscale &&
         a.sack_ok == b.sack_ok && a.saw_tstamp == b.saw_tstamp && a.tsval == b.tsval &&
         a.tsecr == b.tsecr;
}

// Every parser must extract the same standard options and the same MPTCP
// option (fields compared through lp_facts, zero-filled, so memcmp is exact).
bool CheckParsersAgree(bool verbose) {
  bool ok = true;
  for (size_t a = 0; a < kNumAreas; ++a) {
    OursParser ours;
    KernelStyleParser ks;
    LinuxParser lx;
    LinuxTcpOnlyParser lt;
    LinuxMptcpOnlyParser lm;
    ours.Parse(a);
    ks.Parse(a);
    lx.Parse(a);
    lt.Parse(a);
    lm.Parse(a);
    const lp_facts fo = FactsOfOurs(ours.out);
    const lp_facts fk = FactsOfKernelStyle(ks.out);
    lp_facts fl, flt, flm;
    lp_read_facts(lx.out.tcp(), lx.out.mptcp(), &fl);
    lp_read_facts(lt.out.tcp(), lt.out.mptcp(), &flt);
    lp_read_facts(lm.out.tcp(), lm.out.mptcp(), &flm);
    const bool same = fl.form == kAreas[a].form &&
                      std::memcmp(&fo, &fl, sizeof(fl)) == 0 &&
                      std::memcmp(&fk, &fl, sizeof(fl)) == 0 && SameStandard(flt, fl) &&
                      flt.form == LP_NONE && flm.form == fl.form &&
                      std::memcmp(&flm.form, &fl.form,
                                  sizeof(fl) - offsetof(lp_facts, form)) == 0;
    if (!same || verbose) {
      std::fprintf(stderr, "%s area %s\n", same ? "agree on" : "DISAGREE on", kAreas[a].name);
      PrintFacts("ours", fo);
      PrintFacts("kernel_style", fk);
      PrintFacts("linux", fl);
      PrintFacts("linux_tcp_only", flt);
      PrintFacts("linux_mptcp_only", flm);
    }
    ok = ok && same;
  }
  return ok;
}

void RegisterAll() {
  for (size_t a = 0; a < kNumAreas; ++a) {
    const std::string area = kAreas[a].name;
    benchmark::RegisterBenchmark(("ours/" + area).c_str(), BM_Area<OursParser>, a);
    benchmark::RegisterBenchmark(("kernel_style/" + area).c_str(), BM_Area<KernelStyleParser>, a);
    benchmark::RegisterBenchmark(("linux/" + area).c_str(), BM_Area<LinuxParser>, a);
    benchmark::RegisterBenchmark(("linux_tcp_only/" + area).c_str(), BM_Area<LinuxTcpOnlyParser>,
                                 a);
    benchmark::RegisterBenchmark(("linux_mptcp_only/" + area).c_str(),
                                 BM_Area<LinuxMptcpOnlyParser>, a);
  }
  benchmark::RegisterBenchmark("ours/mix", BM_Mix<OursParser>);
  benchmark::RegisterBenchmark("kernel_style/mix", BM_Mix<KernelStyleParser>);
  benchmark::RegisterBenchmark("linux/mix", BM_Mix<LinuxParser>);
  benchmark::RegisterBenchmark("linux_tcp_only/mix", BM_Mix<LinuxTcpOnlyParser>);
  benchmark::RegisterBenchmark("linux_mptcp_only/mix", BM_Mix<LinuxMptcpOnlyParser>);
}

}  // namespace
}  // namespace mptcp_bench

namespace mptcp_bench {
namespace {

// --calls=PARSER/AREA:N: N untimed calls of one parser on one area, for
// count_instructions.sh (valgrind callgrind; instruction counts do not move
// with code placement the way nanoseconds do). Returns false on a bad spec.
template <typename Parser>
void CallN(size_t area, long n) {
  static Parser parser;  // static: its constructor is outside the counted calls' difference
  for (long i = 0; i < n; ++i) {
    parser.Parse(area);
    benchmark::DoNotOptimize(parser.out);
    benchmark::ClobberMemory();
  }
}

bool RunCalls(const char* spec) {
  const char* slash = std::strchr(spec, '/');
  const char* colon = slash ? std::strchr(slash, ':') : nullptr;
  if (!slash || !colon) return false;
  const std::string parser(spec, slash), area(slash + 1, colon);
  const long n = std::atol(colon + 1);
  size_t a = kNumAreas;
  for (size_t i = 0; i < kNumAreas; ++i) if (area == kAreas[i].name) a = i;
  if (a == kNumAreas || n < 0) return false;
  if (parser == "ours") CallN<OursParser>(a, n);
  else if (parser == "kernel_style") CallN<KernelStyleParser>(a, n);
  else if (parser == "linux") CallN<LinuxParser>(a, n);
  else if (parser == "linux_tcp_only") CallN<LinuxTcpOnlyParser>(a, n);
  else if (parser == "linux_mptcp_only") CallN<LinuxMptcpOnlyParser>(a, n);
  else return false;
  return true;
}

}  // namespace
}  // namespace mptcp_bench

int main(int argc, char** argv) {
  using namespace mptcp_bench;
  bool check_only = false, verbose = false;
  const char* calls = nullptr;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--check_only") == 0) {
      check_only = true;
      verbose = true;
    } else if (std::strncmp(argv[i], "--calls=", 8) == 0) {
      calls = argv[i] + 8;
    } else {
      args.push_back(argv[i]);
    }
  }
  SetUpInputs();
  if (!CheckParsersAgree(verbose)) {
    std::fprintf(stderr, "parsers disagree: not timing anything\n");
    return 1;
  }
  if (calls) {
    if (RunCalls(calls)) return 0;
    std::fprintf(stderr, "--calls=PARSER/AREA:N, PARSER one of ours kernel_style linux "
                         "linux_tcp_only linux_mptcp_only, got '%s'\n", calls);
    return 2;
  }
  std::fprintf(stderr, "all parsers agree on all %zu areas\n", kNumAreas);
  if (check_only) return 0;
  int n = int(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
