// Standard and project headers before CppUTest's (its macros must not reach them).
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agent/orchestrator/answer_orchestrator.h"
#include "agent/speech/spoken_errors.h"
#include "agent/stream/server_profiles.h"
#include "orchestrator_doubles.h"

#include <CppUTest/TestHarness.h>

using namespace vic_r1;
using channel::CommandKind;
using channel::Event;
using channel::EventKind;
using clad::TtsState;
using orchestrator::AnswerOrchestrator;
using orchestrator::AnswerProvider;
using test::RecordingRobot;
using test::ScriptedTransport;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr std::string_view kThinkingClip = "anim_knowledgegraph_searching_01";
constexpr milliseconds kThinkingProgressEvery{8000};

std::string sse(std::string_view delta_json) {
  return "data: {\"model\":\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":" + std::string(delta_json) +
         ",\"finish_reason\":null}]}\n\n";
}
std::string reasoning(std::string_view text) {
  return sse("{\"content\":null,\"reasoning_content\":\"" + std::string(text) + "\"}");
}
std::string content(std::string_view text) { return sse("{\"content\":\"" + std::string(text) + "\"}"); }
std::string finish() {
  return "data: {\"model\":\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},"
         "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
}

Event robot_event(EventKind kind) {
  Event event;
  event.kind = kind;
  return event;
}

Event speech_state(std::uint32_t handle, TtsState state, float duration_ms = 1000) {
  Event event;
  event.kind = EventKind::kSpeechState;
  event.handle = handle;
  event.speech_state = state;
  event.expected_duration_ms = duration_ms;
  return event;
}

Event animation(std::uint32_t handle, channel::AnimationPhase phase) {
  Event event;
  event.kind = EventKind::kAnimationState;
  event.handle = handle;
  event.animation_phase = phase;
  return event;
}

struct Rig {
  explicit Rig(int provider_count = 1, std::string config_problem = {},
               std::vector<std::string> thinking_progress_clips = {}) {
    std::vector<AnswerProvider> providers;
    for (int i = 0; i < provider_count; ++i) {
      transports.push_back(std::make_unique<ScriptedTransport>());
      AnswerProvider provider;
      provider.name = i == 0 ? "DeepSeek" : "Together";
      provider.transport = transports.back().get();
      provider.profile = &stream::default_server_profile();
      provider.request.model = "deepseek-reasoner";
      provider.request.system_prompt = "You are Vector.";
      provider.target = "/chat/completions";
      providers.push_back(std::move(provider));
    }
    orchestrator::OrchestratorSettings settings;
    settings.thinking.clip = std::string(kThinkingClip);
    settings.thinking.progress_clips = std::move(thinking_progress_clips);
    settings.thinking.progress_every = kThinkingProgressEvery;
    settings.clock = [this] { return now; };
    settings.config_problem = std::move(config_problem);
    machine = std::make_unique<AnswerOrchestrator>(settings, std::move(providers),
                                                   speech::EmotionClips::defaults(), robot, captured.log());
  }

  void ask(std::string_view question) { machine->ask(question, "control", nullptr, now); }
  void hear(const Event& event) { machine->on_robot_event(event, now); }
  void pass(milliseconds time) {
    now += time;
    machine->on_time(now);
  }
  ScriptedTransport& transport(int i = 0) { return *transports[static_cast<std::size_t>(i)]; }

  // vic-anim's part for every utterance prepared so far and not yet answered:
  // Playable then Prepared.
  void prepare_all() {
    for (const auto& command : robot.of_kind(CommandKind::kPrepareSpeech)) {
      if (answered_prepares_.count(command.handle) != 0) continue;
      answered_prepares_.insert(command.handle);
      hear(speech_state(command.handle, TtsState::kPlayable));
      hear(speech_state(command.handle, TtsState::kPrepared));
    }
  }
  // Plays every sentence to its end, as vic-anim would, until none is left.
  void speak_everything() {
    for (int rounds = 0; rounds < 100; ++rounds) {
      prepare_all();
      const auto plays = robot.of_kind(CommandKind::kPlaySpeech);
      bool progressed = false;
      for (const auto& play : plays) {
        if (finished_.count(play.handle) != 0) continue;
        finished_.insert(play.handle);
        hear(speech_state(play.handle, TtsState::kPlaying));
        hear(speech_state(play.handle, TtsState::kFinished));
        progressed = true;
      }
      if (!progressed) return;
    }
  }

  Clock::time_point now = Clock::time_point{} + std::chrono::hours(1);
  RecordingRobot robot;
  test::CapturedLog captured;
  std::vector<std::unique_ptr<ScriptedTransport>> transports;
  std::unique_ptr<AnswerOrchestrator> machine;

