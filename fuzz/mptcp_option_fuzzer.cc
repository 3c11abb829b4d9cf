// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the any-subtype dispatcher DecodeMptcpOption.
// Input: one config byte (bit 0 version, bits 1-5 prefer_proxy_subtype), then the option.
// Properties: see CheckMptcpOptionInput() in fuzz/fuzz_checks.h.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mptcp_opts::fuzz::CheckMptcpOptionInput({data, size});
  return 0;
}
