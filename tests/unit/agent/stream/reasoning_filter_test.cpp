#include <string>
#include <string_view>
#include <vector>

#include "agent/stream/reasoning_filter.h"
#include "tests/unit/support/byte_splits.h"

#include <CppUTest/TestHarness.h>

using vic_r1::stream::MissingOpenerPolicy;
using vic_r1::stream::ReasoningFilter;
using vic_r1::stream::UnopenedTextVerdict;

namespace {

// How the stream ends: the model ending its output by itself (a finish
// reason such as "stop", or [DONE]) calls end_of_output() before finish().
enum class End { kAbruptly, kByItself };

struct Delta {
  std::string_view content;
  std::string_view structured_reasoning = {};
  bool has_reasoning_field = false;
};

struct Filtered {
  std::string answer;
  std::string reasoning;
  bool reasoning_unclosed = false;
  bool stray_close_tag_removed = false;
  bool missing_opener_assumed = false;
  UnopenedTextVerdict unopened_verdict = UnopenedTextVerdict::kNone;
};

Filtered filter_deltas(const std::vector<Delta>& deltas, std::string_view model = "some-chat-model",
                       MissingOpenerPolicy policy = MissingOpenerPolicy::kForReasoningModels,
                       End end = End::kAbruptly,
                       std::size_t max_unopened_bytes = ReasoningFilter::kDefaultMaxUnopenedBytes) {
  ReasoningFilter filter(policy, max_unopened_bytes);
  Filtered result;
  for (const Delta& delta : deltas) {
    filter.put(model, delta.has_reasoning_field, delta.structured_reasoning, delta.content, result.answer,
               result.reasoning);
  }
  if (end == End::kByItself) filter.end_of_output(result.answer, result.reasoning);
  filter.finish(result.answer, result.reasoning);
  result.reasoning_unclosed = filter.reasoning_unclosed();
  result.stray_close_tag_removed = filter.stray_close_tag_removed();
  result.missing_opener_assumed = filter.missing_opener_assumed();
  result.unopened_verdict = filter.unopened_verdict();
  return result;
}

// The answer channel cut into deltas at every offset and byte by byte must
// always give `expected`: the server's delta boundaries are arbitrary.
void check_every_split(std::string_view content, const Filtered& expected,
                       std::string_view model = "some-chat-model",
                       MissingOpenerPolicy policy = MissingOpenerPolicy::kForReasoningModels,
                       End end = End::kAbruptly,
                       std::size_t max_unopened_bytes = ReasoningFilter::kDefaultMaxUnopenedBytes) {
  for (const auto& pieces : vic_r1::test::every_split(content)) {
    std::vector<Delta> deltas;
    for (std::string_view piece : pieces) deltas.push_back({piece});
    const Filtered got = filter_deltas(deltas, model, policy, end, max_unopened_bytes);
    STRCMP_EQUAL(expected.answer.c_str(), got.answer.c_str());
    STRCMP_EQUAL(expected.reasoning.c_str(), got.reasoning.c_str());
    CHECK_EQUAL(expected.reasoning_unclosed, got.reasoning_unclosed);
    CHECK_EQUAL(expected.stray_close_tag_removed, got.stray_close_tag_removed);
    CHECK_EQUAL(expected.missing_opener_assumed, got.missing_opener_assumed);
    CHECK(expected.unopened_verdict == got.unopened_verdict);
  }
}

}  // namespace

TEST_GROUP(ReasoningFilter){};

TEST(ReasoningFilter, InlineBlockInOneDeltaIsNeverSpoken) {
  const Filtered got = filter_deltas({{"<think>\nThe user asks.\n</think>\n\nParis."}});
  STRCMP_EQUAL("Paris.", got.answer.c_str());
  STRCMP_EQUAL("\nThe user asks.\n", got.reasoning.c_str());
  CHECK_FALSE(got.reasoning_unclosed);
  CHECK_FALSE(got.stray_close_tag_removed);
}

TEST(ReasoningFilter, InlineBlockSplitAtEveryOffsetIsNeverSpoken) {
  check_every_split("<think>\nHmm, 2 < 3.\n</think>\n\nTwo is less than three.",
                    {"Two is less than three.", "\nHmm, 2 < 3.\n"});
}

