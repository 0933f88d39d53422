// Standard and project headers before CppUTest's (its macros must not reach them).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/bridge/anim_link_router.h"
#include "drivers/channel/agent_channel_messages.h"
#include "drivers/clad/anim_messages.h"
#include "drivers/clad/firmware_layout.h"

#include <CppUTest/TestHarness.h>

namespace {

using vic_r1::bridge::AnimDatagramRoute;
using vic_r1::bridge::AnimLinkRouter;
using vic_r1::bridge::AnimLinkSink;
using vic_r1::bridge::FirmwareExpectation;
using vic_r1::bridge::LayoutConfirmation;
using vic_r1::channel::AnimationPhase;
using vic_r1::channel::Command;
using vic_r1::channel::CommandKind;
using vic_r1::channel::Event;
using vic_r1::channel::EventKind;
using vic_r1::clad::FirmwareFamily;
using vic_r1::clad::layout_for;
using vic_r1::clad::TtsState;

using Bytes = std::vector<std::uint8_t>;

// ---- The bridge's two sides, recorded -------------------------------------------

struct RecordedEvent {
  EventKind kind = EventKind::kQuestion;
  std::uint32_t handle = 0;
  TtsState speech_state = TtsState::kInvalid;
  float expected_duration_ms = 0;
  AnimationPhase animation_phase = AnimationPhase::kStarted;
  bool animation_aborted = false;
  std::string text;
};

class RecordingSink : public AnimLinkSink {
 public:
  bool inject_to_anim(const std::uint8_t* bytes, std::size_t size) override {
    ++injection_attempts;
    if (link_congested) return false;
    injected.emplace_back(bytes, bytes + size);
    return true;
  }
  void tell_agent(const Event& event) override {
    // Kept apart: the engine speaks in many tests here, which are about
    // other things.
    if (event.kind == EventKind::kEngineSpeech) {
      engine_speech.emplace_back(event.text);
      return;
    }
    RecordedEvent recorded;
    recorded.kind = event.kind;
    recorded.handle = event.handle;
    recorded.speech_state = event.speech_state;
    recorded.expected_duration_ms = event.expected_duration_ms;
    recorded.animation_phase = event.animation_phase;
    recorded.animation_aborted = event.animation_aborted;
    recorded.text = std::string(event.text);
    events.push_back(recorded);
  }

  // True: every injection is refused, as when vic-anim's queue is full.
  bool link_congested = false;
  std::size_t injection_attempts = 0;
  std::vector<Bytes> injected;
  std::vector<RecordedEvent> events;
  std::vector<std::string> engine_speech;  // the texts of kEngineSpeech events
};

// ---- Datagrams, written byte by byte from the .clad definitions -----------------

void put_u16(Bytes& bytes, std::uint16_t value) {
  bytes.push_back(static_cast<std::uint8_t>(value));
  bytes.push_back(static_cast<std::uint8_t>(value >> 8));
}

void put_u32(Bytes& bytes, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<std::uint8_t>(value >> shift));
}

void put_short_string(Bytes& bytes, std::string_view text) {
  bytes.push_back(static_cast<std::uint8_t>(text.size()));
  bytes.insert(bytes.end(), text.begin(), text.end());
}

// float_32 values as their IEEE 754 bytes, little-endian.
using F32 = std::array<std::uint8_t, 4>;
constexpr F32 kZeroF32 = {0x00, 0x00, 0x00, 0x00};
constexpr F32 k1500F32 = {0x00, 0x80, 0xBB, 0x44};  // 1500.0 = 0x44BB8000
constexpr F32 kOneF32 = {0x00, 0x00, 0x80, 0x3F};   // 1.0 = 0x3F800000

// TextToSpeechEvent (0xDB): float_32 expectedDuration_ms, uint_8 ttsID,
// TextToSpeechState ttsState (uint_8): 7 bytes.
Bytes tts_event(std::uint8_t tts_id, TtsState state, const F32& duration = kZeroF32) {
  Bytes bytes = {0xDB};
  bytes.insert(bytes.end(), duration.begin(), duration.end());
  bytes.push_back(tts_id);
  bytes.push_back(static_cast<std::uint8_t>(state));
  return bytes;
}

// AnimationStarted (0xD6): uint_8 tag, string animName.
Bytes animation_started(std::uint8_t tag, std::string_view name) {
  Bytes bytes = {0xD6, tag};
  put_short_string(bytes, name);
  return bytes;
}

// AnimationEnded (0xD7): uint_32 streamTimeAnimEnded, uint_8 tag, bool wasAborted, string animName.
Bytes animation_ended(std::uint8_t tag, bool aborted, std::string_view name) {
  Bytes bytes = {0xD7};
  put_u32(bytes, 123456);
  bytes.push_back(tag);
  bytes.push_back(aborted ? 1 : 0);
  put_short_string(bytes, name);
  return bytes;
}

// TriggerWordDetected (0xD9): uint_32 triggerScore, uint_16 direction,
// bool isButtonPress, bool fromMute, bool willOpenStream: 10 bytes.
Bytes trigger_word_detected() {
  Bytes bytes = {0xD9};
  put_u32(bytes, 900);
  put_u16(bytes, 6);
  bytes.push_back(0);
  bytes.push_back(0);
  bytes.push_back(1);
  return bytes;
}

// RobotState (0xF0): 219 bytes; uint_32 status at 181, uint_16
// backpackTouchSensorRaw at 213. Every other byte is filler that must not be read.
constexpr std::size_t kRobotStateBytes = 219;
Bytes robot_state(std::uint16_t touch_raw, std::uint32_t status = 0, std::size_t size = kRobotStateBytes) {
  Bytes bytes(kRobotStateBytes, 0xA5);
  bytes[0] = 0xF0;
  for (int i = 0; i < 4; ++i) bytes[181 + i] = static_cast<std::uint8_t>(status >> (8 * i));
  bytes[213] = static_cast<std::uint8_t>(touch_raw);
  bytes[214] = static_cast<std::uint8_t>(touch_raw >> 8);
  bytes.resize(size, 0xA5);
  return bytes;
}

// RobotAvailable (0xD4): no fields.
Bytes robot_available() { return {0xD4}; }

// AnimationState (0xF3): uint_8 lockedTracks, uint_8 tracksInUse in 1.8
// (FAP:33-37); the 1.6 rebuilds put a uint_32 numProcAnimFaceKeyframes first.
Bytes animation_state_18() { return {0xF3, 0x20, 0x00}; }
Bytes animation_state_16() { return {0xF3, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00}; }

FirmwareExpectation owner_says(FirmwareFamily family) {
  return FirmwareExpectation{family, FirmwareExpectation::Source::kOwner};
}

// The engine's own PlayAnim (0x50): uint_32 numLoops, uint_32 startAt_ms,
// uint_8 tag, bool renderInEyeHue, string animName.
Bytes engine_play_anim(std::uint8_t tag, std::string_view name) {
  Bytes bytes = {0x50};
  put_u32(bytes, 1);
  put_u32(bytes, 0);
  bytes.push_back(tag);
  bytes.push_back(1);
  put_short_string(bytes, name);
  return bytes;
}

// The engine's own TextToSpeechPrepare (0x92, 1.8 layout): uint_32 style,
// float_32 durationScalar, float_32 pitchScalar, uint_8 triggerMode,
// uint_8 ttsID, int_8 text[1024]: 1039 bytes.
Bytes engine_tts_prepare(std::uint8_t tts_id, std::string_view text = "I am the engine.") {
  Bytes bytes = {0x92};
  put_u32(bytes, 1906807385u);
  bytes.insert(bytes.end(), kOneF32.begin(), kOneF32.end());
  bytes.insert(bytes.end(), kZeroF32.begin(), kZeroF32.end());
  bytes.push_back(2);  // Manual
  bytes.push_back(tts_id);
  bytes.insert(bytes.end(), text.begin(), text.end());
  bytes.resize(1039, 0);
  return bytes;
}

const char* route_name(AnimDatagramRoute route) {
  switch (route) {
    case AnimDatagramRoute::kToEngine:
      return "to engine";
    case AnimDatagramRoute::kToAgentOnly:
      return "to agent only";
    case AnimDatagramRoute::kRobotAvailable:
      return "robot available";
  }
  return "?";
}

}  // namespace

