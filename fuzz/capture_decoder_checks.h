// SPDX-License-Identifier: Apache-2.0
// Properties of capture_decoder_fuzzer: mptcp-decode's whole path for a
// capture file, as main.cc runs it: libpcap opens the bytes (classic pcap or
// pcapng), every record goes to CaptureDecoder::DecodeFrame, then
// AppendSummary.
//
// Input: an options byte (bit 0: --json, bit 1: --verify, bit 2:
// --connections, bits 3..7 modulo 6: the timestamp style), then the file;
// each record's pcap time is handed over as the frame's time.
// Records are handed over as exact-size heap copies, so an over-read of the
// captured bytes is an ASan report even though libpcap's buffer is larger.
//
// Checked:
//  * no crash, no sanitizer report;
//  * the output is printable ASCII and newlines only, and ends with a
//    newline (nothing from the capture reaches the terminal raw);
//  * text: exactly one line per MPTCP segment and per truncated frame, then
//    the summary (one line, two with --verify);
//  * JSON: every line is one well-formed JSON object starting with "frame"
//    ("connection" with --connections), or the final "summary", present
//    exactly with --verify;
//  * the counters agree: one frame per record, TCP segments and truncated
//    frames at most the frames, MPTCP segments at most the TCP segments,
//    malformed options at most the options, and the tracker's HMAC and token
//    results at most the options.
#ifndef MPTCP_OPTS_FUZZ_CAPTURE_DECODER_CHECKS_H_
#define MPTCP_OPTS_FUZZ_CAPTURE_DECODER_CHECKS_H_

#include <pcap/pcap.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "examples/mptcp_decode/capture_decoder.h"
#include "examples/mptcp_decode/pcap_link_type.h"
#include "fuzz/decoder_fuzz_common.h"
#include "mptcp_opts/capture/packet_dissector.h"

namespace mptcp_decode::fuzz {

namespace capture_fuzz {

// A strict JSON syntax check (RFC 8259) of one value; enough to tell that a
// line a consumer splits on newlines parses.
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view s) : s_(s) {}
  bool WholeObject() {
    Space();
    if (Peek() != '{' || !Value(0)) return false;
    Space();
    return at_ == s_.size();
  }

 private:
  char Peek() const { return at_ < s_.size() ? s_[at_] : '\0'; }
  void Space() {
    while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\t')) ++at_;
  }
  bool Eat(char c) {
    Space();
    if (Peek() != c) return false;
    ++at_;
    return true;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }
  bool Digits() {
    const size_t start = at_;
    while (Peek() >= '0' && Peek() <= '9') ++at_;
    return at_ > start;
  }
  bool Number() {
    if (Peek() == '-') ++at_;
    if (Peek() == '0') {
      ++at_;
    } else if (!Digits()) {
      return false;
    }
    if (Peek() == '.') {
      ++at_;
      if (!Digits()) return false;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++at_;
      if (Peek() == '+' || Peek() == '-') ++at_;
      if (!Digits()) return false;
    }
    return true;
  }
  bool String() {
    if (Peek() != '"') return false;
    ++at_;
    while (at_ < s_.size()) {
      const unsigned char c = static_cast<unsigned char>(s_[at_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      const char e = Peek();
      ++at_;
      if (e == 'u') {
        for (int i = 0; i < 4; ++i, ++at_) {
          if (!std::isxdigit(static_cast<unsigned char>(Peek()))) return false;
        }
      } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos || e == '\0') {
        return false;
      }
    }
    return false;
  }
  bool Value(int depth) {
    if (depth > 16) return false;
    Space();
    switch (Peek()) {
      case '{': {
        ++at_;
        if (Eat('}')) return true;
        do {
          Space();
          if (!String() || !Eat(':') || !Value(depth + 1)) return false;
        } while (Eat(','));
        return Eat('}');
      }
      case '[': {
        ++at_;
        if (Eat(']')) return true;
        do {
          if (!Value(depth + 1)) return false;
        } while (Eat(','));
        return Eat(']');
      }
      case '"': return String();
      case 't': return Literal("true");
      case 'f': return Literal("false");
      case 'n': return Literal("null");
      default: return Number();
    }
  }

  std::string_view s_;
  size_t at_ = 0;
};

inline bool IsJsonObjectLine(std::string_view line) { return JsonChecker(line).WholeObject(); }

}  // namespace capture_fuzz

