#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Reads the JSON that run_e2e.sh works with: the daemons' stats files, the
output of `traffic.py run --json`, traffic.py's server reports.

  e2e_json.py get FILE|- KEY...      each KEY (dotted: events.PAIR_CREATED) on a line;
                                     "null" when absent; exit 1 when FILE is not JSON
  e2e_json.py sum FILE|- KEY...      the sum of the KEYs (absent = 0)
  e2e_json.py records REPORT FROM    the report lines after the first FROM, summed up:
                                     {"count", "ok", "mptcp", "peers", "errors"}
  e2e_json.py decode-summary FILE    the summary of `mptcp-decode --json --verify`
                                     (its last line) and the MP_CONVERT records count
"""
import json
import sys


def load(path):
    text = sys.stdin.read() if path == "-" else open(path).read()
    return json.loads(text)


def lookup(obj, dotted):
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def main():
    verb, args = sys.argv[1], sys.argv[2:]
    if verb in ("get", "sum"):
        try:
            obj = load(args[0])
        except (OSError, ValueError) as e:
            print("e2e_json: %s: %s" % (args[0], e), file=sys.stderr)
            return 1
        values = [lookup(obj, k) for k in args[1:]]
        if verb == "sum":
            print(sum(v for v in values if isinstance(v, (int, float))))
        else:
            for v in values:
                print(json.dumps(v) if not isinstance(v, str) else v)
        return 0
    if verb == "records":
        lines = open(args[0]).read().splitlines()[int(args[1]):]
        recs = [json.loads(l) for l in lines if l.strip()]
        print(json.dumps({
            "count": len(recs),
            "ok": sum(1 for r in recs if r.get("ok")),
            "mptcp": sum(1 for r in recs if r.get("mptcp")),
            "peers": sorted({r["peer"].rsplit(":", 1)[0] for r in recs}),
            "errors": [r["error"] for r in recs if r.get("error")][:5],
        }))
        return 0
    if verb == "decode-summary":
        summary, ies = None, 0
        for line in open(args[0]):
            rec = json.loads(line)
            if "summary" in rec:
                summary = rec["summary"]
            elif rec.get("subtype") == "MP_CONVERT":
                ies += 1
        print(json.dumps({"summary": summary, "mp_convert": ies}))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
