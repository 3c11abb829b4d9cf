// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: ParseMpConvertIes / BuildMpConvertIes on a SYN payload.
// Properties: see CheckMpConvertIeInput() in fuzz/fuzz_checks.h.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mptcp_opts::fuzz::CheckMpConvertIeInput({data, size});
  return 0;
}
