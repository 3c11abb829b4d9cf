#!/usr/bin/python3
"""Counts test results from a `bazel test` log and the test.xml files it left.

Usage: summarize_tests.py BAZEL_LOG TESTLOGS_DIR >> results.tsv

Each test case (GoogleTest case, pytest case, or a whole target when the
target reports no cases) becomes one line "STATUS<TAB>NAME" with STATUS in
PASS, FAIL, SKIP. A target that failed to build or produced no status counts
as one FAIL, so a broken build can never look green.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

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


def main():
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
