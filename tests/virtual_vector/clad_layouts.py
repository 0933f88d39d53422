"""Byte layouts of the CLAD messages the virtual Vector exchanges, by hand.

This is the independent peer of vic-r1's own codec: every layout below was
derived from the .clad text of the firmware (1.8 / OSKR / wire-os-victor
family), never from vic-r1's C++ code, and is written out with explicit
struct formats so a reader can check it against the definition line by line.

CLAD wire rules used throughout: little-endian, fields in declaration order,
no padding; bool = 1 byte; enums use their declared storage; `string x` is a
u8 length then the bytes (no NUL); `string[uint_16] x` a u16 length then the
bytes; `T x[N]` exactly N elements; a union is one tag byte then the member.

Definitions (paths in the firmware tree):
  E2R = robot/clad/src/clad/robotInterface/messageEngineToRobot.clad
  R2E = robot/clad/src/clad/robotInterface/messageRobotToEngine.clad
  FAP = robot/clad/src/clad/robotInterface/messageFromAnimProcess.clad
  MIC = clad/src/clad/cloud/mic.clad
"""

import struct
from typing import NamedTuple, Optional

# ---------------------------------------------------------------------------
# Socket-level constants (coretech/messaging/shared/LocalUdpServer.h:26,
# socketConstants.h:31-43, animProcessMessages.cpp:74).

CONNECTION_PACKET = b"ANKICONN"        # 8 bytes, no NUL (a char array, not a string literal)
MAX_PACKET_BUFFER_SIZE = 2048           # receive buffer of anim and engine on their link
AI_SOCK_BUFFER_SIZE = 4096              # behaviorComponentCloudServer.cpp:67
SOCKET_BUFFER_SIZE = 256 * 1024         # LocalUdpServer.cpp:21-22, LocalUdpClient.cpp:21-22

ENGINE_ANIM_SERVER_NAME = "_engine_anim_server_0"
ENGINE_ANIM_CLIENT_NAME = "_engine_anim_client_0"
AI_SOCK_NAME = "ai_sock"
CLOUD_AI_CLIENT_NAME = "ai_sock_cp_ai"  # vector-cloud unixgram.go: path + "_" + "cp_ai"

# ---------------------------------------------------------------------------
# Union tags (explicit "= 0x.." values in E2R lines 769-922 and R2E 187-280).

# Engine -> anim/robot (EngineToRobot)
TAG_CALM_POWER_MODE = 0x04
TAG_DRIVE_WHEELS = 0x10
TAG_MOVE_HEAD = 0x13
TAG_STOP_ALL_MOTORS = 0x1C
TAG_SET_BACKPACK_LIGHTS = 0x1E
TAG_PLAY_ANIM = 0x50
TAG_SET_FULL_ANIM_TRACK_LOCK_STATE = 0x51
TAG_ADD_ANIM = 0x52
TAG_ABORT_ANIMATION = 0x53
TAG_SET_LOCALE = 0x54
TAG_DRAW_TEXT_ON_SCREEN = 0x55
TAG_EXIT_CC_SCREEN = 0x82                  # E2R 498-500, 880: no fields
TAG_FAKE_WAKE_WORD = 0x80                  # FakeWakeWordFromExternalInterface, E2R 597-600, 878: no fields
TAG_SET_TRIGGER_WORD_RESPONSE = 0x9A       # E2R 445-453, 894
TAG_START_WAKEWORDLESS_STREAMING = 0x99    # E2R 439-443, 893: u8 streamType, bool playGetIn
TAG_SET_KEEP_FACE_ALIVE_FOCUS = 0x5C
TAG_ENABLE_KEEP_FACE_ALIVE = 0x5D
TAG_ADD_OR_UPDATE_EYE_SHIFT = 0x5E
TAG_REMOVE_EYE_SHIFT = 0x5F
TAG_ADD_SQUINT = 0x60
TAG_REMOVE_SQUINT = 0x61
TAG_POST_AUDIO_EVENT = 0x70
TAG_TEXT_TO_SPEECH_PREPARE = 0x92
TAG_TEXT_TO_SPEECH_PLAY = 0x94
TAG_TEXT_TO_SPEECH_CANCEL = 0x95
TAG_BATTERY_STATUS = 0xAB
TAG_ENGINE_FULLY_LOADED = 0xAD

# Anim -> engine (RobotToEngine)
TAG_ROBOT_AVAILABLE = 0xD4
TAG_ANIMATION_EVENT = 0xD5
TAG_ANIMATION_STARTED = 0xD6
TAG_ANIMATION_ENDED = 0xD7
TAG_TRIGGER_WORD_DETECTED = 0xD9
TAG_MIC_DIRECTION = 0xDA
TAG_TEXT_TO_SPEECH_EVENT = 0xDB
TAG_MIC_DATA_STATE = 0xE9
TAG_ROBOT_STATE = 0xF0
TAG_ANIMATION_STATE = 0xF3

# Every member tag of union EngineToRobot (E2R 769-922). A datagram whose first
# byte is not one of these is invalid for anim and dropped.
ENGINE_TO_ROBOT_TAGS = frozenset(
    [0x02, 0x03, 0x04]
    + list(range(0x0A, 0x10))
    + list(range(0x10, 0x20))
    + list(range(0x20, 0x29)) + [0x2A, 0x2B, 0x2C, 0x2D, 0x2E]
    + list(range(0x30, 0x3A))
    + list(range(0x50, 0x5B)) + list(range(0x5C, 0x68))
    + list(range(0x70, 0x79))
    + [0x80, 0x81, 0x82]
    + [0x90, 0x91, 0x92, 0x94, 0x95] + list(range(0x96, 0x9E))
    + list(range(0xA0, 0xA7)) + list(range(0xAA, 0xB0)))

