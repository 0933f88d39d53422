// libFuzzer target for the CLAD codec (drivers/clad): the engine<->anim
// messages in every firmware layout the code knows (all_firmware_layouts),
// and vic-cloud's CloudMic messages. Besides the sanitizers, its oracles are
// the codec's promises:
//  - round trip, decode first: a datagram decoded as one of the messages
//    vic-r1 also sends (PlayAnim, AbortAnimation, TextToSpeechPrepare, Play,
//    Cancel; an IntentResult) encodes again with the same layout to the very
//    same bytes, and the encoding decodes to an equal message. The decoders
//    skip fields the bridge never reads (PlayAnim's numLoops, startAt_ms and
//    renderInEyeHue; TextToSpeechPrepare's style and scalars), so those are
//    taken from the datagram at their CLAD offsets. Only a canonical datagram
//    (bools 0 or 1, the TTS text zero-padded) must come back byte for byte;
//    any other must still come back as an equal message;
//  - round trip, encode first: every message built from fuzz fields, in every
//    layout and into a buffer of a fuzz-chosen size (exactly that size, so
//    AddressSanitizer sees a write past it), is encoded exactly when the
//    header's rules allow it (a layout that may inject; names and screen
//    text up to 255 bytes, a clip name not empty; TTS text of 1..1023 bytes,
//    no NUL, not only spaces; ttsID not 0; an intent name of 1..255 bytes and
//    a datagram within vic-engine's 4096 bytes; the buffer large enough), and
//    then to the CLAD size, decodes to the fields it was given and is a
//    canonical datagram;
//  - every decode: the kind matches the tag and the datagram is exactly as
//    long as the fields it decoded say (CLAD has no framing, so any other
//    size means another layout), a malformed one says why, and every text
//    is a view inside the datagram.
// Kinds with no encoder are covered by decoding alone: SetTriggerWordResponse
// and StartWakeWordlessStreaming (engine -> anim) and everything anim ->
// engine (RobotAvailable, AnimationStarted/Ended, TextToSpeechEvent,
// TriggerWordDetected, RobotState). Kinds with no decoder are covered by
// encoding alone (their bytes checked against the CLAD layout, and a decode
// that leaves them alone): SetFullAnimTrackLockState, DrawTextOnScreen,
// FakeWakeWord.
//
// Input layout: byte 0 bits 0-1 pick what the rest is: 0 a datagram from
// vic-engine to vic-anim, 1 one from vic-anim to vic-engine, 2 one from
// vic-cloud on ai_sock, 3 the fields of one message of each kind to encode.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/clad/anim_messages.h"
#include "drivers/clad/cloud_mic_messages.h"
#include "drivers/clad/firmware_layout.h"

