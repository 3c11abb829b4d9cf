// SPDX-License-Identifier: Apache-2.0
// mptcp-decode's output helpers: printf-style appends, hex, one JSON object
// per record, and a segment's endpoints and TCP flags as text.
#ifndef EXAMPLES_MPTCP_DECODE_JSON_OBJECT_H_
#define EXAMPLES_MPTCP_DECODE_JSON_OBJECT_H_

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include <arpa/inet.h>

#include "mptcp_opts/capture/packet_dissector.h"
#include "mptcp_opts/ip_address.h"

namespace mptcp_decode {

inline void AppendF(std::string& out, const char* fmt, auto... args) {
  char buf[160];
  const int n = std::snprintf(buf, sizeof(buf), fmt, args...);
  out.append(buf, n < 0 ? 0 : std::min<size_t>(n, sizeof(buf) - 1));
}

// Decimal, without printf: the per-segment numbers are most of the output,
// and snprintf was most of the time spent writing them.
inline void AppendUnsigned(std::string& out, uint64_t v) {
  char buf[20];
  char* p = buf + sizeof(buf);
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(p, buf + sizeof(buf) - p);
}

// Decimal with leading zeros to at least `width` digits (at most 20).
inline void AppendUnsignedPadded(std::string& out, uint64_t v, int width) {
  char buf[20];
  char* p = buf + sizeof(buf);
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (buf + sizeof(buf) - p < width && p > buf) *--p = '0';
  out.append(p, buf + sizeof(buf) - p);
}

// `v` in lowercase hex, zero-padded to at least `digits` digits (as printf's
// "%0*" PRIx64: a wider value is never cut).
inline void AppendHexFixed(std::string& out, uint64_t v, int digits) {
  static const char* d = "0123456789abcdef";
  int n = digits;
  while (n < 16 && (v >> (4 * n)) != 0) ++n;
  char buf[64];
  const int len = std::min(n, int(sizeof(buf)));
  for (int i = 0; i < len; ++i) {
    const int shift = 4 * (n - 1 - i);
    buf[i] = shift >= 64 ? '0' : d[(v >> shift) & 15];
  }
  out.append(buf, len);
}

inline void AppendHex(std::string& out, std::span<const uint8_t> bytes) {
  static const char* d = "0123456789abcdef";
  for (uint8_t b : bytes) {
    out += d[b >> 4];
    out += d[b & 15];
  }
}

// Builds one JSON object; keys are fixed ASCII, string values are escaped.
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_ += '{'; }
  JsonObject& Num(const char* key, uint64_t v) {
    Key(key);
    AppendUnsigned(out_, v);
    return *this;
  }
  JsonObject& Bool(const char* key, bool v) {
    Key(key);
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonObject& Str(const char* key, const std::string& v) {
    Key(key);
    out_ += '"';
    // Runs of characters that need no escape are copied at once.
    size_t run = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      const char c = v[i];
      if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) continue;
      out_.append(v, run, i - run);
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      }  // control characters are dropped
      run = i + 1;
    }
    out_.append(v, run, v.size() - run);
    out_ += '"';
    return *this;
  }
  JsonObject& Hex(const char* key, uint64_t v, int digits) {
    Key(key);
    out_ += '"';
    AppendHexFixed(out_, v, digits);
    out_ += '"';
    return *this;
  }
  JsonObject& HexBytes(const char* key, std::span<const uint8_t> bytes) {
    Key(key);
    out_ += '"';
    AppendHex(out_, bytes);
    out_ += '"';
    return *this;
  }
  JsonObject& NumList(const char* key, std::span<const uint8_t> v) {
    Key(key);
    out_ += '[';
    for (size_t i = 0; i < v.size(); ++i) AppendF(out_, i ? ",%u" : "%u", unsigned(v[i]));
    out_ += ']';
    return *this;
  }
  // `v`, or null when it is 0 (the tracker's "not known").
  JsonObject& NumOrNull(const char* key, uint64_t v) {
    Key(key);
    if (v == 0) out_ += "null";
    else AppendUnsigned(out_, v);
    return *this;
  }
  JsonObject& Null(const char* key) {
    Key(key);
    out_ += "null";
    return *this;
  }
  // Appends `"key": value` pairs rendered beforehand (no leading comma), so
  // fields shared by the records of one segment are formatted once.
  JsonObject& Fields(std::string_view rendered) {
    if (rendered.empty()) return *this;
    if (!first_) out_ += ", ";
    first_ = false;
    out_ += rendered;
    return *this;
  }
  // A list of fixed ASCII words (flag names): written as they are.
  JsonObject& StrList(const char* key, std::span<const char* const> words) {
    Key(key);
    out_ += '[';
    for (size_t i = 0; i < words.size(); ++i) {
      if (i) out_ += ", ";
      out_ += '"';
      out_ += words[i];
      out_ += '"';
    }
    out_ += ']';
    return *this;
  }
  void End() { out_ += "}\n"; }
  // Ends an object nested in another value (no newline).
  void Close() { out_ += '}'; }

 private:
  void Key(const char* key) {
    if (!first_) out_ += ", ";
    first_ = false;
    out_ += '"';
    out_ += key;
    out_ += "\": ";
  }
  std::string& out_;
  bool first_ = true;
};