# Every member tag of union RobotToEngine (R2E 187-280).
ROBOT_TO_ENGINE_TAGS = frozenset(
    list(range(0xB0, 0xBE)) + list(range(0xC1, 0xC9)) + [0xCA, 0xCB, 0xCD, 0xCE]
    + [0xD0, 0xD1] + list(range(0xD3, 0xEE)) + [0xF0, 0xF2, 0xF3])

# ---------------------------------------------------------------------------
# Enums used in payloads.

# AnimTrackFlag (types/animationTypes.clad:9-20), enum uint_8.
TRACK_HEAD = 0x01
TRACK_LIFT = 0x02
TRACK_BODY = 0x04
TRACK_FACE = 0x08
TRACK_EVENT = 0x10
TRACK_BACKPACK_LIGHTS = 0x20
TRACK_AUDIO = 0x40

# TextToSpeechTriggerMode (types/textToSpeechTypes.clad:27-33), enum uint_8.
TTS_TRIGGER_INVALID = 0
TTS_TRIGGER_IMMEDIATE = 1
TTS_TRIGGER_MANUAL = 2
TTS_TRIGGER_KEYFRAME = 3

# TextToSpeechState (types/textToSpeechTypes.clad:48-56), enum uint_8.
TTS_STATE_INVALID = 0
TTS_STATE_PREPARING = 1
TTS_STATE_PLAYABLE = 2
TTS_STATE_PREPARED = 3
TTS_STATE_PLAYING = 4
TTS_STATE_FINISHED = 5
TTS_STATE_NAMES = {0: "Invalid", 1: "Preparing", 2: "Playable", 3: "Prepared",
                   4: "Playing", 5: "Finished"}

# AudioMetaData::SwitchState::Robot_Vic_External_Processing
# (robot/clad/src/clad/audio/audioSwitchTypes.clad:19-24), enum uint_32.
TTS_STYLE_DEFAULT_PROCESSED = 1906807385
TTS_STYLE_UNPROCESSED = 860658140

# RobotStatusFlag (types/robotStatusAndActions.clad:13-41), enum uint_32.
STATUS_IS_BUTTON_PRESSED = 0x00000010
STATUS_IS_ON_CHARGER = 0x00001000
STATUS_CALM_POWER_MODE = 0x00000400

# AudioMetaData::GameObjectType (audio/audioGameObjectTypes.clad:6), enum
# uint_64 (note: 8 bytes on the wire); Behavior is the 6th value.
AUDIO_GAME_OBJECT_BEHAVIOR = 5

# TextToSpeechPrepare.text is `int_8 text[1024]` (E2R 622).
TTS_TEXT_ARRAY_SIZE = 1024


def _string_u8(text: bytes) -> bytes:
    """`string x`: u8 length then the bytes."""
    if len(text) > 255:
        raise ValueError("CLAD string longer than 255 bytes: %d" % len(text))
    return struct.pack("<B", len(text)) + text


def _as_bytes(text) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


# ===========================================================================
# Engine -> anim messages
# ===========================================================================

# PlayAnim (E2R 321-328):
#   uint_32 numLoops = 1, uint_32 startAt_ms = 0, uint_8 tag,
#   bool renderInEyeHue = 1, string animName
# = tag(1) + 4 + 4 + 1 + 1 + u8 len(1) + name  ->  12 + len(name) bytes.
PLAY_ANIM_FIXED = "<BIIBBB"


def encode_play_anim(anim_name, tag: int, num_loops: int = 1, start_at_ms: int = 0,
                     render_in_eye_hue: bool = True) -> bytes:
    name = _as_bytes(anim_name)
    return struct.pack("<BIIBB", TAG_PLAY_ANIM, num_loops, start_at_ms, tag,
                       1 if render_in_eye_hue else 0) + _string_u8(name)


class PlayAnim(NamedTuple):
    num_loops: int
    start_at_ms: int
    tag: int
    render_in_eye_hue: bool
    anim_name: str


def decode_play_anim(datagram: bytes) -> PlayAnim:
    _, loops, start, tag, eye_hue, length = struct.unpack_from(PLAY_ANIM_FIXED, datagram)
    name = datagram[12:12 + length].decode("utf-8", "replace")
    return PlayAnim(loops, start, tag, bool(eye_hue), name)


# SetFullAnimTrackLockState (E2R 385-388): uint_8 trackLockState -> 2 bytes.
def encode_set_full_anim_track_lock_state(track_lock_state: int) -> bytes:
    return struct.pack("<BB", TAG_SET_FULL_ANIM_TRACK_LOCK_STATE, track_lock_state)


# AbortAnimation (E2R 332-335): uint_8 tag (0 = whatever plays) -> 2 bytes.
def encode_abort_animation(tag: int) -> bytes:
    return struct.pack("<BB", TAG_ABORT_ANIMATION, tag)


# DrawTextOnScreen (E2R 483-491, ColorRGB 476-481 = 3 x uint_8):
#   bool drawNow = 0, ColorRGB textColor, ColorRGB bgColor, string text
# = tag(1) + 1 + 3 + 3 + u8 len(1) + text  ->  9 + len(text) bytes.
def encode_draw_text_on_screen(text, text_rgb=(255, 255, 255), background_rgb=(0, 0, 0),
                               draw_now: bool = False) -> bytes:
    return (struct.pack("<BB3B3B", TAG_DRAW_TEXT_ON_SCREEN, 1 if draw_now else 0,
                        *text_rgb, *background_rgb) + _string_u8(_as_bytes(text)))


