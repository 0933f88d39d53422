#include "drivers/bridge/anim_link_router.h"

#include <cstring>
#include <string_view>

namespace vic_r1::bridge {
namespace {

// Animation tags 1-5 are taken when the engine starts: 1 for the trigger-word
// get-in (sent once in SetTriggerWordResponse and played by vic-anim itself),
// 2-5 for the Alexa get-ins (animationComponent.cpp:68-72); 0 means "no
// animation" (or, in AbortAnimation, "whatever is playing").
constexpr std::uint8_t kFirstAgentAnimationTag = 6;
// ttsID 0 is never used by the engine's counter (1..255).
constexpr std::uint8_t kFirstAgentTtsId = 1;
// Where a fresh engine process's counters stand: tags 1-5 taken at start-up,
// no ttsID yet (textToSpeechCoordinator.cpp counts from 0, skipping it).
constexpr std::uint8_t kFreshEngineLastAnimationTag = 5;
constexpr std::uint8_t kFreshEngineLastTtsId = 0;

bool is_final(clad::TtsState state) {
  return state == clad::TtsState::kFinished || state == clad::TtsState::kInvalid;
}

// vic-engine's own TextToSpeechPrepare is read in the layout its size fits,
// confirmed or not: the ttsID it takes must be known either way.
const clad::FirmwareLayout& layout_for_reading(const clad::FirmwareLayout& current, const std::uint8_t* bytes,
                                               std::size_t size) {
  if (size == 0 || bytes[0] != current.text_to_speech_prepare ||
      size == clad::text_to_speech_prepare_datagram_bytes(current))
    return current;
  const clad::FirmwareLayout& other = clad::layout_for(current.tts_prepare_has_pitch_scalar
                                                           ? clad::FirmwareFamily::kVector16
                                                           : clad::FirmwareFamily::kVector16WithPitch);
  return size == clad::text_to_speech_prepare_datagram_bytes(other) ? other : current;
}

// What the layout probe asks vic-anim to prepare: short, never played.
constexpr std::string_view kProbeText = "Hm.";

}  // namespace

AnimLinkRouter::AnimLinkRouter(FirmwareExpectation expectation, AnimLinkSink& sink)
    : confirmation_(expectation),
      sink_(sink),
      animation_tags_(kFirstAgentAnimationTag),
      tts_ids_(kFirstAgentTtsId) {}

// ------------------------------------------------------------ engine -> anim

void AnimLinkRouter::on_engine_connected() {
  // A restarted engine counts from the start again: ids chosen behind where
  // the old process had got to would be the new one's next.
  animation_tags_.engine_restarted(kFreshEngineLastAnimationTag);
  tts_ids_.engine_restarted(kFreshEngineLastTtsId);
  trigger_word_starts_stream_ = false;
}

void AnimLinkRouter::on_engine_datagram(std::uint8_t* bytes, std::size_t size) {
  confirmation_.on_engine_datagram(bytes, size);
  const clad::EngineToAnimMessage message =
      clad::decode_engine_to_anim(layout_for_reading(layout(), bytes, size), bytes, size);
  using Kind = clad::EngineToAnimMessage::Kind;
  switch (message.kind) {
    case Kind::kMalformed:
      ++counters_.malformed_from_engine;
      break;
    case Kind::kPlayAnim: {
      // Looked up before the ledger hands the tag to the engine: after that
      // the agent no longer holds it, and the clip could not be found.
      AgentClip* clip = clip_by_tag(message.anim_tag);
      if (message.anim_tag != 0 && animation_tags_.note_engine_use(message.anim_tag)) {
        // The engine's clip replaces ours on the face anyway; the tag is its.
        ++counters_.id_collisions;
        if (clip != nullptr) {
          tell_animation_state(clip->handle, channel::AnimationPhase::kEnded, true);
          clip->in_use = false;
        }
      }
      break;
    }
    case Kind::kTextToSpeechPrepare: {
      AgentUtterance* utterance = utterance_by_tts_id(message.tts_id);  // before the hand-over, as above
      const bool probe_id = probe_.stage != LayoutProbe::Stage::kNone && probe_.tts_id == message.tts_id;
      if (message.tts_id != 0 && tts_ids_.note_engine_use(message.tts_id)) {
        ++counters_.id_collisions;
        // The engine's utterance replaces the probe's; a later one asks again.
        if (probe_id) probe_ = LayoutProbe{};
        if (utterance != nullptr) {
          tell_speech_state(utterance->handle, clad::TtsState::kInvalid, 0);
          utterance->in_use = false;
        }
      }
      tell_engine_speech(message.tts_text);
      break;
    }
    case Kind::kSetTriggerWordResponse:
      trigger_word_starts_stream_ = message.trigger_word_starts_stream;
      break;
    case Kind::kStartWakeWordlessStreaming:
      if (capturing_knowledge_questions_ && message.stream_type == clad::StreamType::kKnowledgeGraph) {
        bytes[clad::kStreamTypeOffset] = static_cast<std::uint8_t>(clad::StreamType::kNormal);
        ++counters_.knowledge_streams_made_normal;
        knowledge_question_stream_ = true;
      }
      break;
    default:
      break;
  }
}

// ------------------------------------------------------------ anim -> engine

AnimDatagramRoute AnimLinkRouter::on_anim_datagram(const std::uint8_t* bytes, std::size_t size) {
  confirmation_.on_anim_datagram(bytes, size);
  const clad::AnimToEngineMessage message = clad::decode_anim_to_engine(layout(), bytes, size);
  using Kind = clad::AnimToEngineMessage::Kind;
  switch (message.kind) {
    case Kind::kRobotState:
      note_robot_state(message);
      return AnimDatagramRoute::kToEngine;
    case Kind::kTextToSpeechEvent:
      return route_speech_event(message);
    case Kind::kAnimationStarted:
    case Kind::kAnimationEnded:
      return route_animation_event(message);
    case Kind::kTriggerWordDetected:
      // The engine reacts to it as always; the agent stops talking.
      tell(channel::EventKind::kWakeWord);
      return AnimDatagramRoute::kToEngine;
    case Kind::kRobotAvailable:
      return AnimDatagramRoute::kRobotAvailable;
    case Kind::kMalformed:
      ++counters_.malformed_from_anim;
      return AnimDatagramRoute::kToEngine;
    case Kind::kOther:
      break;
  }
  return AnimDatagramRoute::kToEngine;
}

void AnimLinkRouter::note_robot_state(const clad::AnimToEngineMessage& message) {
  const bool on_charger = (message.robot_status & clad::kRobotStatusOnCharger) != 0;
  if (back_touch_.feed(message.backpack_touch_raw, on_charger)) tell(channel::EventKind::kBackTouched);
  const bool pressed = (message.robot_status & clad::kRobotStatusButtonPressed) != 0;
  if (pressed && !button_was_pressed_) tell(channel::EventKind::kButtonPressed);
  button_was_pressed_ = pressed;
}

AnimDatagramRoute AnimLinkRouter::route_speech_event(const clad::AnimToEngineMessage& message) {
  if (route_probe_reply(message)) return AnimDatagramRoute::kToAgentOnly;
  AgentUtterance* utterance = utterance_by_tts_id(message.tts_id);
  if (utterance == nullptr) {
    if (is_final(message.tts_state)) tts_ids_.note_engine_done(message.tts_id);
    return AnimDatagramRoute::kToEngine;
  }
  ++counters_.replies_to_agent;
  tell_speech_state(utterance->handle, message.tts_state, message.expected_duration_ms);
  switch (message.tts_state) {
    case clad::TtsState::kPlaying:
      utterance->playing = true;
      break;
    case clad::TtsState::kFinished:
      forget(*utterance);
      break;
    case clad::TtsState::kInvalid:
      // vic-anim answers a cancel with Invalid at once, but a playing
      // utterance's audio event still ends later, and its end-of-event
      // callback sends Finished for the ttsID and erases whatever utterance
      // then holds it (textToSpeechComponent.cpp:469-482, 523-530, 620-630).
      // Reused before that, the id's next utterance would be ended unheard.
      if (utterance->playing) {
        release(*utterance);
      } else {
        forget(*utterance);
      }
      break;
    default:
      break;
  }
  return AnimDatagramRoute::kToAgentOnly;
}

void AnimLinkRouter::release(AgentUtterance& utterance) {
  if (utterance.handle != 0) utterance.released_at_ms = now_ms_;
  utterance.handle = 0;
}

AnimDatagramRoute AnimLinkRouter::route_animation_event(const clad::AnimToEngineMessage& message) {
  const bool ended = message.kind == clad::AnimToEngineMessage::Kind::kAnimationEnded;
  AgentClip* clip = clip_by_tag(message.anim_tag);
  // The name must match too: a tag alone could be a stale one of the engine's.
  if (clip == nullptr || message.anim_name != std::string_view(clip->name.data(), clip->name_size)) {
    if (ended) animation_tags_.note_engine_done(message.anim_tag);
    return AnimDatagramRoute::kToEngine;
  }
  ++counters_.replies_to_agent;
  if (ended) {
    tell_animation_state(clip->handle, channel::AnimationPhase::kEnded, message.was_aborted);
    forget(*clip);
  } else {
    clip->started = true;
    tell_animation_state(clip->handle, channel::AnimationPhase::kStarted, false);
  }
  return AnimDatagramRoute::kToAgentOnly;
}

// ------------------------------------------------------------ agent commands

void AnimLinkRouter::on_agent_command(const channel::Command& command, std::uint64_t now_ms) {
  now_ms_ = now_ms;
  if (!confirmation_.confirmed() && command.kind != channel::CommandKind::kHeartbeat) {
    refuse(command.handle, confirmation_.explanation());
    return;
  }
  switch (command.kind) {
    case channel::CommandKind::kPrepareSpeech:
      prepare_speech(command);
      break;
    case channel::CommandKind::kPlaySpeech:
      play_speech(command);
      break;
    case channel::CommandKind::kCancelSpeech:
      cancel_speech(command);
      break;
    case channel::CommandKind::kPlayAnimation:
      play_animation(command, now_ms);
      break;
    case channel::CommandKind::kAbortAnimation:
      abort_animation(command);
      break;
    case channel::CommandKind::kDrawText:
    case channel::CommandKind::kLockTracks:
      send_simple(command);
      break;
    case channel::CommandKind::kReleaseAll:
      release_everything_of_agent(now_ms);
      break;
    case channel::CommandKind::kListenAgain:
      listen_again(command);
      break;
    case channel::CommandKind::kInjectIntent:  // the intent tap's, not ours
    case channel::CommandKind::kHeartbeat:     // the supervisor's
      break;
  }
}

// vic-anim ignores a wake word, real or fake, while the engine's trigger
// response opens no stream (showAudioStreamStateManager.cpp:67-76, 172-183):
// the engine is in a behaviour that keeps the microphone to itself. Then
// there is nothing to listen with, and the agent is told so.
void AnimLinkRouter::listen_again(const channel::Command& command) {
  if (!trigger_word_starts_stream_) {
    refuse(command.handle, "vic-engine's wake-word response opens no stream now, so vic-anim would not listen");
    return;
  }
  inject(clad::FakeWakeWord{}, command.handle);
}

void AnimLinkRouter::prepare_speech(const channel::Command& command) {
  // Handle 0 marks an utterance whose agent is gone: one prepared under it
  // could never be played or cancelled, and would lose its id on the next tick.
  if (command.handle == 0) {
    refuse(command.handle, "handle 0 is reserved; name the utterance with a nonzero handle");
    return;
  }
  if (utterance_by_handle(command.handle) != nullptr) {
    refuse(command.handle, "an utterance with this handle is already in flight");
    return;
  }
  AgentUtterance* slot = nullptr;
  for (AgentUtterance& utterance : utterances_) {
    if (!utterance.in_use) {
      slot = &utterance;
      break;
    }
  }
  if (slot == nullptr) {
    refuse(command.handle, "too many utterances in flight");
    return;
  }
  std::uint8_t tts_id = 0;
  if (!tts_ids_.take_for_agent(tts_id)) {
    refuse(command.handle, "no free ttsID: the engine holds them all");
    return;
  }
  clad::TextToSpeechPrepare prepare;
  prepare.style = command.tts_style;
  prepare.duration_scalar = command.duration_scalar;
  prepare.pitch_scalar = command.pitch_scalar;
  prepare.trigger_mode = command.trigger_mode;
  prepare.tts_id = tts_id;
  prepare.text = command.text;
  if (!inject(prepare, command.handle)) {
    tts_ids_.release_agent(tts_id);
    return;
  }
  *slot = AgentUtterance{true, command.handle, tts_id};
}

void AnimLinkRouter::play_speech(const channel::Command& command) {
  AgentUtterance* utterance = utterance_by_handle(command.handle);
  if (utterance == nullptr) {
    refuse(command.handle, "no such utterance (finished, cancelled or never prepared)");
    return;
  }
  clad::TextToSpeechPlay play;
  play.tts_id = utterance->tts_id;
  inject(play, command.handle);
}

void AnimLinkRouter::cancel_speech(const channel::Command& command) {
  AgentUtterance* utterance = utterance_by_handle(command.handle);
  if (utterance == nullptr) return;  // already over: nothing to cancel
  clad::TextToSpeechCancel cancel;
  cancel.tts_id = utterance->tts_id;
  // The utterance stays ours until vic-anim answers (Invalid), so that answer
  // never reaches the engine.
  inject(cancel, command.handle);
}

void AnimLinkRouter::play_animation(const channel::Command& command, std::uint64_t now_ms) {
  if (command.handle == 0) {  // reserved, as for utterances
    refuse(command.handle, "handle 0 is reserved; name the clip with a nonzero handle");
    return;
  }
  if (clip_by_handle(command.handle) != nullptr) {
    refuse(command.handle, "a clip with this handle is already in flight");
    return;
  }
  if (command.anim_name.empty() || command.anim_name.size() > 255) {
    refuse(command.handle, "clip name must be 1 to 255 bytes");
    return;
  }
  AgentClip* slot = nullptr;
  for (AgentClip& clip : clips_) {
    if (!clip.in_use) {
      slot = &clip;
      break;
    }
  }
  if (slot == nullptr) {
    refuse(command.handle, "too many clips in flight");
    return;
  }
  std::uint8_t tag = 0;
  if (!animation_tags_.take_for_agent(tag)) {
    refuse(command.handle, "no free animation tag: the engine holds them all");
    return;
  }
  clad::PlayAnim play;
  play.num_loops = command.num_loops;
  play.tag = tag;
  play.anim_name = command.anim_name;
  if (!inject(play, command.handle)) {
    animation_tags_.release_agent(tag);
    return;
  }
  slot->in_use = true;
  slot->started = false;
  slot->handle = command.handle;
  slot->tag = tag;
  slot->requested_at_ms = now_ms;
  slot->name_size = static_cast<std::uint8_t>(command.anim_name.size());
  std::memcpy(slot->name.data(), command.anim_name.data(), command.anim_name.size());
}

void AnimLinkRouter::abort_animation(const channel::Command& command) {
  AgentClip* clip = clip_by_handle(command.handle);
  if (clip == nullptr) return;  // already over
  clad::AbortAnimation abort;
  abort.tag = clip->tag;
  if (!inject(abort, command.handle)) return;
  // An abort before AnimationStarted produces no AnimationEnded.
  if (!clip->started) {
    tell_animation_state(clip->handle, channel::AnimationPhase::kEnded, true);
    forget(*clip);
  }
}

void AnimLinkRouter::send_simple(const channel::Command& command) {
  if (command.kind == channel::CommandKind::kDrawText) {
    clad::DrawTextOnScreen draw;
    draw.text_color = command.text_color;
    draw.background_color = command.background_color;
    draw.text = command.text;
    inject(draw, command.handle);
  } else {
    clad::SetFullAnimTrackLockState locks;
    locks.track_lock_state = command.track_lock_state;
    inject(locks, command.handle);
  }
}

void AnimLinkRouter::on_tick(std::uint64_t now_ms) {
  now_ms_ = now_ms;
  drive_layout_probe(now_ms);
  for (AgentUtterance& utterance : utterances_) {
    if (utterance.in_use && utterance.handle == 0 && now_ms - utterance.released_at_ms > kReleasedIdQuarantineMs)
      forget(utterance);
  }
  for (AgentClip& clip : clips_) {
    if (clip.in_use && clip.handle == 0 && now_ms - clip.released_at_ms > kReleasedIdQuarantineMs) {
      forget(clip);
      continue;
    }
    if (clip.in_use && !clip.started && now_ms - clip.requested_at_ms > kClipStartDeadlineMs) {
      refuse(clip.handle, "the clip never started: vic-anim does not know its name");
      forget(clip);
    }
  }
}

void AnimLinkRouter::release_everything_of_agent(std::uint64_t now_ms) {
  for (AgentUtterance& utterance : utterances_) {
    if (!utterance.in_use) continue;
    clad::TextToSpeechCancel cancel;
    cancel.tts_id = utterance.tts_id;
    queue_release(cancel);
    // Its id stays out of the agent's reach until vic-anim's last answer
    // passes, which goes to no one: the engine never knew it.
    now_ms_ = now_ms;
    release(utterance);
  }
  for (AgentClip& clip : clips_) {
    if (!clip.in_use) continue;
    clad::AbortAnimation abort;
    abort.tag = clip.tag;
    queue_release(abort);
    clip.handle = 0;
    clip.released_at_ms = now_ms;
    if (!clip.started) forget(clip);
  }
}

// ------------------------------------------------------------ layout probe

// While the layout of TextToSpeechPrepare is unsure (LayoutConfirmation),
// one Manual Prepare of a short text goes to vic-anim in the layout to try,
// on an id the engine is not using. vic-anim answers it (Playable, or
// Invalid) only if it has that layout; the answer goes to no one, and the
// utterance is cancelled before it could ever play.
void AnimLinkRouter::drive_layout_probe(std::uint64_t now_ms) {
  if (probe_.stage == LayoutProbe::Stage::kAwaitingAnswer &&
      now_ms - probe_.sent_at_ms > LayoutConfirmation::kProbeAnswerWithinMs) {
    // Dropped for its size: no answer will ever come, and the id is free.
    end_probe();
    confirmation_.on_probe_unanswered();
  }
  if (confirmation_.status() != LayoutConfirmation::Status::kProbing || probe_.stage != LayoutProbe::Stage::kNone)
    return;
  std::uint8_t tts_id = 0;
  if (!tts_ids_.take_for_agent(tts_id)) return;
  clad::TextToSpeechPrepare prepare;
  prepare.trigger_mode = clad::TtsTriggerMode::kManual;
  prepare.tts_id = tts_id;
  prepare.text = kProbeText;
  std::size_t size = 0;
  const char* error = nullptr;
  if (!clad::encode(confirmation_.probe_layout(), prepare, scratch_.data(), scratch_.size(), size, error) ||
      !sink_.inject_to_anim(scratch_.data(), size)) {
    tts_ids_.release_agent(tts_id);  // vic-anim not reachable yet: next tick
    return;
  }
  ++counters_.injected;
  probe_.stage = LayoutProbe::Stage::kAwaitingAnswer;
  probe_.tts_id = tts_id;
  probe_.sent_at_ms = now_ms;
}

bool AnimLinkRouter::route_probe_reply(const clad::AnimToEngineMessage& message) {
  if (probe_.stage == LayoutProbe::Stage::kNone || message.tts_id != probe_.tts_id) return false;
  ++counters_.replies_to_agent;
  if (probe_.stage == LayoutProbe::Stage::kAwaitingAnswer) {
    confirmation_.on_probe_answered();
    probe_.stage = LayoutProbe::Stage::kCancelling;
    if (!is_final(message.tts_state)) {
      clad::TextToSpeechCancel cancel;
      cancel.tts_id = probe_.tts_id;
      queue_release(cancel);
      return true;
    }
  }
  // Never played, so its Invalid (or, had it played, Finished) is its last word.
  if (is_final(message.tts_state)) end_probe();
  return true;
}

void AnimLinkRouter::end_probe() {
  if (probe_.stage != LayoutProbe::Stage::kNone) tts_ids_.release_agent(probe_.tts_id);
  probe_ = LayoutProbe{};
}

void AnimLinkRouter::forget_everything_of_agent() {
  end_probe();  // a new vic-anim: asked again on the next tick
  for (AgentUtterance& utterance : utterances_) {
    if (!utterance.in_use) continue;
    tell_speech_state(utterance.handle, clad::TtsState::kInvalid, 0);
    forget(utterance);
  }
  for (AgentClip& clip : clips_) {
    if (!clip.in_use) continue;
    tell_animation_state(clip.handle, channel::AnimationPhase::kEnded, true);
    forget(clip);
  }
}

// ------------------------------------------------------------ helpers

template <class Message>
bool AnimLinkRouter::inject(const Message& message, std::uint32_t handle) {
  std::size_t size = 0;
  const char* error = nullptr;
  if (!clad::encode(layout(), message, scratch_.data(), scratch_.size(), size, error)) {
    refuse(handle, error);
    return false;
  }
  if (!sink_.inject_to_anim(scratch_.data(), size)) {
    refuse(handle, "dropped: the link to vic-anim is congested and the engine's traffic goes first");
    return false;
  }
  ++counters_.injected;
  return true;
}

template <class Message>
void AnimLinkRouter::queue_release(const Message& message) {
  std::size_t size = 0;
  const char* error = nullptr;
  if (clad::encode(layout(), message, scratch_.data(), scratch_.size(), size, error) &&
      sink_.queue_to_anim(scratch_.data(), size))
    ++counters_.injected;
}

void AnimLinkRouter::refuse(std::uint32_t handle, std::string_view reason) {
  ++counters_.agent_commands_refused;
  channel::Event event;
  event.kind = channel::EventKind::kCommandFailed;
  event.handle = handle;
  event.text = reason;
  sink_.tell_agent(event);
}

void AnimLinkRouter::tell_speech_state(std::uint32_t handle, clad::TtsState state, float duration_ms) {
  if (handle == 0) return;  // released with its agent: no one is listening
  channel::Event event;
  event.kind = channel::EventKind::kSpeechState;
  event.handle = handle;
  event.speech_state = state;
  event.expected_duration_ms = duration_ms;
  sink_.tell_agent(event);
}

void AnimLinkRouter::tell_animation_state(std::uint32_t handle, channel::AnimationPhase phase, bool aborted) {
  if (handle == 0) return;
  channel::Event event;
  event.kind = channel::EventKind::kAnimationState;
  event.handle = handle;
  event.animation_phase = phase;
  event.animation_aborted = aborted;
  sink_.tell_agent(event);
}

// Every utterance of vic-engine's, whoever asked for it (a behaviour, or the
// SDK's SayText, which is how wire-pod's own LLM speaks), is one
// TextToSpeechPrepare made by TextToSpeechCoordinator::CreateUtterance
// (engine/components/textToSpeech/textToSpeechCoordinator.cpp). The agent's
// go to vic-anim from inject(), never through here, so this is the engine's
// own speech only: the agent judges whether the voice server answers too.
void AnimLinkRouter::tell_engine_speech(std::string_view text) {
  if (text.empty()) return;
  channel::Event event;
  event.kind = channel::EventKind::kEngineSpeech;
  event.text = text;
  sink_.tell_agent(event);
}

void AnimLinkRouter::tell(channel::EventKind kind) {
  channel::Event event;
  event.kind = kind;
  sink_.tell_agent(event);
}

AnimLinkRouter::AgentUtterance* AnimLinkRouter::utterance_by_handle(std::uint32_t handle) {
  if (handle == 0) return nullptr;
  for (AgentUtterance& utterance : utterances_)
    if (utterance.in_use && utterance.handle == handle) return &utterance;
  return nullptr;
}

AnimLinkRouter::AgentUtterance* AnimLinkRouter::utterance_by_tts_id(std::uint8_t tts_id) {
  if (!tts_ids_.agent_holds(tts_id)) return nullptr;
  for (AgentUtterance& utterance : utterances_)
    if (utterance.in_use && utterance.tts_id == tts_id) return &utterance;
  return nullptr;
}

AnimLinkRouter::AgentClip* AnimLinkRouter::clip_by_handle(std::uint32_t handle) {
  if (handle == 0) return nullptr;
  for (AgentClip& clip : clips_)
    if (clip.in_use && clip.handle == handle) return &clip;
  return nullptr;
}

AnimLinkRouter::AgentClip* AnimLinkRouter::clip_by_tag(std::uint8_t tag) {
  if (!animation_tags_.agent_holds(tag)) return nullptr;
  for (AgentClip& clip : clips_)
    if (clip.in_use && clip.tag == tag) return &clip;
  return nullptr;
}

void AnimLinkRouter::forget(AgentUtterance& utterance) {
  tts_ids_.release_agent(utterance.tts_id);
  utterance = AgentUtterance{};
}

void AnimLinkRouter::forget(AgentClip& clip) {
  animation_tags_.release_agent(clip.tag);
  clip.in_use = false;
  clip.started = false;
  clip.handle = 0;
  clip.released_at_ms = 0;
}

std::size_t AnimLinkRouter::agent_utterances_in_flight() const {
  std::size_t count = 0;
  for (const AgentUtterance& utterance : utterances_) count += utterance.in_use ? 1 : 0;
  return count;
}

std::size_t AnimLinkRouter::agent_clips_in_flight() const {
  std::size_t count = 0;
  for (const AgentClip& clip : clips_) count += clip.in_use ? 1 : 0;
  return count;
}

}  // namespace vic_r1::bridge
