#pragma once

// InPlaceJsonParser: the fast, strict JSON parser the chunk decoder tries
// first on every payload, leaving anything unusual to RapidJSON's parser
// (payload_parser.cpp). A template over its handler, as RapidJSON's is.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include <rapidjson/rapidjson.h>

#include "agent/stream/json_whitespace.h"
#include "agent/text/utf8.h"

namespace vic_r1::stream::chunk_json {

using vic_r1::text::utf8_sequence_length;

// NUL bytes after our copy of the payload. RapidJSON's UTF-8 validation takes
// a whole sequence before judging it, so it reads up to 3 bytes past the end
// of a payload cut inside one; the fast path reads strings 8 bytes at a time,
// up to 7 bytes past the NUL that ends the payload.
constexpr std::size_t kPaddingBytes = 8;

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "plain_run() takes the first byte of a word to be its least significant");

// Which byte of a non-zero mask of high bits is the lowest with its bit set.
inline std::size_t lowest_flagged_byte(std::uint64_t mask) {
#if UINTPTR_MAX > 0xFFFFFFFFu
  return static_cast<std::size_t>(__builtin_ctzll(mask)) / 8;
#else
  // On a 32-bit core (the robot's) a 64-bit count of trailing zeros is a
  // library call: count in halves.
  const auto low = static_cast<std::uint32_t>(mask);
  if (low != 0) return static_cast<std::size_t>(__builtin_ctz(low)) / 8;
  return 4 + static_cast<std::size_t>(__builtin_ctz(static_cast<std::uint32_t>(mask >> 32))) / 8;
#endif
}

// How many bytes from `text` pass through a string unchanged, up to the first
// quote, backslash, control character (the NUL after the payload is one) or
// non-ASCII byte. Eight bytes at a time, in one word: subtracting 1 from each
// byte of the word XOR '"' sets the high bit of a byte that was a quote (and
// XOR '\\' of a backslash), subtracting 0x20 that of a control character, and
// a non-ASCII byte has it set already. No other byte gets it except by a
// borrow from a byte below that was one of these, so the lowest bit set marks
// the first stop exactly.
inline std::size_t plain_run(const char* text) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  std::size_t run = 0;
  for (;;) {
    std::uint64_t word = 0;
    std::memcpy(&word, text + run, sizeof(word));
    const std::uint64_t stops =
        (((word ^ (kOnes * '"')) - kOnes) | ((word ^ (kOnes * '\\')) - kOnes) | (word - kOnes * 0x20) | word) &
        kHighBits;
    if (stops != 0) return run + lowest_flagged_byte(stops);
    run += sizeof(word);
  }
}

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads four hex digits; false if they are not.
inline bool read_hex4(const char* text, unsigned& value) {
  value = 0;
  for (int digit = 0; digit < 4; ++digit) {
    const char c = text[digit];
    unsigned nibble = 0;
    if (c >= '0' && c <= '9') {
      nibble = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      nibble = static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      nibble = static_cast<unsigned>(c - 'A' + 10);
    } else {
      return false;
    }
    value = value << 4 | nibble;
  }
  return true;
}

