#include "drivers/intent/voice_server_answer.h"

#include <string_view>

#include "drivers/intent/json_string_member.h"

namespace vic_r1::intent {
namespace {

// The cloud intents whose `answer` vic-engine speaks (user_intent_map.json:
// knowledge_response and knowledge_response_bypass).
constexpr std::string_view kKnowledgeAnswerIntents[] = {
    "intent_knowledge_response_extend",
    "intent_knowledge_response_extend_bypass",
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

bool voice_server_answer_of(const clad::IntentResult& result, std::string& answer) {
  answer.clear();
  bool knowledge_answer = false;
  for (std::string_view intent : kKnowledgeAnswerIntents) knowledge_answer |= result.intent == intent;
  if (!knowledge_answer || !json_string_member(result.parameters, "answer", answer)) {
    answer.clear();
    return false;
  }
  std::size_t end = answer.size();
  while (end > 0 && is_space(answer[end - 1])) --end;
  answer.erase(end);
  std::size_t start = 0;
  while (start < answer.size() && is_space(answer[start])) ++start;
  answer.erase(0, start);
  return !answer.empty();
}

}  // namespace vic_r1::intent