 private:
  std::set<std::uint32_t> answered_prepares_;
  std::set<std::uint32_t> finished_;
};

std::vector<std::string> strings(std::initializer_list<const char*> items) {
  return std::vector<std::string>(items.begin(), items.end());
}

void check_texts(const std::vector<std::string>& expected, const std::vector<std::string>& actual) {
  std::string expected_text, actual_text;
  for (const auto& text : expected) expected_text += "[" + text + "]";
  for (const auto& text : actual) actual_text += "[" + text + "]";
  STRCMP_EQUAL(expected_text.c_str(), actual_text.c_str());
}

}  // namespace

TEST_GROUP(AnswerOrchestrator){};

TEST(AnswerOrchestrator, QuestionStartsTheThinkingLoopAndTheRequestAtOnce) {
  Rig rig;
  rig.ask("why is the sky blue");
  CHECK_EQUAL(1u, rig.robot.sent.size());
  CHECK(rig.robot.sent[0].kind == CommandKind::kPlayAnimation);
  STRCMP_EQUAL(std::string(kThinkingClip).c_str(), rig.robot.sent[0].text.c_str());
  CHECK_EQUAL(0u, rig.robot.sent[0].num_loops);  // loops until stopped
  CHECK_EQUAL(1u, rig.transport().requests.size());
  CHECK(rig.machine->state() == AnswerOrchestrator::State::kThinking);
  CHECK(rig.transport().current().body.find("why is the sky blue") != std::string::npos);
}

TEST(AnswerOrchestrator, ReasoningIsNeverSpokenAndTheAnswerIsSpokenInSentences) {
  Rig rig;
  rig.ask("why is the sky blue");
  rig.transport().respond(reasoning("The user asks about Rayleigh scattering. ") + reasoning("Keep it short."));
  CHECK_EQUAL(0u, rig.robot.prepared_texts().size());
  rig.transport().more(content("Sunlight scatters off air. ") + content("Blue scatters most!") + finish());
  rig.transport().end();
  check_texts(strings({"Sunlight scatters off air.", "Blue scatters most!"}), rig.robot.prepared_texts());
  rig.speak_everything();
  CHECK(rig.machine->state() == AnswerOrchestrator::State::kIdle);
  STRCMP_EQUAL("answered", rig.machine->last_question()->outcome.c_str());
  CHECK_EQUAL(2u, rig.machine->last_question()->sentences_spoken);
}

TEST(AnswerOrchestrator, TheFirstSentenceIsPreparedBeforeTheAnswerEnds) {
  Rig rig;
  rig.ask("q");
  rig.transport().respond(reasoning("hmm") + content("First one. Second"));
  check_texts(strings({"First one."}), rig.robot.prepared_texts());
  CHECK(rig.machine->state() == AnswerOrchestrator::State::kSpeaking);
}

TEST(AnswerOrchestrator, ThinkingLoopEndsRightBeforeTheFirstWord) {
  Rig rig;
  rig.ask("q");
  const std::uint32_t loop = rig.robot.sent[0].handle;
  rig.transport().respond(content("Hello there. ") + finish());
  rig.transport().end();
  CHECK_EQUAL(1u, rig.robot.prepared_texts().size());
  CHECK_EQUAL(-1, rig.robot.index_of(CommandKind::kAbortAnimation, loop));  // still thinking while it prepares
  rig.prepare_all();
  const int abort = rig.robot.index_of(CommandKind::kAbortAnimation, loop);
  const int play = rig.robot.index_of(CommandKind::kPlaySpeech);
  CHECK(abort >= 0);
  CHECK(play > abort);
}

TEST(AnswerOrchestrator, LongReasoningMovesTheThinkingLoopOnAndTheFirstWordEndsTheNewOne) {
  Rig rig(1, {}, {"anim_observing_self_absorbed_01"});
  rig.ask("q");
  const std::uint32_t first_loop = rig.robot.sent[0].handle;
  rig.transport().respond(reasoning("Let me think about this for a long while. "));
  CHECK(rig.machine->deadline().has_value());
  rig.pass(kThinkingProgressEvery);
  const int abort_first = rig.robot.index_of(CommandKind::kAbortAnimation, first_loop);
  CHECK(abort_first >= 0);
  const auto plays = rig.robot.of_kind(CommandKind::kPlayAnimation);
  CHECK_EQUAL(2u, plays.size());
  STRCMP_EQUAL("anim_observing_self_absorbed_01", plays[1].text.c_str());
  CHECK_EQUAL(0u, plays[1].num_loops);
  rig.transport().more(content("Here it is. ") + finish());
  rig.transport().end();
  rig.prepare_all();
  const int abort_second = rig.robot.index_of(CommandKind::kAbortAnimation, plays[1].handle);
  const int play = rig.robot.index_of(CommandKind::kPlaySpeech);
  CHECK(abort_second >= 0);
  CHECK(play > abort_second);
}

