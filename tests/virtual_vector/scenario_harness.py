#!/usr/bin/env python3
"""What every scenario of `vic-r1 run` on the virtual Vector stands on: the
real binary started in a process group of its own (Bridge), a throw-away
socket directory with the fakes on it (Case), the agent's utterances
followed through vic-anim's events (Utterance), and the checks.

Every wait has a deadline; vic-r1 runs in a process group of its own (its
agent child with it), which is killed whatever happens.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import clad_layouts as clad                          # noqa: E402
import r1_server_process                             # noqa: E402
import engine_intent_reactions as reactions          # noqa: E402
import wire_exactness                                # noqa: E402
from virtual_vector import VirtualVector             # noqa: E402
from waiting import wait_until                       # noqa: E402
from wire_log import LINK_AI, LINK_ANIM              # noqa: E402

# Deadlines. Generous: the robot build runs under qemu, and the host may be
# compiling beside us. None of them is a judgement on speed.
START_S = 40.0          # a process started and said so
EVENT_S = 30.0          # something the robot does in reply
STOP_S = 20.0           # vic-r1 stopped after SIGTERM
SETTLE_QUIET_S = 0.5    # no datagram for this long: everything sent has arrived

# The fake R1 server of every case answers "I heard: <question>" after a
# little reasoning (DeepSeek's shape), so that what Vector says is known.
ANSWER_PREFIX = "I heard: "
ECHO_ANSWER = "answer:echo=" + ANSWER_PREFIX
R1_SERVER_LIFETIME_S = 900
NOAUDIO = clad.encode_cloud_intent_result("intent_system_noaudio", "", "")
KNOWLEDGE_NO_RESPONSE = clad.encode_cloud_intent_result("intent_knowledge_no_response", "", "")

ANIM_SERVER = clad.ENGINE_ANIM_SERVER_NAME
ANIM_ASIDE = ANIM_SERVER + ".vic-anim"
AI_SOCK = clad.AI_SOCK_NAME
AI_ASIDE = AI_SOCK + ".vic-engine"
OUR_ENGINE_SERVER = "vic-r1.engine_anim_server"
OUR_ANIM_CLIENT = "vic-r1.engine_anim_client"
OUR_AI_SOCK = "vic-r1.ai_sock"

# The fakes' options for every scenario: the engine and vic-cloud retry
# faster than on the robot (1 s and 5 s) so that restarts take less time.
ENGINE_OPTIONS = {"connect_retry_s": 0.2}
CLOUD_OPTIONS = {"retry_interval_s": 0.2}
# An engine going about its day: lights, audio, clips, head moves, speech.
IDLE_ENGINE = dict(ENGINE_OPTIONS, idle_traffic=True, idle_period_s=0.05)
# The same without speech, where the agent's utterance must play to its end
# (vic-anim ends a playing utterance when another one starts).
QUIET_ENGINE = dict(IDLE_ENGINE, idle_speech=False)


class SkipScenario(Exception):
    """The machine lacks what the scenario needs (root, a namespace, a
    cgroup): reported as a skip with the reason, never as a pass."""


class TestFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


def wait_for(predicate, timeout_s, message):
    check(wait_until(predicate, timeout_s, interval_s=0.01), message)


# ------------------------------------------------------------------ vic-r1

class Bridge:
    """`vic-r1 run` in a process group of its own, stderr in a file (a file
    never fills up and stalls the bridge the way an unread pipe would)."""

    def __init__(self, case, arguments, notify_socket=None):
        self.case = case
        self.log_path = os.path.join(case.dir, "vic-r1.%d.log" % (len(case.bridges) + 1))
        self.command = (case.bridge_prefix + case.runner + [case.binary, "run", "--socket-dir", case.socket_dir,
                                       "--config", case.config_path,
                                       "--mic-muted-file", case.mic_muted_file] + list(arguments))
        environment = dict(os.environ)
        environment.pop("VIC_R1_AGENT_EXEC_PREFIX", None)
        environment.pop("NOTIFY_SOCKET", None)
        if notify_socket is not None:
            environment["NOTIFY_SOCKET"] = notify_socket
        if case.runner:
            environment["VIC_R1_AGENT_EXEC_PREFIX"] = " ".join(case.runner)
        environment.update(case.bridge_environment)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT,
                                            env=environment, start_new_session=True)
        self.pid = self.process.pid
        case.bridges.append(self)
        self._read_at = 0
        self._partial = b""
        self._lines = []

    def lines(self):
        """Every complete line vic-r1 (bridge and agent) wrote so far."""
        with open(self.log_path, "rb") as log:
            log.seek(self._read_at)
            chunk = log.read()
        self._read_at += len(chunk)
        *complete, self._partial = (self._partial + chunk).split(b"\n")
        self._lines += [line.decode("utf-8", "replace") for line in complete]
        return list(self._lines)

    def matches(self, pattern):
        expression = re.compile(pattern)
        return [m for m in (expression.search(line) for line in self.lines()) if m]

    def wait_for_line(self, pattern, timeout_s=EVENT_S, count=1, what=None):
        """The count-th line matching `pattern` (a regex); fails at the deadline
        or when vic-r1 exits first."""
        found = []

        def seen():
            found[:] = self.matches(pattern)
            return len(found) >= count or self.process.poll() is not None

        wait_until(seen, timeout_s, interval_s=0.01)
        found[:] = self.matches(pattern)    # what it wrote just before it exited
        if len(found) >= count:
            return found[count - 1]
        if self.process.poll() is not None:
            raise TestFailure("vic-r1 exited with status %s before logging %s"
                              % (self.process.returncode, what or repr(pattern)))
        raise TestFailure("vic-r1 did not log %s within %.0f s (seen %d of %d)"
                          % (what or repr(pattern), timeout_s, len(found), count))

    def agent_pids(self):
        return [int(m.group(1)) for m in self.matches(r"vic-r1 agent info: listening \(pid (\d+)\)")]

    def wait_for_agent(self, count=1):
        match = self.wait_for_line(r"vic-r1 agent info: listening \(pid (\d+)\)", START_S, count,
                                   "the agent's 'listening' line #%d" % count)
        pid = int(match.group(1))
        check(parent_of(pid) == self.pid,
              "the agent (pid %d) is not vic-r1's child (its parent is %s, vic-r1 is %d)"
              % (pid, parent_of(pid), self.pid))
        return pid

    def running(self):
        return self.process.poll() is None

    def terminate(self, timeout_s=STOP_S):
        """SIGTERM and wait; the exit status, or None if it had to be killed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.kill_group()
                return None
        return self.process.returncode

    def kill_group(self):
        # Its process group holds vic-r1 and its agent child (under qemu, both
        # emulators); nothing else joins it.
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def counters(self):
        """The counters vic-r1 logs when it stops, as a dict of name -> number."""
        lines = self.matches(r"vic-r1 bridge info: counters: (.*)")
        if not lines:
            return {}
        text = lines[-1].group(1)
        names = {
            "engine_to_anim": r"engine->anim (\d+)",
            "dropped_engine_to_anim": r"engine->anim \d+ \(dropped (\d+)\)",
            "anim_to_engine": r"anim->engine (\d+)",
            "dropped_anim_to_engine": r"anim->engine \d+ \(dropped (\d+)\)",
            "injected": r"agent injected (\d+)",
            "refused": r"refused (\d+)",
            "questions": r"questions (\d+)",
            "heap_kib": r"heap in use (\d+) KiB",
        }
        found = {}
        for name, pattern in names.items():
            match = re.search(pattern, text)
            if match:
                found[name] = int(match.group(1))
        return found