TEST(ReasoningFilter, SplitTagsAcrossDeltasLeakNothing) {
  const Filtered got = filter_deltas({{"<thi"}, {"nk>reason"}, {"ing</th"}, {"ink>Ans"}, {"wer"}});
  STRCMP_EQUAL("Answer", got.answer.c_str());
  STRCMP_EQUAL("reasoning", got.reasoning.c_str());
}

TEST(ReasoningFilter, MissingOpenerFromAnR1ModelIsReasoning) {
  const Filtered expected{"Paris.", "Okay, the capital of France.\n", false, false,
                          true,     UnopenedTextVerdict::kReasoning};
  check_every_split("Okay, the capital of France.\n</think>\n\nParis.", expected, "deepseek-r1:7b");
}

TEST(ReasoningFilter, MissingOpenerPolicyAlwaysAppliesToAnyModelName) {
  const Filtered got =
      filter_deltas({{"thinking...</think>Answer"}}, "my-local-model", MissingOpenerPolicy::kAlways);
  STRCMP_EQUAL("Answer", got.answer.c_str());
  STRCMP_EQUAL("thinking...", got.reasoning.c_str());
  CHECK_TRUE(got.missing_opener_assumed);
}

TEST(ReasoningFilter, AnswerOfANonReasoningModelIsReleasedAtOnce) {
  ReasoningFilter filter(MissingOpenerPolicy::kForReasoningModels);
  std::string answer;
  std::string reasoning;
  filter.put("llama3.2", false, "", "The sky is blue", answer, reasoning);
  STRCMP_EQUAL("The sky is blue", answer.c_str());
  filter.put("llama3.2", false, "", " because of Rayleigh scattering.", answer, reasoning);
  STRCMP_EQUAL("The sky is blue because of Rayleigh scattering.", answer.c_str());
  STRCMP_EQUAL("", reasoning.c_str());
}

TEST(ReasoningFilter, OnlyTheBytesThatMayStartATagAreHeldBack) {
  ReasoningFilter filter(MissingOpenerPolicy::kForReasoningModels);
  std::string answer;
  std::string reasoning;
  filter.put("llama3.2", false, "", "Use a </th", answer, reasoning);
  STRCMP_EQUAL("Use a ", answer.c_str());
  filter.put("llama3.2", false, "", "eme> tag.", answer, reasoning);
  STRCMP_EQUAL("Use a </theme> tag.", answer.c_str());
}

TEST(ReasoningFilter, EmptyBlockYieldsOnlyTheAnswer) {
  check_every_split("<think>\n\n</think>\n\nHello there.", {"Hello there.", "\n\n"});
}

TEST(ReasoningFilter, UnclosedBlockAtEndIsAllReasoningAndFlagged) {
  const Filtered expected{"", "Let me think about this for a long", true, false, false};
  check_every_split("<think>Let me think about this for a long", expected);
}

TEST(ReasoningFilter, ImpliedBlockUnclosedAtEndIsFlagged) {
  const Filtered got = filter_deltas({{"Okay, so the user"}, {" wants a poem."}}, "DeepSeek-R1-Distill-Qwen-7B");
  STRCMP_EQUAL("", got.answer.c_str());
  STRCMP_EQUAL("Okay, so the user wants a poem.", got.reasoning.c_str());
  CHECK_TRUE(got.reasoning_unclosed);
}

TEST(ReasoningFilter, LiteralLessThanInTheAnswerSurvives) {
  check_every_split("x < y and 3<4, <b>bold</b>", {"x < y and 3<4, <b>bold</b>", ""});
  check_every_split("<3 you", {"<3 you", ""});
}

TEST(ReasoningFilter, LaterThinkTagsInTheAnswerSurvive) {
  check_every_split("<think>r</think>Write <think> and </think> around it.",
                    {"Write <think> and </think> around it.", "r"});
}

TEST(ReasoningFilter, StrayCloseTagAfterAnswerBeganIsRemovedAndFlagged) {
  const Filtered expected{"Some text that was reasoning.\n\nThe answer.", "", false, true, false};
  check_every_split("Some text that was reasoning.</think>\n\nThe answer.", expected);
}

TEST(ReasoningFilter, LeadingWhitespaceOfTheAnswerIsDropped) { check_every_split("\n\n  Hi!", {"Hi!", ""}); }

