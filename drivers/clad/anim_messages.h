#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "drivers/clad/firmware_layout.h"

namespace vic_r1::clad {

// The engine<->anim messages vic-r1 sends and reads, encoded and decoded
// exactly as messageEngineToRobot.clad and messageFromAnimProcess.clad lay
// them out. One datagram is one message: the union tag byte, then the
// packed payload. Encoders write into the caller's buffer and decoders
// return views into the datagram, so neither allocates.

// Largest datagram the two processes exchange ("at most 1400 bytes by
// generation"; vic-anim's receive buffer is 2048).
inline constexpr std::size_t kMaxAnimDatagramBytes = 2048;

// ---------------------------------------------------------------- engine -> anim

// TextToSpeechTriggerMode (textToSpeechTypes.clad, uint_8).
enum class TtsTriggerMode : std::uint8_t { kInvalid = 0, kImmediate = 1, kManual = 2, kKeyframe = 3 };

// CloudMic::StreamType (clad/src/clad/cloud/mic.clad:7-11): what vic-cloud
// is to do with a stream; vic-anim passes it on with the stream's Hotword.
enum class StreamType : std::uint8_t { kNormal = 0, kBlackjack = 1, kKnowledgeGraph = 2 };

// Where StartWakeWordlessStreaming's streamType sits in its datagram.
inline constexpr std::size_t kStreamTypeOffset = 1;

// AudioMetaData::SwitchState::Robot_Vic_External_Processing values (uint_32).
inline constexpr std::uint32_t kTtsStyleDefaultProcessed = 1906807385u;
inline constexpr std::uint32_t kTtsStyleUnprocessed = 860658140u;

// TextToSpeechPrepare carries `int_8 text[1024]`: 1023 characters and a NUL.
inline constexpr std::size_t kTtsTextFieldBytes = 1024;
inline constexpr std::size_t kMaxTtsTextBytes = kTtsTextFieldBytes - 1;

// AnimTrackFlag bits for SetFullAnimTrackLockState.
inline constexpr std::uint8_t kTrackHead = 0x01;
inline constexpr std::uint8_t kTrackLift = 0x02;
inline constexpr std::uint8_t kTrackBody = 0x04;
inline constexpr std::uint8_t kTrackFace = 0x08;
inline constexpr std::uint8_t kTrackEvent = 0x10;
inline constexpr std::uint8_t kTrackBackpack = 0x20;
inline constexpr std::uint8_t kTrackAudio = 0x40;

struct PlayAnim {
  std::uint32_t num_loops = 1;  // 0 loops until aborted
  std::uint32_t start_at_ms = 0;
  std::uint8_t tag = 0;
  bool render_in_eye_hue = true;
  std::string_view anim_name;  // a clip name; at most 255 bytes
};

struct AbortAnimation {
  std::uint8_t tag = 0;  // 0: whatever is playing
};

struct SetFullAnimTrackLockState {
  std::uint8_t track_lock_state = 0;  // kTrack* bits
};

struct ColorRgb {
  std::uint8_t r = 0, g = 0, b = 0;
};

// Always encoded with drawNow = 0, the .clad's default: the text is kept for
// the CustomText screen and the face goes on animating. drawNow = 1 would
// switch the face to that screen, blanking the eyes and disabling the
// long-press shutdown for up to 180 s (faceInfoScreenManager.cpp:485-497,
// 983-986, 1564-1572; faceInfoScreenTypes.h:57), and the only way back,
// ExitCCScreen, does not exist in every firmware family. So there is no
// field for it.
struct DrawTextOnScreen {
  ColorRgb text_color{255, 255, 255};
  ColorRgb background_color{0, 0, 0};
  std::string_view text;  // at most 255 bytes
};

struct TextToSpeechPrepare {
  std::uint32_t style = kTtsStyleDefaultProcessed;
  float duration_scalar = 1.0f;
  float pitch_scalar = 0.0f;  // not sent to 1.6-based firmware, which has no such field
  TtsTriggerMode trigger_mode = TtsTriggerMode::kManual;
  std::uint8_t tts_id = 0;
  std::string_view text;  // 1..1023 bytes, no NUL, not only spaces
};

struct TextToSpeechPlay {
  std::uint8_t tts_id = 0;
};

struct TextToSpeechCancel {
  std::uint8_t tts_id = 0;
};

// FakeWakeWordFromExternalInterface: no fields. vic-anim treats it as the
// backpack button's wake word (micDataSystem.cpp:278-311): the full
// listening turn, a Normal stream to vic-cloud included. It also unmutes a
// muted microphone (:287-294), so it must never be sent to a muted robot.
struct FakeWakeWord {};

// Each encode writes one datagram into `out` and sets `size`; it returns
// false, with `error` saying why there is no datagram, for a field too long,
// text the firmware mishandles, a buffer too small, or a layout that must
// not be injected into. After a failure the buffer may hold part of a
// message: send nothing from it.
bool encode(const FirmwareLayout& layout, const PlayAnim& message, std::uint8_t* out, std::size_t capacity,
            std::size_t& size, const char*& error);
bool encode(const FirmwareLayout& layout, const AbortAnimation& message, std::uint8_t* out, std::size_t capacity,
            std::size_t& size, const char*& error);
bool encode(const FirmwareLayout& layout, const SetFullAnimTrackLockState& message, std::uint8_t* out,
            std::size_t capacity, std::size_t& size, const char*& error);
bool encode(const FirmwareLayout& layout, const DrawTextOnScreen& message, std::uint8_t* out, std::size_t capacity,
            std::size_t& size, const char*& error);
bool encode(const FirmwareLayout& layout, const TextToSpeechPrepare& message, std::uint8_t* out,
            std::size_t capacity, std::size_t& size, const char*& error);
bool encode(const FirmwareLayout& layout, const TextToSpeechPlay& message, std::uint8_t* out, std::size_t capacity,
            std::size_t& size, const char*& error);
bool encode(const FirmwareLayout& layout, const TextToSpeechCancel& message, std::uint8_t* out,
            std::size_t capacity, std::size_t& size, const char*& error);
bool encode(const FirmwareLayout& layout, const FakeWakeWord& message, std::uint8_t* out, std::size_t capacity,
            std::size_t& size, const char*& error);

// What the bridge needs to know about a datagram from the engine: which
// animation tags and ttsIDs the engine is using, so ours never collide.
struct EngineToAnimMessage {
  enum class Kind {
    kOther,      // a message we do not decode; forwarded as it is
    kMalformed,  // one of ours whose size does not match the layout
    kPlayAnim,
    kAbortAnimation,
    kTextToSpeechPrepare,
    kTextToSpeechPlay,
    kTextToSpeechCancel,
    kSetTriggerWordResponse,
    kStartWakeWordlessStreaming,
  };
  Kind kind = Kind::kOther;
  std::uint8_t tag = 0;                                    // the union tag (first byte); 0 for an empty datagram
  std::uint8_t anim_tag = 0;                               // PlayAnim, AbortAnimation
  std::string_view anim_name;                              // PlayAnim
  std::uint8_t tts_id = 0;                                 // TextToSpeech*
  TtsTriggerMode trigger_mode = TtsTriggerMode::kInvalid;  // TextToSpeechPrepare
  std::string_view tts_text;                               // TextToSpeechPrepare: up to the first NUL
  // SetTriggerWordResponse: a wake word would start a stream to vic-cloud
  // (a valid audio event, and shouldTriggerWordStartStream).
  bool trigger_word_starts_stream = false;
  // StartWakeWordlessStreaming: the stream's CloudMic::StreamType.
  StreamType stream_type = StreamType::kNormal;
  const char* error = nullptr;  // kMalformed: why
};

EngineToAnimMessage decode_engine_to_anim(const FirmwareLayout& layout, const std::uint8_t* bytes,
                                          std::size_t size);

// ---------------------------------------------------------------- anim -> engine

// TextToSpeechState (textToSpeechTypes.clad, uint_8).
enum class TtsState : std::uint8_t {
  kInvalid = 0,
  kPreparing = 1,
  kPlayable = 2,
  kPrepared = 3,
  kPlaying = 4,
  kFinished = 5,
};

// RobotStatusFlag (robotStatusAndActions.clad:13-33): IS_BUTTON_PRESSED, the
// backpack button; IS_ON_CHARGER, which the engine's touch baseline watches.
inline constexpr std::uint32_t kRobotStatusButtonPressed = 0x00000010u;
inline constexpr std::uint32_t kRobotStatusOnCharger = 0x00001000u;

struct AnimToEngineMessage {
  enum class Kind {
    kOther,
    kMalformed,
    kRobotAvailable,
    kAnimationStarted,
    kAnimationEnded,
    kTextToSpeechEvent,
    kTriggerWordDetected,
    kRobotState,
  };
  Kind kind = Kind::kOther;
  std::uint8_t tag = 0;

  // AnimationStarted, AnimationEnded.
  std::uint8_t anim_tag = 0;
  std::string_view anim_name;
  std::uint32_t stream_time_anim_ended = 0;
  bool was_aborted = false;

  // TextToSpeechEvent.
  float expected_duration_ms = 0;
  std::uint8_t tts_id = 0;
  TtsState tts_state = TtsState::kInvalid;

  // TriggerWordDetected.
  std::uint32_t trigger_score = 0;
  std::uint16_t direction = 0;
  bool is_button_press = false;
  bool from_mute = false;
  bool will_open_stream = false;

  // RobotState: only the fields the agent reacts to.
  std::uint32_t robot_status = 0;
  std::uint16_t backpack_touch_raw = 0;

  const char* error = nullptr;
};

AnimToEngineMessage decode_anim_to_engine(const FirmwareLayout& layout, const std::uint8_t* bytes,
                                          std::size_t size);

}  // namespace vic_r1::clad
