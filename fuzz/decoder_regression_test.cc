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

fs::path RunfilesDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) return fs::current_path();
  return fs::path(srcdir) / workspace;
}

std::vector<uint8_t> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::vector<fs::path> FilesUnder(const std::string& kind, const std::string& target) {
  std::vector<fs::path> files;
  const fs::path dir = RunfilesDir() / "fuzz" / kind / target;
  if (!fs::is_directory(dir)) return files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

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

}  // namespace
}  // namespace mptcp_decode::fuzz
