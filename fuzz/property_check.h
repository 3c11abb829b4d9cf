// SPDX-License-Identifier: Apache-2.0
// How every fuzz property fails: under libFuzzer an abort with the property's
// text (libFuzzer keeps the input), and in the normal suite's replay tests
// (MPTCP_FUZZ_CHECKS_THROW) a PropertyViolation naming file, line and text.
#ifndef FUZZ_PROPERTY_CHECK_H_
#define FUZZ_PROPERTY_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace mptcp_fuzz {

#if defined(MPTCP_FUZZ_CHECKS_THROW)
struct PropertyViolation : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] inline void CheckFailed(const char* expr, const char* file, int line) {
  throw PropertyViolation(std::string(file) + ":" + std::to_string(line) +
                          ": property violated: " + expr);
}
#else
[[noreturn]] inline void CheckFailed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n", file, line, expr);
  std::abort();
}
#endif

}  // namespace mptcp_fuzz

#define MPTCP_FUZZ_CHECK(cond)                                                   \
  do {                                                                           \
    if (!(cond)) ::mptcp_fuzz::CheckFailed(#cond, __FILE__, __LINE__);           \
  } while (0)

#endif  // FUZZ_PROPERTY_CHECK_H_
