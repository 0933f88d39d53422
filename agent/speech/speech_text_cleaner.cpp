#include "agent/speech/speech_text_cleaner.h"

namespace vic_r1::speech {
namespace {

bool is_blank(char32_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }

// ASCII words in place of a symbol; their spaces go out as spaces.
void say(std::string_view words, CleanTextSink& sink) {
  for (const char& c : words) {
    if (c == ' ') {
      sink.on_space();
    } else {
      sink.on_character(static_cast<unsigned char>(c), std::string_view(&c, 1));
    }
  }
}

// A word read in place of a symbol, with spaces so it never sticks to its neighbours.
void say_word(std::string_view word, CleanTextSink& sink) {
  sink.on_space();
  say(word, sink);
  sink.on_space();
}

enum class Treatment { kKeep, kSpace, kRemove };

// What becomes of a character outside ASCII that has no word of its own.
Treatment treatment_of(char32_t c) {
  if (c <= 0x9F) return Treatment::kRemove;  // C1 controls (ASCII is handled before)
  if (c == 0xA0 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
      c == 0x3000) {
    return Treatment::kSpace;
  }
  if ((c >= 0x200B && c <= 0x200F) || c == 0x2060 || c == 0xFEFF || (c >= 0xFE00 && c <= 0xFE0F) || c == 0x20E3 ||
      (c >= 0xE0000 && c <= 0xE007F) || (c >= 0xE0100 && c <= 0xE01EF) || c == 0xFFFD) {
    return Treatment::kRemove;  // zero-width, variation selectors, keycap, tags
  }
  if ((c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) || (c >= 0x2300 && c <= 0x23FF) ||
      (c >= 0x2B00 && c <= 0x2BFF) || (c >= 0x25A0 && c <= 0x25FF) || (c >= 0x2190 && c <= 0x21FF) ||
      c == 0x2022 || c == 0x3030 || c == 0x303D || c == 0x3297 || c == 0x3299) {
    return Treatment::kSpace;  // emoji, pictographs, arrows, bullets
  }
  return Treatment::kKeep;
}

// How a possible line marker goes on with one more character.
enum class MarkerStep { kMore, kMarker, kRule, kFence, kText };

MarkerStep next_marker_step(const std::string& marker, char32_t c) {
  const char first = marker.front();
  const std::size_t size = marker.size();
  switch (first) {
    case '#':
      if (c == '#' && size < 6) return MarkerStep::kMore;
      return is_blank(c) ? MarkerStep::kMarker : MarkerStep::kText;
    case '-':
    case '*':
    case '+':
      if (size == 1 && is_blank(c)) return MarkerStep::kMarker;
      if (first != '+' && c == static_cast<char32_t>(first)) {
        return size + 1 == 3 ? MarkerStep::kRule : MarkerStep::kMore;
      }
      return MarkerStep::kText;
    case '_':
      if (c == '_') return size + 1 == 3 ? MarkerStep::kRule : MarkerStep::kMore;
      return MarkerStep::kText;
    case '`':
      if (c == '`') return size + 1 == 3 ? MarkerStep::kFence : MarkerStep::kMore;
      return MarkerStep::kText;
    default: {  // digits
      const char last = marker.back();
      if (is_digit(static_cast<unsigned char>(last))) {
        if (is_digit(c) && size < SpeechTextCleaner::kMaxLineMarkerBytes - 1) return MarkerStep::kMore;
        if (c == '.' || c == ')') return MarkerStep::kMore;
        return MarkerStep::kText;
      }
      return is_blank(c) ? MarkerStep::kMarker : MarkerStep::kText;
    }
  }
}

bool starts_marker(char32_t c) {
  return c == '#' || c == '-' || c == '*' || c == '+' || c == '_' || c == '`' || is_digit(c);
}

}  // namespace

void SpeechTextCleaner::feed(std::string_view text, CleanTextSink& sink) {
  for (char byte : text) put_byte(static_cast<unsigned char>(byte), sink);
}

void SpeechTextCleaner::finish(CleanTextSink& sink) {
  utf8_size_ = 0;
  if (line_ == Line::kMarker) release_marker(sink);
  after_bracket_ = false;
  in_link_target_ = false;
  after_hash_ = false;
}

void SpeechTextCleaner::reset() {
  utf8_size_ = 0;
  utf8_length_ = 0;
  line_ = Line::kStart;
  marker_.clear();
  after_bracket_ = false;
  in_link_target_ = false;
  after_hash_ = false;
}

// UTF-8 is checked byte by byte, so a bad byte is known the moment it comes:
// each maximal invalid subpart is dropped, and the byte that showed it
// invalid is looked at again as a possible lead byte.
void SpeechTextCleaner::put_byte(unsigned char byte, CleanTextSink& sink) {
  if (utf8_size_ == 0) {
    if (byte < 0x80) {
      const char ascii = static_cast<char>(byte);
      put_character(byte, std::string_view(&ascii, 1), sink);
      return;
    }
    if (byte >= 0xC2 && byte <= 0xDF) {
      utf8_length_ = 2;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      utf8_length_ = 3;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      utf8_length_ = 4;
    } else {
      return;  // a continuation byte, C0, C1 or F5-FF on its own
    }
    utf8_[0] = byte;
    utf8_size_ = 1;
    return;
  }
  // The second byte's range rules out overlongs, surrogates and > U+10FFFF.
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (utf8_size_ == 1) {
    if (utf8_[0] == 0xE0) low = 0xA0;
    if (utf8_[0] == 0xED) high = 0x9F;
    if (utf8_[0] == 0xF0) low = 0x90;
    if (utf8_[0] == 0xF4) high = 0x8F;
  }
  if (byte < low || byte > high) {
    utf8_size_ = 0;
    put_byte(byte, sink);
    return;
  }
  utf8_[utf8_size_++] = byte;
  if (utf8_size_ < utf8_length_) return;
  char32_t code_point = utf8_[0] & (0x7F >> utf8_length_);
  for (std::size_t i = 1; i < utf8_length_; ++i) code_point = (code_point << 6) | (utf8_[i] & 0x3F);
  utf8_size_ = 0;
  put_character(code_point, std::string_view(reinterpret_cast<const char*>(utf8_), utf8_length_), sink);
}

void SpeechTextCleaner::put_character(char32_t c, std::string_view utf8, CleanTextSink& sink) {
  if (c == '\n') {
    if (line_ == Line::kMarker) release_marker(sink);
    sink.on_line_break();
    line_ = Line::kStart;
    after_bracket_ = false;
    in_link_target_ = false;
    after_hash_ = false;
    return;
  }
  switch (line_) {
    case Line::kFence:
      return;
    case Line::kRule:
      if (c == static_cast<unsigned char>(rule_char_) || is_blank(c)) return;
      line_ = Line::kInline;
      break;
    case Line::kStart:
      if (is_blank(c) || c == '>' || c == 0x2022) return;
      if (starts_marker(c)) {
        marker_.assign(1, static_cast<char>(c));
        line_ = Line::kMarker;
        return;
      }
      line_ = Line::kInline;
      break;
    case Line::kMarker:
      switch (next_marker_step(marker_, c)) {
        case MarkerStep::kMore:
          marker_.push_back(static_cast<char>(c));
          return;
        case MarkerStep::kMarker:
          marker_.clear();
          line_ = Line::kStart;
          return;
        case MarkerStep::kRule:
          rule_char_ = marker_.front();
          marker_.clear();
          line_ = Line::kRule;
          return;
        case MarkerStep::kFence:
          marker_.clear();
          line_ = Line::kFence;
          return;
        case MarkerStep::kText:
          release_marker(sink);
          break;
      }
      break;
    case Line::kInline:
      break;
  }
  put_inline(c, utf8, sink);
}

// Not a marker after all ("3.14", "-5", "**Bold**", "#1"): the held bytes are text.
void SpeechTextCleaner::release_marker(CleanTextSink& sink) {
  line_ = Line::kInline;
  std::string held;
  held.swap(marker_);
  for (const char& c : held) put_inline(static_cast<unsigned char>(c), std::string_view(&c, 1), sink);
}

void SpeechTextCleaner::put_inline(char32_t c, std::string_view utf8, CleanTextSink& sink) {
  if (in_link_target_) {
    if (c == ')') {
      in_link_target_ = false;
      return;
    }
    if (!is_blank(c)) return;
    in_link_target_ = false;
  }
  if (after_bracket_) {
    after_bracket_ = false;
    if (c == '(') {
      in_link_target_ = true;
      return;
    }
  }
  if (after_hash_) {
    after_hash_ = false;
    if (is_digit(c)) say_word("number", sink);
  }
  if (c < 0x80) {
    switch (c) {
      case ' ':
      case '\t':
      case '\r':
      case '\f':
      case '\v':
      case '_':
      case '|':
      case '^':
        sink.on_space();
        return;
      case '*':
      case '`':
      case '~':
      case '\\':
      case '{':
      case '}':
      case '[':
        return;
      case ']':
        after_bracket_ = true;
        return;
      case '#':
        after_hash_ = true;
        return;
      case '&':
        say_word("and", sink);
        return;
      case '@':
        say_word("at", sink);
        return;
      default:
        if (c < 0x20 || c == 0x7F) return;
        sink.on_character(c, utf8);
        return;
    }
  }
  switch (c) {
    case 0x2018:
    case 0x2019:
      say("'", sink);
      return;
    case 0x201C:
    case 0x201D:
      say("\"", sink);
      return;
    case 0x2026:
      say("...", sink);
      return;
    case 0x2014:
      say_word("-", sink);
      return;
    case 0x2013:
      say("-", sink);
      return;
    case 0x00D7:
      say_word("times", sink);
      return;
    case 0x00F7:
      say_word("divided by", sink);
      return;
    case 0x2192:
      say_word("to", sink);
      return;
    default:
      break;
  }
  switch (treatment_of(c)) {
    case Treatment::kKeep:
      sink.on_character(c, utf8);
      return;
    case Treatment::kSpace:
      sink.on_space();
      return;
    case Treatment::kRemove:
      return;
  }
}

}  // namespace vic_r1::speech
