// SPDX-License-Identifier: Apache-2.0
// The project's version: the one place it is written. mptcp-decode
// --version, Python's mptcp_opts.__version__, the CMake project() version and
// the pkg-config file all read it from here.
#ifndef MPTCP_OPTS_VERSION_H_
#define MPTCP_OPTS_VERSION_H_

#include <string_view>

namespace mptcp_opts {

inline constexpr std::string_view kVersion = "0.1.0";

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_VERSION_H_
