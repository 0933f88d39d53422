// libFuzzer target for reading vic-cloud's intents (drivers/intent): the
// question classifier, the transcript in `metadata`, the JSON string member
// reader and the voice server's answer, on intents made of fuzz bytes.
// Besides the sanitizers, its oracles are their promises:
//  - json_string_member reads exactly RFC 8259 objects: whenever RapidJSON
//    reads the parameters whole (valid UTF-8, no lone surrogate escape,
//    nesting within the reader's 32 levels) it finds the same first member
//    of the name, or finds none when that is not a string;
//  - what it finds round-trips: the value JSON-escaped again (minimally, or
//    every character as a \u escape) into {"name":...} reads back the same;
//    it is never longer than the text, a string with that much capacity
//    never grows, and valid UTF-8 in gives valid UTF-8 out (escapes are
//    decoded to UTF-8, lone surrogates refused; raw bytes pass unchanged, so
//    nothing more is promised of invalid input);
//  - a transcript round-trips through vic-cloud's metadata, "text: <q>
//    confidence: <f>  handler: <h>", whatever it holds;
//  - classify_intent owns an intent exactly when the first rule naming it
//    finds text that is not blank or a placeholder: the question is that
//    text, trimmed, from the rule's own field (a view of the metadata, or
//    no longer than the parameters), closed as the rule says with the
//    policy's own string; otherwise the question is empty and nothing is
//    closed; a question string with an intent datagram's capacity never grows;
//  - voice_server_answer_of finds an answer exactly for the two knowledge
//    intents with a non-blank `answer`, trimmed; otherwise none.
// The metadata transcript is passed on as raw bytes: no UTF-8 promise is
// made for it, so none is checked.
//
// Input layout: byte 0 picks the intent (bits 0-2), the policy (bit 3: the
// default, or one configured with a weather intent) and the escaping of the
// round trip (bit 4); byte 1 is the metadata's length; then the metadata;
// the rest is the parameters.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "drivers/clad/cloud_mic_messages.h"
#include "drivers/intent/json_string_member.h"
#include "drivers/intent/question_intents.h"
#include "drivers/intent/voice_server_answer.h"

namespace {

using namespace vic_r1;

[[noreturn]] void fail(const char* what, std::string_view first, std::string_view second = {}) {
  std::fprintf(stderr, "intent_fuzz: broken promise: %s\n  [%.*s]\n  [%.*s]\n", what,
               static_cast<int>(first.size()), first.data(), static_cast<int>(second.size()), second.data());
  std::abort();
}

constexpr std::string_view kIntents[] = {
    "intent_system_unmatched",
    "intent_knowledge_response_extend",
    "intent_knowledge_response_extend_bypass",
    "intent_knowledge_promptquestion",
    "intent_weather_extend",
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool same_ignoring_ascii_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The code point of the well-formed UTF-8 sequence at `at` and its length,
// or length 0 (RFC 3629: no overlongs, surrogates or values past U+10FFFF).
std::size_t utf8_character(std::string_view text, std::size_t at, std::uint32_t& code) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) {
    code = lead;
    return 1;
  }
  std::size_t length = 0;
  std::uint32_t minimum = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    minimum = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    minimum = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    minimum = 0x10000;
  } else {
    return 0;
  }
  code = lead & (0x7F >> length);
  if (text.size() - at < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code = code << 6 | (byte(i) & 0x3F);
  }
  if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

bool valid_utf8(std::string_view text) {
  std::uint32_t code = 0;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = utf8_character(text, at, code);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

// `value` as a JSON string: only what must be escaped, or (`every`) each
// well-formed character as \u escapes (a surrogate pair past U+FFFF); bytes
// that are no character pass raw, as the reader passes them.
std::string json_string(std::string_view value, bool every) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string json = "\"";
  auto escape_unit = [&](std::uint32_t unit) {
    json += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) json += kHex[(unit >> shift) & 0xF];
  };
  for (std::size_t at = 0; at < value.size();) {
    std::uint32_t code = 0;
    const std::size_t length = utf8_character(value, at, code);
    if (length == 0) {
      json += value[at++];
      continue;
    }
    if (every) {
      if (code >= 0x10000) {
        escape_unit(0xD800 + ((code - 0x10000) >> 10));
        escape_unit(0xDC00 + ((code - 0x10000) & 0x3FF));
      } else {
        escape_unit(code);
      }
    } else if (code == '"' || code == '\\') {
      json += '\\';
      json += static_cast<char>(code);
    } else if (code < 0x20) {
      escape_unit(code);
    } else {
      json.append(value.substr(at, length));
    }
    at += length;
  }
  return json + "\"";
}