def encode_set_trigger_word_response(audio_event: int, start_stream: bool = True,
                                     simulate_stream: bool = False, get_in_tag: int = 0,
                                     get_in_name: str = "", game_object: int = 0,
                                     min_streaming_ms: int = -1) -> bytes:
    # GameObjectType is an enum uint_64, GenericEvent an enum uint_32
    # (audioGameObjectTypes.clad:6, audioEventTypes.clad); Invalid = 0.
    return (bytes([TAG_SET_TRIGGER_WORD_RESPONSE]) + struct.pack("<QIHHi", game_object, audio_event, 0, 0,
                                                                  min_streaming_ms)
            + bytes([int(start_stream), int(simulate_stream), get_in_tag]) + _string_u8(_as_bytes(get_in_name)))


def decode_set_trigger_word_response(datagram: bytes):
    game_object, audio_event, _, _, _ = struct.unpack_from("<QIHHi", datagram, 1)
    return {"audio_event": audio_event, "start_stream": bool(datagram[21]),
            "simulate_stream": bool(datagram[22])}


# CloudMic::StreamType (MIC 7-11).
STREAM_NORMAL, STREAM_BLACKJACK, STREAM_KNOWLEDGE_GRAPH = 0, 1, 2
STREAM_TYPE_NAMES = {STREAM_NORMAL: "normal", STREAM_BLACKJACK: "blackjack",
                     STREAM_KNOWLEDGE_GRAPH: "knowledge_graph"}


def encode_start_wakewordless_streaming(stream_type: int, play_get_in: bool = False) -> bytes:
    return bytes([TAG_START_WAKEWORDLESS_STREAMING, stream_type, int(play_get_in)])


def knowledge_stream_made_normal(datagram: bytes) -> bytes:
    """What vic-r1 forwards for a StartWakeWordlessStreaming of a
    KnowledgeGraph stream while it captures knowledge questions; every other
    datagram as it is."""
    if (len(datagram) == 3 and datagram[0] == TAG_START_WAKEWORDLESS_STREAMING
            and datagram[1] == STREAM_KNOWLEDGE_GRAPH):
        return bytes([TAG_START_WAKEWORDLESS_STREAMING, STREAM_NORMAL, datagram[2]])
    return datagram


def encode_fake_wake_word() -> bytes:
    return bytes([TAG_FAKE_WAKE_WORD])


def encode_exit_cc_screen() -> bytes:
    return bytes([TAG_EXIT_CC_SCREEN])


# TextToSpeechPrepare (E2R 616-623):
#   Robot_Vic_External_Processing style (enum uint_32), float_32 durationScalar,
#   float_32 pitchScalar, TextToSpeechTriggerMode triggerMode (uint_8),
#   uint_8 ttsID, int_8 text[1024]
# = tag(1) + 4 + 4 + 4 + 1 + 1 + 1024 = 1039 bytes. The engine copies the
# string and its NUL into a zeroed array (textToSpeechCoordinator.cpp:172).
# The 1.6 rebuilds have no pitchScalar (victor-1.6-rebuild E2R 613-619): 1035.
TTS_PREPARE_FORMAT = "<BIffBB1024s"
TTS_PREPARE_FORMAT_NO_PITCH = "<BIfBB1024s"
TTS_PREPARE_SIZE = struct.calcsize(TTS_PREPARE_FORMAT)
TTS_PREPARE_SIZE_NO_PITCH = struct.calcsize(TTS_PREPARE_FORMAT_NO_PITCH)
assert TTS_PREPARE_SIZE == 1039 and TTS_PREPARE_SIZE_NO_PITCH == 1035


class Firmware(NamedTuple):
    """The layouts that differ between the firmware families the fakes play."""
    name: str
    tts_prepare_has_pitch: bool
    # AnimationState: 1.8 lockedTracks, tracksInUse (FAP 33-37, 3 bytes); the
    # 1.6 rebuilds put uint_32 numProcAnimFaceKeyframes first (7 bytes).
    animation_state_has_keyframe_count: bool
    has_exit_cc_screen: bool      # E2R 0x82 exists in 1.8 only

    @property
    def tts_prepare_size(self) -> int:
        return TTS_PREPARE_SIZE if self.tts_prepare_has_pitch else TTS_PREPARE_SIZE_NO_PITCH

    @property
    def animation_state_size(self) -> int:
        return 7 if self.animation_state_has_keyframe_count else 3


FIRMWARE_18 = Firmware("1.8", True, False, True)
FIRMWARE_16 = Firmware("1.6", False, True, False)
FIRMWARE_16_PITCH = Firmware("1.6-pitch", True, True, False)
FIRMWARES = {firmware.name: firmware for firmware in (FIRMWARE_18, FIRMWARE_16, FIRMWARE_16_PITCH)}


def is_text_to_speech_prepare(datagram: bytes) -> bool:
    return (datagram[:1] == bytes([TAG_TEXT_TO_SPEECH_PREPARE])
            and len(datagram) in (TTS_PREPARE_SIZE, TTS_PREPARE_SIZE_NO_PITCH))


