#include "agent/conversation/conversation_history.h"

#include "agent/text/utf8.h"

namespace vic_r1::conversation {
namespace {

// The answer as streamed keeps the model's spacing around markup and at its
// end; what is sent back is the text alone.
void trim_spaces(std::string& text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  std::size_t end = text.size();
  while (end > 0 && is_space(text[end - 1])) --end;
  std::size_t start = 0;
  while (start < end && is_space(text[start])) ++start;
  text = text.substr(start, end - start);
}

}  // namespace

void ConversationHistory::add_exchange(std::string question, std::string answer, Clock::time_point now) {
  trim_spaces(question);
  trim_spaces(answer);
  if (question.empty() || answer.empty() || limits_.max_turns < 2) return;
  if (!turns_.empty() && now - last_exchange_ >= limits_.forget_after) turns_.clear();
  // One exchange alone never takes more than the whole budget: the answer
  // gives way first, cut at a character boundary.
  if (question.size() > limits_.max_bytes / 2) {
    question.resize(text::utf8_prefix_length(question, limits_.max_bytes / 2));
  }
  const std::size_t room = limits_.max_bytes - question.size();
  if (answer.size() > room) answer.resize(text::utf8_prefix_length(answer, room));
  turns_.push_back(ConversationTurn{Role::kUser, std::move(question)});
  turns_.push_back(ConversationTurn{Role::kAssistant, std::move(answer)});
  last_exchange_ = now;
  trim();
}

const std::vector<ConversationTurn>& ConversationHistory::turns(Clock::time_point now) {
  if (!turns_.empty() && now - last_exchange_ >= limits_.forget_after) turns_.clear();
  return turns_;
}

std::size_t ConversationHistory::bytes() const {
  std::size_t total = 0;
  for (const ConversationTurn& turn : turns_) total += turn.content.size();
  return total;
}

void ConversationHistory::trim() {
  // Whole exchanges go, oldest first.
  while (turns_.size() >= 2 && (turns_.size() > limits_.max_turns || bytes() > limits_.max_bytes)) {
    turns_.erase(turns_.begin(), turns_.begin() + 2);
  }
}

}  // namespace vic_r1::conversation
