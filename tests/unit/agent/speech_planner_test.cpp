// Standard and project headers before CppUTest's (its macros must not reach them).
#include <chrono>
#include <string>
#include <vector>

#include "agent/speech/speech_planner.h"

#include <CppUTest/TestHarness.h>

using namespace vic_r1;
using channel::CommandKind;
using clad::TtsState;
using speech::SpeechPlanner;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

struct Observer final : speech::SpeechObserver {
  void on_sentence_playing(std::string_view text) override { playing.emplace_back(text); }
  void on_clip_missing(std::string_view clip) override { missing.emplace_back(clip); }
  void on_sentence_dropped(std::string_view text, std::string_view) override { dropped.emplace_back(text); }
  std::vector<std::string> playing, missing, dropped;
};

channel::Event speech_event(std::uint32_t handle, TtsState state, float duration_ms = 500) {
  channel::Event event;
  event.kind = channel::EventKind::kSpeechState;
  event.handle = handle;
  event.speech_state = state;
  event.expected_duration_ms = duration_ms;
  return event;
}

struct PlannerRig {
  PlannerRig() : planner(voice(), speech::SpeechDeadlines{}, observer) {
    planner.start(next_handle, std::nullopt);
  }
  static speech::VoiceSettings voice() {
    speech::VoiceSettings settings;
    settings.duration_scalar = 1.25f;
    settings.pitch_scalar = -0.5f;
    return settings;
  }
  SpeechPlanner::Commands take() {
    SpeechPlanner::Commands taken = out;
    out.clear();
    return taken;
  }
  void hear(std::uint32_t handle, TtsState state) { planner.on_event(speech_event(handle, state), now, out); }

  Observer observer;
  std::uint32_t next_handle = 1;
  SpeechPlanner planner;
  SpeechPlanner::Commands out;
  Clock::time_point now{};
};

}  // namespace

TEST_GROUP(SpeechPlanner){};

TEST(SpeechPlanner, PreparesWithTheManualTriggerAndTheConfiguredVoice) {
  PlannerRig rig;
  rig.planner.add_sentence("Hello.", "", rig.now, rig.out);
  const auto commands = rig.take();
  CHECK_EQUAL(1u, commands.size());
  CHECK(commands[0].kind == CommandKind::kPrepareSpeech);
  CHECK(commands[0].trigger_mode == clad::TtsTriggerMode::kManual);
  DOUBLES_EQUAL(1.25, commands[0].duration_scalar, 1e-6);
  DOUBLES_EQUAL(-0.5, commands[0].pitch_scalar, 1e-6);
  STRCMP_EQUAL("Hello.", std::string(commands[0].text).c_str());
}

TEST(SpeechPlanner, PlaysOnPreparedNotOnPlayable) {
  PlannerRig rig;
  rig.planner.add_sentence("Hello.", "", rig.now, rig.out);
  const std::uint32_t handle = rig.take()[0].handle;
  rig.hear(handle, TtsState::kPlayable);  // a Play now would be refused by vic-anim
  CHECK_EQUAL(0u, rig.take().size());
  rig.hear(handle, TtsState::kPrepared);
  const auto commands = rig.take();
  CHECK_EQUAL(1u, commands.size());
  CHECK(commands[0].kind == CommandKind::kPlaySpeech);
  CHECK_EQUAL(1u, rig.observer.playing.size());
}

TEST(SpeechPlanner, FinishedOnlyAfterTheLastSentenceEndsAndInputEnded) {
  PlannerRig rig;
  rig.planner.add_sentence("One.", "", rig.now, rig.out);
  const std::uint32_t handle = rig.take()[0].handle;
  rig.hear(handle, TtsState::kPrepared);
  rig.hear(handle, TtsState::kFinished);
  CHECK_FALSE(rig.planner.finished());  // more text may still stream in
  rig.planner.end_of_input(rig.now, rig.out);
  CHECK(rig.planner.finished());
}

TEST(SpeechPlanner, RefusedSentenceIsDroppedAndTheNextGoesOn) {
  PlannerRig rig;
  rig.planner.add_sentence("One.", "", rig.now, rig.out);
  rig.planner.add_sentence("Two.", "", rig.now, rig.out);
  const auto prepares = rig.take();
  rig.hear(prepares[0].handle, TtsState::kInvalid);
  CHECK_EQUAL(1u, rig.observer.dropped.size());
  rig.hear(prepares[1].handle, TtsState::kPrepared);
  const auto commands = rig.take();
  CHECK(commands.back().kind == CommandKind::kPlaySpeech);
  CHECK_EQUAL(prepares[1].handle, commands.back().handle);
}

TEST(SpeechPlanner, PrepareThatNeverAnswersIsCancelledAtItsDeadline) {
  PlannerRig rig;
  rig.planner.add_sentence("One.", "", rig.now, rig.out);
  rig.planner.end_of_input(rig.now, rig.out);
  const std::uint32_t handle = rig.take()[0].handle;
  CHECK(rig.planner.deadline().has_value());
  rig.now = *rig.planner.deadline();
  rig.planner.on_time(rig.now, rig.out);
  const auto commands = rig.take();
  CHECK_EQUAL(1u, commands.size());
  CHECK(commands[0].kind == CommandKind::kCancelSpeech);
  CHECK_EQUAL(handle, commands[0].handle);
  CHECK(rig.planner.finished());
}

TEST(SpeechPlanner, PlayingSentenceThatNeverFinishesIsGivenUpAfterItsLengthAndSlack) {
  PlannerRig rig;
  rig.planner.add_sentence("One.", "", rig.now, rig.out);
  const std::uint32_t handle = rig.take()[0].handle;
  rig.planner.on_event(speech_event(handle, TtsState::kPrepared, 2000), rig.now, rig.out);
  rig.take();
  rig.planner.on_time(rig.now + milliseconds(6999), rig.out);
  CHECK_EQUAL(0u, rig.take().size());
  rig.planner.on_time(rig.now + milliseconds(7000), rig.out);  // 2 s of audio + 5 s slack
  CHECK_EQUAL(1u, rig.take().size());
}

TEST(SpeechPlanner, BeforeFirstOutputCommandGoesRightBeforeTheFirstPlay) {
  PlannerRig rig;
  channel::Command stop_thinking;
  stop_thinking.kind = CommandKind::kAbortAnimation;
  stop_thinking.handle = 99;
  rig.planner.start(rig.next_handle, stop_thinking);
  rig.planner.add_sentence("One.", "", rig.now, rig.out);
  const std::uint32_t handle = rig.take()[0].handle;
  rig.hear(handle, TtsState::kPrepared);
  const auto commands = rig.take();
  CHECK_EQUAL(2u, commands.size());
  CHECK(commands[0].kind == CommandKind::kAbortAnimation);
  CHECK(commands[1].kind == CommandKind::kPlaySpeech);
}
