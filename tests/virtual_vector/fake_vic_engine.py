"""vic-engine as anim (or a bridge) and vic-cloud see it.

FakeVicEngine follows the engine's socket rules:

Link to anim (engine/comms/robotConnectionManager.cpp, LocalUdpClient.cpp)
  * unlink + bind <dir>/_engine_anim_client_0, connect() to
    <dir>/_engine_anim_server_0, send the 8 bytes ANKICONN. A failing
    connect() (ENOENT, ECONNREFUSED, EPERM when anim is connected to someone
    else) is retried every second (cozmoEngine.cpp:86, 447-468).
  * Until RobotAvailable arrives, it drops every message from anim and sends
    none (engine/robotInitialConnection.cpp:56-79, messageHandler.cpp:105-109,
    146-149).
  * A datagram whose size differs from its message's computed size is dropped
    as an unpack error (messageHandler.cpp:111-117) and counted as malformed.
  * Any failed send (EAGAIN on a full queue, ECONNREFUSED, EPERM...) closes
    its socket (LocalUdpClient.cpp:164-178); on its next update the engine
    finds the link closed and stops (robotConnectionManager.cpp:66-69,
    cozmoEngine.cpp:478-482, cozmoEngineMain.cpp:422-435): the process exits
    with status 0, so every socket of it closes, ai_sock included, and
    nothing brings it back (vic-engine.service has Restart=no). Recorded in
    `faults` as 915, the NO_ENGINE_COMMS code anim shows once it notices.
  * Animation tags: an 8-bit counter; the first five values (1-5) are taken
    at start-up for the trigger-word get-in and the Alexa callbacks, then
    every PlayAnim takes the next value, wrapping 255 -> 0 -> 1 with nothing
    skipped (animationComponent.h:266, animationComponent.cpp:60-72, 328).
    A tag is consumed even when the send is refused.
  * ttsIDs: an 8-bit counter over 1..255, 0 skipped (textToSpeechCoordinator.cpp:34-42).

ai_sock (engine/aiComponent/behaviorComponent/behaviorComponentCloudServer.cpp)
  * unlink + bind <dir>/ai_sock; accepts datagrams from any sender and never
    connects back (SetBindClients(false)); reads into a 4096-byte buffer;
    ignores ANKICONN and the 1-byte b"\\0" reconnect packet.
  * It feels a touch on its back as TouchSensorComponent does, from each
    RobotState's raw reading (touch_sensor.py); `touch_events` records each
    change of the confirmed state, which the engine broadcasts as
    TouchButtonEvent.
  * What it then does with each intent (shows, plays, says) is
    engine_intent_reactions.py's model; `reactions` records it, and an
    answer the engine speaks goes to vic-anim as its own TextToSpeechPrepare.
  * With SetBindClients(false) every datagram goes through AddClient, which
    names the sender std::string(sun_path, saddrlen - 2)
    (coretech/messaging/shared/LocalUdpServer.cpp:41-44, 218-222, 236-238).
    A sender with no bound name arrives with saddrlen 0, the length wraps,
    std::string throws, and vic-engine, built without exceptions, aborts:
    here the process ends at once (`crashes`).

restart() behaves like a restarted process: the old sockets are closed, the
counters start over, ai_sock is unlinked and bound again (replacing whatever
was at that path, as the real engine does), and a new ANKICONN goes out. A
("engine", "restarted") record marks the moment the old process ended.
"""

import json
import os
import random
import select
import socket
import threading
import time
from collections import Counter
from typing import Dict, List, Optional

import clad_layouts as clad
import engine_intent_reactions
import unix_dgram
from touch_sensor import EngineTouchSensor
from wire_log import LINK_AI, LINK_ANIM, WireLog

CONNECT_RETRY_S = 1.0          # cozmoEngine.cpp:86
LINK_FAULT_CODE = 915          # NO_ENGINE_COMMS, faultCodes.h:58
FIRST_ANIMATION_TAG_AFTER_RESERVED = 5   # 1..5 reserved at construction

