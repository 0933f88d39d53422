#include "agent/orchestrator/thinking_animation.h"

#include <utility>

namespace vic_r1::orchestrator {

ThinkingAnimation::ThinkingAnimation(ThinkingAnimationSettings settings) : settings_(std::move(settings)) {}

void ThinkingAnimation::start(std::uint32_t& next_handle, Clock::time_point now, Commands& out) {
  stop(out);
  steps_ = 0;
  reasoning_characters_ = 0;
  reasoning_at_last_step_ = 0;
  next_step_at_.reset();
  if (settings_.clip.empty()) return;
  play(settings_.clip, next_handle, out);
  if (!settings_.progress_clips.empty()) next_step_at_ = now + settings_.progress_every;
}

void ThinkingAnimation::on_reasoning(std::size_t total_characters) { reasoning_characters_ = total_characters; }

void ThinkingAnimation::on_answer_started() { next_step_at_.reset(); }

bool ThinkingAnimation::on_event(const channel::Event& event) {
  if (handle_ == 0 || event.handle != handle_) return false;
  const bool refused = event.kind == channel::EventKind::kCommandFailed;
  const bool ended = event.kind == channel::EventKind::kAnimationState &&
                     event.animation_phase == channel::AnimationPhase::kEnded;
  if (!refused && !ended) return false;
  // A clip the robot lacks, or one stopped from elsewhere: no loop now, and
  // no steps after it either.
  handle_ = 0;
  next_step_at_.reset();
  return true;
}

void ThinkingAnimation::on_time(std::uint32_t& next_handle, Clock::time_point now, Commands& out) {
  if (!next_step_at_ || now < *next_step_at_ || handle_ == 0) return;
  // A model that stalls shows no progress: the face stays where it is.
  if (reasoning_characters_ == reasoning_at_last_step_) {
    next_step_at_ = now + settings_.progress_every;
    return;
  }
  reasoning_at_last_step_ = reasoning_characters_;
  const std::string& clip = settings_.progress_clips[steps_++];
  stop(out);
  play(clip, next_handle, out);
  // On the last clip it stays until the first word.
  if (steps_ < settings_.progress_clips.size()) next_step_at_ = now + settings_.progress_every;
}

std::optional<ThinkingAnimation::Clock::time_point> ThinkingAnimation::deadline() const { return next_step_at_; }

std::optional<channel::Command> ThinkingAnimation::stop_command() const {
  if (handle_ == 0) return std::nullopt;
  return channel::command_for(channel::CommandKind::kAbortAnimation, handle_);
}

void ThinkingAnimation::stop(Commands& out) {
  if (const std::optional<channel::Command> command = stop_command()) out.push_back(*command);
  forget();
}

void ThinkingAnimation::forget() {
  handle_ = 0;
  next_step_at_.reset();
}

void ThinkingAnimation::play(const std::string& clip, std::uint32_t& next_handle, Commands& out) {
  channel::Command loop = channel::command_for(channel::CommandKind::kPlayAnimation, next_handle++);
  loop.anim_name = clip;  // a view of settings_, which outlives the command's sending
  loop.num_loops = 0;     // until it is stopped
  handle_ = loop.handle;
  out.push_back(loop);
}

}  // namespace vic_r1::orchestrator
