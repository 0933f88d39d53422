#pragma once

// The types the stream formats fix for the fields the decoder reads, checked
// in the format's order, with an error that names the field by its path
// (choices[0].delta.content is a number; expected a string or null).

#include <cstddef>
#include <string>
#include <string_view>

#include "agent/stream/payload_fields.h"

namespace vic_r1::stream::chunk_json {

// Where a field sits in the payload; spelled out only when an error names it.
struct FieldPath {
  const FieldPath* parent = nullptr;
  std::string_view member;  // empty: the element of the parent array at `element`
  std::size_t element = 0;
};

// Writes the path as JavaScript would: choices[0].delta.content.
void spell_path(const FieldPath& path, std::string& out);

// Applies the types the format fixes, failing with an error that names the
// field. Null and absent read alike, as "not sent" (`found` null).
class FieldReader {
 public:
  explicit FieldReader(std::string& error) : error_(error) {}

  // Fails with "<path> is <kind>; expected <expected>".
  bool wrong_type(const FieldPath& path, JsonKind kind, const char* expected);

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
  bool broken_element(const BrokenElement& broken, const FieldPath& array_path);

 private:
  std::string& error_;
};

inline void assign_text(std::string& out, const Field* string) {
  if (string != nullptr) out.assign(string->text);
}

}  // namespace vic_r1::stream::chunk_json
