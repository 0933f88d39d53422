#include "drivers/clad/anim_messages.h"

#include "drivers/clad/clad_bytes.h"

namespace vic_r1::clad {
namespace {

constexpr std::size_t kMaxShortString = 255;

bool refuse(const char*& error, const char* why) {
  error = why;
  return false;
}

bool finish(const CladWriter& writer, std::size_t& size, const char*& error) {
  if (writer.failed()) return refuse(error, "the output buffer is too small for the message");
  size = writer.size();
  return true;
}

// vic-anim trims trailing spaces from TTS text by walking back from its end;
// with nothing but spaces the walk runs past the start of the string
// (textToSpeechComponent.cpp), so such text must never reach it.
bool only_spaces(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

bool contains_nul(std::string_view text) { return text.find('\0') != std::string_view::npos; }

// The messages whose whole payload is one uint_8.
bool encode_one_byte(const FirmwareLayout& layout, std::uint8_t tag, std::uint8_t value, std::uint8_t* out,
                     std::size_t capacity, std::size_t& size, const char*& error) {
  if (!layout.can_inject) return refuse(error, "this firmware's layout is unknown; nothing is injected");
  CladWriter writer(out, capacity);
  writer.u8(tag);
  writer.u8(value);
  return finish(writer, size, error);
}

}  // namespace

// PlayAnim: uint_32 numLoops, uint_32 startAt_ms, uint_8 tag,
// bool renderInEyeHue, string animName.
bool encode(const FirmwareLayout& layout, const PlayAnim& message, std::uint8_t* out, std::size_t capacity,
            std::size_t& size, const char*& error) {
  if (!layout.can_inject) return refuse(error, "this firmware's layout is unknown; nothing is injected");
  if (message.anim_name.empty()) return refuse(error, "PlayAnim needs a clip name");
  if (message.anim_name.size() > kMaxShortString) return refuse(error, "clip name longer than 255 bytes");
  CladWriter writer(out, capacity);
  writer.u8(layout.play_anim);
  writer.u32(message.num_loops);
  writer.u32(message.start_at_ms);
  writer.u8(message.tag);
  writer.boolean(message.render_in_eye_hue);
  writer.short_string(message.anim_name);
  return finish(writer, size, error);
}

// AbortAnimation: uint_8 tag.
bool encode(const FirmwareLayout& layout, const AbortAnimation& message, std::uint8_t* out, std::size_t capacity,
            std::size_t& size, const char*& error) {
  return encode_one_byte(layout, layout.abort_animation, message.tag, out, capacity, size, error);
}

// SetFullAnimTrackLockState: uint_8 trackLockState.
bool encode(const FirmwareLayout& layout, const SetFullAnimTrackLockState& message, std::uint8_t* out,
            std::size_t capacity, std::size_t& size, const char*& error) {
  return encode_one_byte(layout, layout.set_full_anim_track_lock_state, message.track_lock_state, out, capacity,
                         size, error);
}

// DrawTextOnScreen: bool drawNow, ColorRGB textColor, ColorRGB bgColor
// (3 x uint_8 each), string text.
bool encode(const FirmwareLayout& layout, const DrawTextOnScreen& message, std::uint8_t* out, std::size_t capacity,
            std::size_t& size, const char*& error) {
  if (!layout.can_inject) return refuse(error, "this firmware's layout is unknown; nothing is injected");
  if (message.text.size() > kMaxShortString) return refuse(error, "screen text longer than 255 bytes");
  CladWriter writer(out, capacity);
  writer.u8(layout.draw_text_on_screen);
  writer.boolean(false);  // drawNow: see DrawTextOnScreen
  writer.u8(message.text_color.r);
  writer.u8(message.text_color.g);
  writer.u8(message.text_color.b);
  writer.u8(message.background_color.r);
  writer.u8(message.background_color.g);
  writer.u8(message.background_color.b);
  writer.short_string(message.text);
  return finish(writer, size, error);
}

// TextToSpeechPrepare: uint_32 style, float_32 durationScalar,
// [float_32 pitchScalar], uint_8 triggerMode, uint_8 ttsID, int_8 text[1024].
bool encode(const FirmwareLayout& layout, const TextToSpeechPrepare& message, std::uint8_t* out,
            std::size_t capacity, std::size_t& size, const char*& error) {
  if (!layout.can_inject) return refuse(error, "this firmware's layout is unknown; nothing is injected");
  if (message.text.empty() || only_spaces(message.text)) return refuse(error, "TTS text is empty or only spaces");
  if (message.text.size() > kMaxTtsTextBytes) return refuse(error, "TTS text longer than 1023 bytes");
  if (contains_nul(message.text)) return refuse(error, "TTS text contains a NUL byte");
  if (message.tts_id == 0) return refuse(error, "ttsID 0 is not a valid utterance id");
  CladWriter writer(out, capacity);
  writer.u8(layout.text_to_speech_prepare);
  writer.u32(message.style);
  writer.f32(message.duration_scalar);
  if (layout.tts_prepare_has_pitch_scalar) writer.f32(message.pitch_scalar);
  writer.u8(static_cast<std::uint8_t>(message.trigger_mode));
  writer.u8(message.tts_id);
  writer.fixed_c_string(message.text, kTtsTextFieldBytes);
  return finish(writer, size, error);
}

// TextToSpeechPlay: uint_8 ttsID.
bool encode(const FirmwareLayout& layout, const TextToSpeechPlay& message, std::uint8_t* out, std::size_t capacity,
            std::size_t& size, const char*& error) {
  return encode_one_byte(layout, layout.text_to_speech_play, message.tts_id, out, capacity, size, error);
}

// TextToSpeechCancel: uint_8 ttsID.
bool encode(const FirmwareLayout& layout, const TextToSpeechCancel& message, std::uint8_t* out,
            std::size_t capacity, std::size_t& size, const char*& error) {
  return encode_one_byte(layout, layout.text_to_speech_cancel, message.tts_id, out, capacity, size, error);
}

// FakeWakeWordFromExternalInterface: the tag alone.
bool encode(const FirmwareLayout& layout, const FakeWakeWord&, std::uint8_t* out, std::size_t capacity,
            std::size_t& size, const char*& error) {
  if (!layout.can_inject) return refuse(error, "this firmware's layout is unknown; nothing is injected");
  CladWriter writer(out, capacity);
  writer.u8(layout.fake_wake_word);
  return finish(writer, size, error);
}

EngineToAnimMessage decode_engine_to_anim(const FirmwareLayout& layout, const std::uint8_t* bytes,
                                          std::size_t size) {
  EngineToAnimMessage message;
  if (size == 0) return message;
  message.tag = bytes[0];
  CladReader reader(bytes + 1, size - 1);
  using Kind = EngineToAnimMessage::Kind;
  const std::uint8_t tag = message.tag;
  if (tag == layout.play_anim) {
    message.kind = Kind::kPlayAnim;
    reader.u32();  // numLoops
    reader.u32();  // startAt_ms
    message.anim_tag = reader.u8();
    reader.boolean();  // renderInEyeHue
    message.anim_name = reader.short_string();
  } else if (tag == layout.abort_animation) {
    message.kind = Kind::kAbortAnimation;
    message.anim_tag = reader.u8();
  } else if (tag == layout.text_to_speech_prepare) {
    message.kind = Kind::kTextToSpeechPrepare;
    reader.u32();  // style
    reader.f32();  // durationScalar
    if (layout.tts_prepare_has_pitch_scalar) reader.f32();
    message.trigger_mode = static_cast<TtsTriggerMode>(reader.u8());
    message.tts_id = reader.u8();
    const std::string_view field = reader.view(kTtsTextFieldBytes);
    message.tts_text = field.substr(0, field.find('\0'));
  } else if (tag == layout.text_to_speech_play) {
    message.kind = Kind::kTextToSpeechPlay;
    message.tts_id = reader.u8();
  } else if (tag == layout.text_to_speech_cancel) {
    message.kind = Kind::kTextToSpeechCancel;
    message.tts_id = reader.u8();
  } else if (tag == layout.set_trigger_word_response) {
    // PostAudioEvent {uint_64 gameObject, uint_32 audioEvent (0 = Invalid),
    // uint_16 callbackId, uint_16 padding}, int_32 minStreamingDuration_ms,
    // bool shouldTriggerWordStartStream, bool shouldTriggerWordSimulateStream,
    // uint_8 getInAnimationTag, string getInAnimationName
    // (messageEngineToRobot.clad:445-453, audioMessage.clad:15-22).
    message.kind = Kind::kSetTriggerWordResponse;
    reader.u64();  // gameObject
    const std::uint32_t audio_event = reader.u32();
    reader.u16();  // callbackId
    reader.u16();  // padding
    reader.u32();  // minStreamingDuration_ms
    const bool starts_stream = reader.boolean();
    reader.boolean();  // shouldTriggerWordSimulateStream
    reader.u8();       // getInAnimationTag
    reader.short_string();
    message.trigger_word_starts_stream = audio_event != 0 && starts_stream;
  } else if (layout.start_wakewordless_streaming != 0 && tag == layout.start_wakewordless_streaming) {
    // uint_8 streamType, bool playGetInFromAnimProcess
    // (messageEngineToRobot.clad:439-443, tag :893).
    message.kind = Kind::kStartWakeWordlessStreaming;
    message.stream_type = static_cast<StreamType>(reader.u8());
    reader.boolean();
  } else {
    return message;
  }
  if (!reader.consumed_exactly()) {
    message.kind = Kind::kMalformed;
    message.error = reader.failed() ? "datagram shorter than its layout" : "datagram longer than its layout";
  }
  return message;
}

AnimToEngineMessage decode_anim_to_engine(const FirmwareLayout& layout, const std::uint8_t* bytes,
                                          std::size_t size) {
  AnimToEngineMessage message;
  if (size == 0) return message;
  message.tag = bytes[0];
  using Kind = AnimToEngineMessage::Kind;
  const std::uint8_t tag = message.tag;
  if (tag == layout.robot_state) {
    // The hot path at 33 Hz: two fixed offsets, no walk through the fields.
    if (size != layout.robot_state_datagram_bytes) {
      message.kind = Kind::kMalformed;
      message.error = "RobotState of the wrong size for this firmware";
      return message;
    }
    message.kind = Kind::kRobotState;
    CladReader status(bytes + layout.robot_state_status_offset, 4);
    message.robot_status = status.u32();
    CladReader touch(bytes + layout.robot_state_backpack_touch_offset, 2);
    message.backpack_touch_raw = touch.u16();
    return message;
  }
  CladReader reader(bytes + 1, size - 1);
  if (tag == layout.robot_available) {
    message.kind = Kind::kRobotAvailable;
  } else if (tag == layout.animation_started) {
    // AnimationStarted: uint_8 tag, string animName.
    message.kind = Kind::kAnimationStarted;
    message.anim_tag = reader.u8();
    message.anim_name = reader.short_string();
  } else if (tag == layout.animation_ended) {
    // AnimationEnded: uint_32 streamTimeAnimEnded, uint_8 tag,
    // bool wasAborted, string animName.
    message.kind = Kind::kAnimationEnded;
    message.stream_time_anim_ended = reader.u32();
    message.anim_tag = reader.u8();
    message.was_aborted = reader.boolean();
    message.anim_name = reader.short_string();
  } else if (tag == layout.text_to_speech_event) {
    // TextToSpeechEvent: float_32 expectedDuration_ms, uint_8 ttsID,
    // TextToSpeechState ttsState (uint_8).
    message.kind = Kind::kTextToSpeechEvent;
    message.expected_duration_ms = reader.f32();
    message.tts_id = reader.u8();
    const std::uint8_t state = reader.u8();
    message.tts_state = static_cast<TtsState>(state);
    if (state > static_cast<std::uint8_t>(TtsState::kFinished) && reader.consumed_exactly()) {
      message.kind = Kind::kMalformed;
      message.error = "TextToSpeechEvent with an unknown state";
      return message;
    }
  } else if (tag == layout.trigger_word_detected) {
    // TriggerWordDetected: uint_32 triggerScore, uint_16 direction,
    // bool isButtonPress, bool fromMute, bool willOpenStream.
    message.kind = Kind::kTriggerWordDetected;
    message.trigger_score = reader.u32();
    message.direction = reader.u16();
    message.is_button_press = reader.boolean();
    message.from_mute = reader.boolean();
    message.will_open_stream = reader.boolean();
  } else {
    return message;
  }
  if (!reader.consumed_exactly()) {
    message.kind = Kind::kMalformed;
    message.error = reader.failed() ? "datagram shorter than its layout" : "datagram longer than its layout";
  }
  return message;
}

}  // namespace vic_r1::clad
