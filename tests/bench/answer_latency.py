#!/usr/bin/env python3
"""Measures the agent's answer path on the virtual Vector with the local TLS
R1 server, and prints the figures (it judges nothing). Times come from the
records of the processes at each end, all on CLOCK_MONOTONIC: vic-cloud's
send, the R1 server's receive and sends, and the kernel's arrival stamp of
each datagram at vic-anim's socket (SO_TIMESTAMPNS), so vic-anim's 33 ms
read tick is not in them.

  question -> thinking animation     vic-cloud sends the unmatched intent ->
                                     the thinking loop's PlayAnim reaches vic-anim
  intent -> request on the wire      vic-cloud sends the intent -> the R1 server
                                     has the whole request, on a connection
                                     opened at the wake word
  first sentence complete -> TTS     the server sends the chunk holding the
                                     byte that completes the first sentence ->
                                     its TextToSpeechPrepare reaches vic-anim
  TTS Finished -> next Play          vic-anim sends Finished (or, if later,
                                     Prepared for the next sentence) -> the
                                     next TextToSpeechPlay reaches vic-anim
  the agent's own clock              intent -> request sent, first answer
                                     byte -> first TTS (vic-r1 status)
  barge-in                           vic-anim sends the wake word -> the
                                     TextToSpeechCancel reaches vic-anim
  a 64 KB answer                     peak RSS of bridge and agent (host build),
                                     the agent's heap at most and the bridge's
                                     heap (the allocator's own figures: under
                                     qemu the RSS is the emulator's)

usage: answer_latency.py [RUNNER...] VIC_R1_BINARY [--questions N] [--answer-kib K]

The peer, wire-pod, speaks through the robot's SDK over the LAN (gRPC to
vic-gateway); with no robot here it cannot be run, so it is not measured.
"""

import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "virtual_vector"))

import answer_scenarios  # noqa: E402
import clad_layouts as clad  # noqa: E402
from scenario_harness import Case  # noqa: E402
from wire_log import LINK_AI  # noqa: E402

ANSWER = " ".join("This is sentence number %d of the answer." % n for n in range(1, 9))
# The segmenter knows the first sentence is over at the space after its period.
FIRST_SENTENCE_COMPLETE_AT = ANSWER.index(". ") + 1
# Fast speech, so that many questions and a long answer fit in minutes; the
# figures do not depend on how long vic-anim takes to say a sentence.
ANIM_OPTIONS = {"tts_ms_per_character": 0.2, "tts_prepared_after_ms": 10.0}
LONG_SENTENCE = ("Here is one more long sentence of the very long answer, which goes on and on "
                 "about the moon, the tides, the stars and the robot who tells it all")


