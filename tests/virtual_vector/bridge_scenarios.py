#!/usr/bin/env python3
"""End-to-end scenarios of `vic-r1 run` between the virtual Vector's fakes.

Each scenario starts the real binary (through the emulator for the robot
build) between FakeVicAnim, FakeVicEngine and FakeVicCloud on a throw-away
socket directory, in the robot's order: vic-anim binds, vic-r1 starts and
takes anim's socket path, vic-engine connects, vic-cloud connects. It then
checks what crossed the bridge, datagram by datagram (wire_exactness.py), and
what the agent child made the robot say. Every wait has a deadline; vic-r1
runs in a process group of its own (its agent child with it), which is
killed whatever happens; on a failure its stderr is printed.

usage: bridge_scenarios.py SCENARIO VIC_R1_BINARY [RUNNER...]
       bridge_scenarios.py --list

RUNNER is the emulator for the robot build (e.g. qemu-arm -cpu cortex-a7);
the bridge then gets it as VIC_R1_AGENT_EXEC_PREFIX to start its ARM child.
"""

import errno
import os
import re
import signal
import socket
import stat
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import answer_scenarios                              # noqa: E402
import boot_scenarios                                # noqa: E402
import clad_layouts as clad                          # noqa: E402
import engine_intent_reactions as reactions          # noqa: E402
import fault_matrix                                  # noqa: E402
import r1_server_process                             # noqa: E402
import wire_exactness                                # noqa: E402
from fake_vic_cloud import unmatched_metadata        # noqa: E402
from scenario_harness import (                       # noqa: E402
    AI_ASIDE, AI_SOCK, ANIM_ASIDE, ANIM_SERVER, ANSWER_PREFIX, EVENT_S, IDLE_ENGINE,
    KNOWLEDGE_NO_RESPONSE, NOAUDIO, OUR_AI_SOCK, OUR_ANIM_CLIENT, OUR_ENGINE_SERVER,
    ENGINE_OPTIONS, QUIET_ENGINE, Case, SkipScenario, TestFailure, anim_received_count, check,
    delivered_from_anim_epoch, engine_intents_since, process_exists, process_state, wait_for)
from wire_log import LINK_AI, LINK_ANIM              # noqa: E402


