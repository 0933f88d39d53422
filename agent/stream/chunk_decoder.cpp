#include "agent/stream/chunk_decoder.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace vic_r1::stream {
namespace {

// RapidJSON's Allocator concept over memory kept from one payload to the
// next: after the first few payloads of a stream, parsing allocates nothing.
// Not RapidJSON's MemoryPoolAllocator: version 1.1 rounds its allocations to
// 4 bytes on 32-bit targets, but its values hold 64-bit integers and doubles
// and so need 8-byte alignment there too (GCC may load them with NEON
// instructions that fault on a misaligned address).
class ReusableArena {
 public:
  static constexpr bool kNeedFree = false;

  ReusableArena() : ReusableArena(kDefaultFirstBlockBytes) {}
  explicit ReusableArena(std::size_t first_block_bytes) : first_block_bytes_(round_up(first_block_bytes)) {}

  void* Malloc(std::size_t size) {
    if (size == 0) return nullptr;
    const std::size_t rounded = round_up(size);
    if (blocks_.empty() || used_ + rounded > blocks_.back().bytes) start_block(rounded);
    unsigned char* const start = blocks_.back().begin() + used_;
    last_offset_ = used_;
    last_ = start;
    used_ += rounded;
    handed_out_ += rounded;
    return start;
  }

  void* Realloc(void* original, std::size_t original_size, std::size_t new_size) {
    if (original == nullptr) return Malloc(new_size);
    if (new_size == 0) return nullptr;
    if (new_size <= original_size) return original;
    // RapidJSON's parse stacks grow by reallocation; the newest allocation
    // grows in place while its block has room.
    const std::size_t rounded = round_up(new_size);
    if (original == last_ && last_offset_ + rounded <= blocks_.back().bytes) {
      handed_out_ += last_offset_ + rounded - used_;
      used_ = last_offset_ + rounded;
      return original;
    }
    void* const moved = Malloc(new_size);
    std::memcpy(moved, original, original_size);
    return moved;
  }

  static void Free(void*) {}

  // Forgets every allocation. When the payload just parsed needed more than
  // the first block, the first block grows to fit it (up to a cap), so a
  // stream of large chunks settles into one block instead of allocating
  // extra blocks for each.
  void reset() {
    if (blocks_.size() > 1 || handed_out_ > first_block_bytes_) {
      const std::size_t wanted = handed_out_ < kMaxKeptBlockBytes ? handed_out_ : kMaxKeptBlockBytes;
      if (wanted > first_block_bytes_) first_block_bytes_ = round_up(wanted);
      blocks_.clear();
    }
    used_ = 0;
    handed_out_ = 0;
    last_ = nullptr;
    last_offset_ = 0;
  }

  std::size_t held_bytes() const {
    std::size_t bytes = 0;
    for (const Block& block : blocks_) bytes += block.bytes;
    return bytes;
  }

 private:
  // Every RapidJSON value holds at most 8-byte scalars and pointers.
  static constexpr std::size_t kAlignment = 8;
  static constexpr std::size_t kDefaultFirstBlockBytes = 1024;
  static constexpr std::size_t kMaxKeptBlockBytes = 64 * 1024;

  struct Block {
    std::unique_ptr<std::uint64_t[]> words;
    std::size_t bytes = 0;
    unsigned char* begin() const { return reinterpret_cast<unsigned char*>(words.get()); }
  };

  static std::size_t round_up(std::size_t size) { return (size + kAlignment - 1) & ~(kAlignment - 1); }

  void start_block(std::size_t at_least) {
    std::size_t bytes = blocks_.empty() ? first_block_bytes_ : blocks_.back().bytes;
    if (bytes < at_least) bytes = at_least;
    Block block;
    block.words.reset(new std::uint64_t[bytes / sizeof(std::uint64_t)]);
    block.bytes = bytes;
    blocks_.push_back(std::move(block));
    used_ = 0;
  }

