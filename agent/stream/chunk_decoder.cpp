#include "agent/stream/chunk_decoder.h"

#include "agent/text/utf8.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

// How a payload is decoded:
// 1. PayloadParser copies it, to decode its strings in place.
// 2. InPlaceJsonParser parses the copy; on anything unusual it gives up and
//    RapidJSON's parser parses a fresh copy instead, and reports any error.
// 3. Either parser sends its events to FieldCollector, which keeps only the
//    values the decoder reads (PayloadFields), as views into the copy.
// 4. The reading rules (decode_openai, decode_ollama) check those values'
//    types in the format's order and fill the StreamChunk.

namespace vic_r1::stream {
namespace {

// ---- Limits ---------------------------------------------------------------------

// Both parsers recurse once per level of nesting. Chunks nest about six deep;
// the limit keeps a hostile payload of a million '[' from overflowing the call
// stack. (RapidJSON's iterative mode needs no limit but costs more.)
constexpr unsigned kMaxNesting = 64;

// NUL bytes after our copy of the payload. RapidJSON's UTF-8 validation takes
// a whole sequence before judging it, so it reads up to 3 bytes past the end
// of a payload cut inside one; the fast path reads strings 8 bytes at a time,
// up to 7 bytes past the NUL that ends the payload.
constexpr std::size_t kPaddingBytes = 8;

// A payload copy larger than this is not kept for the next payload.
constexpr std::size_t kMaxKeptTextBytes = 64 * 1024;
// Nor a list of reasoning_details texts longer than this.
constexpr std::size_t kMaxKeptDetailTexts = 1024;

// What error_message_from_payload returns of a body that is not a JSON error.
constexpr std::size_t kMaxRawErrorBytes = 500;

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

// ---- UTF-8 ----------------------------------------------------------------------

using vic_r1::text::utf8_sequence_length;

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

// Validated UTF-8 never holds an encoded surrogate (ED A0..BF ..), so one
// found after decoding came from a \uDC00-\uDFFF escape with no high
// surrogate before it, which RapidJSON 1.1 lets through. It is not valid
// UTF-8 and would break everything downstream that counts characters.
bool holds_unpaired_surrogate(std::string_view text) {
  for (std::size_t at = text.find('\xED'); at != std::string_view::npos; at = text.find('\xED', at + 1)) {
    if (at + 1 < text.size() && static_cast<unsigned char>(text[at + 1]) >= 0xA0) return true;
  }
  return false;
}

std::string_view cut_at_character_boundary(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(" \t\r\n\f\v");
  return text.substr(first, last - first + 1);
}

bool is_json_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// key == name, for a literal name. Compared here, byte by byte after a
// length test: string_view's operator== and memcmp become calls into the C
// library on the robot's compiler, costly for names this short.
template <std::size_t kSize>
bool is_name(std::string_view key, const char (&name)[kSize]) {
  if (key.size() != kSize - 1) return false;
  for (std::size_t at = 0; at < kSize - 1; ++at) {
    if (key[at] != name[at]) return false;
  }
  return true;
}

// ---- What the parser keeps of a payload -----------------------------------------

enum class JsonKind : unsigned char { kAbsent, kNull, kFalse, kTrue, kNumber, kString, kObject, kArray };

const char* describe(JsonKind kind) {
  switch (kind) {
    case JsonKind::kNull:
      return "null";
    case JsonKind::kFalse:
    case JsonKind::kTrue:
      return "a boolean";
    case JsonKind::kObject:
      return "an object";
    case JsonKind::kArray:
      return "an array";
    case JsonKind::kString:
      return "a string";
    case JsonKind::kNumber:
      return "a number";
    case JsonKind::kAbsent:
      break;
  }
  return "an unknown JSON type";
}

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

void forget(std::initializer_list<Field*> fields) {
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
    forget(
        {&prompt_tokens, &completion_tokens, &total_tokens, &completion_tokens_details, &reasoning_tokens});
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

// ---- Collecting the fields --------------------------------------------------------

// The objects and arrays whose members the decoder reads; any other value is
// skipped whole (the parser still checks that it is JSON).
enum class Role : unsigned char {
  kSkip,
  kDocument,  // before and after the payload's one value
  kRoot,
  kError,
  kChoices,
  kChoice,
  kDelta,
  kReasoningDetails,
  kReasoningDetail,
  kUsage,
  kUsageDetails,
  kMessage,
};

// Each role but kDocument is an object except these two arrays.
bool role_is_array(Role role) { return role == Role::kChoices || role == Role::kReasoningDetails; }

// SAX events in (RapidJSON's handler interface, which both parsers drive),
// PayloadFields out: tracks where in the payload the parser is and keeps only
// the values the decoder reads. Every event is accepted, whatever the values'
// types, so that a syntax error is found wherever it is; the only refusal is
// nesting past kMaxNesting. The format's type rules are applied after the
// parse, in the order they are checked.
class FieldCollector {
 public:
  // `check_surrogates`: whether the parser can produce strings that hold an
  // unpaired surrogate (the fast path gives up on them instead).
  FieldCollector(std::string_view payload, const char* buffer, bool check_surrogates, PayloadFields& fields,
                 std::vector<std::string_view>& detail_texts)
      : payload_(payload),
        buffer_(buffer),
        check_surrogates_(check_surrogates),
        fields_(fields),
        detail_texts_(detail_texts) {
    roles_[0] = Role::kDocument;
    target_ = &fields_.top.payload;
    target_role_ = Role::kRoot;
  }

  bool Null() { return scalar(JsonKind::kNull); }
  bool Bool(bool value) { return scalar(value ? JsonKind::kTrue : JsonKind::kFalse); }
  bool Int(int value) { return scalar(JsonKind::kNumber, value); }
  bool Uint(unsigned value) { return scalar(JsonKind::kNumber, value); }
  bool Int64(std::int64_t value) { return scalar(JsonKind::kNumber, value); }
  bool Uint64(std::uint64_t value) {
    const bool fits = value <= static_cast<std::uint64_t>(std::numeric_limits<long long>::max());
    return scalar(JsonKind::kNumber, fits ? static_cast<long long>(value) : -1);
  }
  // A count must be an integer: "12.0" is a double, so not one.
  bool Double(double) { return scalar(JsonKind::kNumber); }
  // A number the parser did not convert, as it is not an integer.
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return scalar(JsonKind::kNumber); }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    return scalar(JsonKind::kString, -1, std::string_view(text, length));
  }