TEST(AnswerOrchestrator, NextSentenceIsPreparedWhileTheCurrentPlaysAndPlaysOnFinished) {
  Rig rig;
  rig.ask("q");
  rig.transport().respond(content("One. Two. ") + finish());
  rig.transport().end();
  const auto prepares = rig.robot.of_kind(CommandKind::kPrepareSpeech);
  CHECK_EQUAL(2u, prepares.size());  // both out before the first plays
  rig.hear(speech_state(prepares[0].handle, TtsState::kPrepared));
  rig.hear(speech_state(prepares[1].handle, TtsState::kPrepared));
  CHECK_EQUAL(1u, rig.robot.of_kind(CommandKind::kPlaySpeech).size());  // one at a time
  rig.hear(speech_state(prepares[0].handle, TtsState::kFinished));
  const auto plays = rig.robot.of_kind(CommandKind::kPlaySpeech);
  CHECK_EQUAL(2u, plays.size());
  CHECK_EQUAL(prepares[1].handle, plays[1].handle);
}

TEST(AnswerOrchestrator, WakeWordWhileSpeakingStopsEverythingAndListens) {
  Rig rig;
  rig.ask("q");
  rig.transport().respond(content("One. Two. Three"));
  rig.prepare_all();
  rig.hear(robot_event(EventKind::kWakeWord));
  CHECK(rig.transport().current().cancelled);
  CHECK(rig.robot.sent.back().kind == CommandKind::kReleaseAll);
  CHECK(rig.machine->state() == AnswerOrchestrator::State::kListening);
  CHECK_EQUAL(1, rig.transport().preconnects);
  STRCMP_EQUAL("interrupted: by the wake word", rig.machine->last_question()->outcome.c_str());
}

// vic-anim restarted: its utterance is gone, and going on would start the
// rest of the answer in the middle.
TEST(AnswerOrchestrator, TheRobotLinkGoingDownWhileSpeakingEndsTheAnswer) {
  Rig rig;
  Event link = robot_event(EventKind::kRobotLink);
  link.can_inject = true;
  rig.hear(link);
  rig.ask("q");
  rig.transport().respond(content("One. Two. Three"));
  rig.prepare_all();
  link.can_inject = false;
  link.text = "vic-anim is gone; waiting for it to come back";
  rig.hear(link);
  CHECK(rig.transport().current().cancelled);
  CHECK(rig.robot.sent.back().kind == CommandKind::kReleaseAll);
  CHECK(rig.machine->state() == AnswerOrchestrator::State::kIdle);
  STRCMP_EQUAL("interrupted: by the robot link going down", rig.machine->last_question()->outcome.c_str());
}

TEST(AnswerOrchestrator, TouchWhileThinkingStopsTheStreamAndTheLoop) {
  Rig rig;
  rig.ask("q");
  rig.transport().respond(reasoning("thinking a lot"));
  rig.hear(robot_event(EventKind::kBackTouched));
  CHECK(rig.transport().current().cancelled);
  CHECK(rig.robot.sent.back().kind == CommandKind::kReleaseAll);
  CHECK(rig.machine->state() == AnswerOrchestrator::State::kIdle);
}

TEST(AnswerOrchestrator, NewQuestionDuringAnAnswerReplacesIt) {
  Rig rig;
  rig.ask("first");
  rig.transport().respond(content("About the first. "));
  rig.ask("second");
  CHECK(rig.transport().requests[0].cancelled);
  CHECK_EQUAL(2u, rig.transport().requests.size());
  CHECK(rig.transport().current().body.find("second") != std::string::npos);
  STRCMP_EQUAL("second", rig.machine->last_question()->question.c_str());
}

TEST(AnswerOrchestrator, AnimateWhileSpeakingStartsWithItsSentence) {
  Rig rig;
  rig.ask("q");
  rig.transport().respond(content("{{playAnimationWI||happy}}Great news! ") + finish());
  rig.transport().end();
  check_texts(strings({"Great news!"}), rig.robot.prepared_texts());
  rig.prepare_all();
  const auto clips = rig.robot.of_kind(CommandKind::kPlayAnimation);
  CHECK_EQUAL(2u, clips.size());  // the thinking loop, then the emotion
  STRCMP_EQUAL("anim_feedback_goodrobot_01", clips[1].text.c_str());
  // It starts with the sentence's Play, not before.
  CHECK(rig.robot.index_of(CommandKind::kPlaySpeech) <
        rig.robot.index_of(CommandKind::kPlayAnimation, clips[1].handle));
}

