"""vic-anim as the engine (or a bridge) sees it on _engine_anim_server_0.

FakeVicAnim follows the animation process's socket rules and answers the
messages a conversation needs, tick by tick, the way the firmware does
(animProcess/src/cozmoAnim/, coretech/messaging/shared/LocalUdpServer.cpp):

Socket
  * unlink + bind <dir>/_engine_anim_server_0, SOCK_DGRAM, non-blocking,
    256 KiB buffers.
  * The first datagram of any content, while it has no client, makes it
    connect() back to the sender (LocalUdpServer.cpp:217-222); from then on
    the kernel refuses datagrams from every other socket with EPERM.
  * AddClient names that sender std::string(sun_path, saddrlen - 2)
    (LocalUdpServer.cpp:41-44, 238): a sender with no bound name arrives with
    saddrlen 0, the length wraps, std::string throws and vic-anim, built
    without exceptions, aborts. Here the process ends at once (`crashes`).
  * An 8-byte ANKICONN is dropped at any time, and, as Recv() returns 0 for
    it, ends the reading of datagrams for that tick (:224-230,
    animProcessMessages.cpp:959).
  * A datagram whose size differs from its message's computed size, or whose
    tag is not in the EngineToRobot union, is dropped and counted
    (animProcessMessages.cpp:962-973).
  * If a send to the client fails (ECONNREFUSED, ENOTCONN, EAGAIN, ...) it
    disconnects (connect AF_UNSPEC; animComms.cpp:206-213); the next datagram
    from any process makes that process the client. NO_ENGINE_COMMS (fault
    915) is recorded 5 s after the disconnection if no client came back
    (animProcessMessages.cpp:860-901).
  * RobotAvailable goes out at the start of the tick after a client appears
    (MonitorConnectionState, animProcessMessages.cpp:869-880), once per
    connection.

One tick (ANIM_TIME_STEP_MS = 33, cozmoConfig.h:334), in the firmware's order
(animEngine.cpp:198-224): connection monitor; mic system (TriggerWordDetected,
MicDirection, MicDataState); engine messages; robot messages (RobotState
forwarded, every 30 ms); TTS events; animation streamer (AnimationStarted,
AnimationEnded, AnimationState every 2nd tick); audio (TTS Finished).

Animations (animation/animationStreamer.cpp)
  * PlayAnim of a known clip interrupts the current one (AnimationEnded
    wasAborted=1 if its start was sent) and starts on this tick:
    AnimationStarted goes out in the same tick's streamer update.
  * An unknown clip name aborts the current animation and produces neither
    Started nor Ended for itself (GetCannedAnimation returns null).
  * AnimationEnded after the clip's duration (streamTimeAnimEnded = relative
    stream time), only after the last loop; numLoops 0 loops forever.
  * AbortAnimation(tag or 0) ends the current animation with wasAborted=1,
    or silently if AnimationStarted was not sent yet; another tag: nothing.
    Between two loops (from the end of one to the start of the next, two
    ticks) "start sent" is false too, so an abort there is silent as well.
  * Clip durations are simulator values (the assets are not in the source
    tree): DEFAULT_CLIP_DURATIONS_MS, replaceable.

Text to speech (textToSpeech/textToSpeechComponent.cpp)
  * Prepare -> Playable (expected duration: the firmware's own estimate,
    250 ms per byte of the processed text x durationScalar, :104-109,
    :200) then Prepared (the audio's duration). No Preparing is sent.
  * Prepare reusing a ttsID still held -> Invalid, the old one kept (:160-164).
  * Immediate: Playing in the same tick as Playable (:689-704), then Finished
    when the audio ends; Prepared in between if generation ends first.
  * Play of a Manual or Keyframe utterance -> Playing, then Finished after
    the audio (:605-613, :523-530). A Keyframe utterance really starts with
    an animation's audio keyframe; here it starts at once.
  * Play of an unknown ttsID, of an Immediate one, or of one still
    generating -> Invalid, and the utterance is discarded (:573-598).
    Firmware detail: when the first audio chunk is already playable, the
    Playable event is sent without the state Play checks being updated
    (:198-203 lack `bundle->state = Playable`), so a Play between Playable
    and Prepared fails; `tts_play_before_prepared_is_invalid` (default
    True) reproduces that.
  * Cancel -> Invalid for that ttsID, always, and stops it (:620-630). A
    playing utterance's audio event still ends afterwards: its end-of-event
    callback, flushed at the end of a later anim tick, sends Finished for the
    ttsID and erases whatever utterance holds that id by then, a new one
    prepared since included (:469-482, 523-530; the Wwise callback queue is
    flushed in AudioEngineController::Update after the tick's messages,
    animEngine.cpp:196-224). `tts_cancel_finished_after_ms` (default: the
    next tick) is when; any stop fade of the Wwise project would add to it.
  * Audio duration: `tts_ms_per_character` per character x durationScalar.

The face (faceDisplay/faceInfoScreenManager.cpp)
  * DrawTextOnScreen (E2R 483-491; Process_drawTextOnScreen,
    animProcessMessages.cpp:487-490) stores the text; only with drawNow=1
    does it switch the face to the CustomText screen (SetCustomText,
    faceInfoScreenManager.cpp:1564-1572). That screen blanks the animated
    face (IsActivelyDrawingToScreen, :485-497), disables the long-press
    shutdown (:983-986) and lasts 180 s (kDefaultScreenTimeoutDuration_s,
    faceInfoScreenTypes.h:57); a second drawNow=1 does not restart the time
    (:527-530). ExitCCScreen (0x82) goes back to the animated face at once
    (animProcessMessages.cpp:574-577). `face_screen()` tells which is showing.

Firmware families (`firmware`: "1.8", "1.6", "1.6-pitch"; clad_layouts.Firmware)
  * 1.6 sends a 7-byte AnimationState and takes a 1035-byte
    TextToSpeechPrepare (no pitchScalar); "1.6-pitch" is that codebase with
    pitchScalar, which the firmware review speaks of. A Prepare of the other
    size is dropped like any wrong size, with no answer. 1.6 has no
    ExitCCScreen: 0x82 is an invalid tag there.

Every datagram it received and sent is recorded in the WireLog, with the
outcome of each received one and, for each reply, the index of the request it
concerns (see wire_exactness.py).

restart() behaves like a restarted process (vic-anim has Restart=no, but a
bridge must survive `systemctl restart vic-anim`): the socket closes, a new
one is unlinked and bound at the server path (replacing whatever is there,
a bridge's link included), with no client, no animation and no utterance.
Its records carry the new `epoch`, and a ("anim", "restarted") record marks
the moment the old process ended.
"""

