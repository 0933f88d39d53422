#include "drivers/channel/agent_channel_messages.h"

#include <type_traits>

#include "drivers/clad/clad_bytes.h"

namespace vic_r1::channel {
namespace {

using clad::CladReader;
using clad::CladWriter;

// Each message's fields are listed once, in event_fields and command_fields
// below, and walked by a writer to encode and by a reader to decode: the
// two directions cannot disagree on an order or a width.

// Writes each field it is shown; the limits the channel cannot carry are
// noted, not written past.
class FieldWriter {
 public:
  FieldWriter(std::uint8_t* out, std::size_t capacity) : writer_(out, capacity) {}

  void field(std::uint8_t& value) { writer_.u8(value); }
  void field(std::uint32_t& value) { writer_.u32(value); }
  void field(float& value) { writer_.f32(value); }
  void field(bool& value) { writer_.boolean(value); }
  void field(clad::ColorRgb& color) {
    writer_.u8(color.r);
    writer_.u8(color.g);
    writer_.u8(color.b);
  }
  void field(std::string_view& text) {
    if (text.size() > 0xFFFF) text_too_long_ = true;
    writer_.long_string(text);
  }
  template <class Enum, class = std::enable_if_t<std::is_enum_v<Enum>>>
  void field(Enum& value) {
    static_assert(sizeof(Enum) == 1, "the channel sends every enumeration as one byte");
    writer_.u8(static_cast<std::uint8_t>(value));
  }

  bool finish(std::size_t& size, const char*& error) const {
    if (text_too_long_) {
      error = "a text longer than 65535 bytes does not fit the channel";
      return false;
    }
    if (writer_.failed()) {
      error = "the output buffer is too small for the channel message";
      return false;
    }
    size = writer_.size();
    return true;
  }

 private:
  CladWriter writer_;
  bool text_too_long_ = false;
};

// Reads each field it is shown; the views point into the packet.
class FieldReader {
 public:
  FieldReader(const std::uint8_t* bytes, std::size_t size) : reader_(bytes, size) {}

  void field(std::uint8_t& value) { value = reader_.u8(); }
  void field(std::uint32_t& value) { value = reader_.u32(); }
  void field(float& value) { value = reader_.f32(); }
  void field(bool& value) { value = reader_.boolean(); }
  void field(clad::ColorRgb& color) {
    color.r = reader_.u8();
    color.g = reader_.u8();
    color.b = reader_.u8();
  }
  void field(std::string_view& text) { text = reader_.long_string(); }
  template <class Enum, class = std::enable_if_t<std::is_enum_v<Enum>>>
  void field(Enum& value) {
    static_assert(sizeof(Enum) == 1, "the channel sends every enumeration as one byte");
    value = static_cast<Enum>(reader_.u8());
  }

  bool finish(const char*& error) const {
    if (reader_.consumed_exactly()) return true;
    error = reader_.failed() ? "channel message shorter than its fields"
                             : "channel message longer than its fields";
    return false;
  }

