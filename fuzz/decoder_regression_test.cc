// SPDX-License-Identifier: Apache-2.0
// Runs in the normal suite (gcc, no libFuzzer): the corpora and crash
// reproducers of the decoder's fuzz targets (packet_dissector_fuzzer,
// connection_tracker_fuzzer, capture_decoder_fuzzer), replayed through the
// same checks the fuzzers use (built here with the checks throwing), plus one
// named test per finding (README.md, "Findings").
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "examples/mptcp_decode/connection_tracker.h"
#include "fuzz/corpus_files.h"
#include "fuzz/capture_decoder_checks.h"
#include "fuzz/connection_tracker_checks.h"
#include "fuzz/decoder_fuzz_common.h"
#include "fuzz/packet_dissector_checks.h"
#include "gtest/gtest.h"
#include "mptcp_opts/capture/packet_dissector.h"
#include "mptcp_opts/mptcp_option.h"

namespace mptcp_decode::fuzz {
namespace {

namespace fs = std::filesystem;
namespace mo = mptcp_opts;
using mo::capture::TcpSegmentView;

using ::mptcp_fuzz::FilesUnder;
using ::mptcp_fuzz::ReadFile;

struct Target {
  const char* name;
  std::function<void(std::span<const uint8_t>)> check;
};

const Target kTargets[] = {
    {"packet_dissector_fuzzer", CheckPacketDissectorInput},
    {"connection_tracker_fuzzer", CheckConnectionTrackerInput},
    {"capture_decoder_fuzzer", CheckCaptureDecoderInput},
};

size_t Replay(const Target& t, const std::string& kind) {
  size_t n = 0;
  for (const fs::path& f : FilesUnder(kind, t.name)) {
    const std::vector<uint8_t> bytes = ReadFile(f);
    try {
      t.check(bytes);
    } catch (const PropertyViolation& e) {
      ADD_FAILURE() << t.name << " on " << kind << "/" << f.filename().string() << ": " << e.what();
    }
    ++n;
  }
  return n;
}

TEST(DecoderFuzzCorpusTest, EverySeedPassesTheFuzzersPropertiesWithoutInstrumentation) {
  for (const Target& t : kTargets) {
    EXPECT_GT(Replay(t, "corpus"), 0u) << "no seeds for " << t.name;
  }
}

TEST(DecoderFuzzCorpusTest, EveryCrashReproducerNowPasses) {
  size_t n = 0;
  for (const Target& t : kTargets) n += Replay(t, "regressions");
  RecordProperty("reproducers", int(n));
}

// ---------------------------------------------------------------------------
// Named regressions, one block per finding (README.md, "Findings").
// ---------------------------------------------------------------------------

TcpSegmentView Segment(mo::IpAddress src, uint16_t src_port, mo::IpAddress dst, uint16_t dst_port,
                       uint8_t flags) {
  TcpSegmentView s;
  s.ip_version = src.is_v4() ? 4 : 6;
  s.src = src;
  s.dst = dst;
  s.src_port = src_port;
  s.dst_port = dst_port;
  s.flags = flags;
  return s;
}

constexpr uint8_t kSyn = mo::capture::kTcpFlagSyn;
constexpr uint8_t kAck = mo::capture::kTcpFlagAck;
const mo::IpAddress kClient = mo::IpAddress::V4(192, 0, 2, 1);
const mo::IpAddress kServer = mo::IpAddress::V4(198, 51, 100, 2);

// Heap growth from `before`, never negative.
size_t GrownSince(size_t before) {
  const size_t now = LiveHeapBytes();
  return now > before ? now - before : 0;
}

// F3, found by connection_tracker_fuzzer's memory check (reproducer:
// regressions/connection_tracker_fuzzer/crash-join-syn-unknown-token, one
// MP_JOIN SYN with an unknown token, replayed). Every MP_JOIN SYN whose
// token is not (yet) known appends a placeholder Connection to
// ConnectionTracker::connections_, even when it only retransmits the SYN of
// the same subflow; the subflow's previous placeholder is then referenced by
// nothing and never freed. A capture of retransmitted or flooded MP_JOIN SYNs
// (RFC 8684 §5 discusses such floods) makes the decoder grow with every
// segment: 100,000 copies of one SYN, 6.3 MB (gcc, this test).
TEST(DecoderRegressionTest, F3_TrackerDoesNotGrowWithRetransmittedJoinSyn) {
  ConnectionTracker tracker;
  mo::MpJoinSyn join;
  join.token = 0x12345678;  // no MP_CAPABLE announced a key with this token
  join.nonce = 0x01020304;
  const TcpSegmentView syn = Segment(kClient, 40000, kServer, 443, kSyn);
  for (int i = 0; i < 100; ++i) tracker.Observe(syn, join);
  const size_t before = LiveHeapBytes();
  for (int i = 0; i < 100000; ++i) tracker.Observe(syn, join);
  const size_t grown = GrownSince(before);
  EXPECT_LT(grown, 64u * 1024) << "100,000 retransmissions of one MP_JOIN SYN grew the tracker by "
                               << grown << " bytes";
  EXPECT_EQ(tracker.summary().subflows, 1u);
}

// F3, second shape (reproducer:
// regressions/connection_tracker_fuzzer/crash-reconnect-same-keys, one
// scripted connection replayed). A SYN with MP_CAPABLE on a 4-tuple whose
// connection has both keys opens a new Connection; the old one stays in
// connections_ although, when the new handshake carries the same keys, its
// tokens now name the new one and no subflow refers to it. The same
// handshake repeated 100,000 times: 6.3 MB.
TEST(DecoderRegressionTest, F3_TrackerDoesNotGrowWithRepeatedHandshake) {
  ConnectionTracker tracker;
  const TcpSegmentView syn = Segment(kClient, 40000, kServer, 443, kSyn);
  const TcpSegmentView syn_ack = Segment(kServer, 443, kClient, 40000, kSyn | kAck);
  const TcpSegmentView ack = Segment(kClient, 40000, kServer, 443, kAck);
  mo::MpCapable c_syn, c_syn_ack, c_ack;
  c_syn_ack.sender_key = 0x1112131415161718;
  c_ack.sender_key = 0x0102030405060708;
  c_ack.receiver_key = 0x1112131415161718;
  auto handshake = [&] {
    tracker.Observe(syn, c_syn);
    tracker.Observe(syn_ack, c_syn_ack);
    tracker.Observe(ack, c_ack);
  };
  for (int i = 0; i < 100; ++i) handshake();
  const size_t before = LiveHeapBytes();
  for (int i = 0; i < 100000; ++i) handshake();
  const size_t grown = GrownSince(before);
  EXPECT_LT(grown, 64u * 1024) << "100,000 repetitions of one handshake grew the tracker by "
                               << grown << " bytes";
  EXPECT_EQ(tracker.VersionFor(ack), mo::MptcpVersion::kV1);
}

// F4, found reading the tracker for this fuzz target (a 1-connection-per-
// step fuzz input cannot show it). Each time a connection's second key was
// seen, ConnectionTracker::IndexTokens walked every subflow of the capture to
// resolve MP_JOINs seen before the keys, so a capture with N connections took
// O(N^2): 8,000 / 16,000 / 32,000 connections took 0.3 / 2.2 / 9.8 s (-O2).
// The joins that wait for a token are now indexed by it. Speed is not checked
// here (no timed unit tests; see fuzz/README.md F4 for the measurement): this
// checks the behaviour the index must keep, with many connections and joins
// that arrive before their connection's keys, in capture order.
TEST(DecoderRegressionTest, F4_JoinsSeenBeforeTheKeysResolveAmongManyConnections) {
  ConnectionTracker tracker;
  constexpr int kConnections = 20000;
  const mo::IpAddress server = mo::IpAddress::V4(198, 51, 100, 7);
  auto keys = [](int i) { return std::pair<uint64_t, uint64_t>{0x5000000000000001 + 2 * uint64_t(i),
                                                                 0x5000000000000000 + 2 * uint64_t(i)}; };
  // Every 100th connection: a join towards its server's token, seen first.
  for (int i = 0; i < kConnections; i += 100) {
    mo::MpJoinSyn join;
    join.token = mo::Token(keys(i).second, mo::MptcpVersion::kV1);
    join.nonce = uint32_t(i);
    const auto v = tracker.Observe(Segment(kClient, uint16_t(20000 + i / 100), server, 8443, kSyn), join);
    EXPECT_EQ(v.token_known, false);
  }
  for (int i = 0; i < kConnections; ++i) {
    const uint16_t port = static_cast<uint16_t>(1024 + i % 60000);
    mo::MpCapable c_syn, c_syn_ack, c_ack;
    c_syn_ack.sender_key = keys(i).second;
    c_ack.sender_key = keys(i).first;
    c_ack.receiver_key = keys(i).second;
    tracker.Observe(Segment(kClient, port, server, 443, kSyn), c_syn);
    tracker.Observe(Segment(server, 443, kClient, port, kSyn | kAck), c_syn_ack);
    tracker.Observe(Segment(kClient, port, server, 443, kAck), c_ack);
  }
  EXPECT_EQ(tracker.summary().connections, uint32_t(kConnections));
  // Each early join now belongs to its connection: its SYN/ACK verifies
  // with that connection's keys (the server answers with its own HMAC).
  int verified = 0;
  for (int i = 0; i < kConnections; i += 100) {
    mo::MpJoinSynAck synack;
    synack.nonce = 0xabcdef00u + uint32_t(i);
    synack.truncated_hmac = mo::JoinSynAckTruncatedHmac(mo::MptcpVersion::kV1, keys(i).second, keys(i).first,
                                                        synack.nonce, uint32_t(i));
    const auto v = tracker.Observe(Segment(server, 8443, kClient, uint16_t(20000 + i / 100), kSyn | kAck), synack);
    verified += v.result == HmacResult::kValid;
  }
  EXPECT_EQ(verified, kConnections / 100);
}

}  // namespace
}  // namespace mptcp_decode::fuzz
