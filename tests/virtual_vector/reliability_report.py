#!/usr/bin/env python3
"""The reliability figures of tests/RELIABILITY.md: every row of the fault
matrix (fault_matrix.ROWS: each scenario in a process of its own, as CTest
runs it) and then the soak, with the binary given (the robot build under
qemu for the report). Prints the matrix as Markdown, with per row the
datagrams of the robot's own that crossed exactly and those that did not,
then the soak's figures; the exit status is 0 only when every scenario
passed.

usage: reliability_report.py [--soak-questions N] VIC_R1_BINARY [RUNNER...]
"""

import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fault_matrix                                  # noqa: E402

EXACT_LINE = re.compile(r"^\s+(engine -> anim|anim -> engine|cloud -> engine ai_sock): (exact|NOT EXACT) "
                        r"\((\d+) matched")
SCENARIO_TIMEOUT_S = 300
SOAK_TIMEOUT_S = 1500


class Run:
    def __init__(self, name, status, output, seconds):
        self.name, self.status, self.output, self.seconds = name, status, output, seconds

    @property
    def verdict(self):
        return {0: "pass", 77: "skip"}.get(self.status, "FAIL")

    def crossed(self):
        """(datagrams matched exactly, links not exact) over its checks, as
        text: a dash for a scenario that checks what crossed its own way and
        prints no per-link figures."""
        matched, inexact, links = 0, 0, 0
        for line in self.output.splitlines():
            found = EXACT_LINE.match(line)
            if found:
                links += 1
                matched += int(found.group(3))
                inexact += found.group(2) != "exact"
        return (str(matched), str(inexact)) if links else ("—", "—")

    def reason(self):
        for line in self.output.splitlines():
            if line.startswith(("FAIL ", "SKIP ", "ERROR ")):
                return line
        return ""


def run(command, name, timeout_s):
    started = time.monotonic()
    try:
        completed = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   timeout=timeout_s, text=True, errors="replace")
        status, output = completed.returncode, completed.stdout
    except subprocess.TimeoutExpired as expired:
        status, output = -1, (expired.stdout or "") + "\nFAIL %s: no end within %d s" % (name, timeout_s)
    return Run(name, status, output, time.monotonic() - started)


def main(argv):
    soak_questions = 500
    if argv[:1] == ["--soak-questions"]:
        soak_questions = int(argv[1])
        argv = argv[2:]
    if not argv:
        sys.stderr.write(__doc__.split("\n\n", 1)[1])
        return 2
    binary, runner = argv[0], argv[1:]
    scenarios_py = os.path.join(HERE, "bridge_scenarios.py")
    runs = {}
    print("| fault | scenario | result | robot datagrams crossed exactly | links not exact | time |")
    print("|---|---|---|---|---|---|")
    for row, names in fault_matrix.ROWS:
        for name in names:
            if name not in runs:
                runs[name] = run([sys.executable, scenarios_py, name, binary] + runner, name, SCENARIO_TIMEOUT_S)
            result = runs[name]
            matched, inexact = result.crossed()
            print("| %s | `%s` | %s | %s | %s | %.0f s |"
                  % (row, name, result.verdict, matched, inexact, result.seconds), flush=True)
    failed = [r for r in runs.values() if r.verdict == "FAIL"]
    skipped = [r for r in runs.values() if r.verdict == "skip"]
    print()
    print("%d scenarios: %d passed, %d failed, %d skipped"
          % (len(runs), len(runs) - len(failed) - len(skipped), len(failed), len(skipped)))
    for result in failed + skipped:
        print("  " + (result.reason() or "%s: exit status %d" % (result.name, result.status)))

    print()
    print("Soak (%d questions):" % soak_questions)
    soak = run([sys.executable, os.path.join(HERE, "soak.py"), "--questions", str(soak_questions), binary] + runner,
               "soak", SOAK_TIMEOUT_S)
    tail = soak.output.splitlines()
    start = next((i for i, line in enumerate(tail) if line.startswith("start ")), 0)
    print("\n".join("    " + line for line in tail[start:start + 40]))
    if soak.status != 0:
        failed.append(soak)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
