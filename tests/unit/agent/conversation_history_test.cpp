// Standard and project headers before CppUTest's (its macros must not reach them).
#include <chrono>
#include <string>

#include "agent/conversation/conversation_history.h"
#include "agent/conversation/system_prompt.h"

#include <CppUTest/TestHarness.h>

using namespace vic_r1::conversation;
using Clock = std::chrono::steady_clock;

TEST_GROUP(ConversationHistory){};

TEST(ConversationHistory, KeepsWholeExchangesWithinTheTurnLimit) {
  ConversationHistory::Limits limits;
  limits.max_turns = 4;
  ConversationHistory history(limits);
  const Clock::time_point now{};
  history.add_exchange("q1", "a1", now);
  history.add_exchange("q2", "a2", now);
  history.add_exchange("q3", "a3", now);
  const auto& turns = history.turns(now);
  CHECK_EQUAL(4u, turns.size());
  STRCMP_EQUAL("q2", turns[0].content.c_str());
  CHECK(turns[0].role == Role::kUser);
  STRCMP_EQUAL("a3", turns[3].content.c_str());
  CHECK(turns[3].role == Role::kAssistant);
}

TEST(ConversationHistory, KeepsWithinTheByteLimitDroppingTheOldestFirst) {
  ConversationHistory::Limits limits;
  limits.max_bytes = 40;
  ConversationHistory history(limits);
  const Clock::time_point now{};
  history.add_exchange("first question", "first answer", now);    // 26 bytes
  history.add_exchange("second question", "second answer", now);  // 28 bytes
  CHECK(history.bytes() <= 40);
  CHECK_EQUAL(2u, history.turns(now).size());
  STRCMP_EQUAL("second question", history.turns(now)[0].content.c_str());
}

TEST(ConversationHistory, AnOversizedAnswerIsCutAtACharacterBoundary) {
  ConversationHistory::Limits limits;
  limits.max_bytes = 10;
  ConversationHistory history(limits);
  const Clock::time_point now{};
  history.add_exchange("q", "abcdefgh\xC3\xA9z", now);  // é straddles the limit
  const auto& turns = history.turns(now);
  STRCMP_EQUAL("abcdefgh", turns[1].content.c_str());
}

TEST(ConversationHistory, TextIsKeptWithoutSpaceAtItsEnds) {
  ConversationHistory history(ConversationHistory::Limits{});
  history.add_exchange(" q ", "Sure thing. \n", Clock::time_point{});
  STRCMP_EQUAL("q", history.turns(Clock::time_point{})[0].content.c_str());
  STRCMP_EQUAL("Sure thing.", history.turns(Clock::time_point{})[1].content.c_str());
}

TEST(ConversationHistory, AnEmptyAnswerAddsNothing) {
  ConversationHistory history(ConversationHistory::Limits{});
  history.add_exchange("q", "", Clock::time_point{});
  CHECK_EQUAL(0u, history.turns(Clock::time_point{}).size());
}

TEST(ConversationHistory, IsForgottenAfterAQuietWhile) {
  ConversationHistory::Limits limits;
  limits.forget_after = std::chrono::seconds(600);
  ConversationHistory history(limits);
  const Clock::time_point then{};
  history.add_exchange("q", "a", then);
  CHECK_EQUAL(2u, history.turns(then + std::chrono::seconds(599)).size());
  CHECK_EQUAL(0u, history.turns(then + std::chrono::seconds(600)).size());
}

TEST_GROUP(SystemPrompt){};

TEST(SystemPrompt, NamesTheVocabularyAndEveryEmotion) {
  SystemPromptParts parts;
  parts.persona = "You are Vector.";
  parts.emotions = {"happy", "sad"};
  const std::string prompt = build_system_prompt(parts);
  CHECK(prompt.rfind("You are Vector.", 0) == 0);
  CHECK(prompt.find("{{playAnimationWI||EMOTION}}") != std::string::npos);
  CHECK(prompt.find("{{playAnimation||EMOTION}}") != std::string::npos);
  CHECK(prompt.find("happy, sad.") != std::string::npos);
  CHECK(prompt.find("{{newVoiceRequest||now}}") != std::string::npos);
}

TEST(SystemPrompt, WithoutAnimationsOrConversationModeItIsThePersonaAlone) {
  SystemPromptParts parts;
  parts.persona = "You are Vector.";
  parts.emotions = {"happy"};
  parts.animations = false;
  parts.conversation_mode = false;
  STRCMP_EQUAL("You are Vector.", build_system_prompt(parts).c_str());
}

TEST(SystemPrompt, AnEmptyPersonaMeansNoSystemMessage) {
  SystemPromptParts parts;
  parts.emotions = {"happy"};
  STRCMP_EQUAL("", build_system_prompt(parts).c_str());
}
