#pragma once

#include <cstdint>

namespace vic_r1::process {

// When to start a crashed child again: at once the first time, then with a
// delay that doubles up to a ceiling, back to the first step once a child
// has run for a while. A crash loop then costs the robot a start every
// `max_delay_ms`, never a busy loop. Time comes in as a parameter.
class RestartBackoff {
 public:
  RestartBackoff(std::uint64_t first_delay_ms, std::uint64_t max_delay_ms, std::uint64_t stable_after_ms)
      : first_delay_ms_(first_delay_ms), max_delay_ms_(max_delay_ms), stable_after_ms_(stable_after_ms) {}

  void on_started(std::uint64_t now_ms) { started_at_ms_ = now_ms; }

  // The child ended at `now_ms`: returns when it may start again.
  std::uint64_t on_ended(std::uint64_t now_ms) {
    if (now_ms - started_at_ms_ >= stable_after_ms_) next_delay_ms_ = 0;
    const std::uint64_t delay = next_delay_ms_;
    next_delay_ms_ = next_delay_ms_ == 0 ? first_delay_ms_ : next_delay_ms_ * 2;
    if (next_delay_ms_ > max_delay_ms_) next_delay_ms_ = max_delay_ms_;
    return now_ms + delay;
  }

 private:
  std::uint64_t first_delay_ms_;
  std::uint64_t max_delay_ms_;
  std::uint64_t stable_after_ms_;
  std::uint64_t next_delay_ms_ = 0;
  std::uint64_t started_at_ms_ = 0;
};

}  // namespace vic_r1::process
