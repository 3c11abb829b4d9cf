// SPDX-License-Identifier: Apache-2.0
// Every public header, compiled the way an embedder's optimised build sees
// it: -O2 -Wall -Wextra -Werror (BUILD.bazel), with the per-segment entry
// points instantiated, so that GCC's middle-end warnings (which only appear
// once code is inlined and optimised, e.g. -Wstringop-overflow) fail the
// build here instead of landing in users' logs. GCC 12 reported 17 false
// -Wstringop-overflow warnings for DecodeMptcpOption until Reuse<T> stopped
// returning emplace()'s reference. The run checks one decode so the code is
// not dead.
#include "mptcp_opts/add_addr.h"
#include "mptcp_opts/crypto.h"
#include "mptcp_opts/dss.h"
#include "mptcp_opts/hex_text.h"
#include "mptcp_opts/ip_address.h"
#include "mptcp_opts/mp_capable.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/mp_fail.h"
#include "mptcp_opts/mp_fastclose.h"
#include "mptcp_opts/mp_join.h"
#include "mptcp_opts/mp_prefer_proxy.h"
#include "mptcp_opts/mp_prio.h"
#include "mptcp_opts/mp_tcprst.h"
#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/option_area_builder.h"
#include "mptcp_opts/option_fields.h"
#include "mptcp_opts/option_header.h"
#include "mptcp_opts/remove_addr.h"
#include "mptcp_opts/segment_options.h"
#include "mptcp_opts/status.h"
#include "mptcp_opts/tcp_checksum.h"
#include "mptcp_opts/tcp_option_walker.h"
#include "mptcp_opts/tcp_segment_editor.h"
#include "mptcp_opts/wire.h"

#include <cstdio>
#include <variant>

namespace mo = mptcp_opts;

// Out of line and fed from a volatile-loaded buffer, so the compiler must
// keep (and warn about) the general code paths, not one constant-folded case.
[[gnu::noinline]] mo::WalkStatus ParseArea(const uint8_t* data, size_t size,
                                           mo::SegmentOptions& out) {
  return mo::ParseSegmentOptions({data, size}, mo::CodecConfig{}, out);
}
[[gnu::noinline]] mo::DecodeStatus DecodeOne(const uint8_t* data, size_t size,
                                             mo::MptcpOption& out) {
  return mo::DecodeMptcpOption({data, size}, mo::CodecConfig{}, out);
}

int main() {
  // NOP NOP TS, ADD_ADDR v1 IPv4 with HMAC.
  static volatile uint8_t wire[] = {0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2,
                                    0x1e, 0x10, 0x30, 0x01, 192, 0, 2, 1,
                                    1, 2, 3, 4, 5, 6, 7, 8};
  uint8_t area[sizeof(wire)];
  for (size_t i = 0; i < sizeof(wire); ++i) area[i] = wire[i];
  mo::SegmentOptions parsed;
  mo::MptcpOption one;
  const bool ok = ParseArea(area, sizeof(area), parsed) == mo::WalkStatus::kOk &&
                  parsed.has(mo::SegmentOptions::kTimestamps) && parsed.mptcp_count == 1 &&
                  DecodeOne(area + 12, 16, one) == mo::DecodeStatus::kOk &&
                  std::holds_alternative<mo::AddAddr>(one) && parsed.mptcp[0].value == one;
  if (!ok) std::fprintf(stderr, "decode through the headers gave a wrong result\n");
  return ok ? 0 : 1;
}
