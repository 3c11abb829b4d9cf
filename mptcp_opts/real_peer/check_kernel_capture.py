#!/usr/bin/python3
"""Checks mptcp-decode's view of a real kernel capture.

Usage: check_kernel_capture.py DECODE_JSON DECODE_TEXT

DECODE_JSON is `mptcp-decode --json --verify` output, DECODE_TEXT the text
output of the same capture. Asserts that every MPTCP option decoded without
error, that every form the kernel test must produce is present (for IPv4 and
for IPv6), and that every MP_JOIN token and every MP_JOIN / ADD_ADDR HMAC
verified from the keys seen in MP_CAPABLE. Prints the figures.

Exit 1 when a decode or verification check failed; exit 3 when those all
passed but the kernel did not produce every required form (a property of the
traffic, not of the decoder: the caller may capture again).
"""
import collections
import json
import sys


def main():
    records = [json.loads(line) for line in open(sys.argv[1])]
    summary = records[-1].get("summary")
    options = [r for r in records if "summary" not in r]
    failures = []
    missing = []

    errors = [r for r in options if "error" in r]
    if errors:
        failures.append("%d options failed to decode, first: %s" % (len(errors), errors[0]))

    forms = collections.Counter()
    for r in options:
        if "error" in r:
            continue
        key = r["subtype"]
        if key == "MP_JOIN":
            key += "/" + r["form"]
        if key == "ADD_ADDR":
            key += "/echo" if r["echo"] else "/hmac"
            if "port" in r:
                key += "+port"
        forms[key] += 1
    required = ["MP_CAPABLE", "MP_JOIN/SYN", "MP_JOIN/SYN_ACK", "MP_JOIN/ACK", "DSS",
                "ADD_ADDR/hmac", "ADD_ADDR/echo", "ADD_ADDR/hmac+port", "MP_PRIO",
                "REMOVE_ADDR", "MP_FASTCLOSE", "MP_TCPRST"]
    for form in required:
        if forms[form] == 0:
            missing.append("no %s in the capture" % form)

    # Both address families must carry joins and announcements.
    text = open(sys.argv[2]).read().splitlines()
    for family, marker in (("IPv4", lambda l: "[" not in l.split(">")[0]),
                           ("IPv6", lambda l: "[" in l.split(">")[0])):
        lines = [l for l in text if not l.startswith("--") and marker(l)]
        for what in ("MP_CAPABLE", "MP_JOIN SYN", "ADD_ADDR", "MP_FASTCLOSE"):
            if not any(what in l for l in lines):
                missing.append("no %s over %s" % (what, family))

    unverified = [r for r in options if r["subtype"] in ("MP_JOIN", "ADD_ADDR")
                  and (r.get("form") in ("SYN_ACK", "ACK") or r.get("truncated_hmac"))
                  and r.get("hmac_valid") is not True]
    if unverified:
        failures.append("%d HMACs not verified, first: %s" % (len(unverified), unverified[0]))
    unknown_tokens = [r for r in options if r.get("form") == "SYN" and r.get("token_known") is not True]
    if unknown_tokens:
        failures.append("%d MP_JOIN tokens not matching any key" % len(unknown_tokens))
    if not summary or summary["hmacs_failed"] or summary["hmacs_unverifiable"] \
            or summary["hmacs_verified"] == 0:
        failures.append("verification summary: %s" % summary)

    print("options decoded: %d (%s)" % (len(options), ", ".join(
        "%s=%d" % kv for kv in sorted(forms.items()))))
    print("connections: %d, subflows: %d, HMACs verified: %d, tokens verified: %d" % (
        summary["connections"], summary["subflows"], summary["hmacs_verified"],
        summary["tokens_known"]))
    for f in failures:
        print("FAIL: " + f)
    for m in missing:
        print("MISSING: " + m)
    return 1 if failures else 3 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
