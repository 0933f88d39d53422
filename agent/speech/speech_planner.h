#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/channel/agent_channel_messages.h"

namespace vic_r1::speech {

// How Vector's voice sounds (TextToSpeechPrepare's scalars; config `voice`).
struct VoiceSettings {
  std::uint32_t style = clad::kTtsStyleDefaultProcessed;
  float duration_scalar = 1.0f;  // the .clad says 0.5 = slow, 5.0 = fast
  float pitch_scalar = 0.0f;     // -1..+1 (ignored by firmware without pitch)
};

// How long each wait of the plan may last before it is given up and the
// plan goes on: vic-anim may drop a message, or lack a clip (a PlayAnim of
// an unknown clip answers nothing at all).
struct SpeechDeadlines {
  std::chrono::milliseconds prepare{10000};      // Prepare -> Prepared
  std::chrono::milliseconds finish_slack{5000};  // after the audio's own length
  std::chrono::milliseconds longest_utterance{120000};
  std::chrono::milliseconds animation_start{1500};  // PlayAnim -> AnimationStarted
  std::chrono::milliseconds animation_length{20000};
};

// What the planner tells its owner about, besides commands.
class SpeechObserver {
 public:
  virtual ~SpeechObserver() = default;
  virtual void on_sentence_playing(std::string_view text) = 0;
  // A clip that never started (vic-anim lacks it): skipped, reported once per name.
  virtual void on_clip_missing(std::string_view clip) = 0;
  // An utterance vic-anim refused or lost; `why` for the log.
  virtual void on_sentence_dropped(std::string_view text, std::string_view why) = 0;
};

// Plays an answer on vic-anim as it is written: sentences through TTS with
// the Manual trigger, and animations at their place. Sans-I/O: fed the
// owner's steps and the robot's events, it returns the channel commands to
// send, and names the next moment it must be woken (deadline()).
//
// The pipeline, so that sentences follow each other without gaps:
//   Prepare(n) as soon as it is known -> Prepared -> Play(n) when n-1 is
//   Finished, and Prepare(n+1) while n plays.
// vic-anim has one TTS audio channel and a Play cuts off whatever plays, so
// only one utterance plays at a time, and a prepared one waits its turn.
// A blocking animation (`add_animation`) plays between two sentences; a
// clip "while speaking" starts with its sentence's Play.
class SpeechPlanner {
 public:
  using Clock = std::chrono::steady_clock;
  using Commands = std::vector<channel::Command>;

  SpeechPlanner(VoiceSettings voice, SpeechDeadlines deadlines, SpeechObserver& observer);

  // A new answer: forgets everything. Handles come from `next_handle`,
  // shared with the owner so no two of the agent's things share one.
  // `before_first_output`, when set, is a command sent just before the first
  // Play or PlayAnim (ending the thinking animation right before the first word).
  void start(std::uint32_t& next_handle, std::optional<channel::Command> before_first_output);
  // The thinking animation moved on to another clip: the first word ends
  // that one. Ignored once the first output has gone.
  void replace_before_first_output(std::optional<channel::Command> command);

  void add_sentence(std::string text, std::string clip_while_speaking, Clock::time_point now, Commands& out);
  void add_animation(std::string clip, Clock::time_point now, Commands& out);
  // No more steps will come; finished() turns true when the last one ends.
  void end_of_input(Clock::time_point now, Commands& out);

  // A channel event; ignored unless it is about one of this plan's handles.
  void on_event(const channel::Event& event, Clock::time_point now, Commands& out);
  void on_time(Clock::time_point now, Commands& out);

  std::optional<Clock::time_point> deadline() const;
  bool finished() const { return input_ended_ && steps_.empty(); }
  // Forgets the plan without a command: the owner sends kReleaseAll, which
  // stops everything of the agent's on vic-anim at once.
  void drop_everything();

 private:
  enum class StepKind { kSentence, kAnimation };
  enum class StepState { kQueued, kPreparing, kPrepared, kPlaying };
  struct Step {
    StepKind kind = StepKind::kSentence;
    std::string text;  // the sentence, or the clip of an animation
    std::string clip_while_speaking;
    std::uint32_t handle = 0;
    std::uint32_t clip_handle = 0;  // the while-speaking clip's
    StepState state = StepState::kQueued;
    std::optional<Clock::time_point> due;  // when the current wait gives up
    std::chrono::milliseconds audio{0};    // Prepared's duration
  };

  // A while-speaking clip, until vic-anim says it started.
  struct WatchedClip {
    std::uint32_t handle = 0;
    std::string name;
    Clock::time_point due;
  };

  void advance(Clock::time_point now, Commands& out);
  void prepare(Step& step, Clock::time_point now, Commands& out);
  void play(Step& step, Clock::time_point now, Commands& out);
  void emit_first_output(Commands& out);
  void finish_head(Clock::time_point now, Commands& out);
  void give_up(Step& step, std::string_view why, Clock::time_point now, Commands& out);
  void on_speech_state(Step& step, const channel::Event& event, Clock::time_point now, Commands& out);
  Step* step_by_handle(std::uint32_t handle);
  bool clip_known_missing(std::string_view clip) const;
  void note_clip_missing(const std::string& clip);

  const VoiceSettings voice_;
  const SpeechDeadlines deadlines_;
  SpeechObserver& observer_;
  std::uint32_t* next_handle_ = nullptr;
  std::optional<channel::Command> before_first_output_;
  std::list<Step> steps_;  // a list: commands hold views of its texts while steps come and go
  std::vector<WatchedClip> watched_clips_;
  std::vector<std::string> missing_clips_;  // names that never started, this process
  bool input_ended_ = true;
  bool output_started_ = false;
};

}  // namespace vic_r1::speech