TEST_GROUP(AnimLinkRouter) {
  RecordingSink sink;
  AnimLinkRouter router{owner_says(FirmwareFamily::kVector18), sink};

  // vic-anim's traffic confirms the 1.8 layout, as it does within a tick of
  // connecting; the tests of the confirmation itself are below.
  void setup() override {
    const Bytes state = animation_state_18();
    router.on_anim_datagram(state.data(), state.size());
    CHECK_TRUE(router.confirmation().confirmed());
  }

  const char* from_anim(const Bytes& datagram) {
    return route_name(router.on_anim_datagram(datagram.data(), datagram.size()));
  }
  // Returns the datagram as it is forwarded.
  Bytes from_engine(Bytes datagram) {
    router.on_engine_datagram(datagram.data(), datagram.size());
    return datagram;
  }

  void prepare_speech(std::uint32_t handle, std::string_view text = "Hello there.") {
    Command prepare;
    prepare.kind = CommandKind::kPrepareSpeech;
    prepare.handle = handle;
    prepare.text = text;
    router.on_agent_command(prepare, 0);
  }
  void by_handle(CommandKind kind, std::uint32_t handle, std::uint64_t now_ms = 0) {
    Command simple;
    simple.kind = kind;
    simple.handle = handle;
    router.on_agent_command(simple, now_ms);
  }
  void play_animation(std::uint32_t handle, std::string_view name, std::uint64_t now_ms = 0) {
    Command play;
    play.kind = CommandKind::kPlayAnimation;
    play.handle = handle;
    play.anim_name = name;
    router.on_agent_command(play, now_ms);
  }

  // The ttsID of a TextToSpeechPrepare we injected (1.8 layout: byte 14).
  std::uint8_t injected_tts_id(std::size_t index) {
    CHECK_TRUE(index < sink.injected.size());
    const Bytes& datagram = sink.injected[index];
    UNSIGNED_LONGS_EQUAL(1039, datagram.size());
    LONGS_EQUAL(0x92, datagram[0]);
    return datagram[14];
  }
  std::uint8_t last_injected_tts_id() { return injected_tts_id(sink.injected.size() - 1); }
  // The tag of a PlayAnim we injected (byte 9).
  std::uint8_t last_injected_tag() {
    CHECK_FALSE(sink.injected.empty());
    const Bytes& datagram = sink.injected.back();
    LONGS_EQUAL(0x50, datagram[0]);
    return datagram[9];
  }

  const RecordedEvent& only_event() {
    UNSIGNED_LONGS_EQUAL(1, sink.events.size());
    return sink.events.front();
  }
  void check_speech_event(const RecordedEvent& event, std::uint32_t handle, TtsState state) {
    LONGS_EQUAL(static_cast<int>(EventKind::kSpeechState), static_cast<int>(event.kind));
    UNSIGNED_LONGS_EQUAL(handle, event.handle);
    LONGS_EQUAL(static_cast<int>(state), static_cast<int>(event.speech_state));
  }
  void check_animation_event(const RecordedEvent& event, std::uint32_t handle, AnimationPhase phase,
                             bool aborted) {
    LONGS_EQUAL(static_cast<int>(EventKind::kAnimationState), static_cast<int>(event.kind));
    UNSIGNED_LONGS_EQUAL(handle, event.handle);
    LONGS_EQUAL(static_cast<int>(phase), static_cast<int>(event.animation_phase));
    CHECK_EQUAL(aborted, event.animation_aborted);
  }
  void check_command_failed(const RecordedEvent& event, std::uint32_t handle, const char* reason) {
    LONGS_EQUAL(static_cast<int>(EventKind::kCommandFailed), static_cast<int>(event.kind));
    UNSIGNED_LONGS_EQUAL(handle, event.handle);
    STRCMP_CONTAINS(reason, event.text.c_str());
  }
};

// ---- Speech: ids, bytes and replies -----------------------------------------------

TEST(AnimLinkRouter, PrepareSpeechInjectsOneTtsPrepareWithAnIdTheEngineIsNotUsing) {
  // The engine has counted ttsIDs 1..40; 36..40 still await their last event.
  for (std::uint8_t id = 1; id <= 40; ++id) from_engine(engine_tts_prepare(id));
  for (std::uint8_t id = 1; id <= 35; ++id)
    STRCMP_EQUAL("to engine", from_anim(tts_event(id, TtsState::kFinished)));

  prepare_speech(7, "Hello there.");

  UNSIGNED_LONGS_EQUAL(1, sink.injected.size());
  const Bytes& datagram = sink.injected[0];
  UNSIGNED_LONGS_EQUAL(1039, datagram.size());
  const Bytes head(datagram.begin(), datagram.begin() + 14);
  const Bytes expected_head = {0x92, 0x59, 0x92, 0xA7, 0x71,  // Default_Processed
                               0x00, 0x00, 0x80, 0x3F,        // durationScalar 1.0
                               0x00, 0x00, 0x00, 0x00,        // pitchScalar 0.0
                               0x02};                         // Manual
  CHECK_TRUE(head == expected_head);
  const std::uint8_t tts_id = datagram[14];
  CHECK_TRUE(tts_id != 0);
  CHECK_TRUE_TEXT(tts_id < 36 || tts_id > 40, "the agent got a ttsID the engine is using");
  UNSIGNED_LONGS_EQUAL(35, tts_id);  // the free id the engine's counter comes back to last
  STRCMP_EQUAL("Hello there.", std::string(datagram.begin() + 15, datagram.begin() + 27).c_str());
  for (std::size_t i = 27; i < datagram.size(); ++i) LONGS_EQUAL(0, datagram[i]);

  CHECK_TRUE(sink.events.empty());
  UNSIGNED_LONGS_EQUAL(1, router.counters().injected);
  UNSIGNED_LONGS_EQUAL(1, router.agent_utterances_in_flight());
}

// ---- The engine's own speech ------------------------------------------------------

TEST(AnimLinkRouter, EngineTtsPrepareIsForwardedAndToldToTheAgentWithItsText) {
  from_engine(engine_tts_prepare(3, "The sky is blue because air scatters blue light."));
  from_engine(engine_tts_prepare(4, "Sunsets are red for the same reason."));

  UNSIGNED_LONGS_EQUAL(2, sink.engine_speech.size());
  STRCMP_EQUAL("The sky is blue because air scatters blue light.", sink.engine_speech[0].c_str());
  STRCMP_EQUAL("Sunsets are red for the same reason.", sink.engine_speech[1].c_str());
  // Telling the agent injects nothing: the engine's datagram is the bridge's to forward.
  CHECK_TRUE(sink.injected.empty());
  CHECK_TRUE(sink.events.empty());
}

TEST(AnimLinkRouter, EngineTtsPrepareOfTheLongestTextIsToldWhole) {
  const std::string text(1023, 'a');
  from_engine(engine_tts_prepare(3, text));
  UNSIGNED_LONGS_EQUAL(1, sink.engine_speech.size());
  UNSIGNED_LONGS_EQUAL(1023, sink.engine_speech[0].size());
}

TEST(AnimLinkRouter, AgentsOwnSpeechIsNeverToldAsTheEngines) {
  prepare_speech(7, "This is the agent speaking.");
  const std::uint8_t ours = last_injected_tts_id();
  from_anim(tts_event(ours, TtsState::kPrepared));
  by_handle(CommandKind::kPlaySpeech, 7);
  from_anim(tts_event(ours, TtsState::kPlaying));
  from_anim(tts_event(ours, TtsState::kFinished));

  CHECK_TRUE(sink.engine_speech.empty());
}

TEST(AnimLinkRouter, EngineTtsPrepareWithEmptyTextIsNotTold) {
  from_engine(engine_tts_prepare(3, ""));
  CHECK_TRUE(sink.engine_speech.empty());
}

TEST(AnimLinkRouter, EngineMessagesOtherThanTtsPrepareAreNotToldAsSpeech) {
  from_engine(engine_play_anim(9, "anim_tts_loop_02"));
  from_engine(Bytes{0x94, 3});  // TextToSpeechPlay
  from_engine(Bytes{0x95, 3});  // TextToSpeechCancel
  CHECK_TRUE(sink.engine_speech.empty());
}