import os
import socket
import struct
import threading
import time
from collections import Counter
from typing import Dict, List, Optional

import clad_layouts as clad
import unix_dgram
from wire_log import LINK_ANIM, WireLog

# Linux's SO_TIMESTAMPNS (asm-generic/socket.h); Python's socket module lacks the name.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)

# The longest a wake word's stream runs (kStreamingTimeout_ms 6050,
# micDataTypes.h:37) unless vic-cloud stops it first.
NORMAL_STREAM_MAX_S = 6.05

DEFAULT_CLIP_DURATIONS_MS = {
    "anim_neutral_eyes_01": 1000,
    "anim_greeting_hello_01": 2300,
    "anim_greeting_hello_02": 2100,
    "anim_feedback_goodrobot_01": 2600,
    "anim_feedback_goodrobot_02": 2400,
    "anim_onboarding_reacttoface_happy_01": 2000,
    "anim_blackjack_victorwin_01": 3300,
    "anim_pounce_success_03": 2000,
    "anim_feedback_iloveyou_01": 3000,
    "anim_feedback_iloveyou_02": 3200,
    "anim_feedback_meanwords_01": 2800,
    "anim_feedback_meanwords_02": 2500,
    "anim_feedback_badrobot_01": 2700,
    "anim_feedback_badrobot_02": 2600,
    "anim_knowledgegraph_searching_01": 1800,
    "anim_knowledgegraph_searching_getout_01": 700,
    "anim_knowledgegraph_answer_01": 1500,
    "anim_getin_tts_01": 600,
    "anim_tts_loop_02": 1200,
    "anim_feedback_shutup_01": 1900,
    "anim_meetvictor_lookface_timeout_01": 2200,
    "anim_observing_self_absorbed_01": 2500,
    "anim_rtpickup_loop_10": 1600,
}

ANIM_TIME_STEP_MS = 33                    # cozmoConfig.h:334
ROBOT_STATE_PERIOD_MS = 30                # STATE_MESSAGE_FREQUENCY 6 x ROBOT_TIME_STEP_MS 5
ANIMATION_STATE_PERIOD_TICKS = 2          # animationStreamer.cpp:172
MIC_DIRECTION_PERIOD_MS = 10              # one per 10 ms audio block (micDataTypes.h:29-31)
NO_ENGINE_COMMS_DELAY_S = 5.0             # animProcessMessages.cpp:867
CUSTOM_TEXT_SCREEN_TIMEOUT_S = 180.0      # faceInfoScreenTypes.h:57
NO_ENGINE_COMMS_FAULT_CODE = 915          # faultCodes.h:58
TTS_ESTIMATE_MS_PER_BYTE = 250.0          # textToSpeechComponent.cpp:108 (1000 / 4)
# Tracks an engine animation occupies while it streams (AnimationState).
ANIMATION_TRACKS = (clad.TRACK_HEAD | clad.TRACK_LIFT | clad.TRACK_BODY | clad.TRACK_FACE
                    | clad.TRACK_AUDIO)


class _Animation:
    def __init__(self, name, tag, duration_ms, num_loops, start_at_ms, request_index):
        self.name, self.tag, self.duration_ms = name, tag, duration_ms
        self.num_loops, self.start_at_ms = num_loops, start_at_ms
        self.request_index = request_index
        self.loop = 0
        self.relative_ms = start_at_ms
        self.start_sent = False
        self.end_sent = False


class _Utterance:
    def __init__(self, prepare: clad.TextToSpeechPrepare, request_index: int, now: float,
                 audio_ms: float, estimate_ms: float, playable_after_s: float,
                 prepared_after_s: float):
        self.tts_id = prepare.tts_id
        self.trigger_mode = prepare.trigger_mode
        self.text = prepare.text
        self.request_index = request_index
        self.audio_ms = audio_ms
        self.estimate_ms = estimate_ms
        self.created = now
        self.playable_due = now + playable_after_s
        self.prepared_due = now + max(playable_after_s, prepared_after_s)
        self.playable_sent = False
        self.prepared_sent = False
        self.state = "preparing"          # what TextToSpeechPlay checks
        self.playing = False
        self.finish_due = 0.0

    def generated_ms(self, now: float) -> float:
        """Audio generated so far (GetDuration_ms of the wave data)."""
        if self.prepared_sent:
            return self.audio_ms
        span = max(1e-6, self.prepared_due - self.created)
        return self.audio_ms * min(1.0, max(0.0, (now - self.created) / span))


