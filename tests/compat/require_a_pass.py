"""Fail a compatibility run that tested nothing: `make compat` runs this on nox's --report.

nox counts a skipped session (a minor without its Python) as no failure, so a run in which every
selected minor was skipped would otherwise pass. Prints one line with the counts; exits 1 when no
session passed.

Usage: python tests/compat/require_a_pass.py REPORT.json
"""

import collections
import json
import sys


def main(report_path):
    with open(report_path, encoding="utf-8") as report:
        sessions = json.load(report)["sessions"]
    results = collections.Counter(session["result"] for session in sessions)
    print("compat: %d passed, %d failed, %d skipped of %d ansible-core versions" % (
        results["success"], results["failed"], results["skipped"], len(sessions)))
    if not results["success"]:
        print("compat: FAILED, no ansible-core version was tested (every one was skipped)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
