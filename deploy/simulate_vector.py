#!/usr/bin/env python3
"""Runs `vic-r1 run` on the virtual Vector and asks it one question.

usage: simulate_vector.py --question TEXT [--expect-speech TEXT] -- COMMAND...
       (COMMAND runs vic-r1, e.g. `qemu-arm -cpu cortex-a7 build/robot/bin/vic-r1`)

Exit status 0 when Vector spoke (the expected words, if given) to the end,
every other datagram crossed unchanged, and vic-r1's own counters, printed
when it stops, show nothing dropped.

The virtual Vector is a test double: it follows the firmware's socket rules
and message layouts, not its timing or its voice. What it prints is what
vic-anim was asked to say and play, read from the datagrams it received.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "virtual_vector"))

import clad_layouts  # noqa: E402
from virtual_vector import VirtualVector  # noqa: E402
from wire_exactness import injected_messages  # noqa: E402
from waiting import wait_until  # noqa: E402

START_DEADLINE_S = 30      # qemu starts slowly on a busy machine
ANSWER_DEADLINE_S = 60


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--question", required=True)
    parser.add_argument("--expect-speech", help="fail unless Vector says exactly this")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()

    socket_dir = tempfile.mkdtemp(prefix="vic-r1-sim-")
    bridge = None
    bridge_log = []
    try:
        with VirtualVector(socket_dir, engine_options={"connect_retry_s": 0.2},
                           cloud_options={"retry_interval_s": 0.2}) as robot:
            robot.start_anim()
            env = dict(os.environ)
            if os.path.basename(args.command[0]).startswith("qemu-"):
                # The bridge starts its agent from the same ARM binary.
                env["VIC_R1_AGENT_EXEC_PREFIX"] = " ".join(args.command[:-1])
            bridge = subprocess.Popen(
                args.command + ["run", "--socket-dir", socket_dir, "--firmware", "1.8"],
                stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
            reader = threading.Thread(target=lambda: bridge_log.extend(bridge.stderr), daemon=True)
            reader.start()
            if not wait_until(lambda: any("agent info: listening" in line for line in bridge_log),
                              START_DEADLINE_S):
                return fail("vic-r1 did not start its agent", bridge_log)
            robot.start_engine()
            # On the robot vic-cloud starts well after vic-engine has bound
            # ai_sock and vic-r1 has moved it aside; a datagram connect()
            # resolves the path once, so keep that order here.
            if not wait_until(lambda: os.path.exists(os.path.join(socket_dir, "ai_sock.vic-engine")),
                              START_DEADLINE_S):
                return fail("vic-r1 did not take ai_sock", bridge_log)
            robot.start_cloud()
            if not robot.wait_until_up(START_DEADLINE_S):
                return fail("the virtual vic-engine and vic-cloud did not come up", bridge_log)

            print(f'you: "Hey Vector, {args.question}"')
            started = time.monotonic()
            robot.ask(args.question)
            said = []

            def vector_spoke():
                for record in robot.anim.received():
                    datagram = record.data
                    if clad_layouts.is_text_to_speech_prepare(datagram):
                        said.append(clad_layouts.decode_text_to_speech_prepare(datagram))
                        return True
                return False

            if not wait_until(vector_spoke, ANSWER_DEADLINE_S):
                return fail("Vector said nothing", bridge_log)
            utterance = said[0]
            def states_of(tts_id):
                events = [clad_layouts.decode_text_to_speech_event(d)
                          for d in robot.anim.sent(clad_layouts.TAG_TEXT_TO_SPEECH_EVENT)]
                return [e.state for e in events if e.tts_id == tts_id]

            finished = wait_until(
                lambda: clad_layouts.TTS_STATE_FINISHED in states_of(utterance.tts_id),
                ANSWER_DEADLINE_S)
            print(f'Vector: "{utterance.text}"  (ttsID {utterance.tts_id}, '
                  f'{"spoken to the end" if finished else "not finished"}, '
                  f'{time.monotonic() - started:.2f} s after the question)')
            print("engine heard instead: " + ", ".join(i.intent for i in robot.engine.intents()))
            robot.anim.pause_periodic_traffic()
            robot.assert_exact(is_injected=injected_messages(tts_ids={utterance.tts_id}),
                               cloud_may_be_withheld=lambda d: True,
                               cloud_injected=lambda d: True)
            print("every other datagram between vic-engine and vic-anim crossed unchanged")
            if args.expect_speech is not None and utterance.text != args.expect_speech:
                print(f'simulate: expected Vector to say "{args.expect_speech}"', file=sys.stderr)
                return 1
            # vic-r1 logs its counters as it stops.
            os.killpg(bridge.pid, signal.SIGTERM)
            bridge.wait(timeout=START_DEADLINE_S)
            reader.join(timeout=5)
            counters = [line for line in bridge_log if " counters: " in line]
            if not counters:
                return fail("vic-r1 stopped without logging its counters", bridge_log)
            sys.stderr.write("".join(bridge_log))
            print("vic-r1" + counters[-1].strip().split("info:", 1)[1])
            # The robot's own traffic: engine->anim, anim->engine, cloud->engine.
            lost = sum(int(match.group(1)) for pattern in (
                r"engine->anim \d+ \(dropped (\d+)\)", r"anim->engine \d+ \(dropped (\d+)\)",
                r"intents forwarded .*?, dropped (\d+)") for match in
                [re.search(pattern, counters[-1])] if match)
            print(f"robot datagrams lost (engine<->anim, cloud->engine): {lost}")
            if lost:
                return fail("vic-r1 dropped datagrams", bridge_log)
            return 0 if finished else 1
    finally:
        if bridge is not None and bridge.poll() is None:
            os.killpg(bridge.pid, signal.SIGTERM)
            try:
                bridge.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(bridge.pid, signal.SIGKILL)
        shutil.rmtree(socket_dir, ignore_errors=True)


def fail(message, bridge_log) -> int:
    print("simulate: " + message, file=sys.stderr)
    sys.stderr.write("".join(bridge_log[-40:]))
    return 1


if __name__ == "__main__":
    sys.exit(main())