  std::size_t first_block_bytes_;
  std::vector<Block> blocks_;   // the newest serves allocations
  std::size_t used_ = 0;        // bytes taken from the newest block
  std::size_t handed_out_ = 0;  // since the last reset, in all blocks
  void* last_ = nullptr;
  std::size_t last_offset_ = 0;
};

using Document = rapidjson::GenericDocument<rapidjson::UTF8<>, ReusableArena, ReusableArena>;
using Value = Document::ValueType;
static_assert(alignof(Value) <= 8, "ReusableArena aligns to 8 bytes");

// In situ: strings are decoded inside our copy of the payload; one copy of
// the whole payload is cheaper than RapidJSON's two copies of every string
// (to its parse stack, then to the allocator) otherwise. Stop when done: we
// check what follows the value ourselves, because the parser would take a
// NUL byte inside the payload for its end.
constexpr unsigned kParseFlags =
    rapidjson::kParseInsituFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseStopWhenDoneFlag;

// RapidJSON's parser recurses once per level of nesting. Chunks nest about six
// deep; the limit keeps a hostile payload of a million '[' from overflowing
// the call stack. (Its iterative mode needs no limit but costs 10-15% more
// instructions per chunk.)
constexpr unsigned kMaxNesting = 64;

// UTF-8 validation takes a whole sequence before judging it, so a payload
// ending inside a 4-byte sequence is read up to 3 bytes past its end.
constexpr std::size_t kValidationOverrunBytes = 4;

// A payload copy larger than this is not kept for the next payload.
constexpr std::size_t kMaxKeptTextBytes = 64 * 1024;
// A chunk's values and parse stacks take under 1 KiB each, so a normal
// stream never needs a second block.
constexpr std::size_t kFirstValueBlockBytes = 2048;
constexpr std::size_t kFirstStackBlockBytes = 2048;
constexpr std::size_t kFirstDocumentStackBytes = 512;

// What error_message_from_payload returns of a body that is not a JSON error.
constexpr std::size_t kMaxRawErrorBytes = 500;

struct PayloadArena {
  PayloadArena() = default;
  PayloadArena(const PayloadArena&) = delete;
  PayloadArena& operator=(const PayloadArena&) = delete;

  ReusableArena values{kFirstValueBlockBytes};
  ReusableArena stacks{kFirstStackBlockBytes};
  Document document{&values, kFirstDocumentStackBytes, &stacks};
  std::string text;  // the payload, decoded in place
};

bool is_json_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Hands the parser's events to the document, refusing nesting past kMaxNesting.
class NestingLimit {
 public:
  explicit NestingLimit(Document& document) : document_(document) {}

  bool Null() { return document_.Null(); }
  bool Bool(bool value) { return document_.Bool(value); }
  bool Int(int value) { return document_.Int(value); }
  bool Uint(unsigned value) { return document_.Uint(value); }
  bool Int64(std::int64_t value) { return document_.Int64(value); }
  bool Uint64(std::uint64_t value) { return document_.Uint64(value); }
  bool Double(double value) { return document_.Double(value); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool copy) {
    return document_.RawNumber(text, length, copy);
  }
  bool String(const char* text, rapidjson::SizeType length, bool copy) {
    return document_.String(text, length, copy);
  }
  bool Key(const char* text, rapidjson::SizeType length, bool copy) {
    return document_.Key(text, length, copy);
  }
  bool StartObject() { return enter() && document_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return document_.EndObject(members);
  }
  bool StartArray() { return enter() && document_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return document_.EndArray(elements);
  }

  bool went_too_deep() const { return went_too_deep_; }

 private:
  bool enter() {
    if (depth_ == kMaxNesting) {
      went_too_deep_ = true;
      return false;
    }
    ++depth_;
    return true;
  }

