// Turns captured frames into mptcp-decode's output: one text line per TCP
// segment that carries MPTCP options or MP_CONVERT IEs, or one JSON object
// per option / IE (schema in README.md). With verification on, connections
// are followed and HMACs checked (connection_tracker.h).
//
//   CaptureDecoder decoder({.json = true, .verify = true});
//   decoder.DecodeFrame(frame_number, link_type, bytes, original_length, out);
//   decoder.AppendSummary(out);
#ifndef EXAMPLES_MPTCP_DECODE_CAPTURE_DECODER_H_
#define EXAMPLES_MPTCP_DECODE_CAPTURE_DECODER_H_

#include <cstdint>
#include <span>
#include <string>

#include "examples/mptcp_decode/connection_tracker.h"
#include "mptcp_opts/capture/packet_dissector.h"
#include "mptcp_opts/option_header.h"

namespace mptcp_decode {

struct DecoderOptions {
  bool json = false;
  bool verify = false;
  // decisions.md D5: 0x9..0xE (the type holds nothing else), default 0xE.
  mptcp_opts::PreferProxySubtype prefer_proxy_subtype = mptcp_opts::PreferProxySubtype::Default();
};

struct DecodeCounters {
  uint64_t frames = 0;
  uint64_t tcp_segments = 0;
  uint64_t mptcp_segments = 0;
  uint64_t options = 0;
  uint64_t malformed_options = 0;
  uint64_t ies = 0;
  uint64_t truncated_frames = 0;
  uint64_t prefer_proxy_ignored = 0;  // decisions.md D10
};

class CaptureDecoder {
 public:
  explicit CaptureDecoder(DecoderOptions options) : options_(options) {}

  // Appends the output for one frame to `out`.
  void DecodeFrame(uint64_t frame_number, mptcp_opts::capture::LinkType link,
                   std::span<const uint8_t> captured, uint32_t original_length, std::string& out);

  // Decodes a bare TCP option area (for --hex): as DecodeFrame, without the
  // segment context (version v1 unless given, no verification).
  void DecodeOptionArea(std::span<const uint8_t> area, mptcp_opts::MptcpVersion version,
                        std::string& out);

  // Text: the verification summary (with --verify) and counters.
  // JSON: one final {"summary": {...}} object.
  void AppendSummary(std::string& out) const;

  const DecodeCounters& counters() const { return counters_; }
  const TrackerSummary& tracker_summary() const { return tracker_.summary(); }

 private:
  void DecodeSegment(uint64_t frame, const mptcp_opts::capture::TcpSegmentView& seg,
                     std::string& out);

  DecoderOptions options_;
  ConnectionTracker tracker_;
  DecodeCounters counters_;
};

}  // namespace mptcp_decode

#endif  // EXAMPLES_MPTCP_DECODE_CAPTURE_DECODER_H_
