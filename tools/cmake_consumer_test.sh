#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Tests the CMake build the way a consumer who is not on Bazel uses it:
#   1. configure, build (-Werror) and install this checkout into a temporary prefix;
#   2. the installed tree holds the headers, libraries, mptcp-decode, the
#      pkg-config file and the CMake package (and the man page when there is one);
#   3. the version in mptcp_opts/version.h is what the CMake package, the
#      pkg-config file and the installed header say;
#   4. tools/consumers/ copied out of the tree, built with find_package(mptcp_assist)
#      against the installed tree, and run;
#   5. the same consumer.cc built with the pkg-config one-liner, and run;
#   6. the installed mptcp-decode prints what Bazel's prints, byte for byte,
#      on every shipped capture (text and JSON, with --verify);
#   7. the README's find_package and pkg-config snippets are what 4 and 5 build;
#   8. the CMake source lists match Bazel's (tools/cmake_sources_match_bazel.py).
# Prints one line per check on stdout, "PASS<TAB>cmake: NAME" or
# "FAIL<TAB>cmake: NAME", the format tools/run_all_tests.sh counts; a failing
# check's output goes to stderr. Exit status 0 when every check passed.
# Nothing here depends on timing; builds use -j2.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build=$work/build
prefix=$work/prefix
failed=0
CHECK_PREFIX=cmake
source "$ROOT/tools/check_lines.sh"

build_and_install() {
  cmake -S "$ROOT" -B "$build" -DMPTCP_ASSIST_WERROR=ON &&
    cmake --build "$build" -j2 &&
    cmake --install "$build" --prefix "$prefix"
}

# The pkg-config directory of the installed tree (lib/ or lib64/, as GNUInstallDirs chose).
pc_dir() {
  dirname "$(find "$prefix" -name mptcp_assist.pc -print -quit)"
}

installed_tree() {
  local missing=0 f
  for f in include/mptcp_opts/mp_capable.h include/mptcp_opts/crypto.h include/mptcp_opts/version.h \
      include/mcp_core/converter.h include/mcp_core/config_loader.h include/mcp_core/config.pb.h \
      bin/mptcp-decode; do
    [ -e "$prefix/$f" ] || { echo "missing $f"; missing=1; }
  done
  for f in libmptcp_assist_crypto libmptcp_assist_mcp_core libmptcp_assist_mcp_core_config_loader; do
    find "$prefix" -name "$f.*" | grep -q . || { echo "missing $f"; missing=1; }
  done
  for f in mptcp_assist.pc mptcp_assistConfig.cmake mptcp_assistConfigVersion.cmake mptcp_assistTargets.cmake; do
    find "$prefix" -name "$f" | grep -q . || { echo "missing $f"; missing=1; }
  done
  if [ -e "$ROOT/examples/mptcp_decode/mptcp-decode.1" ]; then
    [ -e "$prefix/share/man/man1/mptcp-decode.1" ] || { echo "missing share/man/man1/mptcp-decode.1"; missing=1; }
  fi
  # The headers keep their paths; nothing of the tests or tools is installed.
  if find "$prefix/include" -name '*test*' | grep .; then missing=1; fi
  return $missing
}

# The version as mptcp_opts/version.h writes it, read here without CMake.
source_version() {
  sed -n 's/.*kVersion = "\([0-9.]*\)".*/\1/p' "$ROOT/mptcp_opts/version.h"
}

consumer_with_cmake() {
  cp -r "$ROOT/tools/consumers" "$work/consumer_cmake" &&
    cmake -S "$work/consumer_cmake" -B "$work/consumer_cmake/build" -DCMAKE_PREFIX_PATH="$prefix" \
      | tee "$work/consumer_cmake.configure" &&
    cmake --build "$work/consumer_cmake/build" -j2 &&
    "$work/consumer_cmake/build/consumer" | tee "$work/consumer_cmake.out" &&
    grep -q "token 66840dda" "$work/consumer_cmake.out" &&
    grep -q "open leg to 192.0.2.80:443" "$work/consumer_cmake.out"
}

consumer_with_pkg_config() {
  mkdir "$work/consumer_pc" && cp "$ROOT/tools/consumers/consumer.cc" "$work/consumer_pc/" &&
    cd "$work/consumer_pc" &&
    export PKG_CONFIG_PATH && PKG_CONFIG_PATH=$(pc_dir) &&
    # The README's one-liner, exactly.
    g++ -std=c++20 consumer.cc $(pkg-config --cflags --libs mptcp_assist) &&
    ./a.out | tee "$work/consumer_pc.out" &&
    grep -q "token 66840dda" "$work/consumer_pc.out" &&
    grep -q "open leg to 192.0.2.80:443" "$work/consumer_pc.out"
}

