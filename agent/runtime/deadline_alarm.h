#pragma once

#include <chrono>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/orchestrator/answer_orchestrator.h"

namespace vic_r1::runtime {

// Wakes the orchestrator at its next deadline. The owner calls rearm()
// after every handler its io_context runs, as any of them may have moved it.
class DeadlineAlarm {
 public:
  DeadlineAlarm(boost::asio::io_context& io, orchestrator::AnswerOrchestrator& orchestrator);

  void rearm();

 private:
  using Clock = std::chrono::steady_clock;

  boost::asio::steady_timer timer_;
  orchestrator::AnswerOrchestrator& orchestrator_;
  std::optional<Clock::time_point> armed_;
};

}  // namespace vic_r1::runtime
