#pragma once

namespace vic_r1::stream::chunk_json {

// JSON's whitespace (RFC 8259): space, tab, LF and CR, nothing else. Every
// reader of a payload's text skips exactly these.
inline bool is_json_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace vic_r1::stream::chunk_json
