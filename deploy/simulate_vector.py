#!/usr/bin/env python3
"""Runs `vic-r1 run` on the virtual Vector and asks it one question.

usage: simulate_vector.py --question TEXT [--config FILE] [--expect-speech TEXT] -- COMMAND...
       (COMMAND runs vic-r1, e.g. `qemu-arm -cpu cortex-a7 build/robot/bin/vic-r1`)

With --config (a vic-r1 config naming a provider and its API key file), the
agent asks that real endpoint. Without one, it asks a local TLS server
(tests/e2e/fake_r1_server.py, OpenSSL on 127.0.0.1) that plays a recorded
R1-style answer, reasoning first (deploy/simulated_r1_answer.json), and this
says so.

It prints what Vector does as it happens: the thinking animation, each
sentence as it is spoken, the animations the answer's markup asks for. Exit
status 0 when Vector spoke to the end (the expected words, if given), every
other datagram crossed unchanged, and vic-r1's counters show nothing dropped.

The virtual Vector is a test double: it follows the firmware's socket rules
and message layouts, not its timing or its voice. What it prints is what
vic-anim was asked to say and play, read from the datagrams it received.
"""

import argparse
import json
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
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))

import clad_layouts  # noqa: E402
import r1_server_process  # noqa: E402
from virtual_vector import VirtualVector  # noqa: E402
from waiting import wait_until  # noqa: E402

START_DEADLINE_S = 30      # qemu starts slowly on a busy machine
ANSWER_DEADLINE_S = 180    # R1 may think for a minute or more
RECORDED_ANSWER = os.path.join(HERE, "simulated_r1_answer.json")


class LocalR1:
    """The recorded answer, served over TLS on loopback with a throw-away PKI."""

    def __init__(self, directory):
        self.dir = directory
        self.pki = os.path.join(directory, "pki")
        self.servers = []
        r1_server_process.make_pki(self.pki)
        self.key_file = os.path.join(directory, "api-key")
        r1_server_process.write_key_file(self.key_file)
        with open(RECORDED_ANSWER) as source:
            recorded = json.load(source)
        self.server = r1_server_process.Server(self, [], lifetime_s=ANSWER_DEADLINE_S + 120,
                                               scenario=self._scenario_file(recorded))
        self.server.__enter__()

    def next_server_number(self):
        return len(self.servers) + 1

    def _scenario_file(self, recorded):
        path = os.path.join(self.dir, "scenario.json")
        with open(path, "w") as out:
            json.dump({"responses": [dict(recorded, kind="answer")]}, out)
        return path

    def config(self, socket_dir):
        path = os.path.join(self.dir, "config.json")
        with open(path, "w") as out:
            json.dump({"provider": "deepseek", "base_url": "https://localhost:%d" % self.server.port,
                       "api_key_file": self.key_file, "ca_file": os.path.join(self.pki, "ca.pem"),
                       "state_dir": self.dir, "socket_dir": socket_dir}, out, indent=1)
        return path

    def stop(self):
        self.server.stop()