inline void put_utf8(unsigned code_point, char*& out) {
  if (code_point < 0x80) {
    *out++ = static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    *out++ = static_cast<char>(0xC0 | code_point >> 6);
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    *out++ = static_cast<char>(0xE0 | code_point >> 12);
    *out++ = static_cast<char>(0x80 | (code_point >> 6 & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    *out++ = static_cast<char>(0xF0 | code_point >> 18);
    *out++ = static_cast<char>(0x80 | (code_point >> 12 & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point >> 6 & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// RapidJSON's parser goes through strings a byte at a time (validating UTF-8
// a byte at a time too) and pays for the generality of its design on every
// value; this one parses a chunk in under half the instructions. It is strict
// JSON, parsed in place, and it drives a handler with the events RapidJSON's
// parser would send. But it gives up (parse() returns npos) on whatever it
// does not expect: malformed JSON or UTF-8, a number RapidJSON might refuse
// as too big, a lone low surrogate escape, nesting the handler refuses.
// RapidJSON then parses the payload afresh and decides, so every error, and
// the byte it names, is RapidJSON's. What this accepts RapidJSON accepts, with
// the same events: FastParserAndRapidJsonReadEveryPayloadAlike and the tests
// around it hold the two to that.
template <typename Handler>
class InPlaceJsonParser {
 public:
  // `text`: the payload's `size` bytes, followed by kPaddingBytes NUL bytes.
  InPlaceJsonParser(char* text, std::size_t size, Handler& handler)
      : begin_(text), end_(text + size), at_(text), handler_(handler) {}

  // Parses the one JSON value at the start; returns the offset just past it.
  std::size_t parse() {
    skip_whitespace();
    if (!value()) return std::string_view::npos;
    return static_cast<std::size_t>(at_ - begin_);
  }

 private:
  // A longer integer may not fit in 64 bits, where RapidJSON reads a double;
  // with a longer exponent RapidJSON may refuse the number as too big.
  static constexpr int kMaxIntegerDigits = 18;
  static constexpr int kMaxExponentDigits = 2;

  void skip_whitespace() {
    while (static_cast<unsigned char>(*at_) <= ' ' && is_json_whitespace(*at_)) ++at_;
  }

  // Whether the next token is `token`. Servers rarely put whitespace between
  // tokens, so it is looked past only when the token is not next.
  bool next_is(char token) {
    if (*at_ == token) return true;
    skip_whitespace();
    return *at_ == token;
  }

  bool value() {
    switch (*at_) {
      case '"':
        return string();
      case '{':
        return object();
      case '[':
        return array();
      case 't':
        return word("true") && handler_.Bool(true);
      case 'f':
        return word("false") && handler_.Bool(false);
      case 'n':
        return word("null") && handler_.Null();
      default:
        return number();
    }
  }

  bool object() {
    ++at_;
    if (!handler_.StartObject()) return false;
    rapidjson::SizeType members = 0;
    if (!next_is('}')) {
      for (;;) {
        if (!next_is('"') || !key()) return false;
        if (!next_is(':')) return false;
        ++at_;
        if (!next_value()) return false;
        ++members;
        if (!next_is(',')) break;
        ++at_;
      }
      if (*at_ != '}') return false;
    }
    ++at_;
    return handler_.EndObject(members);
  }

  bool array() {
    ++at_;
    if (!handler_.StartArray()) return false;
    rapidjson::SizeType elements = 0;
    if (!next_is(']')) {
      for (;;) {
        if (!next_value()) return false;
        ++elements;
        if (!next_is(',')) break;
        ++at_;
      }
      if (*at_ != ']') return false;
    }
    ++at_;
    return handler_.EndArray(elements);
  }

  // Most values in a chunk are strings: they go straight to string().
  bool next_value() { return next_is('"') ? string() : value(); }

  bool key() {
    char* text = nullptr;
    rapidjson::SizeType length = 0;
    return scan_string(text, length) && handler_.Key(text, length, false);
  }

  bool string() {
    char* text = nullptr;
    rapidjson::SizeType length = 0;
    return scan_string(text, length) && handler_.String(text, length, false);
  }

  // Decodes the string whose opening quote is at at_ where it stands: its
  // text starts just after the quote, as with RapidJSON's in-situ parsing.
  bool scan_string(char*& text, rapidjson::SizeType& length) {
    text = ++at_;
    at_ += plain_run(at_);
    char* end = at_;  // of the decoded text
    if (*at_ != '"' && !decode_string_rest(end)) return false;
    length = static_cast<rapidjson::SizeType>(end - text);
    ++at_;
    return true;
  }

  // The rest of a string from its first escape or non-ASCII character, at
  // at_ (and `out`): decodes it in place, leaves at_ at the closing quote and
  // `out` at the end of the decoded text. Out of line: it is rare, and
  // inlined it would slow down every other string.
  [[gnu::noinline]] bool decode_string_rest(char*& out) {
    for (;;) {
      const auto stop = static_cast<unsigned char>(*at_);
      if (stop == '"') return true;
      std::size_t unchanged = 0;  // bytes from at_ that pass as they are
      if (stop >= 0x80) {
        const auto* const character = reinterpret_cast<const unsigned char*>(at_);
        unchanged = utf8_sequence_length(character, static_cast<std::size_t>(end_ - at_));
        if (unchanged == 0) return false;
      } else if (stop == '\\') {
        if (!escape(out)) return false;
      } else {
        return false;  // a control character, or the payload's end
      }
      unchanged += plain_run(at_ + unchanged);
      if (out != at_) std::memmove(out, at_, unchanged);
      out += unchanged;
      at_ += unchanged;
    }
  }

  bool escape(char*& out) {
    char decoded = 0;
    switch (at_[1]) {
      case '"':
      case '\\':
      case '/':
        decoded = at_[1];
        break;
      case 'b':
        decoded = '\b';
        break;
      case 'f':
        decoded = '\f';
        break;
      case 'n':
        decoded = '\n';
        break;
      case 'r':
        decoded = '\r';
        break;
      case 't':
        decoded = '\t';
        break;
      case 'u':
        return unicode_escape(out);
      default:
        return false;
    }
    *out++ = decoded;
    at_ += 2;
    return true;
  }

  // \uXXXX, or a surrogate pair of them. A high surrogate alone is an error.
  // A low one alone RapidJSON 1.1 lets through, encoded, for the reading
  // rules to refuse if the decoder reads the string: that case is left to
  // RapidJSON, so that strings parsed here never need checking for one.
  bool unicode_escape(char*& out) {
    unsigned code_point = 0;
    if (!read_hex4(at_ + 2, code_point)) return false;
    if (code_point >= 0xDC00 && code_point <= 0xDFFF) return false;
    at_ += 6;
    if (code_point >= 0xD800 && code_point <= 0xDBFF) {
      unsigned low = 0;
      if (at_[0] != '\\' || at_[1] != 'u' || !read_hex4(at_ + 2, low) || low < 0xDC00 || low > 0xDFFF) {
        return false;
      }
      at_ += 6;
      code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
    }
    put_utf8(code_point, out);
    return true;
  }

  // Integers go to the handler as RapidJSON's would (-0 is the integer 0);
  // others as unconverted text, as the decoder reads no fractional value.
  bool number() {
    const char* const start = at_;
    const bool minus = *at_ == '-';
    if (minus) ++at_;
    std::uint64_t magnitude = 0;
    if (*at_ == '0') {
      ++at_;
    } else if (is_digit(*at_)) {
      int digits = 0;
      while (is_digit(*at_)) {
        if (++digits > kMaxIntegerDigits) return false;
        magnitude = magnitude * 10 + static_cast<unsigned>(*at_++ - '0');
      }
    } else {
      return false;
    }
    bool integer = true;
    if (*at_ == '.') {
      ++at_;
      if (!is_digit(*at_)) return false;
      while (is_digit(*at_)) ++at_;
      integer = false;
    }
    if (*at_ == 'e' || *at_ == 'E') {
      ++at_;
      if (*at_ == '+' || *at_ == '-') ++at_;
      if (!is_digit(*at_)) return false;
      int digits = 0;
      while (is_digit(*at_)) {
        if (++digits > kMaxExponentDigits) return false;
        ++at_;
      }
      integer = false;
    }
    if (!integer) return handler_.RawNumber(start, static_cast<rapidjson::SizeType>(at_ - start), false);
    if (!minus) return handler_.Uint64(magnitude);
    return handler_.Int64(-static_cast<std::int64_t>(magnitude));
  }

  template <std::size_t kSize>
  bool word(const char (&expected)[kSize]) {
    // The NUL after the payload ends a cut word: no read goes past it.
    for (std::size_t at = 0; at < kSize - 1; ++at) {
      if (at_[at] != expected[at]) return false;
    }
    at_ += kSize - 1;
    return true;
  }

  char* const begin_;
  const char* const end_;
  char* at_;
  Handler& handler_;
};

}  // namespace vic_r1::stream::chunk_json