// How deep the deepest value lies below the root object (its members' values
// are at depth 1), as the reader counts its limit.
unsigned deepest_value(const rapidjson::Value& value, unsigned depth) {
  unsigned deepest = depth;
  if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      deepest = std::max(deepest, deepest_value(member.value, depth + 1));
    }
  } else if (value.IsArray()) {
    for (const auto& element : value.GetArray()) {
      deepest = std::max(deepest, deepest_value(element, depth + 1));
    }
  }
  return deepest;
}

// An escape of a lone low surrogate, which RapidJSON 1.1 lets through,
// decodes to ED A0..BF; validated input never holds that raw.
bool holds_lone_surrogate(const rapidjson::Value& value) {
  auto in = [](const char* text, std::size_t size) {
    for (std::size_t at = 0; at + 1 < size; ++at) {
      if (text[at] == '\xED' && static_cast<unsigned char>(text[at + 1]) >= 0xA0) return true;
    }
    return false;
  };
  if (value.IsString()) return in(value.GetString(), value.GetStringLength());
  if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      if (in(member.name.GetString(), member.name.GetStringLength()) || holds_lone_surrogate(member.value)) {
        return true;
      }
    }
  } else if (value.IsArray()) {
    for (const auto& element : value.GetArray()) {
      if (holds_lone_surrogate(element)) return true;
    }
  }
  return false;
}

// json_string_member(json, name), its promises checked; returns what it found.
bool checked_member(std::string_view json, const char* name, bool escape_every, std::string& value) {
  value.clear();
  value.reserve(json.size());
  const char* const buffer = value.data();
  const bool found = intent::json_string_member(json, name, value);
  if (value.data() != buffer) fail("the value grew past the text's size", json, name);

  constexpr unsigned kReaderDepth = 32;
  rapidjson::Document document;
  // RapidJSON's UTF-8 validation reads a whole sequence before judging it:
  // NUL bytes after the copy keep a sequence cut at the end inside it.
  std::string text(json);
  text.append(4, '\0');
  rapidjson::StringStream stream(text.c_str());
  document.ParseStream<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseStopWhenDoneFlag |
                       rapidjson::kParseIterativeFlag>(stream);
  const bool whole = !document.HasParseError() && trimmed(json.substr(stream.Tell())).empty();
  if (whole && document.IsObject() && !holds_lone_surrogate(document) &&
      deepest_value(document, 0) <= kReaderDepth) {
    const auto member = document.FindMember(name);
    const bool expected = member != document.MemberEnd() && member->value.IsString();
    if (found != expected) {
      fail(expected ? "missed a string member RapidJSON reads" : "found a member RapidJSON does not", json, name);
    }
    if (expected && value != std::string_view(member->value.GetString(), member->value.GetStringLength())) {
      fail("a member's value differs from RapidJSON's", json, value);
    }
  }
  if (!found) return false;

  if (value.size() > json.size()) fail("the value is longer than the text", json, value);
  if (valid_utf8(json) && !valid_utf8(value)) fail("valid UTF-8 in, invalid out", json, value);
  const std::string again = "{\"" + std::string(name) + "\":" + json_string(value, escape_every) + "}";
  std::string reread;
  if (!intent::json_string_member(again, name, reread) || reread != value) {
    fail("the value escaped again does not read back", again, reread);
  }
  return true;
}

void check_transcript_round_trip(std::string_view bytes) {
  const std::string_view transcript = trimmed(bytes);
  if (transcript.empty()) return;
  const std::string metadata = "text: " + std::string(transcript) + "  confidence: 0.912345  handler: ";
  if (intent::transcript_from_metadata(metadata) != transcript) {
    fail("a transcript does not come back from vic-cloud's metadata", metadata,
         intent::transcript_from_metadata(metadata));
  }
}

