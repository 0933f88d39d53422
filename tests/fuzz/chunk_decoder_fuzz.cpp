// libFuzzer target for the chunk JSON decoder alone (agent/stream/
// chunk_decoder.h): one payload read as an OpenAI-compatible chunk or as an
// Ollama native line, and read by error_message_from_payload. A payload is
// decoded whole (there is no re-feedable form to cut). Besides the
// sanitizers, its oracles are the header's promises:
//  - fields only from their places: a reference reading of the header's
//    rules on RapidJSON's DOM (first member of a name, the chosen choice,
//    the order of the reasoning fields, counts, Ollama's done line, the error
//    payload's message and its "(code X, type Y)", nesting up to 64, one
//    value and whitespace) must accept exactly what the decoder accepts and
//    give the same chunk;
//  - one decoder serves a whole stream: the payload gives the same result
//    from a fresh decoder, from one (and into a chunk) that has just decoded
//    payloads setting every field, and twice in a row;
//  - the fast parser and RapidJSON's read every payload alike: the payload
//    with an unread member that the fast parser leaves to RapidJSON, as the
//    unit tests force it, gives the same chunk and the same error (its byte
//    offsets moved by the insertion);
//  - a refused payload leaves the chunk cleared and says why; an accepted
//    one leaves no error; every string of an accepted chunk is valid UTF-8
//    ("strings must be valid UTF-8 ... unpaired surrogate escapes are
//    errors": the chunk's text reaches speech and logs);
//  - error_message_from_payload gives the error's message, or the body
//    trimmed, at most 500 bytes and never cut inside a UTF-8 character.
//
// Input layout: byte 0 bit 0 picks the format (OpenAI or Ollama); the rest is
// the payload.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "agent/stream/chunk_decoder.h"
#include "agent/stream/stream_chunk.h"
#include "agent/text/utf8.h"