def speech_timeline(log):
    """Every TTS message on the engine<->anim link, one line each, in order."""
    lines = []
    for record in log.all_records():
        data = record.data
        if record.link != LINK_ANIM or not data:
            continue
        if clad.is_text_to_speech_prepare(data):
            prepare = clad.decode_text_to_speech_prepare(data)
            what = "Prepare ttsID %d %r" % (prepare.tts_id, prepare.text)
        elif data[0] in (clad.TAG_TEXT_TO_SPEECH_PLAY, clad.TAG_TEXT_TO_SPEECH_CANCEL) \
                and len(data) == 2:
            what = "%s ttsID %d" % (clad.message_name(data), data[1])
        elif data[0] == clad.TAG_TEXT_TO_SPEECH_EVENT and len(data) == 7:
            event = clad.decode_text_to_speech_event(data)
            what = "ttsID %d %s" % (event.tts_id, clad.TTS_STATE_NAMES.get(event.state, event.state))
        else:
            continue
        lines.append("%.3f %s %s #%d (epoch %d): %s" % (record.time, record.endpoint,
                                                       record.direction, record.index,
                                                       record.epoch, what))
    return lines


def parent_of(pid):
    try:
        with open("/proc/%d/stat" % pid) as source:
            # pid (comm) state ppid ...; comm may hold spaces and parentheses.
            return int(source.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def process_exists(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_state(pid):
    try:
        with open("/proc/%d/stat" % pid) as source:
            return source.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


# ------------------------------------------------------------------ a case

class NotifyListener:
    """systemd's side of sd_notify(3) for one service: a datagram socket
    whose path goes to vic-r1 as NOTIFY_SOCKET, and what arrived on it."""

    def __init__(self, path):
        self.path = path
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(path)
        self._sock.setblocking(False)
        self._messages = []

    def messages(self):
        while True:
            try:
                self._messages.append(self._sock.recv(4096).decode("utf-8", "replace"))
            except BlockingIOError:
                return list(self._messages)

    def ready(self):
        return any("READY=1" in message.split("\n") for message in self.messages())

    def close(self):
        self._sock.close()


class Case:
    def __init__(self, binary, runner):
        self.binary = os.path.abspath(binary)
        self.runner = runner
        self.dir = tempfile.mkdtemp(prefix="vic-r1-bridge-")
        self.socket_dir = os.path.join(self.dir, "socket")
        os.mkdir(self.socket_dir)
        self.bridges = []
        # What a scenario puts around `vic-r1 run`: a command in front of it
        # (e.g. `unshare --net`) and variables for it and its agent.
        self.bridge_prefix = []
        self.bridge_environment = {}
        self.robot = None
        self.retired_robots = []     # earlier boots' virtual Vectors, stopped
        self.bridge = None
        self.markers = 0
        # The agent's server: a fake R1 on loopback over TLS, with a
        # throw-away PKI, key and config.
        self.pki = os.path.join(self.dir, "pki")
        self.servers = []
        self.server_count = 0
        r1_server_process.make_pki(self.pki)
        self.key_file = os.path.join(self.dir, "api-key")
        r1_server_process.write_key_file(self.key_file)
        self.config_path = os.path.join(self.dir, "config.json")
        self.mic_muted_file = os.path.join(self.dir, "micMuted")
        self.r1 = None
        self.use_r1_server(ECHO_ANSWER)

    def next_server_number(self):
        self.server_count += 1
        return self.server_count

    def use_r1_server(self, *responses, config=None):
        """A fresh fake R1 server answering `responses` (fake_r1_server.py's
        KIND:key=value specs, in order, the last repeating), and a config that
        points the agent at it; the agent reads the config when it starts."""
        return self._start_r1_server(responses, {}, config)

    def use_r1_server_with_scenario(self, scenario_path, config=None):
        """As use_r1_server, with the responses in a JSON scenario file
        ({"responses": [{"kind": ..., ...}]}), for texts a spec cannot hold."""
        return self._start_r1_server((), {"scenario": scenario_path}, config)

    def _start_r1_server(self, responses, options, config):
        if self.r1 is not None:
            self.r1.stop()
        self.r1 = r1_server_process.Server(self, responses, lifetime_s=R1_SERVER_LIFETIME_S,
                                           expect_key=r1_server_process.API_KEY, log=True, **options)
        self.r1.__enter__()
        settings = {
            "provider": "deepseek",
            "base_url": "https://localhost:%d" % self.r1.port,
            "api_key_file": self.key_file,
            "ca_file": os.path.join(self.pki, "ca.pem"),
            "state_dir": self.dir,
            "socket_dir": self.socket_dir,
            # The scenarios of forwarding check every injected message by its
            # ttsID: no thinking loop there. The answer's own scenarios turn it on.
            "thinking_animation": "",
        }
        settings.update(config or {})
        with open(self.config_path, "w") as out:
            json.dump(settings, out, indent=1)
        return self.r1

    def add_r1_fallback_with_scenario(self, scenario_path, provider="together"):
        """Another fake R1 server (responses from a JSON scenario file), listed
        after the others in the config's `fallbacks` as `provider`. Its key
        goes where a fallback's key file defaults to, <state_dir>/api-key.<provider>;
        the CA bundle is the main provider's, which fallbacks inherit. Call it
        after use_r1_server*, before the agent starts."""
        server = r1_server_process.Server(self, (), lifetime_s=R1_SERVER_LIFETIME_S,
                                          expect_key=r1_server_process.API_KEY, log=True,
                                          scenario=scenario_path)
        server.__enter__()
        r1_server_process.write_key_file(os.path.join(self.dir, "api-key." + provider))
        with open(self.config_path) as source:
            settings = json.load(source)
        settings.setdefault("fallbacks", []).append(
            {"provider": provider, "base_url": "https://localhost:%d" % server.port})
        with open(self.config_path, "w") as out:
            json.dump(settings, out, indent=1)
        return server

    def path(self, name):
        return os.path.join(self.socket_dir, name)

    def stop_bridges(self):
        for bridge in self.bridges:
            if bridge.running():
                bridge.terminate(timeout_s=5)
            bridge.kill_group()

    def close(self):
        self.stop_bridges()
        if self.robot is not None:
            self.robot.stop()
        for server in self.servers:
            server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_verb(self, arguments, timeout_s=START_S):
        """`vic-r1 ARGUMENTS...` to its end (through the emulator for the
        robot build): its exit status and what it printed."""
        completed = subprocess.run(self.runner + [self.binary] + list(arguments),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, timeout=timeout_s)
        return completed.returncode, completed.stdout.decode("utf-8", "replace")

    def boot_in_unit_order(self, bridge_arguments=("--firmware", "1.8"), vic_r1_first=False,
                           with_vic_r1=True, engine_options=None, anim_options=None):
        """The robot's processes started as systemd starts them with
        deploy/systemd's units (anki-robot.target): vic-anim; vic-r1
        (Type=notify, After=vic-anim); vic-engine once vic-r1 said READY=1
        (vic-r1's Before=vic-engine); vic-cloud once its ExecStartPre,
        `vic-r1 await-socket ai_sock`, has returned. systemd starts vic-r1
        right after vic-anim's process, so vic-anim may bind before or after
        vic-r1 is up (`vic_r1_first`). Returns await-socket's exit status."""
        self.robot = VirtualVector(self.socket_dir, anim_options=anim_options,
                                   engine_options=dict(engine_options or ENGINE_OPTIONS),
                                   cloud_options=dict(CLOUD_OPTIONS))
        robot = self.robot
        notify = None
        if with_vic_r1:
            notify = NotifyListener(os.path.join(self.dir, "notify.%d" % (len(self.bridges) + 1)))
            self.notify = notify
            if not vic_r1_first:
                robot.start_anim()
            self.bridge = Bridge(self, bridge_arguments, notify_socket=notify.path)
            if vic_r1_first:
                self.bridge.wait_for_line(r"bridge on ", START_S, what="vic-r1's start")
                time.sleep(0.3)
                check(not notify.ready(), "vic-r1 said READY before vic-anim had bound its socket")
                robot.start_anim()
            wait_for(notify.ready, START_S,
                     "vic-r1 never told systemd it was ready (got %s)" % notify.messages())
            check(self.same_file(ANIM_SERVER, OUR_ENGINE_SERVER),
                  "vic-r1 said READY, but %s is not its socket" % ANIM_SERVER)
        else:
            robot.start_anim()
        robot.start_engine()
        wait_for(lambda: robot.engine.robot_available, EVENT_S,
                 "vic-engine never got RobotAvailable")
        status, output = self.run_verb(["await-socket", "ai_sock", "--socket-dir", self.socket_dir,
                                        "--timeout-ms", "%d" % (EVENT_S * 1000)])
        self.await_output = output
        robot.start_cloud()
        check(robot.cloud.wait_connected(EVENT_S), "vic-cloud never connected to ai_sock")
        if with_vic_r1:
            self.agent_pid = self.bridge.wait_for_agent()
        return status

    def restart_robot_processes(self, **boot_options):
        """`systemctl restart anki-robot.target`: every process of the robot
        stops (vic-cloud, vic-engine, vic-r1, vic-anim, the reverse of their
        start) and starts again in the units' order. The socket files stay as
        the processes left them. The new processes get a new virtual Vector
        (and wire log); the old one is kept for the record."""
        self.stop_bridges()
        if self.robot is not None:
            self.robot.stop()
            self.retired_robots.append(self.robot)
        return self.boot_in_unit_order(**boot_options)

    def report(self):
        """What to show when the scenario failed."""
        parts = []
        for number, bridge in enumerate(self.bridges, 1):
            parts.append("--- vic-r1 #%d: %s (exit %s)\n%s"
                         % (number, " ".join(bridge.command), bridge.process.poll(),
                            "\n".join(bridge.lines()) or "(no output)"))
        if self.robot is not None:
            parts.append("--- virtual Vector\n" + self.robot.status())
            parts.append("--- speech on the engine<->anim link (last 40)\n"
                         + "\n".join(speech_timeline(self.robot.wire_log)[-40:]))
            for name, fake in (("vic-anim", self.robot.anim), ("vic-engine", self.robot.engine),
                               ("vic-cloud", self.robot.cloud)):
                events = ["%.3f %s" % (t, text) for t, text in list(fake.events)[-25:]]
                parts.append("--- last events of %s\n%s" % (name, "\n".join(events)))
        return "\n".join(parts)

    # ---------------------------------------------------------------- start

    def start(self, bridge_arguments=("--firmware", "1.8"), anim_options=None,
              engine_options=None, cloud_options=None, with_cloud=True, expect_agent=True,
              firmware="1.8"):
        """anim binds -> vic-r1 takes its path and greets it -> engine -> cloud."""
        self.robot = VirtualVector(self.socket_dir, anim_options=anim_options,
                                   engine_options=dict(engine_options or ENGINE_OPTIONS),
                                   cloud_options=dict(cloud_options or CLOUD_OPTIONS),
                                   firmware=firmware)
        robot = self.robot
        robot.start_anim()
        self.anim_inode_before_bridge = os.lstat(self.path(ANIM_SERVER)).st_ino
        self.bridge = Bridge(self, bridge_arguments)
        self.bridge.wait_for_line(r"greeted vic-anim at ", START_S, what="'greeted vic-anim'")
        check(os.path.exists(self.path(ANIM_ASIDE)),
              "vic-r1 greeted vic-anim but %s does not exist" % ANIM_ASIDE)
        check(self.same_file(ANIM_SERVER, OUR_ENGINE_SERVER),
              "%s is not vic-r1's socket after it greeted vic-anim" % ANIM_SERVER)
        robot.start_engine()
        wait_for(lambda: robot.engine.robot_available, EVENT_S,
                 "vic-engine never got RobotAvailable through vic-r1")
        self.bridge.wait_for_line(r"interposed on .*/ai_sock ", EVENT_S,
                                  what="'interposed on .../ai_sock'")
        self.engine_ai_inode = os.lstat(self.path(AI_ASIDE)).st_ino
        if with_cloud:
            robot.start_cloud()
            check(robot.cloud.wait_connected(EVENT_S), "vic-cloud never connected to ai_sock")
            check(self.same_file(AI_SOCK, OUR_AI_SOCK),
                  "vic-cloud connected, but ai_sock is not vic-r1's socket")
        self.agent_pid = self.bridge.wait_for_agent() if expect_agent else None
        return robot

    def same_file(self, name, other):
        try:
            a, b = os.lstat(self.path(name)), os.lstat(self.path(other))
        except FileNotFoundError:
            return False
        return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)

    # ------------------------------------------------------------ questions

    def wake(self):
        """"Hey Vector", and wait until the engine heard it: the bridge told
        the agent before it forwarded the wake word, so the question that
        follows reaches the agent after it (on the robot seconds pass between
        the two; the agent stops talking at the wake word)."""
        robot = self.robot
        heard = len(robot.engine.trigger_words)
        robot.wake()
        wait_for(lambda: len(robot.engine.trigger_words) > heard, EVENT_S,
                 "the wake word never reached vic-engine")

    def ask(self, question):
        """"Hey Vector, <question>", as wire-pod delivers it; returns the
        datagram vic-cloud sent."""
        self.wake()
        check(self.robot.cloud.send_unmatched_question(question),
              "vic-cloud could not send the question %r" % question)
        return self.robot.cloud.sent()[-1]

    def wait_for_answer(self, question, since=0, play=True, finish=True, once_prepared=None,
                        timeout_s=EVENT_S):
        """The agent's "I heard: <question>" on vic-anim, followed through its
        events: Playable, Prepared, then Play (after Prepared), Playing,
        Finished. `once_prepared(utterance)` runs at Prepared. Returns an
        Utterance."""
        text = ANSWER_PREFIX + question
        utterance = Utterance(self.robot, text)
        wait_for(lambda: utterance.find_prepare(since), timeout_s,
                 "vic-anim never received a TextToSpeechPrepare with %r" % text)
        check(utterance.prepare_message.trigger_mode == clad.TTS_TRIGGER_MANUAL,
              "the agent's Prepare is not Manual: %r" % (utterance.prepare_message,))
        wait_for(lambda: utterance.states()[:2] == ["Playable", "Prepared"]
                 or "Invalid" in utterance.states(), timeout_s,
                 "vic-anim never prepared the agent's utterance (events: %s)"
                 % utterance.states())
        check(utterance.states()[:2] == ["Playable", "Prepared"],
              "vic-anim refused the agent's Prepare of ttsID %d (events %s): the engine "
              "was using that ttsID" % (utterance.tts_id, utterance.states()))
        if once_prepared is not None:
            once_prepared(utterance)
        if not play:
            return utterance
        wait_for(lambda: utterance.find_play(), timeout_s,
                 "the agent never sent TextToSpeechPlay for ttsID %d" % utterance.tts_id)
        check(utterance.play.seq > utterance.event("Prepared").seq,
              "the agent's Play for ttsID %d reached vic-anim before Prepared"
              % utterance.tts_id)
        wait_for(lambda: "Playing" in utterance.states(), timeout_s,
                 "the agent's utterance never played (events: %s)" % utterance.states())
        if finish:
            wait_for(lambda: "Finished" in utterance.states(), timeout_s,
                     "the agent's utterance never finished (events: %s)" % utterance.states())
            check(utterance.states() == ["Playable", "Prepared", "Playing", "Finished"],
                  "the agent's utterance went %s" % utterance.states())
        return utterance

    def settle(self, timeout_s=EVENT_S):
        """Stop the traffic that never ends by itself and wait until every
        datagram sent has crossed. Quiet alone proves nothing (a bridge that
        is not getting the CPU is quiet too): a marker goes down each link,
        and as vic-r1 keeps the order, once it is through, so is everything
        sent before it. Returns the number of markers vic-cloud sent."""
        robot, log = self.robot, self.robot.wire_log
        robot.engine.set_idle_traffic(False)
        robot.anim.pause_periodic_traffic()
        if robot.engine.is_linked():
            robot.engine.abort_animation(0)     # the engine's clip need not play to its end
        wait_for(lambda: robot.anim.playing_animation() is None and not robot.anim.held_tts_ids(),
                 timeout_s, "vic-anim never fell idle: still playing %s, holding ttsIDs %s"
                 % (robot.anim.playing_animation(), robot.anim.held_tts_ids()))
        self.markers += 1
        stamp = 0x5E771E00 + self.markers
        markers = []
        if robot.engine.is_linked() and robot.engine.robot_available:
            marker = clad.encode_post_audio_event(stamp)
            markers.append(("anim", "received", LINK_ANIM, marker,
                            log.next_index("anim", "received", LINK_ANIM)))
            check(robot.engine.send_message(marker), "vic-engine could not send its marker")
        if robot.anim.has_client():
            marker = clad.encode_robot_state(stamp, 0, robot.anim.touch_baseline_raw)
            markers.append(("engine", "received", LINK_ANIM, marker,
                            log.next_index("engine", "received", LINK_ANIM)))
            robot.anim.inject_to_client(marker)
        cloud_markers = 0
        if robot.cloud.connected:
            since = log.next_index("engine", "received", LINK_AI)
            check(robot.cloud.send_intent("intent_test_settle_marker", None, "%d" % stamp),
                  "vic-cloud could not send its marker")
            markers.append(("engine", "received", LINK_AI, robot.cloud.sent()[-1], since))
            cloud_markers = 1
        for endpoint, direction, link, marker, since in markers:
            wait_for(lambda: any(r.data == marker
                                 for r in log.stream_since(endpoint, direction, link, since)),
                     timeout_s, "the settling marker %s never reached %s"
                     % (clad.message_name(marker), endpoint))
        check(wire_exactness.wait_for_settle(log, SETTLE_QUIET_S, timeout_s),
              "traffic never stopped")
        return cloud_markers

    def check_answers_exact(self, utterances, asked, closed_with=NOAUDIO, other_tts_ids=(),
                            healthy=True, knowledge_stream_made_normal=False):
        """The agent's utterances never reached vic-engine, and everything
        else crossed unchanged: the agent's speech, the questions it took
        (`asked`) and the intent that closed them (`closed_with`) aside, and
        with `knowledge_stream_made_normal` the engine's KnowledgeGraph stream
        request, which vic-anim must get as a Normal one."""
        for utterance in utterances:
            utterance.assert_engine_never_saw_it()
        self.settle()
        tts_ids = {utterance.tts_id for utterance in utterances} | set(other_tts_ids)
        self.assert_exact(is_injected=wire_exactness.injected_messages(tts_ids=tts_ids),
                          cloud_may_be_withheld=lambda datagram: datagram in asked,
                          cloud_injected=lambda datagram: datagram == closed_with,
                          engine_to_anim_rewrite=(clad.knowledge_stream_made_normal
                                                  if knowledge_stream_made_normal else None))
        if healthy:
            self.assert_link_healthy()

    def assert_exact(self, **options):
        reports = self.robot.check_exactness(**options)
        failed = [report for report in reports if not report.ok]
        check(not failed, "forwarding was not exact:\n" + "\n".join(r.describe() for r in failed))
        for report in reports:
            print("  " + report.describe())
        return reports

    def check_engine_reacted(self, outcome):
        """The engine's reaction to the last intent it got was `outcome`, and
        it never spoke an answer of its own nor said it could not do that."""
        engine = self.robot.engine
        wait_for(lambda: engine.intent_reactions(), EVENT_S, "the engine reacted to no intent")
        last = engine.intent_reactions()[-1]
        check(last.outcome == outcome, "the engine's reaction to %s (during %s) was %s, not %s"
              % (last.intent, last.during, last.outcome, outcome))
        loud = [r for r in engine.intent_reactions()
                if r.outcome in (reactions.SPEAKS_ANSWER, reactions.CANT_DO_THAT,
                                 reactions.KNOWLEDGE_FAIL_THEN_CANT_DO_THAT)]
        check(not loud, "the engine reacted loudly: %s" % loud)

    def assert_link_healthy(self):
        robot = self.robot
        check(not robot.engine.crashes, "vic-engine aborted: %s" % robot.engine.crashes)
        check(not robot.anim.crashes, "vic-anim aborted: %s" % robot.anim.crashes)
        check(not robot.engine.faults, "vic-engine faulted: %s" % robot.engine.faults)
        check(not robot.anim.faults, "vic-anim faulted: %s" % robot.anim.faults)
        check(not robot.anim.disconnects, "vic-anim disconnected its client: %s"
              % robot.anim.disconnects)
        check(not robot.engine.malformed, "vic-engine got %d malformed datagrams, first %s"
              % (len(robot.engine.malformed), robot.engine.malformed[:1]))
        check(not robot.anim.drop_counts, "vic-anim dropped datagrams: %s"
              % dict(robot.anim.drop_counts))
        check(not robot.anim.violations, "vic-anim got what the firmware would mishandle: %s"
              % robot.anim.violations)


class Utterance:
    """One of the agent's utterances as vic-anim saw it, found by its text."""

    def __init__(self, robot, text):
        self.robot = robot
        self.text = text
        self.prepare = None            # anim's received record
        self.prepare_message = None
        self.tts_id = None
        self.play = None

    def find_prepare(self, since=0):
        for record in self.robot.wire_log.stream("anim", "received", LINK_ANIM)[since:]:
            if clad.is_text_to_speech_prepare(record.data):
                message = clad.decode_text_to_speech_prepare(record.data)
                if message.text == self.text:
                    self.prepare, self.prepare_message = record, message
                    self.tts_id = message.tts_id
                    return True
        return False

    def find_play(self):
        play = clad.encode_text_to_speech_play(self.tts_id)
        for record in self.robot.wire_log.stream("anim", "received",
                                                 LINK_ANIM)[self.prepare.index + 1:]:
            if record.data == play:
                self.play = record
                return True
        return False

    def requests(self):
        """anim's received indexes of this utterance's Prepare, its Play, and
        any Cancel of its ttsID before the ttsID was prepared again."""
        indexes = {self.prepare.index}
        if self.play is not None:
            indexes.add(self.play.index)
        cancel = clad.encode_text_to_speech_cancel(self.tts_id)
        for record in self.robot.wire_log.stream("anim", "received",
                                                 LINK_ANIM)[self.prepare.index + 1:]:
            if clad.is_text_to_speech_prepare(record.data) \
                    and clad.decode_text_to_speech_prepare(record.data).tts_id == self.tts_id:
                break
            if record.data == cancel:
                indexes.add(record.index)
        return indexes

    def events(self):
        """vic-anim's TextToSpeechEvents about this utterance, in order, up
        to the first that ends it (Finished or Invalid)."""
        requests = self.requests()
        events = []
        for record in self.robot.wire_log.stream("anim", "sent", LINK_ANIM):
            if record.data[0] == clad.TAG_TEXT_TO_SPEECH_EVENT and record.regarding in requests:
                events.append(record)
                if clad.decode_text_to_speech_event(record.data).state in (
                        clad.TTS_STATE_FINISHED, clad.TTS_STATE_INVALID):
                    break
        return events

    def states(self):
        return [clad.TTS_STATE_NAMES[clad.decode_text_to_speech_event(r.data).state]
                for r in self.events()]

    def event(self, state_name):
        return next(r for r in self.events()
                    if clad.TTS_STATE_NAMES[clad.decode_text_to_speech_event(r.data).state]
                    == state_name)

    def last_event(self):
        return self.events()[-1]

    def assert_engine_never_saw_it(self):
        """No TextToSpeechEvent for this ttsID reached the engine while the
        utterance was the agent's, and the engine did not use the ttsID."""
        log = self.robot.wire_log
        begin, end = self.prepare.time, self.last_event().time + 1.0
        engine_prepares = [r for r in log.stream("engine", "sent", LINK_ANIM)
                           if clad.is_text_to_speech_prepare(r.data)
                           and clad.decode_text_to_speech_prepare(r.data).tts_id == self.tts_id
                           and begin <= r.time <= end]
        check(not engine_prepares, "vic-engine took ttsID %d while the agent spoke with it"
              % self.tts_id)
        leaked = [r for r in log.stream("engine", "received", LINK_ANIM)
                  if r.data[0] == clad.TAG_TEXT_TO_SPEECH_EVENT
                  and clad.decode_text_to_speech_event(r.data).tts_id == self.tts_id
                  and begin <= r.time <= end]
        check(not leaked, "vic-engine received %d TextToSpeechEvent(s) of the agent's ttsID %d: "
              "%s" % (len(leaked), self.tts_id,
                      [clad.TTS_STATE_NAMES[clad.decode_text_to_speech_event(r.data).state]
                       for r in leaked]))


def delivered_from_anim_epoch(robot, epoch, tag, engine_received_since):
    """Whether the engine received, after its `engine_received_since`-th
    datagram, one that vic-anim's process number `epoch` sent with `tag`."""
    sent = {r.data for r in robot.wire_log.stream("anim", "sent", LINK_ANIM)
            if r.epoch == epoch and r.data[:1] == bytes([tag])}
    return any(r.data in sent for r in robot.wire_log.stream(
        "engine", "received", LINK_ANIM)[engine_received_since:])


def engine_intents_since(robot, count_before):
    return robot.engine.intents()[count_before:]


def anim_received_count(robot):
    return robot.wire_log.next_index("anim", "received", LINK_ANIM)


# ============================================================== scenarios

