#include "drivers/intent/question_intents.h"

#include "drivers/intent/json_string_member.h"

namespace vic_r1::intent {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// In place: erase() moves bytes within the string and never allocates.
void trim(std::string& text) {
  std::size_t end = text.size();
  while (end > 0 && is_space(text[end - 1])) --end;
  text.erase(end);
  std::size_t start = 0;
  while (start < text.size() && is_space(text[start])) ++start;
  text.erase(0, start);
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::vector<QuestionIntentRule> question_rules_for(const std::vector<std::string>& intents) {
  const std::vector<QuestionIntentRule> known = default_question_rules();
  std::vector<QuestionIntentRule> rules;
  for (const std::string& intent : intents) {
    // Not a question itself: it switches on capturing the one that follows.
    if (intent == kKnowledgePromptIntent) continue;
    bool found = false;
    for (const QuestionIntentRule& rule : known) {
      if (rule.intent != intent) continue;
      rules.push_back(rule);
      found = true;
    }
    if (!found) {
      rules.push_back({intent, QuestionField::kTranscriptInMetadata, channel::QuestionSource::kUnmatchedIntent,
                       "intent_system_noaudio"});
    }
  }
  return rules;
}

std::vector<std::string> default_placeholder_transcripts() { return {"voice processing error"}; }

QuestionIntentPolicy question_policy_for(const std::vector<std::string>& intents) {
  QuestionIntentPolicy policy;
  policy.rules = question_rules_for(intents);
  policy.capture_knowledge_questions = false;
  for (const std::string& intent : intents) {
    if (intent == kKnowledgePromptIntent) policy.capture_knowledge_questions = true;
  }
  return policy;
}

std::vector<QuestionIntentRule> default_question_rules() {
  using channel::QuestionSource;
  return {
      {"intent_system_unmatched", QuestionField::kTranscriptInMetadata, QuestionSource::kUnmatchedIntent,
       "intent_system_noaudio"},
      {"intent_knowledge_response_extend_bypass", QuestionField::kQueryTextInParameters,
       QuestionSource::kKnowledgeResponse, "intent_system_noaudio"},
      {"intent_knowledge_response_extend", QuestionField::kQueryTextInParameters,
       QuestionSource::kKnowledgeResponse, "intent_knowledge_no_response"},
  };
}

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

QuestionVerdict classify_intent(const QuestionIntentPolicy& policy, const clad::IntentResult& result,
                                std::string& question) {
  QuestionVerdict verdict;
  question.clear();
  for (const QuestionIntentRule& rule : policy.rules) {
    if (rule.intent != result.intent) continue;
    if (rule.field == QuestionField::kTranscriptInMetadata) {
      question.assign(transcript_from_metadata(result.metadata));
    } else if (!json_string_member(result.parameters, "query_text", question)) {
      question.clear();
    }
    trim(question);
    if (question.empty()) return verdict;
    for (const std::string& placeholder : policy.placeholder_transcripts) {
      if (same_ignoring_case(question, placeholder)) {
        question.clear();
        return verdict;
      }
    }
    verdict.owned = true;
    verdict.source = rule.source;
    verdict.close_with = rule.close_with;
    return verdict;
  }
  return verdict;
}

}  // namespace vic_r1::intent
