#include "drivers/channel/agent_channel_messages.h"

#include "drivers/clad/clad_bytes.h"

namespace vic_r1::channel {
namespace {

using clad::CladReader;
using clad::CladWriter;

void write_color(CladWriter& writer, const clad::ColorRgb& color) {
  writer.u8(color.r);
  writer.u8(color.g);
  writer.u8(color.b);
}

clad::ColorRgb read_color(CladReader& reader) {
  clad::ColorRgb color;
  color.r = reader.u8();
  color.g = reader.u8();
  color.b = reader.u8();
  return color;
}

bool fits_u16(std::string_view text) { return text.size() <= 0xFFFF; }

std::size_t finish(const CladWriter& writer) { return writer.failed() ? 0 : writer.size(); }

bool finish_decode(const CladReader& reader, const char*& error) {
  if (reader.consumed_exactly()) return true;
  error = reader.failed() ? "channel message shorter than its fields"
                          : "channel message longer than its fields";
  return false;
}

}  // namespace

std::size_t encode_event(const Event& event, std::uint8_t* out, std::size_t capacity) {
  if (!fits_u16(event.text) || !fits_u16(event.intent)) return 0;
  CladWriter writer(out, capacity);
  writer.u8(static_cast<std::uint8_t>(event.kind));
  switch (event.kind) {
    case EventKind::kQuestion:
      writer.u8(static_cast<std::uint8_t>(event.question_source));
      writer.long_string(event.intent);
      writer.long_string(event.text);
      break;
    case EventKind::kWakeWord:
    case EventKind::kBackTouched:
    case EventKind::kButtonPressed:
      break;
    case EventKind::kSpeechState:
      writer.u32(event.handle);
      writer.u8(static_cast<std::uint8_t>(event.speech_state));
      writer.f32(event.expected_duration_ms);
      break;
    case EventKind::kAnimationState:
      writer.u32(event.handle);
      writer.u8(static_cast<std::uint8_t>(event.animation_phase));
      writer.boolean(event.animation_aborted);
      break;
    case EventKind::kCommandFailed:
      writer.u32(event.handle);
      writer.long_string(event.text);
      break;
    case EventKind::kRobotLink:
      writer.boolean(event.can_inject);
      writer.long_string(event.text);
      break;
    case EventKind::kEngineSpeech:
      writer.long_string(event.text);
      break;
    case EventKind::kVoiceServerAnswer:
      writer.long_string(event.intent);
      writer.long_string(event.text);
      break;
  }
  return finish(writer);
}

bool decode_event(const std::uint8_t* bytes, std::size_t size, Event& event, const char*& error) {
  event = Event{};
  if (size == 0) {
    error = "empty channel message";
    return false;
  }
  CladReader reader(bytes + 1, size - 1);
  switch (static_cast<EventKind>(bytes[0])) {
    case EventKind::kQuestion:
      event.question_source = static_cast<QuestionSource>(reader.u8());
      event.intent = reader.long_string();
      event.text = reader.long_string();
      break;
    case EventKind::kWakeWord:
    case EventKind::kBackTouched:
    case EventKind::kButtonPressed:
      break;
    case EventKind::kSpeechState:
      event.handle = reader.u32();
      event.speech_state = static_cast<clad::TtsState>(reader.u8());
      event.expected_duration_ms = reader.f32();
      break;
    case EventKind::kAnimationState:
      event.handle = reader.u32();
      event.animation_phase = static_cast<AnimationPhase>(reader.u8());
      event.animation_aborted = reader.boolean();
      break;
    case EventKind::kCommandFailed:
      event.handle = reader.u32();
      event.text = reader.long_string();
      break;
    case EventKind::kRobotLink:
      event.can_inject = reader.boolean();
      event.text = reader.long_string();
      break;
    case EventKind::kEngineSpeech:
      event.text = reader.long_string();
      break;
    case EventKind::kVoiceServerAnswer:
      event.intent = reader.long_string();
      event.text = reader.long_string();
      break;
    default:
      error = "unknown event kind on the channel";
      return false;
  }
  event.kind = static_cast<EventKind>(bytes[0]);
  return finish_decode(reader, error);
}

std::size_t encode_command(const Command& command, std::uint8_t* out, std::size_t capacity) {
  if (!fits_u16(command.text) || !fits_u16(command.anim_name) || !fits_u16(command.intent) ||
      !fits_u16(command.parameters) || !fits_u16(command.metadata))
    return 0;
  CladWriter writer(out, capacity);
  writer.u8(static_cast<std::uint8_t>(command.kind));
  // Every command names itself, so a refusal can say which one it was.
  writer.u32(command.handle);
  switch (command.kind) {
    case CommandKind::kPrepareSpeech:
      writer.u32(command.tts_style);
      writer.f32(command.duration_scalar);
      writer.f32(command.pitch_scalar);
      writer.u8(static_cast<std::uint8_t>(command.trigger_mode));
      writer.long_string(command.text);
      break;
    case CommandKind::kPlaySpeech:
    case CommandKind::kCancelSpeech:
    case CommandKind::kAbortAnimation:
    case CommandKind::kHeartbeat:
    case CommandKind::kReleaseAll:
    case CommandKind::kListenAgain:
      break;
    case CommandKind::kPlayAnimation:
      writer.u32(command.num_loops);
      writer.long_string(command.anim_name);
      break;
    case CommandKind::kDrawText:
      write_color(writer, command.text_color);
      write_color(writer, command.background_color);
      writer.long_string(command.text);
      break;
    case CommandKind::kLockTracks:
      writer.u8(command.track_lock_state);
      break;
    case CommandKind::kInjectIntent:
      writer.long_string(command.intent);
      writer.long_string(command.parameters);
      writer.long_string(command.metadata);
      break;
  }
  return finish(writer);
}

bool decode_command(const std::uint8_t* bytes, std::size_t size, Command& command,
                    const char*& error) {
  command = Command{};
  if (size == 0) {
    error = "empty channel message";
    return false;
  }
  CladReader reader(bytes + 1, size - 1);
  command.handle = reader.u32();
  switch (static_cast<CommandKind>(bytes[0])) {
    case CommandKind::kPrepareSpeech:
      command.tts_style = reader.u32();
      command.duration_scalar = reader.f32();
      command.pitch_scalar = reader.f32();
      command.trigger_mode = static_cast<clad::TtsTriggerMode>(reader.u8());
      command.text = reader.long_string();
      break;
    case CommandKind::kPlaySpeech:
    case CommandKind::kCancelSpeech:
    case CommandKind::kAbortAnimation:
    case CommandKind::kHeartbeat:
    case CommandKind::kReleaseAll:
    case CommandKind::kListenAgain:
      break;
    case CommandKind::kPlayAnimation:
      command.num_loops = reader.u32();
      command.anim_name = reader.long_string();
      break;
    case CommandKind::kDrawText:
      command.text_color = read_color(reader);
      command.background_color = read_color(reader);
      command.text = reader.long_string();
      break;
    case CommandKind::kLockTracks:
      command.track_lock_state = reader.u8();
      break;
    case CommandKind::kInjectIntent:
      command.intent = reader.long_string();
      command.parameters = reader.long_string();
      command.metadata = reader.long_string();
      break;
    default:
      error = "unknown command kind on the channel";
      return false;
  }
  command.kind = static_cast<CommandKind>(bytes[0]);
  return finish_decode(reader, error);
}

}  // namespace vic_r1::channel
