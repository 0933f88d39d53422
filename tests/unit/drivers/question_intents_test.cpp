// Standard and project headers before CppUTest's (its macros must not reach them).
#include <string>
#include <string_view>

#include "drivers/channel/agent_channel_messages.h"
#include "drivers/clad/cloud_mic_messages.h"
#include "drivers/intent/question_intents.h"

#include <CppUTest/TestHarness.h>

using vic_r1::channel::QuestionSource;
using vic_r1::clad::IntentResult;
using vic_r1::intent::classify_intent;
using vic_r1::intent::QuestionField;
using vic_r1::intent::QuestionIntentPolicy;
using vic_r1::intent::QuestionIntentRule;
using vic_r1::intent::QuestionVerdict;
using vic_r1::intent::transcript_from_metadata;

namespace {

// vic-cloud's metadata for a plain intent, "text: %s  confidence: %f
// handler: %s"; wire-pod leaves the handler empty.
std::string vic_cloud_metadata(std::string_view transcript, std::string_view handler = "") {
  return "text: " + std::string(transcript) + "  confidence: 0.000000  handler: " + std::string(handler);
}

// Knowledge-graph parameters as Go's json.Encoder writes them.
std::string knowledge_parameters(std::string_view query_text_member) {
  return R"({"answer":"Because of Rayleigh scattering.","answer_type":"InformationAnswer",)"
         R"("domains.0":"science")" +
         std::string(query_text_member) + "}\n";
}

std::string transcript(std::string_view metadata) { return std::string(transcript_from_metadata(metadata)); }

}  // namespace

TEST_GROUP(QuestionIntents) {
  QuestionIntentPolicy policy;
  std::string question = "left over from an earlier intent";

  QuestionVerdict classify(std::string_view intent, std::string_view parameters, std::string_view metadata) {
    IntentResult result;
    result.intent = intent;
    result.parameters = parameters;
    result.metadata = metadata;
    return classify_intent(policy, result, question);
  }

  void check_not_owned(const QuestionVerdict& verdict) {
    CHECK_FALSE(verdict.owned);
    CHECK_TRUE(verdict.close_with.empty());
    STRCMP_EQUAL("", question.c_str());
  }
};

// ---- The transcript in vic-cloud's metadata --------------------------------------

TEST(QuestionIntents, TranscriptIsReadFromVicCloudMetadataWithAnEmptyHandler) {
  STRCMP_EQUAL("why is the sky blue?", transcript(vic_cloud_metadata("why is the sky blue?")).c_str());
}

TEST(QuestionIntents, TranscriptIsReadWhateverTheHandlerIsCalled) {
  STRCMP_EQUAL("why is the sky blue?",
               transcript("text: why is the sky blue?  confidence: 0.870000  handler: houndify").c_str());
}

TEST(QuestionIntents, LastConfidenceMarkerEndsATranscriptThatHoldsOne) {
  STRCMP_EQUAL("what does   confidence: 0.5  mean",
               transcript(vic_cloud_metadata("what does   confidence: 0.5  mean")).c_str());
  // The transcript's own trailing marker runs into the real one; trimming takes its space.
  STRCMP_EQUAL("say  confidence: twice  confidence:",
               transcript(vic_cloud_metadata("say  confidence: twice  confidence: ")).c_str());
}

TEST(QuestionIntents, TranscriptWithoutTheTextPrefixIsEmpty) {
  STRCMP_EQUAL("", transcript("why is the sky blue?  confidence: 0.000000  handler: ").c_str());
  STRCMP_EQUAL("", transcript("Text: why is the sky blue?  confidence: 0.000000  handler: ").c_str());
  STRCMP_EQUAL("", transcript(" text: why is the sky blue?  confidence: 0.000000  handler: ").c_str());
  STRCMP_EQUAL("", transcript("text:why  confidence: 0.000000  handler: ").c_str());
}

TEST(QuestionIntents, TranscriptWithoutAConfidenceIsEmpty) {
  STRCMP_EQUAL("", transcript("text: why is the sky blue?").c_str());
  STRCMP_EQUAL("", transcript("text: why is the sky blue? confidence: 0.000000").c_str());
  STRCMP_EQUAL("", transcript("text: ").c_str());
}

TEST(QuestionIntents, EmptyMetadataOrTranscriptGivesNoTranscript) {
  STRCMP_EQUAL("", transcript("").c_str());
  STRCMP_EQUAL("", transcript(vic_cloud_metadata("")).c_str());
  STRCMP_EQUAL("", transcript(vic_cloud_metadata("  \t ")).c_str());
  // The prefix's own space is also the marker's first: no room for a transcript.
  STRCMP_EQUAL("", transcript("text:  confidence: 0.000000  handler: ").c_str());
}