TEST(ReasoningFilter, StructuredReasoningIsNeverAnswer) {
  const Filtered got = filter_deltas(
      {{"", "", true}, {"", "The user asks", true}, {"", " about Paris.", true}, {"\n\nParis is the capital."}},
      "deepseek-reasoner");
  STRCMP_EQUAL("Paris is the capital.", got.answer.c_str());
  STRCMP_EQUAL("The user asks about Paris.", got.reasoning.c_str());
  CHECK_FALSE(got.missing_opener_assumed);
}

TEST(ReasoningFilter, StructuredReasoningFieldOverridesTheMissingOpenerPolicy) {
  const Filtered got =
      filter_deltas({{"", "thinking", true}, {"Answer."}}, "deepseek-r1", MissingOpenerPolicy::kAlways);
  STRCMP_EQUAL("Answer.", got.answer.c_str());
  CHECK_FALSE(got.reasoning_unclosed);
}

TEST(ReasoningFilter, AnswerOnlyInTheReasoningFieldLeavesNoAnswer) {
  const Filtered got = filter_deltas({{"", "The answer is 4.", true}}, "deepseek-reasoner");
  STRCMP_EQUAL("", got.answer.c_str());
  STRCMP_EQUAL("The answer is 4.", got.reasoning.c_str());
}

TEST(ReasoningFilter, PartialOpenerAtEndOfStreamIsAnswerText) { check_every_split("<thi", {"<thi", ""}); }

TEST(ReasoningFilter, NeverPolicyTreatsUnopenedTextAsAnswer) {
  const Filtered got = filter_deltas({{"reasoning</think>answer"}}, "deepseek-r1", MissingOpenerPolicy::kNever);
  STRCMP_EQUAL("reasoninganswer", got.answer.c_str());
  CHECK_TRUE(got.stray_close_tag_removed);
}

TEST(ReasoningFilter, NoTagAtAllFromAnR1ModelIsTheAnswerWhenTheOutputEndsByItself) {
  const Filtered expected{
      "Paris is the capital of France. 2 < 3.", "", false, false, false, UnopenedTextVerdict::kAnswer};
  check_every_split("\nParis is the capital of France. 2 < 3.", expected, "deepseek-r1:7b",
                    MissingOpenerPolicy::kForReasoningModels, End::kByItself);
  check_every_split("\nParis is the capital of France. 2 < 3.", expected, "any-name", MissingOpenerPolicy::kAlways,
                    End::kByItself);
}

TEST(ReasoningFilter, UnopenedTextIsNeitherSpokenNorReportedUntilATagOrTheEndDecides) {
  ReasoningFilter filter(MissingOpenerPolicy::kForReasoningModels);
  std::string answer;
  std::string reasoning;
  filter.put("deepseek-r1", false, "", "Okay, the user", answer, reasoning);
  filter.put("deepseek-r1", false, "", " asks for a number.</th", answer, reasoning);
  STRCMP_EQUAL("", answer.c_str());
  STRCMP_EQUAL("", reasoning.c_str());
  filter.put("deepseek-r1", false, "", "ink>\n\nFour.", answer, reasoning);
  STRCMP_EQUAL("Okay, the user asks for a number.", reasoning.c_str());
  STRCMP_EQUAL("Four.", answer.c_str());
  CHECK(filter.unopened_verdict() == UnopenedTextVerdict::kReasoning);
}

TEST(ReasoningFilter, UnopenedTextIsReleasedInOrderWhenTheOutputEnds) {
  ReasoningFilter filter(MissingOpenerPolicy::kForReasoningModels);
  std::string answer;
  std::string reasoning;
  filter.put("deepseek-r1", false, "", "Four", answer, reasoning);
  filter.put("deepseek-r1", false, "", ", as in 2 </t", answer, reasoning);
  STRCMP_EQUAL("", answer.c_str());
  filter.end_of_output(answer, reasoning);
  STRCMP_EQUAL("Four, as in 2 ", answer.c_str());
  filter.finish(answer, reasoning);  // the held bytes started no tag
  STRCMP_EQUAL("Four, as in 2 </t", answer.c_str());
  STRCMP_EQUAL("", reasoning.c_str());
  LONGS_EQUAL(14, filter.unopened_bytes());
}

