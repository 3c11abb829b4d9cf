#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# $1: the genquery output, `deps(//mcp_core:converter)` filtered for protobuf
# targets and proto rules. It must be empty: :converter depends on :config,
# never on :config_loader or config_cc_proto.
if [ -s "$1" ]; then
  echo "//mcp_core:converter depends on protobuf:" >&2
  cat "$1" >&2
  exit 1
fi
echo "deps(//mcp_core:converter): no protobuf"
