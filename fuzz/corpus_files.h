// SPDX-License-Identifier: Apache-2.0
// The seed corpora and crash reproducers under fuzz/, as the normal suite's
// replay tests (regression_test, decoder_regression_test) find them in
// Bazel's runfiles.
#ifndef FUZZ_CORPUS_FILES_H_
#define FUZZ_CORPUS_FILES_H_

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace mptcp_fuzz {

inline std::filesystem::path RunfilesDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) return std::filesystem::current_path();
  return std::filesystem::path(srcdir) / workspace;
}

inline std::vector<uint8_t> ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Every regular file under fuzz/<kind>/<target>/, sorted; none if the
// directory does not exist (Bazel creates it only when it holds a file).
inline std::vector<std::filesystem::path> FilesUnder(const std::string& kind, const std::string& target) {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path dir = RunfilesDir() / "fuzz" / kind / target;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace mptcp_fuzz

#endif  // FUZZ_CORPUS_FILES_H_
