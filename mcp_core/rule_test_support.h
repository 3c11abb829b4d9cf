// SPDX-License-Identifier: Apache-2.0
// Shared helpers of the rule tests of mcp_core's second pass (issue 14):
// configs from textproto, leg events, every queued event with its flow and
// reason, MP_JOIN and TFO SYNs, and checks on kOpenLeg tuples. Built on
// test_harness.h; the tests themselves say which sentence they check.
#ifndef MCP_CORE_RULE_TEST_SUPPORT_H_
#define MCP_CORE_RULE_TEST_SUPPORT_H_

#include <algorithm>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mcp_core/config.h"
#include "mcp_core/config_loader.h"
#include "mcp_core/converter.h"
#include "mcp_core/test_harness.h"

// Readable gtest failure messages for the values these tests compare.
namespace mptcp_opts {
inline void PrintTo(const IpAddress& a, std::ostream* os) { *os << a.ToString(); }
}  // namespace mptcp_opts
namespace mcp_core {
inline void PrintTo(Verdict::Kind k, std::ostream* os) {
  static const char* names[] = {"kPassThrough", "kIntercept", "kForward", "kDrop", "kReset"};
  *os << (k < 5 ? names[k] : "?");
}
inline void PrintTo(EventKind k, std::ostream* os) { *os << EventKindName(k); }
inline void PrintTo(Transport t, std::ostream* os) { *os << (t == Transport::kMptcp ? "kMptcp" : "kTcp"); }
}  // namespace mcp_core

namespace mcp_core::test {

// Virtual time in milliseconds; no test reads a clock.
inline Instant T(int64_t ms) { return Instant::FromNanos(ms * 1000000); }

inline Config Load(const std::string& textproto) {
  auto c = LoadConfig(textproto);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : Config{};
}

inline Config NetworkMcp(const std::string& extra = "") {
  return Load("role: NETWORK_MCP mcp_addresses: \"203.0.113.1\" " + extra);
}
inline Config Cpe(const std::string& extra = "") {
  return Load("role: CPE_MCP network_mcps { address: \"203.0.113.1\" port: 5555 } " + extra);
}
inline Config Client(const std::string& extra = "") {
  return Load("role: MULTIPATH_CLIENT network_mcps { address: \"203.0.113.1\" port: 5555 } " + extra);
}

inline std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }
inline std::string Text(const std::vector<uint8_t>& b) { return {b.begin(), b.end()}; }

inline LegEvent Ev(LegEvent::Kind k) {
  LegEvent e;
  e.kind = k;
  return e;
}
// kConnected; `echo` (when given) is the SYN/ACK payload and must outlive the call.
inline LegEvent Connected(bool mptcp = false, const std::vector<uint8_t>* echo = nullptr) {
  LegEvent e = Ev(LegEvent::kConnected);
  e.with_mptcp = mptcp;
  if (echo) e.syn_ack_payload = *echo;
  return e;
}
inline LegEvent FirstBytes(const std::vector<uint8_t>& bytes) {
  LegEvent e = Ev(LegEvent::kFirstBytes);
  e.first_bytes = bytes;
  return e;
}
inline LegEvent SubflowClosed(const FourTuple& tuple) {
  LegEvent e = Ev(LegEvent::kSubflowClosed);
  e.tuple = tuple;
  return e;
}

// Every queued event, with flow and reason.
inline std::vector<Event> DrainAll(Converter& c) {
  std::vector<Event> out;
  while (auto e = c.PollEvent()) out.push_back(*e);
  return out;
}
inline std::vector<EventKind> Kinds(const std::vector<Event>& events) {
  std::vector<EventKind> out;
  for (const auto& e : events) out.push_back(e.kind);
  return out;
}
inline std::optional<Event> Find(const std::vector<Event>& events, EventKind kind) {
  for (const auto& e : events) {
    if (e.kind == kind) return e;
  }
  return std::nullopt;
}
inline size_t CountOf(const std::vector<Event>& events, EventKind kind) {
  return size_t(std::count_if(events.begin(), events.end(), [&](const Event& e) { return e.kind == kind; }));
}
inline std::string Name(EventKind k) { return EventKindName(k); }

inline std::vector<Action> OpenLegs(const std::vector<Action>& actions) {
  std::vector<Action> out;
  for (const auto& a : actions) {
    if (a.kind == Action::kOpenLeg) out.push_back(a);
  }
  return out;
}

// Action::tuple: "both addresses of one family"; an IPv6 leg never carries
// the IPv4 placeholder 0.0.0.0.
inline void ExpectOneFamily(const Action& open, const std::string& where) {
  EXPECT_EQ(open.tuple.src.family(), open.tuple.dst.family())
      << where << ": src " << open.tuple.src.ToString() << " dst " << open.tuple.dst.ToString();
}

// A SYN carrying MP_JOIN for the receiver's `token` (RFC 8684 §3.2).
inline OwnedSegment JoinSyn(const FourTuple& tuple, uint32_t token, uint8_t address_id = 2,
                            Interface iface = Interface::kCustomerFacing) {
  OwnedSegment s;
  s.interface = iface;
  s.tuple = tuple;
  s.flags = kTcpSyn;
  s.seq = 7000u + tuple.src_port;
  s.options = Area({mo::Mss{1400}, mo::SackPermitted{}, mo::Timestamps{1, 0}, mo::WindowScale{7},
                    mo::MptcpOption{mo::MpJoinSyn{false, address_id, token, 0x5eed0000u + tuple.src_port}}});
  return s;
}

// TCP Fast Open option (RFC 7413 §4.1.1): kind 34, length 2 (cookie request)
// or 2 + cookie; mptcp_opts has no builder for it, so it goes in as RawOption.
inline constexpr uint8_t kKindTfo = 34;
inline OwnedSegment TfoSyn(const FourTuple& tuple, const std::vector<uint8_t>& cookie, const std::string& data = "") {
  OwnedSegment s = TcpSyn(tuple, data);
  s.options = Area({mo::Mss{1460}, mo::SackPermitted{}, mo::Timestamps{1, 0}, mo::WindowScale{7},
                    mo::RawOption{kKindTfo, cookie}});
  return s;
}

// A destination IE (Type 0, D=0, M=1) built byte by byte, for addresses the
// IE encoder refuses to write (D7's bad address classes).
inline std::vector<uint8_t> RawDestinationIe(const mo::IpAddress& a, std::optional<uint16_t> port) {
  const uint8_t length = uint8_t(4 + a.size() + (port ? 2 : 0));
  std::vector<uint8_t> out = {0xfa, 0xa8, 0xfa, 0xa8, 0x00, length, 0x00, 0x01};
  for (uint8_t b : a.bytes()) out.push_back(b);
  if (port) {
    out.push_back(uint8_t(*port >> 8));
    out.push_back(uint8_t(*port));
  }
  while ((out.size() % 4) != 0) out.push_back(0);
  return out;
}

}  // namespace mcp_core::test

#endif  // MCP_CORE_RULE_TEST_SUPPORT_H_
