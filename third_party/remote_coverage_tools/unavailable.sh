#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
echo "remote_coverage_tools is stubbed out (offline build); bazel coverage is unsupported" >&2
exit 1
