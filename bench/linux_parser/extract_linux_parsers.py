#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Extracts Linux's TCP/MPTCP option parsers from a kernel source tree.

Run by run_linux_parser_bench.sh. This file holds NO kernel code, only the
NAMES of what to take: it reads a Linux tree (Debian's linux-source-6.1,
unpacked in a scratch directory outside the repository) and writes, into an
output directory that is also outside the repository:

  linux_defs.h     the kernel's #defines, struct definitions and static inline
                   helpers the parsers need, in source order per file
  linux_parsers.c  the kernel's parser functions (tcp_parse_options,
                   mptcp_get_options and their static helpers)

Both are compiled against bench/linux_parser/linux_shim.h (ours), which stubs
the kernel types and macros. The function bodies are taken verbatim: the
shim, not a rewrite, adapts them to user space (see SUBSTITUTIONS: empty, and
the script checks that each function was found exactly once).

Usage: extract_linux_parsers.py KERNEL_TREE OUT_DIR
"""

import os
import re
import sys

# ------------------------------------------------------------ what to take ---

# (file, kind, names). kind: "define" (a regex over macro names, all matches
# in source order), "struct" (struct NAME { ... };), "function" (a definition
# found by its name and brace-matched). Order matters: definitions must come
# before their users.
DEFS = [
    ("include/net/tcp.h", "define",
     r"TCP_MAX_WSCALE|TCPOPT_[A-Z0-9_]+|TCPOLEN_[A-Z0-9_]+|TCPHDR_[A-Z]+"),
    ("include/linux/tcp.h", "define", r"TCP_SACK_SEEN|TCP_FASTOPEN_COOKIE_(?:MIN|MAX)"),
    ("include/linux/tcp.h", "struct", "tcp_fastopen_cookie"),
    ("include/linux/tcp.h", "struct", "tcp_options_received"),
    ("include/linux/tcp.h", "function", "tcp_clear_options"),
    ("include/net/tcp.h", "function", "tcp_sack_reset"),
    ("include/net/mptcp.h", "define", r"MPTCPOPT_HMAC_LEN|MPTCP_RM_IDS_MAX"),
    ("include/net/mptcp.h", "struct", "mptcp_rm_list"),
    ("include/net/mptcp.h", "struct", "mptcp_addr_info"),
    ("net/mptcp/protocol.h", "define",
     r"MPTCP_SUPPORTED_VERSION|OPTIONS?_MPTCP_[A-Z0-9_]+|MPTCPOPT_[A-Z0-9_]+|"
     r"TCPOLEN_MPTCP_[A-Z0-9_]+|MPTCP_VERSION_MASK|MPTCP_CAP_[A-Z0-9_]+|"
     r"MPTCP_DSS_[A-Z0-9_]+|MPTCP_ADDR_ECHO|MPTCP_PRIO_BKUP|MPTCP_RST_TRANSIENT"),
    ("net/mptcp/protocol.h", "struct", "mptcp_options_received"),
]

PARSERS = [
    ("net/ipv4/tcp_input.c", "function", "tcp_parse_fastopen_option"),
    ("net/ipv4/tcp_input.c", "function", "smc_parse_options"),
    ("net/ipv4/tcp_input.c", "function", "tcp_parse_options"),
    ("net/mptcp/options.c", "function", "mptcp_cap_flag_sha256"),
    ("net/mptcp/options.c", "function", "mptcp_parse_option"),
    ("net/mptcp/options.c", "function", "mptcp_get_options"),
]

# Textual substitutions applied to extracted text: (file, regex, replacement,
# expected count). None are needed: linux_shim.h provides every kernel
# accessor the functions use (tcp_hdr, TCP_SKB_CB, READ_ONCE, ...), so the
# bodies compile unchanged.
SUBSTITUTIONS = []

# ------------------------------------------------------------- C scanning ---


def skip_literal_or_comment(text, i):
    """If text[i] starts a comment or a string/char literal, returns the index
    just past it; otherwise returns i."""
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        if end < 0:
            raise ValueError("unterminated comment")
        return end + 2
    if text.startswith("//", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if text[i] in "\"'":
        quote = text[i]
        j = i + 1
        while j < len(text):
            if text[j] == "\\":
                j += 2
                continue
            if text[j] == quote:
                return j + 1
            j += 1
        raise ValueError("unterminated literal")
    return i


def match_bracket(text, i, open_ch, close_ch):
    """text[i] == open_ch; returns the index of its matching close_ch."""
    assert text[i] == open_ch
    depth = 0
    while i < len(text):
        j = skip_literal_or_comment(text, i)
        if j != i:
            i = j
            continue
        c = text[i]
        if c == open_ch:
            depth += 1
        elif c == close_ch:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unbalanced %s%s" % (open_ch, close_ch))


def skip_space_and_comments(text, i):
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        j = skip_literal_or_comment(text, i)
        if j == i or text[i] in "\"'":
            return i
        i = j
    return i


def extract_function(text, name):
    """The definition of function `name`: from the start of its declarator
    (including a return type on the line before, kernel style) to its closing
    brace. Prototypes and calls are skipped: a match counts only when the
    parameter list is followed by '{'."""
    found = []
    for m in re.finditer(r"(?m)^[A-Za-z_][^;{}()\n]*?\b%s\s*\(" % re.escape(name), text):
        paren = m.end() - 1
        close = match_bracket(text, paren, "(", ")")
        body = skip_space_and_comments(text, close + 1)
        if body >= len(text) or text[body] != "{":
            continue
        end = match_bracket(text, body, "{", "}")
        start = m.start()
        # "static void\nfoo(...)": the return type is on the line before.
        if text[start:m.end()].lstrip().startswith(name):
            prev = text.rfind("\n", 0, start - 1)
            start = prev + 1
        found.append(text[start:end + 1])
    if len(found) != 1:
        raise SystemExit("function %s: found %d definitions, want 1" % (name, len(found)))
    return found[0]


def extract_struct(text, name):
    found = []
    for m in re.finditer(r"(?m)^struct\s+%s\s*\{" % re.escape(name), text):
        end = match_bracket(text, m.end() - 1, "{", "}")
        semi = text.index(";", end)
        found.append(text[m.start():semi + 1])
    if len(found) != 1:
        raise SystemExit("struct %s: found %d definitions, want 1" % (name, len(found)))
    return found[0]


def extract_defines(text, pattern):
    out, seen = [], set()
    for m in re.finditer(r"(?m)^#define[ \t]+(%s)\b(?:.*\\\n)*.*$" % pattern, text):
        if m.group(1) in seen:
            raise SystemExit("macro %s defined twice" % m.group(1))
        seen.add(m.group(1))
        out.append(m.group(0))
    if not out:
        raise SystemExit("no macro matches %s" % pattern)
    return "\n".join(out), sorted(seen)


# ------------------------------------------------------------------ main ---


def take(tree, items, log):
    cache = {}
    chunks = []
    for path, kind, name in items:
        if path not in cache:
            with open(os.path.join(tree, path), encoding="utf-8") as f:
                cache[path] = f.read()
        text = cache[path]
        if kind == "define":
            chunk, names = extract_defines(text, name)
            log.append("%s: %d macros (%s)" % (path, len(names), " ".join(names)))
        elif kind == "struct":
            chunk = extract_struct(text, name)
            log.append("%s: struct %s" % (path, name))
        else:
            chunk = extract_function(text, name)
            log.append("%s: function %s (%d lines)" % (path, name, chunk.count("\n") + 1))
        for spath, regex, repl, count in SUBSTITUTIONS:
            if spath == path:
                chunk, n = re.subn(regex, repl, chunk)
                if n != count:
                    raise SystemExit("substitution %r: %d matches, want %d" % (regex, n, count))
        chunks.append("/* ---- from %s: %s %s ---- */\n%s\n" % (path, kind, name, chunk))
    return "\n".join(chunks)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    tree, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    log = []
    banner = ("/* GENERATED by bench/linux_parser/extract_linux_parsers.py from the Linux\n"
              " * tree at %s. Linux kernel code, GPL-2.0: never copy this file\n"
              " * into the repository. */\n" % os.path.abspath(tree))
    defs = take(tree, DEFS, log)
    parsers = take(tree, PARSERS, log)
    with open(os.path.join(out_dir, "linux_defs.h"), "w", encoding="utf-8") as f:
        f.write(banner + "#ifndef LINUX_DEFS_H_\n#define LINUX_DEFS_H_\n\n")
        f.write(defs)
        f.write("\n#endif  /* LINUX_DEFS_H_ */\n")
    with open(os.path.join(out_dir, "linux_parsers.c"), "w", encoding="utf-8") as f:
        f.write(banner + '#include "linux_shim.h"\n#include "linux_defs.h"\n\n')
        f.write(parsers)
    for line in log:
        print("extracted " + line)


if __name__ == "__main__":
    main()
