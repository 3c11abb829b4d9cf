#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that the CMake build compiles and installs the same files as Bazel.

Usage: cmake_sources_match_bazel.py BUILD_DIR
  BUILD_DIR is a configured CMake build tree of this workspace; its
  bazel_twins.tsv (written by the root CMakeLists.txt) says, for each CMake
  target, the Bazel targets it stands for and the source files it builds.

The CMake lists are written by hand beside each BUILD.bazel (a glob would also
sweep up the tests, fuzzers and tools that share those folders). This check
keeps them honest; for each CMake target it prints one line, in the format
tools/run_all_tests.sh counts:
  PASS<TAB>cmake: sources of TARGET match //pkg:a,//pkg:b
  FAIL<TAB>cmake: sources of TARGET match ...: only in Bazel: x.cc; only in CMake: y.h
and one more line for the other direction: every library of this workspace
that those Bazel targets depend on has a CMake twin (a new cc_library under
//mcp_core:converter, say, would otherwise be left out of the CMake build
and of the installed headers). Exit status 0 when every line is a PASS.
"""
import os
import subprocess
import sys


def bazel_query(root, expression):
    r = subprocess.run(
        ["bazel", "query", "--noimplicit_deps", "--output=label", expression],
        cwd=root, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError("bazel query %r failed:\n%s" % (expression, r.stderr[-3000:]))
    return [l.strip() for l in r.stdout.splitlines() if l.strip()]


def label_to_path(label):
    # //pkg/dir:file.h -> pkg/dir/file.h (a label of this workspace's source file)
    package, _, name = label[2:].partition(":")
    return os.path.join(package, name) if package else name


def main():
    build_dir = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    twins = []
    try:
        with open(os.path.join(build_dir, "bazel_twins.tsv")) as f:
            for line in f:
                target, labels, files = (line.rstrip("\n").split("\t") + [""])[:3]
                twins.append((target, labels.split(","), set(files.split())))
    except OSError as e:
        print("FAIL\tcmake: sources match Bazel's: no bazel_twins.tsv (%s)" % e)
        return 1
    if not twins:
        print("FAIL\tcmake: bazel_twins.tsv lists no target")
        return 1

    failed = 0

    def result(ok, name, detail=""):
        nonlocal failed
        failed += not ok
        print("%s\tcmake: %s%s" % ("PASS" if ok else "FAIL", name, "" if ok else ": " + detail))

    for target, labels, cmake_files in twins:
        name = "sources of %s match %s" % (target, ",".join(labels))
        targets = "set(%s)" % " ".join(labels)
        try:
            listed = bazel_query(root, "labels(srcs, %s) + labels(hdrs, %s)" % (targets, targets))
        except RuntimeError as e:
            result(False, name, str(e))
            continue
        bazel_files = {label_to_path(l) for l in listed if l.startswith("//")}
        others = [l for l in listed if not l.startswith("//")]
        only_bazel = sorted(bazel_files - cmake_files)
        only_cmake = sorted(cmake_files - bazel_files)
        detail = "; ".join(part for part in (
            "only in Bazel: " + " ".join(only_bazel) if only_bazel else "",
            "only in CMake: " + " ".join(only_cmake) if only_cmake else "",
            "labels of other repositories: " + " ".join(others) if others else "") if part)
        result(not detail, name, detail + " (edit the CMakeLists.txt beside the BUILD.bazel)")

    all_labels = sorted({l for _, labels, _ in twins for l in labels})
    name = "every library the CMake targets' Bazel twins depend on has a CMake twin"
    try:
        deps = bazel_query(root, "kind('cc_library|proto_library|cc_proto_library', deps(set(%s)))"
                           % " ".join(all_labels))
    except RuntimeError as e:
        result(False, name, str(e))
    else:
        missing = [l for l in deps if l.startswith("//") and l not in all_labels]
        result(not missing, name, "no CMake target stands for " + " ".join(missing)
               + " (add it to a CMake target and its mptcp_assist_bazel_twin() line)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
