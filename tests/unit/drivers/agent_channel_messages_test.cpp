// Standard and project headers before CppUTest's (its macros must not reach them).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/channel/agent_channel_messages.h"
#include "drivers/clad/anim_messages.h"

#include <CppUTest/TestHarness.h>

namespace {

using vic_r1::channel::AnimationPhase;
using vic_r1::channel::Command;
using vic_r1::channel::CommandKind;
using vic_r1::channel::decode_command;
using vic_r1::channel::decode_event;
using vic_r1::channel::encode_command;
using vic_r1::channel::encode_event;
using vic_r1::channel::Event;
using vic_r1::channel::EventKind;
using vic_r1::channel::kMaxChannelMessageBytes;
using vic_r1::channel::QuestionSource;
using vic_r1::clad::ColorRgb;
using vic_r1::clad::TtsState;
using vic_r1::clad::TtsTriggerMode;

using Bytes = std::vector<std::uint8_t>;

Bytes encoded(const Event& event) {
  std::array<std::uint8_t, kMaxChannelMessageBytes> out{};
  std::size_t size = 0;
  const char* error = nullptr;
  CHECK_TRUE_TEXT(encode_event(event, out.data(), out.size(), size, error), error);
  return Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(size));
}

Bytes encoded(const Command& command) {
  std::array<std::uint8_t, kMaxChannelMessageBytes> out{};
  std::size_t size = 0;
  const char* error = nullptr;
  CHECK_TRUE_TEXT(encode_command(command, out.data(), out.size(), size, error), error);
  return Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(size));
}

std::string text_of(std::string_view view) { return std::string(view); }

// One event of every kind, each field set to something other than its default.
std::vector<Event> one_event_of_every_kind() {
  std::vector<Event> events;
  Event question;
  question.kind = EventKind::kQuestion;
  question.question_source = QuestionSource::kKnowledgeResponse;
  question.intent = "intent_knowledge_response_extend";
  question.text = "why is the sky blue";
  events.push_back(question);
  for (EventKind kind : {EventKind::kWakeWord, EventKind::kBackTouched, EventKind::kButtonPressed}) {
    Event bare;
    bare.kind = kind;
    events.push_back(bare);
  }
  Event speech;
  speech.kind = EventKind::kSpeechState;
  speech.handle = 0x01020304;
  speech.speech_state = TtsState::kPlayable;
  speech.expected_duration_ms = 1234.5f;
  events.push_back(speech);
  Event animation;
  animation.kind = EventKind::kAnimationState;
  animation.handle = 0xFFFFFFFE;
  animation.animation_phase = AnimationPhase::kEnded;
  animation.animation_aborted = true;
  events.push_back(animation);
  Event failed;
  failed.kind = EventKind::kCommandFailed;
  failed.handle = 42;
  failed.text = "too many clips in flight";
  events.push_back(failed);
  Event link;
  link.kind = EventKind::kRobotLink;
  link.can_inject = true;
  link.text = "Vector 1.8 / OSKR / wire-os-victor";
  events.push_back(link);
  Event engine_speech;
  engine_speech.kind = EventKind::kEngineSpeech;
  engine_speech.text = "The sky looks blue because air scatters blue light the most.";
  events.push_back(engine_speech);
  Event server_answer;
  server_answer.kind = EventKind::kVoiceServerAnswer;
  server_answer.intent = "intent_knowledge_response_extend";
  server_answer.text = "Rayleigh scattering.";
  events.push_back(server_answer);
  return events;
}

