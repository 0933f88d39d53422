// Standard and project headers before CppUTest's (its macros must not reach them).
#include <chrono>
#include <string>

#include "agent/orchestrator/status_report.h"
#include "agent/orchestrator/voice_server_answer_watch.h"

#include <CppUTest/TestHarness.h>

using vic_r1::orchestrator::format_status_json;
using vic_r1::orchestrator::format_status_text;
using vic_r1::orchestrator::StatusSnapshot;
using vic_r1::orchestrator::VoiceServerAnswerKind;
using vic_r1::orchestrator::VoiceServerAnswerWatch;
using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

TEST_GROUP(VoiceServerAnswerWatch) {
  VoiceServerAnswerWatch watch;
  Clock::time_point now = Clock::time_point{} + std::chrono::hours(1);

  // Words, one utterance of `count` of them.
  static std::string words(std::size_t count) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i) text += i == 0 ? "word" : " word";
    return text;
  }
};

TEST(VoiceServerAnswerWatch, WordsAreRunsBetweenSpaces) {
  LONGS_EQUAL(0, VoiceServerAnswerWatch::count_words(""));
  LONGS_EQUAL(0, VoiceServerAnswerWatch::count_words("  \t\n"));
  LONGS_EQUAL(3, VoiceServerAnswerWatch::count_words("  It's 3:15  PM. "));
  LONGS_EQUAL(2, VoiceServerAnswerWatch::count_words("one\ntwo"));
}

TEST(VoiceServerAnswerWatch, LongSpeechCountsAtTheThresholdAddedOverUtterances) {
  watch.on_wake_word(now);
  CHECK_FALSE(watch.on_engine_speech(words(VoiceServerAnswerWatch::kLongSpeechWords - 1), false, now));
  const auto finding = watch.on_engine_speech("Yes.", false, now + seconds(5));
  CHECK_TRUE(finding.has_value());
  CHECK_TRUE(finding->kind == VoiceServerAnswerKind::kLongSpeechAfterWakeWord);
  CHECK_TRUE(finding->first_of_its_kind);
  // Counted once for this wake word.
  CHECK_FALSE(watch.on_engine_speech(words(40), false, now + seconds(6)));
  LONGS_EQUAL(1, watch.counts().long_speech_after_wake_word);
}

TEST(VoiceServerAnswerWatch, SpeechPastTheWindowAfterTheWakeWordIsNotCounted) {
  watch.on_wake_word(now);
  CHECK_FALSE(watch.on_engine_speech(words(10), false, now));
  CHECK_FALSE(watch.on_engine_speech(words(40), false, now + VoiceServerAnswerWatch::kAfterWakeWord + seconds(1)));
  LONGS_EQUAL(0, watch.counts().total());
}

TEST(VoiceServerAnswerWatch, SpeechBeforeAnyWakeWordIsNeverCounted) {
  CHECK_FALSE(watch.on_engine_speech(words(200), false, now));
  LONGS_EQUAL(0, watch.counts().total());
}

TEST(VoiceServerAnswerWatch, AQuestionAfterTheWakeWordEndsTheFirstRule) {
  watch.on_wake_word(now);
  watch.on_question();
  CHECK_FALSE(watch.on_engine_speech(words(100), false, now + seconds(1)));
  LONGS_EQUAL(0, watch.counts().total());
}

TEST(VoiceServerAnswerWatch, SpeechDuringOurAnswerCountsOncePerQuestionAndWarnsOncePerKind) {
  watch.on_question();
  CHECK_FALSE(watch.on_engine_speech(words(VoiceServerAnswerWatch::kSpeechDuringAnswerWords - 1), true, now));
  auto finding = watch.on_engine_speech("More.", true, now);
  CHECK_TRUE(finding && finding->kind == VoiceServerAnswerKind::kSpeechDuringOurAnswer &&
             finding->first_of_its_kind);
  CHECK_FALSE(watch.on_engine_speech(words(20), true, now));
  watch.on_question();
  finding = watch.on_engine_speech(words(20), true, now);
  CHECK_TRUE(finding && !finding->first_of_its_kind);
  LONGS_EQUAL(2, watch.counts().speech_during_our_answer);
}

TEST(VoiceServerAnswerWatch, LastHeardIsCutAtACharacterBoundary) {
  std::string text(VoiceServerAnswerWatch::kLastHeardBytes - 1, 'a');
  text += "\xC3\xA9 and more";  // an é straddling the limit
  watch.on_knowledge_answer(text);
  LONGS_EQUAL(VoiceServerAnswerWatch::kLastHeardBytes - 1, watch.counts().last_heard.size());
}

TEST_GROUP(VoiceServerAnswersInStatus){};

TEST(VoiceServerAnswersInStatus, NoneSaysNeverAndHasAnEmptyWarning) {
  StatusSnapshot status;
  STRCMP_CONTAINS("voice server answers: never by itself\n", format_status_text(status).c_str());
  STRCMP_CONTAINS(
      "\"voice_server_answers\":{\"long_speech_after_wake_word\":0,\"speech_during_our_answer\":0,"
      "\"knowledge_answers\":0,\"last_heard\":\"\",\"warning\":\"\"}",
      format_status_json(status).c_str());
}

TEST(VoiceServerAnswersInStatus, CountsTheLastWordsAndTheFixAreShown) {
  StatusSnapshot status;
  status.voice_server_answers.long_speech_after_wake_word = 2;
  status.voice_server_answers.knowledge_answers = 1;
  status.voice_server_answers.last_heard = "Great question!";
  const std::string text = format_status_text(status);
  STRCMP_CONTAINS(
      "voice server answers: by itself 3 time(s): turn off the LLM / knowledge graph in wire-pod's "
      "settings, or Vector answers twice",
      text.c_str());
  STRCMP_CONTAINS("long speech after a wake word 2, during our answer 0, knowledge answers 1", text.c_str());
  STRCMP_CONTAINS("last: \"Great question!\"", text.c_str());
  STRCMP_CONTAINS(
      "\"long_speech_after_wake_word\":2,\"speech_during_our_answer\":0,\"knowledge_answers\":1,"
      "\"last_heard\":\"Great question!\",\"warning\":\"turn off the LLM",
      format_status_json(status).c_str());
}
