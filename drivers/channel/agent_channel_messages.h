#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "drivers/clad/anim_messages.h"

namespace vic_r1::channel {

// The local channel between the bridge (parent) and the agent (child): one
// SOCK_SEQPACKET socketpair, one message per packet, encoded like CLAD
// (little-endian, packed, one kind byte in front) so both ends share the
// codec's cursors. Events go up to the agent, commands come down.
//
// The agent never sees animation tags or ttsIDs: it names each utterance and
// animation with a `handle` of its own, and the bridge maps handles to wire
// ids the engine is not using, so a collision with the engine's ids is the
// bridge's problem alone.

inline constexpr std::size_t kMaxChannelMessageBytes = 8192;

// ------------------------------------------------------------- events (up)

enum class EventKind : std::uint8_t {
  kQuestion = 1,        // the user asked something the agent owns
  kWakeWord = 2,        // "Hey Vector" (TriggerWordDetected)
  kBackTouched = 3,     // the back sensor rose above its baseline
  kButtonPressed = 4,   // the backpack button went down
  kSpeechState = 5,     // a TextToSpeechEvent for one of the agent's utterances
  kAnimationState = 6,  // AnimationStarted/Ended for one of the agent's clips
  kCommandFailed = 7,   // a command was refused or dropped; `reason` says why
  kRobotLink = 8,       // the link state: whether injecting is possible, and why not
  // vic-engine itself started an utterance (its own TextToSpeechPrepare, never
  // one of the agent's): `text` is what it will say. With wire-pod's LLM on,
  // this is how wire-pod's answer reaches the speaker (SDK SayText).
  kEngineSpeech = 9,
  // The voice server's knowledge-graph answer, with answer text of its own,
  // went to vic-engine (which speaks it): `intent` and the answer in `text`.
  kVoiceServerAnswer = 10,
};

// How the question reached the intent tap.
enum class QuestionSource : std::uint8_t {
  kUnmatchedIntent = 1,    // an intent whose metadata carried the transcript
  kKnowledgeResponse = 2,  // a knowledge-graph response with query_text
  kControl = 3,            // typed over SSH (`vic-r1 ask` through the bridge)
};

enum class AnimationPhase : std::uint8_t { kStarted = 1, kEnded = 2 };

struct Event {
  EventKind kind = EventKind::kQuestion;
  // kQuestion
  QuestionSource question_source = QuestionSource::kUnmatchedIntent;
  std::string_view text;    // kQuestion: the question; kCommandFailed: the reason;
                            // kRobotLink: the firmware description; kEngineSpeech:
                            // the engine's words; kVoiceServerAnswer: the server's answer
  std::string_view intent;  // kQuestion, kVoiceServerAnswer: the intent it arrived as
  // kSpeechState, kAnimationState, kCommandFailed
  std::uint32_t handle = 0;
  clad::TtsState speech_state = clad::TtsState::kInvalid;
  float expected_duration_ms = 0;
  AnimationPhase animation_phase = AnimationPhase::kStarted;
  bool animation_aborted = false;
  // kRobotLink
  bool can_inject = false;
};

// ---------------------------------------------------------- commands (down)

enum class CommandKind : std::uint8_t {
  kPrepareSpeech = 1,  // TextToSpeechPrepare (Manual: play with kPlaySpeech on Prepared)
  kPlaySpeech = 2,
  kCancelSpeech = 3,
  kPlayAnimation = 4,
  kAbortAnimation = 5,
  kDrawText = 6,
  kLockTracks = 7,
  kInjectIntent = 8,  // an IntentResult to vic-engine (e.g. "listen again")
  kHeartbeat = 9,     // the agent is alive; the bridge restarts it when these stop
  kReleaseAll = 10,   // cancel every utterance and abort every clip of the agent's
  kListenAgain = 11,  // open a new listening turn, as the backpack button does (conversation mode)
};

struct Command {
  CommandKind kind = CommandKind::kHeartbeat;
  // The agent's name for the utterance or clip; for other commands, any
  // number the agent wants a refusal to carry back.
  std::uint32_t handle = 0;
  // kPrepareSpeech
  std::uint32_t tts_style = clad::kTtsStyleDefaultProcessed;
  float duration_scalar = 1.0f;
  float pitch_scalar = 0.0f;
  clad::TtsTriggerMode trigger_mode = clad::TtsTriggerMode::kManual;
  std::string_view text;  // kPrepareSpeech, kDrawText
  // kPlayAnimation
  std::uint32_t num_loops = 1;
  std::string_view anim_name;
  // kDrawText
  clad::ColorRgb text_color{255, 255, 255};
  clad::ColorRgb background_color{0, 0, 0};
  // kLockTracks
  std::uint8_t track_lock_state = 0;
  // kInjectIntent
  std::string_view intent;
  std::string_view parameters;
  std::string_view metadata;
};

// A command with no fields beyond its kind and handle (Play, Cancel, Abort,
// ReleaseAll, ListenAgain, ...), the rest left at their defaults.
inline Command command_for(CommandKind kind, std::uint32_t handle) {
  Command command;
  command.kind = kind;
  command.handle = handle;
  return command;
}

// Encode into `out` (kMaxChannelMessageBytes is always enough for a message
// whose texts fit the channel). False, with `error`, when a text is longer
// than 65535 bytes, the kind is unknown or `out` is too small; then `out`
// may hold part of a message and nothing of it may be sent.
bool encode_event(const Event& event, std::uint8_t* out, std::size_t capacity, std::size_t& size,
                  const char*& error);
bool encode_command(const Command& command, std::uint8_t* out, std::size_t capacity, std::size_t& size,
                    const char*& error);

// Decode one packet; false (with `error`) when it is not a whole, known
// message. Views point into `bytes`.
bool decode_event(const std::uint8_t* bytes, std::size_t size, Event& event, const char*& error);
bool decode_command(const std::uint8_t* bytes, std::size_t size, Command& command, const char*& error);

}  // namespace vic_r1::channel
