// SPDX-License-Identifier: Apache-2.0
// Converter::HandleSegments (the batch entry point, issue 14) is
// HandleSegment applied to each segment in order: the same verdicts, and the
// same actions, events, counters, pair states and deadlines afterwards. Each
// test feeds one converter through HandleSegments and a twin, built from the
// same config, one segment at a time through HandleSegment, and compares
// everything they say. The sequences mix what a receive burst holds: SYNs
// that create pairs, segments of tracked and of untracked flows, a RST that
// closes a pair in the middle of a burst followed by a segment of that pair,
// a SYN followed by a segment of its new pair in the same burst, and bursts
// longer than the prefetch pipeline (and shorter than it). Also: the
// per-segment path allocates nothing, and a short `verdicts` span bounds how
// many segments are handled.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mcp_core/config_loader.h"
#include "mcp_core/converter.h"
#include "mcp_core/rule_test_support.h"
#include "mcp_core/test_harness.h"

namespace mcp_core {
// Counts the binary's heap allocations (operator new; new[] and the
// library's containers come through it), for the no-allocation test below.
std::atomic<uint64_t> g_allocations{0};
}  // namespace mcp_core

void* operator new(size_t n) {
  mcp_core::g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace mcp_core {
namespace {

using namespace test;
using ::testing::ElementsAreArray;

std::string Str(const FourTuple& t) {
  return t.src.ToString() + ":" + std::to_string(t.src_port) + ">" + t.dst.ToString() + ":" +
         std::to_string(t.dst_port);
}

std::string Str(const Verdict& v) {
  return "verdict " + std::to_string(v.kind) + " flow " + std::to_string(v.flow) + " leg " +
         std::to_string(int(v.leg));
}

// Every field of an action.
std::string Str(const Action& a) {
  std::string s = "action " + std::to_string(a.kind) + " flow " + std::to_string(a.flow) + " leg " +
                  std::to_string(int(a.leg)) + " transport " + std::to_string(int(a.transport)) + " " +
                  Str(a.tuple) + " mss " + std::to_string(a.mss) + " dscp " +
                  (a.dscp ? std::to_string(*a.dscp) : "-") + " failed " + std::to_string(a.failed) +
                  " echo_length " + std::to_string(a.echo_length) + " payload";
  for (uint8_t b : a.payload) {
    char hex[4];
    std::snprintf(hex, sizeof(hex), " %02x", b);
    s += hex;
  }
  return s;
}

std::string Str(const Event& e) {
  return std::string(EventKindName(e.kind)) + " flow " + std::to_string(e.flow) + " reason " +
         std::to_string(e.reason);
}

std::vector<std::string> Lines(const Stats& s) {
  std::vector<std::string> out;
  for (int k = 0; k < kNumEventKinds; ++k) {
    out.push_back(std::string(EventKindName(EventKind(k))) + " " + std::to_string(s.events[k]));
  }
  out.push_back("events_dropped " + std::to_string(s.events_dropped));
  out.push_back("time_went_backwards " + std::to_string(s.time_went_backwards));
  out.push_back("segments " + std::to_string(s.segments));
  out.push_back("segments_tracked " + std::to_string(s.segments_tracked));
  out.push_back("illegal_inputs " + std::to_string(s.illegal_inputs));
  out.push_back("pairs_created " + std::to_string(s.pairs_created));
  out.push_back("pairs_closed " + std::to_string(s.pairs_closed));
  out.push_back("pairs " + std::to_string(s.pairs));
  out.push_back("half_open " + std::to_string(s.half_open));
  return out;
}

// A converter fed in batches and its twin fed one segment at a time.
class Twins {
 public:
  explicit Twins(const Config& config) : batched_(config), single_(config) {}

  // The same segments to both; the verdicts must agree. Returns them.
  std::vector<Verdict> Segments(Instant now, const std::vector<OwnedSegment>& owned) {
    std::vector<SegmentView> views;
    for (const auto& s : owned) views.push_back(s.view());
    std::vector<Verdict> batched(views.size(), Verdict{Verdict::kReset, 0xdead, Leg::kDownstream});
    batched_.HandleSegments(now, views, batched);
    std::vector<Verdict> single;
    for (const auto& v : views) single.push_back(single_.HandleSegment(now, v));
    std::vector<std::string> a, b;
    for (const auto& v : batched) a.push_back(Str(v));
    for (const auto& v : single) b.push_back(Str(v));
    EXPECT_THAT(a, ElementsAreArray(b)) << "verdicts (HandleSegments vs HandleSegment)";
    ExpectSameOutputs();
    return single;
  }

  // Anything else, done to both the same way.
  void LegEvent(Instant now, FlowId flow, Leg leg, const mcp_core::LegEvent& event) {
    const absl::Status a = batched_.HandleLegEvent(now, flow, leg, event);
    const absl::Status b = single_.HandleLegEvent(now, flow, leg, event);
    EXPECT_EQ(a, b);
    ExpectSameOutputs();
  }

  // Actions and events (drained, in order), counters, deadlines.
  void ExpectSameOutputs() {
    std::vector<std::string> a, b;
    while (auto x = batched_.PollAction()) a.push_back(Str(*x));
    while (auto x = single_.PollAction()) b.push_back(Str(*x));
    EXPECT_THAT(a, ElementsAreArray(b)) << "actions";
    actions_ += b.size();
    a.clear();
    b.clear();
    while (auto x = batched_.PollEvent()) a.push_back(Str(*x));
    while (auto x = single_.PollEvent()) b.push_back(Str(*x));
    EXPECT_THAT(a, ElementsAreArray(b)) << "events";
    EXPECT_THAT(Lines(batched_.stats()), ElementsAreArray(Lines(single_.stats()))) << "stats";
    EXPECT_EQ(batched_.NextDeadline(), single_.NextDeadline());
  }

  void ExpectSameState(FlowId flow) { EXPECT_EQ(batched_.StateOf(flow), single_.StateOf(flow)) << flow; }

  Converter& single() { return single_; }
  size_t actions_seen() const { return actions_; }

 private:
  Converter batched_;
  Converter single_;
  size_t actions_ = 0;
};

OwnedSegment Data(const FourTuple& tuple, uint32_t seq, const std::string& payload,
                  Interface iface = Interface::kCustomerFacing) {
  OwnedSegment s;
  s.interface = iface;
  s.tuple = tuple;
  s.flags = kTcpAck;
  s.seq = seq;
  s.window = 1000;
  s.payload.assign(payload.begin(), payload.end());
  return s;
}

OwnedSegment Rst(const FourTuple& tuple, uint32_t seq) {
  OwnedSegment s;
  s.tuple = tuple;
  s.flags = kTcpRst;
  s.seq = seq;
  return s;
}

FourTuple Lan(int host, uint16_t port) {
  return {Ip("192.168.1." + std::to_string(host)), Ip("192.0.2.80"), port, 443};
}

// A CPE: LAN SYNs become pairs (plain TCP upstream, so an exact RST from the
// LAN host closes its pair), native MPTCP SYNs and Internet-side segments
// pass through.
TEST(ConverterBatchTest, CpeMixedBurstsMatchOneByOne) {
  Twins twins(Load(R"pb(role: CPE_MCP network_mcps { address: "203.0.113.1" port: 5555 })pb"));
  constexpr uint32_t kIsn = 1000;

  // Burst 1: ten LAN SYNs (pairs created while the index grows), a native
  // MPTCP SYN and an Internet-side segment (untracked), and the first data
  // segment of three of the new pairs, all in one burst.
  std::vector<OwnedSegment> burst;
  for (int h = 1; h <= 10; ++h) {
    auto syn = TcpSyn(Lan(h, 50000));
    syn.seq = kIsn;
    burst.push_back(syn);
    if (h == 3) burst.push_back(MptcpSyn(Lan(100, 50000), {}));  // native MPTCP: passed through
    if (h == 5) burst.push_back(Data({Ip("198.51.100.7"), Ip("192.168.1.1"), 443, 40000}, 7, "x",
                                     Interface::kInternetFacing));
  }
  for (int h : {2, 7, 10}) burst.push_back(Data(Lan(h, 50000), kIsn + 1, "abc"));
  const std::vector<Verdict> v1 = twins.Segments(T(0), burst);
  std::vector<FlowId> flow(11, 0);
  int created = 0;
  for (const Verdict& v : v1) {
    if (v.kind == Verdict::kIntercept) flow[++created] = v.flow;
  }
  ASSERT_EQ(created, 10) << "every LAN SYN made a pair";
  EXPECT_EQ(v1.back().kind, Verdict::kForward);
  EXPECT_EQ(v1.back().flow, flow[10]);

  // The MCP answers for some of the pairs, the same way to both.
  std::vector<uint8_t> echo = Ies({{false, Ip("192.0.2.80"), 443}});
  for (int h : {1, 2, 3, 4}) {
    LegEvent connected;
    connected.kind = LegEvent::kConnected;
    connected.with_mptcp = true;
    connected.syn_ack_payload = echo;
    twins.LegEvent(T(1), flow[h], Leg::kDownstream, connected);
  }

  // Burst 2, forty segments (longer than the prefetch pipeline): tracked
  // data on established and on half-open pairs, untracked segments, an
  // exact RST closing pair 2 in the middle and then a segment of pair 2
  // (now untracked), a new SYN and then a segment of its pair, a RST for
  // pair 7 and a retransmitted SYN of the closed pair 2 (a new pair).
  burst.clear();
  size_t rst_at = 0;
  for (int round = 0; round < 3; ++round) {
    for (int h : {1, 3, 4, 5, 6, 8}) burst.push_back(Data(Lan(h, 50000), kIsn + 1 + round, "d"));
    burst.push_back(Data({Ip("198.51.100.8"), Ip("192.168.1.1"), 443, uint16_t(40001 + round)}, 9, "y",
                         Interface::kInternetFacing));
    if (round == 0) {
      rst_at = burst.size();
      burst.push_back(Rst(Lan(2, 50000), kIsn + 4));           // exact: after its SYN and "abc"
      burst.push_back(Data(Lan(2, 50000), kIsn + 4, "late"));  // its pair is gone
      auto syn = TcpSyn(Lan(11, 50001));
      syn.seq = kIsn;
      burst.push_back(syn);
      burst.push_back(Data(Lan(11, 50001), kIsn + 1, "new"));
    }
    if (round == 1) burst.push_back(Rst(Lan(7, 50000), kIsn + 4));
  }
  {
    auto again = TcpSyn(Lan(2, 50000));
    again.seq = kIsn + 5000;
    burst.push_back(again);
    burst.push_back(Data(Lan(2, 50000), kIsn + 5001, "second life"));
  }
  while (burst.size() < 40) burst.push_back(Data(Lan(9, 50000), kIsn + 1, "f"));
  const std::vector<Verdict> v2 = twins.Segments(T(2), burst);

  // The sequence did what it is meant to exercise (the one-by-one twin's
  // verdicts; the batched ones are equal to them).
  ASSERT_EQ(v2.size(), 40u);
  EXPECT_EQ(v2[rst_at].kind, Verdict::kForward) << "the RST";
  EXPECT_EQ(v2[rst_at].flow, flow[2]);
  EXPECT_EQ(v2[rst_at + 1].kind, Verdict::kPassThrough) << "the segment after the RST";
  EXPECT_EQ(v2[rst_at + 2].kind, Verdict::kIntercept) << "the new SYN";
  EXPECT_EQ(v2[rst_at + 3].kind, Verdict::kForward) << "the new pair's segment";
  EXPECT_EQ(v2[rst_at + 3].flow, v2[rst_at + 2].flow);
  EXPECT_EQ(twins.single().StateOf(flow[2]), State::kClosed);
  EXPECT_EQ(twins.single().StateOf(flow[7]), State::kClosed);
  for (int h = 1; h <= 10; ++h) twins.ExpectSameState(flow[h]);
  twins.ExpectSameState(v2[rst_at + 2].flow);
  EXPECT_GT(twins.actions_seen(), 0u);

  // Burst 3: shorter than the pipeline, and a single segment.
  twins.Segments(T(3), {Data(Lan(1, 50000), kIsn + 4, "z"), Rst(Lan(1, 50000), kIsn + 5),
                        Data(Lan(1, 50000), kIsn + 5, "gone")});
  twins.Segments(T(4), {Data(Lan(3, 50000), kIsn + 4, "z")});
  twins.ExpectSameState(flow[1]);
  EXPECT_EQ(twins.single().StateOf(flow[1]), State::kClosed);
}

// A network MCP: MPTCP SYNs with IEs (accepted, refused for a malformed IE,
// retransmitted), MP_JOIN SYNs, data on new pairs in the burst that created
// them, SYNs not for the MCP.
TEST(ConverterBatchTest, NetworkMcpMixedBurstsMatchOneByOne) {
  Twins twins(Load(R"pb(role: NETWORK_MCP mcp_addresses: "203.0.113.1"
                        relay_mp_capable_to_servers: false max_half_open_per_source: 4)pb"));
  const std::vector<uint8_t> ies = Ies({{false, Ip("192.0.2.80"), 443}});
  auto client = [](int i) { return FourTuple{Ip("100.64.1." + std::to_string(i % 3 + 1)), Ip("203.0.113.1"),
                                             uint16_t(40000 + i), 5555}; };
  std::vector<OwnedSegment> burst;
  for (int i = 0; i < 16; ++i) {
    auto syn = MptcpSyn(client(i), ies);
    syn.seq = 100;
    burst.push_back(syn);
    if (i % 4 == 1) burst.push_back(Data(client(i), 101 + uint32_t(ies.size()), "data"));  // its new pair
    if (i == 5) burst.push_back(syn);  // retransmitted: the pair's own
    if (i == 6) burst.push_back(MptcpSyn(client(99), {0xff, 0x01}));  // malformed IE: refused
    if (i == 8) {
      FourTuple elsewhere = client(98);
      elsewhere.dst = Ip("192.0.2.9");
      burst.push_back(MptcpSyn(elsewhere, ies));  // not for the MCP
      burst.push_back(TcpSyn(client(97)));        // plain TCP to the MCP
    }
  }
  const std::vector<Verdict> v1 = twins.Segments(T(0), burst);
  size_t intercepted = 0;
  for (const Verdict& v : v1) intercepted += v.kind == Verdict::kIntercept;
  EXPECT_GT(intercepted, 0u);
  EXPECT_GT(twins.single().stats().count(EventKind::kRefusedHalfOpenPerSource), 0u)
      << "some SYNs past max_half_open_per_source, within the burst";

  // MP_JOIN SYNs to an unknown token and to none, amid data.
  burst.clear();
  for (int i = 0; i < 12; ++i) {
    burst.push_back(Data(client(i), 101 + uint32_t(ies.size()), "more"));
    OwnedSegment join;
    join.tuple = client(200 + i);
    join.flags = kTcpSyn;
    join.options = Area({mo::MptcpOption{mo::MpJoinSyn{false, 2, 0xabcd0000u + uint32_t(i), 7}}});
    burst.push_back(join);
  }
  twins.Segments(T(1), burst);
  for (const Verdict& v : v1) twins.ExpectSameState(v.flow);
}

// The per-segment path allocates nothing: a burst of data segments on
// tracked MPTCP legs (timestamps + DSS, each option area parsed) and of
// untracked flows, through HandleSegments.
TEST(ConverterBatchTest, TrackedAndUntrackedBurstsAllocateNothing) {
  Converter c(Load(R"pb(role: NETWORK_MCP mcp_addresses: "203.0.113.1"
                        relay_mp_capable_to_servers: false)pb"));
  const std::vector<uint8_t> ies = Ies({{false, Ip("192.0.2.80"), 443}});
  auto client = [](int i) { return FourTuple{Ip("100.64.2." + std::to_string(i + 1)), Ip("203.0.113.1"),
                                             40000, 5555}; };
  LegEvent connected;
  connected.kind = LegEvent::kConnected;
  for (int i = 0; i < 40; ++i) {
    const Verdict v = c.HandleSegment(T(0), MptcpSyn(client(i), ies).view());
    ASSERT_EQ(v.kind, Verdict::kIntercept);
    ASSERT_TRUE(c.HandleLegEvent(T(0), v.flow, Leg::kDownstream, connected).ok());
  }
  Drain(c);
  DrainEvents(c);
  mo::Dss dss;
  dss.data_ack = 1;
  dss.data_ack_8_bytes = true;
  dss.mapping = mo::DssMapping{1, 1, 1400, std::nullopt};
  dss.dsn_8_bytes = true;
  std::vector<OwnedSegment> owned;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 40; ++i) {
      OwnedSegment s = Data(client(i), 1 + uint32_t(ies.size()) + uint32_t(round), "x");
      s.options = Area({mo::Timestamps{5, 6}, mo::MptcpOption{dss}});
      owned.push_back(s);
      if (i % 8 == 0) owned.push_back(Data({Ip("198.51.100.1"), Ip("192.0.2.1"), uint16_t(i), 80}, 1, "u"));
    }
  }
  std::vector<SegmentView> views;
  for (const auto& s : owned) views.push_back(s.view());
  std::vector<Verdict> verdicts(views.size());
  const uint64_t before = g_allocations.load();
  c.HandleSegments(T(1), views, verdicts);
  EXPECT_EQ(g_allocations.load() - before, 0u);
  EXPECT_EQ(c.stats().segments_tracked, 80u);
  for (const Verdict& v : verdicts) EXPECT_NE(v.kind, Verdict::kDrop);
}

// verdicts shorter than segments: only the first verdicts.size() segments
// are handled; an empty burst changes nothing.
TEST(ConverterBatchTest, HandlesAsManySegmentsAsThereAreVerdicts) {
  Converter c(Load(R"pb(role: CPE_MCP network_mcps { address: "203.0.113.1" port: 5555 })pb"));
  const std::vector<OwnedSegment> owned = {TcpSyn(Lan(1, 50000)), TcpSyn(Lan(2, 50000)), TcpSyn(Lan(3, 50000))};
  std::vector<SegmentView> views;
  for (const auto& s : owned) views.push_back(s.view());
  c.HandleSegments(T(0), views, {});
  EXPECT_EQ(c.stats().segments, 0u);
  std::vector<Verdict> verdicts(2);
  c.HandleSegments(T(0), views, verdicts);
  EXPECT_EQ(c.stats().segments, 2u);
  EXPECT_EQ(c.stats().pairs, 2u);
  EXPECT_EQ(verdicts[0].kind, Verdict::kIntercept);
  EXPECT_EQ(verdicts[1].kind, Verdict::kIntercept);
}

}  // namespace
}  // namespace mcp_core