TEST(AnswerOrchestrator, BlockingAnimationPlaysBetweenSentences) {
  Rig rig;
  rig.ask("q");
  rig.transport().respond(content("I love that. {{playAnimation||love}}Really. ") + finish());
  rig.transport().end();
  rig.prepare_all();
  const auto prepares = rig.robot.of_kind(CommandKind::kPrepareSpeech);
  rig.hear(speech_state(prepares[0].handle, TtsState::kFinished));
  const auto clips = rig.robot.of_kind(CommandKind::kPlayAnimation);
  STRCMP_EQUAL("anim_feedback_iloveyou_01", clips.back().text.c_str());
  CHECK_EQUAL(1u, rig.robot.of_kind(CommandKind::kPlaySpeech).size());  // "Really." waits for the clip
  rig.hear(animation(clips.back().handle, channel::AnimationPhase::kStarted));
  rig.hear(animation(clips.back().handle, channel::AnimationPhase::kEnded));
  CHECK_EQUAL(2u, rig.robot.of_kind(CommandKind::kPlaySpeech).size());
}

TEST(AnswerOrchestrator, UnknownEmotionIsLoggedOnceAndNeverSpoken) {
  Rig rig;
  rig.ask("q");
  rig.transport().respond(content("{{playAnimationWI||grumpy}}Hi. {{playAnimationWI||grumpy}}Bye. ") + finish());
  rig.transport().end();
  check_texts(strings({"Hi.", "Bye."}), rig.robot.prepared_texts());
  CHECK_EQUAL(1u, rig.captured.count("unknown emotion \"grumpy\""));
}

TEST(AnswerOrchestrator, ClipTheRobotLacksIsSkippedAfterItsDeadline) {
  Rig rig;
  rig.ask("q");
  rig.transport().respond(content("{{playAnimation||happy}}Then this. ") + finish());
  rig.transport().end();
  CHECK_EQUAL(0u, rig.robot.of_kind(CommandKind::kPlaySpeech).size());
  rig.prepare_all();
  rig.pass(milliseconds(2000));  // no AnimationStarted: vic-anim lacks the clip
  CHECK_EQUAL(1u, rig.robot.of_kind(CommandKind::kPlaySpeech).size());
  CHECK_EQUAL(1u, rig.captured.count("did not play the clip anim_feedback_goodrobot_01"));
}

TEST(AnswerOrchestrator, EmptyBalanceIsSpokenPlainly) {
  Rig rig;
  rig.ask("q");
  platform::RequestFailure failure;
  failure.kind = platform::RequestFailureKind::kHttpStatus;
  failure.http_status = 402;
  rig.transport().end(failure);
  check_texts(strings({"My DeepSeek balance is empty."}), rig.robot.prepared_texts());
}

TEST(AnswerOrchestrator, AClockNotSetIsExplainedWithWhatToDo) {
  Rig rig;
  rig.ask("q");
  platform::RequestFailure failure;
  failure.kind = platform::RequestFailureKind::kClockNotSet;
  rig.transport().end(failure);
  check_texts(strings({"My clock isn't set yet, so I can't check that I'm really talking to DeepSeek. It sets "
                       "itself once I'm online. Please ask me again in a minute."}),
              rig.robot.prepared_texts());
}

TEST(AnswerOrchestrator, PlainHttpToTheInternetIsRefusedAloud) {
  Rig rig;
  rig.ask("q");
  platform::RequestFailure failure;
  failure.kind = platform::RequestFailureKind::kUnencryptedToInternet;
  rig.transport().end(failure);
  check_texts(strings({"I won't send your question to DeepSeek unencrypted, because it is not on your home "
                       "network."}),
              rig.robot.prepared_texts());
}

TEST(AnswerOrchestrator, StalledModelIsSpokenAsStalled) {
  Rig rig;
  rig.ask("q");
  rig.transport().respond(reasoning("long thought"));
  platform::RequestFailure failure;
  failure.kind = platform::RequestFailureKind::kTimeout;
  failure.phase = platform::RequestPhase::kBody;
  failure.only_keepalive_bytes = true;
  rig.transport().end(failure);
  check_texts(strings({"The model at DeepSeek stopped while thinking."}), rig.robot.prepared_texts());
}

// The fragment the failure cut ("The sec") is not spoken: half a word
// helps no one.
TEST(AnswerOrchestrator, AnswerCutOffKeepsWhatWasSaidAndSaysSo) {
  Rig rig;
  rig.ask("q");
  rig.transport().respond(content("The first part. The sec"));
  platform::RequestFailure failure;
  failure.kind = platform::RequestFailureKind::kStreamBroken;
  failure.phase = platform::RequestPhase::kBody;
  rig.transport().end(failure);
  rig.speak_everything();
  check_texts(strings({"The first part.", "Sorry, my answer was cut off."}), rig.robot.prepared_texts());
  STRCMP_CONTAINS("answered partly", rig.machine->last_question()->outcome.c_str());
}

