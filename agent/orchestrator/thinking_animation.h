#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drivers/channel/agent_channel_messages.h"

namespace vic_r1::orchestrator {

struct ThinkingAnimationSettings {
  std::string clip;  // loops from the question to the first word; empty: none
  // Optional progress on the face while R1 reasons (it may think for a
  // minute): every `progress_every`, if the reasoning has grown since the
  // last step, the loop moves on to the next of these clips, and stays on the
  // last. Clips only: the face cannot be left stuck, since a clip ends when
  // it is aborted and the bridge aborts every clip of an agent that goes.
  // (DrawTextOnScreen is no way: drawn at once it blanks the eyes for up to
  // 180 s, and drawn later no screen shows it; faceInfoScreenManager.cpp:485-493.)
  std::vector<std::string> progress_clips;
  std::chrono::milliseconds progress_every{8000};
};

// The thinking animation of one question, sans-I/O: it says which commands
// to send and when it wants the time.
class ThinkingAnimation {
 public:
  using Clock = std::chrono::steady_clock;
  using Commands = std::vector<channel::Command>;

  explicit ThinkingAnimation(ThinkingAnimationSettings settings);

  // The question came: the loop starts (if a clip is configured).
  void start(std::uint32_t& next_handle, Clock::time_point now, Commands& out);
  // How much reasoning has come so far, in characters.
  void on_reasoning(std::size_t total_characters);
  // The first word is on its way: no more progress steps.
  void on_answer_started();
  // True when the event was about the loop (refused, or ended) and is used up.
  bool on_event(const channel::Event& event);
  void on_time(std::uint32_t& next_handle, Clock::time_point now, Commands& out);
  std::optional<Clock::time_point> deadline() const;

  // The command that ends the loop now playing, if one plays.
  std::optional<channel::Command> stop_command() const;
  // Ends the loop (when one plays) and forgets it.
  void stop(Commands& out);
  // Forgets the loop without a command (kReleaseAll ended it).
  void forget();
  // How many progress steps this question took (for the log and tests).
  std::size_t progress_steps() const { return steps_; }

 private:
  void play(const std::string& clip, std::uint32_t& next_handle, Commands& out);

  const ThinkingAnimationSettings settings_;
  std::uint32_t handle_ = 0;  // the loop's, 0 when none plays
  std::optional<Clock::time_point> next_step_at_;
  std::size_t steps_ = 0;
  std::size_t reasoning_characters_ = 0;
  std::size_t reasoning_at_last_step_ = 0;
};

}  // namespace vic_r1::orchestrator