IDLE_SENTENCES = [
    "Hello there.", "I see you!", "What a nice day.", "Hmm, let me think about that.",
    "Is it time to play?", "Fist bump?", "I am Vector.", "Beep boop.",
]


# Any valid GenericEvent id stands for the wake word's earcon here; the
# firmware only checks that it is not Invalid (0).
WAKE_WORD_EARCON_EVENT = 0x2A4E5F11


class FakeVicEngine:
    def __init__(self, socket_dir: str, *, wire_log: Optional[WireLog] = None,
                 firmware: str = "1.8",
                 connect_retry_s: float = CONNECT_RETRY_S,
                 idle_traffic: bool = False, idle_period_s: float = 0.05, idle_seed: int = 1,
                 idle_clips: Optional[List[str]] = None, idle_speech: bool = True,
                 play_utterances_on: int = clad.TTS_STATE_PREPARED,
                 bind_ai_sock: bool = True,
                 wake_word_streams: bool = True,
                 push_trigger_word_response: bool = True,
                 clock=time.monotonic, log=None):
        self.socket_dir = socket_dir
        self.wake_word_streams = wake_word_streams
        self.push_trigger_word_response = push_trigger_word_response
        self.client_path = os.path.join(socket_dir, clad.ENGINE_ANIM_CLIENT_NAME)
        self.server_path = os.path.join(socket_dir, clad.ENGINE_ANIM_SERVER_NAME)
        self.ai_sock_path = os.path.join(socket_dir, clad.AI_SOCK_NAME)
        self.wire_log = wire_log if wire_log is not None else WireLog(clock)
        self.firmware = clad.FIRMWARES[firmware]     # its own messages' layouts
        self.connect_retry_s = connect_retry_s
        self.idle_traffic = idle_traffic
        self.idle_period_s = idle_period_s
        self.idle_seed = idle_seed
        self.idle_clips = idle_clips or ["anim_greeting_hello_01", "anim_feedback_goodrobot_01",
                                         "anim_tts_loop_02", "anim_knowledgegraph_searching_01",
                                         "anim_observing_self_absorbed_01"]
        self.idle_speech = idle_speech
        self.play_utterances_on = play_utterances_on
        self.bind_ai_sock = bind_ai_sock
        self.clock = clock
        self._log = log

        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._wake_read, self._wake_write = os.pipe()
        self._restart_request: Optional[float] = None
        self._restart_done = threading.Event()
        self._link = None
        self._ai = None
        self.epoch = 0
        self._begin_at: Optional[float] = None
        self._reset_process_state()
        self._reset_observations()

    def _reset_process_state(self):
        """What a fresh vic-engine process starts with."""
        self.link_state = "connecting"      # connecting, linked, failed, stopped, down
        self._next_connect = 0.0
        self._next_idle = 0.0
        self._trigger_response_due = False
        self._idle_step = 0
        self._rng = random.Random(self.idle_seed + self.epoch)
        self._tag_counter = FIRST_ANIMATION_TAG_AFTER_RESERVED
        self._tts_counter = 0
        self.robot_available = False
        self.utterances: Dict[int, dict] = {}
        self.animations_requested: Dict[int, str] = {}
        self.behaviour = engine_intent_reactions.VOICE_COMMAND
        self.touch_sensor = EngineTouchSensor()

    def _reset_observations(self):
        """What the tests read; kept across restarts (records carry no epoch)."""
        self.connect_failures: List[tuple] = []     # (time, errno name)
        self.faults: List[tuple] = []               # (time, code, reason): link lost, exited
        self.crashes: List[tuple] = []              # (time, reason): the process aborted
        self.events: List[tuple] = []               # (time, text)
        self.animation_events: List[tuple] = []     # (time, "started"/"ended", decoded)
        self.tts_events: List[tuple] = []           # (time, TextToSpeechEvent)
        self.trigger_words: List[tuple] = []        # (time, TriggerWordDetected)
        self.reactions: List[tuple] = []            # (time, engine_intent_reactions.Reaction)
        self.touch_events: List[tuple] = []         # (time, pressed): TouchButtonEvent
        self.cloud_messages: List[tuple] = []       # (time, decoded CloudMic message)
        self.malformed: List[bytes] = []
        self.latest_robot_state: Optional[clad.RobotStateSummary] = None
        self.latest_animation_state: Optional[clad.AnimationState] = None
        self.received_counts: Counter = Counter()
        self.dropped_before_robot_available = 0
        self.refused_before_robot_available = 0

    # ------------------------------------------------------------------ life

    def start(self):
        with self._lock:
            self._begin_process()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="fake-vic-engine", daemon=True)
        self._thread.start()

    def _wake(self):
        try:
            os.write(self._wake_write, b"x")
        except OSError:
            pass        # closed: nothing left to wake

    def stop(self, timeout_s: float = 2.0):
        """The process ends: its sockets close (the files stay, as after a kill)."""
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        with self._lock:
            self._close_sockets()
            self.link_state = "stopped"

    def close(self):
        """stop(), and release the wake-up pipe; safe to call twice."""
        self.stop()
        for fd in (self._wake_read, self._wake_write):
            try:
                os.close(fd)
            except OSError:
                pass
        self._wake_read = self._wake_write = -1

    def restart(self, down_time_s: float = 0.0, timeout_s: float = 5.0) -> bool:
        """Stop and start again like `systemctl restart vic-engine`."""
        self._restart_done.clear()
        with self._lock:
            self._restart_request = down_time_s
        self._wake()
        return self._restart_done.wait(down_time_s + timeout_s)

    def _begin_process(self):
        if self.bind_ai_sock:
            ai = unix_dgram.make_dgram_socket()
            unix_dgram.bind_fresh(ai, self.ai_sock_path)
            self._ai = ai
            self._event("bound %s" % self.ai_sock_path)
        self._try_connect(self.clock())

    def _close_sockets(self):
        for sock in (self._link, self._ai):
            if sock is not None:
                sock.close()
        self._link = None
        self._ai = None

    def _run(self):
        while not self._stop.is_set():
            with self._lock:
                now = self.clock()
                if self._restart_request is not None:
                    # The old process is gone: its sockets close; the new one
                    # starts after the down time.
                    self._close_sockets()
                    self.epoch += 1
                    self.wire_log.record("engine", "restarted", LINK_ANIM, b"", epoch=self.epoch)
                    self._reset_process_state()
                    self.link_state = "down"
                    self._begin_at = now + self._restart_request
                    self._restart_request = None
                if self._begin_at is not None and now >= self._begin_at:
                    self._begin_at = None
                    self.link_state = "connecting"
                    try:
                        self._begin_process()
                    except OSError as error:
                        self._event("restart failed: %s" % error)
                    self._restart_done.set()
                if self.link_state == "connecting" and now >= self._next_connect:
                    self._try_connect(now)
                if self._trigger_response_due and self.link_state == "linked" and self.robot_available:
                    self._trigger_response_due = False
                    self._send_trigger_word_response()
                if (self.idle_traffic and self.link_state == "linked" and self.robot_available):
                    sent_this_round = 0
                    while now >= self._next_idle and sent_this_round < 8:
                        self._send_idle_message()
                        self._next_idle += self.idle_period_s
                        sent_this_round += 1
                    if now >= self._next_idle:
                        self._next_idle = now + self.idle_period_s
                sockets = [s for s in (self._link, self._ai) if s is not None]
                timeout = 0.01
                if self.idle_traffic and self.robot_available:
                    timeout = max(0.0, min(timeout, self._next_idle - now))
            try:
                ready, _, _ = select.select(sockets + [self._wake_read], [], [], timeout)
            except (OSError, ValueError):
                continue    # a socket was closed under us by restart/stop; look again
            if self._wake_read in ready:
                os.read(self._wake_read, 64)
            with self._lock:
                if self._link is not None and self._link in ready:
                    self._drain_link()
                if self._ai is not None and self._ai in ready:
                    self._drain_ai_sock()

    # ---------------------------------------------------------------- link

    def _try_connect(self, now: float):
        sock = unix_dgram.make_dgram_socket()
        try:
            unix_dgram.bind_fresh(sock, self.client_path)
            sock.connect(self.server_path)
        except OSError as error:
            sock.close()
            self.connect_failures.append((now, unix_dgram.errno_name(error)))
            self._next_connect = now + self.connect_retry_s
            return
        self._link = sock
        self.link_state = "linked"
        self._next_idle = now
        self._event("connected to %s" % self.server_path)
        # LocalUdpClient::Connect ends with the connection packet.
        self._send_raw(clad.CONNECTION_PACKET)

    def _send_raw(self, datagram: bytes) -> bool:
        if self._link is None:
            return False
        try:
            sent = self._link.send(datagram)
        except OSError as error:
            self._link_failed("send %s: %s" % (clad.message_name(datagram),
                                               unix_dgram.errno_name(error)))
            return False
        if sent != len(datagram):
            self._link_failed("short send %d/%d" % (sent, len(datagram)))
            return False
        self.wire_log.record("engine", "sent", LINK_ANIM, datagram, epoch=self.epoch)
        return True

    def _send_trigger_word_response(self):
        """UserIntentComponent::PushResponseToTriggerWord (userIntentComponent.
        cpp:990-1003): a get-in and earcon, and a stream to vic-cloud, unless a
        behaviour keeps the microphone (wake_word_streams=False)."""
        self._send_message(clad.encode_set_trigger_word_response(
            WAKE_WORD_EARCON_EVENT if self.wake_word_streams else 0,
            start_stream=self.wake_word_streams, get_in_tag=1, get_in_name="anim_wakeword_getin_01"))

    def _send_message(self, datagram: bytes) -> bool:
        """MessageHandler::SendMessage: nothing goes out before RobotAvailable."""
        if self.link_state != "linked":
            return False
        if not self.robot_available:
            self.refused_before_robot_available += 1
            return False
        return self._send_raw(datagram)

    def _link_failed(self, reason: str):
        """The link closed: the engine's main loop stops and the process exits."""
        self._close_sockets()
        self.link_state = "failed"
        self.faults.append((self.clock(), LINK_FAULT_CODE, reason))
        self._event("link to anim lost (%s): vic-engine exits (status 0); fault %d follows"
                    % (reason, LINK_FAULT_CODE))

    def _crash(self, reason: str):
        """The process aborts: every socket closes, nothing else happens."""
        self._close_sockets()
        self.link_state = "crashed"
        self.crashes.append((self.clock(), reason))
        self._event("ABORTED: %s" % reason)

    def _drain_link(self):
        while self._link is not None:
            try:
                data, _, flags, _ = self._link.recvmsg(clad.MAX_PACKET_BUFFER_SIZE)
            except BlockingIOError:
                return
            except OSError as error:
                self._link_failed("receive: %s" % unix_dgram.errno_name(error))
                return
            self.wire_log.record("engine", "received", LINK_ANIM, data, epoch=self.epoch)
            self._on_anim_datagram(data, flags)

    def _on_anim_datagram(self, data: bytes, flags: int):
        if not data:
            return
        tag = data[0]
        if not self.robot_available and tag != clad.TAG_ROBOT_AVAILABLE:
            self.dropped_before_robot_available += 1
            return
        expected = clad.expected_anim_to_engine_size(data, self.firmware)
        if (flags & socket.MSG_TRUNC or tag not in clad.ROBOT_TO_ENGINE_TAGS
                or (expected is not None and expected != len(data))):
            self.malformed.append(data)
            return
        self.received_counts[clad.message_name(data)] += 1
        now = self.clock()
        if tag == clad.TAG_ROBOT_AVAILABLE:
            if not self.robot_available:
                self.robot_available = True
                self._next_idle = now
                self._event("RobotAvailable: the robot is up")
                # The behaviour stack's base response to the wake word goes
                # out with the engine's first update after it (see
                # _send_trigger_word_response).
                self._trigger_response_due = self.push_trigger_word_response
        elif tag == clad.TAG_ANIMATION_STARTED:
            self.animation_events.append((now, "started", clad.decode_animation_started(data)))
        elif tag == clad.TAG_ANIMATION_ENDED:
            self.animation_events.append((now, "ended", clad.decode_animation_ended(data)))
        elif tag == clad.TAG_TEXT_TO_SPEECH_EVENT:
            self._on_tts_event(now, clad.decode_text_to_speech_event(data))
        elif tag == clad.TAG_TRIGGER_WORD_DETECTED:
            self.trigger_words.append((now, clad.decode_trigger_word_detected(data)))
            self.behaviour = engine_intent_reactions.VOICE_COMMAND
            self._event("heard the wake word")
        elif tag == clad.TAG_ROBOT_STATE:
            state = clad.decode_robot_state(data)
            self.latest_robot_state = state
            on_charger = bool(state.status & clad.STATUS_IS_ON_CHARGER)
            if self.touch_sensor.feed(state.backpack_touch_raw, on_charger):
                self.touch_events.append((now, self.touch_sensor.pressed))
                self._event("TouchButtonEvent %s" % self.touch_sensor.pressed)
        elif tag == clad.TAG_ANIMATION_STATE:
            self.latest_animation_state = clad.decode_animation_state(data)

    def _on_tts_event(self, now: float, event: clad.TextToSpeechEvent):
        self.tts_events.append((now, event))
        utterance = self.utterances.get(event.tts_id)
        if utterance is None:
            return
        utterance["state"] = event.state
        if event.state in (clad.TTS_STATE_INVALID, clad.TTS_STATE_FINISHED):
            del self.utterances[event.tts_id]
            return
        if (utterance["auto_play"] and not utterance["play_sent"]
                and event.state == self.play_utterances_on
                and utterance["mode"] in (clad.TTS_TRIGGER_MANUAL, clad.TTS_TRIGGER_KEYFRAME)):
            utterance["play_sent"] = True
            self._send_message(clad.encode_text_to_speech_play(event.tts_id))

    # ---------------------------------------------------------------- ai_sock

    def _drain_ai_sock(self):
        while self._ai is not None:
            try:
                data, address = self._ai.recvfrom(clad.AI_SOCK_BUFFER_SIZE)
            except BlockingIOError:
                return
            except OSError as error:
                self._event("ai_sock receive error %s" % unix_dgram.errno_name(error))
                return
            self.wire_log.record("engine", "received", LINK_AI, data, peer=address,
                                 epoch=self.epoch)
            if not address:
                self._crash("a datagram on ai_sock from a sender with no bound name: "
                            "LocalUdpServer::AddClient builds std::string(sun_path, "
                            "saddrlen - 2) with saddrlen 0 (LocalUdpServer.cpp:41-44, 238)")
                return
            if data == clad.CONNECTION_PACKET or data == b"\0" or not data:
                continue
            message = clad.decode_cloud_mic(data)
            self.cloud_messages.append((self.clock(), message))
            if isinstance(message, clad.CloudIntentResult):
                self._event("intent %s %s %r" % (message.intent, message.parameters.strip(),
                                                 message.metadata))
                self._react_to(message)

    def _react_to(self, message: clad.CloudIntentResult):
        try:
            parameters = json.loads(message.parameters) if message.parameters.strip() else {}
        except ValueError:
            parameters = {}
        answer = parameters.get("answer", "") if isinstance(parameters, dict) else ""
        before = self.behaviour
        reaction, self.behaviour = engine_intent_reactions.react(
            self.behaviour, message.intent, answer if isinstance(answer, str) else "")
        if (self.behaviour == engine_intent_reactions.IN_KNOWLEDGE_SESSION
                and before != engine_intent_reactions.IN_KNOWLEDGE_SESSION):
            # BehaviorKnowledgeGraphQuestion::BeginStreamingQuestion
            # (behaviorKnowledgeGraphQuestion.cpp:275-280) through
            # UserIntentComponent (userIntentComponent.cpp:940-944).
            with self._lock:
                self._send_message(clad.encode_start_wakewordless_streaming(
                    clad.STREAM_KNOWLEDGE_GRAPH, False))
        self.reactions.append((self.clock(), reaction))
        self._event("reacts to %s during %s: %s" % (message.intent, reaction.during,
                                                   reaction.outcome))
        if reaction.says:
            self.say(reaction.says)

    # ------------------------------------------------------- what tests call

    def _next_animation_tag(self) -> int:
        self._tag_counter = (self._tag_counter + 1) & 0xFF
        return self._tag_counter

    def _next_tts_id(self) -> int:
        self._tts_counter = (self._tts_counter + 1) & 0xFF
        if self._tts_counter == 0:
            self._tts_counter = 1
        return self._tts_counter

    def play_animation(self, anim_name: str, num_loops: int = 1, start_at_ms: int = 0,
                       render_in_eye_hue: bool = True) -> Optional[int]:
        """PlayAnim with the next tag; the tag, or None if it could not be sent."""
        with self._lock:
            tag = self._next_animation_tag()
            if not self._send_message(clad.encode_play_anim(anim_name, tag, num_loops,
                                                            start_at_ms, render_in_eye_hue)):
                return None
            self.animations_requested[tag] = anim_name
            return tag

    def abort_animation(self, tag: int = 0) -> bool:
        with self._lock:
            return self._send_message(clad.encode_abort_animation(tag))

    def say(self, text: str, trigger_mode: int = clad.TTS_TRIGGER_MANUAL,
            style: int = clad.TTS_STYLE_DEFAULT_PROCESSED, duration_scalar: float = 1.0,
            pitch_scalar: float = 0.0, auto_play: bool = True) -> Optional[int]:
        """TextToSpeechPrepare with the next ttsID; Play follows on
        `play_utterances_on` (Prepared by default) when auto_play is set."""
        with self._lock:
            tts_id = self._next_tts_id()
            datagram = clad.encode_text_to_speech_prepare(text, tts_id, trigger_mode, style,
                                                          duration_scalar, pitch_scalar,
                                                          self.firmware)
            if not self._send_message(datagram):
                return None
            self.utterances[tts_id] = {"text": text, "mode": trigger_mode,
                                       "state": clad.TTS_STATE_PREPARING,
                                       "auto_play": auto_play, "play_sent": False}
            return tts_id

    def play_utterance(self, tts_id: int) -> bool:
        with self._lock:
            if tts_id in self.utterances:
                self.utterances[tts_id]["play_sent"] = True
            return self._send_message(clad.encode_text_to_speech_play(tts_id))

    def cancel_utterance(self, tts_id: int) -> bool:
        with self._lock:
            return self._send_message(clad.encode_text_to_speech_cancel(tts_id))

    def send_message(self, datagram: bytes) -> bool:
        """Any engine->anim message, subject to the RobotAvailable gate."""
        with self._lock:
            return self._send_message(datagram)

    def send_raw(self, datagram: bytes) -> bool:
        """Bytes on the link with no gate (for malformed-input tests)."""
        with self._lock:
            return self._send_raw(datagram)

    def preset_counters(self, last_animation_tag: Optional[int] = None,
                        last_tts_id: Optional[int] = None):
        """Continue the tag / ttsID counters after these values (to reach the
        wrap-around without sending hundreds of messages)."""
        with self._lock:
            if last_animation_tag is not None:
                self._tag_counter = last_animation_tag & 0xFF
            if last_tts_id is not None:
                self._tts_counter = last_tts_id & 0xFF

    def set_idle_traffic(self, enabled: bool):
        with self._lock:
            self.idle_traffic = enabled
            self._next_idle = self.clock()

    # ------------------------------------------------------- observations

    def is_linked(self) -> bool:
        return self.link_state == "linked"

    def link_output_queue_bytes(self) -> int:
        """Bytes of the engine's datagrams anim's side has not read yet
        (SIOCOUTQ); a send fails with EAGAIN, and the link with it, once this
        reaches link_send_buffer_bytes(). 0 without a link."""
        with self._lock:
            return unix_dgram.output_queue_bytes(self._link) if self._link is not None else 0

    def link_send_buffer_bytes(self) -> int:
        with self._lock:
            if self._link is None:
                return 0
            return self._link.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)

    def intents(self) -> List[clad.CloudIntentResult]:
        with self._lock:
            return [m for _, m in self.cloud_messages if isinstance(m, clad.CloudIntentResult)]

    def touches_felt(self) -> int:
        """How many times the engine's confirmed touch state went to pressed."""
        with self._lock:
            return sum(1 for _, pressed in self.touch_events if pressed)

    def intent_reactions(self) -> List[engine_intent_reactions.Reaction]:
        with self._lock:
            return [reaction for _, reaction in self.reactions]

    def tts_states(self, tts_id: int) -> List[int]:
        with self._lock:
            return [e.state for _, e in self.tts_events if e.tts_id == tts_id]

    def animation_events_for(self, tag: int) -> List[tuple]:
        with self._lock:
            return [(kind, event) for _, kind, event in self.animation_events if event.tag == tag]

    def event_texts(self) -> List[str]:
        with self._lock:
            return [text for _, text in self.events]

    def _event(self, text: str):
        self.events.append((self.clock(), text))
        if self._log:
            self._log("vic-engine: " + text)

    # ------------------------------------------------------- idle behaviour

    def _send_idle_message(self):
        """What an idle engine keeps sending: lights, audio, face keep-alive,
        track locks, animations, head moves, short utterances."""
        step = self._idle_step
        self._idle_step += 1
        rng = self._rng
        kind = step % 10
        if kind == 0:
            self._send_message(clad.encode_set_backpack_lights(
                on_color=rng.randrange(1 << 32), layer=rng.randrange(2)))
        elif kind == 1:
            self._send_message(clad.encode_post_audio_event(rng.randrange(1 << 32)))
        elif kind == 2:
            self._send_message(clad.encode_enable_keep_face_alive(True, rng.randrange(1000)))
        elif kind == 3:
            self._send_message(clad.encode_set_full_anim_track_lock_state(
                rng.choice([0, clad.TRACK_BODY, clad.TRACK_HEAD | clad.TRACK_LIFT])))
        elif kind == 4:
            tag = self._next_animation_tag()
            name = rng.choice(self.idle_clips)
            if self._send_message(clad.encode_play_anim(name, tag, rng.choice([1, 1, 2]))):
                self.animations_requested[tag] = name
        elif kind == 5:
            self._send_message(clad.encode_move_head(rng.uniform(-1.0, 1.0)))
        elif kind == 6 and not self.idle_speech:
            # An engine that stays quiet (its speech would cut off the
            # utterance a test is listening to): a head move instead.
            self._send_message(clad.encode_move_head(rng.uniform(-1.0, 1.0)))
        elif kind == 6:
            text = rng.choice(IDLE_SENTENCES)
            tts_id = self._next_tts_id()
            if self._send_message(clad.encode_text_to_speech_prepare(
                    text, tts_id, firmware=self.firmware)):
                self.utterances[tts_id] = {"text": text, "mode": clad.TTS_TRIGGER_MANUAL,
                                           "state": clad.TTS_STATE_PREPARING,
                                           "auto_play": True, "play_sent": False}
        elif kind == 7:
            self._send_message(clad.encode_drive_wheels(rng.uniform(-50, 50), rng.uniform(-50, 50)))
        elif kind == 8:
            self._send_message(clad.encode_set_keep_face_alive_focus(rng.random() < 0.5))
        else:
            if rng.random() < 0.5:
                self._send_message(clad.encode_abort_animation(self._tag_counter))
            else:
                # The engine draws text only in its self-test behaviours, with the
                # .clad default drawNow=0; never on an idle robot's face.
                self._send_message(clad.encode_draw_text_on_screen("idle %d" % step))