def encode_text_to_speech_prepare(text, tts_id: int, trigger_mode: int = TTS_TRIGGER_MANUAL,
                                  style: int = TTS_STYLE_DEFAULT_PROCESSED,
                                  duration_scalar: float = 1.0,
                                  pitch_scalar: float = 0.0,
                                  firmware: Firmware = FIRMWARE_18) -> bytes:
    raw = _as_bytes(text)
    if len(raw) > TTS_TEXT_ARRAY_SIZE - 1:
        raise ValueError("TTS text longer than 1023 bytes: %d" % len(raw))
    # struct's "1024s" pads with NULs: the terminator and the zeroed rest.
    if not firmware.tts_prepare_has_pitch:
        return struct.pack(TTS_PREPARE_FORMAT_NO_PITCH, TAG_TEXT_TO_SPEECH_PREPARE, style,
                           duration_scalar, trigger_mode, tts_id, raw)
    return struct.pack(TTS_PREPARE_FORMAT, TAG_TEXT_TO_SPEECH_PREPARE, style, duration_scalar,
                       pitch_scalar, trigger_mode, tts_id, raw)


class TextToSpeechPrepare(NamedTuple):
    style: int
    duration_scalar: float
    pitch_scalar: float
    trigger_mode: int
    tts_id: int
    text: str
    nul_terminated: bool      # the firmware reads the array as a C string


def decode_text_to_speech_prepare(datagram: bytes) -> TextToSpeechPrepare:
    """Either layout, told apart by the size."""
    if len(datagram) == TTS_PREPARE_SIZE_NO_PITCH:
        _, style, duration, mode, tts_id, array = struct.unpack(TTS_PREPARE_FORMAT_NO_PITCH,
                                                                datagram)
        pitch = 0.0
    else:
        _, style, duration, pitch, mode, tts_id, array = struct.unpack(TTS_PREPARE_FORMAT,
                                                                       datagram)
    end = array.find(b"\0")
    raw = array if end < 0 else array[:end]
    return TextToSpeechPrepare(style, duration, pitch, mode, tts_id,
                               raw.decode("utf-8", "replace"), end >= 0)


# TextToSpeechPlay (E2R 628-630) and TextToSpeechCancel (635-637):
# uint_8 ttsID -> 2 bytes each.
def encode_text_to_speech_play(tts_id: int) -> bytes:
    return struct.pack("<BB", TAG_TEXT_TO_SPEECH_PLAY, tts_id)


def encode_text_to_speech_cancel(tts_id: int) -> bytes:
    return struct.pack("<BB", TAG_TEXT_TO_SPEECH_CANCEL, tts_id)


# SetBackpackLights (E2R 410-414) with LightState (types/ledTypes.clad:121-131):
#   LightState = uint_32 onColor, uint_32 offColor, uint_16 onPeriod_ms,
#     uint_16 offPeriod_ms, uint_16 transitionOnPeriod_ms,
#     uint_16 transitionOffPeriod_ms, int_16 offset_ms, uint_16 padding = 20 bytes
#   SetBackpackLights = LightState lights[3], uint_8 layer = 0
# = tag(1) + 3 x 20 + 1 = 62 bytes.
LIGHT_STATE_FORMAT = "IIHHHHhH"
SET_BACKPACK_LIGHTS_FORMAT = "<B" + LIGHT_STATE_FORMAT * 3 + "B"
assert struct.calcsize(SET_BACKPACK_LIGHTS_FORMAT) == 62


def encode_set_backpack_lights(on_color: int = 0x00FF00FF, off_color: int = 0,
                               on_period_ms: int = 1000, off_period_ms: int = 1000,
                               layer: int = 0) -> bytes:
    light = (on_color, off_color, on_period_ms, off_period_ms, 100, 100, 0, 0)
    return struct.pack(SET_BACKPACK_LIGHTS_FORMAT, TAG_SET_BACKPACK_LIGHTS, *light * 3, layer)


# EnableKeepFaceAlive (E2R 338-342): uint_32 disableTimeout_ms, bool enable
# = tag(1) + 4 + 1 = 6 bytes.
def encode_enable_keep_face_alive(enable: bool, disable_timeout_ms: int = 0) -> bytes:
    return struct.pack("<BIB", TAG_ENABLE_KEEP_FACE_ALIVE, disable_timeout_ms, 1 if enable else 0)


# SetKeepFaceAliveFocus (E2R 346-349): bool enable -> 2 bytes.
def encode_set_keep_face_alive_focus(enable: bool) -> bytes:
    return struct.pack("<BB", TAG_SET_KEEP_FACE_ALIVE_FOCUS, 1 if enable else 0)


# PostAudioEvent (robot/clad/src/clad/audio/audioMessage.clad:15-22):
#   GameObjectType gameObject (enum uint_64), GenericEvent audioEvent (enum
#   uint_32), uint_16 callbackId = 0, uint_16 padding = 0
# = tag(1) + 8 + 4 + 2 + 2 = 17 bytes.
def encode_post_audio_event(audio_event: int, game_object: int = AUDIO_GAME_OBJECT_BEHAVIOR,
                            callback_id: int = 0) -> bytes:
    return struct.pack("<BQIHH", TAG_POST_AUDIO_EVENT, game_object, audio_event, callback_id, 0)


# MoveHead (E2R 76-79): float_32 speed_rad_per_sec -> 5 bytes. Anim forwards
# it to vic-robot (animProcessMessages.cpp:703-710).
def encode_move_head(speed_rad_per_sec: float) -> bytes:
    return struct.pack("<Bf", TAG_MOVE_HEAD, speed_rad_per_sec)


# DriveWheels (E2R 49-55): 4 x float_32 -> 17 bytes. Forwarded to vic-robot.
def encode_drive_wheels(left_mmps: float, right_mmps: float,
                        left_accel: float = 0.0, right_accel: float = 0.0) -> bytes:
    return struct.pack("<Bffff", TAG_DRIVE_WHEELS, left_mmps, right_mmps, left_accel, right_accel)


