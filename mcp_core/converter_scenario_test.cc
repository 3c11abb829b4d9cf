// SPDX-License-Identifier: Apache-2.0
// Scenario tests in virtual time: the figures of seed 002 (Figures 6, 12,
// 13, 14) and draft -10 (Figures 7, 9) replayed as scripted exchanges, plus
// fallback, caches, teardown coupling, DoS limits and every malformed IE (D7).
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mcp_core/config_loader.h"
#include "mcp_core/converter.h"
#include "mcp_core/test_harness.h"
#include "mptcp_opts/test_util.h"

namespace mcp_core {
namespace {

using namespace test;
using ::testing::ElementsAre;

Instant T(int64_t ms) { return Instant::FromNanos(ms * 1000000); }

Config NetworkMcp(const std::string& extra = "") {
  auto c = LoadConfig("role: NETWORK_MCP mcp_addresses: \"203.0.113.1\" " + extra);
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

Config Cpe(const std::string& extra = "") {
  auto c = LoadConfig("role: CPE_MCP network_mcps { address: \"203.0.113.1\" port: 5555 } " + extra);
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

const FourTuple kClientToMcp{Ip("100.64.1.10"), Ip("203.0.113.1"), 40001, 5555};
const mo::MpConvertIe kDstIe{false, Ip("192.0.2.80"), 443};

LegEvent Connected(bool mptcp = false, std::vector<uint8_t>* payload = nullptr) {
  LegEvent e;
  e.kind = LegEvent::kConnected;
  e.with_mptcp = mptcp;
  if (payload) e.syn_ack_payload = *payload;
  return e;
}
LegEvent Ev(LegEvent::Kind k) {
  LegEvent e;
  e.kind = k;
  return e;
}

// ------------------------------------------------------------ network MCP

// Draft -10 Figure 7 (seed 002 Figure 6, host-based): the client's SYN
// carries MP_CAPABLE and a destination IE; the MCP opens the downstream leg
// and answers the client, with the echo, only once the server has answered.
TEST(NetworkMcpTest, Figure7ExplicitSetupWithEcho) {
  Converter mcp(NetworkMcp());
  const auto syn = MptcpSyn(kClientToMcp, Ies({kDstIe}, "GET /"));
  const Verdict v = mcp.HandleSegment(T(0), syn.view());
  ASSERT_EQ(v.kind, Verdict::kIntercept);
  auto actions = Drain(mcp);
  ASSERT_THAT(Describe(actions), ElementsAre("OPEN down mptcp 192.0.2.80:443"));
  // D4: the IEs are stripped, the data that follows is relayed.
  EXPECT_EQ(std::string(actions[0].payload.begin(), actions[0].payload.end()), "GET /");
  // Transparent by default: the client's address is kept.
  EXPECT_EQ(actions[0].tuple.src, Ip("100.64.1.10"));
  EXPECT_EQ(mcp.StateOf(v.flow), State::kAwaitingServer);
  EXPECT_TRUE(Drain(mcp).empty()) << "no answer to the client before the server answers";

  ASSERT_TRUE(mcp.HandleLegEvent(T(30), v.flow, Leg::kDownstream, Connected(false)).ok());
  actions = Drain(mcp);
  ASSERT_THAT(Describe(actions), ElementsAre("ANSWER_SYN up"));
  // D3: byte-identical echo of the IEs, same order.
  EXPECT_EQ(actions[0].payload, Ies({kDstIe}));
  EXPECT_EQ(mcp.StateOf(v.flow), State::kEstablished);
  EXPECT_THAT(DrainEvents(mcp), ElementsAre(EventKind::kPairCreated, EventKind::kPairEstablished));
  EXPECT_EQ(mcp.stats().half_open, 0u);
  // One idle lifetime for the pair from now on.
  EXPECT_EQ(mcp.NextDeadline(), T(30) + mcp.config().idle_lifetime);
}

TEST(NetworkMcpTest, DestinationPortFromTheSynWhenTheIeHasNone) {
  Converter mcp(NetworkMcp());
  const auto syn = MptcpSyn(kClientToMcp, Ies({{false, Ip("192.0.2.80"), std::nullopt}}));
  ASSERT_EQ(mcp.HandleSegment(T(0), syn.view()).kind, Verdict::kIntercept);
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("OPEN down mptcp 192.0.2.80:5555"));
}

// Seed 002 Figure 12 / draft -10 Figure 9 with a source IE: the downstream
// leg uses the LAN host's address and port.
TEST(NetworkMcpTest, SourcePreservationFromSourceIe) {
  Converter mcp(NetworkMcp("relay_mp_capable_to_servers: false"));
  const mo::MpConvertIe src{true, Ip("198.51.100.20"), 51515};
  const auto syn = MptcpSyn(kClientToMcp, Ies({src, kDstIe}));
  const Verdict v = mcp.HandleSegment(T(0), syn.view());
  ASSERT_EQ(v.kind, Verdict::kIntercept);
  const auto actions = Drain(mcp);
  ASSERT_THAT(Describe(actions), ElementsAre("OPEN down tcp 192.0.2.80:443"));
  EXPECT_EQ(actions[0].tuple.src, Ip("198.51.100.20"));
  EXPECT_EQ(actions[0].tuple.src_port, 51515);
  ASSERT_TRUE(mcp.HandleLegEvent(T(10), v.flow, Leg::kDownstream, Connected()).ok());
  EXPECT_EQ(Drain(mcp)[0].payload, Ies({src, kDstIe})) << "both IEs echoed, same order";
}

// Seed 002 Figures 13 and 14: without source preservation the downstream
// source comes from the pool, the same address for every flow of a client.
TEST(NetworkMcpTest, Figure13And14PoolAddressIsPairedPerClient) {
  Converter mcp(NetworkMcp("source_mode: POOL source_pool: \"192.0.2.200\" source_pool: \"192.0.2.201\" "
                           "source_pool: \"2001:db8:1::1\""));
  std::set<std::string> used;
  for (uint16_t port = 40000; port < 40010; ++port) {
    FourTuple t = kClientToMcp;
    t.src_port = port;
    ASSERT_EQ(mcp.HandleSegment(T(0), MptcpSyn(t, Ies({kDstIe})).view()).kind, Verdict::kIntercept);
    const auto a = Drain(mcp);
    EXPECT_TRUE(a[0].tuple.src.is_v4()) << "pool address of the destination's family";
    used.insert(a[0].tuple.src.ToString());
  }
  EXPECT_EQ(used.size(), 1u);
}

TEST(NetworkMcpTest, ServerRefusesThenClientIsRefused) {
  Converter mcp(NetworkMcp());
  const Verdict v = mcp.HandleSegment(T(0), MptcpSyn(kClientToMcp, Ies({kDstIe})).view());
  Drain(mcp);
  ASSERT_TRUE(mcp.HandleLegEvent(T(5), v.flow, Leg::kDownstream, Ev(LegEvent::kRefused)).ok());
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("RESET up"));
  EXPECT_EQ(mcp.StateOf(v.flow), State::kClosed);
  EXPECT_EQ(mcp.stats().pairs, 0u);
  EXPECT_EQ(mcp.stats().half_open, 0u);
  EXPECT_EQ(mcp.NextDeadline(), std::nullopt);
  EXPECT_EQ(mcp.HandleLegEvent(T(6), v.flow, Leg::kDownstream, Connected()).code(),
            absl::StatusCode::kNotFound);
}

// D9: the server stays silent to the MPTCP SYN; one plain-TCP retry; it
// works, so the server enters the cache and the next flow goes plain at once.
TEST(NetworkMcpTest, ServerSilentToMpCapableRetriesPlainAndIsCached) {
  Converter mcp(NetworkMcp());
  const Verdict v = mcp.HandleSegment(T(0), MptcpSyn(kClientToMcp, Ies({kDstIe})).view());
  Drain(mcp);
  EXPECT_EQ(mcp.NextDeadline(), T(3000));
  mcp.HandleTimeouts(T(3000));
  // The MPTCP attempt never completed: RST, not MP_FASTCLOSE.
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("RESET down", "OPEN down tcp 192.0.2.80:443"));
  EXPECT_EQ(mcp.NextDeadline(), T(13000));
  ASSERT_TRUE(mcp.HandleLegEvent(T(3020), v.flow, Leg::kDownstream, Connected()).ok());
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("ANSWER_SYN up"));
  FourTuple t = kClientToMcp;
  t.src_port = 40002;
  ASSERT_EQ(mcp.HandleSegment(T(4000), MptcpSyn(t, Ies({kDstIe})).view()).kind, Verdict::kIntercept);
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("OPEN down tcp 192.0.2.80:443"));
}

