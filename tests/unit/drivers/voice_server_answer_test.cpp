// Standard and project headers before CppUTest's (its macros must not reach them).
#include <string>

#include "drivers/clad/cloud_mic_messages.h"
#include "drivers/intent/voice_server_answer.h"

#include <CppUTest/TestHarness.h>

using vic_r1::clad::IntentResult;
using vic_r1::intent::voice_server_answer_of;

TEST_GROUP(VoiceServerAnswer) { std::string answer; };

TEST(VoiceServerAnswer, KnowledgeResponsesWithAnAnswerCarryIt) {
  // As vic-cloud writes parameters: Go's encoder, sorted keys, a newline.
  CHECK_TRUE(voice_server_answer_of(
      IntentResult{"intent_knowledge_response_extend",
                   "{\"answer\":\"Rayleigh scattering \\u0026 more.\",\"answer_type\":\"InformationCommand\"}\n",
                   ""},
      answer));
  STRCMP_EQUAL("Rayleigh scattering & more.", answer.c_str());
  CHECK_TRUE(voice_server_answer_of(IntentResult{"intent_knowledge_response_extend_bypass",
                                                 "{\"answer\":\"  Far. \",\"query_text\":\"q\"}\n", ""},
                                    answer));
  STRCMP_EQUAL("Far.", answer.c_str());
}

TEST(VoiceServerAnswer, BlankMissingOrMalformedAnswersAreNone) {
  CHECK_FALSE(
      voice_server_answer_of(IntentResult{"intent_knowledge_response_extend", "{\"answer\":\" \"}", ""}, answer));
  CHECK_FALSE(voice_server_answer_of(
      IntentResult{"intent_knowledge_response_extend", "{\"query_text\":\"q\"}", ""}, answer));
  CHECK_FALSE(
      voice_server_answer_of(IntentResult{"intent_knowledge_response_extend", "{\"answer\":", ""}, answer));
  CHECK_FALSE(voice_server_answer_of(IntentResult{"intent_knowledge_response_extend", "", ""}, answer));
  CHECK_TRUE(answer.empty());
}

TEST(VoiceServerAnswer, OtherIntentsCarryNone) {
  CHECK_FALSE(
      voice_server_answer_of(IntentResult{"intent_knowledge_no_response", "{\"answer\":\"x\"}", ""}, answer));
  CHECK_FALSE(
      voice_server_answer_of(IntentResult{"intent_weather_extend", "{\"answer\":\"Sunny.\"}", ""}, answer));
  CHECK_FALSE(voice_server_answer_of(
      IntentResult{"intent_system_unmatched", "", "text: q  confidence: 0  handler: "}, answer));
}