class Narrator:
    """Follows what vic-anim received and sent, and tells it as it happens."""

    def __init__(self, robot, started):
        self.robot = robot
        self.started = started
        self.seen_received = 0
        self.seen_sent = 0
        self.texts = {}          # ttsID -> text
        self.clips = {}          # animation tag -> clip name
        self.spoken = []         # sentences, in the order they played
        self.finished = set()    # ttsIDs finished
        self.playing = set()     # ttsIDs told to play

    def stamp(self):
        return "%6.2f s" % (time.monotonic() - self.started)

    def poll(self):
        received = self.robot.anim.received()
        for record in received[self.seen_received:]:
            data = record.data
            if not data:
                continue
            if data[0] == clad_layouts.TAG_PLAY_ANIM:
                anim = clad_layouts.decode_play_anim(data)
                self.clips[anim.tag] = anim.anim_name
                loops = "looping" if anim.num_loops == 0 else "once"
                print("%s  Vector plays %s (%s)" % (self.stamp(), anim.anim_name, loops), flush=True)
            elif data[0] == clad_layouts.TAG_ABORT_ANIMATION and len(data) == 2 and data[1] in self.clips:
                print("%s  Vector stops %s" % (self.stamp(), self.clips[data[1]]), flush=True)
            elif clad_layouts.is_text_to_speech_prepare(data):
                prepare = clad_layouts.decode_text_to_speech_prepare(data)
                self.texts[prepare.tts_id] = prepare.text
            elif data[0] == clad_layouts.TAG_TEXT_TO_SPEECH_PLAY and len(data) == 2:
                text = self.texts.get(data[1], "?")
                self.playing.add(data[1])
                self.spoken.append(text)
                print('%s  Vector says: "%s"' % (self.stamp(), text), flush=True)
        self.seen_received = len(received)
        sent = self.robot.anim.sent(clad_layouts.TAG_TEXT_TO_SPEECH_EVENT)
        for datagram in sent[self.seen_sent:]:
            event = clad_layouts.decode_text_to_speech_event(datagram)
            if event.state == clad_layouts.TTS_STATE_FINISHED:
                self.finished.add(event.tts_id)
        self.seen_sent = len(sent)

    def all_spoken(self):
        return bool(self.playing) and self.playing <= self.finished


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--question", required=True)
    parser.add_argument("--config", help="a vic-r1 config with a real provider and API key file")
    parser.add_argument("--expect-speech", help="fail unless Vector says exactly this (sentences joined by spaces)")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()

    work_dir = tempfile.mkdtemp(prefix="vic-r1-sim-")
    socket_dir = os.path.join(work_dir, "socket")
    os.mkdir(socket_dir)
    bridge = None
    bridge_log = []
    local_r1 = None
    try:
        if args.config:
            config_path = args.config
            print("asking the endpoint in %s" % config_path)
        else:
            local_r1 = LocalR1(work_dir)
            config_path = local_r1.config(socket_dir)
            print("no API key configured (--config): Vector answers with a recorded R1-style "
                  "stream from a local TLS test server, whatever the question")
        with VirtualVector(socket_dir, engine_options={"connect_retry_s": 0.2},
                           cloud_options={"retry_interval_s": 0.2}) as robot:
            robot.start_anim()
            env = dict(os.environ)
            if os.path.basename(args.command[0]).startswith("qemu-"):
                # The bridge starts its agent from the same ARM binary.
                env["VIC_R1_AGENT_EXEC_PREFIX"] = " ".join(args.command[:-1])
            bridge = subprocess.Popen(
                args.command + ["run", "--socket-dir", socket_dir, "--config", config_path,
                                "--firmware", "1.8"],
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
            if not wait_until(lambda: any("the robot link is ready" in line for line in bridge_log),
                              START_DEADLINE_S):
                return fail("vic-r1 did not confirm the robot's message layout", bridge_log)

            print('you: "Hey Vector, %s"' % args.question)
            started = time.monotonic()
            narrator = Narrator(robot, started)
            robot.ask(args.question)

            def answered():
                narrator.poll()
                return any(re.search(r"agent info: question 1: ", line) for line in bridge_log) \
                    and narrator.all_spoken()

            done = wait_until(answered, ANSWER_DEADLINE_S, interval_s=0.02)
            narrator.poll()
            outcome = [line.split("agent info: ", 1)[1].strip() for line in bridge_log
                       if re.search(r"agent info: question 1: ", line)]
            print("%s  %s" % (narrator.stamp(), outcome[-1] if outcome else "no outcome logged"))
            print("engine heard instead: " + ", ".join(i.intent for i in robot.engine.intents()))
            status = subprocess.run(args.command + ["status", "--socket-dir", socket_dir],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    timeout=START_DEADLINE_S, env=env)
            print("vic-r1 status:\n" + "".join("  " + line + "\n" for line in status.stdout.splitlines()))
            if not done:
                return fail("Vector did not finish speaking the answer", bridge_log)
            if args.expect_speech is not None and " ".join(narrator.spoken) != args.expect_speech:
                print('simulate: expected Vector to say "%s"' % args.expect_speech, file=sys.stderr)
                return 1
            # vic-r1 logs its counters as it stops.
            os.killpg(bridge.pid, signal.SIGTERM)
            bridge.wait(timeout=START_DEADLINE_S)
            reader.join(timeout=5)
            counters = [line for line in bridge_log if " counters: " in line]
            if not counters:
                return fail("vic-r1 stopped without logging its counters", bridge_log)
            print("vic-r1" + counters[-1].strip().split("info:", 1)[1])
            # The robot's own traffic: engine->anim, anim->engine, cloud->engine.
            lost = sum(int(match.group(1)) for pattern in (
                r"engine->anim \d+ \(dropped (\d+)\)", r"anim->engine \d+ \(dropped (\d+)\)",
                r"intents forwarded .*?, dropped (\d+)") for match in
                [re.search(pattern, counters[-1])] if match)
            print("robot datagrams lost (engine<->anim, cloud->engine): %d" % lost)
            if lost:
                return fail("vic-r1 dropped datagrams", bridge_log)
            return 0
    finally:
        if bridge is not None and bridge.poll() is None:
            os.killpg(bridge.pid, signal.SIGTERM)
            try:
                bridge.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(bridge.pid, signal.SIGKILL)
        if local_r1 is not None:
            local_r1.stop()
        shutil.rmtree(work_dir, ignore_errors=True)


def fail(message, bridge_log) -> int:
    print("simulate: " + message, file=sys.stderr)
    sys.stderr.write("".join(bridge_log[-40:]))
    return 1


if __name__ == "__main__":
    sys.exit(main())