TEST(AnswerOrchestrator, FailureBeforeTheFirstAnswerByteGoesToTheNextProvider) {
  Rig rig(2);
  rig.ask("q");
  platform::RequestFailure failure;
  failure.kind = platform::RequestFailureKind::kHttpStatus;
  failure.http_status = 503;
  rig.transport(0).end(failure);
  CHECK_EQUAL(1u, rig.transport(1).requests.size());
  CHECK_EQUAL(0u, rig.robot.prepared_texts().size());
  rig.transport(1).respond(content("From the second. ") + finish());
  rig.transport(1).end();
  rig.speak_everything();
  STRCMP_EQUAL("Together", rig.machine->last_question()->provider.c_str());
  CHECK_EQUAL(1, rig.machine->last_question()->fallbacks);
  CHECK_EQUAL(1u, rig.machine->last_question()->given_up.size());
  STRCMP_CONTAINS("503", rig.machine->last_question()->given_up[0].c_str());
  STRCMP_CONTAINS("DeepSeek", rig.machine->last_question()->given_up[0].c_str());
  // The report tells how the request that answered ended, not the one before.
  CHECK(rig.machine->last_question()->request_failure == platform::RequestFailureKind::kNone);
  CHECK(rig.machine->last_question()->stream_outcome == stream::StreamOutcome::kCompleted);
  check_texts(strings({"From the second."}), rig.robot.prepared_texts());
}

TEST(AnswerOrchestrator, RefusedConnectionOrRateLimitGoesToTheNextProvider) {
  for (const bool rate_limited : {false, true}) {
    Rig rig(2);
    rig.ask("q");
    platform::RequestFailure failure;
    if (rate_limited) {
      failure.kind = platform::RequestFailureKind::kHttpStatus;
      failure.http_status = 429;
    } else {
      failure.kind = platform::RequestFailureKind::kConnectionRefused;
      failure.phase = platform::RequestPhase::kConnect;
    }
    rig.transport(0).end(failure);
    CHECK_EQUAL(1u, rig.transport(1).requests.size());
    rig.transport(1).respond(content("From the second. ") + finish());
    rig.transport(1).end();
    rig.speak_everything();
    STRCMP_EQUAL("Together", rig.machine->last_question()->provider.c_str());
    CHECK_EQUAL(1, rig.machine->last_question()->fallbacks);
    CHECK_EQUAL(1u, rig.machine->totals().fallbacks);
    STRCMP_EQUAL("answered", rig.machine->last_question()->outcome.c_str());
    check_texts(strings({"From the second."}), rig.robot.prepared_texts());
  }
}

TEST(AnswerOrchestrator, ReasoningBeforeAFailureStillGoesToTheNextProvider) {
  Rig rig(2);
  rig.ask("q");
  rig.transport(0).respond(reasoning("thinking at the first"));
  platform::RequestFailure failure;
  failure.kind = platform::RequestFailureKind::kStreamBroken;
  failure.phase = platform::RequestPhase::kBody;
  rig.transport(0).end(failure);
  CHECK_EQUAL(1u, rig.transport(1).requests.size());
  rig.transport(1).respond(content("Second answer. ") + finish());
  rig.transport(1).end();
  rig.speak_everything();
  check_texts(strings({"Second answer."}), rig.robot.prepared_texts());
  CHECK_EQUAL(1, rig.machine->last_question()->fallbacks);
}

TEST(AnswerOrchestrator, FailureAfterAnswerBytesIsSpokenNotSentToTheNextProvider) {
  Rig rig(2);
  rig.ask("q");
  rig.transport(0).respond(content("The first part. The sec"));
  platform::RequestFailure failure;
  failure.kind = platform::RequestFailureKind::kStreamBroken;
  failure.phase = platform::RequestPhase::kBody;
  rig.transport(0).end(failure);
  rig.speak_everything();
  // The second would start the answer again: Vector would say it twice.
  CHECK_EQUAL(0u, rig.transport(1).requests.size());
  check_texts(strings({"The first part.", "Sorry, my answer was cut off."}), rig.robot.prepared_texts());
  STRCMP_EQUAL("DeepSeek", rig.machine->last_question()->provider.c_str());
  CHECK_EQUAL(0, rig.machine->last_question()->fallbacks);
  STRCMP_CONTAINS("answered partly", rig.machine->last_question()->outcome.c_str());
}

