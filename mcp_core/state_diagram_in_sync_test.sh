#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mcp_core/state_diagram.dot must equal what make_state_diagram prints from
# the transitions table. To update:
#   bazel run //mcp_core:make_state_diagram > mcp_core/state_diagram.dot
#   dot -Tsvg mcp_core/state_diagram.dot -o mcp_core/state_diagram.svg
set -euo pipefail
if ! diff <(mcp_core/make_state_diagram) mcp_core/state_diagram.dot; then
  echo "mcp_core/state_diagram.dot is stale; regenerate it (see this script)" >&2
  exit 1
fi
