#include "agent/runtime/stand_in_speaker.h"

#include <algorithm>

namespace vic_r1::runtime {
namespace {

channel::Event speech_event(std::uint32_t handle, clad::TtsState state) {
  channel::Event event;
  event.kind = channel::EventKind::kSpeechState;
  event.handle = handle;
  event.speech_state = state;
  return event;
}

channel::Event animation_event(std::uint32_t handle, channel::AnimationPhase phase, bool aborted) {
  channel::Event event;
  event.kind = channel::EventKind::kAnimationState;
  event.handle = handle;
  event.animation_phase = phase;
  event.animation_aborted = aborted;
  return event;
}

}  // namespace

StandInSpeaker::StandInSpeaker(std::function<void()> wake) : wake_(std::move(wake)) {}

void StandInSpeaker::send(const channel::Command& command) {
  switch (command.kind) {
    case channel::CommandKind::kPrepareSpeech:
      // No audio: the utterance lasts no time, so the next one plays at once.
      queue(speech_event(command.handle, clad::TtsState::kPrepared));
      break;
    case channel::CommandKind::kPlaySpeech:
      queue(speech_event(command.handle, clad::TtsState::kPlaying));
      queue(speech_event(command.handle, clad::TtsState::kFinished));
      break;
    case channel::CommandKind::kCancelSpeech:
      break;  // nothing plays for longer than a step: nothing to cut off
    case channel::CommandKind::kPlayAnimation:
      queue(animation_event(command.handle, channel::AnimationPhase::kStarted, false));
      // num_loops 0 loops until aborted (the thinking animation).
      if (command.num_loops == 0) {
        looping_clips_.push_back(command.handle);
      } else {
        queue(animation_event(command.handle, channel::AnimationPhase::kEnded, false));
      }
      break;
    case channel::CommandKind::kAbortAnimation:
      end_clip(command.handle, true);
      break;
    case channel::CommandKind::kReleaseAll:
      while (!looping_clips_.empty()) end_clip(looping_clips_.front(), true);
      break;
    case channel::CommandKind::kDrawText:
    case channel::CommandKind::kLockTracks:
    case channel::CommandKind::kInjectIntent:
    case channel::CommandKind::kListenAgain: {
      channel::Event refused;
      refused.kind = channel::EventKind::kCommandFailed;
      refused.handle = command.handle;
      queue(refused, "there is no robot (ask --standalone)");
      break;
    }
    case channel::CommandKind::kHeartbeat:
      break;
  }
}

void StandInSpeaker::end_clip(std::uint32_t handle, bool aborted) {
  const auto playing = std::find(looping_clips_.begin(), looping_clips_.end(), handle);
  if (playing == looping_clips_.end()) return;
  looping_clips_.erase(playing);
  queue(animation_event(handle, channel::AnimationPhase::kEnded, aborted));
}

void StandInSpeaker::queue(channel::Event event, std::string text) {
  const bool was_empty = pending_.empty();
  pending_.push_back(Pending{event, std::move(text)});
  if (was_empty && wake_) wake_();
}

void StandInSpeaker::deliver(const std::function<void(const channel::Event&)>& handler) {
  std::deque<Pending> due;
  due.swap(pending_);
  for (Pending& pending : due) {
    pending.event.text = pending.text;
    handler(pending.event);
  }
}

}  // namespace vic_r1::runtime
