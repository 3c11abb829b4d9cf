// Hex fixtures for the benchmark drivers (codec_benchmark.cc and
// linux_parser/linux_parser_benchmark.cc): "1e0c 0181 ..." to bytes, spaces
// and other separators ignored. An odd number of digits is a broken fixture:
// it is reported and the program stops before anything is timed.
#ifndef BENCH_HEX_H_
#define BENCH_HEX_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace mptcp_bench {

inline std::vector<uint8_t> Hex(std::string_view hex) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (char c : hex) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;  // spaces
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(uint8_t(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) {
    std::fprintf(stderr, "odd hex string: %.*s\n", int(hex.size()), hex.data());
    std::abort();
  }
  return out;
}

}  // namespace mptcp_bench

#endif  // BENCH_HEX_H_
