#pragma once

// FieldCollector: the handler both JSON parsers drive, which keeps only the
// values the chunk decoder reads. Defined here whole, so that the parsers'
// calls into it are inlined where they are instantiated (payload_parser.cpp).

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include <rapidjson/rapidjson.h>

#include "agent/stream/json_whitespace.h"
#include "agent/stream/payload_fields.h"

namespace vic_r1::stream::chunk_json {

// Both parsers recurse once per level of nesting. Chunks nest about six deep;
// the limit keeps a hostile payload of a million '[' from overflowing the call
// stack. (RapidJSON's iterative mode needs no limit but costs more.)
constexpr unsigned kMaxNesting = 64;

// Validated UTF-8 never holds an encoded surrogate (ED A0..BF ..), so one
// found after decoding came from a \uDC00-\uDFFF escape with no high
// surrogate before it, which RapidJSON 1.1 lets through. It is not valid
// UTF-8 and would break everything downstream that counts characters.
inline bool holds_unpaired_surrogate(std::string_view text) {
  for (std::size_t at = text.find('\xED'); at != std::string_view::npos; at = text.find('\xED', at + 1)) {
    if (at + 1 < text.size() && static_cast<unsigned char>(text[at + 1]) >= 0xA0) return true;
  }
  return false;
}

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
inline bool role_is_array(Role role) { return role == Role::kChoices || role == Role::kReasoningDetails; }

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

}  // namespace vic_r1::stream::chunk_json
