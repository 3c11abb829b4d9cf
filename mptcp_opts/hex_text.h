// SPDX-License-Identifier: Apache-2.0
// Hex text to bytes, for tools, tests and fixtures (never the per-segment
// path): "1e0c 0181", "1e:0c:01:81" or "1e-0c-01-81", digits in either case.
// One parser for mptcp-decode's --hex, the codec tests and the benchmark
// fixtures, so all three accept exactly the same text.
#ifndef MPTCP_OPTS_HEX_TEXT_H_
#define MPTCP_OPTS_HEX_TEXT_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace mptcp_opts {

// Appends the bytes of `text` to `out`. Spaces, ':' and '-' between digits
// are skipped. False on any other character or an odd number of digits
// (`out` then holds the bytes decoded before the fault).
inline bool ParseHex(std::string_view text, std::vector<uint8_t>& out) {
  int hi = -1;
  for (const char c : text) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else if (c == ' ' || c == ':' || c == '-') continue;
    else return false;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return hi < 0;
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_HEX_TEXT_H_
