#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Checks mptcp-decode's view of a real kernel capture.

Usage: check_kernel_capture.py DECODE_JSON DECODE_TEXT [PCAP]

DECODE_JSON is `mptcp-decode --json --verify` output, DECODE_TEXT the text
output of the same capture (it gives each frame's addresses, hence its
family). Asserts that every MPTCP option decoded without error, that the
decoder finds every form this kernel must have produced over each family
(kernel_forms.py; make_kernel_capture.sh does not stop the capture before
they are all in it, so a missing one is the decoder's fault), and that every
MP_JOIN token and every MP_JOIN / ADD_ADDR HMAC verified from the keys seen
in MP_CAPABLE. With PCAP, the decoder's count of each form per family must
also equal the count of pcap_watch.py, an independent reader of the raw
options. Prints the figures.

Exit 0 when all holds, 1 otherwise.
"""
import collections
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_forms  # noqa: E402
import pcap_watch  # noqa: E402


def form_names(r):
    """Form names (kernel_forms.py vocabulary) for one decoded option."""
    sub = r["subtype"]
    if sub == "MP_CAPABLE":
        if "sender_key" not in r:
            return ["MP_CAPABLE/SYN"]
        if "receiver_key" not in r:
            return ["MP_CAPABLE/SYN_ACK"]
        if "data_level_length" not in r:
            return ["MP_CAPABLE/ACK"]
        return ["MP_CAPABLE/ACK+data+csum" if "checksum" in r else "MP_CAPABLE/ACK+data"]
    if sub == "MP_JOIN":
        return ["MP_JOIN/" + r["form"]]
    if sub == "DSS":
        out = ["DSS"]
        if r.get("data_fin"):
            out.append("DSS/DATA_FIN")
        if "checksum" in r:
            out.append("DSS/csum")
        return out
    if sub == "ADD_ADDR":
        return ["ADD_ADDR/%s%s" % ("echo" if r["echo"] else "hmac", "+port" if "port" in r else "")]
    if sub == "MP_PRIO":
        return ["MP_PRIO/backup" if r["backup"] else "MP_PRIO/nobackup"]
    return [sub]


def main():
    if len(sys.argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    records = [json.loads(line) for line in open(sys.argv[1])]
    summary = records[-1].get("summary") if records else None
    options = [r for r in records if "summary" not in r]
    failures = []

    errors = [r for r in options if "error" in r]
    if errors:
        failures.append("%d options failed to decode, first: %s" % (len(errors), errors[0]))

    # Frame -> family, from the text output's addresses ("[...]" is IPv6).
    family_of = {}
    for line in open(sys.argv[2]):
        head = line.split(" ", 2)
        if len(head) == 3 and head[0].isdigit():
            family_of[int(head[0])] = 6 if head[1].startswith("[") else 4

    forms = {4: collections.Counter(), 6: collections.Counter()}
    for r in options:
        if "error" in r:
            continue
        family = family_of.get(r["frame"])
        if family is None:
            failures.append("frame %d is in the JSON output but not in the text output" % r["frame"])
            continue
        for name in form_names(r):
            forms[family][name] += 1

    missing = []
    for family in (4, 6):
        for form in kernel_forms.required(family):
            if forms[family][form] == 0:
                missing.append("no %s over IPv%d" % (form, family))

    if len(sys.argv) == 4:
        cap = pcap_watch.Capture(sys.argv[3])
        cap.poll()
        raw = {4: collections.Counter(), 6: collections.Counter()}
        for p in cap.packets:
            if p.family in raw:
                raw[p.family].update(p.forms)
        for family in (4, 6):
            for form in kernel_forms.required(family):
                if raw[family][form] != forms[family][form]:
                    failures.append("%s over IPv%d: mptcp-decode counts %d, the raw options %d"
                                    % (form, family, forms[family][form], raw[family][form]))

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

    for family in (4, 6):
        print("IPv%d options decoded: %s" % (family, ", ".join(
            "%s=%d" % kv for kv in sorted(forms[family].items()))))
    if summary:
        print("connections: %d, subflows: %d, HMACs verified: %d, tokens verified: %d" % (
            summary["connections"], summary["subflows"], summary["hmacs_verified"],
            summary["tokens_known"]))
    for f in failures:
        print("FAIL: " + f)
    for m in missing:
        print("FAIL: decoder missed a form the capture holds: " + m)
    return 1 if failures or missing else 0


if __name__ == "__main__":
    sys.exit(main())