def processed_tts_text(text: str) -> str:
    """The string the firmware hands to its TTS engine (CreateSpeech,
    textToSpeechComponent.cpp:137-153); its length drives the estimate."""
    first = len(text) - len(text.lstrip(" "))
    trimmed = text.strip(" ")
    if not trimmed:
        trimmed = text[first:first + 1]
    last = trimmed[-1:] if trimmed else ""
    if last in (".", "?", "!"):
        trimmed = trimmed[:-1]
    else:
        last = "."
    return trimmed + " \\pau=10\\" + last


class FakeVicAnim:
    def __init__(self, socket_dir: str, *, wire_log: Optional[WireLog] = None,
                 firmware: str = "1.8",
                 clip_durations_ms: Optional[Dict[str, int]] = None,
                 tick_ms: float = ANIM_TIME_STEP_MS,
                 robot_state_period_ms: float = ROBOT_STATE_PERIOD_MS,
                 animation_state_period_ticks: int = ANIMATION_STATE_PERIOD_TICKS,
                 mic_direction_period_ms: float = MIC_DIRECTION_PERIOD_MS,
                 send_mic_traffic: bool = True,
                 tts_ms_per_character: float = 60.0,
                 tts_playable_after_ms: float = 40.0,
                 tts_prepared_after_ms: float = 120.0,
                 tts_play_before_prepared_is_invalid: bool = True,
                 tts_cancel_finished_after_ms: float = ANIM_TIME_STEP_MS,
                 touch_baseline_raw: int = 600,
                 touch_rise_raw: int = 80,
                 locked_tracks: int = clad.TRACK_BACKPACK_LIGHTS,
                 no_engine_comms_delay_s: float = NO_ENGINE_COMMS_DELAY_S,
                 mic_muted_file: Optional[str] = None,
                 clock=time.monotonic, log=None):
        self.socket_dir = socket_dir
        self.server_path = os.path.join(socket_dir, clad.ENGINE_ANIM_SERVER_NAME)
        self.wire_log = wire_log if wire_log is not None else WireLog(clock)
        self.firmware = clad.FIRMWARES[firmware]
        self.clip_durations_ms = dict(DEFAULT_CLIP_DURATIONS_MS if clip_durations_ms is None
                                      else clip_durations_ms)
        self.tick_s = tick_ms / 1000.0
        self.robot_state_period_s = robot_state_period_ms / 1000.0
        self.animation_state_period_ticks = animation_state_period_ticks
        self.mic_direction_period_s = mic_direction_period_ms / 1000.0
        self.send_mic_traffic = send_mic_traffic
        self.tts_ms_per_character = tts_ms_per_character
        self.tts_playable_after_s = tts_playable_after_ms / 1000.0
        self.tts_prepared_after_s = tts_prepared_after_ms / 1000.0
        self.tts_play_before_prepared_is_invalid = tts_play_before_prepared_is_invalid
        self.tts_cancel_finished_after_s = tts_cancel_finished_after_ms / 1000.0
        self.touch_baseline_raw = touch_baseline_raw
        self.touch_rise_raw = touch_rise_raw
        self.no_engine_comms_delay_s = no_engine_comms_delay_s
        # <persistent folder>/micMuted, present while muted (micDataSystem.cpp:60, 895-899).
        self.mic_muted_file = mic_muted_file
        self.mic_muted = False
        self.clock = clock
        self._log = log

        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._sock = None

        self._initial_locked_tracks = locked_tracks
        self.epoch = 0                      # process number: restarts count up
        self._reset_process_state()

        # Robot body (the hardware outlives the process)
        self._extra_status = 0
        self._touch_until = 0.0
        self._button_until = 0.0
        self._touch_override: Optional[int] = None
        self._touch_samples: List[int] = []
        self.periodic_traffic_enabled = True

        # What happened (read these from tests; copy under lock via the methods)
        self.events: List[tuple] = []               # (time, text)
        self.client_history: List[tuple] = []       # (time, address)
        self.disconnects: List[tuple] = []          # (time, errno name)
        self.faults: List[tuple] = []               # (time, name, code)
        self.crashes: List[tuple] = []              # (time, reason): the process aborted
        self.drop_counts: Counter = Counter()       # outcome -> count
        self.handled_counts: Counter = Counter()    # message name -> count
        self.violations: List[str] = []             # what the real firmware would mishandle
        self.screen_texts: List[str] = []
        self.late_finished_casualties: List[str] = []   # utterances a late Finished ended
        self.custom_text_screens = 0                # times the face switched to CustomText
        self.streams_opened: List[tuple] = []       # (time, kind) of listening turns opened
        self.unmuted_by_fake_wake_word = 0          # a muted microphone a FakeWakeWord unmuted
        self.robot_available_sent = 0
        self.sends_without_client = 0

    def _reset_process_state(self):
        """What a fresh vic-anim process starts with."""
        # Connection (LocalUdpServer / MonitorConnectionState)
        self._client = None
        self._was_connected = False
        self._fault_due: Optional[float] = None

        # Streamer and TTS
        self._animation: Optional[_Animation] = None
        self._locked_tracks = self._initial_locked_tracks
        self._tracks_in_use = 0
        self._animation_state_countdown = self.animation_state_period_ticks
        self._utterances: Dict[int, _Utterance] = {}
        # (due, ttsID, request index): end-of-event callbacks of cancelled audio
        self._late_finished: List[tuple] = []

        # The face: "animated" (ScreenName::None) or "custom_text"
        self._face_screen = "animated"
        self._face_screen_until = 0.0
        self.custom_text = ""

        # Microphones and the robot's messages
        self._start_time = 0.0
        self._next_robot_state = 0.0
        self._next_mic_direction = 0.0
        self._pending_trigger_words: List[bytes] = []
        self._pending_injections: List[bytes] = []
        # The engine's last SetTriggerWordResponse (none yet: a wake word
        # then opens nothing, showAudioStreamStateManager.cpp:67-76) and the
        # stream to vic-cloud a wake word opened, until it ends.
        self._trigger_response = None
        self._stream_until = 0.0

    # ------------------------------------------------------------------ life

    def start(self):
        """Bind the server socket and start ticking (vic-anim's start)."""
        with self._lock:
            sock = unix_dgram.make_dgram_socket()
            unix_dgram.bind_fresh(sock, self.server_path)
            # Kernel arrival stamps: vic-anim reads once per tick, so the read
            # time alone would hide how fast a datagram really came.
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            self._sock = sock
            now = self.clock()
            self._start_time = now
            self._next_robot_state = now
            self._next_mic_direction = now
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="fake-vic-anim", daemon=True)
        self._thread.start()
        self._event("listening at %s" % self.server_path)

    def stop(self, timeout_s: float = 2.0):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None

    def restart(self, down_time_s: float = 0.0):
        """Stop and start again like `systemctl restart vic-anim`; returns once
        the new process has bound the server path."""
        self.stop()
        with self._lock:
            self.epoch += 1
            self.wire_log.record("anim", "restarted", LINK_ANIM, b"", epoch=self.epoch)
            self._reset_process_state()
        self._event("stopped (restart); down for %.1f s" % down_time_s)
        if down_time_s > 0:
            time.sleep(down_time_s)     # the time the process is down, not a wait for anything
        self.start()

    def _run(self):
        next_tick = self.clock()
        while not self._stop.is_set():
            now = self.clock()
            if now < next_tick:
                self._stop.wait(next_tick - now)
                continue
            with self._lock:
                if self._sock is None:
                    return
                self._tick(now)
            next_tick += self.tick_s
            if next_tick < now:
                next_tick = now + self.tick_s   # fell behind: no burst of catch-up ticks

    # --------------------------------------------------------------- commands

    def trigger_wake_word(self, trigger_score: int = 900, direction: int = 0,
                          is_button_press: bool = False, will_open_stream: bool = True):
        """"Hey Vector" heard: TriggerWordDetected goes out on the next tick."""
        with self._lock:
            self._pending_trigger_words.append(clad.encode_trigger_word_detected(
                trigger_score, direction, is_button_press, False, will_open_stream))

    def touch_back(self, duration_s: float = 1.0):
        """A finger on the back: backpackTouchSensorRaw rises by touch_rise_raw."""
        with self._lock:
            self._touch_until = self.clock() + duration_s

    def press_backpack_button(self, duration_s: float = 0.5):
        """The backpack button held down: status bit IS_BUTTON_PRESSED (0x10)."""
        with self._lock:
            self._button_until = self.clock() + duration_s

    def set_status_bits(self, bits: int):
        """Extra RobotStatusFlag bits to report (e.g. IS_ON_CHARGER)."""
        with self._lock:
            self._extra_status = bits

    def play_touch_samples(self, samples: List[int]):
        """The raw touch readings of the next RobotStates, one each, in order."""
        with self._lock:
            self._touch_samples.extend(samples)

    def touch_samples_left(self) -> int:
        with self._lock:
            return len(self._touch_samples)

    def set_touch_raw(self, raw: Optional[int]):
        """Force backpackTouchSensorRaw to a value (None: baseline/touch model)."""
        with self._lock:
            self._touch_override = raw

    def inject_to_client(self, datagram: bytes):
        """Send arbitrary bytes to the client on the next tick."""
        with self._lock:
            self._pending_injections.append(bytes(datagram))

    def injections_waiting(self) -> int:
        """How many inject_to_client() datagrams the next tick still has to send."""
        with self._lock:
            return len(self._pending_injections)

    def pause_periodic_traffic(self):
        """Stop RobotState, MicDirection, MicDataState and AnimationState."""
        with self._lock:
            self.periodic_traffic_enabled = False

    def resume_periodic_traffic(self):
        with self._lock:
            now = self.clock()
            self._next_robot_state = max(self._next_robot_state, now)
            self._next_mic_direction = max(self._next_mic_direction, now)
            self.periodic_traffic_enabled = True

    # ------------------------------------------------------------ observations

    @property
    def client(self):
        with self._lock:
            return self._client

    def has_client(self) -> bool:
        return self.client is not None

    def face_screen(self) -> str:
        """"animated" (the eyes, as always) or "custom_text" (DrawTextOnScreen
        with drawNow=1: eyes blanked, long-press shutdown off)."""
        with self._lock:
            return self._face_screen

    def playing_animation(self):
        """(name, tag) of the animation streaming now, or None."""
        with self._lock:
            a = self._animation
            return (a.name, a.tag) if a else None

    def animation_snapshot(self) -> Optional[dict]:
        """The streamer's view of the current animation, or None."""
        with self._lock:
            a = self._animation
            if a is None:
                return None
            return {"name": a.name, "tag": a.tag, "loop": a.loop, "start_sent": a.start_sent,
                    "end_sent": a.end_sent, "relative_ms": a.relative_ms}

    def holding_the_tick(self):
        """A context manager that keeps the next tick from running: datagrams
        sent meanwhile are read together by that tick, and state read inside
        stays as it is until then."""
        return self._lock

    def output_queue_bytes(self) -> int:
        """Bytes of anim's datagrams its client has not read yet (SIOCOUTQ:
        the send buffer they still occupy), 0 without a socket."""
        with self._lock:
            return unix_dgram.output_queue_bytes(self._sock) if self._sock is not None else 0

    def send_buffer_bytes(self) -> int:
        with self._lock:
            if self._sock is None:
                return 0
            return self._sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)

    def held_tts_ids(self):
        with self._lock:
            return sorted(self._utterances)

    def event_texts(self) -> List[str]:
        with self._lock:
            return [text for _, text in self.events]

    def sent(self, tag: Optional[int] = None) -> List[bytes]:
        """Datagrams sent to the client, optionally only those with a tag."""
        return [r.data for r in self.wire_log.stream("anim", "sent", LINK_ANIM)
                if tag is None or r.data[:1] == bytes([tag])]

    def received(self, outcome: Optional[str] = None):
        return [r for r in self.wire_log.stream("anim", "received", LINK_ANIM)
                if outcome is None or r.outcome == outcome]

    def _event(self, text: str):
        with self._lock:
            self.events.append((self.clock(), text))
        if self._log:
            self._log("vic-anim: " + text)

    # -------------------------------------------------------------- one tick

    def _tick(self, now: float):
        if self._face_screen != "animated" and now >= self._face_screen_until:
            self._face_screen = "animated"
        self._monitor_connection(now)
        self._update_mic_system(now)
        self._process_engine_datagrams(now)
        self._forward_robot_states(now)
        self._update_tts(now)
        self._update_animation_streamer()
        self._update_audio(now)

    def _monitor_connection(self, now: float):
        connected = self._client is not None
        if not self._was_connected and connected:
            self._fault_due = None
            self._was_connected = True
            # Counted before the send so the count never lags what the client saw.
            self.robot_available_sent += 1
            if self._send(clad.encode_robot_available()):
                self._event("sent RobotAvailable to %s" % self._client)
            else:
                self.robot_available_sent -= 1
        elif self._was_connected and not connected:
            self._fault_due = now + self.no_engine_comms_delay_s
            self._was_connected = False
        if self._fault_due is not None and now > self._fault_due:
            self._fault_due = None
            self.faults.append((now, "NO_ENGINE_COMMS", NO_ENGINE_COMMS_FAULT_CODE))
            self._event("fault %d NO_ENGINE_COMMS on the face" % NO_ENGINE_COMMS_FAULT_CODE)

    def _update_mic_system(self, now: float):
        for datagram in self._pending_trigger_words:
            if self._send(datagram):
                self._event("sent TriggerWordDetected")
        self._pending_trigger_words = []
        for datagram in self._pending_injections:
            self._send(datagram)
        self._pending_injections = []
        if not (self.periodic_traffic_enabled and self.send_mic_traffic):
            return
        while self._next_mic_direction <= now:
            stamp = int((self._next_mic_direction - self._start_time) * 1000)
            self._send(clad.encode_mic_direction(stamp & 0xFFFFFFFF))
            self._next_mic_direction += self.mic_direction_period_s
        self._send(clad.encode_mic_data_state(0.0))

    def _forward_robot_states(self, now: float):
        if not self.periodic_traffic_enabled:
            return
        while self._next_robot_state <= now:
            stamp = int((self._next_robot_state - self._start_time) * 1000) & 0xFFFFFFFF
            status = self._extra_status
            if now < self._button_until:
                status |= clad.STATUS_IS_BUTTON_PRESSED
            touch = self.touch_baseline_raw
            if now < self._touch_until:
                touch += self.touch_rise_raw
            if self._touch_override is not None:
                touch = self._touch_override
            if self._touch_samples:
                touch = self._touch_samples.pop(0)
            self._send(clad.encode_robot_state(stamp, status, touch & 0xFFFF))
            self._next_robot_state += self.robot_state_period_s

    # --------------------------------------------------------- engine -> anim

    def _process_engine_datagrams(self, now: float):
        while True:
            try:
                data, ancillary, flags, address = self._sock.recvmsg(clad.MAX_PACKET_BUFFER_SIZE,
                                                                     socket.CMSG_SPACE(16))
            except BlockingIOError:
                return
            except OSError as error:
                # GetNextPacketFromEngine: a receive error disconnects the engine.
                self._event("receive error %s: disconnecting" % unix_dgram.errno_name(error))
                self._disconnect(unix_dgram.errno_name(error))
                return
            arrived = self._arrival_time(ancillary)
            if not data:
                # recvfrom() == 0: Recv() reports "nothing" and the tick's loop ends.
                self._record_received(data, address, "empty", arrived)
                return
            if self._client is None and not self._add_client(address) and self._sock is None:
                self.wire_log.record("anim", "received", LINK_ANIM, data, peer=address,
                                     outcome="aborted", epoch=self.epoch)
                return          # the process is gone
            if data == clad.CONNECTION_PACKET:
                self._record_received(data, address, "connection_packet", arrived)
                return          # Recv() returned 0: no more datagrams this tick
            outcome = self._classify(data, flags)
            record = self._record_received(data, address, outcome, arrived)
            if outcome in ("processed", "unchecked_size"):
                self._handle(data, record.index, now)

    def _record_received(self, data, address, outcome, arrived=None):
        if outcome not in ("processed", "unchecked_size", "connection_packet"):
            self.drop_counts[outcome] += 1
        return self.wire_log.record("anim", "received", LINK_ANIM, data, peer=address,
                                    outcome=outcome, epoch=self.epoch, arrived=arrived)

    def _arrival_time(self, ancillary):
        """The kernel's SO_TIMESTAMPNS stamp, moved onto this process's clock."""
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(payload) >= 16:
                seconds, nanoseconds = struct.unpack("qq", payload[:16])
                waited = time.time() - (seconds + nanoseconds / 1e9)
                return self.clock() - max(0.0, waited)
        return None

    def _add_client(self, address) -> bool:
        if not address:
            self._crash("the first datagram came from a sender with no bound name: "
                        "LocalUdpServer::AddClient builds std::string(sun_path, saddrlen - 2) "
                        "with saddrlen 0 (LocalUdpServer.cpp:41-44, 238)")
            return False
        try:
            self._sock.connect(address)
        except OSError as error:
            self._event("connect to %s failed: %s" % (address, unix_dgram.errno_name(error)))
            return False
        self._client = address
        self.client_history.append((self.clock(), address))
        self._event("new client %s" % address)
        return True

    def _crash(self, reason: str):
        """The process aborts: its socket closes and it ticks no more."""
        self.crashes.append((self.clock(), reason))
        self._event("ABORTED: %s" % reason)
        self._stop.set()
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._client = None

    def _classify(self, data: bytes, flags: int) -> str:
        if flags & socket.MSG_TRUNC:
            return "truncated"
        if data[0] not in clad.ENGINE_TO_ROBOT_TAGS or (
                data[0] == clad.TAG_EXIT_CC_SCREEN and not self.firmware.has_exit_cc_screen):
            return "invalid_tag"
        expected = clad.expected_engine_to_anim_size(data, self.firmware)
        if expected is None:
            return "unchecked_size"     # a real message whose layout this simulator lacks
        if expected != len(data):
            return "wrong_size"
        return "processed"

    def _handle(self, data: bytes, index: int, now: float):
        tag = data[0]
        self.handled_counts[clad.message_name(data)] += 1
        if tag == clad.TAG_PLAY_ANIM:
            self._play_anim(clad.decode_play_anim(data), index)
        elif tag == clad.TAG_ABORT_ANIMATION:
            self._abort_animation(data[1])
        elif tag == clad.TAG_SET_FULL_ANIM_TRACK_LOCK_STATE:
            self._locked_tracks = data[1]
        elif tag == clad.TAG_TEXT_TO_SPEECH_PREPARE:
            self._tts_prepare(clad.decode_text_to_speech_prepare(data), index, now)
        elif tag == clad.TAG_TEXT_TO_SPEECH_PLAY:
            self._tts_play(data[1], index, now)
        elif tag == clad.TAG_TEXT_TO_SPEECH_CANCEL:
            self._tts_cancel(data[1], index, now)
        elif tag == clad.TAG_DRAW_TEXT_ON_SCREEN:
            length = data[8]
            self.custom_text = data[9:9 + length].decode("utf-8", "replace")
            self.screen_texts.append(self.custom_text)
            if data[1] and self._face_screen != "custom_text":
                self._face_screen = "custom_text"
                self._face_screen_until = now + CUSTOM_TEXT_SCREEN_TIMEOUT_S
                self.custom_text_screens += 1
                self._event("face switched to the CustomText screen: eyes blanked, long-press "
                            "shutdown off, for %.0f s" % CUSTOM_TEXT_SCREEN_TIMEOUT_S)
        elif tag == clad.TAG_EXIT_CC_SCREEN:
            self._face_screen = "animated"
        elif tag == clad.TAG_SET_TRIGGER_WORD_RESPONSE:
            self._trigger_response = clad.decode_set_trigger_word_response(data)
        elif tag == clad.TAG_FAKE_WAKE_WORD:
            self._fake_wake_word(now)
        elif tag == clad.TAG_START_WAKEWORDLESS_STREAMING:
            self._wakewordless_stream(data[1], now)

    # ------------------------------------------------------------ microphones

    def _fake_wake_word(self, now: float):
        """MicDataSystem::FakeTriggerWordDetection (micDataSystem.cpp:278-311):
        a muted microphone is unmuted first; then the same path as a real
        wake word (micDataProcessor.cpp:185-248): nothing while a stream is
        open or while the engine's response opens none; else the get-in,
        TriggerWordDetected (isButtonPress=1) to the engine, and a Normal
        stream to vic-cloud (6.05 s at most, micDataTypes.h:37)."""
        was_muted = self.mic_muted
        if was_muted:
            self._set_mic_muted(False)
            self._event("FakeWakeWord unmuted the microphone")
            self.unmuted_by_fake_wake_word += 1
        response = self._trigger_response
        if now < self._stream_until:
            self._event("FakeWakeWord ignored: a stream is open")
            return
        if response is None or response["audio_event"] == 0:
            self._event("FakeWakeWord ignored: no valid trigger-word response")
            return
        will_stream = response["start_stream"]
        self._pending_trigger_words.append(clad.encode_trigger_word_detected(
            0, 12, True, was_muted, will_stream))
        if will_stream:
            self._stream_until = now + NORMAL_STREAM_MAX_S
            self.streams_opened.append((now, "normal"))
            self._event("listening: a Normal stream to vic-cloud opened")

    def _wakewordless_stream(self, stream_type: int, now: float):
        """MicDataSystem::StartWakeWordlessStreaming (animProcessMessages.cpp:
        416-425, micDataSystem.cpp:214-265): ignored while a stream is open,
        and when the engine's trigger-word response opens none; else a stream
        of the type asked for goes to vic-cloud, which answers by that type
        (a KnowledgeGraph stream is answered by the knowledge graph)."""
        name = clad.STREAM_TYPE_NAMES.get(stream_type, "type %d" % stream_type)
        response = self._trigger_response
        if now < self._stream_until:
            self._event("StartWakeWordlessStreaming (%s) ignored: a stream is open" % name)
            return
        if response is None or response["audio_event"] == 0 or not response["start_stream"]:
            self._event("StartWakeWordlessStreaming (%s) ignored: cannot stream to vic-cloud" % name)
            return
        self._stream_until = now + NORMAL_STREAM_MAX_S
        self.streams_opened.append((now, name))
        self._event("listening: a %s stream to vic-cloud opened without a wake word" % name)

    def stream_open(self) -> bool:
        with self._lock:
            return self.clock() < self._stream_until

    def set_mic_muted(self, muted: bool):
        """The backpack's double press (ToggleMicMute, micDataSystem.cpp:862-899)."""
        with self._lock:
            self._set_mic_muted(muted)

    def _set_mic_muted(self, muted: bool):
        self.mic_muted = muted
        if self.mic_muted_file is None:
            return
        if muted:
            open(self.mic_muted_file, "a").close()
        elif os.path.exists(self.mic_muted_file):
            os.unlink(self.mic_muted_file)

    # -------------------------------------------------------------- animations

    def _play_anim(self, message: clad.PlayAnim, index: int):
        duration = self.clip_durations_ms.get(message.anim_name)
        if self._animation is not None:
            self._abort_animation(0)
        if duration is None:
            self._event("PlayAnim of unknown clip %r (tag %d): nothing plays"
                        % (message.anim_name, message.tag))
            return
        self._animation = _Animation(message.anim_name, message.tag, duration,
                                     message.num_loops, message.start_at_ms, index)

    def _abort_animation(self, tag: int):
        current = self._animation
        if current is None or not (tag == current.tag or tag == 0):
            return
        if current.start_sent:
            self._send(clad.encode_animation_ended(current.tag, current.name, True,
                                                   current.relative_ms),
                       regarding=current.request_index)
            self._event("AnimationEnded %s tag %d (aborted)" % (current.name, current.tag))
        self._animation = None
        self._tracks_in_use = 0

    def _update_animation_streamer(self):
        current = self._animation
        advance = True
        if current is not None:
            if current.end_sent:
                # IsStreamingAnimFinished: loop again or let go.
                current.loop += 1
                if current.num_loops == 0 or current.loop < current.num_loops:
                    current.relative_ms, current.start_sent, current.end_sent = 0, False, False
                    advance = False
                else:
                    self._animation = None
                    self._tracks_in_use = 0
            else:
                if not current.start_sent:
                    current.start_sent = True
                    if current.loop == 0:
                        self._send(clad.encode_animation_started(current.tag, current.name),
                                   regarding=current.request_index)
                        self._event("AnimationStarted %s tag %d" % (current.name, current.tag))
                self._tracks_in_use = ANIMATION_TRACKS & ~self._locked_tracks
                if current.relative_ms >= current.duration_ms:
                    # SendEndOfAnimation also clears "start sent": an abort from
                    # here until the next loop starts produces no AnimationEnded.
                    current.end_sent = True
                    current.start_sent = False
                    self._tracks_in_use = 0
                    # numLoops is unsigned: numLoops - 1 never matches when it is 0.
                    if current.loop == current.num_loops - 1:
                        self._send(clad.encode_animation_ended(current.tag, current.name, False,
                                                               current.relative_ms),
                                   regarding=current.request_index)
                        self._event("AnimationEnded %s tag %d" % (current.name, current.tag))
            if advance and self._animation is current:
                current.relative_ms += int(self.tick_s * 1000)
        self._animation_state_countdown -= 1
        if self._animation_state_countdown <= 0:
            self._animation_state_countdown = self.animation_state_period_ticks
            if self.periodic_traffic_enabled:
                self._send(clad.encode_animation_state(self._locked_tracks, self._tracks_in_use,
                                                       self.firmware))

    # ---------------------------------------------------------- text to speech

    def _tts_prepare(self, message: clad.TextToSpeechPrepare, index: int, now: float):
        if not message.nul_terminated:
            self.violations.append("TextToSpeechPrepare ttsID %d: text fills all 1024 bytes "
                                   "with no NUL; the firmware reads past the array"
                                   % message.tts_id)
        if not message.text.strip(" "):
            self.violations.append("TextToSpeechPrepare ttsID %d: empty or all-space text; "
                                   "the firmware reads before the string's start "
                                   "(textToSpeechComponent.cpp:144)" % message.tts_id)
        if message.tts_id in self._utterances:
            self._send_tts_event(message.tts_id, clad.TTS_STATE_INVALID, 0.0, index)
            self._event("TTS Prepare reuses held ttsID %d: Invalid" % message.tts_id)
            return
        processed = processed_tts_text(message.text)
        estimate = (len(processed.encode("utf-8")) * TTS_ESTIMATE_MS_PER_BYTE
                    * message.duration_scalar)
        characters = max(1, len(message.text.strip(" ")))
        audio_ms = self.tts_ms_per_character * characters * max(message.duration_scalar, 0.01)
        self._utterances[message.tts_id] = _Utterance(
            message, index, now, audio_ms, estimate, self.tts_playable_after_s,
            self.tts_prepared_after_s)

    def _tts_play(self, tts_id: int, index: int, now: float):
        utterance = self._utterances.get(tts_id)
        if utterance is None:
            self._send_tts_event(tts_id, clad.TTS_STATE_INVALID, 0.0, index)
            self._event("TTS Play of unknown ttsID %d: Invalid" % tts_id)
            return
        if utterance.trigger_mode not in (clad.TTS_TRIGGER_MANUAL, clad.TTS_TRIGGER_KEYFRAME):
            self._send_tts_event(tts_id, clad.TTS_STATE_INVALID, 0.0, index)
            del self._utterances[tts_id]
            self._event("TTS Play of non-playable trigger mode, ttsID %d: Invalid" % tts_id)
            return
        if utterance.state == "preparing":
            self._send_tts_event(tts_id, clad.TTS_STATE_INVALID, 0.0, index)
            del self._utterances[tts_id]
            self._event("TTS Play of ttsID %d before it is playable: Invalid, discarded"
                        % tts_id)
            return
        self._start_playing(utterance, now)

    def _tts_cancel(self, tts_id: int, index: int, now: float):
        utterance = self._utterances.pop(tts_id, None)
        if utterance is not None and utterance.playing:
            self._event("TTS ttsID %d stopped" % tts_id)
            self._late_finished.append((now + self.tts_cancel_finished_after_s, tts_id,
                                        utterance.request_index))
        self._send_tts_event(tts_id, clad.TTS_STATE_INVALID, 0.0, index)

    def _start_playing(self, utterance: _Utterance, now: float):
        # PrepareAudioEngine replaces the TTS plugin's audio: whatever played ends.
        for other in list(self._utterances.values()):
            if other.playing and other is not utterance:
                self._finish(other)
        utterance.playing = True
        utterance.finish_due = now + utterance.audio_ms / 1000.0
        self._send_tts_event(utterance.tts_id, clad.TTS_STATE_PLAYING,
                             utterance.generated_ms(now), utterance.request_index)

    def _finish(self, utterance: _Utterance):
        self._utterances.pop(utterance.tts_id, None)
        self._send_tts_event(utterance.tts_id, clad.TTS_STATE_FINISHED, 0.0,
                             utterance.request_index)

    def _update_tts(self, now: float):
        for utterance in list(self._utterances.values()):
            if not utterance.playable_sent and now >= utterance.playable_due:
                utterance.playable_sent = True
                if not self.tts_play_before_prepared_is_invalid:
                    utterance.state = "playable"
                self._send_tts_event(utterance.tts_id, clad.TTS_STATE_PLAYABLE,
                                     utterance.estimate_ms, utterance.request_index)
                if utterance.trigger_mode == clad.TTS_TRIGGER_IMMEDIATE:
                    self._start_playing(utterance, now)
            if (utterance.playable_sent and not utterance.prepared_sent
                    and now >= utterance.prepared_due
                    and self._utterances.get(utterance.tts_id) is utterance):
                utterance.prepared_sent = True
                utterance.state = "prepared"
                self._send_tts_event(utterance.tts_id, clad.TTS_STATE_PREPARED,
                                     utterance.audio_ms, utterance.request_index)

    def _update_audio(self, now: float):
        for utterance in list(self._utterances.values()):
            if utterance.playing and now >= utterance.finish_due:
                self._finish(utterance)
        due = [late for late in self._late_finished if now >= late[0]]
        self._late_finished = [late for late in self._late_finished if now < late[0]]
        for _, tts_id, request_index in due:
            # OnUtteranceCompleted: Finished for the id, and its bundle erased,
            # whoever's it is now.
            successor = self._utterances.pop(tts_id, None)
            if successor is not None:
                self.late_finished_casualties.append(successor.text)
                self._event("late Finished of a cancelled ttsID %d ended its new utterance %r"
                            % (tts_id, successor.text))
            self._send_tts_event(tts_id, clad.TTS_STATE_FINISHED, 0.0, request_index)

    def _send_tts_event(self, tts_id: int, state: int, duration_ms: float, regarding: int):
        self._send(clad.encode_text_to_speech_event(tts_id, state, duration_ms),
                   regarding=regarding)
        if state != clad.TTS_STATE_INVALID:
            self._event("TTS ttsID %d %s" % (tts_id, clad.TTS_STATE_NAMES[state]))

    # ------------------------------------------------------------------ send

    def _send(self, datagram: bytes, regarding: Optional[int] = None) -> bool:
        if self._client is None:
            self.sends_without_client += 1
            return False
        # The time before the call: the receiver may have reacted before it returns.
        sending_at = self.clock()
        try:
            sent = self._sock.send(datagram)
        except OSError as error:
            self._disconnect(unix_dgram.errno_name(error))
            return False
        if sent != len(datagram):
            self._disconnect("short send %d/%d" % (sent, len(datagram)))
            return False
        self.wire_log.record("anim", "sent", LINK_ANIM, datagram, peer=self._client,
                             regarding=regarding, epoch=self.epoch, at=sending_at)
        return True

    def _disconnect(self, reason: str):
        """SendPacketToEngine failed: DisconnectEngine()."""
        try:
            unix_dgram.disconnect(self._sock)
        except OSError as error:
            self._event("disconnect failed: %s" % unix_dgram.errno_name(error))
        self.disconnects.append((self.clock(), reason))
        self._event("send to %s failed (%s): disconnected" % (self._client, reason))
        self._client = None