// StartWakeWordlessStreaming {uint_8 streamType, bool playGetIn}
// (messageEngineToRobot.clad:439-443, tag 0x99 at :893); KnowledgeGraph = 2,
// Normal = 0 (mic.clad:7-11).
TEST(AnimLinkRouter, KnowledgeStreamIsMadeNormalOnlyWhileCapturing) {
  const Bytes knowledge{0x99, 2, 0};
  const Bytes normal{0x99, 0, 0};
  CHECK_TRUE(from_engine(knowledge) == knowledge);
  CHECK_FALSE(router.take_knowledge_question_stream());

  router.set_capturing_knowledge_questions(true);
  CHECK_TRUE(from_engine(knowledge) == normal);
  CHECK_TRUE(router.take_knowledge_question_stream());
  CHECK_FALSE(router.take_knowledge_question_stream());
  UNSIGNED_LONGS_EQUAL(1, router.counters().knowledge_streams_made_normal);
  // Other stream types, and a datagram of the wrong size, pass untouched.
  CHECK_TRUE(from_engine(Bytes{0x99, 1, 1}) == (Bytes{0x99, 1, 1}));
  CHECK_TRUE(from_engine(Bytes{0x99, 2}) == (Bytes{0x99, 2}));
  CHECK_FALSE(router.take_knowledge_question_stream());
  CHECK_TRUE(sink.injected.empty());
}

TEST(AnimLinkRouter, SpeechEventsForTheAgentsIdGoOnlyToTheAgentWithItsHandle) {
  for (std::uint8_t id = 36; id <= 40; ++id) from_engine(engine_tts_prepare(id));
  prepare_speech(7);
  const std::uint8_t ours = last_injected_tts_id();

  STRCMP_EQUAL("to agent only", from_anim(tts_event(ours, TtsState::kPlayable, k1500F32)));
  check_speech_event(only_event(), 7, TtsState::kPlayable);
  DOUBLES_EQUAL(1500.0, only_event().expected_duration_ms, 0.0);

  // The engine's utterances are the engine's.
  for (std::uint8_t id = 36; id <= 40; ++id) {
    STRCMP_EQUAL("to engine", from_anim(tts_event(id, TtsState::kPlayable)));
    STRCMP_EQUAL("to engine", from_anim(tts_event(id, TtsState::kPrepared)));
  }
  UNSIGNED_LONGS_EQUAL(1, sink.events.size());

  STRCMP_EQUAL("to agent only", from_anim(tts_event(ours, TtsState::kPrepared)));
  UNSIGNED_LONGS_EQUAL(2, sink.events.size());
  check_speech_event(sink.events[1], 7, TtsState::kPrepared);
  UNSIGNED_LONGS_EQUAL(2, router.counters().replies_to_agent);
}

TEST(AnimLinkRouter, FinishedFreesTheAgentsTtsId) {
  prepare_speech(7);
  const std::uint8_t ours = last_injected_tts_id();
  STRCMP_EQUAL("to agent only", from_anim(tts_event(ours, TtsState::kPlaying)));
  STRCMP_EQUAL("to agent only", from_anim(tts_event(ours, TtsState::kFinished)));
  check_speech_event(sink.events.back(), 7, TtsState::kFinished);
  UNSIGNED_LONGS_EQUAL(0, router.agent_utterances_in_flight());

  // No longer ours: a stray event for it is the engine's business.
  STRCMP_EQUAL("to engine", from_anim(tts_event(ours, TtsState::kFinished)));
  UNSIGNED_LONGS_EQUAL(2, sink.events.size());
  prepare_speech(8);
  UNSIGNED_LONGS_EQUAL(ours, last_injected_tts_id());
}

TEST(AnimLinkRouter, InvalidFreesTheAgentsTtsId) {
  prepare_speech(7);
  const std::uint8_t ours = last_injected_tts_id();
  STRCMP_EQUAL("to agent only", from_anim(tts_event(ours, TtsState::kInvalid)));
  check_speech_event(only_event(), 7, TtsState::kInvalid);
  UNSIGNED_LONGS_EQUAL(0, router.agent_utterances_in_flight());
  STRCMP_EQUAL("to engine", from_anim(tts_event(ours, TtsState::kInvalid)));
  prepare_speech(8);
  UNSIGNED_LONGS_EQUAL(ours, last_injected_tts_id());
}

TEST(AnimLinkRouter, PlayAndCancelSpeechNameTheUtterancesTtsId) {
  prepare_speech(7);
  const std::uint8_t ours = last_injected_tts_id();
  by_handle(CommandKind::kPlaySpeech, 7);
  by_handle(CommandKind::kCancelSpeech, 7);
  UNSIGNED_LONGS_EQUAL(3, sink.injected.size());
  CHECK_TRUE(sink.injected[1] == (Bytes{0x94, ours}));
  CHECK_TRUE(sink.injected[2] == (Bytes{0x95, ours}));
  CHECK_TRUE(sink.events.empty());

  // The utterance stays the agent's until vic-anim answers the cancel.
  UNSIGNED_LONGS_EQUAL(1, router.agent_utterances_in_flight());
  STRCMP_EQUAL("to agent only", from_anim(tts_event(ours, TtsState::kInvalid)));
  check_speech_event(only_event(), 7, TtsState::kInvalid);
  UNSIGNED_LONGS_EQUAL(0, router.agent_utterances_in_flight());
}

TEST(AnimLinkRouter, CancelWhilePlayingKeepsTheIdUntilTheLateFinished) {
  prepare_speech(7);
  const std::uint8_t ours = last_injected_tts_id();
  router.on_tick(1000);
  from_anim(tts_event(ours, TtsState::kPlayable));
  from_anim(tts_event(ours, TtsState::kPrepared));
  by_handle(CommandKind::kPlaySpeech, 7, 1000);
  from_anim(tts_event(ours, TtsState::kPlaying));
  by_handle(CommandKind::kCancelSpeech, 7, 1100);
  sink.events.clear();

  // The agent hears at once that its utterance is over...
  STRCMP_EQUAL("to agent only", from_anim(tts_event(ours, TtsState::kInvalid)));
  check_speech_event(only_event(), 7, TtsState::kInvalid);
  // ...but the id stays out of reach: its next utterance gets another one.
  prepare_speech(8);
  const std::uint8_t next = last_injected_tts_id();
  CHECK_TRUE_TEXT(next != ours, "a ttsID cancelled while playing was reused before its Finished");

  // The audio engine's late Finished for it reaches no one.
  STRCMP_EQUAL("to agent only", from_anim(tts_event(ours, TtsState::kFinished)));
  UNSIGNED_LONGS_EQUAL(1, sink.events.size());
  UNSIGNED_LONGS_EQUAL(1, router.agent_utterances_in_flight());
  // And then the id is free again.
  STRCMP_EQUAL("to engine", from_anim(tts_event(ours, TtsState::kFinished)));
  from_anim(tts_event(next, TtsState::kInvalid));
  prepare_speech(9);
  UNSIGNED_LONGS_EQUAL(ours, last_injected_tts_id());
}

TEST(AnimLinkRouter, CancelledPlayingIdIsFreedWhenNoFinishedComes) {
  prepare_speech(7);
  const std::uint8_t ours = last_injected_tts_id();
  router.on_tick(1000);
  from_anim(tts_event(ours, TtsState::kPlaying));
  by_handle(CommandKind::kCancelSpeech, 7, 1000);
  from_anim(tts_event(ours, TtsState::kInvalid));
  router.on_tick(1000 + AnimLinkRouter::kReleasedIdQuarantineMs);
  UNSIGNED_LONGS_EQUAL(1, router.agent_utterances_in_flight());
  router.on_tick(1000 + AnimLinkRouter::kReleasedIdQuarantineMs + 1);
  UNSIGNED_LONGS_EQUAL(0, router.agent_utterances_in_flight());
  prepare_speech(8);
  UNSIGNED_LONGS_EQUAL(ours, last_injected_tts_id());
}

TEST(AnimLinkRouter, CancelBeforePlayingFreesTheIdOnInvalid) {
  // Prepared but never played: vic-anim erases it with the Invalid, and no
  // Finished can follow.
  prepare_speech(7);
  const std::uint8_t ours = last_injected_tts_id();
  from_anim(tts_event(ours, TtsState::kPlayable));
  from_anim(tts_event(ours, TtsState::kPrepared));
  by_handle(CommandKind::kCancelSpeech, 7);
  from_anim(tts_event(ours, TtsState::kInvalid));
  UNSIGNED_LONGS_EQUAL(0, router.agent_utterances_in_flight());
  prepare_speech(8);
  UNSIGNED_LONGS_EQUAL(ours, last_injected_tts_id());
}

