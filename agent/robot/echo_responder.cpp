#include "agent/robot/echo_responder.h"

#include "drivers/clad/anim_messages.h"

namespace vic_r1::robot {
namespace {

// Cut at a character boundary at or below vic-anim's 1023-byte limit.
std::string_view fit_for_speech(std::string_view text) {
  if (text.size() <= clad::kMaxTtsTextBytes) return text;
  std::size_t end = clad::kMaxTtsTextBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace

const std::vector<channel::Command>& EchoResponder::on_event(const channel::Event& event) {
  commands_.clear();
  switch (event.kind) {
    case channel::EventKind::kQuestion:
      stop_speaking();
      sentence_ = "I heard: ";
      sentence_.append(event.text);
      say(fit_for_speech(sentence_));
      break;
    case channel::EventKind::kWakeWord:
    case channel::EventKind::kBackTouched:
    case channel::EventKind::kButtonPressed:
      stop_speaking();
      break;
    case channel::EventKind::kSpeechState:
      if (utterance_ == 0 || event.handle != utterance_) break;
      if (event.speech_state == clad::TtsState::kPrepared) {
        channel::Command play;
        play.kind = channel::CommandKind::kPlaySpeech;
        play.handle = utterance_;
        commands_.push_back(play);
      } else if (event.speech_state == clad::TtsState::kFinished ||
                 event.speech_state == clad::TtsState::kInvalid) {
        utterance_ = 0;
      }
      break;
    case channel::EventKind::kCommandFailed:
      if (event.handle == utterance_) utterance_ = 0;
      break;
    case channel::EventKind::kAnimationState:
    case channel::EventKind::kRobotLink:
      break;
  }
  return commands_;
}

void EchoResponder::say(std::string_view text) {
  channel::Command prepare;
  prepare.kind = channel::CommandKind::kPrepareSpeech;
  prepare.handle = next_handle_++;
  prepare.trigger_mode = clad::TtsTriggerMode::kManual;
  prepare.text = text;
  utterance_ = prepare.handle;
  commands_.push_back(prepare);
}

void EchoResponder::stop_speaking() {
  if (utterance_ == 0) return;
  channel::Command cancel;
  cancel.kind = channel::CommandKind::kCancelSpeech;
  cancel.handle = utterance_;
  commands_.push_back(cancel);
  utterance_ = 0;
}

}  // namespace vic_r1::robot
