// SPDX-License-Identifier: Apache-2.0
// Runs in the normal suite (gcc, no libFuzzer): the fuzz corpus and every
// crash reproducer, replayed through the same property checks the fuzzers
// use (fuzz_checks.h, built here with FUZZ_CHECK throwing), plus one named
// test per bug the fuzzers found (see README.md, "Adding a regression").
//
// The FuzzedDataProvider targets (tcp_segment_editor_fuzzer,
// roundtrip_fuzzer) interpret their bytes through clang's
// <fuzzer/FuzzedDataProvider.h>, so their corpora are replayed only by the
// --config=fuzz *_regression tests; a bug they find gets a named test here.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "fuzz/corpus_files.h"
#include "fuzz/fuzz_checks.h"
#include "mptcp_opts/test_util.h"
#include "gtest/gtest.h"

namespace mptcp_opts::fuzz {
namespace {

namespace fs = std::filesystem;

using ::mptcp_fuzz::FilesUnder;
using ::mptcp_fuzz::ReadFile;

// Replays each file through the target's checks; returns how many ran.
size_t Replay(const ByteTarget& t, const std::string& kind) {
  size_t n = 0;
  for (const fs::path& f : FilesUnder(kind, t.name)) {
    const std::vector<uint8_t> bytes = ReadFile(f);
    try {
      t.check(Bytes(bytes));
    } catch (const PropertyViolation& e) {
      ADD_FAILURE() << t.name << " on " << f.filename().string() << " (" << mptcp_opts::test::ToHex(bytes)
                    << "): " << e.what();
    }
    ++n;
  }
  return n;
}

TEST(FuzzCorpusTest, EverySeedPassesTheFuzzersPropertiesWithoutInstrumentation) {
  for (const ByteTarget& t : kByteTargets) {
    const size_t n = Replay(t, "corpus");
    EXPECT_GT(n, 0u) << "no seeds for " << t.name << " (run fuzz/make_seed_corpus.py)";
  }
}

TEST(FuzzCorpusTest, EveryCrashReproducerNowPasses) {
  size_t n = 0;
  for (const ByteTarget& t : kByteTargets) n += Replay(t, "regressions");
  RecordProperty("reproducers", int(n));
}

// ---------------------------------------------------------------------------
// Named regressions, one block per finding (README.md, "Findings").
// ---------------------------------------------------------------------------


// F1, found by roundtrip_fuzzer (reproducers:
// regressions/roundtrip_fuzzer/crash-v0-mp-capable-without-key, the empty
// input, and crash-v0-mp-capable-with-data-level-length, 07 01 00 00).
// A v0 MP_CAPABLE is 12 (SYN, SYN/ACK) or 20 (ACK) bytes (RFC 6824 §3.1); the
// 4-byte keyless SYN and the 22/24-byte ACK with data exist only in v1.
// The decoder rejects these exact bytes; this part passes.
// ParseSegmentOptions against the walker + dispatcher (CheckSegmentOptions)
// on areas built from the pieces its aligned shortcuts look for, cut at
// random places, so every shortcut meets every boundary.
TEST(SegmentOptionsEquivalenceTest, MatchesWalkerAndDispatcherOnRandomAreas) {
  const std::vector<std::vector<uint8_t>> pieces = {
      {0x01}, {0x00}, {0x01, 0x01}, {0x01, 0x01, 0x08, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8},
      {0x04, 0x02}, {0x04, 0x02, 0x08, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8}, {0x04, 0x03, 0},
      {0x02, 0x04, 0x05, 0xb4}, {0x02, 0x05, 0x05, 0xb4, 0}, {0x01, 0x03, 0x03, 0x07},
      {0x01, 0x03, 0x02}, {0x01, 0x03, 0x04, 0x0e, 0}, {0x03, 0x03, 0x0e},
      {0x08, 0x0a, 9, 9, 9, 9, 8, 8, 8, 8}, {0x08, 0x08, 0, 0, 0, 0, 0, 0},
      {0x1e, 0x04, 0x01, 0x81}, {0x1e, 0x0c, 0x01, 0x81, 1, 2, 3, 4, 5, 6, 7, 8},
      {0x1e, 0x10, 0x10, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9},
      {0x1e, 0x08, 0x20, 0x01, 0, 0, 0, 1}, {0x1e, 0x10, 0x30, 0x01, 192, 0, 2, 1, 1, 2, 3, 4, 5, 6, 7, 8},
      {0x1e, 0x08, 0x34, 0x01, 192, 0, 2, 1}, {0x1e, 0x03, 0x50}, {0x1e, 0x04, 0xe0, 0},
      {0x1e, 0x02}, {0x1e, 0x01}, {0x1e, 0x00}, {0x1e}, {0x05, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2},
      {0xfd, 0x04, 0xaa, 0xbb}, {0x1e, 0x05, 0x20, 0x01, 0}, {0x1e, 0x04, 0x90, 0}};
  std::mt19937 rng(20261122);
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> area;
    const size_t target = rng() % 45;
    while (area.size() < target) {
      const auto& piece = pieces[rng() % pieces.size()];
      area.insert(area.end(), piece.begin(), piece.end());
    }
    if (rng() % 4 == 0 && !area.empty()) area.resize(rng() % area.size());
    if (rng() % 8 == 0 && !area.empty()) area[rng() % area.size()] = uint8_t(rng());
    const std::vector<uint8_t> exact = Copy(Bytes(area));
    for (uint8_t cfg_byte : {0x1c, 0x1d, 0x20, 0x21}) {
      ASSERT_NO_THROW(CheckSegmentOptions(Bytes(exact), ConfigFromByte(cfg_byte)))
          << "area " << test::ToHex(exact);
    }
  }
}

TEST(RegressionTest, F1_DecodeRejectsV0MpCapableWithV1OnlyLengths) {
  for (const char* hex : {
           "1e 04 00 01",                                                  // no key
           "1e 16 00 01 0000000000000000 0000000000000000 0000",           // + length
           "1e 18 00 01 0000000000000000 0000000000000000 0000 0000",      // + checksum
       }) {
    const std::vector<uint8_t> bytes = mptcp_opts::test::Hex(hex);
    MpCapable c;
    EXPECT_EQ(Decode(Bytes(bytes), c), DecodeStatus::kBadLength) << hex;
    MptcpOption o;
    EXPECT_EQ(DecodeMptcpOption(Bytes(bytes), CodecConfig{}, o), DecodeStatus::kBadLength) << hex;
  }
}

// F1, the bug: Encode must refuse what it would write in a form the decoder
// rejects (as Encode(AddAddr) does for a v0 HMAC and Encode(MpPrio) for a v1
// address ID). Fixed in 2cd65a9 (EncodedSize(const MpCapable&) returns 0 for
// these v0 values).
TEST(RegressionTest, F1_EncodeRefusesV0MpCapableWithoutWireForm) {
  MpCapable no_key;
  no_key.version = 0;
  MpCapable with_data = no_key;
  with_data.sender_key = 0;
  with_data.receiver_key = 0;
  with_data.data_level_length = 0;
  MpCapable with_checksum = with_data;
  with_checksum.checksum = 0;
  for (const MpCapable& c : {no_key, with_data, with_checksum}) {
    std::array<uint8_t, 40> out{};
    size_t n = 99;
    EXPECT_EQ(Encode(c, out, n), EncodeStatus::kInvalidValue)
        << "finding F1 (fuzz/README.md) is back: v0 MP_CAPABLE encoded as " << n
        << " bytes, which Decode rejects with BAD_LENGTH";
    EXPECT_EQ(n, 0u);
    EXPECT_EQ(EncodedSize(c), 0u);
  }
  // The two v0 forms that exist still encode and round-trip.
  MpCapable syn = no_key;
  syn.sender_key = 0x0102030405060708;
  MpCapable ack = syn;
  ack.receiver_key = 0x1112131415161718;
  for (const MpCapable& c : {syn, ack}) {
    std::array<uint8_t, 40> out{};
    size_t n = 0;
    ASSERT_EQ(Encode(c, out, n), EncodeStatus::kOk);
    MpCapable back;
    ASSERT_EQ(Decode(Bytes(out.data(), n), back), DecodeStatus::kOk);
    EXPECT_EQ(back, c);
  }
}

}  // namespace
}  // namespace mptcp_opts::fuzz
