#include "drivers/intent/question_intents.h"

#include <algorithm>

#include "drivers/intent/json_string_member.h"

namespace vic_r1::intent {
namespace {

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool listed(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::string_view transcript_from_metadata(std::string_view metadata) {
  // vic-cloud: "text: %s  confidence: %f  handler: %s". The transcript may
  // itself hold anything, so the last "  confidence: " ends it.
  constexpr std::string_view kPrefix = "text: ";
  constexpr std::string_view kConfidence = "  confidence: ";
  if (metadata.substr(0, kPrefix.size()) != kPrefix) return {};
  const std::size_t end = metadata.rfind(kConfidence);
  if (end == std::string_view::npos || end < kPrefix.size()) return {};
  return trim(metadata.substr(kPrefix.size(), end - kPrefix.size()));
}

QuestionVerdict classify_intent(const QuestionIntentPolicy& policy,
                                const clad::IntentResult& result, std::string& question) {
  QuestionVerdict verdict;
  question.clear();
  if (listed(policy.text_in_metadata_intents, result.intent)) {
    const std::string_view transcript = transcript_from_metadata(result.metadata);
    if (transcript.empty()) return verdict;
    question.assign(transcript);
    verdict.owned = true;
    verdict.source = channel::QuestionSource::kUnmatchedIntent;
    verdict.close_with = policy.close_unmatched_with;
    return verdict;
  }
  if (listed(policy.knowledge_response_intents, result.intent)) {
    std::string query;
    if (!json_string_member(result.parameters, "query_text", query)) return verdict;
    const std::string_view text = trim(query);
    if (text.empty()) return verdict;
    question.assign(text);
    verdict.owned = true;
    verdict.source = channel::QuestionSource::kKnowledgeResponse;
    verdict.close_with = policy.close_knowledge_with;
    return verdict;
  }
  return verdict;
}

}  // namespace vic_r1::intent
