// SPDX-License-Identifier: Apache-2.0
// The command line both daemons share:
//   mcp-cpe --config FILE [--stats PATH] [--log PATH]
//   mcp-concentrator --config FILE [--stats PATH] [--log PATH]
// --stats and --log override the file's stats_path and log_path. Exit 0
// after SIGTERM or SIGINT, 2 on a usage or configuration error (the message
// names the field), 1 when the daemon cannot start (bind, permissions).
#ifndef EXAMPLES_HYBRID_ACCESS_DAEMON_MAIN_H_
#define EXAMPLES_HYBRID_ACCESS_DAEMON_MAIN_H_

#include "mcp_core/config.h"

namespace hybrid_access {

int DaemonMain(int argc, char** argv, mcp_core::Role role);

}  // namespace hybrid_access

#endif  // EXAMPLES_HYBRID_ACCESS_DAEMON_MAIN_H_
