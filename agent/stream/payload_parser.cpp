#include "agent/stream/payload_parser.h"

#include <cstring>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "agent/stream/field_collector.h"
#include "agent/stream/in_place_json_parser.h"
#include "agent/stream/json_whitespace.h"
#include "agent/text/utf8.h"

namespace vic_r1::stream::chunk_json {
namespace {

// A payload copy larger than this is not kept for the next payload.
constexpr std::size_t kMaxKeptTextBytes = 64 * 1024;
// Nor a list of reasoning_details texts longer than this.
constexpr std::size_t kMaxKeptDetailTexts = 1024;

// RapidJSON parses what the fast path (InPlaceJsonParser) gives up on. In
// situ, as the fast path parses: strings are decoded inside our copy of the
// payload, so a string the decoder keeps is a view into that copy and parsing
// allocates nothing. Stop when done: we check what follows the value
// ourselves, because the parser would take a NUL byte inside the payload for
// its end.
constexpr unsigned kParseFlags = rapidjson::kParseInsituFlag | rapidjson::kParseStopWhenDoneFlag;
// RapidJSON's UTF-8 validation goes a byte at a time, about a fifth of its
// parsing cost, so it is asked for only when valid_utf8() refused the payload:
// it then reports whichever comes first, that sequence or a syntax error.
constexpr unsigned kValidatingParseFlags = kParseFlags | rapidjson::kParseValidateEncodingFlag;

// Whether all of `text` is well-formed UTF-8.
bool valid_utf8(std::string_view text) {
  const auto* const bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t at = 0;
  while (at < size) {
    // Mostly ASCII: eight bytes at a time while no byte has its high bit set
    // (memcpy, as the text need not be aligned).
    if (size - at >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, bytes + at, sizeof(word));
      if ((word & 0x8080808080808080ULL) == 0) {
        at += 8;
        continue;
      }
    }
    if (bytes[at] < 0x80) {
      ++at;
      continue;
    }
    const std::size_t length = utf8_sequence_length(bytes + at, size - at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

// RapidJSON's words for a parse error, corrected where version 1.1 misleads:
// it reports a raw control character in a string as a bad escape.
std::string describe_parse_error(rapidjson::ParseErrorCode code, std::string_view payload, std::size_t offset) {
  if (code == rapidjson::kParseErrorStringEscapeInvalid && offset < payload.size() &&
      static_cast<unsigned char>(payload[offset]) < 0x20) {
    return "Control character in string (it must be escaped).";
  }
  return rapidjson::GetParseError_En(code);
}

}  // namespace

bool PayloadParser::parse(std::string_view payload, std::string& error) {
  start(payload);
  FieldCollector collector(payload, text_.data(), false, fields_, detail_texts_);
  std::size_t end = InPlaceJsonParser<FieldCollector>(text_.data(), payload.size(), collector).parse();
  if (end == std::string_view::npos && !parse_with_rapidjson(payload, end, error)) return false;
  for (std::size_t offset = end; offset < payload.size(); ++offset) {
    if (!is_json_whitespace(payload[offset])) {
      error = "unexpected data after the JSON value at byte " + std::to_string(offset);
      return false;
    }
  }
  return true;
}

void PayloadParser::start(std::string_view payload) {
  if (text_.capacity() > kMaxKeptTextBytes) std::vector<char>().swap(text_);
  if (detail_texts_.capacity() > kMaxKeptDetailTexts) std::vector<std::string_view>().swap(detail_texts_);
  text_.resize(payload.size() + kPaddingBytes);
  if (!payload.empty()) std::memcpy(text_.data(), payload.data(), payload.size());
  std::memset(text_.data() + payload.size(), 0, kPaddingBytes);
  fields_.top.clear();
  detail_texts_.clear();
}

bool PayloadParser::parse_with_rapidjson(std::string_view payload, std::size_t& end, std::string& error) {
  start(payload);
  rapidjson::InsituStringStream stream(text_.data());
  FieldCollector collector(payload, text_.data(), true, fields_, detail_texts_);
  // Parsing in place allocates nothing, so the reader needs no allocator.
  rapidjson::Reader reader(nullptr, 0);
  if (valid_utf8(payload)) {
    reader.Parse<kParseFlags>(stream, collector);
  } else {
    reader.Parse<kValidatingParseFlags>(stream, collector);
  }
  if (reader.HasParseError()) {
    const std::size_t offset = reader.GetErrorOffset();
    if (collector.went_too_deep()) {
      // The parser stops just after the bracket that went one level too deep.
      error = "objects and arrays nested deeper than " + std::to_string(kMaxNesting) + " levels at byte " +
              std::to_string(offset - 1);
    } else {
      error = "not valid JSON at byte " + std::to_string(offset) + ": " +
              describe_parse_error(reader.GetParseErrorCode(), payload, offset);
    }
    return false;
  }
  end = stream.Tell();
  return true;
}

}  // namespace vic_r1::stream::chunk_json