std::vector<Command> one_command_of_every_kind() {
  std::vector<Command> commands;
  Command prepare;
  prepare.kind = CommandKind::kPrepareSpeech;
  prepare.handle = 7;
  prepare.tts_style = vic_r1::clad::kTtsStyleUnprocessed;
  prepare.duration_scalar = 1.5f;
  prepare.pitch_scalar = -0.25f;
  prepare.trigger_mode = TtsTriggerMode::kKeyframe;
  prepare.text = "The sky is blue because of Rayleigh scattering.";
  commands.push_back(prepare);
  for (CommandKind kind : {CommandKind::kPlaySpeech, CommandKind::kCancelSpeech, CommandKind::kAbortAnimation,
                           CommandKind::kHeartbeat}) {
    Command by_handle;
    by_handle.kind = kind;
    by_handle.handle = 0xA0B0C0D0;
    commands.push_back(by_handle);
  }
  Command play;
  play.kind = CommandKind::kPlayAnimation;
  play.handle = 9;
  play.num_loops = 0;
  play.anim_name = "anim_greeting_hello_01";
  commands.push_back(play);
  Command draw;
  draw.kind = CommandKind::kDrawText;
  draw.handle = 10;
  draw.text_color = ColorRgb{1, 2, 3};
  draw.background_color = ColorRgb{250, 251, 252};
  draw.text = "thinking...";
  commands.push_back(draw);
  Command locks;
  locks.kind = CommandKind::kLockTracks;
  locks.handle = 11;
  locks.track_lock_state = vic_r1::clad::kTrackHead | vic_r1::clad::kTrackFace;
  commands.push_back(locks);
  Command intent;
  intent.kind = CommandKind::kInjectIntent;
  intent.handle = 12;
  intent.intent = "intent_system_noaudio";
  intent.parameters = "{}";
  intent.metadata = "{\"query_text\":\"\"}";
  commands.push_back(intent);
  Command release;
  release.kind = CommandKind::kReleaseAll;
  release.handle = 13;
  commands.push_back(release);
  Command listen;
  listen.kind = CommandKind::kListenAgain;
  listen.handle = 14;
  commands.push_back(listen);
  return commands;
}

void check_same_event(const Event& expected, const Event& actual) {
  LONGS_EQUAL(static_cast<int>(expected.kind), static_cast<int>(actual.kind));
  switch (expected.kind) {
    case EventKind::kQuestion:
      LONGS_EQUAL(static_cast<int>(expected.question_source), static_cast<int>(actual.question_source));
      STRCMP_EQUAL(text_of(expected.intent).c_str(), text_of(actual.intent).c_str());
      STRCMP_EQUAL(text_of(expected.text).c_str(), text_of(actual.text).c_str());
      break;
    case EventKind::kWakeWord:
    case EventKind::kBackTouched:
    case EventKind::kButtonPressed:
      break;
    case EventKind::kSpeechState:
      UNSIGNED_LONGS_EQUAL(expected.handle, actual.handle);
      LONGS_EQUAL(static_cast<int>(expected.speech_state), static_cast<int>(actual.speech_state));
      DOUBLES_EQUAL(expected.expected_duration_ms, actual.expected_duration_ms, 0.0);
      break;
    case EventKind::kAnimationState:
      UNSIGNED_LONGS_EQUAL(expected.handle, actual.handle);
      LONGS_EQUAL(static_cast<int>(expected.animation_phase), static_cast<int>(actual.animation_phase));
      CHECK_EQUAL(expected.animation_aborted, actual.animation_aborted);
      break;
    case EventKind::kCommandFailed:
      UNSIGNED_LONGS_EQUAL(expected.handle, actual.handle);
      STRCMP_EQUAL(text_of(expected.text).c_str(), text_of(actual.text).c_str());
      break;
    case EventKind::kRobotLink:
      CHECK_EQUAL(expected.can_inject, actual.can_inject);
      STRCMP_EQUAL(text_of(expected.text).c_str(), text_of(actual.text).c_str());
      break;
    case EventKind::kEngineSpeech:
      STRCMP_EQUAL(text_of(expected.text).c_str(), text_of(actual.text).c_str());
      break;
    case EventKind::kVoiceServerAnswer:
      STRCMP_EQUAL(text_of(expected.intent).c_str(), text_of(actual.intent).c_str());
      STRCMP_EQUAL(text_of(expected.text).c_str(), text_of(actual.text).c_str());
      break;
  }
}

