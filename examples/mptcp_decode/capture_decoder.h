// SPDX-License-Identifier: Apache-2.0
// Turns captured frames into mptcp-decode's output: one text line per TCP
// segment that carries MPTCP options or MP_CONVERT IEs, or one JSON object
// per option / IE (schema in README.md), each with the segment's time,
// endpoints, flags and MPTCP connection / subflow numbers. Connections are
// always followed (connection_tracker.h); with verification on, the HMAC
// results are shown; with `connections` on, only a per-connection summary.
//
//   CaptureDecoder decoder({.json = true, .verify = true});
//   decoder.DecodeFrame(frame_number, link_type, bytes, original_length, out, time);
//   decoder.AppendSummary(out);
#ifndef EXAMPLES_MPTCP_DECODE_CAPTURE_DECODER_H_
#define EXAMPLES_MPTCP_DECODE_CAPTURE_DECODER_H_

#include <cstdint>
#include <span>
#include <string>

#include "examples/mptcp_decode/connection_tracker.h"
#include "examples/mptcp_decode/frame_time.h"
#include "mptcp_opts/capture/packet_dissector.h"
#include "mptcp_opts/option_header.h"

namespace mptcp_decode {

struct DecoderOptions {
  bool json = false;
  bool verify = false;
  // Text lines' timestamps (JSON records always carry "time", epoch seconds).
  TimestampStyle timestamps = TimestampStyle::kNone;
  // Per-frame output off; AppendSummary gives one entry per connection.
  bool connections = false;
  // decisions.md D5: 0x9..0xE (the type holds nothing else), default 0xE.
  mptcp_opts::PreferProxySubtype prefer_proxy_subtype = mptcp_opts::PreferProxySubtype::Default();
};

struct DecodeCounters {
  uint64_t frames = 0;
  uint64_t tcp_segments = 0;
  uint64_t mptcp_segments = 0;
  uint64_t options = 0;
  uint64_t malformed_options = 0;
  uint64_t malformed_option_areas = 0;  // a walk that failed (not a snap-length cut)
  uint64_t malformed_ies = 0;           // MP_CONVERT IE lists that failed to parse
  uint64_t ies = 0;
  uint64_t truncated_frames = 0;  // of which some show the options captured whole
  uint64_t prefer_proxy_ignored = 0;  // decisions.md D10
};

class CaptureDecoder {
 public:
  explicit CaptureDecoder(DecoderOptions options)
      : options_(options), tracker_(options.connections), timestamps_(options.timestamps) {}

  // Appends the output for one frame to `out`. Frames are given in capture
  // order, every one (the -ttt deltas count frames that print nothing).
  void DecodeFrame(uint64_t frame_number, mptcp_opts::capture::LinkType link,
                   std::span<const uint8_t> captured, uint32_t original_length, std::string& out,
                   FrameTime time = {});

  // Decodes a bare TCP option area (for --hex): as DecodeFrame, without the
  // segment context (version v1 unless given, no verification).
  void DecodeOptionArea(std::span<const uint8_t> area, mptcp_opts::MptcpVersion version,
                        std::string& out);

  // Text: the connections (with `connections`), the verification summary
  // (with --verify) and counters. JSON: one {"connection": N, ...} object
  // per connection (with `connections`), then with --verify one final
  // {"summary": {...}} object.
  void AppendSummary(std::string& out) const;

  // Malformed options, option areas or MP_CONVERT IE lists were seen (not
  // counting snap-length cuts): mptcp-decode's exit status 3.
  bool saw_malformed() const {
    return counters_.malformed_options + counters_.malformed_option_areas +
               counters_.malformed_ies != 0;
  }

  const DecodeCounters& counters() const { return counters_; }
  const TrackerSummary& tracker_summary() const { return tracker_.summary(); }
  // With `connections`: what AppendSummary lists (empty otherwise).
  const std::vector<ConnectionReport>& connection_reports() const { return tracker_.reports(); }

 private:
  // `options` is seg.options, or with `cut` the captured part of an option
  // area the snap length cut (seg.truncated_options).
  void DecodeSegment(uint64_t frame, const mptcp_opts::capture::TcpSegmentView& seg,
                     std::span<const uint8_t> options, bool cut, std::string& out);
  // The fields every JSON record of the current segment shares (time,
  // endpoints, TCP flags), rendered once into segment_json_.
  void RenderSegmentJson(const mptcp_opts::capture::TcpSegmentView& seg);
  void AppendConnections(std::string& out) const;

  DecoderOptions options_;
  ConnectionTracker tracker_;
  DecodeCounters counters_;
  TimestampFormatter timestamps_;
  // Reused buffers (capacity kept), so a segment costs no allocation.
  std::string line_;
  std::string segment_json_;
};

}  // namespace mptcp_decode

#endif  // EXAMPLES_MPTCP_DECODE_CAPTURE_DECODER_H_
