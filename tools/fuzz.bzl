# SPDX-License-Identifier: Apache-2.0
"""target_compatible_with values for fuzz-only and non-fuzz targets."""

# Build only under --config=fuzz (clang-14 + -fsanitize=fuzzer-no-link).
FUZZ_ONLY = select({
    "//tools:fuzzing": [],
    "//conditions:default": ["@platforms//:incompatible"],
})

# Skip under --config=fuzz: an instrumented Python extension cannot be loaded
# by the uninstrumented /usr/bin/python3 (undefined __sancov_lowest_stack).
NOT_FUZZ = select({
    "//tools:fuzzing": ["@platforms//:incompatible"],
    "//conditions:default": [],
})
