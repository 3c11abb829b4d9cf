// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: any bytes as a TCP option area (also > 40 bytes);
// every MPTCP option found is decoded under v0 and v1 with the dispatcher,
// and ParseSegmentOptions must agree with the walker and dispatcher.
// Properties: see CheckWalkerInput() in fuzz/fuzz_checks.h.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mptcp_opts::fuzz::CheckWalkerInput({data, size});
  return 0;
}
