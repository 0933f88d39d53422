#include "drivers/intent/json_string_member.h"

#include <cstddef>
#include <cstdint>

namespace vic_r1::intent {
namespace {

constexpr int kMaxDepth = 32;

// Where an unescaped string goes. None of them allocates: strings passed
// over go nowhere, a member's name into a small fixed buffer (a longer one
// cannot be the name asked for), the value into the caller's string, whose
// capacity the caller reserves.
class Discard {
 public:
  void clear() {}
  void push_back(char) {}
};

class MemberName {
 public:
  void clear() {
    size_ = 0;
    too_long_ = false;
  }
  void push_back(char c) {
    if (size_ == sizeof(bytes_)) {
      too_long_ = true;
      return;
    }
    bytes_[size_++] = c;
  }
  bool is(std::string_view name) const { return !too_long_ && std::string_view(bytes_, size_) == name; }

 private:
  char bytes_[64];
  std::size_t size_ = 0;
  bool too_long_ = false;
};

class JsonScanner {
 public:
  explicit JsonScanner(std::string_view text) : text_(text) {}

  void skip_space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }
  bool take(char expected) {
    skip_space();
    if (at_ < text_.size() && text_[at_] == expected) {
      ++at_;
      return true;
    }
    return false;
  }
  bool peek(char expected) {
    skip_space();
    return at_ < text_.size() && text_[at_] == expected;
  }
  bool at_end() {
    skip_space();
    return at_ == text_.size();
  }

  // A string at the cursor, unescaped into `out`.
  template <typename Sink>
  bool string(Sink& out) {
    out.clear();
    if (!take('"')) return false;
    while (at_ < text_.size()) {
      const char c = text_[at_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;  // raw control characters are not JSON
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (at_ >= text_.size()) return false;
      const char escape = text_[at_++];
      switch (escape) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u':
          if (!unicode_escape(out)) return false;
          break;
        default:
          return false;
      }
    }
    return false;
  }

  // Any value at the cursor, passed over.
  bool skip_value(int depth) {
    if (depth > kMaxDepth) return false;
    skip_space();
    if (at_ >= text_.size()) return false;
    const char c = text_[at_];
    if (c == '"') {
      Discard ignored;
      return string(ignored);
    }
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++at_;
      if (take(close)) return true;
      for (;;) {
        if (c == '{') {
          Discard ignored;
          if (!string(ignored) || !take(':')) return false;
        }
        if (!skip_value(depth + 1)) return false;
        if (take(close)) return true;
        if (!take(',')) return false;
      }
    }
    return literal("true") || literal("false") || literal("null") || number();
  }

 private:
  bool literal(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  bool digit() const { return at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9'; }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, as RFC 8259 section 6.
  bool number() {
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    if (!digit()) return false;
    if (text_[at_++] != '0')
      while (digit()) ++at_;
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (!digit()) return false;
      while (digit()) ++at_;
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (!digit()) return false;
      while (digit()) ++at_;
    }
    return true;
  }

  bool hex4(std::uint32_t& value) {
    if (text_.size() - at_ < 4) return false;
    value = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[at_++];
      value <<= 4;
      if (h >= '0' && h <= '9') value |= static_cast<std::uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f') value |= static_cast<std::uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') value |= static_cast<std::uint32_t>(h - 'A' + 10);
      else return false;
    }
    return true;
  }

  template <typename Sink>
  bool unicode_escape(Sink& out) {
    std::uint32_t code = 0;
    if (!hex4(code)) return false;
    if (code >= 0xD800 && code <= 0xDBFF) {
      // A high surrogate must be followed by an escaped low one.
      std::uint32_t low = 0;
      if (text_.size() - at_ < 2 || text_[at_] != '\\' || text_[at_ + 1] != 'u') return false;
      at_ += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    } else if (code >= 0xDC00 && code <= 0xDFFF) {
      return false;
    }
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
    return true;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

bool json_string_member(std::string_view json, std::string_view name, std::string& value) {
  JsonScanner scanner(json);
  if (!scanner.take('{')) return false;
  if (scanner.take('}')) return false;
  MemberName key;
  for (;;) {
    if (!scanner.string(key) || !scanner.take(':')) return false;
    if (key.is(name)) {
      if (!scanner.peek('"')) return false;
      return scanner.string(value);
    }
    if (!scanner.skip_value(1)) return false;
    if (scanner.take('}')) return false;
    if (!scanner.take(',')) return false;
  }
}

}  // namespace vic_r1::intent