TEST(AnimLinkRouter, ReleasedPlayingUtteranceWaitsForItsFinishedToo) {
  prepare_speech(1);
  const std::uint8_t id = last_injected_tts_id();
  from_anim(tts_event(id, TtsState::kPlaying));
  router.release_everything_of_agent(1000);
  sink.events.clear();
  STRCMP_EQUAL("to agent only", from_anim(tts_event(id, TtsState::kInvalid)));
  UNSIGNED_LONGS_EQUAL(1, router.agent_utterances_in_flight());
  STRCMP_EQUAL("to agent only", from_anim(tts_event(id, TtsState::kFinished)));
  UNSIGNED_LONGS_EQUAL(0, router.agent_utterances_in_flight());
  CHECK_TRUE(sink.events.empty());
}

TEST(AnimLinkRouter, PlayOfAnUnknownUtteranceIsRefusedAndCancelIsIgnored) {
  by_handle(CommandKind::kPlaySpeech, 99);
  check_command_failed(only_event(), 99, "no such utterance");
  by_handle(CommandKind::kCancelSpeech, 99);
  UNSIGNED_LONGS_EQUAL(1, sink.events.size());
  CHECK_TRUE(sink.injected.empty());
}

TEST(AnimLinkRouter, EngineTakingTheAgentsTtsIdEndsTheAgentsUtterance) {
  prepare_speech(7);
  const std::uint8_t ours = last_injected_tts_id();

  from_engine(engine_tts_prepare(ours));

  UNSIGNED_LONGS_EQUAL(1, router.counters().id_collisions);
  check_speech_event(only_event(), 7, TtsState::kInvalid);
  UNSIGNED_LONGS_EQUAL(0, router.agent_utterances_in_flight());

  // Every later reply for that id answers the engine.
  STRCMP_EQUAL("to engine", from_anim(tts_event(ours, TtsState::kPlayable)));
  STRCMP_EQUAL("to engine", from_anim(tts_event(ours, TtsState::kPrepared)));
  UNSIGNED_LONGS_EQUAL(1, sink.events.size());
  by_handle(CommandKind::kPlaySpeech, 7);
  check_command_failed(sink.events.back(), 7, "no such utterance");
  UNSIGNED_LONGS_EQUAL(1, sink.injected.size());

  // While the engine holds it the agent gets another id.
  prepare_speech(8);
  CHECK_TRUE(last_injected_tts_id() != ours);
}

TEST(AnimLinkRouter, AfterTheEngineRestartsTheAgentsIdsStayClearOfItsNewCounters) {
  // The old engine got to ttsID 2 and tag 7, all of them over.
  for (std::uint8_t id = 1; id <= 2; ++id) {
    from_engine(engine_tts_prepare(id));
    STRCMP_EQUAL("to engine", from_anim(tts_event(id, TtsState::kFinished)));
  }
  for (std::uint8_t tag = 6; tag <= 7; ++tag) {
    from_engine(engine_play_anim(tag, "anim_engine_01"));
    STRCMP_EQUAL("to engine", from_anim(animation_ended(tag, false, "anim_engine_01")));
  }
  router.on_engine_connected();

  prepare_speech(7);
  UNSIGNED_LONGS_EQUAL(255, last_injected_tts_id());
  play_animation(8, "anim_greeting_hello_01");
  UNSIGNED_LONGS_EQUAL(255, last_injected_tag());
  // The new engine's first ids are its own, no collision with the agent's.
  from_engine(engine_tts_prepare(1));
  from_engine(engine_play_anim(6, "anim_engine_01"));
  UNSIGNED_LONGS_EQUAL(0, router.counters().id_collisions);
}

TEST(AnimLinkRouter, SecondPrepareWithAHandleInFlightIsRefused) {
  prepare_speech(7);
  prepare_speech(7);
  UNSIGNED_LONGS_EQUAL(1, sink.injected.size());
  check_command_failed(only_event(), 7, "already in flight");
  UNSIGNED_LONGS_EQUAL(1, router.agent_utterances_in_flight());
  UNSIGNED_LONGS_EQUAL(1, router.counters().agent_commands_refused);
}

TEST(AnimLinkRouter, HandleZeroIsRefusedForUtterancesAndClips) {
  // 0 is what a released utterance or clip carries: nobody would hear its events.
  prepare_speech(0);
  check_command_failed(only_event(), 0, "handle 0");
  play_animation(0, "anim_blink_01", 0);
  check_command_failed(sink.events.back(), 0, "handle 0");
  CHECK_TRUE(sink.injected.empty());
  UNSIGNED_LONGS_EQUAL(0, router.agent_utterances_in_flight());
  UNSIGNED_LONGS_EQUAL(0, router.agent_clips_in_flight());
}

TEST(AnimLinkRouter, UtteranceBeyondTheTableIsRefused) {
  for (std::uint32_t handle = 1; handle <= AnimLinkRouter::kMaxAgentUtterances; ++handle) prepare_speech(handle);
  CHECK_TRUE(sink.events.empty());
  prepare_speech(100);
  check_command_failed(only_event(), 100, "too many utterances");
  UNSIGNED_LONGS_EQUAL(AnimLinkRouter::kMaxAgentUtterances, sink.injected.size());
  UNSIGNED_LONGS_EQUAL(AnimLinkRouter::kMaxAgentUtterances, router.agent_utterances_in_flight());
}

TEST(AnimLinkRouter, CongestedLinkFailsThePrepareAndReleasesItsId) {
  sink.link_congested = true;
  prepare_speech(7);
  UNSIGNED_LONGS_EQUAL(1, sink.injection_attempts);
  check_command_failed(only_event(), 7, "congested");
  UNSIGNED_LONGS_EQUAL(0, router.agent_utterances_in_flight());
  UNSIGNED_LONGS_EQUAL(0, router.counters().injected);

  sink.link_congested = false;
  prepare_speech(8);
  UNSIGNED_LONGS_EQUAL(255, last_injected_tts_id());  // the first id a fresh router gives
}

TEST(AnimLinkRouter, TextTheFirmwareMishandlesIsRefusedAndNothingIsSent) {
  prepare_speech(7, "   ");
  check_command_failed(only_event(), 7, "only spaces");
  prepare_speech(8, std::string(1024, 'a'));
  check_command_failed(sink.events.back(), 8, "longer than 1023");
  CHECK_TRUE(sink.injected.empty());
  UNSIGNED_LONGS_EQUAL(0, router.agent_utterances_in_flight());

  prepare_speech(9);
  UNSIGNED_LONGS_EQUAL(255, last_injected_tts_id());
}

TEST(AnimLinkRouter, ShortTextAfterALongOneIsStillNulPadded) {
  prepare_speech(1, std::string(1023, 'x'));
  prepare_speech(2, "Hi.");
  UNSIGNED_LONGS_EQUAL(2, sink.injected.size());
  const Bytes& datagram = sink.injected[1];
  UNSIGNED_LONGS_EQUAL(1039, datagram.size());
  STRCMP_EQUAL("Hi.", std::string(datagram.begin() + 15, datagram.begin() + 18).c_str());
  for (std::size_t i = 18; i < datagram.size(); ++i) LONGS_EQUAL(0, datagram[i]);
}

TEST(AnimLinkRouter, OlderFirmwarePrepareHasNoPitchScalar) {
  RecordingSink old_sink;
  AnimLinkRouter old_router(owner_says(FirmwareFamily::kVector16), old_sink);
  const Bytes state = animation_state_16();
  old_router.on_anim_datagram(state.data(), state.size());
  Command prepare;
  prepare.kind = CommandKind::kPrepareSpeech;
  prepare.handle = 1;
  prepare.text = "Hi.";
  old_router.on_agent_command(prepare, 0);
  UNSIGNED_LONGS_EQUAL(1, old_sink.injected.size());
  const Bytes& datagram = old_sink.injected[0];
  UNSIGNED_LONGS_EQUAL(1035, datagram.size());
  LONGS_EQUAL(0x02, datagram[9]);  // Manual, right after durationScalar
  LONGS_EQUAL(255, datagram[10]);  // ttsID
  LONGS_EQUAL('H', datagram[11]);
}