inline void CheckCaptureDecoderInput(std::span<const uint8_t> input) {
  Reader r(input);
  const uint8_t flags = r.U8();
  const auto file = r.Rest();
  if (file.empty()) return;
  std::vector<uint8_t> bytes(file.begin(), file.end());
  FILE* fp = fmemopen(bytes.data(), bytes.size(), "rb");
  if (fp == nullptr) return;
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_fopen_offline(fp, err);
  if (pcap == nullptr) {
    std::fclose(fp);
    return;
  }
  mptcp_opts::capture::LinkType link;
  if (!mptcp_decode::ToLinkType(pcap_datalink(pcap), link)) {
    pcap_close(pcap);  // closes fp; mptcp-decode refuses the file
    return;
  }
  DecoderOptions options;
  options.json = flags & 1;
  options.verify = flags & 2;
  options.connections = flags & 4;
  options.timestamps = static_cast<TimestampStyle>((flags >> 3) % 6);
  CaptureDecoder decoder(options);
  std::string out;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  uint64_t records = 0;
  while (pcap_next_ex(pcap, &header, &data) == 1) {
    const std::vector<uint8_t> frame(data, data + header->caplen);  // exact size
    decoder.DecodeFrame(++records, link, frame, header->len, out,
                        {static_cast<int64_t>(header->ts.tv_sec),
                         static_cast<int32_t>(header->ts.tv_usec)});
  }
  pcap_close(pcap);
  decoder.AppendSummary(out);

  const DecodeCounters& c = decoder.counters();
  const TrackerSummary& t = decoder.tracker_summary();
  DECODER_FUZZ_CHECK(c.frames == records);
  DECODER_FUZZ_CHECK(c.tcp_segments + c.truncated_frames <= c.frames);
  DECODER_FUZZ_CHECK(c.mptcp_segments <= c.tcp_segments);
  DECODER_FUZZ_CHECK(c.malformed_options <= c.options);
  DECODER_FUZZ_CHECK(c.prefer_proxy_ignored <= c.options);
  DECODER_FUZZ_CHECK(uint64_t{t.hmacs_verified} + t.hmacs_failed + t.hmacs_unverifiable +
                         t.tokens_known + t.tokens_unknown <=
                     c.options);
  DECODER_FUZZ_CHECK(t.connections <= c.options && t.subflows <= c.options);

  for (char ch : out) {
    DECODER_FUZZ_CHECK(ch == '\n' || (ch >= 0x20 && ch < 0x7F));
  }
  DECODER_FUZZ_CHECK(out.empty() || out.back() == '\n');
  size_t lines = 0;
  bool summary = false;
  for (size_t at = 0; at < out.size();) {
    const size_t nl = out.find('\n', at);
    const std::string_view line(out.data() + at, nl - at);
    at = nl + 1;
    ++lines;
    if (!options.json) continue;
    DECODER_FUZZ_CHECK(!summary);  // the summary comes last
    DECODER_FUZZ_CHECK(capture_fuzz::IsJsonObjectLine(line));
    summary = line.starts_with("{\"summary\": ");
    DECODER_FUZZ_CHECK(summary || line.starts_with(options.connections ? "{\"connection\": "
                                                                       : "{\"frame\": "));
  }
  // --connections: one line (JSON: object) per connection, one per subflow
  // in text, instead of the per-segment lines.
  size_t connection_lines = 0;
  for (const ConnectionReport& r : decoder.connection_reports()) {
    connection_lines += 1 + (options.json ? 0 : r.subflows.size());
  }
  DECODER_FUZZ_CHECK(options.connections ? decoder.connection_reports().size() == t.connections
                                         : connection_lines == 0);
  if (options.json) {
    DECODER_FUZZ_CHECK(summary == options.verify);
    if (options.connections) DECODER_FUZZ_CHECK(lines == connection_lines + options.verify);
  } else if (options.connections) {
    DECODER_FUZZ_CHECK(lines == connection_lines + (options.verify ? 2 : 1));
  } else {
    DECODER_FUZZ_CHECK(lines == c.mptcp_segments + c.truncated_frames + (options.verify ? 2 : 1));
  }
}

}  // namespace mptcp_decode::fuzz

#endif  // MPTCP_OPTS_FUZZ_CAPTURE_DECODER_CHECKS_H_