  bool Key(const char* text, rapidjson::SizeType length, bool) {
    target_ = nullptr;
    target_role_ = Role::kSkip;
    if (skip_depth_ > 0) return true;
    std::size_t* offset = nullptr;
    select_member(std::string_view(text, length), offset);
    if (target_ == nullptr) return true;
    if (target_->kind != JsonKind::kAbsent) {
      target_ = nullptr;  // a repeated member: the first one counts
      return true;
    }
    if (offset != nullptr) *offset = value_offset_after_key(static_cast<std::size_t>(text - buffer_));
    return true;
  }

  bool StartObject() { return open(JsonKind::kObject); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(JsonKind::kArray); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  bool went_too_deep() const { return went_too_deep_; }

 private:
  // Enough for the deepest path read: document, root, choices, a choice, its
  // delta, reasoning_details, one detail.
  static constexpr std::size_t kMaxRoles = 8;

  Role current_role() const { return roles_[role_depth_]; }

  void select(Field& field, Role role = Role::kSkip) {
    target_ = &field;
    target_role_ = role;
  }

  // Points target_ at the field a member of the current object fills, and
  // target_role_ at the role its value takes if it is an object or array the
  // decoder reads into. Names are told apart by length first: most members of
  // a chunk are ones the decoder skips, and few names read share a length.
  void select_member(std::string_view key, std::size_t*& offset) {
    PayloadFields& f = fields_;
    switch (current_role()) {
      case Role::kRoot:
        switch (key.size()) {
          case 4:
            if (is_name(key, "done")) select(f.top.done);
            return;
          case 5:
            if (is_name(key, "model")) {
              select(f.top.model);
            } else if (is_name(key, "error")) {
              select(f.top.error, Role::kError);
              offset = &f.top.error_offset;
            } else if (is_name(key, "usage")) {
              select(f.top.usage, Role::kUsage);
            }
            return;
          case 7:
            if (is_name(key, "choices")) {
              select(f.top.choices, Role::kChoices);
            } else if (is_name(key, "message")) {
              select(f.top.message, Role::kMessage);
            }
            return;
          case 10:
            if (is_name(key, "eval_count")) select(f.top.eval_count);
            return;
          case 11:
            if (is_name(key, "done_reason")) select(f.top.done_reason);
            return;
          case 17:
            if (is_name(key, "prompt_eval_count")) select(f.top.prompt_eval_count);
            return;
          default:
            return;
        }
      case Role::kChoice:
        if (is_name(key, "delta")) {
          select(f.choice.delta, Role::kDelta);
        } else if (is_name(key, "index")) {
          select(f.choice.index);
        } else if (is_name(key, "finish_reason")) {
          select(f.choice.finish_reason);
        }
        return;
      case Role::kDelta: {
        DeltaFields& delta = f.delta;
        if (is_name(key, "content")) {
          select(delta.content);
        } else if (is_name(key, "reasoning_content")) {
          select(delta.reasoning_content);
        } else if (is_name(key, "reasoning")) {
          select(delta.reasoning);
        } else if (is_name(key, "reasoning_details")) {
          select(delta.reasoning_details, Role::kReasoningDetails);
        }
        return;
      }
      case Role::kReasoningDetail: {
        DetailFields& detail = f.detail;
        if (is_name(key, "type")) {
          select(detail.type);
        } else if (is_name(key, "text")) {
          select(detail.text);
        } else if (is_name(key, "summary")) {
          select(detail.summary);
        }
        return;
      }
      case Role::kUsage:
        if (is_name(key, "prompt_tokens")) {
          select(f.usage.prompt_tokens);
        } else if (is_name(key, "completion_tokens")) {
          select(f.usage.completion_tokens);
        } else if (is_name(key, "total_tokens")) {
          select(f.usage.total_tokens);
        } else if (is_name(key, "completion_tokens_details")) {
          select(f.usage.completion_tokens_details, Role::kUsageDetails);
        }
        return;
      case Role::kUsageDetails:
        if (is_name(key, "reasoning_tokens")) select(f.usage.reasoning_tokens);
        return;
      case Role::kError:
        if (is_name(key, "message")) {
          select(f.error.message);
        } else if (is_name(key, "code")) {
          select(f.error.code);
          offset = &f.error.code_offset;
        } else if (is_name(key, "type")) {
          select(f.error.type);
          offset = &f.error.type_offset;
        }
        return;
      case Role::kMessage:
        if (is_name(key, "content")) {
          select(f.message.content);
        } else if (is_name(key, "thinking")) {
          select(f.message.thinking);
        }
        return;
      case Role::kSkip:
      case Role::kDocument:
      case Role::kChoices:
      case Role::kReasoningDetails:
        return;
    }
  }

  // Where the value of a member starts in the payload, from where its key's
  // text starts. (Neither parser reports where a value starts, and RapidJSON's
  // stream position lags inside string events.) The key is known to end with
  // a quote, so the scan stops inside the payload.
  std::size_t value_offset_after_key(std::size_t key_offset) const {
    std::size_t at = key_offset;
    while (at < payload_.size() && payload_[at] != '"') at += payload_[at] == '\\' ? 2 : 1;
    ++at;  // the closing quote
    while (at < payload_.size() && (is_json_whitespace(payload_[at]) || payload_[at] == ':')) ++at;
    return at;
  }

  bool scalar(JsonKind kind, long long count = -1, std::string_view text = {}) {
    if (skip_depth_ > 0) return true;
    Role ignored = Role::kSkip;
    if (Field* const field = begin_value(kind, ignored)) {
      field->count = count < 0 ? -1 : count;
      field->text = text;
      field->unpaired_surrogate = check_surrogates_ && holds_unpaired_surrogate(text);
    }
    return true;
  }

  bool open(JsonKind kind) {
    if (depth_ == kMaxNesting) {
      went_too_deep_ = true;
      return false;
    }
    ++depth_;
    if (skip_depth_ > 0) {
      ++skip_depth_;
      return true;
    }
    Role next = Role::kSkip;
    begin_value(kind, next);
    if (next == Role::kSkip) {
      skip_depth_ = 1;
      return true;
    }
    if (next == Role::kError) fields_.error.clear();
    if (next == Role::kDelta) {
      fields_.delta.clear();
      detail_texts_.clear();
    }
    if (next == Role::kUsage) fields_.usage.clear();
    if (next == Role::kMessage) fields_.message.clear();
    roles_[++role_depth_] = next;
    return true;
  }

  bool close() {
    --depth_;
    if (skip_depth_ > 0) {
      --skip_depth_;
      return true;
    }
    const Role ended = current_role();
    --role_depth_;
    if (ended == Role::kChoice) end_choice();
    if (ended == Role::kReasoningDetail) end_detail();
    return true;
  }

  // Starts a value: returns the field it fills with its kind set (null when
  // the decoder does not read it), and sets `role` to the role it takes if it
  // is an object or array the decoder reads into. An element of choices or
  // reasoning_details is read by rules of its own.
  Field* begin_value(JsonKind kind, Role& role) {
    Field* const field = target_;
    const Role wanted = target_role_;
    target_ = nullptr;
    target_role_ = Role::kSkip;
    if (current_role() == Role::kChoices) {
      role = begin_choice(kind);
      return nullptr;
    }
    if (current_role() == Role::kReasoningDetails) {
      role = begin_detail(kind);
      return nullptr;
    }
    if (field == nullptr) return nullptr;
    field->kind = kind;
    const bool opens_wanted = wanted != Role::kSkip &&
                              (role_is_array(wanted) ? kind == JsonKind::kArray : kind == JsonKind::kObject);
    if (opens_wanted) role = wanted;
    return field;
  }

  Role begin_choice(JsonKind kind) {
    TopLevelFields& top = fields_.top;
    const std::size_t position = top.choice_count++;
    if (top.choice_search != ChoiceSearch::kLooking) return Role::kSkip;
    if (kind != JsonKind::kObject) {
      fields_.broken_choice = BrokenElement{position, {}, Field{kind, false, 0, {}}};
      top.choice_search = ChoiceSearch::kBroken;
      return Role::kSkip;
    }
    fields_.choice.clear();
    top.choice_position = position;
    return Role::kChoice;
  }

  // The chosen choice is the first whose `index` is 0, or the first element
  // when it has no index.
  void end_choice() {
    TopLevelFields& top = fields_.top;
    const Field& index = fields_.choice.index;
    if (index.sent() && !index.is_count()) {
      fields_.broken_choice = BrokenElement{top.choice_position, "index", index};
      top.choice_search = ChoiceSearch::kBroken;
    } else if (index.sent() ? index.count == 0 : top.choice_position == 0) {
      top.choice_search = ChoiceSearch::kFound;
    }
  }

  Role begin_detail(JsonKind kind) {
    DeltaFields& delta = fields_.delta;
    const std::size_t position = delta.detail_count++;
    if (delta.details_broken) return Role::kSkip;
    if (kind != JsonKind::kObject) {
      break_details(BrokenElement{position, {}, Field{kind, false, 0, {}}});
      return Role::kSkip;
    }
    fields_.detail.clear();
    return Role::kReasoningDetail;
  }

  void break_details(const BrokenElement& broken) {
    fields_.broken_detail = broken;
    fields_.delta.details_broken = true;
  }

  // reasoning.encrypted carries opaque data, never text; unknown types are
  // skipped so a new kind of detail cannot break a stream.
  void end_detail() {
    DeltaFields& delta = fields_.delta;
    const DetailFields& detail = fields_.detail;
    const std::size_t position = delta.detail_count - 1;
    if (!detail.type.sent()) return;
    if (!detail.type.is_clean_string()) {
      break_details(BrokenElement{position, "type", detail.type});
      return;
    }
    std::string_view member;
    const Field* text = nullptr;
    if (is_name(detail.type.text, "reasoning.text")) {
      member = "text";
      text = &detail.text;
    } else if (is_name(detail.type.text, "reasoning.summary")) {
      member = "summary";
      text = &detail.summary;
    } else {
      return;
    }
    if (!text->sent()) return;
    if (!text->is_clean_string()) {
      break_details(BrokenElement{position, member, *text});
      return;
    }
    delta.details_hold_text = true;
    detail_texts_.push_back(text->text);
  }

  std::string_view payload_;  // as sent, for where values start
  const char* buffer_;        // the copy being parsed in place
  bool check_surrogates_;
  PayloadFields& fields_;
  std::vector<std::string_view>& detail_texts_;

  std::array<Role, kMaxRoles> roles_{};
  std::size_t role_depth_ = 0;
  std::size_t skip_depth_ = 0;  // levels open inside a value being skipped
  unsigned depth_ = 0;
  bool went_too_deep_ = false;
  Field* target_ = nullptr;  // filled by the next value
  Role target_role_ = Role::kSkip;
};

// ---- The fast path ------------------------------------------------------------------

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "plain_run() takes the first byte of a word to be its least significant");

// Which byte of a non-zero mask of high bits is the lowest with its bit set.
std::size_t lowest_flagged_byte(std::uint64_t mask) {
#if UINTPTR_MAX > 0xFFFFFFFFu
  return static_cast<std::size_t>(__builtin_ctzll(mask)) / 8;
#else
  // On a 32-bit core (the robot's) a 64-bit count of trailing zeros is a
  // library call: count in halves.
  const auto low = static_cast<std::uint32_t>(mask);
  if (low != 0) return static_cast<std::size_t>(__builtin_ctz(low)) / 8;
  return 4 + static_cast<std::size_t>(__builtin_ctz(static_cast<std::uint32_t>(mask >> 32))) / 8;
#endif
}

// How many bytes from `text` pass through a string unchanged, up to the first
// quote, backslash, control character (the NUL after the payload is one) or
// non-ASCII byte. Eight bytes at a time, in one word: subtracting 1 from each
// byte of the word XOR '"' sets the high bit of a byte that was a quote (and
// XOR '\\' of a backslash), subtracting 0x20 that of a control character, and
// a non-ASCII byte has it set already. No other byte gets it except by a
// borrow from a byte below that was one of these, so the lowest bit set marks
// the first stop exactly.
std::size_t plain_run(const char* text) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  std::size_t run = 0;
  for (;;) {
    std::uint64_t word = 0;
    std::memcpy(&word, text + run, sizeof(word));
    const std::uint64_t stops = (((word ^ (kOnes * '"')) - kOnes) | ((word ^ (kOnes * '\\')) - kOnes) |
                                 (word - kOnes * 0x20) | word) &
                                kHighBits;
    if (stops != 0) return run + lowest_flagged_byte(stops);
    run += sizeof(word);
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads four hex digits; false if they are not.
bool read_hex4(const char* text, unsigned& value) {
  value = 0;
  for (int digit = 0; digit < 4; ++digit) {
    const char c = text[digit];
    unsigned nibble = 0;
    if (c >= '0' && c <= '9') {
      nibble = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      nibble = static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      nibble = static_cast<unsigned>(c - 'A' + 10);
    } else {
      return false;
    }
    value = value << 4 | nibble;
  }
  return true;
}

void put_utf8(unsigned code_point, char*& out) {
  if (code_point < 0x80) {
    *out++ = static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    *out++ = static_cast<char>(0xC0 | code_point >> 6);
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    *out++ = static_cast<char>(0xE0 | code_point >> 12);
    *out++ = static_cast<char>(0x80 | (code_point >> 6 & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    *out++ = static_cast<char>(0xF0 | code_point >> 18);
    *out++ = static_cast<char>(0x80 | (code_point >> 12 & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point >> 6 & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// RapidJSON's parser goes through strings a byte at a time (validating UTF-8
// a byte at a time too) and pays for the generality of its design on every
// value; this one parses a chunk in under half the instructions. It is strict
// JSON, parsed in place, and it drives a handler with the events RapidJSON's
// parser would send. But it gives up (parse() returns npos) on whatever it
// does not expect: malformed JSON or UTF-8, a number RapidJSON might refuse
// as too big, a lone low surrogate escape, nesting the handler refuses.
// RapidJSON then parses the payload afresh and decides, so every error, and
// the byte it names, is RapidJSON's. What this accepts RapidJSON accepts, with
// the same events: FastParserAndRapidJsonReadEveryPayloadAlike and the tests
// around it hold the two to that.
template <typename Handler>
class InPlaceJsonParser {
 public:
  // `text`: the payload's `size` bytes, followed by kPaddingBytes NUL bytes.
  InPlaceJsonParser(char* text, std::size_t size, Handler& handler)
      : begin_(text), end_(text + size), at_(text), handler_(handler) {}

  // Parses the one JSON value at the start; returns the offset just past it.
  std::size_t parse() {
    skip_whitespace();
    if (!value()) return std::string_view::npos;
    return static_cast<std::size_t>(at_ - begin_);
  }

 private:
  // A longer integer may not fit in 64 bits, where RapidJSON reads a double;
  // with a longer exponent RapidJSON may refuse the number as too big.
  static constexpr int kMaxIntegerDigits = 18;
  static constexpr int kMaxExponentDigits = 2;

  void skip_whitespace() {
    while (static_cast<unsigned char>(*at_) <= ' ' && is_json_whitespace(*at_)) ++at_;
  }

  // Whether the next token is `token`. Servers rarely put whitespace between
  // tokens, so it is looked past only when the token is not next.
  bool next_is(char token) {
    if (*at_ == token) return true;
    skip_whitespace();
    return *at_ == token;
  }

  bool value() {
    switch (*at_) {
      case '"':
        return string();
      case '{':
        return object();
      case '[':
        return array();
      case 't':
        return word("true") && handler_.Bool(true);
      case 'f':
        return word("false") && handler_.Bool(false);
      case 'n':
        return word("null") && handler_.Null();
      default:
        return number();
    }
  }

  bool object() {
    ++at_;
    if (!handler_.StartObject()) return false;
    rapidjson::SizeType members = 0;
    if (!next_is('}')) {
      for (;;) {
        if (!next_is('"') || !key()) return false;
        if (!next_is(':')) return false;
        ++at_;
        if (!next_value()) return false;
        ++members;
        if (!next_is(',')) break;
        ++at_;
      }
      if (*at_ != '}') return false;
    }
    ++at_;
    return handler_.EndObject(members);
  }

  bool array() {
    ++at_;
    if (!handler_.StartArray()) return false;
    rapidjson::SizeType elements = 0;
    if (!next_is(']')) {
      for (;;) {
        if (!next_value()) return false;
        ++elements;
        if (!next_is(',')) break;
        ++at_;
      }
      if (*at_ != ']') return false;
    }
    ++at_;
    return handler_.EndArray(elements);
  }

  // Most values in a chunk are strings: they go straight to string().
  bool next_value() { return next_is('"') ? string() : value(); }

  bool key() {
    char* text = nullptr;
    rapidjson::SizeType length = 0;
    return scan_string(text, length) && handler_.Key(text, length, false);
  }

  bool string() {
    char* text = nullptr;
    rapidjson::SizeType length = 0;
    return scan_string(text, length) && handler_.String(text, length, false);
  }

  // Decodes the string whose opening quote is at at_ where it stands: its
  // text starts just after the quote, as with RapidJSON's in-situ parsing.
  bool scan_string(char*& text, rapidjson::SizeType& length) {
    text = ++at_;
    at_ += plain_run(at_);
    char* end = at_;  // of the decoded text
    if (*at_ != '"' && !decode_string_rest(end)) return false;
    length = static_cast<rapidjson::SizeType>(end - text);
    ++at_;
    return true;
  }

  // The rest of a string from its first escape or non-ASCII character, at
  // at_ (and `out`): decodes it in place, leaves at_ at the closing quote and
  // `out` at the end of the decoded text. Out of line: it is rare, and
  // inlined it would slow down every other string.
  [[gnu::noinline]] bool decode_string_rest(char*& out) {
    for (;;) {
      const auto stop = static_cast<unsigned char>(*at_);
      if (stop == '"') return true;
      std::size_t unchanged = 0;  // bytes from at_ that pass as they are
      if (stop >= 0x80) {
        const auto* const character = reinterpret_cast<const unsigned char*>(at_);
        unchanged = utf8_sequence_length(character, static_cast<std::size_t>(end_ - at_));
        if (unchanged == 0) return false;
      } else if (stop == '\\') {
        if (!escape(out)) return false;
      } else {
        return false;  // a control character, or the payload's end
      }
      unchanged += plain_run(at_ + unchanged);
      if (out != at_) std::memmove(out, at_, unchanged);
      out += unchanged;
      at_ += unchanged;
    }
  }

  bool escape(char*& out) {
    char decoded = 0;
    switch (at_[1]) {
      case '"':
      case '\\':
      case '/':
        decoded = at_[1];
        break;
      case 'b':
        decoded = '\b';
        break;
      case 'f':
        decoded = '\f';
        break;
      case 'n':
        decoded = '\n';
        break;
      case 'r':
        decoded = '\r';
        break;
      case 't':
        decoded = '\t';
        break;
      case 'u':
        return unicode_escape(out);
      default:
        return false;
    }
    *out++ = decoded;
    at_ += 2;
    return true;
  }

  // \uXXXX, or a surrogate pair of them. A high surrogate alone is an error.
  // A low one alone RapidJSON 1.1 lets through, encoded, for the reading
  // rules to refuse if the decoder reads the string: that case is left to
  // RapidJSON, so that strings parsed here never need checking for one.
  bool unicode_escape(char*& out) {
    unsigned code_point = 0;
    if (!read_hex4(at_ + 2, code_point)) return false;
    if (code_point >= 0xDC00 && code_point <= 0xDFFF) return false;
    at_ += 6;
    if (code_point >= 0xD800 && code_point <= 0xDBFF) {
      unsigned low = 0;
      if (at_[0] != '\\' || at_[1] != 'u' || !read_hex4(at_ + 2, low) || low < 0xDC00 || low > 0xDFFF) {
        return false;
      }
      at_ += 6;
      code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
    }
    put_utf8(code_point, out);
    return true;
  }

  // Integers go to the handler as RapidJSON's would (-0 is the integer 0);
  // others as unconverted text, as the decoder reads no fractional value.
  bool number() {
    const char* const start = at_;
    const bool minus = *at_ == '-';
    if (minus) ++at_;
    std::uint64_t magnitude = 0;
    if (*at_ == '0') {
      ++at_;
    } else if (is_digit(*at_)) {
      int digits = 0;
      while (is_digit(*at_)) {
        if (++digits > kMaxIntegerDigits) return false;
        magnitude = magnitude * 10 + static_cast<unsigned>(*at_++ - '0');
      }
    } else {
      return false;
    }
    bool integer = true;
    if (*at_ == '.') {
      ++at_;
      if (!is_digit(*at_)) return false;
      while (is_digit(*at_)) ++at_;
      integer = false;
    }
    if (*at_ == 'e' || *at_ == 'E') {
      ++at_;
      if (*at_ == '+' || *at_ == '-') ++at_;
      if (!is_digit(*at_)) return false;
      int digits = 0;
      while (is_digit(*at_)) {
        if (++digits > kMaxExponentDigits) return false;
        ++at_;
      }
      integer = false;
    }
    if (!integer) return handler_.RawNumber(start, static_cast<rapidjson::SizeType>(at_ - start), false);
    if (!minus) return handler_.Uint64(magnitude);
    return handler_.Int64(-static_cast<std::int64_t>(magnitude));
  }

  template <std::size_t kSize>
  bool word(const char (&expected)[kSize]) {
    // The NUL after the payload ends a cut word: no read goes past it.
    for (std::size_t at = 0; at < kSize - 1; ++at) {
      if (at_[at] != expected[at]) return false;
    }
    at_ += kSize - 1;
    return true;
  }

  char* const begin_;
  const char* const end_;
  char* at_;
  Handler& handler_;
};

// ---- Parsing a payload ----------------------------------------------------------------

// RapidJSON's words for a parse error, corrected where version 1.1 misleads:
// it reports a raw control character in a string as a bad escape.
std::string describe_parse_error(rapidjson::ParseErrorCode code, std::string_view payload,
                                 std::size_t offset) {
  if (code == rapidjson::kParseErrorStringEscapeInvalid && offset < payload.size() &&
      static_cast<unsigned char>(payload[offset]) < 0x20) {
    return "Control character in string (it must be escaped).";
  }
  return rapidjson::GetParseError_En(code);
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

// The memory one decoder reuses from payload to payload.
class PayloadParser {
 public:
  // Parses `payload` into fields(). On failure `error` says why and where.
  bool parse(std::string_view payload, std::string& error) {
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

  const PayloadFields& fields() const { return fields_; }
  // The texts of reasoning_details elements, in order, of the chosen choice.
  const std::vector<std::string_view>& detail_texts() const { return detail_texts_; }

  std::size_t held_bytes() const {
    return text_.capacity() + detail_texts_.capacity() * sizeof(std::string_view);
  }

 private:
  // A fresh copy of the payload to parse in place, and nothing read from it.
  void start(std::string_view payload) {
    if (text_.capacity() > kMaxKeptTextBytes) std::vector<char>().swap(text_);
    if (detail_texts_.capacity() > kMaxKeptDetailTexts) std::vector<std::string_view>().swap(detail_texts_);
    text_.resize(payload.size() + kPaddingBytes);
    if (!payload.empty()) std::memcpy(text_.data(), payload.data(), payload.size());
    std::memset(text_.data() + payload.size(), 0, kPaddingBytes);
    fields_.top.clear();
    detail_texts_.clear();
  }

  // For what the fast path gave up on: from a fresh copy, as it may have
  // decoded strings in place already. `end`: just past the JSON value.
  bool parse_with_rapidjson(std::string_view payload, std::size_t& end, std::string& error) {
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

  std::vector<char> text_;  // the payload, decoded in place
  PayloadFields fields_;
  std::vector<std::string_view> detail_texts_;
};

// ---- Reading the fields -------------------------------------------------------------

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

// Where a field sits in the payload; spelled out only when an error names it.
struct FieldPath {
  const FieldPath* parent = nullptr;
  std::string_view member;  // empty: the element of the parent array at `element`
  std::size_t element = 0;
};

void spell_path(const FieldPath& path, std::string& out) {
  if (path.parent != nullptr) spell_path(*path.parent, out);
  if (path.member.empty()) {
    out += '[';
    out += std::to_string(path.element);
    out += ']';
    return;
  }
  if (path.parent != nullptr) out += '.';
  out += path.member;
}

// Applies the types the format fixes, failing with an error that names the
// field. Null and absent read alike, as "not sent" (`found` null).
class FieldReader {
 public:
  explicit FieldReader(std::string& error) : error_(error) {}

  bool wrong_type(const FieldPath& path, JsonKind kind, const char* expected) {
    error_.clear();
    spell_path(path, error_);
    error_ += " is ";
    error_ += describe(kind);
    error_ += "; expected ";
    error_ += expected;
    return false;
  }

  bool string_field(const Field& field, const FieldPath& path, const Field*& found) {
    found = field.sent() ? &field : nullptr;
    if (found == nullptr) return true;
    if (field.kind != JsonKind::kString) return wrong_type(path, field.kind, "a string or null");
    if (field.unpaired_surrogate) {
      error_.clear();
      spell_path(path, error_);
      error_ += " holds a \\u escape of a low surrogate (DC00-DFFF) with no high surrogate before it";
      return false;
    }
    return true;
  }

  bool object_field(const Field& field, const FieldPath& path, const Field*& found) {
    found = field.sent() ? &field : nullptr;
    if (found != nullptr && field.kind != JsonKind::kObject)
      return wrong_type(path, field.kind, "an object or null");
    return true;
  }

  bool array_field(const Field& field, const FieldPath& path, const Field*& found) {
    found = field.sent() ? &field : nullptr;
    if (found != nullptr && field.kind != JsonKind::kArray)
      return wrong_type(path, field.kind, "an array or null");
    return true;
  }

  bool boolean_field(const Field& field, const FieldPath& path, bool& value) {
    value = false;
    if (!field.sent()) return true;
    if (field.kind != JsonKind::kTrue && field.kind != JsonKind::kFalse) {
      return wrong_type(path, field.kind, "true, false or null");
    }
    value = field.kind == JsonKind::kTrue;
    return true;
  }

  // A token count or an index: -1 when not sent.
  bool count_field(const Field& field, const FieldPath& path, long long& count) {
    count = -1;
    if (!field.sent()) return true;
    if (!field.is_count()) return wrong_type(path, field.kind, "a non-negative integer or null");
    count = field.count;
    return true;
  }

  // The error for an array element at which reading stopped.
  bool broken_element(const BrokenElement& broken, const FieldPath& array_path) {
    const FieldPath element_path{&array_path, {}, broken.position};
    if (broken.member.empty()) return wrong_type(element_path, broken.field.kind, "an object");
    // Only an index is read as a count; every other member read is a string.
    const FieldPath member_path{&element_path, broken.member};
    if (broken.member == "index") {
      long long ignored = 0;
      return count_field(broken.field, member_path, ignored);
    }
    const Field* ignored = nullptr;
    return string_field(broken.field, member_path, ignored);
  }

 private:
  std::string& error_;
};

void assign_text(std::string& out, const Field* string) {
  if (string != nullptr) out.assign(string->text);
}

// When the payload is an error, fills the chunk from it and returns true. The
// model is kept only when well formed: a bad one must not hide the error.
bool take_error(const PayloadFields& fields, std::string_view payload, StreamChunk& chunk) {
  if (!fields.top.error.sent()) return false;
  chunk.is_error = true;
  describe_stream_error(fields, payload, chunk.error_message);
  if (fields.top.model.kind == JsonKind::kString) chunk.model.assign(fields.top.model.text);
  return true;
}

bool decode_reasoning_details(const PayloadFields& fields, const std::vector<std::string_view>& texts,
                              const FieldPath& delta_path, bool add_text, StreamChunk& chunk,
                              FieldReader& read, bool& holds_text) {
  const DeltaFields& delta = fields.delta;
  holds_text = false;
  const FieldPath details_path{&delta_path, "reasoning_details"};
  const Field* details = nullptr;
  if (!read.array_field(delta.reasoning_details, details_path, details)) return false;
  if (details == nullptr) return true;
  if (delta.details_broken) return read.broken_element(fields.broken_detail, details_path);
  holds_text = delta.details_hold_text;
  if (add_text) {
    for (const std::string_view text : texts) chunk.reasoning.append(text);
  }
  return true;
}

bool decode_delta(const PayloadFields& fields, const std::vector<std::string_view>& detail_texts,
                  const FieldPath& delta_path, StreamChunk& chunk, FieldReader& read) {
  const DeltaFields& delta = fields.delta;
  const Field* content = nullptr;
  const Field* reasoning_content = nullptr;
  const Field* reasoning = nullptr;
  if (!read.string_field(delta.content, FieldPath{&delta_path, "content"}, content) ||
      !read.string_field(delta.reasoning_content, FieldPath{&delta_path, "reasoning_content"},
                         reasoning_content) ||
      !read.string_field(delta.reasoning, FieldPath{&delta_path, "reasoning"}, reasoning)) {
    return false;
  }
  assign_text(chunk.content, content);

  // Servers that send several reasoning fields repeat one text in each, so
  // the first that holds a string is the text.
  const Field* reasoning_text = reasoning_content != nullptr ? reasoning_content : reasoning;
  bool details_hold_text = false;
  if (!decode_reasoning_details(fields, detail_texts, delta_path, reasoning_text == nullptr, chunk, read,
                                details_hold_text)) {
    return false;
  }
  assign_text(chunk.reasoning, reasoning_text);
  chunk.has_reasoning_field = reasoning_text != nullptr || details_hold_text;
  return true;
}

bool decode_choice(const PayloadFields& fields, const std::vector<std::string_view>& detail_texts,
                   const FieldPath& choice_path, StreamChunk& chunk, FieldReader& read) {
  const ChoiceFields& choice = fields.choice;
  const FieldPath delta_path{&choice_path, "delta"};
  const Field* delta = nullptr;
  if (!read.object_field(choice.delta, delta_path, delta)) return false;
  if (delta != nullptr && !decode_delta(fields, detail_texts, delta_path, chunk, read)) return false;
  const Field* finish_reason = nullptr;
  if (!read.string_field(choice.finish_reason, FieldPath{&choice_path, "finish_reason"}, finish_reason)) {
    return false;
  }
  assign_text(chunk.finish_reason, finish_reason);
  return true;
}

bool decode_choices(const PayloadFields& fields, const std::vector<std::string_view>& detail_texts,
                    StreamChunk& chunk, FieldReader& read) {
  const FieldPath choices_path{nullptr, "choices"};
  const Field* choices = nullptr;
  if (!read.array_field(fields.top.choices, choices_path, choices)) return false;
  if (choices == nullptr) return true;
  switch (fields.top.choice_search) {
    case ChoiceSearch::kBroken:
      return read.broken_element(fields.broken_choice, choices_path);
    case ChoiceSearch::kFound:
      return decode_choice(fields, detail_texts, FieldPath{&choices_path, {}, fields.top.choice_position},
                           chunk, read);
    case ChoiceSearch::kLooking:
      break;
  }
  return true;  // no choice for index 0
}

bool decode_usage(const PayloadFields& fields, StreamChunk& chunk, FieldReader& read) {
  const FieldPath usage_path{nullptr, "usage"};
  const Field* usage = nullptr;
  if (!read.object_field(fields.top.usage, usage_path, usage)) return false;
  if (usage == nullptr) return true;
  chunk.has_usage = true;
  TokenUsage& counts = chunk.usage;
  const FieldPath details_path{&usage_path, "completion_tokens_details"};
  const Field* details = nullptr;
  if (!read.count_field(fields.usage.prompt_tokens, FieldPath{&usage_path, "prompt_tokens"},
                        counts.prompt_tokens) ||
      !read.count_field(fields.usage.completion_tokens, FieldPath{&usage_path, "completion_tokens"},
                        counts.completion_tokens) ||
      !read.count_field(fields.usage.total_tokens, FieldPath{&usage_path, "total_tokens"},
                        counts.total_tokens) ||
      !read.object_field(fields.usage.completion_tokens_details, details_path, details)) {
    return false;
  }
  return details == nullptr ||
         read.count_field(fields.usage.reasoning_tokens, FieldPath{&details_path, "reasoning_tokens"},
                          counts.reasoning_tokens);
}

bool decode_openai(const PayloadParser& parser, std::string_view payload, StreamChunk& chunk,
                   FieldReader& read) {
  const PayloadFields& fields = parser.fields();
  if (take_error(fields, payload, chunk)) return true;
  const Field* model = nullptr;
  if (!read.string_field(fields.top.model, FieldPath{nullptr, "model"}, model)) return false;
  assign_text(chunk.model, model);
  return decode_choices(fields, parser.detail_texts(), chunk, read) && decode_usage(fields, chunk, read);
}

bool decode_ollama_done(const PayloadFields& fields, StreamChunk& chunk, FieldReader& read) {
  const Field* done_reason = nullptr;
  if (!read.string_field(fields.top.done_reason, FieldPath{nullptr, "done_reason"}, done_reason))
    return false;
  if (done_reason != nullptr && !done_reason->text.empty()) {
    assign_text(chunk.finish_reason, done_reason);
  } else {
    chunk.finish_reason.assign("stop");
  }
  TokenUsage& counts = chunk.usage;
  if (!read.count_field(fields.top.prompt_eval_count, FieldPath{nullptr, "prompt_eval_count"},
                        counts.prompt_tokens) ||
      !read.count_field(fields.top.eval_count, FieldPath{nullptr, "eval_count"}, counts.completion_tokens)) {
    return false;
  }
  chunk.has_usage = counts.prompt_tokens >= 0 || counts.completion_tokens >= 0;
  const bool both_sent = counts.prompt_tokens >= 0 && counts.completion_tokens >= 0;
  if (both_sent && counts.prompt_tokens <= std::numeric_limits<long long>::max() - counts.completion_tokens) {
    counts.total_tokens = counts.prompt_tokens + counts.completion_tokens;
  }
  return true;
}

bool decode_ollama(const PayloadParser& parser, std::string_view payload, StreamChunk& chunk,
                   FieldReader& read) {
  const PayloadFields& fields = parser.fields();
  if (take_error(fields, payload, chunk)) return true;
  const Field* model = nullptr;
  if (!read.string_field(fields.top.model, FieldPath{nullptr, "model"}, model)) return false;
  assign_text(chunk.model, model);

  const FieldPath message_path{nullptr, "message"};
  const Field* message = nullptr;
  if (!read.object_field(fields.top.message, message_path, message)) return false;
  if (message != nullptr) {
    const Field* content = nullptr;
    const Field* thinking = nullptr;
    if (!read.string_field(fields.message.content, FieldPath{&message_path, "content"}, content) ||
        !read.string_field(fields.message.thinking, FieldPath{&message_path, "thinking"}, thinking)) {
      return false;
    }
    assign_text(chunk.content, content);
    assign_text(chunk.reasoning, thinking);
    chunk.has_reasoning_field = thinking != nullptr;
  }

  bool done = false;
  if (!read.boolean_field(fields.top.done, FieldPath{nullptr, "done"}, done)) return false;
  return !done || decode_ollama_done(fields, chunk, read);
}

}  // namespace

struct ChunkDecoder::Parser : PayloadParser {};

ChunkDecoder::ChunkDecoder() = default;
ChunkDecoder::~ChunkDecoder() = default;
ChunkDecoder::ChunkDecoder(ChunkDecoder&&) noexcept = default;
ChunkDecoder& ChunkDecoder::operator=(ChunkDecoder&&) noexcept = default;

bool ChunkDecoder::parse(std::string_view payload) {
  // Made on first use, so a decoder that never decodes (or was moved from)
  // holds no memory, and one that was moved from still works.
  if (!parser_) parser_ = std::make_unique<Parser>();
  if (!parser_->parse(payload, error_)) return false;
  const JsonKind root = parser_->fields().top.payload.kind;
  if (root != JsonKind::kObject) {
    error_ = std::string("payload is ") + describe(root) + "; expected a JSON object";
    return false;
  }
  return true;
}

bool ChunkDecoder::decode_openai_chunk(std::string_view payload, StreamChunk& chunk) {
  chunk.clear();
  error_.clear();
  FieldReader read(error_);
  if (parse(payload) && decode_openai(*parser_, payload, chunk, read)) return true;
  chunk.clear();
  return false;
}

bool ChunkDecoder::decode_ollama_line(std::string_view payload, StreamChunk& chunk) {
  chunk.clear();
  error_.clear();
  FieldReader read(error_);
  if (parse(payload) && decode_ollama(*parser_, payload, chunk, read)) return true;
  chunk.clear();
  return false;
}

std::size_t ChunkDecoder::retained_bytes() const {
  if (!parser_) return 0;
  return sizeof(Parser) + parser_->held_bytes();
}

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