// ---- Animations -----------------------------------------------------------------

TEST(AnimLinkRouter, PlayAnimationInjectsPlayAnimForTheClip) {
  play_animation(21, "anim_blink_01");
  UNSIGNED_LONGS_EQUAL(1, sink.injected.size());
  Bytes expected = {0x50, 0x01, 0x00, 0x00, 0x00,  // numLoops 1
                    0x00, 0x00, 0x00, 0x00,        // startAt_ms 0
                    255,                           // tag
                    0x01,                          // renderInEyeHue
                    13};
  expected.insert(expected.end(), {'a', 'n', 'i', 'm', '_', 'b', 'l', 'i', 'n', 'k', '_', '0', '1'});
  CHECK_TRUE(sink.injected[0] == expected);
  CHECK_TRUE(sink.events.empty());
  UNSIGNED_LONGS_EQUAL(1, router.agent_clips_in_flight());
}

TEST(AnimLinkRouter, AgentTagsAreSixOrMoreAndWalkBackFromTheEngines) {
  from_engine(engine_play_anim(8, "anim_engine_loop"));
  const std::uint8_t expected[] = {7, 6, 255, 254, 253, 252, 251, 250};
  for (std::uint32_t handle = 1; handle <= 8; ++handle) {
    play_animation(handle, "anim_blink_01");
    const std::uint8_t tag = last_injected_tag();
    CHECK_TRUE_TEXT(tag >= 6, "the agent got a trigger-word or null tag");
    UNSIGNED_LONGS_EQUAL(expected[handle - 1], tag);
  }
}

TEST(AnimLinkRouter, TriggerWordTagsAreSkippedEvenWhenTheyAreTheNearestFree) {
  for (unsigned tag = 6; tag <= 133; ++tag)
    from_engine(engine_play_anim(static_cast<std::uint8_t>(tag), "anim_x"));
  play_animation(1, "anim_blink_01");
  UNSIGNED_LONGS_EQUAL(255, last_injected_tag());
}

TEST(AnimLinkRouter, StartedAndEndedWithOurTagAndNameGoOnlyToTheAgent) {
  play_animation(21, "anim_blink_01");
  const std::uint8_t tag = last_injected_tag();

  STRCMP_EQUAL("to agent only", from_anim(animation_started(tag, "anim_blink_01")));
  check_animation_event(only_event(), 21, AnimationPhase::kStarted, false);
  STRCMP_EQUAL("to agent only", from_anim(animation_ended(tag, false, "anim_blink_01")));
  UNSIGNED_LONGS_EQUAL(2, sink.events.size());
  check_animation_event(sink.events[1], 21, AnimationPhase::kEnded, false);
  UNSIGNED_LONGS_EQUAL(0, router.agent_clips_in_flight());
  UNSIGNED_LONGS_EQUAL(2, router.counters().replies_to_agent);

  // Over: the tag is nobody's now.
  STRCMP_EQUAL("to engine", from_anim(animation_started(tag, "anim_blink_01")));
  UNSIGNED_LONGS_EQUAL(2, sink.events.size());
}

TEST(AnimLinkRouter, OurTagWithAnotherNameGoesToTheEngine) {
  play_animation(21, "anim_blink_01");
  const std::uint8_t tag = last_injected_tag();

  STRCMP_EQUAL("to engine", from_anim(animation_started(tag, "anim_engine_thing")));
  STRCMP_EQUAL("to engine", from_anim(animation_ended(tag, false, "anim_engine_thing")));
  STRCMP_EQUAL("to engine", from_anim(animation_started(tag, "anim_blink_0")));
  CHECK_TRUE(sink.events.empty());
  UNSIGNED_LONGS_EQUAL(1, router.agent_clips_in_flight());

  STRCMP_EQUAL("to agent only", from_anim(animation_ended(tag, false, "anim_blink_01")));
  check_animation_event(only_event(), 21, AnimationPhase::kEnded, false);
}

TEST(AnimLinkRouter, EngineAnimationRepliesGoToTheEngine) {
  from_engine(engine_play_anim(40, "anim_engine_thing"));
  play_animation(21, "anim_blink_01");
  STRCMP_EQUAL("to engine", from_anim(animation_started(40, "anim_engine_thing")));
  STRCMP_EQUAL("to engine", from_anim(animation_ended(40, false, "anim_engine_thing")));
  CHECK_TRUE(sink.events.empty());
}

TEST(AnimLinkRouter, EnginesAnimationEndedFreesItsTagForTheAgent) {
  from_engine(engine_play_anim(40, "anim_engine_a"));
  from_engine(engine_play_anim(41, "anim_engine_b"));
  play_animation(1, "anim_blink_01");
  UNSIGNED_LONGS_EQUAL(39, last_injected_tag());  // 40 is the engine's

  STRCMP_EQUAL("to engine", from_anim(animation_ended(40, false, "anim_engine_a")));
  play_animation(2, "anim_blink_01");
  UNSIGNED_LONGS_EQUAL(40, last_injected_tag());
}

TEST(AnimLinkRouter, AbortBeforeStartedEndsTheClipAtOnce) {
  play_animation(21, "anim_blink_01");
  const std::uint8_t tag = last_injected_tag();
  by_handle(CommandKind::kAbortAnimation, 21);

  UNSIGNED_LONGS_EQUAL(2, sink.injected.size());
  CHECK_TRUE(sink.injected[1] == (Bytes{0x53, tag}));
  // vic-anim sends no AnimationEnded for a clip aborted before it started.
  check_animation_event(only_event(), 21, AnimationPhase::kEnded, true);
  UNSIGNED_LONGS_EQUAL(0, router.agent_clips_in_flight());

  play_animation(22, "anim_blink_01");
  UNSIGNED_LONGS_EQUAL(tag, last_injected_tag());
}

TEST(AnimLinkRouter, AbortAfterStartedWaitsForAnimationEnded) {
  play_animation(21, "anim_blink_01");
  const std::uint8_t tag = last_injected_tag();
  from_anim(animation_started(tag, "anim_blink_01"));
  by_handle(CommandKind::kAbortAnimation, 21);

  CHECK_TRUE(sink.injected.back() == (Bytes{0x53, tag}));
  UNSIGNED_LONGS_EQUAL(1, sink.events.size());  // only Started so far
  UNSIGNED_LONGS_EQUAL(1, router.agent_clips_in_flight());

  STRCMP_EQUAL("to agent only", from_anim(animation_ended(tag, true, "anim_blink_01")));
  UNSIGNED_LONGS_EQUAL(2, sink.events.size());
  check_animation_event(sink.events[1], 21, AnimationPhase::kEnded, true);
  UNSIGNED_LONGS_EQUAL(0, router.agent_clips_in_flight());
}

TEST(AnimLinkRouter, AbortOfAnUnknownClipDoesNothing) {
  by_handle(CommandKind::kAbortAnimation, 99);
  CHECK_TRUE(sink.injected.empty());
  CHECK_TRUE(sink.events.empty());
}

TEST(AnimLinkRouter, ClipThatNeverStartsFailsAfterTheDeadline) {
  play_animation(21, "anim_no_such_clip", 1000);
  const std::uint8_t tag = last_injected_tag();

  router.on_tick(1000 + AnimLinkRouter::kClipStartDeadlineMs);
  CHECK_TRUE(sink.events.empty());
  router.on_tick(1000 + AnimLinkRouter::kClipStartDeadlineMs + 1);
  check_command_failed(only_event(), 21, "never started");
  UNSIGNED_LONGS_EQUAL(0, router.agent_clips_in_flight());

  router.on_tick(100000);
  UNSIGNED_LONGS_EQUAL(1, sink.events.size());
  play_animation(22, "anim_blink_01", 100000);
  UNSIGNED_LONGS_EQUAL(tag, last_injected_tag());
}

TEST(AnimLinkRouter, StartedClipIsNotFailedByTheDeadline) {
  play_animation(21, "anim_blink_01", 0);
  from_anim(animation_started(last_injected_tag(), "anim_blink_01"));
  router.on_tick(100000);
  UNSIGNED_LONGS_EQUAL(1, sink.events.size());
  UNSIGNED_LONGS_EQUAL(1, router.agent_clips_in_flight());
}