 private:
  CladReader reader_;
};

// The fields after the kind byte, in wire order. False for a kind this
// build does not know.
template <class Fields>
bool event_fields(Fields& fields, Event& event) {
  switch (event.kind) {
    case EventKind::kQuestion:
      fields.field(event.question_source);
      fields.field(event.intent);
      fields.field(event.text);
      return true;
    case EventKind::kWakeWord:
    case EventKind::kBackTouched:
    case EventKind::kButtonPressed:
      return true;
    case EventKind::kSpeechState:
      fields.field(event.handle);
      fields.field(event.speech_state);
      fields.field(event.expected_duration_ms);
      return true;
    case EventKind::kAnimationState:
      fields.field(event.handle);
      fields.field(event.animation_phase);
      fields.field(event.animation_aborted);
      return true;
    case EventKind::kCommandFailed:
      fields.field(event.handle);
      fields.field(event.text);
      return true;
    case EventKind::kRobotLink:
      fields.field(event.can_inject);
      fields.field(event.text);
      return true;
    case EventKind::kEngineSpeech:
      fields.field(event.text);
      return true;
    case EventKind::kVoiceServerAnswer:
      fields.field(event.intent);
      fields.field(event.text);
      return true;
  }
  return false;
}

// Every command carries its handle first, so a refusal can say which one it was.
template <class Fields>
bool command_fields(Fields& fields, Command& command) {
  fields.field(command.handle);
  switch (command.kind) {
    case CommandKind::kPrepareSpeech:
      fields.field(command.tts_style);
      fields.field(command.duration_scalar);
      fields.field(command.pitch_scalar);
      fields.field(command.trigger_mode);
      fields.field(command.text);
      return true;
    case CommandKind::kPlaySpeech:
    case CommandKind::kCancelSpeech:
    case CommandKind::kAbortAnimation:
    case CommandKind::kHeartbeat:
    case CommandKind::kReleaseAll:
    case CommandKind::kListenAgain:
      return true;
    case CommandKind::kPlayAnimation:
      fields.field(command.num_loops);
      fields.field(command.anim_name);
      return true;
    case CommandKind::kDrawText:
      fields.field(command.text_color);
      fields.field(command.background_color);
      fields.field(command.text);
      return true;
    case CommandKind::kLockTracks:
      fields.field(command.track_lock_state);
      return true;
    case CommandKind::kInjectIntent:
      fields.field(command.intent);
      fields.field(command.parameters);
      fields.field(command.metadata);
      return true;
  }
  return false;
}

// The kind byte, then the message's fields. The walk takes a copy because
// the field list is shared with the decoder, which writes through it.
template <class Message>
bool encode_message(const Message& message, bool (*walk)(FieldWriter&, Message&), const char* unknown_kind,
                    std::uint8_t* out, std::size_t capacity, std::size_t& size, const char*& error) {
  Message fields_of = message;
  FieldWriter writer(out, capacity);
  std::uint8_t kind = static_cast<std::uint8_t>(message.kind);
  writer.field(kind);
  if (!walk(writer, fields_of)) {
    error = unknown_kind;
    return false;
  }
  return writer.finish(size, error);
}

template <class Message, class Kind>
bool decode_message(const std::uint8_t* bytes, std::size_t size, Message& message,
                    bool (*walk)(FieldReader&, Message&), const char* unknown_kind, const char*& error) {
  message = Message{};
  if (size == 0) {
    error = "empty channel message";
    return false;
  }
  message.kind = static_cast<Kind>(bytes[0]);
  FieldReader reader(bytes + 1, size - 1);
  if (!walk(reader, message)) {
    message = Message{};
    error = unknown_kind;
    return false;
  }
  return reader.finish(error);
}

constexpr const char* kUnknownEvent = "unknown event kind on the channel";
constexpr const char* kUnknownCommand = "unknown command kind on the channel";

}  // namespace

bool encode_event(const Event& event, std::uint8_t* out, std::size_t capacity, std::size_t& size,
                  const char*& error) {
  return encode_message<Event>(event, event_fields<FieldWriter>, kUnknownEvent, out, capacity, size, error);
}

bool encode_command(const Command& command, std::uint8_t* out, std::size_t capacity, std::size_t& size,
                    const char*& error) {
  return encode_message<Command>(command, command_fields<FieldWriter>, kUnknownCommand, out, capacity, size,
                                 error);
}

bool decode_event(const std::uint8_t* bytes, std::size_t size, Event& event, const char*& error) {
  return decode_message<Event, EventKind>(bytes, size, event, event_fields<FieldReader>, kUnknownEvent, error);
}

bool decode_command(const std::uint8_t* bytes, std::size_t size, Command& command, const char*& error) {
  return decode_message<Command, CommandKind>(bytes, size, command, command_fields<FieldReader>, kUnknownCommand,
                                              error);
}

}  // namespace vic_r1::channel