# BatteryStatus (E2R 676-683): 5 x bool -> 6 bytes.
def encode_battery_status(is_low=False, is_charging=False, on_charger_contacts=False,
                          is_battery_full=False, is_battery_disconnected=False) -> bytes:
    return struct.pack("<B5B", TAG_BATTERY_STATUS, is_low, is_charging, on_charger_contacts,
                       is_battery_full, is_battery_disconnected)


# SetLocale (E2R 668-670): string locale -> 2 + len bytes.
def encode_set_locale(locale: str) -> bytes:
    return struct.pack("<B", TAG_SET_LOCALE) + _string_u8(_as_bytes(locale))


# ===========================================================================
# Anim -> engine messages
# ===========================================================================

# RobotAvailable (FAP 90-92): empty structure -> the tag alone, 1 byte.
def encode_robot_available() -> bytes:
    return struct.pack("<B", TAG_ROBOT_AVAILABLE)


# AnimationStarted (FAP 46-50): uint_8 tag, string animName -> 3 + len bytes.
def encode_animation_started(tag: int, anim_name) -> bytes:
    return struct.pack("<BB", TAG_ANIMATION_STARTED, tag) + _string_u8(_as_bytes(anim_name))


class AnimationStarted(NamedTuple):
    tag: int
    anim_name: str


def decode_animation_started(datagram: bytes) -> AnimationStarted:
    _, tag, length = struct.unpack_from("<BBB", datagram)
    return AnimationStarted(tag, datagram[3:3 + length].decode("utf-8", "replace"))


# AnimationEnded (FAP 52-58): uint_32 streamTimeAnimEnded, uint_8 tag,
#   bool wasAborted, string animName -> tag(1) + 4 + 1 + 1 + 1 + len = 8 + len.
def encode_animation_ended(tag: int, anim_name, was_aborted: bool,
                           stream_time_anim_ended: int) -> bytes:
    return (struct.pack("<BIBB", TAG_ANIMATION_ENDED, stream_time_anim_ended, tag,
                        1 if was_aborted else 0) + _string_u8(_as_bytes(anim_name)))


class AnimationEnded(NamedTuple):
    stream_time_anim_ended: int
    tag: int
    was_aborted: bool
    anim_name: str


def decode_animation_ended(datagram: bytes) -> AnimationEnded:
    _, stream_time, tag, aborted, length = struct.unpack_from("<BIBBB", datagram)
    return AnimationEnded(stream_time, tag, bool(aborted),
                          datagram[8:8 + length].decode("utf-8", "replace"))


# TextToSpeechEvent (FAP 67-72): float_32 expectedDuration_ms, uint_8 ttsID,
#   TextToSpeechState ttsState (uint_8) -> tag(1) + 4 + 1 + 1 = 7 bytes.
TTS_EVENT_FORMAT = "<BfBB"


def encode_text_to_speech_event(tts_id: int, state: int,
                                expected_duration_ms: float = 0.0) -> bytes:
    return struct.pack(TTS_EVENT_FORMAT, TAG_TEXT_TO_SPEECH_EVENT, expected_duration_ms,
                       tts_id, state)


class TextToSpeechEvent(NamedTuple):
    expected_duration_ms: float
    tts_id: int
    state: int


def decode_text_to_speech_event(datagram: bytes) -> TextToSpeechEvent:
    _, duration, tts_id, state = struct.unpack(TTS_EVENT_FORMAT, datagram)
    return TextToSpeechEvent(duration, tts_id, state)


# TriggerWordDetected (R2E 58-65): uint_32 triggerScore, uint_16 direction,
#   bool isButtonPress, bool fromMute, bool willOpenStream
# = tag(1) + 4 + 2 + 1 + 1 + 1 = 10 bytes.
TRIGGER_WORD_FORMAT = "<BIHBBB"
assert struct.calcsize(TRIGGER_WORD_FORMAT) == 10


def encode_trigger_word_detected(trigger_score: int = 900, direction: int = 0,
                                 is_button_press: bool = False, from_mute: bool = False,
                                 will_open_stream: bool = True) -> bytes:
    return struct.pack(TRIGGER_WORD_FORMAT, TAG_TRIGGER_WORD_DETECTED, trigger_score, direction,
                       is_button_press, from_mute, will_open_stream)


class TriggerWordDetected(NamedTuple):
    trigger_score: int
    direction: int
    is_button_press: bool
    from_mute: bool
    will_open_stream: bool


def decode_trigger_word_detected(datagram: bytes) -> TriggerWordDetected:
    _, score, direction, button, mute, stream = struct.unpack(TRIGGER_WORD_FORMAT, datagram)
    return TriggerWordDetected(score, direction, bool(button), bool(mute), bool(stream))