TEST(AnimLinkRouter, EngineTakingTheAgentsTagEndsTheAgentsClip) {
  play_animation(21, "anim_blink_01");
  const std::uint8_t tag = last_injected_tag();
  from_anim(animation_started(tag, "anim_blink_01"));

  from_engine(engine_play_anim(tag, "anim_engine_thing"));

  UNSIGNED_LONGS_EQUAL(1, router.counters().id_collisions);
  UNSIGNED_LONGS_EQUAL(2, sink.events.size());
  check_animation_event(sink.events[1], 21, AnimationPhase::kEnded, true);
  UNSIGNED_LONGS_EQUAL(0, router.agent_clips_in_flight());

  // Even a reply naming our clip is the engine's now.
  STRCMP_EQUAL("to engine", from_anim(animation_ended(tag, true, "anim_blink_01")));
  STRCMP_EQUAL("to engine", from_anim(animation_started(tag, "anim_engine_thing")));
  UNSIGNED_LONGS_EQUAL(2, sink.events.size());
  router.on_tick(100000);
  UNSIGNED_LONGS_EQUAL(2, sink.events.size());
}

TEST(AnimLinkRouter, EngineTakingTheTagOfAClipNotYetStartedEndsItToo) {
  play_animation(21, "anim_blink_01", 0);
  const std::uint8_t tag = last_injected_tag();
  from_engine(engine_play_anim(tag, "anim_engine_thing"));
  check_animation_event(only_event(), 21, AnimationPhase::kEnded, true);
  // No "never started" failure later for a clip already ended.
  router.on_tick(100000);
  UNSIGNED_LONGS_EQUAL(1, sink.events.size());
}

TEST(AnimLinkRouter, SecondClipWithAHandleInFlightIsRefused) {
  play_animation(21, "anim_blink_01");
  play_animation(21, "anim_blink_02");
  UNSIGNED_LONGS_EQUAL(1, sink.injected.size());
  check_command_failed(only_event(), 21, "already in flight");
}

TEST(AnimLinkRouter, ClipBeyondTheTableIsRefused) {
  for (std::uint32_t handle = 1; handle <= AnimLinkRouter::kMaxAgentClips; ++handle)
    play_animation(handle, "anim_blink_01");
  play_animation(100, "anim_blink_01");
  check_command_failed(only_event(), 100, "too many clips");
  UNSIGNED_LONGS_EQUAL(AnimLinkRouter::kMaxAgentClips, sink.injected.size());
}

TEST(AnimLinkRouter, ClipNameMustBeOneTo255Bytes) {
  play_animation(1, "");
  check_command_failed(only_event(), 1, "1 to 255 bytes");
  play_animation(2, std::string(256, 'a'));
  check_command_failed(sink.events.back(), 2, "1 to 255 bytes");
  CHECK_TRUE(sink.injected.empty());

  play_animation(3, std::string(255, 'a'));
  UNSIGNED_LONGS_EQUAL(1, sink.injected.size());
  UNSIGNED_LONGS_EQUAL(12 + 255, sink.injected[0].size());
}

TEST(AnimLinkRouter, CongestedLinkFailsPlayAnimationAndReleasesItsTag) {
  sink.link_congested = true;
  play_animation(21, "anim_blink_01");
  check_command_failed(only_event(), 21, "congested");
  UNSIGNED_LONGS_EQUAL(0, router.agent_clips_in_flight());

  sink.link_congested = false;
  play_animation(22, "anim_blink_01");
  UNSIGNED_LONGS_EQUAL(255, last_injected_tag());
}

TEST(AnimLinkRouter, CongestedLinkFailsAnAbortAndTheClipStays) {
  play_animation(21, "anim_blink_01");
  sink.link_congested = true;
  by_handle(CommandKind::kAbortAnimation, 21);
  check_command_failed(only_event(), 21, "congested");
  UNSIGNED_LONGS_EQUAL(1, router.agent_clips_in_flight());
}

TEST(AnimLinkRouter, DrawTextKeepsTheFaceAnimatingAndTrackLocksAreInjectedAsTheyAre) {
  Command draw;
  draw.kind = CommandKind::kDrawText;
  draw.text_color = {1, 2, 3};
  draw.background_color = {4, 5, 6};
  draw.text = "hi";
  router.on_agent_command(draw, 0);
  Command locks;
  locks.kind = CommandKind::kLockTracks;
  locks.track_lock_state = 0x09;
  router.on_agent_command(locks, 0);

  UNSIGNED_LONGS_EQUAL(2, sink.injected.size());
  // drawNow 0: vic-anim keeps the text and does not leave the animated face.
  CHECK_TRUE(sink.injected[0] == (Bytes{0x55, 0x00, 1, 2, 3, 4, 5, 6, 0x02, 'h', 'i'}));
  CHECK_TRUE(sink.injected[1] == (Bytes{0x51, 0x09}));
  CHECK_TRUE(sink.events.empty());
}

// ---- The layout probe (1.6) ---------------------------------------------------------

TEST_GROUP(AnimLinkRouterLayoutProbe) {
  RecordingSink sink;
  AnimLinkRouter router{FirmwareExpectation{FirmwareFamily::kVector16, FirmwareExpectation::Source::kVersionFile},
                        sink};

  void from_anim(const Bytes& datagram) { router.on_anim_datagram(datagram.data(), datagram.size()); }
  LayoutConfirmation::Status status() { return router.confirmation().status(); }
};

TEST(AnimLinkRouterLayoutProbe, AManualPrepareWithoutPitchIsTriedFirstAndCancelledWhenAnswered) {
  from_anim(animation_state_16());
  CHECK_TRUE(status() == LayoutConfirmation::Status::kProbing);
  router.on_tick(1000);
  UNSIGNED_LONGS_EQUAL(1, sink.injected.size());
  const Bytes& probe = sink.injected[0];
  UNSIGNED_LONGS_EQUAL(1035, probe.size());
  LONGS_EQUAL(0x92, probe[0]);
  LONGS_EQUAL(2, probe[9]);  // Manual: never plays without a TextToSpeechPlay
  const std::uint8_t probe_id = probe[10];
  STRCMP_EQUAL("Hm.", std::string(probe.begin() + 11, probe.begin() + 14).c_str());

  // Commands wait for the answer.
  Command prepare;
  prepare.kind = CommandKind::kPrepareSpeech;
  prepare.handle = 7;
  prepare.text = "Hello.";
  router.on_agent_command(prepare, 1010);
  UNSIGNED_LONGS_EQUAL(1, sink.events.size());
  STRCMP_CONTAINS("probing", sink.events[0].text.c_str());
  sink.events.clear();

  // vic-anim answers: the layout is confirmed, and the probe cancelled. The
  // answer goes to no one.
  const Bytes playable = tts_event(probe_id, TtsState::kPlayable);
  CHECK_TRUE(router.on_anim_datagram(playable.data(), playable.size()) == AnimDatagramRoute::kToAgentOnly);
  CHECK_TRUE(status() == LayoutConfirmation::Status::kConfirmed);
  CHECK_TRUE(router.layout().family == FirmwareFamily::kVector16);
  CHECK_TRUE(sink.injected.back() == (Bytes{0x95, probe_id}));
  const Bytes invalid = tts_event(probe_id, TtsState::kInvalid);
  CHECK_TRUE(router.on_anim_datagram(invalid.data(), invalid.size()) == AnimDatagramRoute::kToAgentOnly);
  CHECK_TRUE(sink.events.empty());

  // The agent now speaks in the confirmed layout, and the probe's id is free.
  router.on_agent_command(prepare, 1100);
  UNSIGNED_LONGS_EQUAL(1035, sink.injected.back().size());
  UNSIGNED_LONGS_EQUAL(probe_id, sink.injected.back()[10]);
}

TEST(AnimLinkRouterLayoutProbe, NoAnswerWithinASecondTriesWithPitch) {
  from_anim(animation_state_16());
  router.on_tick(1000);
  const std::uint8_t first_id = sink.injected[0][10];
  router.on_tick(1000 + LayoutConfirmation::kProbeAnswerWithinMs);
  UNSIGNED_LONGS_EQUAL(1, sink.injected.size());
  router.on_tick(1001 + LayoutConfirmation::kProbeAnswerWithinMs);
  UNSIGNED_LONGS_EQUAL(2, sink.injected.size());
  const Bytes& second = sink.injected[1];
  UNSIGNED_LONGS_EQUAL(1039, second.size());
  const std::uint8_t second_id = second[14];
  // The dropped probe's id was never held by vic-anim: it is taken again.
  UNSIGNED_LONGS_EQUAL(first_id, second_id);
  from_anim(tts_event(second_id, TtsState::kPlayable));
  CHECK_TRUE(router.layout().family == FirmwareFamily::kVector16WithPitch);
}

