// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: DissectFrame on any link type, frame and original length.
// Input format and properties: see CheckPacketDissectorInput() in fuzz/packet_dissector_checks.h.
#include <cstddef>
#include <cstdint>

#include "fuzz/packet_dissector_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mptcp_decode::fuzz::CheckPacketDissectorInput({data, size});
  return 0;
}
