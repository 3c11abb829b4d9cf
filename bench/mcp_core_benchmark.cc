// mcp_core costs per call and memory per tracked pair (issue 5 targets:
// pass-through verdict <= 50 ns, tracked segment <= 100 ns, SYN path <= 1 us,
// <= 256 bytes per tracked pair with one million pairs in the table).
//
//   bazel run -c opt //bench:mcp_core_benchmark
#include <malloc.h>

#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "mcp_core/config_loader.h"
#include "mcp_core/converter.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/option_area_builder.h"

namespace {

using namespace mcp_core;
namespace mo = mptcp_opts;

constexpr uint32_t kMillion = 1000000;

Config BenchConfig() {
  auto c = LoadConfig(R"pb(role: NETWORK_MCP mcp_addresses: "203.0.113.1"
                           relay_mp_capable_to_servers: false logging: false
                           max_flows: 1100000 max_half_open_total: 1100000 max_half_open_per_source: 64)pb");
  return *c;
}

FourTuple ClientTuple(uint32_t i) {
  // 65536 client addresses x 16 ports: a million distinct connections.
  return {mo::IpAddress::V4(100, 64 + uint8_t(i >> 20), uint8_t(i >> 12), uint8_t(i >> 4)),
          mo::IpAddress::V4(203, 0, 113, 1), uint16_t(20000 + (i & 15)), 5555};
}

struct Fixture {
  std::vector<uint8_t> syn_options, ies, data_options;
  Fixture() {
    uint8_t buf[64];
    size_t n = 0;
    const mo::TcpOptionValue syn[] = {mo::Mss{1460}, mo::SackPermitted{}, mo::Timestamps{1, 0},
                                      mo::WindowScale{7}, mo::MptcpOption{mo::MpCapable{}}};
    (void)mo::BuildOptionArea(syn, buf, n);
    syn_options.assign(buf, buf + n);
    const mo::MpConvertIe dst{false, mo::IpAddress::V4(192, 0, 2, 80), 443};
    (void)mo::BuildMpConvertIes({&dst, 1}, buf, n);
    ies.assign(buf, buf + n);
    mo::Dss dss;
    dss.data_ack = 1;
    dss.data_ack_8_bytes = true;
    dss.mapping = mo::DssMapping{1, 1, 1400, std::nullopt};
    dss.dsn_8_bytes = true;
    const mo::TcpOptionValue data[] = {mo::Timestamps{5, 6}, mo::MptcpOption{dss}};
    (void)mo::BuildOptionArea(data, buf, n);
    data_options.assign(buf, buf + n);
  }
  SegmentView Syn(const FourTuple& t) const {
    return {.interface = Interface::kCustomerFacing, .tuple = t, .flags = kTcpSyn, .seq = 0,
            .window = 65535, .options = syn_options, .payload = ies};
  }
};

// `pairs` established pairs, fed through the real SYN path.
std::unique_ptr<Converter> Populate(const Fixture& f, uint32_t pairs) {
  auto c = std::make_unique<Converter>(BenchConfig());
  const Instant now = Instant::FromNanos(1);
  LegEvent connected;
  connected.kind = LegEvent::kConnected;
  for (uint32_t i = 0; i < pairs; ++i) {
    const Verdict v = c->HandleSegment(now, f.Syn(ClientTuple(i)));
    (void)c->HandleLegEvent(now, v.flow, Leg::kDownstream, connected);
    while (c->PollAction()) {
    }
  }
  return c;
}

void BM_PassThroughVerdict(benchmark::State& state) {
  Fixture f;
  auto c = Populate(f, uint32_t(state.range(0)));
  // Segments of flows the core does not track (another client's traffic).
  std::vector<FourTuple> others;
  for (uint32_t i = 0; i < 4096; ++i) {
    FourTuple t = ClientTuple(i);
    t.dst = mo::IpAddress::V4(198, 51, 100, uint8_t(i));
    others.push_back(t);
  }
  size_t i = 0;
  const Instant now = Instant::FromNanos(2);
  for (auto _ : state) {
    SegmentView s{.interface = Interface::kCustomerFacing, .tuple = others[i++ & 4095], .flags = kTcpAck,
                  .options = f.data_options, .payload = {}};
    benchmark::DoNotOptimize(c->HandleSegment(now, s));
  }
}
BENCHMARK(BM_PassThroughVerdict)->Arg(1000)->Arg(kMillion)->Unit(benchmark::kNanosecond);

// An upstream data segment (timestamps + DSS) on a tracked MPTCP leg.
// range(1) = segments in a row per flow: 1 is the worst case (every segment
// a different, random pair of a million: cache and TLB misses on the index
// and on the pair), 16 is closer to real traffic, where a flow sends bursts.
void BM_TrackedSegment(benchmark::State& state) {
  Fixture f;
  const uint32_t pairs = uint32_t(state.range(0));
  const size_t burst = size_t(state.range(1));
  auto c = Populate(f, pairs);
  size_t i = 0;
  const Instant now = Instant::FromNanos(2);
  for (auto _ : state) {
    // In sequence after the SYN (seq 0, its IEs): the core's window check passes.
    SegmentView s{.interface = Interface::kCustomerFacing,
                  .tuple = ClientTuple(uint32_t(((i++ / burst) * 7919) % pairs)), .flags = kTcpAck,
                  .seq = uint32_t(1 + f.ies.size()), .window = 65535, .options = f.data_options,
                  .payload = {}};
    benchmark::DoNotOptimize(c->HandleSegment(now, s));
  }
}
BENCHMARK(BM_TrackedSegment)
    ->Args({1000, 1})
    ->Args({kMillion, 1})
    ->Args({kMillion, 16})
    ->Unit(benchmark::kNanosecond);

// The SYN path: validate, parse the IE, create the pair, queue the open;
// then drain the action and let the server refuse, which frees the pair
// again (so the table stays at its size). Both halves are in the figure.
void BM_SynPathAndTeardown(benchmark::State& state) {
  Fixture f;
  auto c = Populate(f, uint32_t(state.range(0)));
  LegEvent refused;
  refused.kind = LegEvent::kRefused;
  uint32_t i = 0;
  const Instant now = Instant::FromNanos(2);
  for (auto _ : state) {
    FourTuple t = ClientTuple(i++ & 0xfffff);
    t.src_port = 9;  // never among the populated tuples
    const Verdict v = c->HandleSegment(now, f.Syn(t));
    while (auto a = c->PollAction()) benchmark::DoNotOptimize(a);
    (void)c->HandleLegEvent(now, v.flow, Leg::kDownstream, refused);
    while (auto a = c->PollAction()) benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_SynPathAndTeardown)->Arg(1000)->Arg(kMillion)->Unit(benchmark::kNanosecond);

// Heap bytes per established pair with a million pairs (glibc mallinfo2:
// bytes in use, so table slack and hash-index buckets count too).
void BM_MemoryPerTrackedPair(benchmark::State& state) {
  Fixture f;
  for (auto _ : state) {
    const size_t before = mallinfo2().uordblks;
    auto c = Populate(f, kMillion);
    const size_t after = mallinfo2().uordblks;
    state.counters["bytes_per_pair"] = double(after - before) / kMillion;
    state.counters["pairs"] = c->stats().pairs;
    state.counters["sizeof_Pair"] = double(sizeof(Pair));
  }
}
BENCHMARK(BM_MemoryPerTrackedPair)->Iterations(1)->Repetitions(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
