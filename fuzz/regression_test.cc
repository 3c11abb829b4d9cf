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
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_checks.h"
#include "gtest/gtest.h"

namespace mptcp_opts::fuzz {
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

std::string Hex(const std::vector<uint8_t>& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

// Every regular file under fuzz/<kind>/<target>/, sorted; none if the
// directory does not exist (Bazel creates it only when it holds a file).
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

// Replays each file through the target's checks; returns how many ran.
size_t Replay(const ByteTarget& t, const std::string& kind) {
  size_t n = 0;
  for (const fs::path& f : FilesUnder(kind, t.name)) {
    const std::vector<uint8_t> bytes = ReadFile(f);
    try {
      t.check(Bytes(bytes));
    } catch (const PropertyViolation& e) {
      ADD_FAILURE() << t.name << " on " << f.filename().string() << " (" << Hex(bytes)
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

}  // namespace
}  // namespace mptcp_opts::fuzz