def long_answer(kib):
    sentences, size, number = [], 0, 0
    while size < kib * 1024:
        number += 1
        sentence = "%s, part %d." % (LONG_SENTENCE, number)
        sentences.append(sentence)
        size += len(sentence) + 1
    return " ".join(sentences)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def show(name, values_ms):
    if not values_ms:
        print("%-38s not measured" % name)
        return
    print("%-38s n=%-4d p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms"
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


def arrival(record):
    return record.arrived if record.arrived is not None else record.time


def status_json(case):
    code, output = case.run_verb(["status", "--json", "--socket-dir", case.socket_dir])
    return json.loads(output) if code == 0 else None


def wait_for_connection(case):
    """The wake word opens the connection ahead of the first question; later
    ones find the last answer's connection kept alive."""
    deadline = time.monotonic() + 10
    while case.r1.stats()["handshakes"] < 1:
        if time.monotonic() > deadline:
            raise RuntimeError("the wake word did not open a connection to the R1 server")


class Figures:
    def __init__(self):
        self.to_thinking, self.to_request, self.sentence_to_tts, self.finished_to_play = [], [], [], []
        self.request_sent, self.byte_to_tts = [], []


def ask_one(case, robot, number, figures):
    anim_before = len(robot.anim.received())
    case.wake()
    wait_for_connection(case)
    time.sleep(0.1)  # the pre-connection's handshake is over; nothing else moves
    robot.cloud.send_unmatched_question("question %d" % number)
    asked = robot.wire_log.stream("cloud", "sent", LINK_AI)[-1].time
    case.bridge.wait_for_line(r"agent info: question %d: " % number, 120, count=1)
    received = robot.anim.received()[anim_before:]

    thinking = [r for r in received if r.data[:1] == bytes([clad.TAG_PLAY_ANIM])
                and clad.decode_play_anim(r.data).anim_name == answer_scenarios.THINKING_CLIP]
    if thinking:
        figures.to_thinking.append((arrival(thinking[0]) - asked) * 1000)

    request = case.r1.stats()["request_log"][-1]
    figures.to_request.append((request["received_at"] - asked) * 1000)
    prepares = [r for r in received if clad.is_text_to_speech_prepare(r.data)]
    completing = [at for end, at in request.get("answer_chunks_sent_at", []) if end > FIRST_SENTENCE_COMPLETE_AT]
    if prepares and completing:
        figures.sentence_to_tts.append((arrival(prepares[0]) - completing[0]) * 1000)

    # From the moment the agent could play the next sentence (its Finished
    # came, and the next one is Prepared) to that Play reaching vic-anim.
    plays = [(arrival(r), r.data[1]) for r in received
             if r.data[:1] == bytes([clad.TAG_TEXT_TO_SPEECH_PLAY]) and len(r.data) == 2]
    prepared, finished_at = [], []  # ttsIDs are reused: keep every Prepared, in order
    for record in robot.wire_log.stream("anim", "sent"):
        if record.time < asked or record.data[:1] != bytes([clad.TAG_TEXT_TO_SPEECH_EVENT]):
            continue
        event = clad.decode_text_to_speech_event(record.data)
        if event.state == clad.TTS_STATE_PREPARED:
            prepared.append((record.time, event.tts_id))
        elif event.state == clad.TTS_STATE_FINISHED:
            finished_at.append(record.time)
    for finished in finished_at:
        following = [(at, tts_id) for at, tts_id in plays if at >= finished]
        if not following:
            continue
        play_at, tts_id = following[0]
        ready = [at for at, ident in prepared if ident == tts_id and at <= play_at]
        if ready:
            figures.finished_to_play.append((play_at - max(finished, ready[-1])) * 1000)

    status = status_json(case)
    if status:
        timeline = status["last_question"]["timeline_ms"]
        figures.request_sent.append(timeline["request_sent"])
        figures.byte_to_tts.append(timeline["first_tts"] - timeline["first_answer_byte"])
    case.wake()  # the engine's turn ends; the next question starts afresh


def barge_in_ms(case, robot, number):
    """The long answer once more; a wake word while Vector speaks it."""
    case.wake()
    anim_before = len(robot.anim.received())
    robot.cloud.send_unmatched_question("and once more, everything about the moon")
    deadline = time.monotonic() + 60
    while not any(r.data[:1] == bytes([clad.TAG_TEXT_TO_SPEECH_PLAY]) for r in robot.anim.received()[anim_before:]):
        if time.monotonic() > deadline:
            return "not measured (Vector never spoke)"
        time.sleep(0.01)
    time.sleep(0.3)
    woken_before = len(robot.wire_log.stream("anim", "sent"))
    case.wake()
    case.bridge.wait_for_line(r"agent info: question %d: " % number, 60, count=1)
    woken = [r.time for r in robot.wire_log.stream("anim", "sent")[woken_before:]
             if r.data[:1] == bytes([clad.TAG_TRIGGER_WORD_DETECTED])]
    if not woken:
        return "not measured (vic-anim sent no wake word)"

    def cancels_after_the_wake_word():
        return [arrival(r) for r in robot.anim.received()[anim_before:]
                if r.data[:1] == bytes([clad.TAG_TEXT_TO_SPEECH_CANCEL]) and arrival(r) >= woken[0]]

    # The agent logs the outcome as it tells the bridge; the cancel follows.
    deadline = time.monotonic() + 5
    while not cancels_after_the_wake_word() and time.monotonic() < deadline:
        time.sleep(0.01)
    after = cancels_after_the_wake_word()
    return "%.2f ms" % ((after[0] - woken[0]) * 1000) if after else "not measured (no cancel came)"


def main(argv):
    questions, answer_kib = 10, 64
    for flag in ("--questions", "--answer-kib"):
        if flag in argv:
            at = argv.index(flag)
            value = int(argv[at + 1])
            del argv[at:at + 2]
            if flag == "--questions":
                questions = value
            else:
                answer_kib = value
    runner, binary = argv[:-1], argv[-1]
    case = Case(binary, runner)
    try:
        specs = [answer_scenarios.answer_spec(ANSWER, reasoning_ms=5, delta=9)] * questions
        specs.append(answer_scenarios.answer_spec(long_answer(answer_kib), reasoning_ms=1, delta=64))
        robot, _ = answer_scenarios.start_answering(case, *specs, anim_options=ANIM_OPTIONS)
        figures = Figures()
        for number in range(1, questions + 1):
            ask_one(case, robot, number, figures)

        print("answer path on the virtual Vector, %d questions, %s" % (questions, " ".join(runner) or "host"))
        show("question -> thinking animation", figures.to_thinking)
        show("intent -> request on the wire", figures.to_request)
        show("first sentence complete -> TTS", figures.sentence_to_tts)
        show("TTS Finished -> next Play", figures.finished_to_play)
        show("agent clock: intent -> request sent", figures.request_sent)
        show("agent clock: answer byte -> first TTS", figures.byte_to_tts)

        # A 64 KB answer: the text comes far faster than Vector says it.
        number = questions + 1
        case.wake()
        robot.cloud.send_unmatched_question("tell me everything about the moon")
        outcome = case.bridge.wait_for_line(r"agent info: question %d: (.*)$" % number, 600).group(1)
        status = status_json(case) or {}
        agent = case.bridge.agent_pids()[-1]
        print("a %d KiB answer (%s):" % (answer_kib, outcome))
        print("  peak RSS:  bridge %s KiB, agent %s KiB%s"
              % (peak_rss_kib(case.bridge.pid), peak_rss_kib(agent),
                 " (under qemu: the emulator's)" if runner else ""))
        barge_in = barge_in_ms(case, robot, number + 1)
        case.bridge.terminate()
        bridge_heap = case.bridge.counters().get("heap_kib")
        print("  heap:      agent at most %s KiB (in use now %s KiB), bridge %s KiB"
              % (status.get("heap_peak_bytes", 0) // 1024, status.get("heap_in_use_bytes", 0) // 1024,
                 bridge_heap))
        print("barge-in while speaking: wake word -> TextToSpeechCancel at vic-anim %s" % barge_in)
        print("(the agent's clock starts when the question reaches the agent, after the bridge's hop;")
        print(" the other figures are taken at the processes on either side of vic-r1)")
        print("peer (wire-pod): not measured: it needs the robot's SDK over the network")
    finally:
        case.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
