#!/usr/bin/env python3
"""Measures the agent's answer path on the virtual Vector with the local TLS
R1 server, and prints the figures (it judges nothing):

  question -> thinking animation   the unmatched intent leaving vic-cloud to
                                   the thinking loop's PlayAnim at vic-anim
  intent -> request sent           the agent's own timeline (vic-r1 status)
  first answer byte -> first TTS   the same timeline: includes the segmenter's
                                   wait for the byte that completes the sentence
  Finished -> next Play            vic-anim's TextToSpeechEvent Finished to the
                                   next TextToSpeechPlay it receives
  peak RSS of bridge and agent     from /proc (host build: the process itself)

usage: answer_latency.py [RUNNER...] VIC_R1_BINARY [--questions N]

The peer, wire-pod, speaks through the robot's SDK over the LAN (gRPC to
vic-gateway); with no robot here it cannot be run, so it is not measured.
"""

import os
import statistics
import sys
import time
import json

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "virtual_vector"))

import answer_scenarios  # noqa: E402
import clad_layouts as clad  # noqa: E402
from scenario_harness import Case  # noqa: E402

ANSWER = " ".join("This is sentence number %d of the answer." % n for n in range(1, 9))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def show(name, values_ms):
    if not values_ms:
        print("%-34s not measured" % name)
        return
    print("%-34s n=%-4d p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms"
          % (name, len(values_ms), statistics.median(values_ms), percentile(values_ms, 0.99), max(values_ms)))


def peak_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as source:
            for line in source:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main(argv):
    questions = 10
    if "--questions" in argv:
        at = argv.index("--questions")
        questions = int(argv[at + 1])
        del argv[at:at + 2]
    runner, binary = argv[:-1], argv[-1]
    case = Case(binary, runner)
    try:
        robot, view = answer_scenarios.start_answering(
            case, answer_scenarios.answer_spec(ANSWER, reasoning_ms=5, delta=9))
        to_thinking, request_sent, byte_to_tts, finished_to_play = [], [], [], []
        for number in range(1, questions + 1):
            since = len(robot.anim.received())
            case.wake()
            asked = time.monotonic()
            robot.cloud.send_unmatched_question("question %d" % number)
            case.bridge.wait_for_line(r"agent info: question %d: " % number, 120, count=1)
            received = robot.anim.received()[since:]
            thinking = [r for r in received if r.data[:1] == bytes([clad.TAG_PLAY_ANIM])
                        and clad.decode_play_anim(r.data).anim_name == answer_scenarios.THINKING_CLIP]
            if thinking:
                to_thinking.append((thinking[0].time - asked) * 1000)
            plays = [r.time for r in received if r.data[:1] == bytes([clad.TAG_TEXT_TO_SPEECH_PLAY])]
            finished = [r.time for r in robot.wire_log.all_records()
                        if r.endpoint == "anim" and r.direction == "sent" and r.data[:1] == bytes(
                            [clad.TAG_TEXT_TO_SPEECH_EVENT]) and r.time >= asked
                        and clad.decode_text_to_speech_event(r.data).state == clad.TTS_STATE_FINISHED]
            for end in finished:
                following = [p for p in plays if p >= end]
                if following:
                    finished_to_play.append((following[0] - end) * 1000)
            code, output = case.run_verb(["status", "--json", "--socket-dir", case.socket_dir])
            if code == 0:
                timeline = json.loads(output)["last_question"]["timeline_ms"]
                request_sent.append(timeline["request_sent"])
                byte_to_tts.append(timeline["first_tts"] - timeline["first_answer_byte"])
            case.wake()  # the engine's turn ends; the next question starts afresh
        print("answer path on the virtual Vector, %d questions, %s" % (questions, " ".join(runner) or "host"))
        show("question -> thinking animation", to_thinking)
        show("intent -> request sent", request_sent)
        show("first answer byte -> first TTS", byte_to_tts)
        show("TTS Finished -> next Play", finished_to_play)
        agent = case.bridge.agent_pids()[-1]
        print("peak RSS: bridge %s KiB, agent %s KiB (under qemu this is the emulator's)"
              % (peak_rss_kib(case.bridge.pid), peak_rss_kib(agent)))
        print("(vic-anim reads its socket once per 33 ms tick, as the firmware does: the first and")
        print(" last figures include that wait; the two in between are the agent's own clock)")
        print("peer (wire-pod): not measured: it needs the robot's SDK over the network")
    finally:
        case.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
