// SPDX-License-Identifier: Apache-2.0
// Test tools for mcp_core: segments built with mptcp_opts, a converter driven
// in virtual time, and the actions it produced, drained in order.
#ifndef MCP_CORE_TEST_HARNESS_H_
#define MCP_CORE_TEST_HARNESS_H_

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mcp_core/converter.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/option_area_builder.h"

namespace mcp_core::test {

namespace mo = mptcp_opts;

inline mo::IpAddress Ip(const std::string& text) { return *mo::IpAddress::Parse(text); }

// A segment that owns its bytes; view() is what the converter sees.
struct OwnedSegment {
  Interface interface = Interface::kCustomerFacing;
  FourTuple tuple;
  uint8_t flags = 0;
  uint8_t dscp = 0;
  std::vector<uint8_t> options;
  std::vector<uint8_t> payload;
  uint32_t seq = 0;
  uint32_t ack_seq = 0;
  uint16_t window = 0;
  SegmentView view() const {
    return {.interface = interface, .tuple = tuple, .flags = flags, .dscp = dscp, .seq = seq,
            .ack_seq = ack_seq, .window = window, .options = options, .payload = payload};
  }
};

inline std::vector<uint8_t> Area(std::vector<mo::TcpOptionValue> opts) {
  uint8_t buf[40];
  size_t n = 0;
  EXPECT_EQ(mo::BuildOptionArea(opts, buf, n), mo::EncodeStatus::kOk);
  return {buf, buf + n};
}

inline std::vector<uint8_t> Ies(std::vector<mo::MpConvertIe> ies, const std::string& data = "") {
  uint8_t buf[64];
  size_t n = 0;
  EXPECT_EQ(mo::BuildMpConvertIes(ies, buf, n), mo::EncodeStatus::kOk);
  std::vector<uint8_t> out(buf, buf + n);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

inline OwnedSegment MptcpSyn(FourTuple tuple, std::vector<uint8_t> payload,
                             Interface iface = Interface::kCustomerFacing) {
  OwnedSegment s;
  s.interface = iface;
  s.tuple = tuple;
  s.flags = kTcpSyn;
  s.options = Area({mo::Mss{1460}, mo::SackPermitted{}, mo::Timestamps{1, 0}, mo::WindowScale{7},
                    mo::MptcpOption{mo::MpCapable{}}});
  s.payload = std::move(payload);
  return s;
}

inline OwnedSegment TcpSyn(FourTuple tuple, std::string data = "") {
  OwnedSegment s;
  s.tuple = tuple;
  s.flags = kTcpSyn;
  s.options = Area({mo::Mss{1460}, mo::SackPermitted{}, mo::Timestamps{1, 0}, mo::WindowScale{7}});
  s.payload.assign(data.begin(), data.end());
  return s;
}

inline std::vector<Action> Drain(Converter& c) {
  std::vector<Action> out;
  while (auto a = c.PollAction()) out.push_back(std::move(*a));
  return out;
}

inline std::vector<EventKind> DrainEvents(Converter& c) {
  std::vector<EventKind> out;
  while (auto e = c.PollEvent()) out.push_back(e->kind);
  return out;
}

inline std::string Describe(const Action& a) {
  static const char* kinds[] = {"OPEN", "ANSWER_SYN", "RESET", "FASTCLOSE", "CLOSE", "NOTIFY_APP", "CHALLENGE_ACK",
                                "ANSWER_ACCEPTED"};
  std::string s = kinds[a.kind];
  s += a.leg == Leg::kUpstream ? " up" : " down";
  if (a.kind == Action::kOpenLeg) {
    s += a.transport == Transport::kMptcp ? " mptcp " : " tcp ";
    s += a.tuple.dst.ToString() + ":" + std::to_string(a.tuple.dst_port);
  }
  if (a.kind == Action::kNotifyApplication && a.failed) s += " failed";
  return s;
}

inline std::vector<std::string> Describe(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions) out.push_back(Describe(a));
  return out;
}

}  // namespace mcp_core::test

#endif  // MCP_CORE_TEST_HARNESS_H_
