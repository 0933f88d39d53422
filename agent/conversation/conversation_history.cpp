#include "agent/conversation/conversation_history.h"

#include "agent/text/utf8.h"

namespace vic_r1::conversation {

void ConversationHistory::add_exchange(std::string question, std::string answer, Clock::time_point now) {
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
