# SPDX-License-Identifier: Apache-2.0
"""mptcp_fuzzer: one libFuzzer target plus its corpus-replay + bounded-fuzzing test.

For a target NAME (source NAME.cc, dictionary dicts/NAME.dict, seeds in
corpus/NAME/, crash reproducers in regressions/NAME/) it defines:

  NAME_lib         the fuzz target compiled once (alwayslink: it only defines
                   LLVMFuzzerTestOneInput), shared by the two below;
  NAME             cc_binary, libFuzzer's main (-fsanitize=fuzzer); run it from
                   bazel-bin or with fuzz/run_fuzz.sh;
  NAME_seeds       the list of every seed and reproducer file (comma-separated,
                   runfiles-relative), for libFuzzer's -seed_inputs=@FILE;
  NAME_regression  cc_test: the same binary run with -seed_inputs=@NAME_seeds,
                   so every seed and reproducer is executed first (any crash or
                   sanitizer report fails the test), then fuzzes for
                   `fuzz_seconds` with -seed=1. New inputs stay in memory; the
                   test writes nothing to the source tree.

Load cannot fail a NAME_regression test: -max_total_time is wall-clock, so
the test takes the seed replay (well under a second) plus `fuzz_seconds`
(about 21 s for 20) on any machine, and a slower or busier one only runs
fewer inputs. Its Bazel timeout is ten times `fuzz_seconds` or more
("moderate", 300 s, up to 30 s of fuzzing; "long", 900 s, up to 90 s;
"eternal" beyond), which leaves the replay and start-up that margin under
load. -timeout=25 is libFuzzer's wall-clock limit per input; in the logs
measured, every target's slowest input took under 1 s
(stat::slowest_unit_time_sec: 0).

All of them are FUZZ_ONLY: plain `bazel test //...` skips them; run them
with `bazel test --config=fuzz //fuzz/...`.
"""

load("//tools:fuzz.bzl", "FUZZ_ONLY")

# libFuzzer's main, plus UBSan's C++ runtime: Bazel links with the clang-14
# C driver, which leaves out the handler of -fsanitize=function
# (__ubsan_handle_function_type_mismatch_v1_abort, called from std::visit).
FUZZER_LINKOPTS = [
    "-fsanitize=fuzzer",
    "-fsanitize-link-c++-runtime",
]

def _regression_timeout(fuzz_seconds):
    if fuzz_seconds * 10 <= 300:
        return "moderate"
    if fuzz_seconds * 10 <= 900:
        return "long"
    return "eternal"

def mptcp_fuzzer(name, deps = [], fuzz_seconds = 20, max_len = None):
    lib = name + "_lib"
    native.cc_library(
        name = lib,
        srcs = [name + ".cc"],
        deps = deps + [
            ":fuzz_checks",
            "//mptcp_opts:codec",
        ],
        alwayslink = True,
        target_compatible_with = FUZZ_ONLY,
    )

    native.cc_binary(
        name = name,
        deps = [":" + lib],
        linkopts = FUZZER_LINKOPTS,
        target_compatible_with = FUZZ_ONLY,
    )

    seed_files = native.glob([
        "corpus/%s/**" % name,
        "regressions/%s/**" % name,
    ])
    native.genrule(
        name = name + "_seeds",
        srcs = seed_files,
        outs = [name + "_seeds.txt"],
        # Runfiles-relative paths of source files are their workspace paths.
        # No trailing newline: libFuzzer would take it as part of the last
        # path and silently skip that file. A file longer than max_len would
        # be silently truncated when replayed, so that fails the build.
        # (An empty file is skipped too, but libFuzzer always runs the empty
        # input first.)
        cmd = ("for f in $(SRCS); do n=$$(wc -c < $$f); if [ $$n -gt %d ]; then " +
               "echo \"$$f: $$n bytes, more than max_len=%d of %s\" >&2; exit 1; fi; done; " +
               "echo -n $(SRCS) | tr ' ' ',' > $@") % (max_len or 4096, max_len or 4096, name),
        target_compatible_with = FUZZ_ONLY,
    )

    dict_file = "dicts/%s.dict" % name
    args = [
        "-seed_inputs=@$(rootpath :%s_seeds)" % name,
        "-dict=$(rootpath %s)" % dict_file,
        "-max_total_time=%d" % fuzz_seconds,
        "-seed=1",
        "-print_final_stats=1",
        "-timeout=25",
    ]
    if max_len:
        args.append("-max_len=%d" % max_len)
    native.cc_test(
        name = name + "_regression",
        deps = [":" + lib],
        linkopts = FUZZER_LINKOPTS,
        args = args,
        data = [":" + name + "_seeds", dict_file] + seed_files,
        size = "medium",
        timeout = _regression_timeout(fuzz_seconds),
        linkstatic = True,
        target_compatible_with = FUZZ_ONLY,
    )
