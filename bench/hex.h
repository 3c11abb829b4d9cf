// SPDX-License-Identifier: Apache-2.0
// Hex fixtures for the benchmark drivers (codec_benchmark.cc and
// linux_parser/linux_parser_benchmark.cc): "1e0c 0181 ..." to bytes with
// mptcp_opts::ParseHex. Text it refuses is a broken fixture: it is reported
// and the program stops before anything is timed.
#ifndef BENCH_HEX_H_
#define BENCH_HEX_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "mptcp_opts/hex_text.h"

namespace mptcp_bench {

inline std::vector<uint8_t> Hex(std::string_view hex) {
  std::vector<uint8_t> out;
  if (!mptcp_opts::ParseHex(hex, out)) {
    std::fprintf(stderr, "not a hex fixture: %.*s\n", int(hex.size()), hex.data());
    std::abort();
  }
  return out;
}

}  // namespace mptcp_bench

#endif  // BENCH_HEX_H_
