#pragma once

#include <cstddef>
#include <string_view>

// Cutting text to a byte budget without splitting a UTF-8 character: the one
// rule for every log line, error message, history entry and spoken text.
// Judged by continuation bytes (10xxxxxx) only, so invalid input is cut
// somewhere harmless too. Header-only, for every layer.
namespace vic_r1::text {

inline bool is_utf8_continuation(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

// The length of the longest prefix of `text` of at most `max_bytes` that
// does not end inside a multibyte character.
inline std::size_t utf8_prefix_length(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text.size();
  std::size_t end = max_bytes;
  while (end > 0 && is_utf8_continuation(text[end])) --end;
  return end;
}

}  // namespace vic_r1::text