TEST(AnswerOrchestrator, LastProviderFailingIsSpokenForIt) {
  Rig rig(2);
  rig.ask("q");
  platform::RequestFailure failure;
  failure.kind = platform::RequestFailureKind::kHttpStatus;
  failure.http_status = 503;
  rig.transport(0).end(failure);
  rig.transport(1).end(failure);
  CHECK_EQUAL(1u, rig.transport(0).requests.size());
  CHECK_EQUAL(1u, rig.transport(1).requests.size());
  CHECK_EQUAL(1u, rig.robot.prepared_texts().size());
  STRCMP_CONTAINS("Together", rig.robot.prepared_texts()[0].c_str());
  STRCMP_EQUAL("Together", rig.machine->last_question()->provider.c_str());
  STRCMP_CONTAINS("failed", rig.machine->last_question()->outcome.c_str());
}

namespace {

// What a listener was told, in order.
class RecordingListener final : public orchestrator::QuestionListener {
 public:
  void on_sentence(std::string_view text) override { told.push_back("say: " + std::string(text)); }
  void on_reasoning(std::string_view text) override { told.push_back("think: " + std::string(text)); }
  void on_answer_text(std::string_view text) override { told.push_back("text: " + std::string(text)); }
  void on_finished(const orchestrator::QuestionReport& report) override {
    told.push_back("done: " + report.outcome);
    reports.push_back(report);
  }
  std::vector<std::string> told;
  std::vector<orchestrator::QuestionReport> reports;
};

}  // namespace

TEST(AnswerOrchestrator, ListenerHearsTheReasoningAndTheTextApartAndTheSentencesAsSpoken) {
  Rig rig;
  RecordingListener listener;
  rig.machine->ask("q", "control", &listener, rig.now);
  rig.transport().respond(reasoning("Let me think.") + content("{{playAnimationWI||happy}}It is **far**. ") +
                          finish());
  rig.transport().end();
  rig.speak_everything();
  check_texts(strings({"think: Let me think.", "text: It is **far**. ", "say: It is far.", "done: answered"}),
              listener.told);
  check_texts(strings({"It is far."}), rig.robot.prepared_texts());
}

TEST(AnswerOrchestrator, ReportCarriesTheRequestFailureClassAndTiming) {
  Rig rig;
  RecordingListener listener;
  rig.machine->ask("q", "control", &listener, rig.now);
  platform::RequestFailure failure;
  failure.kind = platform::RequestFailureKind::kHttpStatus;
  failure.http_status = 503;
  platform::RequestTiming timing;
  timing.attempts = 3;
  timing.tls_version = "TLSv1.3";
  rig.transport().end(failure, timing);
  rig.speak_everything();
  CHECK_EQUAL(1u, listener.reports.size());
  const orchestrator::QuestionReport& report = listener.reports.front();
  CHECK(report.request_failure == platform::RequestFailureKind::kHttpStatus);
  CHECK(!report.stream_outcome);  // no body was read
  CHECK(report.request_timing.has_value());
  CHECK_EQUAL(3, report.request_timing->attempts);
  STRCMP_EQUAL("TLSv1.3", report.request_timing->tls_version.c_str());
  CHECK(report.timeline.provider_asked.has_value());
}

TEST(AnswerOrchestrator, ReportCarriesHowTheStreamEnded) {
  Rig rig;
  rig.ask("q");
  rig.transport().respond(reasoning("only thoughts, no answer") + finish());
  rig.transport().end();
  rig.speak_everything();
  CHECK(rig.machine->last_question()->request_failure == platform::RequestFailureKind::kNone);
  CHECK(rig.machine->last_question()->stream_outcome == stream::StreamOutcome::kAnswerOnlyInReasoning);
}

TEST(AnswerOrchestrator, StopEndsTheQuestionAtOnceAsInterrupted) {
  Rig rig;
  RecordingListener listener;
  rig.machine->ask("q", "control", &listener, rig.now);
  rig.transport().respond(reasoning("thinking"));
  rig.machine->stop("SIGINT", rig.now);
  CHECK_EQUAL(1, rig.transport().cancels);
  CHECK(rig.robot.index_of(CommandKind::kReleaseAll) >= 0);
  check_texts(strings({"think: thinking", "done: interrupted: by SIGINT"}), listener.told);
  CHECK(rig.machine->state() == AnswerOrchestrator::State::kIdle);
}

TEST(AnswerOrchestrator, StopWhenIdleDoesNothing) {
  Rig rig;
  rig.machine->stop("SIGINT", rig.now);
  CHECK_EQUAL(0u, rig.robot.sent.size());
  CHECK(!rig.machine->last_question());
}