  Document& document_;
  unsigned depth_ = 0;
  bool went_too_deep_ = false;
};

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

// Parses `payload` into arena.document. On failure `error` says why and where.
bool parse_payload(PayloadArena& arena, std::string_view payload, std::string& error) {
  // The old root points into `text` and the arenas; drop it before both change.
  arena.document.SetNull();
  arena.values.reset();
  arena.stacks.reset();
  if (arena.text.capacity() > kMaxKeptTextBytes) std::string().swap(arena.text);
  arena.text.assign(payload);
  arena.text.append(kValidationOverrunBytes, '\0');

  rapidjson::InsituStringStream stream(arena.text.data());
  rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, ReusableArena> reader(&arena.stacks);
  bool went_too_deep = false;
  auto parse_into = [&](Document& document) {
    NestingLimit limited(document);
    const bool parsed = !reader.Parse<kParseFlags>(stream, limited).IsError();
    went_too_deep = limited.went_too_deep();
    return parsed;
  };
  arena.document.Populate(parse_into);

  if (reader.HasParseError()) {
    const std::size_t offset = reader.GetErrorOffset();
    if (went_too_deep) {
      // The parser stops just after the bracket that went one level too deep.
      error = "objects and arrays nested deeper than " + std::to_string(kMaxNesting) + " levels at byte " +
              std::to_string(offset - 1);
    } else {
      error = "not valid JSON at byte " + std::to_string(offset) + ": " +
              describe_parse_error(reader.GetParseErrorCode(), payload, offset);
    }
    arena.document.SetNull();
    return false;
  }
  for (std::size_t offset = stream.Tell(); offset < payload.size(); ++offset) {
    if (!is_json_whitespace(payload[offset])) {
      error = "unexpected data after the JSON value at byte " + std::to_string(offset);
      arena.document.SetNull();
      return false;
    }
  }
  return true;
}

const char* describe_type(const Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "a boolean";
    case rapidjson::kObjectType:
      return "an object";
    case rapidjson::kArrayType:
      return "an array";
    case rapidjson::kStringType:
      return "a string";
    case rapidjson::kNumberType:
      return "a number";
  }
  return "an unknown JSON type";
}

const Value* find_member(const Value& object, std::string_view name) {
  for (auto member = object.MemberBegin(); member != object.MemberEnd(); ++member) {
    if (member->name.GetStringLength() == name.size() &&
        std::memcmp(member->name.GetString(), name.data(), name.size()) == 0) {
      return &member->value;
    }
  }
  return nullptr;
}

std::string_view text_of(const Value& string) { return {string.GetString(), string.GetStringLength()}; }

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

