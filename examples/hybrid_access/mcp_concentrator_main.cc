// SPDX-License-Identifier: Apache-2.0
// mcp-concentrator: the network MCP (draft -10 §5.2). See daemon.h and README.md.
#include "examples/hybrid_access/daemon_main.h"

int main(int argc, char** argv) { return hybrid_access::DaemonMain(argc, argv, mcp_core::Role::kNetworkMcp); }