def forwarding_is_exact_under_load(case):
    """100,000 datagrams both ways: the robot's own traffic at its rates plus
    back-to-back bursts from both sides, none lost, reordered or altered."""
    target = 100_000
    burst = 2_000
    robot = case.start(engine_options=dict(ENGINE_OPTIONS, idle_traffic=True,
                                           idle_period_s=0.02))
    load = BurstLoad(robot, burst, to_anim=target * 7 // 10, to_engine=target * 3 // 10)
    started = time.monotonic()
    load.start()
    intents_sent = 0
    try:
        deadline = started + 150
        while load.total() < target:
            check(not load.errors, "a burst failed: %s" % (load.errors[:1],))
            check(time.monotonic() < deadline,
                  "only %d of %d datagrams crossed in %.0f s" % (load.total(), target,
                                                                 time.monotonic() - started))
            # vic-cloud's intents meanwhile, none of them a question.
            robot.cloud.send_intent("intent_imperative_volumelevel_extend",
                                    {"volume_level": "VOLUME_%d" % (intents_sent % 5 + 1)},
                                    "text: volume %d  confidence: 0.000000  handler: "
                                    % intents_sent)
            intents_sent += 1
            time.sleep(0.25)    # an intent every quarter second, and a look at the count
    finally:
        load.stop()
    check(not load.errors, "a burst failed: %s" % (load.errors[:1],))
    crossing_s = time.monotonic() - started
    intents_sent += case.settle()
    reports = case.assert_exact()
    to_anim, to_engine, to_ai = reports
    total = to_anim.matched + to_engine.matched
    print("  %d datagrams forwarded in %.1f s (%d engine->anim, %d anim->engine; bursts: "
          "%d from the engine, %d from anim), %d intents"
          % (total, crossing_s, to_anim.matched, to_engine.matched, load.engine_bursts,
             load.anim_bursts, to_ai.matched))
    check(total >= target, "only %d datagrams were checked, fewer than %d" % (total, target))
    check(to_anim.in_flight == 0 and to_engine.in_flight == 0,
          "datagrams still in flight after the traffic stopped")
    check(to_ai.matched == intents_sent, "vic-engine got %d of %d intents"
          % (to_ai.matched, intents_sent))
    case.assert_link_healthy()
    check(robot.engine.is_linked(), "vic-engine's link is %s" % robot.engine.link_state)
    check(robot.anim.robot_available_sent == 1, "vic-anim sent RobotAvailable %d times"
          % robot.anim.robot_available_sent)
    status = case.bridge.terminate()
    check(status == 0, "vic-r1 exited with status %s after SIGTERM" % status)
    counters = case.bridge.counters()
    print("  vic-r1 counters: %s" % counters)
    check(counters.get("dropped_engine_to_anim", -1) == 0,
          "vic-r1 dropped engine->anim datagrams: %s" % counters)
    check(counters.get("dropped_anim_to_engine", -1) == 0,
          "vic-r1 dropped anim->engine datagrams: %s" % counters)


class BurstLoad:
    """Back-to-back bursts from vic-engine and from vic-anim, each in its own
    thread, on top of the robot's own traffic.

    A burst goes out as fast as the socket rules allow and no faster: a
    send that fails with EAGAIN faults the engine and disconnects anim on the
    robot, whatever sits in between, so a burst leaves most of the sender's
    socket to the robot's own traffic while the bridge is slow (under qemu on
    a loaded machine): the engine's is kept at most half full (its idle
    traffic fills the rest in some 6 s), anim's a quarter (its robot state and
    microphone traffic, some 150 KB/s, fills the rest in 2.5 s). And fewer
    datagrams are on their way than the receiver's socket and a bridge's queue
    hold (anim reads only once per 33 ms tick). Anim sends at most one chunk
    per tick, as the firmware sends from its tick. So every loss, every
    reordering, every changed byte is the bridge's, never the test's pace.
    """

    # Small datagrams on their way to anim: more than anim's socket holds
    # (683), so a bridge's own queue (256 here) takes the rest.
    ENGINE_WINDOW = 800
    ANIM_CHUNK = 60          # datagrams anim sends in one tick
    # RobotState-sized datagrams on their way to the engine (a socket holds
    # 410): room for anim's own traffic beside them.
    ANIM_WINDOW = 450
    ROBOT_STATE_TRUESIZE = 1280   # kernel memory a RobotState takes in a socket
    STALL_S = 30.0           # no progress for this long: something is stuck

    def __init__(self, robot, burst, to_anim, to_engine):
        self.robot = robot
        self.burst = burst
        # Each side bursts until its direction has carried this many.
        self.to_anim_target = to_anim
        self.to_engine_target = to_engine
        self.log = robot.wire_log
        self.errors = []
        self.engine_bursts = 0
        self.anim_bursts = 0
        self._stop = threading.Event()
        self._threads = []
        self._sequence = 0

    def to_anim(self):
        return self.log.next_index("anim", "received", LINK_ANIM)

    def to_engine(self):
        return self.log.next_index("engine", "received", LINK_ANIM)

    def total(self):
        return self.to_anim() + self.to_engine()

    def start(self):
        for target in (self._engine_bursts, self._anim_bursts):
            thread = threading.Thread(target=self._guard, args=(target,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(self.STALL_S + 5)

    def _guard(self, target):
        try:
            target()
        except Exception as error:  # reported by the scenario's thread
            self.errors.append("%s: %s" % (type(error).__name__, error))
            self._stop.set()

    def _wait(self, ready, what):
        deadline = time.monotonic() + self.STALL_S
        while not ready():
            if self._stop.is_set():
                return False
            if time.monotonic() > deadline:
                raise TestFailure("burst stalled for %.0f s: %s" % (self.STALL_S, what))
            time.sleep(0.0005)
        return True

    def _engine_datagram(self, n):
        kind = n % 4
        if kind == 0:
            return clad.encode_post_audio_event(n & 0xFFFFFFFF)
        if kind == 1:
            return clad.encode_set_backpack_lights(on_color=n & 0xFFFFFFFF)
        if kind == 2:
            return clad.encode_move_head(float(n))
        return clad.encode_drive_wheels(float(n), -float(n))

    def _engine_bursts(self):
        engine, log = self.robot.engine, self.log
        sent_base = log.next_index("engine", "sent", LINK_ANIM)
        received_base = log.next_index("anim", "received", LINK_ANIM)
        limit = engine.link_send_buffer_bytes() // 2

        def room():
            on_the_way = ((log.next_index("engine", "sent", LINK_ANIM) - sent_base)
                          - (log.next_index("anim", "received", LINK_ANIM) - received_base))
            return (on_the_way < self.ENGINE_WINDOW
                    and engine.link_output_queue_bytes() <= limit)

        while not self._stop.is_set() and self.to_anim() < self.to_anim_target:
            for _ in range(self.burst):
                if not self._wait(room, "vic-anim is not reading what the engine sends"):
                    return
                self._sequence += 1
                datagram = self._engine_datagram(0x10000000 + self._sequence)
                if not engine.send_message(datagram):
                    raise TestFailure("vic-engine could not send (link %s, faults %s)"
                                      % (engine.link_state, engine.faults))
            self.engine_bursts += 1

    def _anim_bursts(self):
        anim, log = self.robot.anim, self.log
        sent_base = log.next_index("anim", "sent", LINK_ANIM)
        received_base = log.next_index("engine", "received", LINK_ANIM)
        limit = anim.send_buffer_bytes() // 4 - self.ANIM_CHUNK * self.ROBOT_STATE_TRUESIZE

        def room():
            on_the_way = ((log.next_index("anim", "sent", LINK_ANIM) - sent_base)
                          - (log.next_index("engine", "received", LINK_ANIM) - received_base))
            return (anim.injections_waiting() == 0
                    and on_the_way + self.ANIM_CHUNK <= self.ANIM_WINDOW
                    and anim.output_queue_bytes() <= limit)

        stamp = 0x40000000
        while not self._stop.is_set() and self.to_engine() < self.to_engine_target:
            left = self.burst
            while left > 0:
                if not self._wait(room, "the engine is not reading what vic-anim sends"):
                    return
                chunk = min(left, self.ANIM_CHUNK)
                for _ in range(chunk):
                    stamp += 1
                    if stamp % 3:
                        anim.inject_to_client(clad.encode_robot_state(stamp, 0, 600))
                    else:
                        anim.inject_to_client(clad.encode_mic_direction(stamp, stamp % 12))
                left -= chunk
            self.anim_bursts += 1


def question_is_answered_through_tts(case):
    question = "why is the sky blue"
    robot = case.start(engine_options=IDLE_ENGINE)
    intents_before = len(robot.engine.intents())
    asked = case.ask(question)
    utterance = case.wait_for_answer(question)
    wait_for(lambda: len(robot.engine.intents()) > intents_before, EVENT_S,
             "vic-engine received no intent for the question")
    got = engine_intents_since(robot, intents_before)
    check(got == [clad.decode_cloud_mic(NOAUDIO)],
          "vic-engine should get intent_system_noaudio with empty parameters and metadata "
          "instead of the question; it got %s" % got)
    question_of_agent = case.bridge.wait_for_line(r"vic-r1 agent info: question: (.*)$",
                                                  what="the agent's question")
    check(question_of_agent.group(1) == question,
          "the agent got the question as %r" % question_of_agent.group(1))
    case.check_engine_reacted(reactions.QUIET_GET_OUT)
    case.check_answers_exact([utterance], [asked])


def start_knowledge_session(case):
    """"Hey Vector, I have a question": vic-engine enters its knowledge
    behaviour (as wire-pod and the DDL cloud both answer the phrase)."""
    robot = case.start(engine_options=IDLE_ENGINE)
    case.wake()
    check(robot.cloud.send_intent("intent_knowledge_promptquestion", None,
                                  unmatched_metadata("I have a question")),
          "vic-cloud could not send the prompt question")
    wait_for(lambda: robot.engine.behaviour == reactions.IN_KNOWLEDGE_SESSION, EVENT_S,
             "the engine never entered its knowledge session")
    return robot


def knowledge_session_answer_is_taken_and_closed_least_loudly(case):
    """"Hey Vector, I have a question" ... "what is a quasar": the answer
    arrives inside the engine's knowledge session, which no intent ends
    quietly; intent_knowledge_no_response ends it with the fail sequence and
    leaves nothing unclaimed, and the engine never speaks the cloud's answer."""
    question = "what is a quasar"
    robot = start_knowledge_session(case)
    intents_before = len(robot.engine.intents())
    check(robot.cloud.send_knowledge_answer("A very bright galactic nucleus.",
                                            query_text=question, answer_type="answer",
                                            domains=["astronomy"]),
          "vic-cloud could not send the knowledge answer")
    sent = robot.cloud.sent()[-1]
    utterance = case.wait_for_answer(question)
    wait_for(lambda: len(robot.engine.intents()) > intents_before, EVENT_S,
             "vic-engine received no intent for the knowledge answer")
    got = engine_intents_since(robot, intents_before)
    check(got == [clad.decode_cloud_mic(KNOWLEDGE_NO_RESPONSE)],
          "vic-engine should get intent_knowledge_no_response (and not speak the cloud's "
          "answer); it got %s" % got)
    case.check_engine_reacted(reactions.KNOWLEDGE_FAIL)
    case.check_answers_exact([utterance], [sent], closed_with=KNOWLEDGE_NO_RESPONSE,
                             knowledge_stream_made_normal=True)


def wire_pod_knowledge_question_comes_back_through_the_normal_path(case):
    """"Hey Vector, I have a question" ... "what is a quasar" with wire-pod,
    which answers a KnowledgeGraph stream from its own knowledge graph and
    never passes the question's words on. The bridge has vic-anim open the
    knowledge behaviour's stream as a Normal one, so the question comes back
    as intent_system_unmatched with its transcript; the agent answers it, and
    the behaviour is ended with intent_knowledge_no_response, which it
    consumes (intent_system_noaudio would stay pending and add "can't do
    that")."""
    question = "what is a quasar"
    robot = start_knowledge_session(case)
    # The wake word itself opens no stream in the virtual vic-anim; this one is
    # the knowledge behaviour's.
    wait_for(lambda: robot.anim.streams_opened, EVENT_S, "vic-anim opened no stream for the knowledge behaviour")
    opened = [kind for _, kind in robot.anim.streams_opened]
    check(opened == ["normal"], "vic-anim should open one Normal stream, not %r" % opened)
    intents_before = len(robot.engine.intents())
    check(robot.cloud.send_unmatched_question(question), "vic-cloud could not send the question")
    sent = robot.cloud.sent()[-1]
    utterance = case.wait_for_answer(question)
    wait_for(lambda: len(robot.engine.intents()) > intents_before, EVENT_S,
             "vic-engine received no intent for the question")
    got = engine_intents_since(robot, intents_before)
    check(got == [clad.decode_cloud_mic(KNOWLEDGE_NO_RESPONSE)],
          "vic-engine should get intent_knowledge_no_response; it got %s" % got)
    case.check_engine_reacted(reactions.KNOWLEDGE_FAIL)
    case.check_answers_exact([utterance], [sent], closed_with=KNOWLEDGE_NO_RESPONSE,
                             knowledge_stream_made_normal=True)


def intent_graph_knowledge_answer_is_taken_and_closed_quietly(case):
    """"Hey Vector, how far is the moon": with the intent graph on, vic-cloud
    sends intent_knowledge_response_extend_bypass with the question and the
    cloud's answer. The agent answers; the engine, still in
    ReactToVoiceCommand, gets intent_system_noaudio and ends quietly instead
    of speaking the cloud's answer."""
    question = "how far is the moon"
    robot = case.start(engine_options=QUIET_ENGINE)
    intents_before = len(robot.engine.intents())
    case.wake()
    check(robot.cloud.send_knowledge_answer("About 384,000 kilometres.", query_text=question,
                                            answer_type="answer", bypass=True),
          "vic-cloud could not send the knowledge answer")
    sent = robot.cloud.sent()[-1]
    utterance = case.wait_for_answer(question)
    wait_for(lambda: len(robot.engine.intents()) > intents_before, EVENT_S,
             "vic-engine received no intent for the knowledge answer")
    got = engine_intents_since(robot, intents_before)
    check(got == [clad.decode_cloud_mic(NOAUDIO)],
          "vic-engine should get intent_system_noaudio instead of the bypass answer; it got %s"
          % got)
    case.check_engine_reacted(reactions.QUIET_GET_OUT)
    case.check_answers_exact([utterance], [sent])


def other_intents_pass_unchanged(case):
    robot = case.start(engine_options=IDLE_ENGINE)
    cloud = robot.cloud
    intents = [
        ("intent_imperative_shutup", None, unmatched_metadata("shut up")),
        ("intent_system_unmatched", None, unmatched_metadata("")),
        ("intent_system_unmatched", None, unmatched_metadata("   ")),
        ("intent_greeting_hello", None, unmatched_metadata("hello")),
        ("intent_clock_settimer_extend", {"timer_duration": "300", "unit": "s"},
         unmatched_metadata("set a timer for five minutes", 0.93, "wirepod")),
        ("intent_knowledge_promptquestion", None, unmatched_metadata("I have a question")),
    ]
    def engine_got():
        return [r.data for r in robot.wire_log.stream("engine", "received", LINK_AI)
                if r.data not in (clad.CONNECTION_PACKET, b"\0")]

    received_before = len(engine_got())
    for intent, parameters, metadata in intents:
        check(cloud.send_intent(intent, parameters, metadata), "vic-cloud could not send %s"
              % intent)
    # A knowledge answer with no question in it belongs to the engine too.
    check(cloud.send_knowledge_answer("Forty-two.", query_text=""), "vic-cloud send failed")
    sent = cloud.sent()[-(len(intents) + 1):]
    wait_for(lambda: len(engine_got()) >= received_before + len(sent), EVENT_S,
             "vic-engine received %d of the %d intents"
             % (len(engine_got()) - received_before, len(sent)))
    got = engine_got()[received_before:]
    check(len(got) == len(sent), "vic-engine received %d intents, vic-cloud sent %d"
          % (len(got), len(sent)))
    for number, (expected, actual) in enumerate(zip(sent, got)):
        check(expected == actual, "intent #%d changed on its way to vic-engine:\n  sent     %s\n"
              "  received %s" % (number, expected.hex(" "), actual.hex(" ")))
    check(not case.bridge.matches(r"vic-r1 agent info: question:"),
          "the agent was given a question: %s"
          % [m.group(0) for m in case.bridge.matches(r"vic-r1 agent info: question:")])
    case.settle()
    # The prompt question put the engine in its knowledge behaviour, whose
    # stream request vic-anim gets as a Normal one (the agent is running).
    case.assert_exact(engine_to_anim_rewrite=clad.knowledge_stream_made_normal)
    check(not [r for r in robot.anim.received() if r.data[0] == clad.TAG_TEXT_TO_SPEECH_PREPARE
               and clad.decode_text_to_speech_prepare(r.data).text.startswith(ANSWER_PREFIX)],
          "the agent spoke")
    case.assert_link_healthy()


def engine_restart_reconnects(case):
    # An engine that speaks only when told to, so its ttsIDs are known.
    robot = case.start(engine_options=QUIET_ENGINE)
    first_question, second_question = "how old is the moon", "how far is the sun"
    asked_first = case.ask(first_question)
    first = case.wait_for_answer(first_question)
    # The old engine's counter gets somewhere, its utterances over.
    spoken = [robot.engine.say(text) for text in ("One.", "Two.")]
    check(None not in spoken, "vic-engine could not speak")
    wait_for(lambda: all(clad.TTS_STATE_FINISHED in robot.engine.tts_states(tts_id)
                         for tts_id in spoken), EVENT_S,
             "vic-engine's utterances %s never finished" % spoken)
    aside_before = os.lstat(case.path(AI_ASIDE)).st_ino
    since = anim_received_count(robot)

    check(robot.engine.restart(down_time_s=0.3, timeout_s=EVENT_S), "vic-engine did not restart")
    wait_for(lambda: robot.engine.epoch == 1 and robot.engine.robot_available, EVENT_S,
             "the restarted vic-engine never got RobotAvailable (link %s, connect failures %s)"
             % (robot.engine.link_state, robot.engine.connect_failures[-3:]))
    case.bridge.wait_for_line(r"vic-engine connected from ", count=2,
                              what="the restarted engine's connection")
    case.bridge.wait_for_line(r"interposed on .*/ai_sock ", count=2,
                              what="ai_sock taken again after the engine bound it again")
    check(case.same_file(AI_SOCK, OUR_AI_SOCK), "ai_sock is not vic-r1's after the restart")
    aside_after = os.lstat(case.path(AI_ASIDE)).st_ino
    check(aside_after != aside_before,
          "%s is still the old engine's socket (inode %d)" % (AI_ASIDE, aside_before))
    # What is aside is the new engine's socket: a datagram sent there reaches
    # it (from a bound socket: an unnamed sender would abort vic-engine).
    probe = clad.encode_cloud_intent_result("intent_test_probe_aside", "", "")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as prober:
        prober.bind(case.path("test-prober"))
        prober.sendto(probe, case.path(AI_ASIDE))
    wait_for(lambda: any(r.data == probe and r.epoch == 1
                         for r in robot.wire_log.stream("engine", "received", LINK_AI)),
             EVENT_S, "a datagram sent to %s did not reach the new engine" % AI_ASIDE)
    # The new engine's clips play through the bridge.
    wait_for(lambda: any(r.epoch == 1 and r.data[0] == clad.TAG_ANIMATION_STARTED
                         for r in robot.wire_log.stream("engine", "received", LINK_ANIM)),
             EVENT_S, "no clip of the restarted engine ever started")

    # The new engine counts its ttsIDs from 1 again. While the agent's second
    # answer is in flight, it speaks until its counter has passed every ttsID
    # the old process had reached: none of them may be the agent's.
    old_ids = {clad.decode_text_to_speech_prepare(r.data).tts_id
               for r in robot.wire_log.stream("engine", "sent", LINK_ANIM)
               if r.epoch == 0 and clad.is_text_to_speech_prepare(r.data)}
    said = []

    def new_engine_speaks(utterance):
        started = time.monotonic()
        while not said or said[-1] <= max(old_ids | {1}):
            tts_id = robot.engine.say("Fine.")
            check(tts_id is not None, "the restarted engine could not speak")
            check(tts_id != utterance.tts_id,
                  "the restarted engine took ttsID %d, the agent's (the old engine had got "
                  "to %s)" % (tts_id, sorted(old_ids)))
            said.append(tts_id)
        said_at[0] = started

    said_at = [0.0]
    intents_before = len(robot.engine.intents())
    asked_second = case.ask(second_question)
    second = case.wait_for_answer(second_question, since=since, once_prepared=new_engine_speaks)
    wait_for(lambda: len(robot.engine.intents()) > intents_before, EVENT_S,
             "the restarted engine received no intent for the second question")
    check(engine_intents_since(robot, intents_before) == [clad.decode_cloud_mic(NOAUDIO)],
          "the restarted engine got %s" % engine_intents_since(robot, intents_before))

    def first_state(tts_id):
        states = [e.state for t, e in list(robot.engine.tts_events)
                  if e.tts_id == tts_id and t >= said_at[0]]
        return states[0] if states else None

    wait_for(lambda: all(first_state(tts_id) is not None for tts_id in said), EVENT_S,
             "vic-anim never answered the restarted engine's utterances %s" % said)
    refused = [tts_id for tts_id in said if first_state(tts_id) != clad.TTS_STATE_PLAYABLE]
    check(not refused, "vic-anim refused the restarted engine's utterances %s: their ttsIDs "
          "were held by the agent's (ttsID %d)" % (refused, second.tts_id))
    first.assert_engine_never_saw_it()
    second.assert_engine_never_saw_it()
    case.settle()
    case.assert_exact(
        is_injected=wire_exactness.injected_messages(tts_ids={first.tts_id, second.tts_id}),
        cloud_may_be_withheld=lambda datagram: datagram in (asked_first, asked_second),
        cloud_injected=lambda datagram: datagram in (NOAUDIO, probe))
    check(not robot.engine.faults, "vic-engine faulted: %s" % robot.engine.faults)
    check(not robot.anim.disconnects, "vic-anim disconnected: %s" % robot.anim.disconnects)
    check(robot.anim.robot_available_sent == 1,
          "vic-anim sent RobotAvailable %d times; the bridge should hold it and give it to the "
          "new engine" % robot.anim.robot_available_sent)


def anim_restart_reconnects(case):
    # vic-anim restarts in the middle of the agent's answer (about 4 s of speech).
    robot = case.start(anim_options={"tts_ms_per_character": 150.0}, engine_options=QUIET_ENGINE)
    log = robot.wire_log
    first_question, second_question = "what is a comet", "what is a meteor"
    asked_first = case.ask(first_question)
    first = case.wait_for_answer(first_question, finish=False)
    aside_before = os.lstat(case.path(ANIM_ASIDE)).st_ino
    engine_received_before = log.next_index("engine", "received", LINK_ANIM)

    robot.anim.restart(down_time_s=0.3)
    case.bridge.wait_for_line(r"greeted vic-anim at ", count=2,
                              what="a greeting of the restarted vic-anim")
    wait_for(lambda: robot.anim.client == case.path(OUR_ANIM_CLIENT), EVENT_S,
             "the restarted vic-anim did not take vic-r1 as its client (client %s)"
             % robot.anim.client)
    check(case.same_file(ANIM_SERVER, OUR_ENGINE_SERVER),
          "%s is not vic-r1's socket after vic-anim bound it again" % ANIM_SERVER)
    check(os.lstat(case.path(ANIM_ASIDE)).st_ino != aside_before,
          "%s is still the old vic-anim's socket" % ANIM_ASIDE)
    # While vic-anim was down, vic-r1 tried to reach it at its retry pace (a
    # second), not on every turn of its loop.
    ended = log.stream("anim", "restarted", LINK_ANIM)[-1].time
    back = next(r.time for r in log.stream("anim", "received", LINK_ANIM) if r.epoch == 1)
    tries = len(case.bridge.matches(r"cannot reach vic-anim"))
    check(tries <= int(back - ended) + 2,
          "vic-r1 tried to reach the restarting vic-anim %d times in %.1f s" % (tries,
                                                                              back - ended))
    since = anim_received_count(robot)
    # Both ways again: the new anim's robot state reaches the engine, the
    # engine's clips play on the new anim and their AnimationStarted come back.
    for tag, what in ((clad.TAG_ROBOT_STATE, "RobotState"),
                      (clad.TAG_ANIMATION_STARTED, "AnimationStarted")):
        wait_for(lambda: delivered_from_anim_epoch(robot, 1, tag, engine_received_before),
                 EVENT_S, "no %s of the restarted vic-anim reached the engine" % what)

    intents_before = len(robot.engine.intents())
    asked_second = case.ask(second_question)
    second = case.wait_for_answer(second_question, since=since)
    wait_for(lambda: len(robot.engine.intents()) > intents_before, EVENT_S,
             "vic-engine received no intent for the second question")
    # The agent learnt that its first utterance died with the old vic-anim:
    # the new one is asked about nothing it was not given.
    speech = [r for r in log.stream("anim", "received", LINK_ANIM) if r.epoch == 1
              and r.data[0] in (clad.TAG_TEXT_TO_SPEECH_PREPARE, clad.TAG_TEXT_TO_SPEECH_PLAY,
                                clad.TAG_TEXT_TO_SPEECH_CANCEL)]
    check(speech and speech[0].index == second.prepare.index,
          "the restarted vic-anim was sent %s before the second answer's Prepare"
          % [clad.message_name(r.data) + " ttsID %d" % r.data[14 if r.data[0] ==
                                                              clad.TAG_TEXT_TO_SPEECH_PREPARE
                                                              else 1]
             for r in speech if r.index < second.prepare.index])
    first.assert_engine_never_saw_it()
    second.assert_engine_never_saw_it()
    case.settle()
    case.assert_exact(
        is_injected=wire_exactness.injected_messages(tts_ids={first.tts_id, second.tts_id}),
        cloud_may_be_withheld=lambda datagram: datagram in (asked_first, asked_second),
        cloud_injected=lambda datagram: datagram == NOAUDIO)
    check(robot.engine.epoch == 0 and robot.engine.is_linked(),
          "vic-engine did not stay up: epoch %d, link %s" % (robot.engine.epoch,
                                                             robot.engine.link_state))
    check(not robot.engine.faults, "vic-engine faulted: %s" % robot.engine.faults)
    check(robot.anim.robot_available_sent == 2, "vic-anim sent RobotAvailable %d times"
          % robot.anim.robot_available_sent)


def third_process_is_refused(case):
    robot = case.start(engine_options=IDLE_ENGINE)
    server = case.path(ANIM_SERVER)
    message = clad.encode_abort_animation(0)
    outcomes = {}
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as bound, \
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as unbound:
        bound.bind(case.path("intruder"))
        for name, attempt in (
                ("sendto from a bound socket", lambda: bound.sendto(message, server)),
                ("sendto from an unbound socket", lambda: unbound.sendto(message, server)),
                ("connect", lambda: bound.connect(server)),
                ("ANKICONN", lambda: unbound.sendto(clad.CONNECTION_PACKET, server)),
                ("sendto vic-anim's own socket, moved aside",
                 lambda: bound.sendto(message, case.path(ANIM_ASIDE)))):
            try:
                attempt()
                outcomes[name] = "accepted"
            except OSError as error:
                outcomes[name] = errno_name(error)
    refused = {name: outcome for name, outcome in outcomes.items() if outcome != "EPERM"}
    check(not refused, "a third process was not refused with EPERM: %s" % refused)
    # The engine's own traffic still flows (one of its clips starts; any one:
    # the next may replace a clip within anim's tick), and nothing came from
    # the intruder.
    received_before = robot.wire_log.next_index("engine", "received", LINK_ANIM)
    wait_for(lambda: any(r.data[0] == clad.TAG_ANIMATION_STARTED for r in robot.wire_log.stream(
                 "engine", "received", LINK_ANIM)[received_before:]),
             EVENT_S, "no clip of the engine started after the intruder's attempts")
    case.settle()
    senders = {r.peer for r in robot.anim.received()}
    check(senders == {case.path(OUR_ANIM_CLIENT)},
          "vic-anim received datagrams from %s" % sorted(map(str, senders)))
    case.assert_exact()
    case.assert_link_healthy()


def errno_name(error):
    return errno.errorcode.get(error.errno, str(error.errno))


def cancelled_speech_keeps_its_id_until_the_late_finished(case):
    """The wake word stops the agent mid-sentence: vic-anim answers the
    cancel with Invalid and, a little later, Finished for the same ttsID,
    which would end whatever utterance holds that id by then. The agent's
    next answer, asked in between, must get another id and be heard."""
    robot = case.start(anim_options={"tts_ms_per_character": 150.0,
                                     "tts_cancel_finished_after_ms": 400.0},
                       engine_options=QUIET_ENGINE)
    first_question, second_question = "why do cats purr", "why do dogs bark"
    asked_first = case.ask(first_question)
    first = case.wait_for_answer(first_question, finish=False)
    case.wake()                               # the agent stops talking
    wait_for(lambda: "Invalid" in first.states(), EVENT_S,
             "vic-anim never answered the agent's cancel (events %s)" % first.states())
    check("Finished" not in first.states(), "the utterance finished before the cancel")
    since = anim_received_count(robot)
    check(robot.cloud.send_unmatched_question(second_question), "vic-cloud could not send")
    asked_second = robot.cloud.sent()[-1]
    second = case.wait_for_answer(second_question, since=since)
    check(second.tts_id != first.tts_id,
          "the second answer reused ttsID %d before its late Finished" % first.tts_id)
    check(not robot.anim.late_finished_casualties,
          "a late Finished ended the agent's next utterance: %s" % robot.anim.late_finished_casualties)
    case.check_answers_exact([first, second], [asked_first, asked_second])


def back_touch_is_felt_when_vector_feels_it(case):
    """The agent stops talking on a touch exactly when vic-engine feels one:
    not on a spike, on a touch too light for the engine, or on the level
    shift of being put on the charger, and once per real touch."""
    robot = case.start(engine_options=QUIET_ENGINE)
    rest = robot.anim.touch_baseline_raw
    # Both sides calibrate on a steady signal first (32 RobotStates).
    wait_for(lambda: robot.engine.touch_sensor.calibrated, EVENT_S,
             "the engine's touch sensor never calibrated")
    time.sleep(0.5)
    patterns = [
        ("a 90 ms spike of +200", [rest + 200] * 3, False, 0),
        ("a light touch of +55 for 3 s", [rest + 55] * 100, False, 0),
        ("a touch of +80 for 1.2 s", [rest + 80] * 40, False, 1),
        ("a second touch of +150 for 0.6 s", [rest + 150] * 20, False, 1),
        ("the charger's level shift of +80", [rest + 80] * 300, True, 0),
    ]
    for name, samples, on_charger, touches in patterns:
        felt_before = robot.engine.touches_felt()
        told_before = len(case.bridge.matches(r"vic-r1 agent info: back touched"))
        robot.anim.set_status_bits(clad.STATUS_IS_ON_CHARGER if on_charger else 0)
        robot.anim.play_touch_samples(samples + [rest] * 60 if not on_charger else samples)
        wait_for(lambda: robot.anim.touch_samples_left() == 0, EVENT_S,
                 "vic-anim never sent the touch samples of %s" % name)
        time.sleep(0.3)
        felt = robot.engine.touches_felt() - felt_before
        told = len(case.bridge.matches(r"vic-r1 agent info: back touched")) - told_before
        check(felt == touches, "vic-engine felt %d touches in %s, the model expects %d"
              % (felt, name, touches))
        check(told == felt, "vic-engine felt %d touches in %s, the agent was told of %d"
              % (felt, name, told))
    case.settle()
    case.assert_exact()
    case.assert_link_healthy()


def agent_killed_mid_utterance(case):
    # 150 ms per character: "I heard: why do cats purr" speaks for about 4 s.
    robot = case.start(anim_options={"tts_ms_per_character": 150.0}, engine_options=QUIET_ENGINE)
    first_question, second_question = "why do cats purr", "why do dogs bark"
    asked_first = case.ask(first_question)
    first = case.wait_for_answer(first_question, finish=False)
    pid = case.agent_pid
    check(process_exists(pid), "the agent (pid %d) is gone before it was killed" % pid)
    cancels_before = anim_received_count(robot)
    os.kill(pid, signal.SIGKILL)
    cancel = clad.encode_text_to_speech_cancel(first.tts_id)
    wait_for(lambda: any(r.data == cancel for r in
                         robot.wire_log.stream("anim", "received", LINK_ANIM)[cancels_before:]),
             EVENT_S, "vic-anim never received TextToSpeechCancel for the killed agent's "
                      "ttsID %d" % first.tts_id)
    check("Finished" not in first.states(),
          "the utterance finished before the cancel: it was not long enough to test this")
    wait_for(lambda: first.tts_id not in robot.anim.held_tts_ids(), EVENT_S,
             "vic-anim still holds the killed agent's ttsID %d" % first.tts_id)
    case.bridge.wait_for_line(r"agent \(pid %d\) " % pid, what="the agent's death")
    new_pid = case.bridge.wait_for_agent(count=2)
    check(new_pid != pid, "the new agent has the old agent's pid %d" % pid)
    since = anim_received_count(robot)
    asked_second = case.ask(second_question)
    second = case.wait_for_answer(second_question, since=since)
    case.check_answers_exact([first, second], [asked_first, asked_second])


def agent_hang_is_detected(case):
    robot = case.start(bridge_arguments=("--firmware", "1.8", "--agent-heartbeat-timeout-ms",
                                         "1500"),
                       engine_options=IDLE_ENGINE)
    pid = case.bridge.agent_pids()[-1]
    starts = len(case.bridge.agent_pids())
    os.kill(pid, signal.SIGSTOP)
    try:
        case.bridge.wait_for_line(r"agent \(pid %d\) lost: no heartbeat \(hung\)" % pid,
                                  what="the stopped agent taken as hung")
        new_pid = case.bridge.wait_for_agent(count=starts + 1)
        check(new_pid != pid, "the new agent has the hung agent's pid")
        wait_for(lambda: not process_exists(pid) or process_state(pid) == "Z", EVENT_S,
                 "the hung agent (pid %d) was not killed" % pid)
    finally:
        if process_exists(pid):
            os.kill(pid, signal.SIGCONT)
    question = "why is grass green"
    since = anim_received_count(robot)
    asked = case.ask(question)
    utterance = case.wait_for_answer(question, since=since)
    case.check_answers_exact([utterance], [asked])


def no_agent_forwards_questions_unchanged(case):
    robot = case.start(bridge_arguments=("--firmware", "1.8", "--no-agent"),
                       engine_options=IDLE_ENGINE, expect_agent=False)
    intents_before = len(robot.engine.intents())
    asked = case.ask("why is the sea salty")
    wait_for(lambda: len(robot.engine.intents()) > intents_before, EVENT_S,
             "vic-engine received no intent")
    check(robot.wire_log.stream("engine", "received", LINK_AI)[-1].data == asked,
          "the question did not reach vic-engine unchanged")
    case.settle()
    case.assert_exact()
    check(not case.bridge.matches(r"vic-r1 agent |agent started"),
          "an agent ran with --no-agent: %s"
          % [m.string for m in case.bridge.matches(r"vic-r1 agent |agent started")])
    case.assert_link_healthy()


def unknown_firmware_injects_nothing(case):
    question = "what is the speed of light"
    # An engine that does not speak either: vic-anim must get no speech at all.
    robot = case.start(bridge_arguments=("--firmware", "unknown"), engine_options=QUIET_ENGINE)
    case.bridge.wait_for_line(r"--firmware unknown: forwarding only",
                              what="the unknown-layout warning")
    intents_before = len(robot.engine.intents())
    asked = case.ask(question)
    # Nobody here can answer, so the question is not taken: vic-engine gets
    # the intent exactly as vic-cloud sent it and answers as it always has.
    wait_for(lambda: len(robot.engine.intents()) > intents_before, EVENT_S,
             "vic-engine received no intent")
    case.settle()
    case.assert_exact()
    check(not case.bridge.matches(r"vic-r1 agent info: question:"),
          "the question reached the agent although nothing can be injected")
    speech = [clad.message_name(r.data) for r in robot.anim.received()
              if r.data[0] in (clad.TAG_TEXT_TO_SPEECH_PREPARE, clad.TAG_TEXT_TO_SPEECH_PLAY,
                               clad.TAG_TEXT_TO_SPEECH_CANCEL)]
    check(not speech, "vic-anim received speech: %s" % speech)
    case.assert_link_healthy()
    status = case.bridge.terminate()
    check(status == 0, "vic-r1 exited with status %s after SIGTERM" % status)
    counters = case.bridge.counters()
    check(counters.get("injected") == 0 and counters.get("questions") == 0,
          "vic-r1 should take no question and inject nothing: counters %s" % counters)


def layout_probe(case):
    """The TextToSpeechPrepares vic-r1 sent to ask vic-anim's layout, as
    vic-anim received them (answered or dropped)."""
    return [r for r in case.robot.anim.received() if clad.is_text_to_speech_prepare(r.data)
            and clad.decode_text_to_speech_prepare(r.data).text == "Hm."]


def check_probe_never_played(case, probes):
    """No Play reached vic-anim for a probe's ttsID before that id was
    prepared again, and vic-anim never said a probe was Playing."""
    received = case.robot.anim.received()
    for probe in probes:
        tts_id = clad.decode_text_to_speech_prepare(probe.data).tts_id
        for record in received:
            if record.index <= probe.index:
                continue
            if clad.is_text_to_speech_prepare(record.data) \
                    and clad.decode_text_to_speech_prepare(record.data).tts_id == tts_id:
                break
            check(record.data != clad.encode_text_to_speech_play(tts_id),
                  "the layout probe (ttsID %d) was played" % tts_id)
    probe_indexes = {probe.index for probe in probes}
    playing = [r for r in case.robot.wire_log.stream("anim", "sent", LINK_ANIM)
               if r.data[0] == clad.TAG_TEXT_TO_SPEECH_EVENT and r.regarding in probe_indexes
               and clad.decode_text_to_speech_event(r.data).state == clad.TTS_STATE_PLAYING]
    check(not playing, "the layout probe was heard")
    return {clad.decode_text_to_speech_prepare(probe.data).tts_id for probe in probes}


def answer_on_firmware(case, firmware, version, question, expect_probes):
    """Starts vic-r1 with --firmware auto on a robot of `firmware` whose
    version file says `version`, asks `question` and checks the answer is
    spoken in the firmware's own TextToSpeechPrepare layout."""
    version_file = os.path.join(case.dir, "version")
    with open(version_file, "w") as file:
        file.write(version + "\n")
    robot = case.start(bridge_arguments=("--firmware", "auto", "--firmware-version-file",
                                         version_file),
                       engine_options=QUIET_ENGINE, firmware=firmware)
    case.bridge.wait_for_line(r"firmware layout %s confirmed: " % re.escape(firmware), EVENT_S,
                              what="the confirmation of the %s layout" % firmware)
    asked = case.ask(question)
    utterance = case.wait_for_answer(question)
    check(len(utterance.prepare.data) == robot.anim.firmware.tts_prepare_size,
          "the agent spoke in a %d-byte TextToSpeechPrepare to a %s vic-anim"
          % (len(utterance.prepare.data), firmware))
    probes = layout_probe(case)
    check(len(probes) == expect_probes, "%d layout probes, expected %d"
          % (len(probes), expect_probes))
    probe_ids = check_probe_never_played(case, probes)
    case.check_answers_exact([utterance], [asked], other_tts_ids=probe_ids, healthy=False)
    return robot


def firmware_16_is_confirmed_by_a_silent_probe(case):
    """A 1.6 rebuild (7-byte AnimationState, no pitchScalar): the version file
    cannot pin TextToSpeechPrepare's layout; one Manual Prepare that is
    never played asks vic-anim, and the answer is spoken in its layout."""
    robot = answer_on_firmware(case, "1.6", "1.6.0.3130", "what is a comet", expect_probes=1)
    case.assert_link_healthy()
    check(robot.anim.firmware.tts_prepare_size == 1035, "not a 1.6 vic-anim")


def firmware_16_with_pitch_is_found_by_the_second_probe(case):
    """The 1.6 revision with pitchScalar that the firmware review speaks of:
    vic-anim drops the 1035-byte probe without a word and answers the
    1039-byte one; the version string alone would have made every answer
    be dropped."""
    robot = answer_on_firmware(case, "1.6-pitch", "1.6.0.3130", "what is a nebula",
                               expect_probes=2)
    drops = dict(robot.anim.drop_counts)
    check(drops == {"wrong_size": 1}, "vic-anim should have dropped the first probe alone: %s"
          % drops)
    robot.anim.drop_counts.clear()
    case.assert_link_healthy()


def a_version_file_that_lies_is_overridden_by_the_wire(case):
    """The version file says 1.6, but vic-anim sends the 3-byte AnimationState
    of 1.8: the 1.8 layout is spoken."""
    answer_on_firmware(case, "1.8", "1.6.0.3130", "what is a pulsar", expect_probes=0)
    case.assert_link_healthy()


def sigterm_restores_socket_paths(case):
    robot = case.start(anim_options={"tts_ms_per_character": 150.0}, engine_options=QUIET_ENGINE)
    anim_inode = case.anim_inode_before_bridge
    engine_ai_inode = case.engine_ai_inode
    question = "why do birds sing"
    case.ask(question)
    utterance = case.wait_for_answer(question, finish=False)
    agent_pid = case.agent_pid
    since = anim_received_count(robot)
    status = case.bridge.terminate()
    check(status == 0, "vic-r1 exited with status %s after SIGTERM, not 0" % status)
    # It stopped the agent's speech on its way out.
    cancel = clad.encode_text_to_speech_cancel(utterance.tts_id)
    wait_for(lambda: any(r.data == cancel for r in robot.anim.received()[since:]), EVENT_S,
             "vic-r1 stopped without cancelling the agent's utterance")
    check(not process_exists(agent_pid) or process_state(agent_pid) == "Z",
          "the agent (pid %d) outlived vic-r1" % agent_pid)
    for name, inode in ((ANIM_SERVER, anim_inode), (AI_SOCK, engine_ai_inode)):
        try:
            info = os.lstat(case.path(name))
        except FileNotFoundError:
            raise TestFailure("%s is missing after vic-r1 stopped" % name)
        check(stat.S_ISSOCK(info.st_mode), "%s is not a socket after vic-r1 stopped" % name)
        check(info.st_ino == inode, "%s is inode %d after vic-r1 stopped, not the original %d"
              % (name, info.st_ino, inode))
    leftovers = sorted(name for name in os.listdir(case.socket_dir)
                       if name.startswith("vic-r1.") or name.endswith((".vic-anim",
                                                                       ".vic-engine")))
    check(not leftovers, "vic-r1 left %s behind" % leftovers)
    # The robot's processes work without it once they reconnect: the engine's
    # link and vic-cloud's ai_sock pointed at vic-r1's sockets.
    check(robot.engine.restart(timeout_s=EVENT_S), "vic-engine did not restart")
    wait_for(lambda: robot.engine.epoch == 1 and robot.engine.robot_available, EVENT_S,
             "vic-engine, restarted after vic-r1 stopped, never got RobotAvailable from "
             "vic-anim directly (connect failures %s)" % robot.engine.connect_failures[-3:])
    robot.cloud.reconnect()
    check(robot.cloud.wait_connected(EVENT_S), "vic-cloud could not reconnect to ai_sock")
    intents_before = len(robot.engine.intents())
    asked = case.ask("is anyone there")
    wait_for(lambda: len(robot.engine.intents()) > intents_before, EVENT_S,
             "vic-engine received no intent from vic-cloud directly")
    check(robot.wire_log.stream("engine", "received", LINK_AI)[-1].data == asked,
          "the engine did not get the question unchanged")


SCENARIOS = {function.__name__: function for function in [
    forwarding_is_exact_under_load,
    question_is_answered_through_tts,
    knowledge_session_answer_is_taken_and_closed_least_loudly,
    wire_pod_knowledge_question_comes_back_through_the_normal_path,
    intent_graph_knowledge_answer_is_taken_and_closed_quietly,
    other_intents_pass_unchanged,
    engine_restart_reconnects,
    anim_restart_reconnects,
    third_process_is_refused,
    cancelled_speech_keeps_its_id_until_the_late_finished,
    back_touch_is_felt_when_vector_feels_it,
    agent_killed_mid_utterance,
    agent_hang_is_detected,
    no_agent_forwards_questions_unchanged,
    unknown_firmware_injects_nothing,
    firmware_16_is_confirmed_by_a_silent_probe,
    firmware_16_with_pitch_is_found_by_the_second_probe,
    a_version_file_that_lies_is_overridden_by_the_wire,
    sigterm_restores_socket_paths,
] + boot_scenarios.SCENARIOS + answer_scenarios.SCENARIOS + fault_matrix.SCENARIOS}

# Exit status of a scenario the machine cannot run (CTest SKIP_RETURN_CODE).
SKIPPED = 77


def outputs_showing_the_key(case):
    """Every place a scenario's outputs hold the API key: vic-r1's log (the
    bridge's and the agent's), and any datagram on the robot's sockets."""
    key = r1_server_process.API_KEY
    found = []
    for number, bridge in enumerate(case.bridges, 1):
        with open(bridge.log_path, "rb") as log:
            if key.encode() in log.read():
                found.append("vic-r1 #%d's log" % number)
    for robot in case.retired_robots + ([case.robot] if case.robot else []):
        for record in robot.wire_log.all_records():
            if key.encode() in record.data:
                found.append("a datagram %s %s" % (record.endpoint, record.direction))
                break
    return found


def main(argv):
    if argv[:1] == ["--list"]:
        print("\n".join(SCENARIOS))
        return 0
    if len(argv) < 2 or argv[0] not in SCENARIOS:
        sys.stderr.write(__doc__.split("\n\n", 1)[1])
        return 2
    name, binary, runner = argv[0], argv[1], argv[2:]
    # Stopped from outside: end through the cleanup below, which kills vic-r1.
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(number, lambda received, _frame: sys.exit(128 + received))
    case = Case(binary, runner)
    started = time.monotonic()
    try:
        SCENARIOS[name](case)
        showing = outputs_showing_the_key(case)
        check(not showing, "the API key appeared in %s" % ", ".join(showing))
    except SkipScenario as reason:
        print("SKIP %s: %s" % (name, reason))
        return SKIPPED
    except (TestFailure, AssertionError) as failure:
        print("FAIL %s after %.1f s: %s" % (name, time.monotonic() - started, failure))
        case.stop_bridges()     # SIGTERM: vic-r1 logs its counters on the way out
        print(case.report())
        return 1
    except BaseException:
        print("ERROR %s after %.1f s" % (name, time.monotonic() - started))
        case.stop_bridges()
        print(case.report())
        raise
    finally:
        case.close()
    print("PASS %s (%.1f s)" % (name, time.monotonic() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