void check_same_command(const Command& expected, const Command& actual) {
  LONGS_EQUAL(static_cast<int>(expected.kind), static_cast<int>(actual.kind));
  UNSIGNED_LONGS_EQUAL(expected.handle, actual.handle);
  switch (expected.kind) {
    case CommandKind::kPrepareSpeech:
      UNSIGNED_LONGS_EQUAL(expected.handle, actual.handle);
      UNSIGNED_LONGS_EQUAL(expected.tts_style, actual.tts_style);
      DOUBLES_EQUAL(expected.duration_scalar, actual.duration_scalar, 0.0);
      DOUBLES_EQUAL(expected.pitch_scalar, actual.pitch_scalar, 0.0);
      LONGS_EQUAL(static_cast<int>(expected.trigger_mode), static_cast<int>(actual.trigger_mode));
      STRCMP_EQUAL(text_of(expected.text).c_str(), text_of(actual.text).c_str());
      break;
    case CommandKind::kPlaySpeech:
    case CommandKind::kCancelSpeech:
    case CommandKind::kAbortAnimation:
    case CommandKind::kHeartbeat:
      UNSIGNED_LONGS_EQUAL(expected.handle, actual.handle);
      break;
    case CommandKind::kPlayAnimation:
      UNSIGNED_LONGS_EQUAL(expected.handle, actual.handle);
      UNSIGNED_LONGS_EQUAL(expected.num_loops, actual.num_loops);
      STRCMP_EQUAL(text_of(expected.anim_name).c_str(), text_of(actual.anim_name).c_str());
      break;
    case CommandKind::kDrawText:
      LONGS_EQUAL(expected.text_color.r, actual.text_color.r);
      LONGS_EQUAL(expected.text_color.g, actual.text_color.g);
      LONGS_EQUAL(expected.text_color.b, actual.text_color.b);
      LONGS_EQUAL(expected.background_color.r, actual.background_color.r);
      LONGS_EQUAL(expected.background_color.g, actual.background_color.g);
      LONGS_EQUAL(expected.background_color.b, actual.background_color.b);
      STRCMP_EQUAL(text_of(expected.text).c_str(), text_of(actual.text).c_str());
      break;
    case CommandKind::kLockTracks:
      LONGS_EQUAL(expected.track_lock_state, actual.track_lock_state);
      break;
    case CommandKind::kInjectIntent:
      STRCMP_EQUAL(text_of(expected.intent).c_str(), text_of(actual.intent).c_str());
      STRCMP_EQUAL(text_of(expected.parameters).c_str(), text_of(actual.parameters).c_str());
      STRCMP_EQUAL(text_of(expected.metadata).c_str(), text_of(actual.metadata).c_str());
      break;
    case CommandKind::kReleaseAll:
    case CommandKind::kListenAgain:
      break;
  }
}

}  // namespace

TEST_GROUP(AgentChannelMessages) {
  Event event;
  Command command;
  const char* error = nullptr;
};

// ---- Round trips -----------------------------------------------------------------

TEST(AgentChannelMessages, EveryEventKindRoundTrips) {
  for (const Event& sent : one_event_of_every_kind()) {
    const Bytes bytes = encoded(sent);
    error = nullptr;
    CHECK_TRUE_TEXT(decode_event(bytes.data(), bytes.size(), event, error), error);
    check_same_event(sent, event);
  }
}

TEST(AgentChannelMessages, EveryCommandKindRoundTrips) {
  for (const Command& sent : one_command_of_every_kind()) {
    const Bytes bytes = encoded(sent);
    error = nullptr;
    CHECK_TRUE_TEXT(decode_command(bytes.data(), bytes.size(), command, error), error);
    check_same_command(sent, command);
  }
}

TEST(AgentChannelMessages, EverySpeechStateRoundTrips) {
  for (int state = 0; state <= 5; ++state) {
    Event sent;
    sent.kind = EventKind::kSpeechState;
    sent.handle = 3;
    sent.speech_state = static_cast<TtsState>(state);
    const Bytes bytes = encoded(sent);
    CHECK_TRUE(decode_event(bytes.data(), bytes.size(), event, error));
    LONGS_EQUAL(state, static_cast<int>(event.speech_state));
  }
}