TEST(AnswerOrchestrator, HistoryCarriesTheSpokenAnswerWithoutMarkupOrReasoning) {
  Rig rig;
  rig.ask("first question");
  rig.transport().respond(reasoning("SECRET-REASONING") + content("{{playAnimationWI||happy}}Sure thing. ") +
                          finish());
  rig.transport().end();
  rig.speak_everything();
  rig.ask("second question");
  const std::string& body = rig.transport().current().body;
  CHECK(body.find("first question") != std::string::npos);
  CHECK(body.find("Sure thing.") != std::string::npos);
  CHECK(body.find("SECRET-REASONING") == std::string::npos);
  CHECK(body.find("playAnimation") == std::string::npos);
  CHECK(body.find("reasoning_content") == std::string::npos);
}

TEST(AnswerOrchestrator, UnusableConfigIsSaidAloud) {
  Rig rig(1, "the config /data/vic-r1/config.json cannot be used");
  rig.ask("q");
  CHECK_EQUAL(0u, rig.transport().requests.size());
  check_texts({std::string(speech::kSpokenConfigError)}, rig.robot.prepared_texts());
}

TEST(AnswerOrchestrator, ProviderWithoutItsKeyIsSaidAloud) {
  Rig rig;
  std::vector<AnswerProvider> providers;
  AnswerProvider provider;
  provider.name = "DeepSeek";
  provider.transport = &rig.transport();
  provider.profile = &stream::default_server_profile();
  provider.unusable = "cannot read /data/vic-r1/api-key: No such file or directory";
  provider.unusable_spoken = "I have no API key for DeepSeek, so I can't answer.";
  providers.push_back(provider);
  orchestrator::OrchestratorSettings settings;
  AnswerOrchestrator machine(settings, providers, speech::EmotionClips::defaults(), rig.robot, rig.captured.log());
  machine.ask("q", "control", nullptr, rig.now);
  CHECK_EQUAL(0u, rig.transport().requests.size());
  check_texts({"I have no API key for DeepSeek, so I can't answer."}, rig.robot.prepared_texts());
  STRCMP_CONTAINS("api-key", machine.last_error().c_str());
}

TEST(AnswerOrchestrator, UsageIsAddedToTheTotals) {
  Rig rig;
  rig.ask("q");
  rig.transport().respond(
      content("Hi. ") +
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":30,\"total_tokens\":41,"
      "\"completion_tokens_details\":{\"reasoning_tokens\":25}}}\n\n" +
      finish());
  rig.transport().end();
  CHECK_EQUAL(11, rig.machine->totals().prompt_tokens);
  CHECK_EQUAL(25, rig.machine->totals().reasoning_tokens);
  CHECK_EQUAL(5, rig.machine->totals().answer_tokens);
}

// ---- The voice server answering by itself -----------------------------------------

namespace {

// vic-engine's own utterance, as the bridge reports it.
Event engine_says(std::string_view text) {
  Event event;
  event.kind = EventKind::kEngineSpeech;
  event.text = text;
  return event;
}

Event server_answers(std::string_view answer) {
  Event event;
  event.kind = EventKind::kVoiceServerAnswer;
  event.intent = "intent_knowledge_response_extend";
  event.text = answer;
  return event;
}

// What wire-pod's LLM makes Vector say after "Hey Vector, why is the sky
// blue?": one SayText, so one engine utterance, per sentence (33 words).
void engine_answers_at_length(Rig& rig) {
  rig.hear(engine_says("Great question!"));
  rig.pass(milliseconds(3000));
  rig.hear(
      engine_says("Sunlight is made of every color, and the tiny molecules of air scatter blue light the most."));
  rig.pass(milliseconds(4000));
  rig.hear(engine_says("So blue light reaches your eyes from every direction of the sky, which looks blue."));
}

constexpr const char* kFix = "Turn off the LLM / knowledge graph in wire-pod's settings, or Vector answers twice";

}  // namespace

TEST(AnswerOrchestrator, EngineSpeakingAtLengthAfterAWakeWordWithNoQuestionWarnsOnceWithTheFix) {
  Rig rig;
  rig.hear(robot_event(EventKind::kWakeWord));
  rig.pass(milliseconds(2000));
  engine_answers_at_length(rig);
  CHECK_EQUAL(1u, rig.machine->voice_server_answers().long_speech_after_wake_word);
  CHECK_EQUAL(1u, rig.captured.count("answers questions itself"));
  CHECK_EQUAL(1u, rig.captured.count(kFix));
  STRCMP_CONTAINS("So blue light reaches", rig.machine->voice_server_answers().last_heard.c_str());

  // Counted again for the next wake word, but the log says it once.
  rig.pass(milliseconds(60000));
  rig.hear(robot_event(EventKind::kWakeWord));
  engine_answers_at_length(rig);
  CHECK_EQUAL(2u, rig.machine->voice_server_answers().long_speech_after_wake_word);
  CHECK_EQUAL(1u, rig.captured.count(kFix));
  // Nothing of ours was said or asked.
  CHECK_EQUAL(0u, rig.transport().requests.size());
  CHECK_EQUAL(0u, rig.robot.prepared_texts().size());
}

