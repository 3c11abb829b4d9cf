// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: Decode(span, version, AddAddr&) under v0 and v1, input = one option.
// Properties: see CheckAddAddrInput() in fuzz/fuzz_checks.h.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mptcp_opts::fuzz::CheckAddAddrInput({data, size});
  return 0;
}
