#include "agent/stream/stream_error_message.h"

#include <cstddef>
#include <string>

#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "agent/stream/chunk_decoder.h"
#include "agent/stream/payload_parser.h"
#include "platform/text/utf8_cut.h"

namespace vic_r1::stream::chunk_json {
namespace {

// What error_message_from_payload returns of a body that is not a JSON error.
constexpr std::size_t kMaxRawErrorBytes = 500;

std::string_view cut_at_character_boundary(std::string_view text, std::size_t max_bytes) {
  return text.substr(0, text::utf8_prefix_length(text, max_bytes));
}

// A \u escape of a low surrogate with no high one before it decodes to
// ED A0..BF xx, which is not UTF-8 (RapidJSON 1.1 lets it through; see
// field_collector.h). Refusing the payload would hide the error, so each
// becomes U+FFFD, which is as long: the message stays valid UTF-8 for all
// that counts its characters downstream, and its 500-byte cut is not moved.
void replace_unpaired_surrogates(std::string& text) {
  for (std::size_t at = text.find('\xED'); at != std::string::npos; at = text.find('\xED', at + 1)) {
    if (at + 2 < text.size() && static_cast<unsigned char>(text[at + 1]) >= 0xA0) {
      text.replace(at, 3, "\xEF\xBF\xBD");
    }
  }
}

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(" \t\r\n\f\v");
  return text.substr(first, last - first + 1);
}

// The JSON text of the value that starts at `offset` of a payload already
// parsed, as RapidJSON writes it: compact, strings escaped its way.
std::string json_text_at(std::string_view payload, std::size_t offset) {
  const std::string rest(payload.substr(offset));  // the reader wants a NUL at the end
  rapidjson::StringStream stream(rest.c_str());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  rapidjson::Reader reader;
  reader.Parse<rapidjson::kParseStopWhenDoneFlag>(stream, writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// A stream error carries no HTTP status, so the error object's code and type
// are kept: they are the only names of the cause.
void describe_stream_error(const PayloadFields& fields, std::string_view payload, std::string& message) {
  const Field& error = fields.top.error;
  if (error.kind == JsonKind::kString) {
    message.assign(error.text);
    if (message.empty()) message = "the server sent an error with an empty message";
    return;
  }
  const Field& text = fields.error.message;
  if (error.kind != JsonKind::kObject || text.kind != JsonKind::kString || text.text.empty()) {
    message = cut_at_character_boundary(json_text_at(payload, fields.top.error_offset), kMaxRawErrorBytes);
    return;
  }
  message.assign(text.text);
  struct Detail {
    std::string_view name;
    const Field& value;
    std::size_t offset;
  };
  bool named_a_detail = false;
  for (const Detail& detail : {Detail{"code", fields.error.code, fields.error.code_offset},
                               Detail{"type", fields.error.type, fields.error.type_offset}}) {
    const JsonKind kind = detail.value.kind;
    if (kind != JsonKind::kString && kind != JsonKind::kNumber) continue;
    message += named_a_detail ? ", " : " (";
    message += detail.name;
    message += ' ';
    if (kind == JsonKind::kString) {
      message += detail.value.text;
    } else {
      message += json_text_at(payload, detail.offset);
    }
    named_a_detail = true;
  }
  if (named_a_detail) message += ')';
}

}  // namespace

// When the payload is an error, fills the chunk from it and returns true. The
// model is kept only when well formed: a bad one must not hide the error.
bool take_stream_error(const PayloadFields& fields, std::string_view payload, StreamChunk& chunk) {
  if (!fields.top.error.sent()) return false;
  chunk.is_error = true;
  describe_stream_error(fields, payload, chunk.error_message);
  replace_unpaired_surrogates(chunk.error_message);
  if (fields.top.model.is_clean_string()) chunk.model.assign(fields.top.model.text);
  return true;
}

}  // namespace vic_r1::stream::chunk_json

namespace vic_r1::stream {

using namespace chunk_json;

std::string error_message_from_payload(std::string_view payload) {
  PayloadParser parser;
  std::string parse_error;
  if (parser.parse(payload, parse_error) && parser.fields().top.payload.kind == JsonKind::kObject) {
    const PayloadFields& fields = parser.fields();
    const Field* message = &fields.top.message;
    if (fields.top.error.kind == JsonKind::kString) {
      message = &fields.top.error;
    } else if (fields.top.error.kind == JsonKind::kObject) {
      message = &fields.error.message;
    }
    if (message->kind == JsonKind::kString && !message->text.empty()) return std::string(message->text);
  }
  return std::string(cut_at_character_boundary(trim(payload), kMaxRawErrorBytes));
}

}  // namespace vic_r1::stream
