// Standard and project headers before CppUTest's (its macros must not reach them).
#include <chrono>
#include <string>
#include <vector>

#include "agent/orchestrator/thinking_animation.h"

#include <CppUTest/TestHarness.h>

using namespace vic_r1;
using channel::CommandKind;
using orchestrator::ThinkingAnimation;
using orchestrator::ThinkingAnimationSettings;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds kEvery{8000};

ThinkingAnimationSettings with_progress(std::vector<std::string> clips) {
  ThinkingAnimationSettings settings;
  settings.clip = "anim_knowledgegraph_searching_01";
  settings.progress_clips = std::move(clips);
  settings.progress_every = kEvery;
  return settings;
}

// Each command as "kind handle clip", for comparisons that read as the wire does.
std::vector<std::string> described(const ThinkingAnimation::Commands& commands) {
  std::vector<std::string> text;
  for (const channel::Command& command : commands) {
    std::string line = command.kind == CommandKind::kPlayAnimation ? "play " : "abort ";
    line += std::to_string(command.handle);
    if (command.kind == CommandKind::kPlayAnimation) {
      line += " " + std::string(command.anim_name) + " loops " + std::to_string(command.num_loops);
    }
    text.push_back(line);
  }
  return text;
}

channel::Event animation_ended(std::uint32_t handle) {
  channel::Event event;
  event.kind = channel::EventKind::kAnimationState;
  event.handle = handle;
  event.animation_phase = channel::AnimationPhase::kEnded;
  return event;
}

struct Rig {
  explicit Rig(ThinkingAnimationSettings settings) : thinking(std::move(settings)) {}
  std::vector<std::string> start() {
    ThinkingAnimation::Commands out;
    thinking.start(next_handle, now, out);
    return described(out);
  }
  std::vector<std::string> advance(milliseconds by) {
    now += by;
    ThinkingAnimation::Commands out;
    thinking.on_time(next_handle, now, out);
    return described(out);
  }
  ThinkingAnimation thinking;
  std::uint32_t next_handle = 10;
  Clock::time_point now = Clock::time_point{} + std::chrono::hours(1);
};

using Lines = std::vector<std::string>;

}  // namespace

TEST_GROUP(ThinkingAnimation){};

TEST(ThinkingAnimation, TheLoopStartsWithTheQuestionAndWantsNoTimeWithoutProgressClips) {
  Rig rig(with_progress({}));
  CHECK(rig.start() == Lines{"play 10 anim_knowledgegraph_searching_01 loops 0"});
  CHECK_FALSE(rig.thinking.deadline().has_value());
  CHECK(rig.thinking.stop_command().has_value());
  LONGS_EQUAL(10, rig.thinking.stop_command()->handle);
}

TEST(ThinkingAnimation, NoClipMeansNothingToPlayOrStop) {
  ThinkingAnimationSettings settings;
  Rig rig(settings);
  CHECK(rig.start().empty());
  CHECK_FALSE(rig.thinking.stop_command().has_value());
  CHECK_FALSE(rig.thinking.deadline().has_value());
}

TEST(ThinkingAnimation, GrowingReasoningMovesTheLoopOnToEachProgressClipThenStays) {
  Rig rig(with_progress({"anim_observing_self_absorbed_01", "anim_meetvictor_lookface_timeout_01"}));
  rig.start();
  CHECK(rig.advance(kEvery - milliseconds(1)).empty());  // not yet
  rig.thinking.on_reasoning(400);
  CHECK(rig.advance(milliseconds(1)) == (Lines{"abort 10", "play 11 anim_observing_self_absorbed_01 loops 0"}));
  rig.thinking.on_reasoning(900);
  CHECK(rig.advance(kEvery) == (Lines{"abort 11", "play 12 anim_meetvictor_lookface_timeout_01 loops 0"}));
  LONGS_EQUAL(12, rig.thinking.stop_command()->handle);
  // The last clip stays until the first word.
  CHECK_FALSE(rig.thinking.deadline().has_value());
  rig.thinking.on_reasoning(5000);
  CHECK(rig.advance(kEvery * 3).empty());
  LONGS_EQUAL(2, rig.thinking.progress_steps());
}

TEST(ThinkingAnimation, AStalledModelShowsNoProgress) {
  Rig rig(with_progress({"anim_observing_self_absorbed_01"}));
  rig.start();
  rig.thinking.on_reasoning(300);
  CHECK(rig.advance(kEvery).size() == 2);
  Rig stalled(with_progress({"anim_observing_self_absorbed_01", "anim_b_01"}));
  stalled.start();
  CHECK(stalled.advance(kEvery).empty());  // no reasoning at all yet
  CHECK(stalled.advance(kEvery).empty());
  stalled.thinking.on_reasoning(10);
  CHECK(stalled.advance(kEvery).size() == 2);  // it moved: a step
  CHECK(stalled.advance(kEvery).empty());      // then it stalled: none
}

TEST(ThinkingAnimation, TheAnswerStopsTheSteps) {
  Rig rig(with_progress({"anim_observing_self_absorbed_01"}));
  rig.start();
  rig.thinking.on_reasoning(300);
  rig.thinking.on_answer_started();
  CHECK_FALSE(rig.thinking.deadline().has_value());
  CHECK(rig.advance(kEvery).empty());
  LONGS_EQUAL(10, rig.thinking.stop_command()->handle);  // the first word ends the loop
}

TEST(ThinkingAnimation, ALoopThatEndsOrIsRefusedIsForgottenWithItsSteps) {
  Rig rig(with_progress({"anim_observing_self_absorbed_01"}));
  rig.start();
  CHECK_FALSE(rig.thinking.on_event(animation_ended(99)));  // someone else's clip
  CHECK_TRUE(rig.thinking.on_event(animation_ended(10)));
  CHECK_FALSE(rig.thinking.stop_command().has_value());
  CHECK_FALSE(rig.thinking.deadline().has_value());
  rig.thinking.on_reasoning(300);
  CHECK(rig.advance(kEvery).empty());

  Rig refused(with_progress({}));
  refused.start();
  channel::Event failure;
  failure.kind = channel::EventKind::kCommandFailed;
  failure.handle = 10;
  CHECK_TRUE(refused.thinking.on_event(failure));
  CHECK_FALSE(refused.thinking.stop_command().has_value());
}

TEST(ThinkingAnimation, StopAbortsTheLoopOnceAndANewQuestionStartsAfresh) {
  Rig rig(with_progress({"anim_observing_self_absorbed_01"}));
  rig.start();
  ThinkingAnimation::Commands out;
  rig.thinking.stop(out);
  CHECK(described(out) == Lines{"abort 10"});
  out.clear();
  rig.thinking.stop(out);
  CHECK(out.empty());
  CHECK(rig.start() == Lines{"play 11 anim_knowledgegraph_searching_01 loops 0"});
  LONGS_EQUAL(0, rig.thinking.progress_steps());
  CHECK(rig.thinking.deadline().has_value());
}