TEST(AnswerOrchestrator, ShortEngineUtterancesAfterAWakeWordAreNormalAndNeverWarn) {
  Rig rig;
  // The time, the weather, a name, "I don't know": a turn each.
  for (const char* said :
       {"It's 3:15 PM.", "It's 72 degrees and sunny in Seattle.", "Hi Anna!", "I don't know."}) {
    rig.pass(milliseconds(60000));
    rig.hear(robot_event(EventKind::kWakeWord));
    rig.pass(milliseconds(2000));
    rig.hear(engine_says(said));
  }
  CHECK_EQUAL(0u, rig.machine->voice_server_answers().total());
  CHECK_EQUAL(0u, rig.captured.count(kFix));
}

TEST(AnswerOrchestrator, EngineSpeakingAtLengthWithNoRecentWakeWordIsNotAnAnswer) {
  Rig rig;
  // An SDK program's or a routine announcement: nobody asked anything.
  engine_answers_at_length(rig);
  // Past the window after a wake word, likewise.
  rig.hear(robot_event(EventKind::kWakeWord));
  rig.pass(orchestrator::VoiceServerAnswerWatch::kAfterWakeWord + milliseconds(1));
  engine_answers_at_length(rig);
  CHECK_EQUAL(0u, rig.machine->voice_server_answers().total());
  CHECK_EQUAL(0u, rig.captured.count(kFix));
}

TEST(AnswerOrchestrator, EngineSpeakingWhileWeThinkMeansVectorAnswersTwice) {
  Rig rig;
  rig.hear(robot_event(EventKind::kWakeWord));
  Event question = robot_event(EventKind::kQuestion);
  question.text = "why is the sky blue";
  rig.hear(question);
  CHECK(rig.machine->state() == AnswerOrchestrator::State::kThinking);
  rig.hear(engine_says("The sky is blue because air scatters blue light the most."));
  CHECK_EQUAL(1u, rig.machine->voice_server_answers().speech_during_our_answer);
  CHECK_EQUAL(0u, rig.machine->voice_server_answers().long_speech_after_wake_word);
  CHECK_EQUAL(1u, rig.captured.count("vic-engine spoke while vic-r1 was answering"));
  // Once per question: its further sentences add nothing.
  rig.hear(engine_says("Sunsets are red for the same reason, my friend."));
  CHECK_EQUAL(1u, rig.machine->voice_server_answers().speech_during_our_answer);
  // Our answer goes on regardless.
  CHECK(rig.machine->state() == AnswerOrchestrator::State::kThinking);
}

TEST(AnswerOrchestrator, EngineSpeakingWhileWeSpeakMeansVectorAnswersTwice) {
  Rig rig;
  rig.ask("q");
  rig.transport().respond(content("First one. Second one is longer. "));
  rig.prepare_all();
  CHECK(rig.machine->state() == AnswerOrchestrator::State::kSpeaking);
  rig.hear(engine_says("Here is what I found on the web for your question."));
  CHECK_EQUAL(1u, rig.machine->voice_server_answers().speech_during_our_answer);
}

TEST(AnswerOrchestrator, AShortEngineUtteranceDuringOurAnswerDoesNotWarn) {
  Rig rig;
  rig.ask("q");
  rig.hear(engine_says("I don't know."));
  CHECK_EQUAL(0u, rig.machine->voice_server_answers().total());
}

TEST(AnswerOrchestrator, EngineSpeechAfterOurAnswerToTheWakeWordsQuestionIsNotCountedAsAnswerInstead) {
  Rig rig;
  rig.hear(robot_event(EventKind::kWakeWord));
  Event question = robot_event(EventKind::kQuestion);
  question.text = "q";
  rig.hear(question);
  rig.transport().respond(content("Done. ") + finish());
  rig.transport().end();
  rig.speak_everything();
  CHECK(rig.machine->state() == AnswerOrchestrator::State::kIdle);
  // The question reached us: the server passed it on.
  engine_answers_at_length(rig);
  CHECK_EQUAL(0u, rig.machine->voice_server_answers().total());
}

TEST(AnswerOrchestrator, AKnowledgeAnswerOfTheServersOwnWarnsOnceAndCountsEach) {
  Rig rig;
  rig.hear(server_answers("Rayleigh scattering."));
  rig.hear(server_answers("About 384,000 kilometers."));
  CHECK_EQUAL(2u, rig.machine->voice_server_answers().knowledge_answers);
  CHECK_EQUAL(1u, rig.captured.count("answers knowledge questions itself"));
  STRCMP_EQUAL("About 384,000 kilometers.", rig.machine->voice_server_answers().last_heard.c_str());
}
