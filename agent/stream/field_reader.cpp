#include "agent/stream/field_reader.h"

namespace vic_r1::stream::chunk_json {

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

bool FieldReader::wrong_type(const FieldPath& path, JsonKind kind, const char* expected) {
  error_.clear();
  spell_path(path, error_);
  error_ += " is ";
  error_ += describe(kind);
  error_ += "; expected ";
  error_ += expected;
  return false;
}

bool FieldReader::broken_element(const BrokenElement& broken, const FieldPath& array_path) {
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

}  // namespace vic_r1::stream::chunk_json