# RobotState (R2E 275 = 0xF0; structure in types/robotStatusAndActions.clad:111-134,
# with RobotPose 101-109, AccelData/GyroData/IMUDataFrame in types/imu.clad:20-35,
# ProxSensorDataRaw in types/proxMessages.clad:56-64). Offsets in the structure:
#     0 uint_32 timestamp            4 uint_32 pose_frame_id
#     8 uint_32 pose_origin_id      12 RobotPose pose (6 x float_32 = 24)
#    36 float_32 lwheel_speed_mmps  40 float_32 rwheel_speed_mmps
#    44 float_32 headAngle          48 float_32 liftAngle
#    52 AccelData accel (3 x f32)   64 GyroData gyro (3 x f32)
#    76 IMUDataFrame imuData[6]     (each uint_32 timestamp + GyroData = 16; 96 total)
#   172 float_32 batteryVoltage    176 float_32 chargerVoltage
#   180 uint_32 status             184 uint_16 cliffDataRaw[4]
#   192 ProxSensorDataRaw proxData (f32 f32 f32 u32 u16 u8 u8 = 20)
#   212 uint_16 backpackTouchSensorRaw
#   214 uint_8 cliffDetectedFlags  215 uint_8 whiteDetectedFlags
#   216 uint_8 battTemp_C          217 int_8 currPathSegment
# Structure size 218; with the union tag 219 bytes, and every datagram offset
# is the structure offset + 1: status at 181, backpackTouchSensorRaw at 213.
ROBOT_STATE_FORMAT = ("<B"          # union tag
                      "III"         # timestamp, pose_frame_id, pose_origin_id
                      "6f"          # pose
                      "ff"          # wheel speeds
                      "ff"          # headAngle, liftAngle
                      "3f3f"        # accel, gyro
                      + "I3f" * 6 + # imuData[6]
                      "ff"          # batteryVoltage, chargerVoltage
                      "I"           # status
                      "4H"          # cliffDataRaw[4]
                      "fffIHBB"     # proxData
                      "H"           # backpackTouchSensorRaw
                      "BBBb")       # cliff/white flags, battTemp_C, currPathSegment
ROBOT_STATE_SIZE = struct.calcsize(ROBOT_STATE_FORMAT)
ROBOT_STATE_STATUS_OFFSET = 181
ROBOT_STATE_TOUCH_OFFSET = 213
assert ROBOT_STATE_SIZE == 219


def encode_robot_state(timestamp: int, status: int, backpack_touch_raw: int,
                       battery_voltage: float = 3.9, head_angle: float = 0.0,
                       lift_angle: float = 0.0, cliff_raw: int = 1200,
                       battery_temp_c: int = 30) -> bytes:
    imu = []
    for frame in range(6):
        imu += [max(0, timestamp - 5 * (5 - frame)), 0.0, 0.0, 0.0]
    return struct.pack(
        ROBOT_STATE_FORMAT, TAG_ROBOT_STATE,
        timestamp, 1, 1,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0,
        head_angle, lift_angle,
        0.0, 0.0, 9810.0, 0.0, 0.0, 0.0,
        *imu,
        battery_voltage, 0.0,
        status,
        cliff_raw, cliff_raw, cliff_raw, cliff_raw,
        0.5, 0.1, 30.0, timestamp, 300, 0, 0,
        backpack_touch_raw,
        0, 0, battery_temp_c, -1)


class RobotStateSummary(NamedTuple):
    timestamp: int
    status: int
    backpack_touch_raw: int


def decode_robot_state(datagram: bytes) -> RobotStateSummary:
    """The fields a conversation agent cares about, read at their offsets."""
    (timestamp,) = struct.unpack_from("<I", datagram, 1)
    (status,) = struct.unpack_from("<I", datagram, ROBOT_STATE_STATUS_OFFSET)
    (touch,) = struct.unpack_from("<H", datagram, ROBOT_STATE_TOUCH_OFFSET)
    return RobotStateSummary(timestamp, status, touch)


# AnimationState (FAP 33-37): uint_8 lockedTracks, uint_8 tracksInUse -> 3 bytes.
def encode_animation_state(locked_tracks: int, tracks_in_use: int,
                           firmware: Firmware = FIRMWARE_18, face_keyframes: int = 0) -> bytes:
    if firmware.animation_state_has_keyframe_count:
        return struct.pack("<BIBB", TAG_ANIMATION_STATE, face_keyframes, locked_tracks,
                           tracks_in_use)
    return struct.pack("<BBB", TAG_ANIMATION_STATE, locked_tracks, tracks_in_use)


class AnimationState(NamedTuple):
    locked_tracks: int
    tracks_in_use: int


def decode_animation_state(datagram: bytes) -> AnimationState:
    if len(datagram) == 7:
        _, _, locked, in_use = struct.unpack("<BIBB", datagram)
        return AnimationState(locked, in_use)
    _, locked, in_use = struct.unpack("<BBB", datagram)
    return AnimationState(locked, in_use)


# MicDirection (R2E 67-78): uint_32 timestamp, uint_16 direction, int_16
#   confidence, uint_16 selectedDirection, int_16 selectedConfidence,
#   float_32 confidenceList[13], int_32 activeState, float_32 latestPowerValue,
#   float_32 latestNoiseFloor
# = tag(1) + 4 + 2 + 2 + 2 + 2 + 52 + 4 + 4 + 4 = 77 bytes.
MIC_DIRECTION_FORMAT = "<BIHhHh13fiff"
assert struct.calcsize(MIC_DIRECTION_FORMAT) == 77


def encode_mic_direction(timestamp: int, direction: int = 0) -> bytes:
    return struct.pack(MIC_DIRECTION_FORMAT, TAG_MIC_DIRECTION, timestamp, direction, 0,
                       direction, 0, *([0.0] * 13), 0, 0.0, 0.0)


# MicDataState (R2E 80-83): float_32 rawBufferFullness -> 5 bytes.
def encode_mic_data_state(raw_buffer_fullness: float = 0.0) -> bytes:
    return struct.pack("<Bf", TAG_MIC_DATA_STATE, raw_buffer_fullness)


# ===========================================================================
# Exact sizes: what anim (and the engine) compare a datagram's length with.
# ===========================================================================

class Layout(NamedTuple):
    name: str
    fixed_size: int                       # bytes with the tag; includes a string's length byte
    string_length_offset: Optional[int]   # datagram offset of a trailing `string` length


