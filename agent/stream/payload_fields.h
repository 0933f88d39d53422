#pragma once

// What the chunk decoder keeps of one streamed JSON payload: only the values
// it reads, each with its JSON type, strings as views into the buffer the
// payload was parsed in. FieldCollector fills these from a parser's events;
// the reading rules (openai_chunk_fields, ollama_line_fields) read them.

#include <cstddef>
#include <initializer_list>
#include <string_view>

namespace vic_r1::stream::chunk_json {

enum class JsonKind : unsigned char { kAbsent, kNull, kFalse, kTrue, kNumber, kString, kObject, kArray };

// How an error message names a JSON type ("a string", "null", ...).
const char* describe(JsonKind kind);

// A value the decoder reads, as the payload held it: the first member of its
// name, as a lookup in a parsed object would find it. Null and absent both
// read as "not sent". Only `kind` says whether the rest was set: a value sets
// every member, and nothing reads count or text without checking the kind, so
// forgetting a field only resets its kind.
struct Field {
  JsonKind kind = JsonKind::kAbsent;
  // A string that holds an unpaired surrogate, which the chunk cannot carry.
  bool unpaired_surrogate = false;
  long long count = 0;    // a number: its value if an integer in 0..INT64_MAX, else -1
  std::string_view text;  // a string: its decoded text, a view into the parse buffer

  bool sent() const { return kind != JsonKind::kAbsent && kind != JsonKind::kNull; }
  bool is_count() const { return kind == JsonKind::kNumber && count >= 0; }
  bool is_clean_string() const { return kind == JsonKind::kString && !unpaired_surrogate; }
};

inline void forget(std::initializer_list<Field*> fields) {
  for (Field* const field : fields) field->kind = JsonKind::kAbsent;
}

// The element of an array at which reading it stopped: the element is not an
// object (member empty), or its `member` breaks the format. The reading rules
// stop at the first such element, as the error they report names only one.
struct BrokenElement {
  std::size_t position = 0;
  std::string_view member;
  Field field;  // the element itself, or its member
};

// The groups below are cleared when the object they are read from starts, and
// read only when the member holding that object is one: the first member of
// its name, so each group is filled at most once per payload. A member added
// to a group must be forgotten by its clear() too.

// The chosen choice is known only at the end of its element, as `index` may
// be its last member: until then this is the element being parsed.
struct ChoiceFields {
  Field index;
  Field delta;
  Field finish_reason;

  void clear() { forget({&index, &delta, &finish_reason}); }
};

struct DeltaFields {
  Field content;
  Field reasoning_content;
  Field reasoning;
  Field reasoning_details;
  // reasoning_details is read element by element as it is parsed: whether an
  // element held text (the texts go to the parser's detail_texts), or where
  // it broke (PayloadFields::broken_detail).
  std::size_t detail_count = 0;
  bool details_hold_text = false;
  bool details_broken = false;

  void clear() {
    forget({&content, &reasoning_content, &reasoning, &reasoning_details});
    detail_count = 0;
    details_hold_text = false;
    details_broken = false;
  }
};

struct DetailFields {  // one element of reasoning_details
  Field type;
  Field text;
  Field summary;

  void clear() { forget({&type, &text, &summary}); }
};

struct ErrorFields {  // an `error` object
  Field message;
  Field code;
  Field type;
  // Where code and type start in the payload, for a number's JSON text.
  std::size_t code_offset = 0;
  std::size_t type_offset = 0;

  void clear() { forget({&message, &code, &type}); }
};

struct UsageFields {
  Field prompt_tokens;
  Field completion_tokens;
  Field total_tokens;
  Field completion_tokens_details;
  Field reasoning_tokens;  // in completion_tokens_details

  void clear() {
    forget({&prompt_tokens, &completion_tokens, &total_tokens, &completion_tokens_details, &reasoning_tokens});
  }
};

struct MessageFields {  // Ollama's native `message`
  Field content;
  Field thinking;

  void clear() { forget({&content, &thinking}); }
};

enum class ChoiceSearch : unsigned char { kLooking, kFound, kBroken };

// The payload itself and its root object's members: cleared for each payload.
struct TopLevelFields {
  Field payload;
  Field error;
  std::size_t error_offset = 0;  // an error without a message is given as its JSON text
  Field model;
  Field choices;
  Field usage;
  Field message;  // Ollama's; also where an error body may say what went wrong
  Field done;
  Field done_reason;
  Field prompt_eval_count;
  Field eval_count;

  // How far the reading of `choices` got.
  ChoiceSearch choice_search = ChoiceSearch::kLooking;
  std::size_t choice_count = 0;
  std::size_t choice_position = 0;  // of PayloadFields::choice

  void clear() {
    forget({&payload, &error, &model, &choices, &usage, &message, &done, &done_reason, &prompt_eval_count,
            &eval_count});
    choice_search = ChoiceSearch::kLooking;
    choice_count = 0;
  }
};

// Everything of a payload either decoder reads. Strings are views into the
// parse buffer, valid until the next payload.
struct PayloadFields {
  TopLevelFields top;
  BrokenElement broken_choice;  // when top.choice_search is kBroken
  ErrorFields error;
  ChoiceFields choice;
  DeltaFields delta;
  DetailFields detail;          // the element of reasoning_details being parsed
  BrokenElement broken_detail;  // when delta.details_broken
  UsageFields usage;
  MessageFields message;
};

}  // namespace vic_r1::stream::chunk_json
