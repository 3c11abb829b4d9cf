#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# README.md must contain examples/readme_example.cc verbatim (from #include on).
set -euo pipefail
example=$(sed -n '/^#include/,$p' examples/readme_example.cc)
readme=$(cat README.md)
if [[ "$readme" != *"$example"* ]]; then
  echo "README.md does not contain examples/readme_example.cc; update one or the other" >&2
  exit 1
fi