// Appends the address as text, without a temporary string, exactly as
// inet_ntop writes it (RFC 5952: lowercase, the longest run of two or more
// zero groups as "::", the leftmost on a tie; ::ffff:a.b.c.d and ::a.b.c.d
// with an IPv4 tail). By hand: glibc's inet_ntop formats with sprintf, which
// was the slowest part of a JSON record.
inline void AppendAddress(std::string& out, const mptcp_opts::IpAddress& a) {
  const auto b = a.bytes();
  auto v4 = [&out](const uint8_t* q) {
    char buf[16];
    char* p = buf;
    for (int i = 0; i < 4; ++i) {
      if (i) *p++ = '.';
      const unsigned x = q[i];
      if (x >= 100) *p++ = static_cast<char>('0' + x / 100);
      if (x >= 10) *p++ = static_cast<char>('0' + x / 10 % 10);
      *p++ = static_cast<char>('0' + x % 10);
    }
    out.append(buf, p - buf);
  };
  if (a.is_v4()) {
    v4(b.data());
    return;
  }
  uint16_t w[8];
  for (int i = 0; i < 8; ++i) w[i] = static_cast<uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (w[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && w[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best = -1;
  static const char* d = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    if (best >= 0 && i >= best && i < best + best_len) {
      if (i == best) out += ':';
      continue;
    }
    if (i != 0) out += ':';
    if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
      v4(b.data() + 12);
      return;
    }
    bool lead = true;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const int nibble = (w[i] >> shift) & 15;
      if (lead && nibble == 0 && shift != 0) continue;
      lead = false;
      out += d[nibble];
    }
  }
  if (best >= 0 && best + best_len == 8) out += ':';
}

// "192.0.2.1:80" or "[2001:db8::1]:80", appended without a temporary string.
inline void AppendEndpoint(std::string& out, const mptcp_opts::IpAddress& a, uint16_t port) {
  if (a.is_v6()) out += '[';
  AppendAddress(out, a);
  if (a.is_v6()) out += ']';
  out += ':';
  AppendUnsigned(out, port);
}

// The TCP flags as TcpFlags() spells them, appended.
inline void AppendTcpFlags(std::string& out, const mptcp_opts::capture::TcpSegmentView& s) {
  if (s.syn()) out += 'S';
  if (s.fin()) out += 'F';
  if (s.rst()) out += 'R';
  if (s.psh()) out += 'P';
  if (s.ack_flag()) out += '.';
}

inline std::string Endpoint(const mptcp_opts::IpAddress& a, uint16_t port) {
  std::string s = a.is_v6() ? "[" + a.ToString() + "]" : a.ToString();
  return s + ":" + std::to_string(port);
}

inline std::string TcpFlags(const mptcp_opts::capture::TcpSegmentView& s) {
  std::string f;
  if (s.syn()) f += 'S';
  if (s.fin()) f += 'F';
  if (s.rst()) f += 'R';
  if (s.psh()) f += 'P';
  if (s.ack_flag()) f += '.';
  return f;
}

}  // namespace mptcp_decode

#endif  // EXAMPLES_MPTCP_DECODE_JSON_OBJECT_H_
