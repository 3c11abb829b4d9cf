// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: REMOVE_ADDR, MP_PRIO (v0/v1), MP_FAIL, MP_FASTCLOSE,
// MP_TCPRST, MP_PREFER_PROXY. Input: a selector byte (see CheckSmallOptionInput), then the option.
// Properties: see CheckSmallOptionInput() in fuzz/fuzz_checks.h.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mptcp_opts::fuzz::CheckSmallOptionInput({data, size});
  return 0;
}