TEST(AgentChannelMessages, EmptyTextsRoundTripAsEmpty) {
  Event sent;
  sent.kind = EventKind::kQuestion;
  const Bytes bytes = encoded(sent);
  UNSIGNED_LONGS_EQUAL(1 + 1 + 2 + 2, bytes.size());
  CHECK_TRUE(decode_event(bytes.data(), bytes.size(), event, error));
  CHECK_TRUE(event.text.empty());
  CHECK_TRUE(event.intent.empty());
}

TEST(AgentChannelMessages, LongestTextThatFitsTheChannelRoundTrips) {
  const std::string text(kMaxChannelMessageBytes - 1 - 4 - 2, 'a');
  Event sent;
  sent.kind = EventKind::kCommandFailed;
  sent.handle = 1;
  sent.text = text;
  const Bytes bytes = encoded(sent);
  UNSIGNED_LONGS_EQUAL(kMaxChannelMessageBytes, bytes.size());
  CHECK_TRUE(decode_event(bytes.data(), bytes.size(), event, error));
  UNSIGNED_LONGS_EQUAL(text.size(), event.text.size());
}

// ---- The bytes, worked by hand ---------------------------------------------------

TEST(AgentChannelMessages, SpeechStateEventBytesAreKindHandleStateDuration) {
  Event sent;
  sent.kind = EventKind::kSpeechState;
  sent.handle = 0x01020304;
  sent.speech_state = TtsState::kPrepared;
  sent.expected_duration_ms = 1500.0f;  // 0x44BB8000
  const Bytes expected = {0x05, 0x04, 0x03, 0x02, 0x01, 0x03, 0x00, 0x80, 0xBB, 0x44};
  CHECK_TRUE(encoded(sent) == expected);
}

TEST(AgentChannelMessages, EngineSpeechEventBytesAreKindAndLongText) {
  Event sent;
  sent.kind = EventKind::kEngineSpeech;
  sent.text = "Hi.";
  const Bytes expected = {9, 3, 0, 'H', 'i', '.'};
  CHECK_TRUE(encoded(sent) == expected);
}

TEST(AgentChannelMessages, VoiceServerAnswerEventBytesAreKindIntentAndAnswer) {
  Event sent;
  sent.kind = EventKind::kVoiceServerAnswer;
  sent.intent = "i";
  sent.text = "No.";
  const Bytes expected = {10, 1, 0, 'i', 3, 0, 'N', 'o', '.'};
  CHECK_TRUE(encoded(sent) == expected);
}

TEST(AgentChannelMessages, PlayAnimationCommandBytesAreKindHandleLoopsName) {
  Command sent;
  sent.kind = CommandKind::kPlayAnimation;
  sent.handle = 0x10;
  sent.num_loops = 2;
  sent.anim_name = "ab";
  const Bytes expected = {0x04, 0x10, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 'a', 'b'};
  CHECK_TRUE(encoded(sent) == expected);
}

// ---- What is refused -------------------------------------------------------------

TEST(AgentChannelMessages, EveryTruncatedEventIsRejected) {
  for (const Event& sent : one_event_of_every_kind()) {
    const Bytes bytes = encoded(sent);
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      error = nullptr;
      CHECK_FALSE(decode_event(bytes.data(), size, event, error));
      CHECK_TRUE(error != nullptr);
      STRCMP_CONTAINS(size == 0 ? "empty" : "shorter", error);
    }
  }
}

TEST(AgentChannelMessages, EveryTruncatedCommandIsRejected) {
  for (const Command& sent : one_command_of_every_kind()) {
    const Bytes bytes = encoded(sent);
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      error = nullptr;
      CHECK_FALSE(decode_command(bytes.data(), size, command, error));
      CHECK_TRUE(error != nullptr);
      STRCMP_CONTAINS(size == 0 ? "empty" : "shorter", error);
    }
  }
}

TEST(AgentChannelMessages, EveryOversizedEventIsRejected) {
  for (const Event& sent : one_event_of_every_kind()) {
    Bytes bytes = encoded(sent);
    bytes.push_back(0);
    error = nullptr;
    CHECK_FALSE(decode_event(bytes.data(), bytes.size(), event, error));
    STRCMP_CONTAINS("longer", error);
  }
}

