#include "agent/stream/payload_fields.h"

namespace vic_r1::stream::chunk_json {

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

}  // namespace vic_r1::stream::chunk_json