TEST(QuestionIntents, TranscriptIsTrimmed) {
  STRCMP_EQUAL("why is the sky blue?", transcript(vic_cloud_metadata(" \t why is the sky blue?\r\n ")).c_str());
  STRCMP_EQUAL("a  b", transcript(vic_cloud_metadata("  a  b  ")).c_str());
}

// ---- Unmatched intents: the transcript is the question ---------------------------

TEST(QuestionIntents, UnmatchedIntentWithATranscriptIsOwnedAndClosedWithNoAudio) {
  const QuestionVerdict verdict =
      classify("intent_system_unmatched", "", vic_cloud_metadata("why is the sky blue?"));
  CHECK_TRUE(verdict.owned);
  CHECK_TRUE(verdict.source == QuestionSource::kUnmatchedIntent);
  STRCMP_EQUAL("intent_system_noaudio", std::string(verdict.close_with).c_str());
  STRCMP_EQUAL("why is the sky blue?", question.c_str());
}

TEST(QuestionIntents, UnmatchedIntentQuestionIsTrimmed) {
  const QuestionVerdict verdict = classify("intent_system_unmatched", "", vic_cloud_metadata("  why?\t"));
  CHECK_TRUE(verdict.owned);
  STRCMP_EQUAL("why?", question.c_str());
}

TEST(QuestionIntents, UnmatchedIntentTakesTheTranscriptNotTheParameters) {
  const QuestionVerdict verdict = classify("intent_system_unmatched", R"({"query_text":"from the parameters"})",
                                           vic_cloud_metadata("from the metadata"));
  CHECK_TRUE(verdict.owned);
  STRCMP_EQUAL("from the metadata", question.c_str());
}

TEST(QuestionIntents, UnmatchedIntentWithoutATranscriptIsNotOwned) {
  check_not_owned(classify("intent_system_unmatched", "", vic_cloud_metadata("")));
  check_not_owned(classify("intent_system_unmatched", "", ""));
  check_not_owned(classify("intent_system_unmatched", "", "garbage"));
}

// ---- Knowledge-graph answers: query_text is the question -------------------------

TEST(QuestionIntents, KnowledgeResponseWithQueryTextIsOwnedAndClosedWithNoResponse) {
  const std::string parameters = knowledge_parameters(R"(,"query_text":"why is the sky blue?")");
  // vic-cloud sends no metadata with a knowledge-graph answer.
  const QuestionVerdict verdict = classify("intent_knowledge_response_extend", parameters, "");
  CHECK_TRUE(verdict.owned);
  CHECK_TRUE(verdict.source == QuestionSource::kKnowledgeResponse);
  STRCMP_EQUAL("intent_knowledge_no_response", std::string(verdict.close_with).c_str());
  STRCMP_EQUAL("why is the sky blue?", question.c_str());
}

TEST(QuestionIntents, IntentGraphKnowledgeAnswerIsOwnedAndClosedWithNoAudio) {
  // After a plain "Hey Vector" the engine is in ReactToVoiceCommand, not in a
  // knowledge session: the bypass answer is closed as unmatched speech is.
  const std::string parameters = knowledge_parameters(R"(,"query_text":"how far is the moon?")");
  const QuestionVerdict verdict = classify("intent_knowledge_response_extend_bypass", parameters, "");
  CHECK_TRUE(verdict.owned);
  CHECK_TRUE(verdict.source == QuestionSource::kKnowledgeResponse);
  STRCMP_EQUAL("intent_system_noaudio", std::string(verdict.close_with).c_str());
  STRCMP_EQUAL("how far is the moon?", question.c_str());
}

TEST(QuestionIntents, IntentGraphKnowledgeAnswerWithoutQueryTextIsNotOwned) {
  check_not_owned(classify("intent_knowledge_response_extend_bypass", knowledge_parameters(""), ""));
  check_not_owned(
      classify("intent_knowledge_response_extend_bypass", knowledge_parameters(R"(,"query_text":"  ")"), ""));
}

TEST(QuestionIntents, KnowledgeResponseQueryTextIsUnescapedAndTrimmed) {
  const std::string parameters =
      knowledge_parameters(R"(,"query_text":"  is 1 \u003c 2 \u0026 caf\u00e9 open?\n")");
  const QuestionVerdict verdict = classify("intent_knowledge_response_extend", parameters, "");
  CHECK_TRUE(verdict.owned);
  STRCMP_EQUAL("is 1 < 2 & caf\xc3\xa9 open?", question.c_str());
}