versions_agree() {
  local want pc cmake_pkg header_cmake header_pc
  want=$(source_version)
  pc=$(PKG_CONFIG_PATH=$(pc_dir) pkg-config --modversion mptcp_assist)
  cmake_pkg=$(sed -n 's/^-- mptcp_assist \([0-9.]*\) found.*/\1/p' "$work/consumer_cmake.configure")
  header_cmake=$(sed -n 's/^mptcp_assist //p' "$work/consumer_cmake.out")
  header_pc=$(sed -n 's/^mptcp_assist //p' "$work/consumer_pc.out")
  echo "version.h '$want', pkg-config '$pc', CMake package '$cmake_pkg'," \
    "installed header '$header_cmake' / '$header_pc'"
  [ -n "$want" ] && [ "$pc" = "$want" ] && [ "$cmake_pkg" = "$want" ] &&
    [ "$header_cmake" = "$want" ] && [ "$header_pc" = "$want" ]
}

# Bazel's mptcp-decode (the one `bazel test //...` tests), without moving the bazel-* symlinks.
bazel_decoder() {
  cd "$ROOT" &&
    bazel build --symlink_prefix=/ //examples/mptcp_decode:mptcp-decode >"$work/bazel.log" 2>&1 ||
    { cat "$work/bazel.log" >&2; return 1; }
  echo "$(bazel info bazel-bin 2>/dev/null)/examples/mptcp_decode/mptcp-decode"
}

decoder_matches_bazel() {
  local bazel_bin cap mode rc_c rc_b compared=0
  bazel_bin=$(bazel_decoder) || return 1
  for cap in "$ROOT"/examples/captures/*.pcap; do
    for mode in --verify "--json --verify"; do
      # shellcheck disable=SC2086 # mode is two flags
      "$prefix/bin/mptcp-decode" $mode "$cap" >"$work/cmake.txt" 2>&1
      rc_c=$?
      # shellcheck disable=SC2086
      "$bazel_bin" $mode "$cap" >"$work/bazel.txt" 2>&1
      rc_b=$?
      if [ "$rc_c" -ne "$rc_b" ] || ! cmp -s "$work/cmake.txt" "$work/bazel.txt"; then
        echo "mptcp-decode $mode $cap: CMake's exit $rc_c, Bazel's $rc_b"
        diff "$work/bazel.txt" "$work/cmake.txt" | head -20
        return 1
      fi
      [ -s "$work/cmake.txt" ] || { echo "no output for $mode $cap"; return 1; }
      compared=$((compared + 1))
    done
  done
  echo "$compared outputs identical"
  [ "$compared" -gt 0 ]
}

# The README's snippets (section "Building without Bazel") are what the consumers build:
# its cmake block is tools/consumers/CMakeLists.txt after the leading comments,
# and its pkg-config one-liner is the one consumer_with_pkg_config runs.
readme_snippets() {
  local one_liner='g++ -std=c++20 consumer.cc $(pkg-config --cflags --libs mptcp_assist)'
  sed -n '/^## Building without Bazel/,/^## /p' "$ROOT/README.md" |
    sed -n '/^```cmake$/,/^```$/p' | sed '1d;$d' >"$work/readme.cmake"
  sed '/^#/d' "$ROOT/tools/consumers/CMakeLists.txt" >"$work/consumer.cmake"
  diff "$work/consumer.cmake" "$work/readme.cmake" &&
    [ -s "$work/readme.cmake" ] &&
    grep -qxF "$one_liner" "$ROOT/README.md" &&
    grep -qF "    $one_liner &&" "$ROOT/tools/cmake_consumer_test.sh"
}

run "configure, build with -Werror and install into a temporary prefix" build_and_install
run "the installed tree has the headers, libraries, mptcp-decode, pkg-config file and CMake package" installed_tree
run "find_package(mptcp_assist) consumer builds out of tree against the install and runs" consumer_with_cmake
run "pkg-config one-liner consumer builds against the install and runs" consumer_with_pkg_config
run "version.h, the CMake package, the pkg-config file and the installed header agree" versions_agree
run "installed mptcp-decode prints what Bazel's prints on every shipped capture" decoder_matches_bazel
run "the README's find_package and pkg-config snippets are what the consumers build" readme_snippets
"$ROOT/tools/cmake_sources_match_bazel.py" "$build" || failed=$((failed + 1))
[ "$failed" -eq 0 ]