TEST(ReasoningFilter, UnopenedTextAtAnAbruptEndIsReasoningAndNeverAnswer) {
  const Filtered expected{
      "", "The user wants a poem.", true, false, true, UnopenedTextVerdict::kUnspokenAtAbruptEnd};
  check_every_split("The user wants a poem.", expected, "deepseek-r1");
}

TEST(ReasoningFilter, UnopenedTextPastTheCapIsReasoningWhateverTheDeltas) {
  // 20 bytes of unopened text against a cap of 16.
  const Filtered closed{
      "Yes.", "Long reasoning here.", false, false, true, UnopenedTextVerdict::kReasoningOverCap};
  check_every_split("Long reasoning here.</think>Yes.", closed, "deepseek-r1",
                    MissingOpenerPolicy::kForReasoningModels, End::kByItself, 16);
  const Filtered unclosed{"", "Long reasoning here.", true, false, true, UnopenedTextVerdict::kReasoningOverCap};
  check_every_split("Long reasoning here.", unclosed, "deepseek-r1", MissingOpenerPolicy::kForReasoningModels,
                    End::kByItself, 16);
  // At the cap exactly, it is still held, and the end makes it the answer.
  const Filtered at_cap{"Sixteen bytes ok", "", false, false, false, UnopenedTextVerdict::kAnswer};
  check_every_split("Sixteen bytes ok", at_cap, "deepseek-r1", MissingOpenerPolicy::kForReasoningModels,
                    End::kByItself, 16);
}

TEST(ReasoningFilter, PastTheCapReasoningStreamsAtOnce) {
  ReasoningFilter filter(MissingOpenerPolicy::kForReasoningModels, 8);
  std::string answer;
  std::string reasoning;
  filter.put("deepseek-r1", false, "", "Hmm, so", answer, reasoning);
  STRCMP_EQUAL("", reasoning.c_str());
  filter.put("deepseek-r1", false, "", " the user", answer, reasoning);
  STRCMP_EQUAL("Hmm, so the user", reasoning.c_str());
  filter.put("deepseek-r1", false, "", " asks.", answer, reasoning);
  STRCMP_EQUAL("Hmm, so the user asks.", reasoning.c_str());
  STRCMP_EQUAL("", answer.c_str());
}

TEST(ReasoningFilter, EndOfOutputMakesAHeldPartialOpenerText) {
  check_every_split("<thi", {"<thi", "", false, false, false, UnopenedTextVerdict::kAnswer}, "deepseek-r1",
                    MissingOpenerPolicy::kForReasoningModels, End::kByItself);
}

TEST(ReasoningFilter, BytesHeldAsAPossibleTagAreReleasedBeforeAnError) {
  ReasoningFilter filter(MissingOpenerPolicy::kForReasoningModels);
  std::string answer;
  std::string reasoning;
  filter.put("llama3.2", false, "", "Three </th", answer, reasoning);
  STRCMP_EQUAL("Three ", answer.c_str());
  filter.release_before_error(answer, reasoning);
  STRCMP_EQUAL("Three </th", answer.c_str());
  STRCMP_EQUAL("", reasoning.c_str());
}

TEST(ReasoningFilter, UnopenedTextStaysHeldAtAnError) {
  ReasoningFilter filter(MissingOpenerPolicy::kForReasoningModels);
  std::string answer;
  std::string reasoning;
  filter.put("deepseek-r1", false, "", "Hello. ", answer, reasoning);
  filter.release_before_error(answer, reasoning);
  STRCMP_EQUAL("", answer.c_str());
  STRCMP_EQUAL("", reasoning.c_str());
  // The stream may go on past the error and still close the implied block.
  filter.put("deepseek-r1", false, "", "</think>Hi.", answer, reasoning);
  STRCMP_EQUAL("Hello. ", reasoning.c_str());
  STRCMP_EQUAL("Hi.", answer.c_str());
}

TEST(ReasoningFilter, DeepSeekReasonerContentIsAnswerAtOnceEvenWithoutAReasoningField) {
  ReasoningFilter filter(MissingOpenerPolicy::kForReasoningModels);
  std::string answer;
  std::string reasoning;
  filter.put("deepseek-reasoner", false, "", "Paris", answer, reasoning);
  STRCMP_EQUAL("Paris", answer.c_str());
}