TEST(NetworkMcpTest, ServerNeverAnswersTearsUpstreamDown) {
  Converter mcp(NetworkMcp("relay_mp_capable_to_servers: false setup_timeout_ms: 2000"));
  const Verdict v = mcp.HandleSegment(T(0), MptcpSyn(kClientToMcp, Ies({kDstIe})).view());
  Drain(mcp);
  EXPECT_EQ(mcp.NextDeadline(), T(2000));
  mcp.HandleTimeouts(T(1999));
  EXPECT_TRUE(Drain(mcp).empty());
  mcp.HandleTimeouts(T(2000));
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("RESET up", "RESET down"));
  EXPECT_EQ(mcp.StateOf(v.flow), State::kClosed);
  EXPECT_EQ(mcp.stats().count(EventKind::kSetupFailed), 1u);
}

// Draft -10 §6.2 coupling, every direction.
class CouplingTest : public ::testing::Test {
 protected:
  CouplingTest() : mcp_(NetworkMcp("relay_mp_capable_to_servers: false idle_lifetime_seconds: 60")) {
    flow_ = mcp_.HandleSegment(T(0), MptcpSyn(kClientToMcp, Ies({kDstIe})).view()).flow;
    EXPECT_TRUE(mcp_.HandleLegEvent(T(1), flow_, Leg::kDownstream, Connected()).ok());
    Drain(mcp_);
  }
  Converter mcp_;
  FlowId flow_;
};

