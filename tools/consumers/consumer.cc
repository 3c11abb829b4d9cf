// SPDX-License-Identifier: Apache-2.0
// A program outside the project that uses the installed mptcp_assist: the
// codec decodes an MP_CAPABLE, the crypto library computes its token, and an
// mcp_core network MCP loaded from a textproto takes one client SYN.
// tools/cmake_consumer_test.sh builds it twice against an installed tree,
// with find_package(mptcp_assist) (CMakeLists.txt here) and with
//   g++ -std=c++20 consumer.cc $(pkg-config --cflags --libs mptcp_assist)
// and runs it. It prints the version it was built against and exits 0 when
// every check holds; a failed check says which on stderr and exits 1.
#include <cstdint>
#include <cstdio>
#include <string>
#include <variant>

#include "mcp_core/config_loader.h"
#include "mcp_core/converter.h"
#include "mptcp_opts/crypto.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/version.h"

namespace {

int failures = 0;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "consumer: FAILED: %s\n", what);
    ++failures;
  }
}

// An MP_CAPABLE v1 SYN/ACK (RFC 8684 §3.1) carrying Key-A of
// docs/spec/wire-formats.md §9.3; its v1 token there is 66840dda.
void CodecAndCrypto() {
  const uint8_t option[] = {0x1e, 0x0c, 0x01, 0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  mptcp_opts::MptcpOption decoded;
  Check(mptcp_opts::DecodeMptcpOption(option, mptcp_opts::CodecConfig{}, decoded) ==
            mptcp_opts::DecodeStatus::kOk,
        "MP_CAPABLE decodes");
  const auto* capable = std::get_if<mptcp_opts::MpCapable>(&decoded);
  Check(capable != nullptr && capable->version == 1 && capable->sender_key == 0x0102030405060708u,
        "MP_CAPABLE v1 with the sender's key 0x0102030405060708");
  if (capable == nullptr || !capable->sender_key) return;
  const uint32_t token = mptcp_opts::Token(*capable->sender_key, mptcp_opts::MptcpVersion::kV1);
  std::printf("MP_CAPABLE key %016llx token %08x\n",
              static_cast<unsigned long long>(*capable->sender_key), token);
  Check(token == 0x66840dda, "the v1 token of Key-A is 66840dda (wire-formats.md 9.3)");
}

// A network MCP takes a client's SYN with MP_CAPABLE and a destination IE
// for 192.0.2.80:443: it intercepts the SYN and asks to open the TCP leg there.
void McpCore() {
  auto config = mcp_core::LoadConfig(R"pb(role: NETWORK_MCP mcp_addresses: "203.0.113.1")pb");
  Check(config.ok(), "the textproto config loads");
  if (!config.ok()) {
    std::fprintf(stderr, "consumer: %s\n", std::string(config.status().message()).c_str());
    return;
  }
  mcp_core::Converter mcp(*config);

  uint8_t ie[32];
  size_t ie_length = 0;
  const mptcp_opts::MpConvertIe destination{false, mptcp_opts::IpAddress::V4(192, 0, 2, 80), 443};
  Check(mptcp_opts::BuildMpConvertIes({&destination, 1}, ie, ie_length) ==
            mptcp_opts::EncodeStatus::kOk,
        "the destination IE builds");
  const uint8_t mp_capable[] = {0x1e, 0x04, 0x01, 0x01};
  mcp_core::SegmentView syn{
      .interface = mcp_core::Interface::kCustomerFacing,
      .tuple = {mptcp_opts::IpAddress::V4(100, 64, 1, 10), mptcp_opts::IpAddress::V4(203, 0, 113, 1),
                40001, 5555},
      .flags = mcp_core::kTcpSyn,
      .seq = 0x5eed0000,
      .window = 64240,
      .options = mp_capable,
      .payload = {ie, ie_length}};
  const mcp_core::Verdict verdict = mcp.HandleSegment(mcp_core::Instant::FromNanos(0), syn);
  Check(verdict.kind == mcp_core::Verdict::kIntercept, "the SYN is intercepted");

  int open_legs = 0;
  while (auto action = mcp.PollAction()) {
    if (action->kind != mcp_core::Action::kOpenLeg) continue;
    ++open_legs;
    std::printf("mcp_core: open leg to %s:%u\n", action->tuple.dst.ToString().c_str(),
                action->tuple.dst_port);
    Check(action->tuple.dst.ToString() == "192.0.2.80" && action->tuple.dst_port == 443,
          "the leg goes to the IE's 192.0.2.80:443");
  }
  Check(open_legs == 1, "one leg is opened");
}

}  // namespace

int main() {
  std::printf("mptcp_assist %.*s\n", static_cast<int>(mptcp_opts::kVersion.size()),
              mptcp_opts::kVersion.data());
  CodecAndCrypto();
  McpCore();
  return failures == 0 ? 0 : 1;
}