TEST(QuestionIntents, KnowledgeResponseWithoutUsableQueryTextIsNotOwned) {
  const char* const intent = "intent_knowledge_response_extend";
  // wire-pod: answer and type only, no query_text.
  check_not_owned(classify(intent, knowledge_parameters(""), ""));
  check_not_owned(classify(intent, knowledge_parameters(R"(,"query_text":"")"), ""));
  check_not_owned(classify(intent, knowledge_parameters(R"(,"query_text":" \t ")"), ""));
  check_not_owned(classify(intent, knowledge_parameters(R"(,"query_text":42)"), ""));
  check_not_owned(classify(intent, knowledge_parameters(R"(,"query_text":null)"), ""));
  check_not_owned(classify(intent, R"({"nested":{"query_text":"why?"}})", ""));
}

TEST(QuestionIntents, KnowledgeResponseWithBadJsonIsNotOwned) {
  const char* const intent = "intent_knowledge_response_extend";
  check_not_owned(classify(intent, "", ""));
  check_not_owned(classify(intent, "not json", ""));
  check_not_owned(classify(intent, R"({"query_text":"why?)", ""));
  check_not_owned(classify(intent, R"({"query_text":"\ud83d"})", ""));
  check_not_owned(classify(intent, R"(["query_text","why?"])", ""));
}

TEST(QuestionIntents, KnowledgeResponseIgnoresTheMetadataTranscript) {
  check_not_owned(classify("intent_knowledge_response_extend", knowledge_parameters(""),
                           vic_cloud_metadata("why is the sky blue?")));
}

// ---- Everything else passes unchanged --------------------------------------------

TEST(QuestionIntents, OtherIntentsAreNotOwnedEvenWithATranscript) {
  const std::string metadata = vic_cloud_metadata("why is the sky blue?");
  const std::string parameters = knowledge_parameters(R"(,"query_text":"why is the sky blue?")");
  for (const char* intent :
       {"intent_imperative_shutup", "intent_knowledge_promptquestion", "intent_knowledge_no_response",
        "intent_system_noaudio", "intent_knowledge_response_extend_bypass_x", "intent_greeting_hello",
        "intent_system_unmatched_extra", "", "INTENT_SYSTEM_UNMATCHED"}) {
    question = "stale";
    const QuestionVerdict verdict = classify(intent, parameters, metadata);
    if (verdict.owned) FAIL((std::string("owned ") + intent).c_str());
    STRCMP_EQUAL("", question.c_str());
  }
}

// ---- A configured policy ---------------------------------------------------------

TEST(QuestionIntents, PolicyWithExtraRulesOwnsThemAndClosesAsConfigured) {
  policy.rules.push_back({"intent_weather_extend", QuestionField::kTranscriptInMetadata,
                          QuestionSource::kUnmatchedIntent, "intent_system_sleep_noaudio"});
  policy.rules.push_back({"intent_clock_checktimer", QuestionField::kQueryTextInParameters,
                          QuestionSource::kKnowledgeResponse, "intent_knowledge_unknown"});

  QuestionVerdict verdict = classify("intent_weather_extend", "{}", vic_cloud_metadata("will it rain?"));
  CHECK_TRUE(verdict.owned);
  CHECK_TRUE(verdict.source == QuestionSource::kUnmatchedIntent);
  STRCMP_EQUAL("intent_system_sleep_noaudio", std::string(verdict.close_with).c_str());
  STRCMP_EQUAL("will it rain?", question.c_str());

  verdict = classify("intent_clock_checktimer", R"({"query_text":"how long is left?"})", "");
  CHECK_TRUE(verdict.owned);
  CHECK_TRUE(verdict.source == QuestionSource::kKnowledgeResponse);
  STRCMP_EQUAL("intent_knowledge_unknown", std::string(verdict.close_with).c_str());
  STRCMP_EQUAL("how long is left?", question.c_str());

  // The default rules stay in force.
  verdict = classify("intent_system_unmatched", "", vic_cloud_metadata("why?"));
  CHECK_TRUE(verdict.owned);
  STRCMP_EQUAL("intent_system_noaudio", std::string(verdict.close_with).c_str());
}

TEST(QuestionIntents, TheFirstRuleForAnIntentDecides) {
  policy.rules.insert(policy.rules.begin(),
                      QuestionIntentRule{"intent_system_unmatched", QuestionField::kQueryTextInParameters,
                                         QuestionSource::kUnmatchedIntent, "intent_imperative_quiet"});
  // The transcript is in the metadata, but the first rule looks at the parameters.
  check_not_owned(classify("intent_system_unmatched", "", vic_cloud_metadata("why?")));
  const QuestionVerdict verdict =
      classify("intent_system_unmatched", R"({"query_text":"why?"})", vic_cloud_metadata("no"));
  STRCMP_EQUAL("intent_imperative_quiet", std::string(verdict.close_with).c_str());
  STRCMP_EQUAL("why?", question.c_str());
}

TEST(QuestionIntents, PolicyWithNoRulesOwnsNothing) {
  policy.rules.clear();
  check_not_owned(classify("intent_system_unmatched", "", vic_cloud_metadata("why?")));
  check_not_owned(
      classify("intent_knowledge_response_extend", knowledge_parameters(R"(,"query_text":"why?")"), ""));
  check_not_owned(
      classify("intent_knowledge_response_extend_bypass", knowledge_parameters(R"(,"query_text":"why?")"), ""));
}

TEST(QuestionIntents, CloseWithViewsThePolicysOwnString) {
  const QuestionVerdict verdict = classify("intent_system_unmatched", "", vic_cloud_metadata("why?"));
  POINTERS_EQUAL(policy.rules[0].close_with.data(), verdict.close_with.data());
}

TEST(QuestionIntents, AQuestionNeedsNoAllocationWhenTheStringHasRoom) {
  // The bridge reserves an intent datagram's worth once; a question, escapes
  // and all, never needs more than the text it came in.
  std::string reserved;
  reserved.reserve(4096);
  const char* const before = reserved.data();
  IntentResult result;
  result.intent = "intent_knowledge_response_extend";
  const std::string parameters = knowledge_parameters(R"(,"query_text":"  why \u00e9 is the sky \"blue\"?\n ")");
  result.parameters = parameters;
  CHECK_TRUE(classify_intent(policy, result, reserved).owned);
  STRCMP_EQUAL("why \xc3\xa9 is the sky \"blue\"?", reserved.c_str());
  POINTERS_EQUAL(before, reserved.data());
}

// ---- Placeholders and configured intents ---------------------------------------------

TEST(QuestionIntents, WirePodPlaceholderTranscriptIsNotAQuestion) {
  check_not_owned(classify("intent_system_unmatched", "", vic_cloud_metadata("voice processing error")));
  check_not_owned(classify("intent_system_unmatched", "", vic_cloud_metadata("Voice Processing Error ")));
}

TEST(QuestionIntents, ConfiguredIntentsKeepTheKnownRulesAndTakeOthersByTheirTranscript) {
  policy.rules = vic_r1::intent::question_rules_for({"intent_knowledge_response_extend", "intent_weather_extend"});
  CHECK_EQUAL(2u, policy.rules.size());
  STRCMP_EQUAL("intent_knowledge_no_response", policy.rules[0].close_with.c_str());
  CHECK(policy.rules[0].field == QuestionField::kQueryTextInParameters);
  const QuestionVerdict weather =
      classify("intent_weather_extend", "{}", vic_cloud_metadata("will it rain in Paris"));
  CHECK_TRUE(weather.owned);
  STRCMP_EQUAL("intent_system_noaudio", std::string(weather.close_with).c_str());
  STRCMP_EQUAL("will it rain in Paris", question.c_str());
  // Not named: forwarded.
  check_not_owned(classify("intent_system_unmatched", "", vic_cloud_metadata("why is the sky blue")));
}

TEST(QuestionIntents, NamingThePromptQuestionCapturesTheQuestionAfterItAndTakesNotItself) {
  const vic_r1::intent::QuestionIntentPolicy with =
      vic_r1::intent::question_policy_for({"intent_system_unmatched", "intent_knowledge_promptquestion"});
  CHECK_TRUE(with.capture_knowledge_questions);
  CHECK_EQUAL(1u, with.rules.size());
  STRCMP_EQUAL("intent_system_unmatched", with.rules[0].intent.c_str());
  policy = with;
  check_not_owned(classify("intent_knowledge_promptquestion", "", vic_cloud_metadata("I have a question")));

  CHECK_FALSE(vic_r1::intent::question_policy_for({"intent_system_unmatched"}).capture_knowledge_questions);
  CHECK_TRUE(vic_r1::intent::QuestionIntentPolicy{}.capture_knowledge_questions);
}