TEST_F(CouplingTest, DownstreamResetFastClosesUpstream) {
  ASSERT_TRUE(mcp_.HandleLegEvent(T(2), flow_, Leg::kDownstream, Ev(LegEvent::kReset)).ok());
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("FASTCLOSE up"));
  EXPECT_EQ(mcp_.stats().pairs, 0u);
}

TEST_F(CouplingTest, DownstreamTimeoutFastClosesUpstream) {
  ASSERT_TRUE(mcp_.HandleLegEvent(T(2), flow_, Leg::kDownstream, Ev(LegEvent::kTimedOut)).ok());
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("FASTCLOSE up"));
}

TEST_F(CouplingTest, UpstreamFastCloseResetsDownstream) {
  ASSERT_TRUE(mcp_.HandleLegEvent(T(2), flow_, Leg::kUpstream, Ev(LegEvent::kFastClose)).ok());
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("RESET down"));
}

TEST_F(CouplingTest, DataFinUpstreamFinDownstreamBothWays) {
  ASSERT_TRUE(mcp_.HandleLegEvent(T(2), flow_, Leg::kUpstream, Ev(LegEvent::kFin)).ok());
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("CLOSE down"));
  EXPECT_EQ(mcp_.StateOf(flow_), State::kUpstreamClosed);
  ASSERT_TRUE(mcp_.HandleLegEvent(T(3), flow_, Leg::kDownstream, Ev(LegEvent::kFin)).ok());
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("CLOSE up"));
  EXPECT_EQ(mcp_.StateOf(flow_), State::kClosed);
}

TEST_F(CouplingTest, ServerFinClosesUpstreamGracefully) {
  ASSERT_TRUE(mcp_.HandleLegEvent(T(2), flow_, Leg::kDownstream, Ev(LegEvent::kFin)).ok());
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("CLOSE up"));
  ASSERT_TRUE(mcp_.HandleLegEvent(T(3), flow_, Leg::kUpstream, Ev(LegEvent::kFin)).ok());
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("CLOSE down"));
  EXPECT_EQ(mcp_.stats().pairs, 0u);
}

TEST_F(CouplingTest, OneIdleLifetimeForBothLegs) {
  // Activity on either leg keeps the pair; 60 s of silence ends both legs.
  ASSERT_TRUE(mcp_.HandleLegEvent(T(30000), flow_, Leg::kDownstream, Ev(LegEvent::kActivity)).ok());
  EXPECT_EQ(mcp_.NextDeadline(), T(1) + Duration::Seconds(60));
  mcp_.HandleTimeouts(T(60001));
  EXPECT_TRUE(Drain(mcp_).empty()) << "active at 30 s: not idle yet";
  EXPECT_EQ(mcp_.NextDeadline(), T(90000)) << "re-armed to the real expiry";
  mcp_.HandleTimeouts(T(90000));
  EXPECT_THAT(Describe(Drain(mcp_)), ElementsAre("FASTCLOSE up", "RESET down"));
  EXPECT_EQ(mcp_.stats().count(EventKind::kIdleTimeout), 1u);
}

