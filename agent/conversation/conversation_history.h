#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "agent/conversation/chat_request.h"

namespace vic_r1::conversation {

// What Vector remembers of the conversation: the questions and the answers
// as they were spoken (markup removed, reasoning never seen here), kept in
// RAM only. Bounded in exchanges and in bytes, so a long conversation costs
// neither the robot's memory nor ever more tokens; and forgotten after a
// quiet while, as a question an hour later rarely follows the last one.
class ConversationHistory {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    std::size_t max_turns = kDefaultMaxHistoryTurns;  // messages, two per exchange
    std::size_t max_bytes = 8 * 1024;                 // of question and answer text
    std::chrono::seconds forget_after{600};
  };

  explicit ConversationHistory(Limits limits) : limits_(limits) {}

  // A question and the answer that was spoken to the end (or as far as it
  // got). An empty answer adds nothing: R1 refuses two user turns in a row.
  void add_exchange(std::string question, std::string answer, Clock::time_point now);

  // The turns to send with the next question, oldest first (empty after
  // the quiet while).
  const std::vector<ConversationTurn>& turns(Clock::time_point now);

  std::size_t bytes() const;
  void clear() { turns_.clear(); }

 private:
  void trim();

  Limits limits_;
  std::vector<ConversationTurn> turns_;
  Clock::time_point last_exchange_{};
};

}  // namespace vic_r1::conversation