# Engine -> anim. Fixed sizes derived above; the trailing-string messages carry
# their u8 length at the offset given (everything before it is fixed).
ENGINE_TO_ANIM_LAYOUTS = {
    TAG_CALM_POWER_MODE: Layout("CalmPowerMode", 2, None),           # bool enable (E2R 213)
    TAG_DRIVE_WHEELS: Layout("DriveWheels", 17, None),
    TAG_MOVE_HEAD: Layout("MoveHead", 5, None),
    TAG_STOP_ALL_MOTORS: Layout("StopAllMotors", 1, None),           # empty (E2R 129)
    TAG_SET_BACKPACK_LIGHTS: Layout("SetBackpackLights", 62, None),
    TAG_PLAY_ANIM: Layout("PlayAnim", 12, 11),
    TAG_SET_FULL_ANIM_TRACK_LOCK_STATE: Layout("SetFullAnimTrackLockState", 2, None),
    TAG_ADD_ANIM: Layout("AddAnim", 2, 1),                          # string animPath (E2R 390)
    TAG_ABORT_ANIMATION: Layout("AbortAnimation", 2, None),
    TAG_SET_LOCALE: Layout("SetLocale", 2, 1),
    TAG_DRAW_TEXT_ON_SCREEN: Layout("DrawTextOnScreen", 9, 8),
    TAG_EXIT_CC_SCREEN: Layout("ExitCCScreen", 1, None),
    TAG_FAKE_WAKE_WORD: Layout("FakeWakeWordFromExternalInterface", 1, None),
    # SetTriggerWordResponse: PostAudioEvent (u64 gameObject, u32 audioEvent,
    # u16 callbackId, u16 padding; audioMessage.clad:15-22), i32
    # minStreamingDuration_ms, bool start, bool simulate, u8 getInAnimationTag,
    # string getInAnimationName -> 1+16+4+3 then the length byte at 24.
    TAG_SET_TRIGGER_WORD_RESPONSE: Layout("SetTriggerWordResponse", 25, 24),
    TAG_START_WAKEWORDLESS_STREAMING: Layout("StartWakeWordlessStreaming", 3, None),
    TAG_SET_KEEP_FACE_ALIVE_FOCUS: Layout("SetKeepFaceAliveFocus", 2, None),
    TAG_ENABLE_KEEP_FACE_ALIVE: Layout("EnableKeepFaceAlive", 6, None),
    # AddOrUpdateEyeShift (E2R 351-362): 2 x f32, u32, 5 x f32, string -> 1+32 then len.
    TAG_ADD_OR_UPDATE_EYE_SHIFT: Layout("AddOrUpdateEyeShift", 34, 33),
    # RemoveEyeShift (E2R 364-368): u32, string -> 1+4 then len.
    TAG_REMOVE_EYE_SHIFT: Layout("RemoveEyeShift", 6, 5),
    # AddSquint (E2R 370-376): 3 x f32, string -> 1+12 then len.
    TAG_ADD_SQUINT: Layout("AddSquint", 14, 13),
    # RemoveSquint (E2R 378-382): u32, string.
    TAG_REMOVE_SQUINT: Layout("RemoveSquint", 6, 5),
    TAG_POST_AUDIO_EVENT: Layout("PostAudioEvent", 17, None),
    TAG_TEXT_TO_SPEECH_PREPARE: Layout("TextToSpeechPrepare", TTS_PREPARE_SIZE, None),
    TAG_TEXT_TO_SPEECH_PLAY: Layout("TextToSpeechPlay", 2, None),
    TAG_TEXT_TO_SPEECH_CANCEL: Layout("TextToSpeechCancel", 2, None),
    TAG_BATTERY_STATUS: Layout("BatteryStatus", 6, None),
    TAG_ENGINE_FULLY_LOADED: Layout("EngineFullyLoaded", 1, None),   # empty (E2R 208)
}

# Anim -> engine.
ANIM_TO_ENGINE_LAYOUTS = {
    TAG_ROBOT_AVAILABLE: Layout("RobotAvailable", 1, None),
    # AnimationEvent (FAP 60-65): u32 timestamp, u8 tag, AnimEvent (enum uint_8,
    # types/animationEvents.clad) -> 1+4+1+1.
    TAG_ANIMATION_EVENT: Layout("AnimationEvent", 7, None),
    TAG_ANIMATION_STARTED: Layout("AnimationStarted", 3, 2),
    TAG_ANIMATION_ENDED: Layout("AnimationEnded", 8, 7),
    TAG_TRIGGER_WORD_DETECTED: Layout("TriggerWordDetected", 10, None),
    TAG_MIC_DIRECTION: Layout("MicDirection", 77, None),
    TAG_TEXT_TO_SPEECH_EVENT: Layout("TextToSpeechEvent", 7, None),
    TAG_MIC_DATA_STATE: Layout("MicDataState", 5, None),
    TAG_ROBOT_STATE: Layout("RobotState", ROBOT_STATE_SIZE, None),
    TAG_ANIMATION_STATE: Layout("AnimationState", 3, None),
}


def expected_size(datagram: bytes, layouts) -> Optional[int]:
    """The size the message in `datagram` must have, computed as CLAD would
    from its tag and (for a trailing string) its length byte.

    None when the tag's layout is not in `layouts` (not computable here). For
    a datagram too short to hold its string length, the fixed size is
    returned: it differs from the datagram's size, so the datagram is dropped.
    """
    if not datagram:
        return None
    layout = layouts.get(datagram[0])
    if layout is None:
        return None
    if layout.string_length_offset is None:
        return layout.fixed_size
    if len(datagram) <= layout.string_length_offset:
        return layout.fixed_size
    return layout.fixed_size + datagram[layout.string_length_offset]