TEST_F(CouplingTest, IllegalEventChangesNothing) {
  EXPECT_EQ(mcp_.HandleLegEvent(T(2), flow_, Leg::kUpstream, Connected()).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(mcp_.HandleLegEvent(T(2), flow_, Leg::kDownstream, Ev(LegEvent::kRefused)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(mcp_.StateOf(flow_), State::kEstablished);
  EXPECT_TRUE(Drain(mcp_).empty());
  EXPECT_EQ(mcp_.stats().illegal_inputs, 2u);
}

// A packet-level box feeds segments; the core derives the teardown itself
// from segments in sequence (teardown_signal_test has the forged ones).
TEST(NetworkMcpTest, SegmentFedPairDerivesTeardown) {
  Converter mcp(NetworkMcp("relay_mp_capable_to_servers: false"));
  auto syn = MptcpSyn(kClientToMcp, Ies({kDstIe}));
  syn.seq = 1000;
  const uint32_t client_next = 1000 + 1 + uint32_t(syn.payload.size());
  const Verdict v = mcp.HandleSegment(T(0), syn.view());
  const Action open = Drain(mcp)[0];
  LegEvent up = Connected();
  FourTuple down = open.tuple;
  down.src_port = 61000;
  up.tuple = down;
  ASSERT_TRUE(mcp.HandleLegEvent(T(1), v.flow, Leg::kDownstream, up).ok());
  Drain(mcp);
  // A subflow FIN on the MPTCP leg is not the end of the connection...
  OwnedSegment fin;
  fin.tuple = kClientToMcp;
  fin.flags = kTcpFin | kTcpAck;
  fin.seq = client_next;
  EXPECT_EQ(mcp.HandleSegment(T(2), fin.view()).kind, Verdict::kForward);
  EXPECT_TRUE(Drain(mcp).empty());
  // ...a DATA_FIN is.
  mo::Dss dss;
  dss.data_fin = true;
  dss.mapping = mo::DssMapping{1, 0, 1, std::nullopt};
  fin.options = Area({mo::MptcpOption{dss}});
  fin.flags = kTcpAck;
  EXPECT_EQ(mcp.HandleSegment(T(3), fin.view()).kind, Verdict::kForward);
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("CLOSE down"));
  // The server's data, then its RST at the next octet, on the downstream
  // tuple (reversed direction).
  OwnedSegment data;
  data.interface = Interface::kInternetFacing;
  data.tuple = down.Reversed();
  data.flags = kTcpAck;
  data.seq = 90000;
  data.payload.assign(10, 'd');
  EXPECT_EQ(mcp.HandleSegment(T(4), data.view()).kind, Verdict::kForward);
  OwnedSegment rst = data;
  rst.flags = kTcpRst;
  rst.seq = 90010;
  rst.payload.clear();
  const Verdict rv = mcp.HandleSegment(T(5), rst.view());
  EXPECT_EQ(rv.kind, Verdict::kForward);
  EXPECT_EQ(rv.leg, Leg::kDownstream);
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre("FASTCLOSE up"));
}

TEST(NetworkMcpTest, KernelTerminatingProxyStyle) {
  Converter mcp(NetworkMcp());
  const auto first = Ies({kDstIe}, "hello");
  AcceptedConnection conn{Interface::kCustomerFacing, kClientToMcp, true, 0, first};
  const Verdict v = mcp.HandleAcceptedConnection(T(0), conn);
  ASSERT_EQ(v.kind, Verdict::kIntercept);
  const auto a = Drain(mcp);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(std::string(a[0].payload.begin(), a[0].payload.end()), "hello");
}

TEST(NetworkMcpTest, MptcpOnlyOnCustomerFacingAndAcl) {
  Converter mcp(NetworkMcp("acl_source_prefixes: \"100.64.0.0/10\""));
  EXPECT_EQ(mcp.HandleSegment(T(0), MptcpSyn(kClientToMcp, Ies({kDstIe}), Interface::kInternetFacing).view()).kind,
            Verdict::kReset);
  FourTuple outsider = kClientToMcp;
  outsider.src = Ip("198.18.0.1");
  EXPECT_EQ(mcp.HandleSegment(T(0), MptcpSyn(outsider, Ies({kDstIe})).view()).kind, Verdict::kReset);
  EXPECT_EQ(mcp.stats().count(EventKind::kRefusedInternetFacing), 1u);
  EXPECT_EQ(mcp.stats().count(EventKind::kRefusedAcl), 1u);
  EXPECT_EQ(mcp.stats().pairs, 0u);
  EXPECT_TRUE(Drain(mcp).empty());
}

// A SYN flood from one source: state stays at the per-source cap; a second
// source is still served until the global cap.
TEST(NetworkMcpTest, SynFloodStaysAtTheCaps) {
  Converter mcp(NetworkMcp("max_half_open_per_source: 8 max_half_open_total: 12"));
  for (int i = 0; i < 1000; ++i) {
    FourTuple t = kClientToMcp;
    t.src_port = uint16_t(10000 + i);
    (void)mcp.HandleSegment(T(i), MptcpSyn(t, Ies({kDstIe})).view());
  }
  EXPECT_EQ(mcp.stats().pairs, 8u);
  EXPECT_EQ(mcp.stats().half_open, 8u);
  EXPECT_EQ(mcp.stats().count(EventKind::kRefusedHalfOpenPerSource), 992u);
  for (int i = 0; i < 10; ++i) {
    FourTuple t = kClientToMcp;
    t.src = mo::IpAddress::V4(100, 64, 2, uint8_t(i));
    (void)mcp.HandleSegment(T(1000), MptcpSyn(t, Ies({kDstIe})).view());
  }
  EXPECT_EQ(mcp.stats().pairs, 12u);
  EXPECT_EQ(mcp.stats().count(EventKind::kRefusedHalfOpenTotal), 6u);
  // Setup timeouts free the slots (the embedder wakes at each deadline).
  while (auto d = mcp.NextDeadline()) mcp.HandleTimeouts(std::max(*d, T(1000)));
  EXPECT_EQ(mcp.stats().pairs, 0u);
  EXPECT_EQ(mcp.stats().half_open, 0u);
}

TEST(NetworkMcpTest, SubflowLimitPerConnection) {
  Converter mcp(NetworkMcp("max_subflows_per_connection: 3"));
  const Verdict v = mcp.HandleSegment(T(0), MptcpSyn(kClientToMcp, Ies({kDstIe})).view());
  LegEvent c = Connected();
  c.local_token = 0xabcd1234;
  ASSERT_TRUE(mcp.HandleLegEvent(T(1), v.flow, Leg::kDownstream, c).ok());
  std::vector<Verdict::Kind> verdicts;
  for (int i = 0; i < 4; ++i) {
    OwnedSegment join;
    join.tuple = {Ip("100.65.7.20"), Ip("203.0.113.1"), uint16_t(41000 + i), 5555};
    join.flags = kTcpSyn;
    join.options = Area({mo::MptcpOption{mo::MpJoinSyn{false, 2, 0xabcd1234, 7}}});
    verdicts.push_back(mcp.HandleSegment(T(2), join.view()).kind);
  }
  EXPECT_THAT(verdicts, ElementsAre(Verdict::kPassThrough, Verdict::kPassThrough, Verdict::kReset,
                                    Verdict::kReset));
  EXPECT_EQ(mcp.stats().count(EventKind::kRefusedSubflowLimit), 2u);
  // A join arriving on an Internet-facing interface is refused as such.
  OwnedSegment outside;
  outside.interface = Interface::kInternetFacing;
  outside.tuple = {Ip("198.18.0.7"), Ip("203.0.113.1"), 42000, 5555};
  outside.flags = kTcpSyn;
  outside.options = Area({mo::MptcpOption{mo::MpJoinSyn{false, 3, 0xabcd1234, 9}}});
  EXPECT_EQ(mcp.HandleSegment(T(3), outside.view()).kind, Verdict::kReset);
  EXPECT_EQ(mcp.stats().count(EventKind::kRefusedInternetFacing), 1u);
}

// decisions.md D7: each malformation tears down silently (RST, nothing
// relayed, nothing echoed) and is counted by reason.
TEST(NetworkMcpTest, EveryMalformedIeIsRefusedAndCounted) {
  struct Case {
    const char* name;
    std::vector<uint8_t> payload;
    EventKind kind;
    mo::IeStatus reason;
  };
  const Case cases[] = {
      {"no IE", mptcp_opts::test::Hex("47455420"), EventKind::kMissingDestination, mo::IeStatus::kOk},
      {"source only", Ies({{true, Ip("10.0.0.1"), std::nullopt}}), EventKind::kMissingDestination, mo::IeStatus::kOk},
      {"three IEs", mptcp_opts::test::Hex("faa8faa8 00080000 c0000201 faa8faa8 00080002 0a000001 faa8faa8 00080001 c0000202"),
       EventKind::kMalformedIe, mo::IeStatus::kTooManyIes},
      {"same D twice", mptcp_opts::test::Hex("faa8faa8 00080000 c0000201 faa8faa8 00080001 c0000202"), EventKind::kMalformedIe,
       mo::IeStatus::kDuplicateDirection},
      {"bad length", mptcp_opts::test::Hex("faa8faa8 00090001 c0000201 0a000000"), EventKind::kMalformedIe, mo::IeStatus::kBadLength},
      {"past end", mptcp_opts::test::Hex("faa8faa8 00160001 20010db8"), EventKind::kMalformedIe, mo::IeStatus::kPastEnd},
      {"M=0 on last", mptcp_opts::test::Hex("faa8faa8 00080000 c0000201"), EventKind::kMalformedIe, mo::IeStatus::kMissingLastFlag},
      {"multicast", mptcp_opts::test::Hex("faa8faa8 00080001 e0000001"), EventKind::kMalformedIe, mo::IeStatus::kBadAddressClass},
      {"broadcast", mptcp_opts::test::Hex("faa8faa8 00080001 ffffffff"), EventKind::kMalformedIe, mo::IeStatus::kBadAddressClass},
      {"loopback", mptcp_opts::test::Hex("faa8faa8 00080001 7f000001"), EventKind::kMalformedIe, mo::IeStatus::kBadAddressClass},
      {"unspecified", mptcp_opts::test::Hex("faa8faa8 00140001 00000000000000000000000000000000"), EventKind::kMalformedIe,
       mo::IeStatus::kBadAddressClass},
  };
  for (const Case& c : cases) {
    Converter mcp(NetworkMcp());
    const Verdict v = mcp.HandleSegment(T(0), MptcpSyn(kClientToMcp, c.payload).view());
    EXPECT_EQ(v.kind, Verdict::kReset) << c.name;
    EXPECT_TRUE(Drain(mcp).empty()) << c.name << ": nothing relayed";
    EXPECT_EQ(mcp.stats().pairs, 0u) << c.name;
    EXPECT_EQ(mcp.stats().count(c.kind), 1u) << c.name;
    auto e = mcp.PollEvent();
    ASSERT_TRUE(e) << c.name;
    EXPECT_EQ(e->kind, c.kind);
    if (c.kind == EventKind::kMalformedIe) {
      EXPECT_EQ(e->reason, uint8_t(c.reason)) << c.name;
    }
  }
}

// Found by converter_fuzzer (fuzz/regressions/converter_fuzzer/): a
// destination IE without a port on a SYN sent to port 0 asked the stack to
// connect to port 0.
TEST(NetworkMcpTest, RegressionDestinationPortZeroIsRefused) {
  Converter mcp(NetworkMcp());
  FourTuple to_port_zero = kClientToMcp;
  to_port_zero.dst_port = 0;
  EXPECT_EQ(mcp.HandleSegment(T(0), MptcpSyn(to_port_zero, Ies({{false, Ip("192.0.2.80"), std::nullopt}})).view()).kind,
            Verdict::kReset);
  EXPECT_EQ(mcp.HandleSegment(T(0), MptcpSyn(kClientToMcp, Ies({{false, Ip("192.0.2.80"), 0}})).view()).kind,
            Verdict::kReset);
  EXPECT_EQ(mcp.stats().count(EventKind::kBadDestinationPort), 2u);
  EXPECT_TRUE(Drain(mcp).empty());
  Converter cpe(Cpe());
  FourTuple lan = {Ip("192.168.1.20"), Ip("192.0.2.80"), 50000, 0};
  EXPECT_EQ(cpe.HandleSegment(T(0), TcpSyn(lan).view()).kind, Verdict::kPassThrough);
  EXPECT_TRUE(Drain(cpe).empty());
}

TEST(NetworkMcpTest, UnknownIeTypeIsSkippedNotEchoed) {  // D6
  Converter mcp(NetworkMcp("relay_mp_capable_to_servers: false"));
  std::vector<uint8_t> payload = {0xfa, 0xa8, 0xfa, 0xa8, 0x07, 0x04, 0x00, 0x00};
  const auto dst = Ies({kDstIe});
  payload.insert(payload.end(), dst.begin(), dst.end());
  const Verdict v = mcp.HandleSegment(T(0), MptcpSyn(kClientToMcp, payload).view());
  ASSERT_EQ(v.kind, Verdict::kIntercept);
  EXPECT_EQ(mcp.stats().count(EventKind::kUnknownIeTypeSkipped), 1u);
  Drain(mcp);
  ASSERT_TRUE(mcp.HandleLegEvent(T(1), v.flow, Leg::kDownstream, Connected()).ok());
  EXPECT_EQ(Drain(mcp)[0].payload, dst) << "only the Type-0 IE is echoed";
}

TEST(NetworkMcpTest, NotOursPassesThrough) {
  Converter mcp(NetworkMcp());
  FourTuple elsewhere = kClientToMcp;
  elsewhere.dst = Ip("192.0.2.9");
  EXPECT_EQ(mcp.HandleSegment(T(0), MptcpSyn(elsewhere, Ies({kDstIe})).view()).kind, Verdict::kPassThrough);
  EXPECT_EQ(mcp.HandleSegment(T(0), TcpSyn(kClientToMcp).view()).kind, Verdict::kPassThrough);
  OwnedSegment ack;
  ack.tuple = kClientToMcp;
  ack.flags = kTcpAck;
  EXPECT_EQ(mcp.HandleSegment(T(0), ack.view()).kind, Verdict::kPassThrough);
}

// ------------------------------------------------------------ MCP in a CPE

const FourTuple kLanToServer{Ip("192.168.1.20"), Ip("192.0.2.80"), 50000, 443};

// Seed 002 Figure 14 / draft -10 Figure 9, upstream side: the LAN SYN is
// held, MPTCP goes to the network MCP with a destination IE, and the LAN
// client is answered only after the echo came back.
TEST(CpeTest, Figure9InterceptAndConfirmAfterEcho) {
  Converter cpe(Cpe());
  const Verdict v = cpe.HandleSegment(T(0), TcpSyn(kLanToServer).view());
  ASSERT_EQ(v.kind, Verdict::kIntercept);
  auto a = Drain(cpe);
  ASSERT_THAT(Describe(a), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
  EXPECT_EQ(a[0].payload, Ies({kDstIe}));
  std::vector<uint8_t> echo = Ies({kDstIe});
  ASSERT_TRUE(cpe.HandleLegEvent(T(40), v.flow, Leg::kDownstream, Connected(true, &echo)).ok());
  a = Drain(cpe);
  ASSERT_THAT(Describe(a), ElementsAre("ANSWER_SYN up"));
  EXPECT_TRUE(a[0].payload.empty());
  EXPECT_EQ(cpe.StateOf(v.flow), State::kEstablished);
  // The MCP has echoed once (discovery done): a SYN's data now follows the
  // IEs to the MCP (TFO before discovery: timers_retries_test).
  FourTuple second = kLanToServer;
  second.src_port = 50001;
  ASSERT_EQ(cpe.HandleSegment(T(50), TcpSyn(second, "hi").view()).kind, Verdict::kIntercept);
  a = Drain(cpe);
  ASSERT_THAT(Describe(a), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
  EXPECT_EQ(a[0].payload, Ies({kDstIe}, "hi"));
}

TEST(CpeTest, SourceIeWhenPreservationIsConfigured) {
  Converter cpe(Cpe("send_source_ie: true"));
  ASSERT_EQ(cpe.HandleSegment(T(0), TcpSyn(kLanToServer).view()).kind, Verdict::kIntercept);
  EXPECT_EQ(Drain(cpe)[0].payload, Ies({{true, Ip("192.168.1.20"), 50000}, kDstIe}));
}

// No echo: abandon the MPTCP leg, fall back to plain TCP to the server,
// cache the MCP (D8) so later flows skip explicit mode until expiry or flush.
// A SYN/ACK without data still leaves room for the echo as the first bytes
// (accepted_connection_test); here those bytes are something else.
TEST(CpeTest, NoEchoFallsBackAndCachesTheMcp) {
  Converter cpe(Cpe("capability_cache_ttl_seconds: 100"));
  const Verdict v = cpe.HandleSegment(T(0), TcpSyn(kLanToServer).view());
  Drain(cpe);
  std::vector<uint8_t> nothing;
  ASSERT_TRUE(cpe.HandleLegEvent(T(40), v.flow, Leg::kDownstream, Connected(true, &nothing)).ok());
  EXPECT_TRUE(Drain(cpe).empty());
  EXPECT_EQ(cpe.StateOf(v.flow), State::kAwaitingEchoBytes);
  const std::vector<uint8_t> not_an_echo = mptcp_opts::test::Hex("485454502f312e3120323030204f4b0d");
  LegEvent first;
  first.kind = LegEvent::kFirstBytes;
  first.first_bytes = not_an_echo;
  ASSERT_TRUE(cpe.HandleLegEvent(T(40), v.flow, Leg::kDownstream, first).ok());
  auto a = Drain(cpe);
  ASSERT_THAT(Describe(a), ElementsAre("FASTCLOSE down", "OPEN down tcp 192.0.2.80:443"));
  EXPECT_TRUE(a[1].payload.empty());
  EXPECT_EQ(cpe.StateOf(v.flow), State::kFallingBack);
  EXPECT_TRUE(Drain(cpe).empty()) << "the LAN client waits for the fallback leg";
  ASSERT_TRUE(cpe.HandleLegEvent(T(60), v.flow, Leg::kDownstream, Connected()).ok());
  EXPECT_THAT(Describe(Drain(cpe)), ElementsAre("ANSWER_SYN up"));
  EXPECT_EQ(cpe.stats().count(EventKind::kMcpNoEcho), 1u);

  FourTuple next = kLanToServer;
  next.src_port = 50001;
  EXPECT_EQ(cpe.HandleSegment(T(1000), TcpSyn(next).view()).kind, Verdict::kPassThrough);
  EXPECT_EQ(cpe.stats().count(EventKind::kCapabilityCacheHit), 1u);
  // The cache expiry is a deadline; after it, explicit mode again.
  EXPECT_EQ(cpe.NextDeadline(), T(40) + Duration::Seconds(100));
  cpe.HandleTimeouts(T(40) + Duration::Seconds(100));
  next.src_port = 50002;
  EXPECT_EQ(cpe.HandleSegment(T(100040), TcpSyn(next).view()).kind, Verdict::kIntercept);
}

TEST(CpeTest, WrongEchoIsNoEcho) {
  Converter cpe(Cpe());
  const Verdict v = cpe.HandleSegment(T(0), TcpSyn(kLanToServer).view());
  Drain(cpe);
  std::vector<uint8_t> echo = Ies({{false, Ip("192.0.2.81"), 443}});
  ASSERT_TRUE(cpe.HandleLegEvent(T(40), v.flow, Leg::kDownstream, Connected(true, &echo)).ok());
  EXPECT_EQ(cpe.StateOf(v.flow), State::kFallingBack);
  // Also: the MCP answered without MPTCP at all.
  FourTuple t2 = kLanToServer;
  t2.src_port = 50009;
  cpe.FlushCapabilityCache();  // D8: e.g. a new network attachment
  const Verdict v2 = cpe.HandleSegment(T(50), TcpSyn(t2).view());
  ASSERT_EQ(v2.kind, Verdict::kIntercept);
  Drain(cpe);
  std::vector<uint8_t> good = Ies({kDstIe});
  ASSERT_TRUE(cpe.HandleLegEvent(T(60), v2.flow, Leg::kDownstream, Connected(false, &good)).ok());
  EXPECT_EQ(cpe.StateOf(v2.flow), State::kFallingBack);
}

TEST(CpeTest, McpNeverAnswersFallsBackWithoutCaching) {
  Converter cpe(Cpe("setup_timeout_ms: 1000"));
  const Verdict v = cpe.HandleSegment(T(0), TcpSyn(kLanToServer).view());
  Drain(cpe);
  cpe.HandleTimeouts(T(1000));
  EXPECT_THAT(Describe(Drain(cpe)), ElementsAre("RESET down", "OPEN down tcp 192.0.2.80:443"));
  EXPECT_EQ(cpe.StateOf(v.flow), State::kFallingBack);
  EXPECT_EQ(cpe.stats().count(EventKind::kMcpSetupTimeout), 1u);
  cpe.HandleTimeouts(T(2000));  // the server is silent too
  EXPECT_THAT(Describe(Drain(cpe)), ElementsAre("RESET up", "RESET down"));
  FourTuple t2 = kLanToServer;
  t2.src_port = 50010;
  EXPECT_EQ(cpe.HandleSegment(T(3000), TcpSyn(t2).view()).kind, Verdict::kIntercept) << "not cached";
}

TEST(CpeTest, NativeMptcpHostAndIneligibleFlowsPassThrough) {
  Converter cpe(Cpe("eligible_flows { destination_ports: 443 excluded_destination_prefixes: \"192.0.2.128/25\" }"));
  auto native = MptcpSyn(kLanToServer, {});
  EXPECT_EQ(cpe.HandleSegment(T(0), native.view()).kind, Verdict::kPassThrough);
  FourTuple port80 = kLanToServer;
  port80.dst_port = 80;
  EXPECT_EQ(cpe.HandleSegment(T(0), TcpSyn(port80).view()).kind, Verdict::kPassThrough);
  FourTuple excluded = kLanToServer;
  excluded.dst = Ip("192.0.2.200");
  EXPECT_EQ(cpe.HandleSegment(T(0), TcpSyn(excluded).view()).kind, Verdict::kPassThrough);
  EXPECT_EQ(cpe.stats().count(EventKind::kNativeMptcpPassedThrough), 1u);
  EXPECT_EQ(cpe.stats().count(EventKind::kNotEligible), 2u);
  EXPECT_EQ(cpe.stats().pairs, 0u);
}

TEST(CpeTest, LanResetAbortsTheMptcpLeg) {
  Converter cpe(Cpe());
  auto syn = TcpSyn(kLanToServer);
  syn.seq = 4242;
  const Verdict v = cpe.HandleSegment(T(0), syn.view());
  std::vector<uint8_t> echo = Ies({kDstIe});
  ASSERT_TRUE(cpe.HandleLegEvent(T(1), v.flow, Leg::kDownstream, Connected(true, &echo)).ok());
  Drain(cpe);
  OwnedSegment rst;
  rst.tuple = kLanToServer;
  rst.flags = kTcpRst;
  rst.seq = 4243;  // the LAN host's next octet after its SYN
  EXPECT_EQ(cpe.HandleSegment(T(2), rst.view()).kind, Verdict::kForward);
  EXPECT_THAT(Describe(Drain(cpe)), ElementsAre("FASTCLOSE down"));
}

// ------------------------------------------------------------ multipath client

TEST(MultipathClientTest, HostBasedSetupAndFallback) {
  auto c = LoadConfig("role: MULTIPATH_CLIENT network_mcps { address: \"203.0.113.1\" port: 5555 }");
  ASSERT_TRUE(c.ok());
  Converter client(*c);
  const std::string data = "GET /";
  auto id = client.HandleLocalConnect(T(0), {kLanToServer, {reinterpret_cast<const uint8_t*>(data.data()), data.size()}});
  ASSERT_TRUE(id.ok());
  EXPECT_THAT(Describe(Drain(client)), ElementsAre("OPEN down mptcp 203.0.113.1:5555"));
  std::vector<uint8_t> echo = Ies({kDstIe});
  ASSERT_TRUE(client.HandleLegEvent(T(30), *id, Leg::kDownstream, Connected(true, &echo)).ok());
  EXPECT_THAT(Describe(Drain(client)), ElementsAre("NOTIFY_APP up"));

  auto id2 = client.HandleLocalConnect(T(100), {kLanToServer, {}});
  Drain(client);
  // The MCP refuses (not there): plain TCP to the server instead; the server
  // refuses too: the application is told.
  ASSERT_TRUE(client.HandleLegEvent(T(130), *id2, Leg::kDownstream, Ev(LegEvent::kRefused)).ok());
  EXPECT_THAT(Describe(Drain(client)), ElementsAre("OPEN down tcp 192.0.2.80:443"));
  ASSERT_TRUE(client.HandleLegEvent(T(131), *id2, Leg::kDownstream, Ev(LegEvent::kRefused)).ok());
  EXPECT_THAT(Describe(Drain(client)), ElementsAre("NOTIFY_APP up failed"));
  // The refusal cached the MCP (D8): the next connection goes straight to
  // the server, and the application is told once that leg is up.
  auto id3 = client.HandleLocalConnect(T(140), {kLanToServer, {}});
  ASSERT_TRUE(id3.ok());
  EXPECT_THAT(Describe(Drain(client)), ElementsAre("OPEN down tcp 192.0.2.80:443"));
  ASSERT_TRUE(client.HandleLegEvent(T(141), *id3, Leg::kDownstream, Connected()).ok());
  EXPECT_THAT(Describe(Drain(client)), ElementsAre("NOTIFY_APP up"));
  // Through the MCP, a destination an IE cannot carry is the caller's error.
  client.FlushCapabilityCache();
  EXPECT_EQ(client.HandleLocalConnect(T(150), {{Ip("192.168.1.20"), Ip("127.0.0.1"), 1, 80}, {}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mcp_core