namespace {

using vic_r1::stream::ChunkDecoder;
using vic_r1::stream::StreamChunk;

enum class Format { kOpenAi, kOllama };

[[noreturn]] void fail(const char* what, std::string_view payload, const std::string& first,
                       const std::string& second) {
  std::fprintf(stderr, "chunk_decoder_fuzz: broken promise: %s\npayload: [%.*s]\n  %s\n  %s\n", what,
               static_cast<int>(payload.size()), payload.data(), first.c_str(), second.c_str());
  std::abort();
}

struct Decoded {
  bool accepted = false;
  std::string error;
  StreamChunk chunk;
};

std::string describe(const StreamChunk& c) {
  auto text = [](const std::string& s) { return std::to_string(s.size()) + ":" + s; };
  return "model=" + text(c.model) + " content=" + text(c.content) + " reasoning=" + text(c.reasoning) +
         " has_reasoning_field=" + std::to_string(c.has_reasoning_field) + " finish=" + text(c.finish_reason) +
         " has_usage=" + std::to_string(c.has_usage) + " usage=" + std::to_string(c.usage.prompt_tokens) + "/" +
         std::to_string(c.usage.completion_tokens) + "/" + std::to_string(c.usage.total_tokens) + "/" +
         std::to_string(c.usage.reasoning_tokens) + " is_error=" + std::to_string(c.is_error) +
         " error_message=" + text(c.error_message);
}

std::string describe(const Decoded& d) {
  return std::string(d.accepted ? "accepted " : "refused ") + describe(d.chunk) + " error=" + d.error;
}

void decode_with(ChunkDecoder& decoder, Format format, std::string_view payload, Decoded& out) {
  out.accepted = format == Format::kOpenAi ? decoder.decode_openai_chunk(payload, out.chunk)
                                           : decoder.decode_ollama_line(payload, out.chunk);
  out.error = decoder.error();
}

bool valid_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = vic_r1::text::utf8_sequence_length(bytes + at, text.size() - at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

// ---- The reference reading ---------------------------------------------------------
// The header's rules applied to RapidJSON's DOM, slowly and plainly.

using rapidjson::Value;

constexpr unsigned kMaxNesting = 64;

unsigned nesting(const Value& value) {
  if (!value.IsObject() && !value.IsArray()) return 0;
  unsigned deepest = 0;
  if (value.IsObject()) {
    for (const auto& member : value.GetObject()) deepest = std::max(deepest, nesting(member.value));
  } else {
    for (const Value& element : value.GetArray()) deepest = std::max(deepest, nesting(element));
  }
  return deepest + 1;
}

// The first member of the name, as the header reads it; null when absent.
const Value* first(const Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto found = object.FindMember(name);
  return found == object.MemberEnd() ? nullptr : &found->value;
}

bool sent(const Value* value) { return value != nullptr && !value->IsNull(); }

// An escape of a lone low surrogate decodes to ED A0..BF, which validated
// input never holds raw.
bool clean(const Value& string) {
  const std::string_view text(string.GetString(), string.GetStringLength());
  for (std::size_t at = 0; at + 1 < text.size(); ++at) {
    if (text[at] == '\xED' && static_cast<unsigned char>(text[at + 1]) >= 0xA0) return false;
  }
  return true;
}

std::string json_text(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool is_continuation(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

// The longest prefix of at most `max_bytes` that does not end inside a
// character, judged by continuation bytes as the header's cut is.
std::string cut_at_character_boundary(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  while (end > 0 && is_continuation(text[end])) --end;
  return std::string(text.substr(0, end));
}

class ReferenceReader {
 public:
  // Whether the payload is accepted; `chunk` is what it says when it is.
  bool read(Format format, std::string_view payload, StreamChunk& chunk) {
    chunk.clear();
    if (!parse(payload)) return false;
    const Value& root = document_;
    if (!root.IsObject()) return false;
    if (read_error(root, chunk)) return true;
    if (!string_field(first(root, "model"), chunk.model)) return false;
    return format == Format::kOpenAi ? read_openai(root, chunk) : read_ollama(root, chunk);
  }

  // One JSON value (valid UTF-8, nested up to the limit), then JSON
  // whitespace only; a NUL ends RapidJSON's reading, so it is trailing data.
  bool parse(std::string_view payload) {
    // RapidJSON's UTF-8 validation reads a whole sequence before judging it:
    // NUL bytes after the copy keep a sequence cut at the end inside it.
    std::string text(payload);
    text.append(4, '\0');
    rapidjson::StringStream stream(text.c_str());
    document_.ParseStream<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseStopWhenDoneFlag |
                          rapidjson::kParseIterativeFlag>(stream);
    if (document_.HasParseError()) return false;
    for (std::size_t at = stream.Tell(); at < payload.size(); ++at) {
      const char c = payload[at];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
    }
    return nesting(document_) <= kMaxNesting;
  }

  const Value& root() const { return document_; }

 private:
  using TokenUsage = vic_r1::stream::TokenUsage;

  static bool string_field(const Value* value, std::string& out) {
    if (!sent(value)) return true;
    if (!value->IsString() || !clean(*value)) return false;
    out.assign(value->GetString(), value->GetStringLength());
    return true;
  }

  static bool is_count(const Value& value) { return value.IsInt64() && value.GetInt64() >= 0; }

  static bool count_field(const Value* value, long long& out) {
    out = -1;
    if (!sent(value)) return true;
    if (!is_count(*value)) return false;
    out = value->GetInt64();
    return true;
  }

  static bool object_field(const Value* value, const Value*& found) {
    found = sent(value) ? value : nullptr;
    return found == nullptr || found->IsObject();
  }

  static bool read_error(const Value& root, StreamChunk& chunk) {
    const Value* error = first(root, "error");
    if (!sent(error)) return false;
    chunk.is_error = true;
    std::string& message = chunk.error_message;
    const Value* text = first(*error, "message");
    if (error->IsString()) {
      message.assign(error->GetString(), error->GetStringLength());
      if (message.empty()) message = "the server sent an error with an empty message";
    } else if (!error->IsObject() || text == nullptr || !text->IsString() || text->GetStringLength() == 0) {
      message = cut_at_character_boundary(json_text(*error), 500);
    } else {
      message.assign(text->GetString(), text->GetStringLength());
      bool named_a_detail = false;
      for (const char* name : {"code", "type"}) {
        const Value* detail = first(*error, name);
        if (detail == nullptr || (!detail->IsString() && !detail->IsNumber())) continue;
        message += named_a_detail ? ", " : " (";
        message += name;
        message += ' ';
        message += detail->IsString() ? std::string(detail->GetString(), detail->GetStringLength())
                                      : json_text(*detail);
        named_a_detail = true;
      }
      if (named_a_detail) message += ')';
    }
    // Unpaired surrogate escapes become U+FFFD; a model holding one is dropped.
    for (std::size_t at = message.find('\xED'); at != std::string::npos; at = message.find('\xED', at + 1)) {
      if (at + 2 < message.size() && static_cast<unsigned char>(message[at + 1]) >= 0xA0) {
        message.replace(at, 3, "\xEF\xBF\xBD");
      }
    }
    const Value* model = first(root, "model");
    if (model != nullptr && model->IsString() && clean(*model)) {
      chunk.model.assign(model->GetString(), model->GetStringLength());
    }
    return true;
  }

  static bool read_openai(const Value& root, StreamChunk& chunk) {
    const Value* choices = first(root, "choices");
    if (sent(choices)) {
      if (!choices->IsArray()) return false;
      const Value* chosen = nullptr;
      std::size_t position = 0;
      for (const Value& element : choices->GetArray()) {
        if (!element.IsObject()) return false;
        const Value* index = first(element, "index");
        if (sent(index) && !is_count(*index)) return false;
        if (sent(index) ? index->GetInt64() == 0 : position == 0) {
          chosen = &element;
          break;
        }
        ++position;
      }
      if (chosen != nullptr && !read_choice(*chosen, chunk)) return false;
    }
    const Value* usage = nullptr;
    if (!object_field(first(root, "usage"), usage)) return false;
    if (usage == nullptr) return true;
    chunk.has_usage = true;
    TokenUsage& counts = chunk.usage;
    const Value* details = nullptr;
    if (!count_field(first(*usage, "prompt_tokens"), counts.prompt_tokens) ||
        !count_field(first(*usage, "completion_tokens"), counts.completion_tokens) ||
        !count_field(first(*usage, "total_tokens"), counts.total_tokens) ||
        !object_field(first(*usage, "completion_tokens_details"), details)) {
      return false;
    }
    return details == nullptr || count_field(first(*details, "reasoning_tokens"), counts.reasoning_tokens);
  }

  static bool read_choice(const Value& choice, StreamChunk& chunk) {
    const Value* delta = nullptr;
    if (!object_field(first(choice, "delta"), delta)) return false;
    if (delta != nullptr) {
      std::string reasoning_content;
      std::string reasoning;
      if (!string_field(first(*delta, "content"), chunk.content) ||
          !string_field(first(*delta, "reasoning_content"), reasoning_content) ||
          !string_field(first(*delta, "reasoning"), reasoning)) {
        return false;
      }
      const bool has_reasoning_content = sent(first(*delta, "reasoning_content"));
      const bool has_reasoning = sent(first(*delta, "reasoning"));
      std::string detail_text;
      bool details_hold_text = false;
      if (!read_reasoning_details(first(*delta, "reasoning_details"), detail_text, details_hold_text)) {
        return false;
      }
      if (has_reasoning_content) {
        chunk.reasoning = reasoning_content;
      } else if (has_reasoning) {
        chunk.reasoning = reasoning;
      } else {
        chunk.reasoning = detail_text;
      }
      chunk.has_reasoning_field = has_reasoning_content || has_reasoning || details_hold_text;
    }
    return string_field(first(choice, "finish_reason"), chunk.finish_reason);
  }

  // reasoning_details[].text|summary by the element's type; encrypted and
  // unknown types carry no text. Checked even when another field supplies
  // the reasoning.
  static bool read_reasoning_details(const Value* details, std::string& text, bool& holds_text) {
    if (!sent(details)) return true;
    if (!details->IsArray()) return false;
    for (const Value& element : details->GetArray()) {
      if (!element.IsObject()) return false;
      const Value* type = first(element, "type");
      if (!sent(type)) continue;
      if (!type->IsString() || !clean(*type)) return false;
      const std::string_view name(type->GetString(), type->GetStringLength());
      const char* member = name == "reasoning.text" ? "text" : name == "reasoning.summary" ? "summary" : nullptr;
      if (member == nullptr) continue;
      const Value* value = first(element, member);
      if (!sent(value)) continue;
      if (!value->IsString() || !clean(*value)) return false;
      holds_text = true;
      text.append(value->GetString(), value->GetStringLength());
    }
    return true;
  }

  static bool read_ollama(const Value& root, StreamChunk& chunk) {
    const Value* message = nullptr;
    if (!object_field(first(root, "message"), message)) return false;
    if (message != nullptr) {
      if (!string_field(first(*message, "content"), chunk.content) ||
          !string_field(first(*message, "thinking"), chunk.reasoning)) {
        return false;
      }
      chunk.has_reasoning_field = sent(first(*message, "thinking"));
    }
    const Value* done = first(root, "done");
    if (!sent(done)) return true;
    if (!done->IsBool()) return false;
    if (!done->GetBool()) return true;
    std::string done_reason;
    if (!string_field(first(root, "done_reason"), done_reason)) return false;
    chunk.finish_reason = done_reason.empty() ? "stop" : done_reason;
    TokenUsage& counts = chunk.usage;
    if (!count_field(first(root, "prompt_eval_count"), counts.prompt_tokens) ||
        !count_field(first(root, "eval_count"), counts.completion_tokens)) {
      return false;
    }
    chunk.has_usage = counts.prompt_tokens >= 0 || counts.completion_tokens >= 0;
    if (counts.prompt_tokens >= 0 && counts.completion_tokens >= 0 &&
        counts.prompt_tokens <= std::numeric_limits<long long>::max() - counts.completion_tokens) {
      counts.total_tokens = counts.prompt_tokens + counts.completion_tokens;
    }
    return true;
  }

  rapidjson::Document document_;
};

// ---- The oracles ---------------------------------------------------------------------

// Payloads that set every field the decoder reads, in both formats, so a
// field left over from them would show.
constexpr std::string_view kEveryFieldPayloads[] = {
    R"({"model":"primer","choices":[{"index":0,"delta":{"content":"old answer","reasoning_content":"old",)"
    R"("reasoning":"old","reasoning_details":[{"type":"reasoning.text","text":"old"}]},)"
    R"("finish_reason":"length"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,)"
    R"("completion_tokens_details":{"reasoning_tokens":4}},"message":{"content":"old","thinking":"old"},)"
    R"("done":true,"done_reason":"length","prompt_eval_count":5,"eval_count":6})",
    R"({"model":"primer","error":{"message":"old error","code":7,"type":"old"}})",
    R"({"choices":[{"index":0,"delta":{"reasoning_details":[{"type":"reasoning.summary","summary":"old"},)"
    R"(3]}}]})",
};

void check_reuse(Format format, std::string_view payload, const Decoded& fresh) {
  ChunkDecoder decoder;
  Decoded reused;
  for (const std::string_view primer : kEveryFieldPayloads) {
    decode_with(decoder, Format::kOpenAi, primer, reused);
    decode_with(decoder, Format::kOllama, primer, reused);
  }
  decode_with(decoder, format, payload, reused);
  if (describe(reused) != describe(fresh)) {
    fail("a used decoder or chunk read differently", payload, describe(fresh), describe(reused));
  }
  decode_with(decoder, format, payload, reused);
  if (describe(reused) != describe(fresh)) {
    fail("the second decode differed", payload, describe(fresh), describe(reused));
  }
}

// The error with each "at byte N" moved back by `shift`.
std::string unshifted(const std::string& error, std::size_t shift) {
  constexpr std::string_view kAtByte = "at byte ";
  std::string result;
  std::size_t from = 0;
  for (std::size_t at = error.find(kAtByte); at != std::string::npos; at = error.find(kAtByte, from)) {
    std::size_t digits_end = at + kAtByte.size();
    while (digits_end < error.size() && error[digits_end] >= '0' && error[digits_end] <= '9') ++digits_end;
    const std::string digits = error.substr(at + kAtByte.size(), digits_end - at - kAtByte.size());
    result += error.substr(from, at + kAtByte.size() - from);
    result += digits.empty() || std::stoull(digits) < shift ? digits : std::to_string(std::stoull(digits) - shift);
    from = digits_end;
  }
  return result + error.substr(from);
}

// The unit tests' way to make RapidJSON parse a payload: an unread member with
// a three-digit exponent first in the root object, which the fast parser
// leaves to RapidJSON's.
void check_fast_parser_against_rapidjson(Format format, std::string_view payload, const Decoded& fresh) {
  const std::size_t open = payload.find_first_not_of(" \t\r\n");
  if (open == std::string_view::npos || payload[open] != '{') return;
  const std::size_t next = payload.find_first_not_of(" \t\r\n", open + 1);
  const bool empty_object = next != std::string_view::npos && payload[next] == '}';
  const std::string member = empty_object ? R"("unread":1e100)" : R"("unread":1e100,)";
  std::string forced(payload);
  forced.insert(open + 1, member);
  ChunkDecoder decoder;
  Decoded by_rapidjson;
  decode_with(decoder, format, forced, by_rapidjson);
  if (by_rapidjson.accepted != fresh.accepted || describe(by_rapidjson.chunk) != describe(fresh.chunk)) {
    fail("the fast parser and RapidJSON read it differently", payload, describe(fresh), describe(by_rapidjson));
  }
  // A syntax error may be named differently once a member precedes it (a
  // missing name becomes a missing comma); any other error is the same.
  const std::string_view kSyntax = "not valid JSON";
  if (fresh.error.rfind(kSyntax, 0) == 0) {
    if (by_rapidjson.error.rfind(kSyntax, 0) != 0) {
      fail("a syntax error only one parser saw", payload, fresh.error, by_rapidjson.error);
    }
  } else if (unshifted(by_rapidjson.error, member.size()) != fresh.error) {
    fail("the two parsers' errors differ", payload, fresh.error, by_rapidjson.error);
  }
}

// The message a JSON error body names, or null: `error` as a string,
// `error.message`, or a top-level `message`, when not empty.
const Value* message_named(const ReferenceReader& reference) {
  const Value& root = reference.root();
  if (!root.IsObject()) return nullptr;
  const Value* error = first(root, "error");
  const Value* text = first(root, "message");
  if (error != nullptr && error->IsString()) {
    text = error;
  } else if (error != nullptr && error->IsObject()) {
    text = first(*error, "message");
  }
  return text != nullptr && text->IsString() && text->GetStringLength() > 0 ? text : nullptr;
}

void check_error_message_from_payload(std::string_view payload) {
  const std::string message = vic_r1::stream::error_message_from_payload(payload);
  ReferenceReader reference;
  if (reference.parse(payload)) {
    if (const Value* text = message_named(reference)) {
      if (message != std::string_view(text->GetString(), text->GetStringLength())) {
        fail("error_message_from_payload missed the named message", payload, text->GetString(), message);
      }
      return;
    }
  }
  // Anything else: as sent, trimmed, at most 500 bytes, and the longest such
  // prefix that does not end inside a UTF-8 character.
  const std::size_t first_kept = payload.find_first_not_of(" \t\r\n\f\v");
  const std::string_view trimmed =
      first_kept == std::string_view::npos
          ? std::string_view()
          : payload.substr(first_kept, payload.find_last_not_of(" \t\r\n\f\v") - first_kept + 1);
  constexpr std::size_t kMaxRawBytes = 500;
  bool longest_whole_prefix = message.size() <= kMaxRawBytes && trimmed.substr(0, message.size()) == message;
  if (trimmed.size() <= kMaxRawBytes) {
    longest_whole_prefix = longest_whole_prefix && message.size() == trimmed.size();
  } else {
    // Cut before a character's first byte, with only continuation bytes
    // between the cut and the limit.
    if (longest_whole_prefix && !message.empty() && is_continuation(trimmed[message.size()])) {
      longest_whole_prefix = false;
    }
    for (std::size_t end = message.size() + 1; longest_whole_prefix && end <= kMaxRawBytes; ++end) {
      longest_whole_prefix = is_continuation(trimmed[end]);
    }
  }
  if (!longest_whole_prefix) {
    fail("error_message_from_payload's raw body", payload, std::string(trimmed), message);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const Format format = (data[0] & 1) ? Format::kOllama : Format::kOpenAi;
  const std::string_view payload(reinterpret_cast<const char*>(data + 1), size - 1);

  ChunkDecoder decoder;
  Decoded fresh;
  decode_with(decoder, format, payload, fresh);
  if (fresh.accepted) {
    if (!fresh.error.empty()) fail("accepted with an error", payload, fresh.error, "");
    const StreamChunk& c = fresh.chunk;
    for (const std::string* text : {&c.model, &c.content, &c.reasoning, &c.finish_reason, &c.error_message}) {
      if (!valid_utf8(*text)) fail("invalid UTF-8 in an accepted chunk", payload, describe(c), "");
    }
  } else {
    if (fresh.error.empty()) fail("refused without a reason", payload, "", "");
    if (describe(fresh.chunk) != describe(StreamChunk{})) {
      fail("refused but the chunk is not cleared", payload, describe(fresh.chunk), "");
    }
  }

  StreamChunk expected;
  const bool expected_accepted = ReferenceReader().read(format, payload, expected);
  if (expected_accepted != fresh.accepted || (expected_accepted && describe(expected) != describe(fresh.chunk))) {
    fail("differs from the header's rules read on RapidJSON's DOM", payload,
         std::string(expected_accepted ? "expected accepted " : "expected refused ") + describe(expected),
         describe(fresh));
  }

  check_reuse(format, payload, fresh);
  check_fast_parser_against_rapidjson(format, payload, fresh);
  check_error_message_from_payload(payload);
  return 0;
}