TEST(AnimLinkRouterLayoutProbe, AnUnreachableVicAnimIsAskedAgainLater) {
  from_anim(animation_state_16());
  sink.link_congested = true;
  router.on_tick(1000);
  CHECK_TRUE(sink.injected.empty());
  sink.link_congested = false;
  router.on_tick(1050);
  UNSIGNED_LONGS_EQUAL(1, sink.injected.size());
}

// ---- Unknown firmware --------------------------------------------------------------

TEST(AnimLinkRouter, UnknownFirmwareRefusesEveryCommandAndInjectsNothing) {
  RecordingSink unknown_sink;
  AnimLinkRouter unknown(owner_says(FirmwareFamily::kUnknown), unknown_sink);
  const CommandKind refused[] = {
      CommandKind::kPrepareSpeech, CommandKind::kPlaySpeech,     CommandKind::kCancelSpeech,
      CommandKind::kPlayAnimation, CommandKind::kAbortAnimation, CommandKind::kDrawText,
      CommandKind::kLockTracks,    CommandKind::kInjectIntent,   CommandKind::kReleaseAll,
      CommandKind::kListenAgain,
  };
  std::uint32_t handle = 1;
  for (CommandKind kind : refused) {
    Command refused_command;
    refused_command.kind = kind;
    refused_command.handle = handle;
    refused_command.text = "Hello there.";
    refused_command.anim_name = "anim_blink_01";
    unknown.on_agent_command(refused_command, 0);
    UNSIGNED_LONGS_EQUAL(handle, unknown_sink.events.size());
    check_command_failed(unknown_sink.events.back(), handle, "forwarding only");
    ++handle;
  }
  Command heartbeat;
  heartbeat.kind = CommandKind::kHeartbeat;
  unknown.on_agent_command(heartbeat, 0);
  UNSIGNED_LONGS_EQUAL(handle - 1, unknown_sink.events.size());

  unknown.release_everything_of_agent(0);
  unknown.on_tick(100000);
  UNSIGNED_LONGS_EQUAL(0, unknown_sink.injection_attempts);
  UNSIGNED_LONGS_EQUAL(0, unknown.counters().injected);
  UNSIGNED_LONGS_EQUAL(0, unknown.agent_utterances_in_flight());
  UNSIGNED_LONGS_EQUAL(0, unknown.agent_clips_in_flight());
}

TEST(AnimLinkRouter, UnknownFirmwareStillForwardsEverything) {
  RecordingSink unknown_sink;
  AnimLinkRouter unknown(owner_says(FirmwareFamily::kUnknown), unknown_sink);
  const Bytes tts = tts_event(255, TtsState::kFinished);
  const Bytes started = animation_started(255, "anim_blink_01");
  LONGS_EQUAL(static_cast<int>(AnimDatagramRoute::kToEngine),
              static_cast<int>(unknown.on_anim_datagram(tts.data(), tts.size())));
  LONGS_EQUAL(static_cast<int>(AnimDatagramRoute::kToEngine),
              static_cast<int>(unknown.on_anim_datagram(started.data(), started.size())));
}

// ---- When the agent goes ------------------------------------------------------------

TEST(AnimLinkRouter, ReleaseEverythingCancelsEachUtteranceAndAbortsEachClip) {
  prepare_speech(1);
  const std::uint8_t first_id = last_injected_tts_id();
  prepare_speech(2);
  const std::uint8_t second_id = last_injected_tts_id();
  play_animation(11, "anim_a");
  const std::uint8_t started_tag = last_injected_tag();
  play_animation(12, "anim_b");
  const std::uint8_t waiting_tag = last_injected_tag();
  from_anim(animation_started(started_tag, "anim_a"));
  sink.injected.clear();
  sink.events.clear();

  router.release_everything_of_agent(1000);

  UNSIGNED_LONGS_EQUAL(4, sink.injected.size());
  CHECK_TRUE(sink.injected[0] == (Bytes{0x95, first_id}));
  CHECK_TRUE(sink.injected[1] == (Bytes{0x95, second_id}));
  CHECK_TRUE(sink.injected[2] == (Bytes{0x53, started_tag}));
  CHECK_TRUE(sink.injected[3] == (Bytes{0x53, waiting_tag}));
  CHECK_TRUE(sink.events.empty());
  UNSIGNED_LONGS_EQUAL(2, router.agent_utterances_in_flight());
  // A clip aborted before it started gets no Ended: it is over already.
  UNSIGNED_LONGS_EQUAL(1, router.agent_clips_in_flight());

  // vic-anim's answers reach no one: the engine never knew these ids.
  STRCMP_EQUAL("to agent only", from_anim(tts_event(first_id, TtsState::kInvalid)));
  STRCMP_EQUAL("to agent only", from_anim(tts_event(second_id, TtsState::kFinished)));
  STRCMP_EQUAL("to agent only", from_anim(animation_ended(started_tag, true, "anim_a")));
  CHECK_TRUE(sink.events.empty());
  UNSIGNED_LONGS_EQUAL(0, router.agent_utterances_in_flight());
  UNSIGNED_LONGS_EQUAL(0, router.agent_clips_in_flight());

  // The next agent gets the same ids again.
  prepare_speech(1);
  UNSIGNED_LONGS_EQUAL(first_id, last_injected_tts_id());
  play_animation(11, "anim_a");
  UNSIGNED_LONGS_EQUAL(started_tag, last_injected_tag());
}

TEST(AnimLinkRouter, ReleasedIdsStayQuarantinedUntilTheyExpire) {
  prepare_speech(1);
  const std::uint8_t old_id = last_injected_tts_id();
  play_animation(11, "anim_a", 0);
  const std::uint8_t old_tag = last_injected_tag();
  from_anim(animation_started(old_tag, "anim_a"));
  router.release_everything_of_agent(1000);
  sink.events.clear();

  // The restarted agent does not get ids vic-anim may still answer for.
  prepare_speech(1);
  CHECK_TRUE(last_injected_tts_id() != old_id);
  play_animation(11, "anim_a", 6000);
  CHECK_TRUE(last_injected_tag() != old_tag);

  router.on_tick(1000 + AnimLinkRouter::kReleasedIdQuarantineMs);
  UNSIGNED_LONGS_EQUAL(2, router.agent_utterances_in_flight());
  UNSIGNED_LONGS_EQUAL(2, router.agent_clips_in_flight());

  router.on_tick(1000 + AnimLinkRouter::kReleasedIdQuarantineMs + 1);
  UNSIGNED_LONGS_EQUAL(1, router.agent_utterances_in_flight());
  UNSIGNED_LONGS_EQUAL(1, router.agent_clips_in_flight());
  CHECK_TRUE(sink.events.empty());

  prepare_speech(2);
  UNSIGNED_LONGS_EQUAL(old_id, last_injected_tts_id());
  play_animation(12, "anim_b", 6001);
  UNSIGNED_LONGS_EQUAL(old_tag, last_injected_tag());
}

TEST(AnimLinkRouter, ReleaseOnACongestedLinkStillQuarantinesTheIds) {
  prepare_speech(1);
  sink.link_congested = true;
  router.release_everything_of_agent(1000);
  CHECK_TRUE(sink.events.empty());
  UNSIGNED_LONGS_EQUAL(1, router.agent_utterances_in_flight());
  router.on_tick(1000 + AnimLinkRouter::kReleasedIdQuarantineMs + 1);
  UNSIGNED_LONGS_EQUAL(0, router.agent_utterances_in_flight());
}

TEST(AnimLinkRouter, ReleaseAllCommandReleasesLikeAGoneAgent) {
  prepare_speech(1);
  const std::uint8_t id = last_injected_tts_id();
  by_handle(CommandKind::kReleaseAll, 0, 500);
  CHECK_TRUE(sink.injected.back() == (Bytes{0x95, id}));
  CHECK_TRUE(sink.events.empty());
  STRCMP_EQUAL("to agent only", from_anim(tts_event(id, TtsState::kInvalid)));
  CHECK_TRUE(sink.events.empty());
}

