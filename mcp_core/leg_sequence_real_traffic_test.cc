// SPDX-License-Identifier: Apache-2.0
// LegSequence against genuine traffic: every TCP connection of a capture of
// Linux's own MPTCP (examples/captures/linux_kernel_mptcp_v1.pcap, made in
// network namespaces, see mptcp_opts/real_peer/) is fed segment by segment,
// as a box on the path sees it. A check that rejects what a real stack sends
// would drop real closes, so:
//   * every segment after the SYN is learned (none is taken for a forgery);
//   * every FIN, every segment carrying DATA_FIN or MP_FASTCLOSE, and every
//     RST falls at or inside the window: none would be dropped.
#include <pcap/pcap.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "mcp_core/leg_sequence.h"
#include "mptcp_opts/capture/packet_dissector.h"
#include "mptcp_opts/segment_options.h"

namespace mcp_core {
namespace {

namespace mo = mptcp_opts;

struct Frame {
  std::vector<uint8_t> bytes;
  uint32_t original_length;
};

std::vector<Frame> ReadCapture(const std::string& path, mo::capture::LinkType& link) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_open_offline(path.c_str(), err);
  EXPECT_NE(pcap, nullptr) << err;
  std::vector<Frame> frames;
  if (!pcap) return frames;
  EXPECT_EQ(pcap_datalink(pcap), DLT_LINUX_SLL);
  link = mo::capture::LinkType::kLinuxSll;
  pcap_pkthdr* header;
  const u_char* data;
  while (pcap_next_ex(pcap, &header, &data) == 1) {
    frames.push_back({{data, data + header->caplen}, header->len});
  }
  pcap_close(pcap);
  return frames;
}

using Key = std::tuple<std::string, std::string, uint16_t, uint16_t>;  // as the SYN was sent

struct Connection {
  LegSequence sequence;
  FourTuple syn_tuple;
};

TEST(LegSequenceRealTrafficTest, LinuxMptcpCaptureIsNeverTakenForForgery) {
  mo::capture::LinkType link;
  const auto frames = ReadCapture("examples/captures/linux_kernel_mptcp_v1.pcap", link);
  ASSERT_GT(frames.size(), 1000u);
  std::map<Key, Connection> connections;
  mo::SegmentOptions parsed;
  int learned = 0, rsts = 0, fins = 0, data_fins = 0, fastcloses = 0;
  // The shipped capture keeps 128 bytes of each frame; sequence space counts
  // the payload's length on the wire, which is all LegSequence reads of it.
  const std::vector<uint8_t> wire_payload(65536);
  for (size_t i = 0; i < frames.size(); ++i) {
    mo::capture::TcpSegmentView tcp;
    ASSERT_EQ(mo::capture::DissectFrame(link, frames[i].bytes, frames[i].original_length, tcp),
              mo::capture::DissectStatus::kOk);
    SegmentView seg{.tuple = {tcp.src, tcp.dst, tcp.src_port, tcp.dst_port},
                    .flags = tcp.flags,
                    .seq = tcp.seq,
                    .ack_seq = tcp.ack,
                    .window = tcp.window,
                    .options = tcp.options,
                    .payload = std::span(wire_payload.data(), tcp.payload_length_on_wire)};
    const std::string frame = "frame " + std::to_string(i + 1);
    (void)mo::ParseSegmentOptions(tcp.options, mo::CodecConfig{}, parsed);
    std::optional<uint8_t> scale;
    if (parsed.has(mo::SegmentOptions::kWindowScale)) scale = parsed.effective_window_scale();
    bool data_fin = false, fastclose = false;
    for (const auto& e : parsed.mptcp_options()) {
      if (e.status != mo::DecodeStatus::kOk) continue;
      if (const auto* dss = std::get_if<mo::Dss>(&e.value)) data_fin |= dss->data_fin;
      fastclose |= std::holds_alternative<mo::MpFastclose>(e.value);
    }

    const Key forward{tcp.src.ToString(), tcp.dst.ToString(), tcp.src_port, tcp.dst_port};
    const Key reverse{tcp.dst.ToString(), tcp.src.ToString(), tcp.dst_port, tcp.src_port};
    if (seg.syn() && !seg.ack() && !connections.count(forward)) {
      connections[forward].syn_tuple = seg.tuple;
    }
    auto it = connections.find(forward);
    if (it == connections.end()) it = connections.find(reverse);
    ASSERT_NE(it, connections.end()) << frame << ": a connection whose SYN the capture lacks";
    Connection& c = it->second;
    const LegSide from = seg.tuple == c.syn_tuple ? LegSide::kTupleSource : LegSide::kTupleDestination;

    if (seg.rst()) {
      ++rsts;
      const SeqClass k = c.sequence.ClassifyRst(from, seg);
      EXPECT_TRUE(k == SeqClass::kExact || k == SeqClass::kInWindow) << frame << ": RST " << SeqClassName(k);
      EXPECT_EQ(k, SeqClass::kExact) << frame << ": a real RST sits at the receiver's next octet";
      fastcloses += fastclose;
      continue;
    }
    if (seg.fin() || data_fin || fastclose) {
      const SeqClass k = c.sequence.ClassifyFin(from, seg.seq + uint32_t(seg.payload.size()));
      EXPECT_TRUE(k == SeqClass::kExact || k == SeqClass::kInWindow)
          << frame << (seg.fin() ? ": FIN " : data_fin ? ": DATA_FIN " : ": MP_FASTCLOSE ") << SeqClassName(k);
      fins += seg.fin();
      data_fins += data_fin;
      fastcloses += fastclose;
    }
    EXPECT_TRUE(c.sequence.Learn(from, seg, seg.syn() ? scale : std::nullopt))
        << frame << ": not learned (from " << int(from) << " seq " << seg.seq << " ack " << seg.ack_seq << " flags " << int(seg.flags) << ")";
    ++learned;
  }
  // What the capture's README says it holds: 4 connections of 4 subflows,
  // aborted and graceful closes in both families.
  EXPECT_EQ(connections.size(), 16u);
  EXPECT_GT(learned, 1000);
  EXPECT_GE(rsts, 4);
  EXPECT_GE(fins, 4);
  EXPECT_GE(data_fins, 4);
  EXPECT_GE(fastcloses, 4);
  std::printf("segments learned %d, RSTs %d, FINs %d, DATA_FINs %d, MP_FASTCLOSEs %d\n", learned, rsts, fins,
              data_fins, fastcloses);
}

}  // namespace
}  // namespace mcp_core
