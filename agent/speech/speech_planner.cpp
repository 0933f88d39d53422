#include "agent/speech/speech_planner.h"

#include <algorithm>
#include <iterator>

namespace vic_r1::speech {
namespace {

using std::chrono::milliseconds;

}  // namespace

SpeechPlanner::SpeechPlanner(VoiceSettings voice, SpeechDeadlines deadlines, SpeechObserver& observer)
    : voice_(voice), deadlines_(deadlines), observer_(observer) {}

void SpeechPlanner::start(std::uint32_t& next_handle, std::optional<channel::Command> before_first_output) {
  next_handle_ = &next_handle;
  before_first_output_ = std::move(before_first_output);
  steps_.clear();
  watched_clips_.clear();
  input_ended_ = false;
  output_started_ = false;
}

void SpeechPlanner::replace_before_first_output(std::optional<channel::Command> command) {
  if (!output_started_) before_first_output_ = std::move(command);
}

void SpeechPlanner::drop_everything() {
  steps_.clear();
  watched_clips_.clear();
  before_first_output_.reset();
  input_ended_ = true;
}

void SpeechPlanner::add_sentence(std::string text, std::string clip_while_speaking, Clock::time_point now,
                                 Commands& out) {
  Step step;
  step.kind = StepKind::kSentence;
  step.text = std::move(text);
  step.clip_while_speaking = std::move(clip_while_speaking);
  steps_.push_back(std::move(step));
  advance(now, out);
}

void SpeechPlanner::add_animation(std::string clip, Clock::time_point now, Commands& out) {
  if (clip_known_missing(clip)) return;
  Step step;
  step.kind = StepKind::kAnimation;
  step.text = std::move(clip);
  steps_.push_back(std::move(step));
  advance(now, out);
}

void SpeechPlanner::end_of_input(Clock::time_point now, Commands& out) {
  input_ended_ = true;
  advance(now, out);
}

// The head step plays; the first sentence after it that is still queued is
// prepared, so that its audio is ready when the head ends.
void SpeechPlanner::advance(Clock::time_point now, Commands& out) {
  if (steps_.empty()) return;
  Step& head = steps_.front();
  if (head.kind == StepKind::kAnimation && head.state == StepState::kQueued) {
    play(head, now, out);
  } else if (head.kind == StepKind::kSentence) {
    if (head.state == StepState::kQueued) prepare(head, now, out);
    if (head.state == StepState::kPrepared) play(head, now, out);
  }
  for (auto it = std::next(steps_.begin()); it != steps_.end(); ++it) {
    Step& step = *it;
    if (step.kind != StepKind::kSentence) continue;
    if (step.state == StepState::kQueued) prepare(step, now, out);
    break;
  }
}

void SpeechPlanner::prepare(Step& step, Clock::time_point now, Commands& out) {
  channel::Command command = channel::command_for(channel::CommandKind::kPrepareSpeech, (*next_handle_)++);
  command.tts_style = voice_.style;
  command.duration_scalar = voice_.duration_scalar;
  command.pitch_scalar = voice_.pitch_scalar;
  command.trigger_mode = clad::TtsTriggerMode::kManual;
  command.text = step.text;
  step.handle = command.handle;
  step.state = StepState::kPreparing;
  step.due = now + deadlines_.prepare;
  out.push_back(command);
}

void SpeechPlanner::emit_first_output(Commands& out) {
  if (output_started_) return;
  output_started_ = true;
  if (before_first_output_) out.push_back(*before_first_output_);
  before_first_output_.reset();
}

void SpeechPlanner::play(Step& step, Clock::time_point now, Commands& out) {
  emit_first_output(out);
  if (step.kind == StepKind::kAnimation) {
    channel::Command command = channel::command_for(channel::CommandKind::kPlayAnimation, (*next_handle_)++);
    command.num_loops = 1;
    command.anim_name = step.text;
    step.handle = command.handle;
    step.state = StepState::kPreparing;  // waiting for AnimationStarted
    step.due = now + deadlines_.animation_start;
    out.push_back(command);
    return;
  }
  out.push_back(channel::command_for(channel::CommandKind::kPlaySpeech, step.handle));
  step.state = StepState::kPlaying;
  const milliseconds longest = std::min(deadlines_.longest_utterance, step.audio + deadlines_.finish_slack);
  step.due = now + longest;
  observer_.on_sentence_playing(step.text);
  if (!step.clip_while_speaking.empty() && !clip_known_missing(step.clip_while_speaking)) {
    channel::Command clip = channel::command_for(channel::CommandKind::kPlayAnimation, (*next_handle_)++);
    clip.num_loops = 1;
    clip.anim_name = step.clip_while_speaking;
    step.clip_handle = clip.handle;
    watched_clips_.push_back(WatchedClip{clip.handle, step.clip_while_speaking, now + deadlines_.animation_start});
    out.push_back(clip);
  }
}

void SpeechPlanner::finish_head(Clock::time_point now, Commands& out) {
  steps_.pop_front();
  advance(now, out);
}

void SpeechPlanner::give_up(Step& step, std::string_view why, Clock::time_point now, Commands& out) {
  if (step.kind == StepKind::kSentence) {
    // Cancel it so vic-anim lets go of the id; its answer goes to no one.
    if (step.state != StepState::kQueued)
      out.push_back(channel::command_for(channel::CommandKind::kCancelSpeech, step.handle));
    observer_.on_sentence_dropped(step.text, why);
  } else {
    out.push_back(channel::command_for(channel::CommandKind::kAbortAnimation, step.handle));
  }
  const auto it = std::find_if(steps_.begin(), steps_.end(), [&step](const Step& s) { return &s == &step; });
  steps_.erase(it);
  advance(now, out);
}

SpeechPlanner::Step* SpeechPlanner::step_by_handle(std::uint32_t handle) {
  if (handle == 0) return nullptr;
  for (Step& step : steps_)
    if (step.handle == handle) return &step;
  return nullptr;
}

void SpeechPlanner::on_event(const channel::Event& event, Clock::time_point now, Commands& out) {
  switch (event.kind) {
    case channel::EventKind::kSpeechState:
      if (Step* step = step_by_handle(event.handle)) on_speech_state(*step, event, now, out);
      break;
    case channel::EventKind::kAnimationState: {
      for (auto it = watched_clips_.begin(); it != watched_clips_.end(); ++it) {
        if (it->handle != event.handle) continue;
        watched_clips_.erase(it);
        break;
      }
      Step* step = step_by_handle(event.handle);
      if (step == nullptr || step->kind != StepKind::kAnimation) break;
      if (event.animation_phase == channel::AnimationPhase::kStarted) {
        step->state = StepState::kPlaying;
        step->due = now + deadlines_.animation_length;
      } else if (step == &steps_.front()) {
        finish_head(now, out);
      }
      break;
    }
    case channel::EventKind::kCommandFailed:
      if (Step* step = step_by_handle(event.handle)) {
        // Refused by the bridge: nothing of it reached vic-anim.
        step->state = StepState::kQueued;
        give_up(*step, event.text, now, out);
      }
      break;
    default:
      break;
  }
}

void SpeechPlanner::on_speech_state(Step& step, const channel::Event& event, Clock::time_point now,
                                    Commands& out) {
  switch (event.speech_state) {
    case clad::TtsState::kPrepared:
      if (step.state != StepState::kPreparing) break;
      step.state = StepState::kPrepared;
      step.audio = milliseconds(static_cast<long long>(std::max(0.0f, event.expected_duration_ms)));
      step.due.reset();  // waits for its turn, however long the one before plays
      if (&step == &steps_.front()) play(step, now, out);
      break;
    case clad::TtsState::kFinished:
      if (&step == &steps_.front() && step.state == StepState::kPlaying) {
        finish_head(now, out);
      } else {
        step.state = StepState::kQueued;  // nothing left to cancel
        give_up(step, "vic-anim ended it before it played", now, out);
      }
      break;
    case clad::TtsState::kInvalid:
      step.state = StepState::kQueued;  // vic-anim holds nothing of it any more
      give_up(step, "vic-anim answered Invalid", now, out);
      break;
    default:  // Playable, Preparing, Playing: progress, nothing to do
      break;
  }
}

void SpeechPlanner::on_time(Clock::time_point now, Commands& out) {
  for (auto it = watched_clips_.begin(); it != watched_clips_.end();) {
    if (now < it->due) {
      ++it;
      continue;
    }
    note_clip_missing(it->name);
    it = watched_clips_.erase(it);
  }
  for (Step& step : steps_) {
    if (!step.due || now < *step.due) continue;
    if (step.kind == StepKind::kAnimation && step.state == StepState::kPreparing) {
      note_clip_missing(step.text);
      give_up(step, "the clip never started", now, out);
    } else if (step.kind == StepKind::kAnimation) {
      give_up(step, "the clip ran past its deadline", now, out);
    } else if (step.state == StepState::kPreparing) {
      give_up(step, "vic-anim did not prepare it in time", now, out);
    } else {
      give_up(step, "vic-anim did not finish it in time", now, out);
    }
    return;  // give_up changed the steps; the owner asks for the next deadline
  }
}

std::optional<SpeechPlanner::Clock::time_point> SpeechPlanner::deadline() const {
  std::optional<Clock::time_point> earliest;
  const auto consider = [&earliest](const std::optional<Clock::time_point>& due) {
    if (due && (!earliest || *due < *earliest)) earliest = due;
  };
  for (const Step& step : steps_) consider(step.due);
  for (const WatchedClip& clip : watched_clips_) consider(clip.due);
  return earliest;
}

bool SpeechPlanner::clip_known_missing(std::string_view clip) const {
  return std::find(missing_clips_.begin(), missing_clips_.end(), clip) != missing_clips_.end();
}

void SpeechPlanner::note_clip_missing(const std::string& clip) {
  if (clip_known_missing(clip)) return;
  missing_clips_.push_back(clip);
  observer_.on_clip_missing(clip);
}

}  // namespace vic_r1::speech
