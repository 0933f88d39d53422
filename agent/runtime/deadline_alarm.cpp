#include "agent/runtime/deadline_alarm.h"

namespace vic_r1::runtime {

DeadlineAlarm::DeadlineAlarm(boost::asio::io_context& io, orchestrator::AnswerOrchestrator& orchestrator)
    : timer_(io), orchestrator_(orchestrator) {}

void DeadlineAlarm::rearm() {
  const std::optional<Clock::time_point> due = orchestrator_.deadline();
  if (due == armed_) return;
  armed_ = due;
  timer_.cancel();
  if (!due) return;
  timer_.expires_at(*due);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    armed_.reset();
    orchestrator_.on_time(Clock::now());
    rearm();
  });
}

}  // namespace vic_r1::runtime
