#!/usr/bin/env python3
"""The soak: questions back to back on the virtual Vector, with the real
`vic-r1 run` (the ARM build under qemu in the robot build), vic-engine's
everyday traffic flowing all along and a thinking clip and some reasoning
on every answer.

It prints, after a warm-up, halfway and at the end: for the bridge and the
agent their resident memory (now and peak), open file descriptors and heap
in use (the allocator's own count: under qemu the RSS is the emulator's, the
heap figure is the ARM program's), the agent's peak heap, and the bridge's
counters. It fails if anything grew that must not: a file descriptor more,
bridge heap, agent heap beyond what a bounded conversation history can
hold; if a question went unanswered or was answered wrongly; if any
datagram of the robot's own was lost, reordered or altered; or if the API
key appeared in any output.

usage: soak.py [--questions N] VIC_R1_BINARY [RUNNER...]
"""

import json
import os
import re
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fault_matrix                                  # noqa: E402
import r1_server_process                             # noqa: E402
from answer_scenarios import wait_for_outcome          # noqa: E402
from scenario_harness import START_S, Case, TestFailure, check, wait_for   # noqa: E402

WARM_UP_QUESTIONS = 10
# What the agent's heap may hold at the end beyond what it held after the
# warm-up: the conversation history, which the config below bounds.
HISTORY_BYTES = 4096
AGENT_HEAP_GROWTH_ALLOWED = 2 * HISTORY_BYTES + 16 * 1024


def process_figures(pid):
    figures = {"pid": pid}
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                figures[key] = int(value.split()[0])    # KiB
    figures["fds"] = len(os.listdir("/proc/%d/fd" % pid))
    return figures


class Sample:
    def __init__(self, label, questions, bridge, agent, agent_status, counters):
        self.label, self.questions = label, questions
        self.bridge, self.agent = bridge, agent
        self.agent_status, self.counters = agent_status, counters

    def counter(self, pattern):
        found = re.search(pattern, self.counters)
        check(found, "no %r in the bridge's counters: %s" % (pattern, self.counters))
        return int(found.group(1))

    def describe(self):
        return ("%-8s after %3d questions\n"
                "  bridge: RSS %d KiB (peak %d KiB), %d fds, heap in use %d KiB\n"
                "  agent:  RSS %d KiB (peak %d KiB), %d fds, heap in use %d bytes (peak %d bytes)\n"
                "  %s" % (self.label, self.questions,
                          self.bridge["VmRSS"], self.bridge["VmHWM"], self.bridge["fds"],
                          self.counter(r"heap in use (\d+) KiB"),
                          self.agent["VmRSS"], self.agent["VmHWM"], self.agent["fds"],
                          self.agent_status["heap_in_use_bytes"], self.agent_status["heap_peak_bytes"],
                          self.counters))


def take_sample(case, label, questions):
    bridge = case.bridge
    seen = len(bridge.matches(r"counters: .*"))
    os.kill(bridge.process.pid, signal.SIGUSR1)
    bridge.wait_for_line(r"counters: .*", START_S, count=seen + 1, what="the bridge's counters")
    counters = bridge.matches(r"counters: .*")[-1].group(0)
    code, output = case.run_verb(["status", "--json", "--socket-dir", case.socket_dir])
    check(code == 0, "vic-r1 status failed (%d): %s" % (code, output))
    return Sample(label, questions, process_figures(bridge.process.pid), process_figures(case.agent_pid),
                  json.loads(output), counters)


def check_flat(first, middle, last):
    # A sanitizer's allocator keeps no glibc figures: the soak is the plain
    # builds' (the robot's), where a leak would show.
    check(first.agent_status["heap_in_use_bytes"] > 0 and first.counter(r"heap in use (\d+) KiB") > 0,
          "no heap figures (a sanitizer build?): the soak needs the allocator's counts")
    for name, figures in (("bridge", lambda s: s.bridge), ("agent", lambda s: s.agent)):
        fds = [figures(s)["fds"] for s in (first, middle, last)]
        check(len(set(fds)) == 1, "the %s's open file descriptors went %s" % (name, " -> ".join(map(str, fds))))
    heaps = [s.counter(r"heap in use (\d+) KiB") for s in (first, middle, last)]
    check(len(set(heaps)) == 1, "the bridge's heap went %s KiB" % " -> ".join(map(str, heaps)))
    grown = last.agent_status["heap_in_use_bytes"] - first.agent_status["heap_in_use_bytes"]
    check(grown <= AGENT_HEAP_GROWTH_ALLOWED,
          "the agent's heap grew by %d bytes over %d questions" % (grown, last.questions - first.questions))
    check(last.agent_status["agent_pid"] == first.agent_status["agent_pid"], "the agent was restarted")
    check(last.counter(r"agent starts (\d+)") == 1, "the agent was started more than once")
    for pattern in (r"engine->anim \d+ \(dropped (\d+)\)", r"anim->engine \d+ \(dropped (\d+)\)",
                    r"agent injected \d+ \(dropped (\d+)", r"refused (\d+)\)", r"events dropped (\d+)"):
        check(last.counter(pattern) == 0, "the bridge's counters show %r: %s" % (pattern, last.counters))


def soak(case, total):
    robot, view = fault_matrix.start_row(case, {"kind": "answer", "echo": "I heard: ", "reasoning_bytes": "4096"},
                                         config={"history": {"turns": 4, "bytes": HISTORY_BYTES}},
                                         anim_options=fault_matrix.FAST_SPEECH)
    questions = fault_matrix.Questions(case)
    started = time.monotonic()
    samples = []

    def ask_next():
        text = "soak question %d" % (questions.count + 1)
        number = questions.ask(text)
        outcome = wait_for_outcome(case, number)
        check(outcome.startswith("answered"), "question %d ended %r" % (number, outcome))
        wait_for(lambda: view.sentences() and view.sentences()[-1] == "I heard: " + text, START_S,
                 "question %d: Vector said %r" % (number, view.sentences()[-1:]))

    for _ in range(WARM_UP_QUESTIONS):
        ask_next()
    samples.append(take_sample(case, "start", questions.count))
    print(samples[-1].describe(), flush=True)
    while questions.count < WARM_UP_QUESTIONS + total:
        ask_next()
        if questions.count == WARM_UP_QUESTIONS + total // 2:
            samples.append(take_sample(case, "middle", questions.count))
            print(samples[-1].describe(), flush=True)
    samples.append(take_sample(case, "end", questions.count))
    print(samples[-1].describe(), flush=True)
    elapsed = time.monotonic() - started
    print("%d questions in %.0f s (%.2f s each)" % (questions.count, elapsed, elapsed / questions.count))

    said = view.sentences()
    check(len(said) == questions.count, "%d questions, %d sentences spoken" % (questions.count, len(said)))
    check_flat(*samples)
    fault_matrix.check_robot_traffic_unharmed(case, questions)
    check(r1_server_process.API_KEY.encode() not in open(case.bridge.log_path, "rb").read(),
          "the API key appeared in vic-r1's log")


def main(argv):
    total = 500
    if argv[:1] == ["--questions"]:
        total = int(argv[1])
        argv = argv[2:]
    if not argv:
        sys.stderr.write(__doc__.split("\n\n", 1)[1])
        return 2
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(number, lambda received, _frame: sys.exit(128 + received))
    case = Case(argv[0], argv[1:])
    try:
        soak(case, total)
    except (TestFailure, AssertionError) as failure:
        print("FAIL soak: %s" % failure)
        case.stop_bridges()
        print(case.report())
        return 1
    finally:
        case.close()
    print("PASS soak")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
