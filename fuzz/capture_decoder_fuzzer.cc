// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: mptcp-decode's CaptureDecoder on a pcap/pcapng file read by libpcap.
// Input format and properties: see CheckCaptureDecoderInput() in fuzz/capture_decoder_checks.h.
#include <cstddef>
#include <cstdint>

#include "fuzz/capture_decoder_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mptcp_decode::fuzz::CheckCaptureDecoderInput({data, size});
  return 0;
}