void check_classification(const intent::QuestionIntentPolicy& policy, const clad::IntentResult& result,
                          bool escape_every) {
  std::string question;
  question.reserve(clad::kMaxIntentDatagramBytes);
  const char* const buffer = question.data();
  const intent::QuestionVerdict verdict = intent::classify_intent(policy, result, question);
  if (result.parameters.size() <= clad::kMaxIntentDatagramBytes && question.data() != buffer) {
    fail("the question string grew", question);
  }

  // What the header says it decides, by the first rule naming the intent.
  const intent::QuestionIntentRule* rule = nullptr;
  for (const intent::QuestionIntentRule& candidate : policy.rules) {
    if (candidate.intent == result.intent) {
      rule = &candidate;
      break;
    }
  }
  std::string text;
  if (rule != nullptr && rule->field == intent::QuestionField::kTranscriptInMetadata) {
    const std::string_view transcript = intent::transcript_from_metadata(result.metadata);
    const bool inside = transcript.empty() ||
                        (transcript.data() >= result.metadata.data() &&
                         transcript.data() + transcript.size() <= result.metadata.data() + result.metadata.size());
    if (!inside) fail("a transcript from outside the metadata", result.metadata, transcript);
    if (transcript != trimmed(transcript)) fail("an untrimmed transcript", transcript);
    text = transcript;
  } else if (rule != nullptr) {
    if (checked_member(result.parameters, "query_text", escape_every, text)) {
      text = trimmed(text);
    } else {
      text.clear();
    }
  }
  bool placeholder = false;
  for (const std::string& candidate : policy.placeholder_transcripts) {
    placeholder = placeholder || same_ignoring_ascii_case(text, candidate);
  }
  const bool expected_owned = rule != nullptr && !text.empty() && !placeholder;
  if (verdict.owned != expected_owned) {
    fail(expected_owned ? "a question not owned" : "owned no question", question);
  }
  if (!verdict.owned) {
    if (!question.empty() || !verdict.close_with.empty()) {
      fail("not owned, yet a question or a close", question);
    }
    return;
  }
  if (question != text) fail("the question is not the rule's text, trimmed", question, text);
  if (verdict.source != rule->source || verdict.close_with.data() != rule->close_with.data() ||
      verdict.close_with != rule->close_with) {
    fail("closed otherwise than the rule says", verdict.close_with, rule->close_with);
  }
}

void check_voice_server_answer(const clad::IntentResult& result, bool escape_every) {
  std::string answer;
  answer.reserve(clad::kMaxIntentDatagramBytes);
  const char* const buffer = answer.data();
  const bool carried = intent::voice_server_answer_of(result, answer);
  if (result.parameters.size() <= clad::kMaxIntentDatagramBytes && answer.data() != buffer) {
    fail("the answer string grew", answer);
  }

  const bool knowledge = result.intent == kIntents[1] || result.intent == kIntents[2];
  std::string expected;
  if (knowledge && checked_member(result.parameters, "answer", escape_every, expected)) {
    expected = trimmed(expected);
  } else {
    expected.clear();
  }
  if (carried != !expected.empty() || answer != expected) fail("the voice server's answer", answer, expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::size_t metadata_size = std::min<std::size_t>(data[1], rest.size());
  clad::IntentResult result;
  result.intent = kIntents[(data[0] & 7) % 5];
  result.metadata = rest.substr(0, metadata_size);
  result.parameters = rest.substr(metadata_size);
  const bool escape_every = (data[0] & 0x10) != 0;

  static const intent::QuestionIntentPolicy kDefaultPolicy;
  static const intent::QuestionIntentPolicy kConfiguredPolicy = intent::question_policy_for(
      {"intent_knowledge_response_extend", "intent_weather_extend", "intent_knowledge_promptquestion"});
  check_classification((data[0] & 8) ? kConfiguredPolicy : kDefaultPolicy, result, escape_every);
  check_voice_server_answer(result, escape_every);
  check_transcript_round_trip(result.metadata);
  return 0;
}
