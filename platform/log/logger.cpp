#include "platform/log/logger.h"

#include <algorithm>
#include <cstring>

namespace vic_r1::logging {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

}  // namespace

void LineText::append(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7F) {
      if (size_ == sizeof(bytes_)) return;
      bytes_[size_++] = c;
      continue;
    }
    char escaped[4] = {'\\', 'x', kHexDigits[byte >> 4], kHexDigits[byte & 0x0F]};
    std::size_t length = 4;
    if (c == '\n' || c == '\r' || c == '\t') {
      escaped[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
      length = 2;
    }
    // All of an escape or none of it: half of one would read as something else.
    if (sizeof(bytes_) - size_ < length) return;
    std::memcpy(bytes_ + size_, escaped, length);
    size_ += length;
  }
}

void LineText::append_raw(std::string_view text) {
  const std::size_t size = std::min(text.size(), sizeof(bytes_) - size_);
  std::memcpy(bytes_ + size_, text.data(), size);
  size_ += size;
}

}  // namespace vic_r1::logging