std::string json_text_of(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
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

// A stream error carries no HTTP status, so the error object's code and type
// are kept: they are the only names of the cause.
void describe_stream_error(const Value& error, std::string& message) {
  if (error.IsString()) {
    message.assign(error.GetString(), error.GetStringLength());
    if (message.empty()) message = "the server sent an error with an empty message";
    return;
  }
  const Value* text = error.IsObject() ? find_member(error, "message") : nullptr;
  if (text == nullptr || !text->IsString() || text->GetStringLength() == 0) {
    message = cut_at_character_boundary(json_text_of(error), kMaxRawErrorBytes);
    return;
  }
  message.assign(text->GetString(), text->GetStringLength());
  bool named_a_detail = false;
  for (const std::string_view detail : {std::string_view("code"), std::string_view("type")}) {
    const Value* value = find_member(error, detail);
    if (value == nullptr || !(value->IsString() || value->IsNumber())) continue;
    message += named_a_detail ? ", " : " (";
    message += detail;
    message += ' ';
    message += value->IsString() ? std::string(text_of(*value)) : json_text_of(*value);
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

// Reads the fields whose type the format fixes, failing with an error that
// names the field. Each lookup finds `field.member` in `object`; null and
// absent read alike, as "not sent".
class FieldReader {
 public:
  explicit FieldReader(std::string& error) : error_(error) {}

  bool wrong_type(const FieldPath& field, const Value& value, const char* expected) {
    error_.clear();
    spell_path(field, error_);
    error_ += " is ";
    error_ += describe_type(value);
    error_ += "; expected ";
    error_ += expected;
    return false;
  }

  bool string_field(const Value& object, const FieldPath& field, const Value*& found) {
    found = find(object, field);
    if (found == nullptr) return true;
    if (!found->IsString()) return wrong_type(field, *found, "a string or null");
    if (holds_unpaired_surrogate(text_of(*found))) {
      error_.clear();
      spell_path(field, error_);
      error_ += " holds a \\u escape of a low surrogate (DC00-DFFF) with no high surrogate before it";
      return false;
    }
    return true;
  }

  bool object_field(const Value& object, const FieldPath& field, const Value*& found) {
    found = find(object, field);
    if (found != nullptr && !found->IsObject()) return wrong_type(field, *found, "an object or null");
    return true;
  }

  bool array_field(const Value& object, const FieldPath& field, const Value*& found) {
    found = find(object, field);
    if (found != nullptr && !found->IsArray()) return wrong_type(field, *found, "an array or null");
    return true;
  }

  bool boolean_field(const Value& object, const FieldPath& field, bool& value) {
    const Value* found = find(object, field);
    value = false;
    if (found == nullptr) return true;
    if (!found->IsBool()) return wrong_type(field, *found, "true, false or null");
    value = found->GetBool();
    return true;
  }

  // A token count or an index: -1 when not sent.
  bool count_field(const Value& object, const FieldPath& field, long long& count) {
    const Value* found = find(object, field);
    count = -1;
    if (found == nullptr) return true;
    if (!found->IsInt64() || found->GetInt64() < 0) {
      return wrong_type(field, *found, "a non-negative integer or null");
    }
    count = static_cast<long long>(found->GetInt64());
    return true;
  }

 private:
  static const Value* find(const Value& object, const FieldPath& field) {
    const Value* found = find_member(object, field.member);
    return found == nullptr || found->IsNull() ? nullptr : found;
  }

  std::string& error_;
};

void assign_text(std::string& out, const Value* string) {
  if (string != nullptr) out.assign(string->GetString(), string->GetStringLength());
}

// When the payload is an error, fills the chunk from it and returns true. The
// model is kept only when well formed: a bad one must not hide the error.
bool take_error(const Value& root, StreamChunk& chunk) {
  const Value* error = find_member(root, "error");
  if (error == nullptr || error->IsNull()) return false;
  chunk.is_error = true;
  describe_stream_error(*error, chunk.error_message);
  const Value* model = find_member(root, "model");
  if (model != nullptr && model->IsString()) assign_text(chunk.model, model);
  return true;
}

bool decode_reasoning_details(const Value& delta, const FieldPath& delta_path, bool add_text,
                              StreamChunk& chunk, FieldReader& read, bool& holds_text) {
  holds_text = false;
  const FieldPath details_path{&delta_path, "reasoning_details"};
  const Value* details = nullptr;
  if (!read.array_field(delta, details_path, details)) return false;
  if (details == nullptr) return true;
  for (rapidjson::SizeType position = 0; position < details->Size(); ++position) {
    const Value& detail = (*details)[position];
    const FieldPath detail_path{&details_path, {}, position};
    if (!detail.IsObject()) return read.wrong_type(detail_path, detail, "an object");
    const Value* type = nullptr;
    if (!read.string_field(detail, FieldPath{&detail_path, "type"}, type)) return false;
    if (type == nullptr) continue;
    // reasoning.encrypted carries opaque data, never text; unknown types are
    // skipped so a new kind of detail cannot break a stream.
    std::string_view text_member;
    if (text_of(*type) == "reasoning.text") {
      text_member = "text";
    } else if (text_of(*type) == "reasoning.summary") {
      text_member = "summary";
    } else {
      continue;
    }
    const Value* text = nullptr;
    if (!read.string_field(detail, FieldPath{&detail_path, text_member}, text)) return false;
    if (text == nullptr) continue;
    holds_text = true;
    if (add_text) chunk.reasoning.append(text->GetString(), text->GetStringLength());
  }
  return true;
}

bool decode_delta(const Value& delta, const FieldPath& delta_path, StreamChunk& chunk, FieldReader& read) {
  const Value* content = nullptr;
  const Value* reasoning_content = nullptr;
  const Value* reasoning = nullptr;
  if (!read.string_field(delta, FieldPath{&delta_path, "content"}, content) ||
      !read.string_field(delta, FieldPath{&delta_path, "reasoning_content"}, reasoning_content) ||
      !read.string_field(delta, FieldPath{&delta_path, "reasoning"}, reasoning)) {
    return false;
  }
  assign_text(chunk.content, content);

  // Servers that send several reasoning fields repeat one text in each, so
  // the first that holds a string is the text.
  const Value* reasoning_text = reasoning_content != nullptr ? reasoning_content : reasoning;
  bool details_hold_text = false;
  if (!decode_reasoning_details(delta, delta_path, reasoning_text == nullptr, chunk, read,
                                details_hold_text)) {
    return false;
  }
  assign_text(chunk.reasoning, reasoning_text);
  chunk.has_reasoning_field = reasoning_text != nullptr || details_hold_text;
  return true;
}

bool decode_choice(const Value& choice, const FieldPath& choice_path, StreamChunk& chunk, FieldReader& read) {
  const FieldPath delta_path{&choice_path, "delta"};
  const Value* delta = nullptr;
  if (!read.object_field(choice, delta_path, delta)) return false;
  if (delta != nullptr && !decode_delta(*delta, delta_path, chunk, read)) return false;
  const Value* finish_reason = nullptr;
  if (!read.string_field(choice, FieldPath{&choice_path, "finish_reason"}, finish_reason)) return false;
  assign_text(chunk.finish_reason, finish_reason);
  return true;
}

bool decode_choices(const Value& root, StreamChunk& chunk, FieldReader& read) {
  const FieldPath choices_path{nullptr, "choices"};
  const Value* choices = nullptr;
  if (!read.array_field(root, choices_path, choices)) return false;
  if (choices == nullptr) return true;
  for (rapidjson::SizeType position = 0; position < choices->Size(); ++position) {
    const Value& choice = (*choices)[position];
    const FieldPath choice_path{&choices_path, {}, position};
    if (!choice.IsObject()) return read.wrong_type(choice_path, choice, "an object");
    long long index = -1;
    if (!read.count_field(choice, FieldPath{&choice_path, "index"}, index)) return false;
    if (index == 0 || (index < 0 && position == 0)) return decode_choice(choice, choice_path, chunk, read);
  }
  return true;
}

bool decode_usage(const Value& root, StreamChunk& chunk, FieldReader& read) {
  const FieldPath usage_path{nullptr, "usage"};
  const Value* usage = nullptr;
  if (!read.object_field(root, usage_path, usage)) return false;
  if (usage == nullptr) return true;
  chunk.has_usage = true;
  TokenUsage& counts = chunk.usage;
  const FieldPath details_path{&usage_path, "completion_tokens_details"};
  const Value* details = nullptr;
  if (!read.count_field(*usage, FieldPath{&usage_path, "prompt_tokens"}, counts.prompt_tokens) ||
      !read.count_field(*usage, FieldPath{&usage_path, "completion_tokens"}, counts.completion_tokens) ||
      !read.count_field(*usage, FieldPath{&usage_path, "total_tokens"}, counts.total_tokens) ||
      !read.object_field(*usage, details_path, details)) {
    return false;
  }
  return details == nullptr ||
         read.count_field(*details, FieldPath{&details_path, "reasoning_tokens"}, counts.reasoning_tokens);
}

bool decode_openai(const Value& root, StreamChunk& chunk, FieldReader& read) {
  if (take_error(root, chunk)) return true;
  const Value* model = nullptr;
  if (!read.string_field(root, FieldPath{nullptr, "model"}, model)) return false;
  assign_text(chunk.model, model);
  return decode_choices(root, chunk, read) && decode_usage(root, chunk, read);
}

bool decode_ollama_done(const Value& root, StreamChunk& chunk, FieldReader& read) {
  const Value* done_reason = nullptr;
  if (!read.string_field(root, FieldPath{nullptr, "done_reason"}, done_reason)) return false;
  if (done_reason != nullptr && done_reason->GetStringLength() > 0) {
    assign_text(chunk.finish_reason, done_reason);
  } else {
    chunk.finish_reason.assign("stop");
  }
  TokenUsage& counts = chunk.usage;
  if (!read.count_field(root, FieldPath{nullptr, "prompt_eval_count"}, counts.prompt_tokens) ||
      !read.count_field(root, FieldPath{nullptr, "eval_count"}, counts.completion_tokens)) {
    return false;
  }
  chunk.has_usage = counts.prompt_tokens >= 0 || counts.completion_tokens >= 0;
  const bool both_sent = counts.prompt_tokens >= 0 && counts.completion_tokens >= 0;
  if (both_sent && counts.prompt_tokens <= std::numeric_limits<long long>::max() - counts.completion_tokens) {
    counts.total_tokens = counts.prompt_tokens + counts.completion_tokens;
  }
  return true;
}

bool decode_ollama(const Value& root, StreamChunk& chunk, FieldReader& read) {
  if (take_error(root, chunk)) return true;
  const Value* model = nullptr;
  if (!read.string_field(root, FieldPath{nullptr, "model"}, model)) return false;
  assign_text(chunk.model, model);

  const FieldPath message_path{nullptr, "message"};
  const Value* message = nullptr;
  if (!read.object_field(root, message_path, message)) return false;
  if (message != nullptr) {
    const Value* content = nullptr;
    const Value* thinking = nullptr;
    if (!read.string_field(*message, FieldPath{&message_path, "content"}, content) ||
        !read.string_field(*message, FieldPath{&message_path, "thinking"}, thinking)) {
      return false;
    }
    assign_text(chunk.content, content);
    assign_text(chunk.reasoning, thinking);
    chunk.has_reasoning_field = thinking != nullptr;
  }

  bool done = false;
  if (!read.boolean_field(root, FieldPath{nullptr, "done"}, done)) return false;
  return !done || decode_ollama_done(root, chunk, read);
}

}  // namespace

struct ChunkDecoder::ParseArena : PayloadArena {};

ChunkDecoder::ChunkDecoder() = default;
ChunkDecoder::~ChunkDecoder() = default;
ChunkDecoder::ChunkDecoder(ChunkDecoder&&) noexcept = default;
ChunkDecoder& ChunkDecoder::operator=(ChunkDecoder&&) noexcept = default;

bool ChunkDecoder::parse(std::string_view payload) {
  // Made on first use, so a decoder that never decodes (or was moved from)
  // holds no memory, and one that was moved from still works.
  if (!arena_) arena_ = std::make_unique<ParseArena>();
  if (!parse_payload(*arena_, payload, error_)) return false;
  if (!arena_->document.IsObject()) {
    error_ = std::string("payload is ") + describe_type(arena_->document) + "; expected a JSON object";
    return false;
  }
  return true;
}

bool ChunkDecoder::decode_openai_chunk(std::string_view payload, StreamChunk& chunk) {
  chunk.clear();
  error_.clear();
  FieldReader read(error_);
  if (parse(payload) && decode_openai(arena_->document, chunk, read)) return true;
  chunk.clear();
  return false;
}

bool ChunkDecoder::decode_ollama_line(std::string_view payload, StreamChunk& chunk) {
  chunk.clear();
  error_.clear();
  FieldReader read(error_);
  if (parse(payload) && decode_ollama(arena_->document, chunk, read)) return true;
  chunk.clear();
  return false;
}

std::size_t ChunkDecoder::retained_bytes() const {
  if (!arena_) return 0;
  return sizeof(ParseArena) + arena_->values.held_bytes() + arena_->stacks.held_bytes() +
         arena_->text.capacity();
}

std::string error_message_from_payload(std::string_view payload) {
  PayloadArena arena;
  std::string parse_error;
  if (parse_payload(arena, payload, parse_error) && arena.document.IsObject()) {
    const Value& root = arena.document;
    const Value* error = find_member(root, "error");
    const Value* message = nullptr;
    if (error != nullptr && error->IsString()) {
      message = error;
    } else if (error != nullptr && error->IsObject()) {
      message = find_member(*error, "message");
    } else {
      message = find_member(root, "message");
    }
    if (message != nullptr && message->IsString() && message->GetStringLength() > 0) {
      return std::string(text_of(*message));
    }
  }
  return std::string(cut_at_character_boundary(trim(payload), kMaxRawErrorBytes));
}

}  // namespace vic_r1::stream