TEST(AnimLinkRouter, ForgetEverythingEndsTheAgentsWorkWithoutInjecting) {
  prepare_speech(1);
  const std::uint8_t id = last_injected_tts_id();
  play_animation(11, "anim_a");
  const std::uint8_t tag = last_injected_tag();
  sink.injected.clear();

  router.forget_everything_of_agent();

  CHECK_TRUE(sink.injected.empty());
  UNSIGNED_LONGS_EQUAL(2, sink.events.size());
  check_speech_event(sink.events[0], 1, TtsState::kInvalid);
  check_animation_event(sink.events[1], 11, AnimationPhase::kEnded, true);
  UNSIGNED_LONGS_EQUAL(0, router.agent_utterances_in_flight());
  UNSIGNED_LONGS_EQUAL(0, router.agent_clips_in_flight());

  prepare_speech(2);
  UNSIGNED_LONGS_EQUAL(id, last_injected_tts_id());
  play_animation(12, "anim_a");
  UNSIGNED_LONGS_EQUAL(tag, last_injected_tag());
}

// ---- Wake word, touch, button, RobotAvailable ---------------------------------------

TEST(AnimLinkRouter, WakeWordRaisesAnEventAndStillGoesToTheEngine) {
  STRCMP_EQUAL("to engine", from_anim(trigger_word_detected()));
  LONGS_EQUAL(static_cast<int>(EventKind::kWakeWord), static_cast<int>(only_event().kind));
}

TEST(AnimLinkRouter, BackTouchRaisesOneEventWhenTheEngineWouldFeelItUntilReleased) {
  // vic-engine's touch sensing (BackTouchDetector): calibrated after 32
  // samples, a touch confirmed on the 10th sample of a rise of 80.
  for (int sample = 0; sample < 60; ++sample) STRCMP_EQUAL("to engine", from_anim(robot_state(500)));
  for (int sample = 0; sample < 9; ++sample) STRCMP_EQUAL("to engine", from_anim(robot_state(580)));
  CHECK_TRUE(sink.events.empty());
  STRCMP_EQUAL("to engine", from_anim(robot_state(580)));
  LONGS_EQUAL(static_cast<int>(EventKind::kBackTouched), static_cast<int>(only_event().kind));
  for (int sample = 0; sample < 100; ++sample) STRCMP_EQUAL("to engine", from_anim(robot_state(580)));
  UNSIGNED_LONGS_EQUAL(1, sink.events.size());

  for (int sample = 0; sample < 20; ++sample) from_anim(robot_state(500));  // released
  UNSIGNED_LONGS_EQUAL(1, sink.events.size());
  for (int sample = 0; sample < 10; ++sample) from_anim(robot_state(580));
  UNSIGNED_LONGS_EQUAL(2, sink.events.size());
  LONGS_EQUAL(static_cast<int>(EventKind::kBackTouched), static_cast<int>(sink.events[1].kind));
}

TEST(AnimLinkRouter, NoiseTheEngineIgnoresRaisesNoTouch) {
  for (int sample = 0; sample < 60; ++sample) from_anim(robot_state(500));
  for (int sample = 0; sample < 3; ++sample) from_anim(robot_state(700));  // a 90 ms spike
  for (int sample = 0; sample < 50; ++sample) from_anim(robot_state(500));
  for (int sample = 0; sample < 300; ++sample) from_anim(robot_state(555));  // +55: below the touch level
  CHECK_TRUE(sink.events.empty());
}

TEST(AnimLinkRouter, TheChargerLevelShiftRaisesNoTouch) {
  constexpr std::uint32_t kOnCharger = 0x00001000u;
  for (int sample = 0; sample < 60; ++sample) from_anim(robot_state(500));
  for (int sample = 0; sample < 300; ++sample) from_anim(robot_state(580, kOnCharger));
  CHECK_TRUE(sink.events.empty());
}

TEST(AnimLinkRouter, ButtonRisingEdgeRaisesOneButtonPressed) {
  from_anim(robot_state(500, 0));
  from_anim(robot_state(500, 0xFFFFFFEFu));  // every status bit but the button
  CHECK_TRUE(sink.events.empty());

  STRCMP_EQUAL("to engine", from_anim(robot_state(500, 0x10)));
  LONGS_EQUAL(static_cast<int>(EventKind::kButtonPressed), static_cast<int>(only_event().kind));
  for (int sample = 0; sample < 10; ++sample) from_anim(robot_state(500, 0x10));
  from_anim(robot_state(500, 0x11));
  UNSIGNED_LONGS_EQUAL(1, sink.events.size());

  from_anim(robot_state(500, 0));
  UNSIGNED_LONGS_EQUAL(1, sink.events.size());
  from_anim(robot_state(500, 0xFFFFFFFFu));
  UNSIGNED_LONGS_EQUAL(2, sink.events.size());
  LONGS_EQUAL(static_cast<int>(EventKind::kButtonPressed), static_cast<int>(sink.events[1].kind));
}

TEST(AnimLinkRouter, RobotAvailableIsKeptForTheNextEngine) {
  STRCMP_EQUAL("robot available", from_anim(robot_available()));
  CHECK_TRUE(sink.events.empty());
}

// ---- Malformed and unknown datagrams are forwarded, never dropped -----------------

TEST(AnimLinkRouter, MalformedAnimDatagramsAreCountedAndGoToTheEngine) {
  prepare_speech(7);
  const std::uint8_t ours = last_injected_tts_id();
  play_animation(21, "anim_blink_01");
  const std::uint8_t tag = last_injected_tag();

  Bytes short_tts = tts_event(ours, TtsState::kFinished);
  short_tts.pop_back();
  Bytes long_tts = tts_event(ours, TtsState::kFinished);
  long_tts.push_back(0);
  Bytes short_started = animation_started(tag, "anim_blink_01");
  short_started.pop_back();
  Bytes long_ended = animation_ended(tag, false, "anim_blink_01");
  long_ended.push_back('x');
  Bytes short_trigger = trigger_word_detected();
  short_trigger.pop_back();
  const std::vector<Bytes> malformed = {
      robot_state(2000, 0x10, kRobotStateBytes - 1),
      robot_state(2000, 0x10, kRobotStateBytes + 1),
      short_tts,
      long_tts,
      tts_event(ours, static_cast<TtsState>(6)),
      short_started,
      long_ended,
      short_trigger,
      Bytes{0xD4, 0x00},
  };
  for (const Bytes& datagram : malformed) STRCMP_EQUAL("to engine", from_anim(datagram));

  UNSIGNED_LONGS_EQUAL(malformed.size(), router.counters().malformed_from_anim);
  CHECK_TRUE(sink.events.empty());  // no touch, button, wake word or reply
  UNSIGNED_LONGS_EQUAL(1, router.agent_utterances_in_flight());
  UNSIGNED_LONGS_EQUAL(1, router.agent_clips_in_flight());
}

TEST(AnimLinkRouter, UnknownAndEmptyAnimDatagramsGoToTheEngineUncounted) {
  STRCMP_EQUAL("to engine", from_anim(Bytes{0xF3, 0x00, 0x00}));  // AnimationState
  STRCMP_EQUAL("to engine", from_anim(Bytes{}));
  STRCMP_EQUAL("to engine", from_anim(Bytes{0xFF}));
  UNSIGNED_LONGS_EQUAL(0, router.counters().malformed_from_anim);
  CHECK_TRUE(sink.events.empty());
}

TEST(AnimLinkRouter, MalformedEngineDatagramsAreCountedAndTrackNoId) {
  prepare_speech(7);
  const std::uint8_t ours = last_injected_tts_id();
  Bytes short_prepare = engine_tts_prepare(ours);
  short_prepare.pop_back();
  Bytes long_play = engine_play_anim(255, "anim_engine_thing");
  long_play.push_back(0);
  from_engine(short_prepare);
  from_engine(long_play);

  UNSIGNED_LONGS_EQUAL(2, router.counters().malformed_from_engine);
  UNSIGNED_LONGS_EQUAL(0, router.counters().id_collisions);
  UNSIGNED_LONGS_EQUAL(1, router.agent_utterances_in_flight());
  CHECK_TRUE(sink.events.empty());
}
