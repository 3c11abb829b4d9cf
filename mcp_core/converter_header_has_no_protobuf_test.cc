// SPDX-License-Identifier: Apache-2.0
// Issue 14: no generated protobuf types in converter.h's include graph.
// config.h holds the plain Config; config_loader.h is the proto edge. This
// file includes converter.h, with deps on //mcp_core:converter only, and does
// not compile if any protobuf header came in with it: every protobuf header
// defines GOOGLE_PROTOBUF_VERSION (stubs/common.h) and every generated one its
// own include guard. The headers of the system protobuf are on the default
// include path, so a missing BUILD dep alone would not catch an include;
// the BUILD side is converter_deps_have_no_protobuf_test, the same check as
//   bazel query 'deps(//mcp_core:converter)' | grep -i protobuf   # prints nothing
#include "mcp_core/converter.h"

#if defined(GOOGLE_PROTOBUF_VERSION) || defined(PROTOBUF_VERSION)
#error "converter.h pulls in protobuf; include mcp_core/config_loader.h only where a config is loaded"
#endif
#if defined(GOOGLE_PROTOBUF_INCLUDED_mcp_5fcore_2fconfig_2eproto) || defined(GOOGLE_PROTOBUF_MESSAGE_H__)
#error "converter.h pulls in generated protobuf code (config.pb.h)"
#endif

int main() {
  // The plain Config builds a Converter without any loader.
  mcp_core::Config config;
  config.mcp_addresses.push_back(mptcp_opts::IpAddress::V4(203, 0, 113, 1));
  config.distribution_scheme = mcp_core::DistributionScheme::kRoundRobin;
  mcp_core::Converter converter(config);
  return converter.stats().pairs == 0 ? 0 : 1;
}
