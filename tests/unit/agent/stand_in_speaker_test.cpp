// Standard and project headers before CppUTest's (its macros must not reach them).
#include <string>
#include <vector>

#include "agent/orchestrator/answer_orchestrator.h"
#include "agent/runtime/stand_in_speaker.h"
#include "agent/stream/server_profiles.h"
#include "orchestrator_doubles.h"

#include <CppUTest/TestHarness.h>

using namespace vic_r1;
using channel::AnimationPhase;
using channel::CommandKind;
using channel::Event;
using channel::EventKind;
using clad::TtsState;
using runtime::StandInSpeaker;

namespace {

// One line per event, so a sequence compares as one string.
std::string describe(const Event& event) {
  switch (event.kind) {
    case EventKind::kSpeechState:
      return "tts " + std::to_string(event.handle) + " " + std::to_string(static_cast<int>(event.speech_state));
    case EventKind::kAnimationState:
      return std::string("clip ") + std::to_string(event.handle) +
             (event.animation_phase == AnimationPhase::kStarted ? " started" : " ended") +
             (event.animation_aborted ? " aborted" : "");
    case EventKind::kCommandFailed:
      return "failed " + std::to_string(event.handle) + ": " + std::string(event.text);
    default:
      return "other";
  }
}

struct SpeakerRig {
  StandInSpeaker speaker{[this] { ++wakes; }};
  int wakes = 0;
  std::string delivered;

  void deliver() {
    speaker.deliver([this](const Event& event) { delivered += describe(event) + "\n"; });
  }
};

channel::Command clip(std::uint32_t handle, std::uint32_t loops) {
  channel::Command command = channel::command_for(CommandKind::kPlayAnimation, handle);
  command.anim_name = "anim_thinking";
  command.num_loops = loops;
  return command;
}

}  // namespace

TEST_GROUP(StandInSpeaker){};

TEST(StandInSpeaker, AnswersSpeechAsVicAnimWouldButNeverFromInsideSend) {
  SpeakerRig rig;
  rig.speaker.send(channel::command_for(CommandKind::kPrepareSpeech, 7));
  STRCMP_EQUAL("", rig.delivered.c_str());
  CHECK_EQUAL(1, rig.wakes);
  rig.speaker.send(channel::command_for(CommandKind::kPlaySpeech, 7));
  CHECK_EQUAL(1, rig.wakes);  // one wake while events wait
  rig.deliver();
  const std::string prepared = std::to_string(static_cast<int>(TtsState::kPrepared));
  const std::string playing = std::to_string(static_cast<int>(TtsState::kPlaying));
  const std::string finished = std::to_string(static_cast<int>(TtsState::kFinished));
  STRCMP_EQUAL(("tts 7 " + prepared + "\ntts 7 " + playing + "\ntts 7 " + finished + "\n").c_str(),
               rig.delivered.c_str());
  CHECK(!rig.speaker.has_pending());
}

TEST(StandInSpeaker, ClipPlaysThroughButALoopWaitsForItsAbort) {
  SpeakerRig rig;
  rig.speaker.send(clip(1, 1));
  rig.speaker.send(clip(2, 0));
  rig.deliver();
  STRCMP_EQUAL("clip 1 started\nclip 1 ended\nclip 2 started\n", rig.delivered.c_str());
  rig.delivered.clear();
  rig.speaker.send(channel::command_for(CommandKind::kAbortAnimation, 2));
  rig.speaker.send(channel::command_for(CommandKind::kAbortAnimation, 2));  // already ended: nothing more
  rig.deliver();
  STRCMP_EQUAL("clip 2 ended aborted\n", rig.delivered.c_str());
}

TEST(StandInSpeaker, ReleaseAllEndsEveryLoop) {
  SpeakerRig rig;
  rig.speaker.send(clip(3, 0));
  rig.speaker.send(clip(4, 0));
  rig.speaker.send(channel::command_for(CommandKind::kReleaseAll, 0));
  rig.deliver();
  STRCMP_EQUAL("clip 3 started\nclip 4 started\nclip 3 ended aborted\nclip 4 ended aborted\n",
               rig.delivered.c_str());
}

TEST(StandInSpeaker, WhatNeedsARobotIsRefusedWithTheReason) {
  SpeakerRig rig;
  rig.speaker.send(channel::command_for(CommandKind::kListenAgain, 9));
  rig.deliver();
  STRCMP_EQUAL("failed 9: there is no robot (ask --standalone)\n", rig.delivered.c_str());
}

TEST(StandInSpeaker, EventsCausedDuringDeliveryWaitForTheNextOne) {
  SpeakerRig rig;
  rig.speaker.send(channel::command_for(CommandKind::kPrepareSpeech, 1));
  rig.speaker.deliver(
      [&rig](const Event&) { rig.speaker.send(channel::command_for(CommandKind::kPlaySpeech, 1)); });
  CHECK(rig.speaker.has_pending());
  CHECK_EQUAL(2, rig.wakes);
}

namespace {

class SentenceLog final : public orchestrator::QuestionListener {
 public:
  void on_sentence(std::string_view text) override { said += "[" + std::string(text) + "]"; }
  void on_finished(const orchestrator::QuestionReport& report) override { outcome = report.outcome; }
  std::string said;
  std::string outcome;
};

}  // namespace

// The orchestrator's whole speech path runs on the stand-in: the answer is
// "spoken" sentence by sentence and the question ends, with no robot.
TEST(StandInSpeaker, OrchestratorSpeaksAWholeAnswerThroughIt) {
  test::ScriptedTransport transport;
  test::CapturedLog captured;
  std::vector<orchestrator::AnswerProvider> providers(1);
  providers[0].name = "DeepSeek";
  providers[0].transport = &transport;
  providers[0].profile = &stream::default_server_profile();
  providers[0].request.model = "deepseek-reasoner";
  const auto now = std::chrono::steady_clock::now();
  orchestrator::OrchestratorSettings settings;
  settings.clock = [now] { return now; };
  StandInSpeaker speaker([] {});
  orchestrator::AnswerOrchestrator machine(settings, std::move(providers), speech::EmotionClips::defaults(),
                                           speaker, captured.log());
  SentenceLog listener;
  machine.ask("how far is the moon", "control", &listener, now);
  transport.respond(
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"It is far. **Very** far.\"},"
      "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
  transport.end();
  for (int rounds = 0; rounds < 20 && speaker.has_pending(); ++rounds) {
    speaker.deliver([&](const Event& event) { machine.on_robot_event(event, now); });
  }
  STRCMP_EQUAL("[It is far.][Very far.]", listener.said.c_str());
  STRCMP_EQUAL("answered", listener.outcome.c_str());
  CHECK(machine.state() == orchestrator::AnswerOrchestrator::State::kIdle);
  CHECK(!speaker.has_pending());
}
