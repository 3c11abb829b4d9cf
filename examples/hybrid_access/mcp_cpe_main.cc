// SPDX-License-Identifier: Apache-2.0
// mcp-cpe: the MCP in a CPE (draft -10 §7.2.2). See daemon.h and README.md.
#include "examples/hybrid_access/daemon_main.h"

int main(int argc, char** argv) { return hybrid_access::DaemonMain(argc, argv, mcp_core::Role::kCpeMcp); }
