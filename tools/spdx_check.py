# SPDX-License-Identifier: Apache-2.0
"""Every source file in git carries the project's licence identifier.

  /usr/bin/python3 tools/spdx_check.py          # one PASS/FAIL line (./dev test)
  /usr/bin/python3 tools/spdx_check.py --add    # insert the line where it is missing

"Source": C/C++, Python, shell, Bazel, CMake, protobuf, textproto, Lua, the
linker script and the man page; not data (captures, corpora, goldens,
dictionaries, JSON, generated diagrams) and not documentation. The line must
be among a file's first three (after a shebang, an encoding line or a
Lua/roff header), written in the file's own comment syntax.
"""
import os
import subprocess
import sys

TAG = "SPDX-License-Identifier: Apache-2.0"

# File name suffix (or whole name) -> the comment that carries the tag.
COMMENT = {
    ".cc": "// ", ".h": "// ", ".c": "// ", ".proto": "// ",
    ".py": "# ", ".pyi": "# ", ".sh": "# ", ".bzl": "# ", ".bazel": "# ", ".BUILD": "# ",
    "WORKSPACE": "# ", "CMakeLists.txt": "# ", ".cmake.in": "# ", ".pc.in": "# ",
    ".textproto": "# ", "dev": "# ", "run": "# ",
    ".lua": "-- ", ".lds": "/* ", ".1": '.\\" ',
}
CLOSE = {".lds": " */"}
DATA_DIRS = ("/corpus/", "/regressions/", "/testdata/")


def comment_for(path):
    name = os.path.basename(path)
    for key in sorted(COMMENT, key=len, reverse=True):
        if name == key or (key.startswith(".") and name.endswith(key)):
            return key
    return None


def sources(root):
    files = subprocess.run(["git", "ls-files"], cwd=root, check=True, capture_output=True,
                           text=True).stdout.split()
    out = []
    for f in files:
        key = comment_for(f)
        if key is None:
            continue
        if any(d in "/" + f for d in DATA_DIRS) and not f.endswith((".py", ".sh")):
            continue
        if key in ("dev", "run") and f not in ("dev", ".ci/run"):
            continue
        out.append((f, key))
    return out


def has_tag(text):
    return any(TAG in line for line in text.splitlines()[:3])


def add_tag(path, key):
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines(keepends=True)
    line = COMMENT[key] + TAG + CLOSE.get(key, "") + "\n"
    at = 1 if lines and (lines[0].startswith("#!") or lines[0].startswith("# -*-")) else 0
    lines.insert(at, line)
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(lines)


def main():
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], check=True, capture_output=True,
                          text=True).stdout.strip()
    missing = []
    files = sources(root)
    for f, key in files:
        with open(os.path.join(root, f), encoding="utf-8") as fh:
            if not has_tag(fh.read()):
                missing.append((f, key))
    if "--add" in sys.argv[1:]:
        for f, key in missing:
            add_tag(os.path.join(root, f), key)
        print(f"added the SPDX line to {len(missing)} of {len(files)} source files")
        return 0
    if missing:
        print(f"FAIL\tspdx: {len(missing)} of {len(files)} source files lack '{TAG}' in their first "
              f"three lines: {', '.join(f for f, _ in missing[:10])}"
              f"{' ...' if len(missing) > 10 else ''} (tools/spdx_check.py --add)")
        return 1
    if not files:
        print("FAIL\tspdx: no source files found (not a git checkout?)")
        return 1
    print(f"PASS\tspdx: all {len(files)} source files carry '{TAG}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
