#include <string>
#include <string_view>
#include <vector>

#include "agent/stream/reasoning_filter.h"
#include "tests/unit/support/byte_splits.h"

#include <CppUTest/TestHarness.h>

using vic_r1::stream::MissingOpenerPolicy;
using vic_r1::stream::ReasoningFilter;

namespace {

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
};

Filtered filter_deltas(const std::vector<Delta>& deltas, std::string_view model = "some-chat-model",
                       MissingOpenerPolicy policy = MissingOpenerPolicy::kForReasoningModels) {
  ReasoningFilter filter(policy);
  Filtered result;
  for (const Delta& delta : deltas) {
    filter.put(model, delta.has_reasoning_field, delta.structured_reasoning, delta.content,
               result.answer, result.reasoning);
  }
  filter.finish(result.answer, result.reasoning);
  result.reasoning_unclosed = filter.reasoning_unclosed();
  result.stray_close_tag_removed = filter.stray_close_tag_removed();
  result.missing_opener_assumed = filter.missing_opener_assumed();
  return result;
}

// The answer channel cut into deltas at every offset and byte by byte must
// always give `expected`: the server's delta boundaries are arbitrary.
void check_every_split(std::string_view content, const Filtered& expected,
                       std::string_view model = "some-chat-model",
                       MissingOpenerPolicy policy = MissingOpenerPolicy::kForReasoningModels) {
  for (const auto& pieces : vic_r1::test::every_split(content)) {
    std::vector<Delta> deltas;
    for (std::string_view piece : pieces) deltas.push_back({piece});
    const Filtered got = filter_deltas(deltas, model, policy);
    STRCMP_EQUAL(expected.answer.c_str(), got.answer.c_str());
    STRCMP_EQUAL(expected.reasoning.c_str(), got.reasoning.c_str());
    CHECK_EQUAL(expected.reasoning_unclosed, got.reasoning_unclosed);
    CHECK_EQUAL(expected.stray_close_tag_removed, got.stray_close_tag_removed);
    CHECK_EQUAL(expected.missing_opener_assumed, got.missing_opener_assumed);
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
  const Filtered expected{"Paris.", "Okay, the capital of France.\n", false, false, true};
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

TEST(ReasoningFilter, LeadingWhitespaceOfTheAnswerIsDropped) {
  check_every_split("\n\n  Hi!", {"Hi!", ""});
}

TEST(ReasoningFilter, StructuredReasoningIsNeverAnswer) {
  const Filtered got = filter_deltas({{"", "", true},
                                      {"", "The user asks", true},
                                      {"", " about Paris.", true},
                                      {"\n\nParis is the capital."}},
                                     "deepseek-reasoner");
  STRCMP_EQUAL("Paris is the capital.", got.answer.c_str());
  STRCMP_EQUAL("The user asks about Paris.", got.reasoning.c_str());
  CHECK_FALSE(got.missing_opener_assumed);
}

TEST(ReasoningFilter, StructuredReasoningFieldOverridesTheMissingOpenerPolicy) {
  const Filtered got = filter_deltas({{"", "thinking", true}, {"Answer."}}, "deepseek-r1",
                                     MissingOpenerPolicy::kAlways);
  STRCMP_EQUAL("Answer.", got.answer.c_str());
  CHECK_FALSE(got.reasoning_unclosed);
}

TEST(ReasoningFilter, AnswerOnlyInTheReasoningFieldLeavesNoAnswer) {
  const Filtered got = filter_deltas({{"", "The answer is 4.", true}}, "deepseek-reasoner");
  STRCMP_EQUAL("", got.answer.c_str());
  STRCMP_EQUAL("The answer is 4.", got.reasoning.c_str());
}

TEST(ReasoningFilter, PartialOpenerAtEndOfStreamIsAnswerText) {
  check_every_split("<thi", {"<thi", ""});
}

TEST(ReasoningFilter, NeverPolicyTreatsUnopenedTextAsAnswer) {
  const Filtered got =
      filter_deltas({{"reasoning</think>answer"}}, "deepseek-r1", MissingOpenerPolicy::kNever);
  STRCMP_EQUAL("reasoninganswer", got.answer.c_str());
  CHECK_TRUE(got.stray_close_tag_removed);
}