def expected_engine_to_anim_size(datagram: bytes, firmware: Firmware = FIRMWARE_18
                                 ) -> Optional[int]:
    if datagram[:1] == bytes([TAG_TEXT_TO_SPEECH_PREPARE]):
        return firmware.tts_prepare_size
    return expected_size(datagram, ENGINE_TO_ANIM_LAYOUTS)


def expected_anim_to_engine_size(datagram: bytes, firmware: Firmware = FIRMWARE_18
                                 ) -> Optional[int]:
    if datagram[:1] == bytes([TAG_ANIMATION_STATE]):
        return firmware.animation_state_size
    return expected_size(datagram, ANIM_TO_ENGINE_LAYOUTS)


def message_name(datagram: bytes) -> str:
    """A readable name for logs: the message's name, or its tag in hex."""
    if not datagram:
        return "empty datagram"
    if datagram == CONNECTION_PACKET:
        return "ANKICONN"
    tag = datagram[0]
    layout = ENGINE_TO_ANIM_LAYOUTS.get(tag) or ANIM_TO_ENGINE_LAYOUTS.get(tag)
    return layout.name if layout else "tag 0x%02X" % tag


# ===========================================================================
# CloudMic::Message (vic-cloud -> vic-engine on ai_sock)
# ===========================================================================

# union dupes_allowed Message (MIC 71-89): no explicit values, so tags run
# from 0 in declaration order: hotword 0, audio 1, audioDone 2,
# connectionCheck 3, stopSignal 4, testStarted 5, streamTimeout 6,
# connectionResult 7, debugFile 8, result 9, error 10, streamOpen 11.
CLOUD_MIC_TAG_DEBUG_FILE = 8
CLOUD_MIC_TAG_RESULT = 9
CLOUD_MIC_TAG_ERROR = 10
CLOUD_MIC_TAG_STREAM_OPEN = 11
CLOUD_MIC_TAG_NAMES = ["hotword", "audio", "audioDone", "connectionCheck", "stopSignal",
                       "testStarted", "streamTimeout", "connectionResult", "debugFile",
                       "result", "error", "streamOpen"]


# IntentResult (MIC 53-57): string intent (u8 length), string[uint_16]
# parameters, string[uint_16] metadata
# = tag(1) + 1 + len(intent) + 2 + len(parameters) + 2 + len(metadata).
def encode_cloud_intent_result(intent, parameters, metadata) -> bytes:
    intent_b, params_b, meta_b = _as_bytes(intent), _as_bytes(parameters), _as_bytes(metadata)
    for name, value in (("parameters", params_b), ("metadata", meta_b)):
        if len(value) > 0xFFFF:
            raise ValueError("IntentResult.%s longer than 65535 bytes" % name)
    return (struct.pack("<B", CLOUD_MIC_TAG_RESULT) + _string_u8(intent_b)
            + struct.pack("<H", len(params_b)) + params_b
            + struct.pack("<H", len(meta_b)) + meta_b)


# IntentError (MIC 59-62): ErrorType error (enum uint_8), string extra.
def encode_cloud_intent_error(error_type: int, extra) -> bytes:
    return struct.pack("<BB", CLOUD_MIC_TAG_ERROR, error_type) + _string_u8(_as_bytes(extra))


class CloudIntentResult(NamedTuple):
    intent: str
    parameters: str
    metadata: str


class CloudIntentError(NamedTuple):
    error_type: int
    extra: str


class CloudOtherMessage(NamedTuple):
    kind: str
    payload: bytes


class MalformedCloudMessage(NamedTuple):
    reason: str
    datagram: bytes


def decode_cloud_mic(datagram: bytes):
    """Decode what vic-cloud sends on ai_sock; never raises."""
    try:
        tag = datagram[0]
        if tag == CLOUD_MIC_TAG_RESULT:
            pos = 1
            intent_len = datagram[pos]
            pos += 1
            intent = datagram[pos:pos + intent_len]
            pos += intent_len
            (params_len,) = struct.unpack_from("<H", datagram, pos)
            pos += 2
            params = datagram[pos:pos + params_len]
            pos += params_len
            (meta_len,) = struct.unpack_from("<H", datagram, pos)
            pos += 2
            meta = datagram[pos:pos + meta_len]
            pos += meta_len
            if pos != len(datagram) or len(intent) != intent_len or len(meta) != meta_len:
                return MalformedCloudMessage("IntentResult size %d != datagram %d"
                                             % (pos, len(datagram)), datagram)
            return CloudIntentResult(intent.decode("utf-8", "replace"),
                                     params.decode("utf-8", "replace"),
                                     meta.decode("utf-8", "replace"))
        if tag == CLOUD_MIC_TAG_ERROR:
            error_type, extra_len = datagram[1], datagram[2]
            if 3 + extra_len != len(datagram):
                return MalformedCloudMessage("IntentError size mismatch", datagram)
            return CloudIntentError(error_type, datagram[3:].decode("utf-8", "replace"))
        if tag < len(CLOUD_MIC_TAG_NAMES):
            return CloudOtherMessage(CLOUD_MIC_TAG_NAMES[tag], datagram[1:])
        return MalformedCloudMessage("unknown CloudMic tag %d" % tag, datagram)
    except (IndexError, struct.error) as error:
        return MalformedCloudMessage("truncated: %s" % error, datagram)