TEST(AgentChannelMessages, EveryOversizedCommandIsRejected) {
  for (const Command& sent : one_command_of_every_kind()) {
    Bytes bytes = encoded(sent);
    bytes.push_back(0);
    error = nullptr;
    CHECK_FALSE(decode_command(bytes.data(), bytes.size(), command, error));
    STRCMP_CONTAINS("longer", error);
  }
}

TEST(AgentChannelMessages, StringLengthPastTheEndIsRejected) {
  // A CommandFailed whose text claims 5 bytes and carries 4.
  const Bytes bytes = {0x07, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 'o', 'o', 'p', 's'};
  CHECK_FALSE(decode_event(bytes.data(), bytes.size(), event, error));
  STRCMP_CONTAINS("shorter", error);
}

TEST(AgentChannelMessages, UnknownEventKindsAreRejected) {
  for (int kind = 0; kind <= 255; ++kind) {
    if (kind >= 1 && kind <= 10) continue;
    const Bytes bytes = {static_cast<std::uint8_t>(kind), 0, 0, 0, 0};
    error = nullptr;
    CHECK_FALSE(decode_event(bytes.data(), bytes.size(), event, error));
    STRCMP_CONTAINS("unknown event kind", error);
  }
}

TEST(AgentChannelMessages, UnknownCommandKindsAreRejected) {
  for (int kind = 0; kind <= 255; ++kind) {
    if (kind >= 1 && kind <= 11) continue;
    const Bytes bytes = {static_cast<std::uint8_t>(kind), 0, 0, 0, 0};
    error = nullptr;
    CHECK_FALSE(decode_command(bytes.data(), bytes.size(), command, error));
    STRCMP_CONTAINS("unknown command kind", error);
  }
}

TEST(AgentChannelMessages, TextTooLongForAU16LengthIsNotEncoded) {
  const std::string text(0x10000, 'x');
  std::vector<std::uint8_t> out(0x20000);
  Event too_long;
  too_long.kind = EventKind::kCommandFailed;
  too_long.text = text;
  std::size_t size = 0;
  CHECK_FALSE(encode_event(too_long, out.data(), out.size(), size, error));
  STRCMP_EQUAL("a text longer than 65535 bytes does not fit the channel", error);
  Command also_too_long;
  also_too_long.kind = CommandKind::kPrepareSpeech;
  also_too_long.handle = 1;
  also_too_long.text = text;
  error = nullptr;
  CHECK_FALSE(encode_command(also_too_long, out.data(), out.size(), size, error));
  STRCMP_EQUAL("a text longer than 65535 bytes does not fit the channel", error);
}

TEST(AgentChannelMessages, MessageLargerThanTheBufferIsNotEncoded) {
  Command sent;
  sent.kind = CommandKind::kPlayAnimation;
  sent.handle = 1;
  sent.anim_name = "anim_blink_01";
  std::array<std::uint8_t, 16> small{};  // 1 + 4 + 4 + 2 + 13 = 24 needed
  std::size_t size = 0;
  CHECK_FALSE(encode_command(sent, small.data(), small.size(), size, error));
  STRCMP_EQUAL("the output buffer is too small for the channel message", error);
  Event failed;
  failed.kind = EventKind::kCommandFailed;
  failed.text = "a reason longer than sixteen bytes";
  error = nullptr;
  CHECK_FALSE(encode_event(failed, small.data(), small.size(), size, error));
  STRCMP_EQUAL("the output buffer is too small for the channel message", error);
}

TEST(AgentChannelMessages, KindThisBuildDoesNotKnowIsNotEncoded) {
  std::array<std::uint8_t, kMaxChannelMessageBytes> out{};
  std::size_t size = 0;
  event.kind = static_cast<EventKind>(200);
  CHECK_FALSE(encode_event(event, out.data(), out.size(), size, error));
  STRCMP_EQUAL("unknown event kind on the channel", error);
  command.kind = static_cast<CommandKind>(200);
  CHECK_FALSE(encode_command(command, out.data(), out.size(), size, error));
  STRCMP_EQUAL("unknown command kind on the channel", error);
}
