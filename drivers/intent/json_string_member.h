#pragma once

#include <string>
#include <string_view>

namespace vic_r1::intent {

// Reads one string member of a top-level JSON object, e.g. `query_text` from
// the parameters vic-cloud passes with a knowledge-graph answer, unescaped to
// UTF-8. The bridge has no JSON library (it must stay small and never
// allocate on its hot path); this reads exactly RFC 8259 objects, skipping
// the other members whatever they hold, nested up to a fixed depth.
//
// Returns false when `json` is not an object, the member is missing or not a
// string, or the text is malformed anywhere before the member was found.
//
// Nothing is allocated but what `value` needs: the unescaped text is never
// longer than `json`, so a `value` with that much capacity never grows.
bool json_string_member(std::string_view json, std::string_view name, std::string& value);

}  // namespace vic_r1::intent
