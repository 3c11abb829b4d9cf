// SPDX-License-Identifier: Apache-2.0
// Issue 14, rule 2: the network MCP's destination policy, on the SYN path and
// for accepted connections. eligible_flows and supported_transport_protocols
// apply to the destination named by the IE (seed 002 §5.6.3, §5.6.6); its own
// addresses, special-purpose addresses (decisions.md D13) and configured
// internal prefixes are refused: Verdict kReset, one event, one count, no pair.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mcp_core/rule_test_support.h"

namespace mcp_core {
namespace {

using namespace test;
using ::testing::ElementsAre;

const FourTuple kClientToMcp{Ip("100.64.1.10"), Ip("203.0.113.1"), 40001, 5555};
const FourTuple kClientToMcp6{Ip("2001:db8:c::10"), Ip("2001:db8::1"), 40001, 5555};

// An IPv4 and an IPv6 address: each destination is reached from a client of
// its own family, so these tests do not depend on the cross-family rules.
Config Mcp(const std::string& extra = "") {
  return NetworkMcp("mcp_addresses: \"2001:db8::1\" relay_mp_capable_to_servers: false " + extra);
}

IpPrefix Prefix(const std::string& text) { return *IpPrefix::Parse(text); }

// A client SYN to the MCP (each from a new source port) with `payload`.
Verdict SynWith(Converter& mcp, const std::vector<uint8_t>& payload, bool v6_client = false) {
  static uint16_t port = 20000;
  FourTuple t = v6_client ? kClientToMcp6 : kClientToMcp;
  t.src_port = port++;
  return mcp.HandleSegment(T(0), MptcpSyn(t, payload).view());
}
Verdict SynTo(Converter& mcp, const std::string& dst, uint16_t dst_port) {
  return SynWith(mcp, Ies({{false, Ip(dst), dst_port}}), Ip(dst).is_v6());
}
Verdict AcceptedTo(Converter& mcp, const std::string& dst, uint16_t dst_port) {
  static uint16_t port = 30000;
  FourTuple t = Ip(dst).is_v6() ? kClientToMcp6 : kClientToMcp;
  t.src_port = port++;
  const std::vector<uint8_t> first = Ies({{false, Ip(dst), dst_port}}, "GET /");
  return mcp.HandleAcceptedConnection(T(0), {Interface::kCustomerFacing, t, true, 0, first});
}

// What an embedder sees of a refusal: Verdict kReset, no action, exactly one
// event (kind, reason, no flow), its counter +1, no pair ever made.
void ExpectRefused(Converter& mcp, const Verdict& v, EventKind kind, uint8_t reason, const Stats& before,
                   const std::string& what) {
  EXPECT_EQ(v.kind, Verdict::kReset) << what;
  EXPECT_EQ(v.flow, 0u) << what << ": no pair";
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre()) << what << ": nothing opened, nothing answered";
  const auto events = DrainAll(mcp);
  ASSERT_EQ(events.size(), 1u) << what << ": " << testing::PrintToString(Kinds(events));
  EXPECT_EQ(Name(events[0].kind), Name(kind)) << what;
  EXPECT_EQ(events[0].reason, reason) << what;
  EXPECT_EQ(events[0].flow, 0u) << what;
  EXPECT_EQ(mcp.stats().count(kind), before.count(kind) + 1) << what;
  EXPECT_EQ(mcp.stats().pairs_created, before.pairs_created) << what << ": no pair";
  EXPECT_EQ(mcp.stats().pairs, before.pairs) << what;
  EXPECT_EQ(mcp.stats().half_open, before.half_open) << what;
}

void ExpectServed(Converter& mcp, const Verdict& v, const std::string& dst, uint16_t port, const std::string& what) {
  EXPECT_EQ(v.kind, Verdict::kIntercept) << what;
  const auto actions = Drain(mcp);
  ASSERT_EQ(actions.size(), 1u) << what << ": " << testing::PrintToString(Describe(actions));
  EXPECT_EQ(actions[0].kind, Action::kOpenLeg) << what;
  EXPECT_EQ(actions[0].tuple.dst, Ip(dst)) << what;
  EXPECT_EQ(actions[0].tuple.dst_port, port) << what;
  DrainAll(mcp);
}

struct IneligibleCase {
  const char* name;
  std::string config;
  std::string dst;
  uint16_t port;
  NotEligibleReason reason;
};
const IneligibleCase kIneligible[] = {
    {"port not listed", "eligible_flows { destination_ports: 443 }", "192.0.2.80", 80,
     NotEligibleReason::kDestinationPort},
    {"prefix not listed", "eligible_flows { destination_prefixes: \"198.51.100.0/24\" }", "192.0.2.80", 443,
     NotEligibleReason::kDestinationPrefix},
    {"excluded prefix", "eligible_flows { excluded_destination_prefixes: \"192.0.2.128/25\" }", "192.0.2.200", 443,
     NotEligibleReason::kExcludedPrefix},
    {"no TCP in protocols", "supported_transport_protocols: 17", "192.0.2.80", 443,
     NotEligibleReason::kTransportProtocol},
};

// "eligible_flows (destination prefixes, excluded prefixes, ports) and supported_transport_protocols
// (6 absent -> everything refused) applied to the destination from the IE: refused with Verdict
// kReset, event NOT_ELIGIBLE (reason NotEligibleReason), no pair, no action." (SYN path)
TEST(DestinationPolicyRule, IneligibleDestinationOfASynIsRefusedWithItsReason) {
  for (const auto& c : kIneligible) {
    Converter mcp(Mcp(c.config));
    const Stats before = mcp.stats();
    const Verdict v = SynTo(mcp, c.dst, c.port);
    ExpectRefused(mcp, v, EventKind::kNotEligible, uint8_t(c.reason), before, c.name);
  }
}

// The same sentence, "SYN path and HandleAcceptedConnection": the accepted-connection path.
TEST(DestinationPolicyRule, IneligibleDestinationOfAnAcceptedConnectionIsRefusedWithItsReason) {
  for (const auto& c : kIneligible) {
    Converter mcp(Mcp(c.config));
    const Stats before = mcp.stats();
    const Verdict v = AcceptedTo(mcp, c.dst, c.port);
    ExpectRefused(mcp, v, EventKind::kNotEligible, uint8_t(c.reason), before, c.name);
  }
}

// Control of the rule above: "eligible_flows (destination prefixes, excluded prefixes, ports)"
// refuses only what they leave out.
TEST(DestinationPolicyRule, EligibleDestinationIsServed) {
  Converter mcp(Mcp("eligible_flows { destination_ports: 443 destination_prefixes: \"192.0.2.0/24\" "
                    "excluded_destination_prefixes: \"192.0.2.128/25\" } supported_transport_protocols: 6 "
                    "supported_transport_protocols: 17"));
  ExpectServed(mcp, SynTo(mcp, "192.0.2.80", 443), "192.0.2.80", 443, "SYN");
  ExpectServed(mcp, AcceptedTo(mcp, "192.0.2.81", 443), "192.0.2.81", 443, "accepted");
  EXPECT_EQ(mcp.stats().count(EventKind::kNotEligible), 0u);
}

// "Always refused: destination = one of mcp_addresses or source_pool (any port) ->
// REFUSED_DESTINATION reason kOwnAddress." Also with refuse_special_destinations off.
TEST(DestinationPolicyRule, OwnAddressesAreAlwaysRefusedAtAnyPort) {
  for (bool special : {true, false}) {
    Config c = Mcp("source_pool: \"192.0.2.200\" source_pool: \"2001:db8:1::200\"");
    c.refuse_special_destinations = special;
    Converter mcp(c);
    const std::pair<const char*, uint16_t> own[] = {
        {"203.0.113.1", 5555}, {"203.0.113.1", 443}, {"203.0.113.1", 1},  {"2001:db8::1", 5555},
        {"2001:db8::1", 80},   {"192.0.2.200", 80},  {"2001:db8:1::200", 443},
    };
    for (const auto& [dst, port] : own) {
      const std::string what = std::string(dst) + ":" + std::to_string(port) + (special ? "" : " (switch off)");
      const Stats before = mcp.stats();
      ExpectRefused(mcp, SynTo(mcp, dst, port), EventKind::kRefusedDestination,
                    uint8_t(DestinationRefusal::kOwnAddress), before, what);
    }
    // The same through an accepted connection.
    const Stats before = mcp.stats();
    ExpectRefused(mcp, AcceptedTo(mcp, "203.0.113.1", 5555), EventKind::kRefusedDestination,
                  uint8_t(DestinationRefusal::kOwnAddress), before, "accepted, own address");
  }
}

// "With refuse_special_destinations (default true): ... link-local (169.254/16, fe80::/10) ... ->
// REFUSED_DESTINATION with the matching reason; IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as the
// IPv4 address." 169.254.169.254 is where clouds keep their metadata.
TEST(DestinationPolicyRule, LinkLocalDestinationsAreRefusedByDefault) {
  Converter mcp(Mcp());
  for (const char* dst : {"169.254.169.254", "169.254.0.1", "169.254.255.254", "fe80::1", "febf:ffff::1",
                          "::ffff:169.254.169.254"}) {
    const Stats before = mcp.stats();
    ExpectRefused(mcp, SynTo(mcp, dst, 80), EventKind::kRefusedDestination, uint8_t(DestinationRefusal::kLinkLocal),
                  before, dst);
  }
  const Stats before = mcp.stats();
  ExpectRefused(mcp, AcceptedTo(mcp, "169.254.169.254", 80), EventKind::kRefusedDestination,
                uint8_t(DestinationRefusal::kLinkLocal), before, "accepted, 169.254.169.254");
  // Just outside the prefixes: served.
  ExpectServed(mcp, SynTo(mcp, "169.255.0.1", 80), "169.255.0.1", 80, "169.255.0.1");
  ExpectServed(mcp, SynTo(mcp, "169.253.255.255", 80), "169.253.255.255", 80, "169.253.255.255");
  ExpectServed(mcp, SynTo(mcp, "fec0::1", 80), "fec0::1", 80, "fec0::1");
  EXPECT_EQ(mcp.stats().count(EventKind::kRefusedDestination), 7u);
}

// "With refuse_special_destinations (default true): loopback (127/8, ::1), ... multicast (224/4,
// ff00::/8), unspecified/this-network (0/8, ::), broadcast 255.255.255.255 -> REFUSED_DESTINATION
// with the matching reason; IPv4-mapped IPv6 ... judged as the IPv4 address ... One event per
// refused SYN." The IE decoder already refuses these address classes as malformed (decisions.md
// D7, IeStatus::kBadAddressClass), so the one refusal may be either: exactly one event, either
// REFUSED_DESTINATION with the matching reason or MALFORMED_IE(kBadAddressClass).
TEST(DestinationPolicyRule, LoopbackMulticastUnspecifiedAndBroadcastAreRefusedOnce) {
  struct Case {
    const char* dst;
    DestinationRefusal reason;
  };
  const Case cases[] = {
      {"127.0.0.1", DestinationRefusal::kLoopback},        {"127.255.255.254", DestinationRefusal::kLoopback},
      {"::1", DestinationRefusal::kLoopback},              {"::ffff:127.0.0.1", DestinationRefusal::kLoopback},
      {"224.0.0.1", DestinationRefusal::kMulticast},       {"239.255.255.250", DestinationRefusal::kMulticast},
      {"ff02::1", DestinationRefusal::kMulticast},         {"::ffff:224.0.0.251", DestinationRefusal::kMulticast},
      {"0.0.0.0", DestinationRefusal::kUnspecified},       {"0.1.2.3", DestinationRefusal::kUnspecified},
      {"::", DestinationRefusal::kUnspecified},            {"255.255.255.255", DestinationRefusal::kUnspecified},
  };
  Converter mcp(Mcp());
  for (const auto& c : cases) {
    const Stats before = mcp.stats();
    const Verdict v = SynWith(mcp, RawDestinationIe(Ip(c.dst), 80), Ip(c.dst).is_v6());
    EXPECT_EQ(v.kind, Verdict::kReset) << c.dst;
    EXPECT_THAT(Describe(Drain(mcp)), ElementsAre()) << c.dst;
    const auto events = DrainAll(mcp);
    ASSERT_EQ(events.size(), 1u) << c.dst << ": " << testing::PrintToString(Kinds(events));
    if (events[0].kind == EventKind::kRefusedDestination) {
      EXPECT_EQ(events[0].reason, uint8_t(c.reason)) << c.dst;
    } else {
      EXPECT_EQ(Name(events[0].kind), Name(EventKind::kMalformedIe)) << c.dst;
      EXPECT_EQ(events[0].reason, uint8_t(mo::IeStatus::kBadAddressClass)) << c.dst;
    }
    EXPECT_EQ(mcp.stats().count(events[0].kind), before.count(events[0].kind) + 1) << c.dst;
    EXPECT_EQ(mcp.stats().pairs_created, 0u) << c.dst;
  }
}

// "refused_destination_prefixes -> kInternalPrefix (always, independent of the switch)."
TEST(DestinationPolicyRule, InternalPrefixesAreRefusedWhateverTheSwitch) {
  for (bool special : {true, false}) {
    Config c = Mcp();
    c.refuse_special_destinations = special;
    c.refused_destination_prefixes = {Prefix("10.0.0.0/8"), Prefix("fd00::/8")};
    Converter mcp(c);
    for (const char* dst : {"10.0.0.1", "10.255.255.254", "fd00::5", "fdff::1"}) {
      const std::string what = std::string(dst) + (special ? "" : " (switch off)");
      const Stats before = mcp.stats();
      ExpectRefused(mcp, SynTo(mcp, dst, 443), EventKind::kRefusedDestination,
                    uint8_t(DestinationRefusal::kInternalPrefix), before, what);
    }
    const Stats before = mcp.stats();
    ExpectRefused(mcp, AcceptedTo(mcp, "10.1.2.3", 443), EventKind::kRefusedDestination,
                  uint8_t(DestinationRefusal::kInternalPrefix), before, "accepted, 10.1.2.3");
    ExpectServed(mcp, SynTo(mcp, "11.0.0.1", 443), "11.0.0.1", 443, "11.0.0.1");
    ExpectServed(mcp, SynTo(mcp, "fc00::1", 443), "fc00::1", 443, "fc00::1");
  }
}

// "With refuse_special_destinations (default true): ... link-local ...": with the switch off,
// link-local is served; own addresses and internal prefixes stay refused ("Always refused",
// "always, independent of the switch"); D7's bad address classes stay malformed.
TEST(DestinationPolicyRule, SwitchOffServesLinkLocalOnly) {
  Config c = Mcp();
  c.refuse_special_destinations = false;
  c.refused_destination_prefixes = {Prefix("169.254.169.254/32")};
  Converter mcp(c);
  ExpectServed(mcp, SynTo(mcp, "169.254.1.1", 80), "169.254.1.1", 80, "169.254.1.1");
  ExpectServed(mcp, SynTo(mcp, "fe80::1", 80), "fe80::1", 80, "fe80::1");
  Stats before = mcp.stats();
  ExpectRefused(mcp, SynTo(mcp, "169.254.169.254", 80), EventKind::kRefusedDestination,
                uint8_t(DestinationRefusal::kInternalPrefix), before, "metadata address as an internal prefix");
  before = mcp.stats();
  ExpectRefused(mcp, SynTo(mcp, "203.0.113.1", 80), EventKind::kRefusedDestination,
                uint8_t(DestinationRefusal::kOwnAddress), before, "own address");
  // decisions.md D7: a loopback address in an IE is malformed whatever the switch.
  const Verdict v = SynWith(mcp, RawDestinationIe(Ip("127.0.0.1"), 80));
  EXPECT_EQ(v.kind, Verdict::kReset);
  EXPECT_THAT(Describe(Drain(mcp)), ElementsAre());
  EXPECT_EQ(mcp.stats().pairs_created, 2u) << "only the two link-local flows";
}

// "One event per refused SYN, and stats().count(kRefusedDestination) moves by one."
TEST(DestinationPolicyRule, EachRefusedSynIsOneEventAndOneCount) {
  Converter mcp(Mcp());
  for (int i = 0; i < 5; ++i) (void)SynTo(mcp, "169.254.169.254", 80);
  for (int i = 0; i < 3; ++i) (void)SynTo(mcp, "203.0.113.1", 443);
  EXPECT_EQ(mcp.stats().count(EventKind::kRefusedDestination), 8u);
  const auto events = DrainAll(mcp);
  EXPECT_EQ(events.size(), 8u) << testing::PrintToString(Kinds(events));
  EXPECT_EQ(CountOf(events, EventKind::kRefusedDestination), 8u);
  EXPECT_EQ(mcp.stats().pairs_created, 0u);
}

// "A SYN whose 40 IEs all name the MCP itself: one refusal, zero pairs." The 40 IEs are 40
// single-IE blocks (each M=1): what follows the first is relayed as data, so a MCP that connects
// to itself receives a SYN with the other 39 (hairpinning). The test plays the embedder's stack
// and loops every leg opened to the MCP's own address back in as a new client SYN.
TEST(DestinationPolicyRule, FortyIesNamingTheMcpMakeOneRefusalAndNoPair) {
  Converter mcp(NetworkMcp());  // relaying MP_CAPABLE (default): the hairpinned SYN is MPTCP again
  std::vector<uint8_t> payload;
  for (int i = 0; i < 40; ++i) {
    const auto ie = Ies({{false, Ip("203.0.113.1"), 5555}});
    payload.insert(payload.end(), ie.begin(), ie.end());
  }
  FourTuple t = kClientToMcp;
  Verdict v = mcp.HandleSegment(T(0), MptcpSyn(t, payload).view());
  const Verdict first = v;
  for (int hop = 1; hop < 45; ++hop) {
    std::optional<Action> to_self;
    for (const auto& a : Drain(mcp)) {
      if (a.kind == Action::kOpenLeg && a.tuple.dst == Ip("203.0.113.1")) to_self = a;
    }
    if (!to_self) break;
    FourTuple back = to_self->tuple;
    back.src_port = uint16_t(41000 + hop);  // the stack picks a port
    back.src = Ip("100.64.1.10");
    v = to_self->transport == Transport::kMptcp ? mcp.HandleSegment(T(hop), MptcpSyn(back, to_self->payload).view())
                                                : mcp.HandleSegment(T(hop), TcpSyn(back, Text(to_self->payload)).view());
  }
  EXPECT_EQ(first.kind, Verdict::kReset);
  EXPECT_EQ(mcp.stats().pairs_created, 0u);
  EXPECT_EQ(mcp.stats().pairs, 0u);
  const auto events = DrainAll(mcp);
  ASSERT_EQ(events.size(), 1u) << testing::PrintToString(Kinds(events));
  EXPECT_EQ(Name(events[0].kind), Name(EventKind::kRefusedDestination));
  EXPECT_EQ(events[0].reason, uint8_t(DestinationRefusal::kOwnAddress));
  EXPECT_EQ(mcp.stats().count(EventKind::kRefusedDestination), 1u);
}

}  // namespace
}  // namespace mcp_core
