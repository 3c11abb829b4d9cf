// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: mptcp-decode's ConnectionTracker fed a sequence of segments.
// Input format and properties: see CheckConnectionTrackerInput() in fuzz/connection_tracker_checks.h.
#include <cstddef>
#include <cstdint>

#include "fuzz/connection_tracker_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mptcp_decode::fuzz::CheckConnectionTrackerInput({data, size});
  return 0;
}
