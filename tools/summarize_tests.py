#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Turns test results into one line per result, "STATUS<TAB>NAME", STATUS
in PASS, FAIL, SKIP (tools/run_all_tests.sh counts them).

Usage:
  summarize_tests.py BAZEL_LOG TESTLOGS_DIR >> results.tsv
      A `bazel test` log and the test.xml files it left. Each test case
      (GoogleTest case, pytest case, or a whole target when the target
      reports no cases) becomes one line. A target that failed to build or
      produced no status counts as one FAIL, so a broken build can never
      look green.
  summarize_tests.py --real-peer EXIT_STATUS OUTPUT_FILE >> results.tsv
      The real-kernel peer test (mptcp_opts/real_peer/run_kernel_peer_test.sh)
      from its exit status and output. Each "SKIP real_peer: FORM: kernel V
      cannot send it" line (a form the running kernel cannot produce) is one
      SKIP; then exit 0 is one PASS, 77 one SKIP (the test could not run
      here; its last line says why), anything else one FAIL.
  summarize_tests.py --case-lines NAME EXIT_STATUS OUTPUT_FILE >> results.tsv
      A runner that prints its own "PASS|FAIL|SKIP<TAB>NAME: case..." lines
      (examples/hybrid_access/e2e/run_e2e.sh): those lines as they are. A
      non-zero exit status with no FAIL line, or no line at all, is one FAIL,
      so a runner that dies can never look green.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

SKIP_FORM = re.compile(r"^SKIP real_peer: (\S+: kernel .*)$")
LINE = re.compile(r"^(//\S+)\s+(?:\(cached\)\s+)?(PASSED|FAILED|FAILED TO BUILD|NO STATUS|TIMEOUT|FLAKY|SKIPPED)\b")


def cases_from_xml(path):
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return None
    out = []
    for case in root.iter("testcase"):
        name = "%s.%s" % (case.get("classname", ""), case.get("name", ""))
        if case.find("failure") is not None or case.find("error") is not None:
            out.append(("FAIL", name))
        elif case.find("skipped") is not None or case.get("result") == "skipped" \
                or case.get("status") == "notrun":
            out.append(("SKIP", name))
        else:
            out.append(("PASS", name))
    return out


def real_peer(status, output_path):
    lines = [l.rstrip("\n") for l in open(output_path, errors="replace")]
    last = next((l for l in reversed(lines) if l.strip()), "")
    out = []
    if status != 77:
        for l in lines:
            m = SKIP_FORM.match(l)
            if m:
                out.append(("SKIP", "real_peer: " + m.group(1)))
    if status == 0:
        out.append(("PASS", "real_peer: " + (last or "kernel capture decoded and verified")))
    elif status == 77:
        out.append(("SKIP", "real_peer: " + (last or "cannot run here")))
    else:
        out.append(("FAIL", "real_peer: exit status %d: %s" % (status, last)))
    return out


def case_lines(name, status, output_path):
    prefix = re.compile(r"^(PASS|FAIL|SKIP)\t(%s: .*)$" % re.escape(name))
    out = []
    for l in open(output_path, errors="replace"):
        m = prefix.match(l.rstrip("\n"))
        if m:
            out.append((m.group(1), m.group(2)))
    if status != 0 and not any(s == "FAIL" for s, _ in out):
        out.append(("FAIL", "%s: runner exit status %d" % (name, status)))
    if not out:
        out.append(("FAIL", "%s: the runner printed no result" % name))
    return out


def main():
    if sys.argv[1] == "--case-lines":
        for s, n in case_lines(sys.argv[2], int(sys.argv[3]), sys.argv[4]):
            print("%s\t%s" % (s, n))
        return
    if sys.argv[1] == "--real-peer":
        for s, n in real_peer(int(sys.argv[2]), sys.argv[3]):
            print("%s\t%s" % (s, n))
        return
    log_path, testlogs = sys.argv[1], sys.argv[2]
    seen = set()
    for line in open(log_path, errors="replace"):
        m = LINE.match(line.strip())
        if not m:
            continue
        target, status = m.group(1), m.group(2)
        if target in seen or status == "SKIPPED":
            continue
        seen.add(target)
        if status in ("FAILED TO BUILD", "NO STATUS", "TIMEOUT"):
            print("FAIL\t%s (%s)" % (target, status.lower()))
            continue
        pkg, name = target[2:].split(":")
        xml = os.path.join(testlogs, pkg, name, "test.xml")
        cases = cases_from_xml(xml) or []
        # A test that writes no XML (or no cases) counts as one case.
        if not cases:
            cases = [("PASS" if status in ("PASSED", "FLAKY") else "FAIL", target)]
        if status == "FAILED" and not any(s == "FAIL" for s, _ in cases):
            cases.append(("FAIL", target + " (exit status)"))
        for s, n in cases:
            print("%s\t%s: %s" % (s, target, n))


if __name__ == "__main__":
    main()