namespace {

using namespace vic_r1::clad;

const FirmwareLayout* g_layout = nullptr;  // the layout being checked, for the report

[[noreturn]] void fail(const char* what, const std::uint8_t* bytes = nullptr, std::size_t size = 0) {
  std::fprintf(stderr, "clad_messages_fuzz: broken promise: %s (layout %.*s)\n", what,
               g_layout != nullptr ? static_cast<int>(g_layout->name.size()) : 4,
               g_layout != nullptr ? g_layout->name.data() : "none");
  for (std::size_t at = 0; at < size && at < 64; ++at) std::fprintf(stderr, "%02X ", bytes[at]);
  if (size != 0) std::fprintf(stderr, "(%zu bytes)\n", size);
  std::abort();
}

void require(bool condition, const char* what, const std::uint8_t* bytes = nullptr, std::size_t size = 0) {
  if (!condition) fail(what, bytes, size);
}

std::uint32_t le32(const std::uint8_t* at) {
  return static_cast<std::uint32_t>(at[0]) | static_cast<std::uint32_t>(at[1]) << 8 |
         static_cast<std::uint32_t>(at[2]) << 16 | static_cast<std::uint32_t>(at[3]) << 24;
}

std::uint16_t le16(const std::uint8_t* at) { return static_cast<std::uint16_t>(at[0] | at[1] << 8); }

float f32_at(const std::uint8_t* at) {
  const std::uint32_t bits = le32(at);
  float value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

std::uint32_t bits_of(float value) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

bool inside(std::string_view text, const std::uint8_t* bytes, std::size_t size) {
  if (text.empty()) return true;
  const auto* begin = reinterpret_cast<const char*>(bytes);
  return text.data() >= begin && text.data() + text.size() <= begin + size;
}

// ---- Sizes and rules, from the CLAD definitions in anim_messages.h ----------------

constexpr std::size_t kPlayAnimFixedBytes = 1 + 4 + 4 + 1 + 1 + 1;  // then the name
constexpr std::size_t kDrawTextFixedBytes = 1 + 1 + 3 + 3 + 1;      // then the text
constexpr std::size_t kMaxShortString = 255;

std::size_t prepare_bytes(const FirmwareLayout& layout) {
  const std::size_t size = 1 + 4 + 4 + (layout.tts_prepare_has_pitch_scalar ? 4 : 0) + 1 + 1 + kTtsTextFieldBytes;
  require(size == text_to_speech_prepare_datagram_bytes(layout), "TextToSpeechPrepare's size disagrees");
  return size;
}

// Where TextToSpeechPrepare's triggerMode sits: after the tag, style,
// durationScalar and, in some layouts, pitchScalar.
std::size_t prepare_mode_offset(const FirmwareLayout& layout) {
  return 1 + 4 + 4 + (layout.tts_prepare_has_pitch_scalar ? 4 : 0);
}

// vic-anim walks back over trailing spaces and runs off the start of text
// that has nothing else (anim_messages.cpp), so such text is refused.
bool only_spaces(std::string_view text) { return text.find_first_not_of(" \t\n\r") == std::string_view::npos; }

bool tts_text_allowed(std::string_view text) {
  return !text.empty() && !only_spaces(text) && text.size() <= kMaxTtsTextBytes &&
         text.find('\0') == std::string_view::npos;
}

// ---- Comparing messages -------------------------------------------------------------

bool same(const EngineToAnimMessage& a, const EngineToAnimMessage& b) {
  return a.kind == b.kind && a.tag == b.tag && a.anim_tag == b.anim_tag && a.anim_name == b.anim_name &&
         a.tts_id == b.tts_id && a.trigger_mode == b.trigger_mode && a.tts_text == b.tts_text &&
         a.trigger_word_starts_stream == b.trigger_word_starts_stream && a.stream_type == b.stream_type &&
         (a.error == nullptr) == (b.error == nullptr);
}

bool same(const IntentResult& a, const IntentResult& b) {
  return a.intent == b.intent && a.parameters == b.parameters && a.metadata == b.metadata;
}

// One encoding's result, in a buffer of exactly the capacity asked for.
struct Encoded {
  bool ok = false;
  std::vector<std::uint8_t> bytes;
  const char* error = nullptr;
};

template <class Message>
Encoded encode_into(const FirmwareLayout& layout, const Message& message, std::size_t capacity) {
  Encoded encoded;
  encoded.bytes.resize(capacity);
  std::size_t size = 0;
  encoded.ok = encode(layout, message, encoded.bytes.data(), capacity, size, encoded.error);
  if (encoded.ok) {
    require(size <= capacity, "a datagram larger than the buffer");
    encoded.bytes.resize(size);
  } else {
    require(encoded.error != nullptr, "a refusal without a reason");
  }
  return encoded;
}

Encoded encode_into(const IntentResult& result, std::size_t capacity) {
  Encoded encoded;
  encoded.bytes.resize(capacity);
  std::size_t size = 0;
  encoded.ok = encode_intent_result(result, encoded.bytes.data(), capacity, size, encoded.error);
  if (encoded.ok) {
    require(size <= capacity, "a datagram larger than the buffer");
    encoded.bytes.resize(size);
  } else {
    require(encoded.error != nullptr, "a refusal without a reason");
  }
  return encoded;
}

// The header's rules: encoded exactly when they allow it, and then of the
// CLAD size.
void check_verdict(const Encoded& encoded, bool allowed, std::size_t clad_size, std::size_t capacity) {
  const bool expected = allowed && clad_size <= capacity;
  require(encoded.ok == expected,
          expected ? "refused a message the rules allow" : "encoded a message the rules refuse");
  if (encoded.ok) require(encoded.bytes.size() == clad_size, "a datagram not of its CLAD size");
}

// ---- Engine -> anim ----------------------------------------------------------------

// The message vic-r1 would send for what was decoded, the skipped fields taken
// from the datagram at their CLAD offsets, encoded again and compared.
void round_trip_engine_to_anim(const FirmwareLayout& layout, const EngineToAnimMessage& decoded,
                               const std::uint8_t* bytes, std::size_t size) {
  using Kind = EngineToAnimMessage::Kind;
  Encoded again;
  bool allowed = layout.can_inject;
  bool canonical = true;
  switch (decoded.kind) {
    case Kind::kPlayAnim: {
      PlayAnim message;
      message.num_loops = le32(bytes + 1);
      message.start_at_ms = le32(bytes + 5);
      message.tag = decoded.anim_tag;
      message.render_in_eye_hue = bytes[10] != 0;
      message.anim_name = decoded.anim_name;
      canonical = bytes[10] <= 1;
      allowed = allowed && !decoded.anim_name.empty();
      again = encode_into(layout, message, kMaxAnimDatagramBytes);
      break;
    }
    case Kind::kAbortAnimation:
      again = encode_into(layout, AbortAnimation{decoded.anim_tag}, kMaxAnimDatagramBytes);
      break;
    case Kind::kTextToSpeechPrepare: {
      TextToSpeechPrepare message;
      message.style = le32(bytes + 1);
      message.duration_scalar = f32_at(bytes + 5);
      if (layout.tts_prepare_has_pitch_scalar) message.pitch_scalar = f32_at(bytes + 9);
      message.trigger_mode = decoded.trigger_mode;
      message.tts_id = decoded.tts_id;
      message.text = decoded.tts_text;
      const std::size_t text_at = prepare_mode_offset(layout) + 2;
      for (std::size_t at = text_at + decoded.tts_text.size(); at < size; ++at) {
        canonical = canonical && bytes[at] == 0;
      }
      allowed = allowed && tts_text_allowed(decoded.tts_text) && decoded.tts_id != 0;
      again = encode_into(layout, message, kMaxAnimDatagramBytes);
      break;
    }
    case Kind::kTextToSpeechPlay:
      again = encode_into(layout, TextToSpeechPlay{decoded.tts_id}, kMaxAnimDatagramBytes);
      break;
    case Kind::kTextToSpeechCancel:
      again = encode_into(layout, TextToSpeechCancel{decoded.tts_id}, kMaxAnimDatagramBytes);
      break;
    default:
      return;  // decoded only: vic-r1 never sends these
  }
  check_verdict(again, allowed, size, kMaxAnimDatagramBytes);
  if (!again.ok) return;
  if (canonical) {
    require(std::memcmp(again.bytes.data(), bytes, size) == 0, "a canonical datagram encodes to other bytes",
            again.bytes.data(), again.bytes.size());
  }
  const EngineToAnimMessage redecoded = decode_engine_to_anim(layout, again.bytes.data(), again.bytes.size());
  require(same(redecoded, decoded), "encoded again, it decodes to another message", again.bytes.data(),
          again.bytes.size());
}

void check_engine_to_anim(const FirmwareLayout& layout, const std::uint8_t* bytes, std::size_t size) {
  using Kind = EngineToAnimMessage::Kind;
  const EngineToAnimMessage message = decode_engine_to_anim(layout, bytes, size);
  require(inside(message.anim_name, bytes, size) && inside(message.tts_text, bytes, size),
          "a text outside the datagram", bytes, size);
  if (size == 0) {
    require(message.kind == Kind::kOther && message.tag == 0, "an empty datagram decoded as a message");
    return;
  }
  require(message.tag == bytes[0], "the tag is not the first byte", bytes, size);
  const std::uint8_t tag = bytes[0];
  const bool reads_stream_requests = layout.start_wakewordless_streaming != 0;
  const bool ours = tag == layout.play_anim || tag == layout.abort_animation ||
                    tag == layout.text_to_speech_prepare || tag == layout.text_to_speech_play ||
                    tag == layout.text_to_speech_cancel || tag == layout.set_trigger_word_response ||
                    (reads_stream_requests && tag == layout.start_wakewordless_streaming);
  if (!ours) {
    require(message.kind == Kind::kOther, "a tag the layout does not read was decoded", bytes, size);
    return;
  }
  if (message.kind == Kind::kMalformed) {
    require(message.error != nullptr, "malformed without a reason", bytes, size);
    return;
  }
  require(message.error == nullptr, "a decoded message with an error", bytes, size);
  std::size_t expected_size = 0;
  switch (message.kind) {
    case Kind::kPlayAnim:
      require(tag == layout.play_anim, "PlayAnim from another tag", bytes, size);
      expected_size = kPlayAnimFixedBytes + message.anim_name.size();
      break;
    case Kind::kAbortAnimation:
    case Kind::kTextToSpeechPlay:
    case Kind::kTextToSpeechCancel:
      expected_size = 2;
      break;
    case Kind::kTextToSpeechPrepare:
      require(message.tts_text.size() <= kTtsTextFieldBytes &&
                  message.tts_text.find('\0') == std::string_view::npos,
              "TTS text past its field or its NUL", bytes, size);
      expected_size = prepare_bytes(layout);
      break;
    case Kind::kSetTriggerWordResponse:
      // PostAudioEvent (8 + 4 + 2 + 2), int_32, bool, bool, uint_8, then the
      // get-in animation's name: its length byte is at 24.
      expected_size = size > 24 ? 25 + bytes[24] : 0;
      break;
    case Kind::kStartWakeWordlessStreaming:
      require(reads_stream_requests, "a stream request read where its layout is unverified", bytes, size);
      expected_size = 3;
      break;
    default:
      fail("a message of our tags decoded as another kind", bytes, size);
  }
  require(size == expected_size, "decoded, though not exactly as long as its fields", bytes, size);
  round_trip_engine_to_anim(layout, message, bytes, size);
}

// ---- Anim -> engine ----------------------------------------------------------------

void check_anim_to_engine(const FirmwareLayout& layout, const std::uint8_t* bytes, std::size_t size) {
  using Kind = AnimToEngineMessage::Kind;
  const AnimToEngineMessage message = decode_anim_to_engine(layout, bytes, size);
  require(inside(message.anim_name, bytes, size), "a text outside the datagram", bytes, size);
  if (size == 0) {
    require(message.kind == Kind::kOther, "an empty datagram decoded as a message");
    return;
  }
  require(message.tag == bytes[0], "the tag is not the first byte", bytes, size);
  const std::uint8_t tag = bytes[0];
  if (tag == layout.robot_state) {
    if (size != layout.robot_state_datagram_bytes) {
      require(message.kind == Kind::kMalformed && message.error != nullptr,
              "RobotState of the wrong size not refused", bytes, size);
      return;
    }
    require(message.kind == Kind::kRobotState, "RobotState of its size not read", bytes, size);
    require(message.robot_status == le32(bytes + layout.robot_state_status_offset) &&
                message.backpack_touch_raw == le16(bytes + layout.robot_state_backpack_touch_offset),
            "RobotState's fields not from their offsets", bytes, size);
    return;
  }
  const bool ours = tag == layout.robot_available || tag == layout.animation_started ||
                    tag == layout.animation_ended || tag == layout.text_to_speech_event ||
                    tag == layout.trigger_word_detected;
  if (!ours) {
    require(message.kind == Kind::kOther, "a tag the layout does not read was decoded", bytes, size);
    return;
  }
  if (message.kind == Kind::kMalformed) {
    require(message.error != nullptr, "malformed without a reason", bytes, size);
    return;
  }
  require(message.error == nullptr, "a decoded message with an error", bytes, size);
  std::size_t expected_size = 0;
  switch (message.kind) {
    case Kind::kRobotAvailable:
      expected_size = 1;
      break;
    case Kind::kAnimationStarted:  // uint_8 tag, string animName
      expected_size = 1 + 1 + 1 + message.anim_name.size();
      break;
    case Kind::kAnimationEnded:  // uint_32, uint_8 tag, bool, string animName
      expected_size = 1 + 4 + 1 + 1 + 1 + message.anim_name.size();
      break;
    case Kind::kTextToSpeechEvent:  // float_32, uint_8 ttsID, uint_8 state
      require(message.tts_state <= TtsState::kFinished, "a TTS state the firmware does not have", bytes, size);
      expected_size = 1 + 4 + 1 + 1;
      break;
    case Kind::kTriggerWordDetected:  // uint_32, uint_16, 3 x bool
      expected_size = 1 + 4 + 2 + 3;
      break;
    default:
      fail("a message of our tags decoded as another kind", bytes, size);
  }
  require(size == expected_size, "decoded, though not exactly as long as its fields", bytes, size);
}

// ---- vic-cloud -> vic-engine --------------------------------------------------------

void check_cloud_mic(const std::uint8_t* bytes, std::size_t size) {
  using Kind = CloudMicMessage::Kind;
  const CloudMicMessage message = decode_cloud_mic(bytes, size);
  const bool greeting = std::string_view(reinterpret_cast<const char*>(bytes), size) == kConnectionGreeting;
  require((message.kind == Kind::kGreeting) == greeting, "the greeting is exactly ANKICONN", bytes, size);
  if (greeting || size == 0) return;
  require(message.tag == bytes[0], "the tag is not the first byte", bytes, size);
  if (bytes[0] != kCloudMicResultTag) {
    require(message.kind == Kind::kOther, "a message other than a result was decoded", bytes, size);
    return;
  }
  if (message.kind == Kind::kMalformed) {
    require(message.error != nullptr, "malformed without a reason", bytes, size);
    return;
  }
  require(message.kind == Kind::kResult, "a result neither read nor refused", bytes, size);
  const IntentResult& result = message.result;
  require(inside(result.intent, bytes, size) && inside(result.parameters, bytes, size) &&
              inside(result.metadata, bytes, size),
          "a text outside the datagram", bytes, size);
  const std::size_t clad_size = 1 + 1 + result.intent.size() + 2 + result.parameters.size() + 2 +
                                result.metadata.size();
  require(size == clad_size, "decoded, though not exactly as long as its fields", bytes, size);

  const std::size_t capacity = kMaxIntentDatagramBytes + 16;
  const Encoded again = encode_into(result, capacity);
  check_verdict(again, !result.intent.empty() && clad_size <= kMaxIntentDatagramBytes, clad_size, capacity);
  if (!again.ok) return;
  require(std::memcmp(again.bytes.data(), bytes, size) == 0, "a result encodes to other bytes", again.bytes.data(),
          again.bytes.size());
  const CloudMicMessage redecoded = decode_cloud_mic(again.bytes.data(), again.bytes.size());
  require(redecoded.kind == Kind::kResult && same(redecoded.result, result),
          "encoded again, a result decodes to another", again.bytes.data(), again.bytes.size());
}

// ---- Encoding from fields ----------------------------------------------------------

// Fuzz bytes read as fields; zeros once they run out.
class FieldSource {
 public:
  FieldSource(const std::uint8_t* bytes, std::size_t size) : bytes_(bytes), size_(size) {}

  std::uint8_t u8() { return at_ < size_ ? bytes_[at_++] : 0; }
  std::uint16_t u16() {
    const std::uint8_t low = u8();
    return static_cast<std::uint16_t>(low | u8() << 8);
  }
  std::uint32_t u32() {
    const std::uint32_t low = u16();
    return low | static_cast<std::uint32_t>(u16()) << 16;
  }
  float f32() {
    const std::uint32_t bits = u32();
    float value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }
  // Up to `max_length` bytes, as many as a length field asks and remain.
  std::string_view text(std::size_t max_length) {
    const std::size_t wanted = u16() % (max_length + 1);
    const std::size_t length = std::min(wanted, size_ - at_);
    const std::string_view text(reinterpret_cast<const char*>(bytes_ + at_), length);
    at_ += length;
    return text;
  }
  // A buffer as large as any datagram, or a fuzz-chosen smaller one.
  std::size_t capacity(std::size_t largest) {
    const std::uint8_t choice = u8();
    return (choice & 0x80) ? largest : static_cast<std::size_t>(choice & 0x7F) * 9;
  }

 private:
  const std::uint8_t* bytes_;
  std::size_t size_;
  std::size_t at_ = 0;
};

void check_canonical(const FirmwareLayout& layout, const Encoded& encoded, const char* what) {
  // A canonical datagram decodes, and encoding the decoded message gives it
  // back: round_trip_engine_to_anim checks exactly that.
  const EngineToAnimMessage decoded = decode_engine_to_anim(layout, encoded.bytes.data(), encoded.bytes.size());
  require(decoded.kind != EngineToAnimMessage::Kind::kMalformed &&
              decoded.kind != EngineToAnimMessage::Kind::kOther,
          what, encoded.bytes.data(), encoded.bytes.size());
  check_engine_to_anim(layout, encoded.bytes.data(), encoded.bytes.size());
}

void check_encodings(const FirmwareLayout& layout, const std::uint8_t* bytes, std::size_t size) {
  using Kind = EngineToAnimMessage::Kind;
  FieldSource fields(bytes, size);
  const bool injects = layout.can_inject;

  PlayAnim play;
  play.num_loops = fields.u32();
  play.start_at_ms = fields.u32();
  play.tag = fields.u8();
  play.render_in_eye_hue = fields.u8() & 1;
  play.anim_name = fields.text(300);
  std::size_t capacity = fields.capacity(kMaxAnimDatagramBytes);
  const Encoded played = encode_into(layout, play, capacity);
  check_verdict(played, injects && !play.anim_name.empty() && play.anim_name.size() <= kMaxShortString,
                kPlayAnimFixedBytes + play.anim_name.size(), capacity);
  if (played.ok) {
    const std::uint8_t* d = played.bytes.data();
    const EngineToAnimMessage decoded = decode_engine_to_anim(layout, d, played.bytes.size());
    require(decoded.kind == Kind::kPlayAnim && decoded.anim_tag == play.tag &&
                decoded.anim_name == play.anim_name && le32(d + 1) == play.num_loops &&
                le32(d + 5) == play.start_at_ms && d[10] == (play.render_in_eye_hue ? 1 : 0),
            "PlayAnim does not decode to its fields", d, played.bytes.size());
    check_canonical(layout, played, "PlayAnim not canonical");
  }

  const AbortAnimation abort{fields.u8()};
  capacity = fields.capacity(kMaxAnimDatagramBytes);
  const Encoded aborted = encode_into(layout, abort, capacity);
  check_verdict(aborted, injects, 2, capacity);
  if (aborted.ok) {
    const EngineToAnimMessage decoded = decode_engine_to_anim(layout, aborted.bytes.data(), 2);
    require(decoded.kind == Kind::kAbortAnimation && decoded.anim_tag == abort.tag,
            "AbortAnimation does not decode to its fields", aborted.bytes.data(), 2);
    check_canonical(layout, aborted, "AbortAnimation not canonical");
  }

  // No decoder: the bytes against the CLAD layout, and no decode claims them.
  const SetFullAnimTrackLockState lock{fields.u8()};
  capacity = fields.capacity(kMaxAnimDatagramBytes);
  const Encoded locked = encode_into(layout, lock, capacity);
  check_verdict(locked, injects, 2, capacity);
  if (locked.ok) {
    require(locked.bytes[0] == layout.set_full_anim_track_lock_state && locked.bytes[1] == lock.track_lock_state,
            "SetFullAnimTrackLockState is not its tag and bits", locked.bytes.data(), 2);
    require(decode_engine_to_anim(layout, locked.bytes.data(), 2).kind == Kind::kOther,
            "SetFullAnimTrackLockState decodes as another message", locked.bytes.data(), 2);
  }

  DrawTextOnScreen draw;
  draw.text_color = ColorRgb{fields.u8(), fields.u8(), fields.u8()};
  draw.background_color = ColorRgb{fields.u8(), fields.u8(), fields.u8()};
  draw.text = fields.text(300);
  capacity = fields.capacity(kMaxAnimDatagramBytes);
  const Encoded drawn = encode_into(layout, draw, capacity);
  check_verdict(drawn, injects && draw.text.size() <= kMaxShortString, kDrawTextFixedBytes + draw.text.size(),
                capacity);
  if (drawn.ok) {
    const std::uint8_t* d = drawn.bytes.data();
    const std::uint8_t colours[6] = {draw.text_color.r,       draw.text_color.g,       draw.text_color.b,
                                     draw.background_color.r, draw.background_color.g, draw.background_color.b};
    require(d[0] == layout.draw_text_on_screen && d[1] == 0 && std::memcmp(d + 2, colours, 6) == 0 &&
                d[8] == draw.text.size() && std::memcmp(d + 9, draw.text.data(), draw.text.size()) == 0,
            "DrawTextOnScreen is not drawNow 0, its colours and its text", d, drawn.bytes.size());
    require(decode_engine_to_anim(layout, d, drawn.bytes.size()).kind == Kind::kOther,
            "DrawTextOnScreen decodes as another message", d, drawn.bytes.size());
  }

  TextToSpeechPrepare prepare;
  prepare.style = fields.u32();
  prepare.duration_scalar = fields.f32();
  prepare.pitch_scalar = fields.f32();
  prepare.trigger_mode = static_cast<TtsTriggerMode>(fields.u8());
  prepare.tts_id = fields.u8();
  prepare.text = fields.text(kTtsTextFieldBytes + 8);
  capacity = fields.capacity(kMaxAnimDatagramBytes);
  const Encoded prepared = encode_into(layout, prepare, capacity);
  check_verdict(prepared, injects && tts_text_allowed(prepare.text) && prepare.tts_id != 0, prepare_bytes(layout),
                capacity);
  if (prepared.ok) {
    const std::uint8_t* d = prepared.bytes.data();
    const EngineToAnimMessage decoded = decode_engine_to_anim(layout, d, prepared.bytes.size());
    require(decoded.kind == Kind::kTextToSpeechPrepare && decoded.tts_id == prepare.tts_id &&
                decoded.trigger_mode == prepare.trigger_mode && decoded.tts_text == prepare.text &&
                le32(d + 1) == prepare.style && le32(d + 5) == bits_of(prepare.duration_scalar) &&
                (!layout.tts_prepare_has_pitch_scalar || le32(d + 9) == bits_of(prepare.pitch_scalar)),
            "TextToSpeechPrepare does not decode to its fields", d, prepared.bytes.size());
    check_canonical(layout, prepared, "TextToSpeechPrepare not canonical");
  }

  const TextToSpeechPlay speak{fields.u8()};
  capacity = fields.capacity(kMaxAnimDatagramBytes);
  const Encoded spoken = encode_into(layout, speak, capacity);
  check_verdict(spoken, injects, 2, capacity);
  if (spoken.ok) {
    const EngineToAnimMessage decoded = decode_engine_to_anim(layout, spoken.bytes.data(), 2);
    require(decoded.kind == Kind::kTextToSpeechPlay && decoded.tts_id == speak.tts_id,
            "TextToSpeechPlay does not decode to its fields", spoken.bytes.data(), 2);
    check_canonical(layout, spoken, "TextToSpeechPlay not canonical");
  }

  const TextToSpeechCancel cancel{fields.u8()};
  capacity = fields.capacity(kMaxAnimDatagramBytes);
  const Encoded cancelled = encode_into(layout, cancel, capacity);
  check_verdict(cancelled, injects, 2, capacity);
  if (cancelled.ok) {
    const EngineToAnimMessage decoded = decode_engine_to_anim(layout, cancelled.bytes.data(), 2);
    require(decoded.kind == Kind::kTextToSpeechCancel && decoded.tts_id == cancel.tts_id,
            "TextToSpeechCancel does not decode to its fields", cancelled.bytes.data(), 2);
    check_canonical(layout, cancelled, "TextToSpeechCancel not canonical");
  }

  capacity = fields.capacity(kMaxAnimDatagramBytes);
  const Encoded woken = encode_into(layout, FakeWakeWord{}, capacity);
  check_verdict(woken, injects, 1, capacity);
  if (woken.ok) {
    require(woken.bytes[0] == layout.fake_wake_word, "FakeWakeWord is not its tag alone", woken.bytes.data(), 1);
    require(decode_engine_to_anim(layout, woken.bytes.data(), 1).kind == Kind::kOther,
            "FakeWakeWord decodes as another message", woken.bytes.data(), 1);
  }
}

void check_intent_encoding(const std::uint8_t* bytes, std::size_t size) {
  FieldSource fields(bytes, size);
  IntentResult result;
  result.intent = fields.text(300);
  result.metadata = fields.text(kMaxIntentDatagramBytes);
  result.parameters = fields.text(kMaxIntentDatagramBytes);
  const std::size_t capacity = fields.capacity(kMaxIntentDatagramBytes + 16);
  const std::size_t clad_size = 1 + 1 + result.intent.size() + 2 + result.parameters.size() + 2 +
                                result.metadata.size();
  const Encoded encoded = encode_into(result, capacity);
  const bool allowed = !result.intent.empty() && result.intent.size() <= kMaxShortString &&
                       clad_size <= kMaxIntentDatagramBytes;
  check_verdict(encoded, allowed, clad_size, capacity);
  if (!encoded.ok) return;
  const CloudMicMessage decoded = decode_cloud_mic(encoded.bytes.data(), encoded.bytes.size());
  require(decoded.kind == CloudMicMessage::Kind::kResult && same(decoded.result, result),
          "an IntentResult does not decode to its fields", encoded.bytes.data(), encoded.bytes.size());
  check_cloud_mic(encoded.bytes.data(), encoded.bytes.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t* rest = data + 1;
  const std::size_t rest_size = size - 1;
  const int what = data[0] & 3;
  if (what == 2) {
    g_layout = nullptr;
    check_cloud_mic(rest, rest_size);
    return 0;
  }
  if (what == 3) {
    g_layout = nullptr;
    check_intent_encoding(rest, rest_size);
  }
  std::size_t count = 0;
  const FirmwareLayout* const* all = all_firmware_layouts(count);
  for (std::size_t index = 0; index < count; ++index) {
    g_layout = all[index];
    switch (what) {
      case 0:
        check_engine_to_anim(*all[index], rest, rest_size);
        break;
      case 1:
        check_anim_to_engine(*all[index], rest, rest_size);
        break;
      default:
        check_encodings(*all[index], rest, rest_size);
        break;
    }
  }
  return 0;
}
