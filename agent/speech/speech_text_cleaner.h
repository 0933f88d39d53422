#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vic_r1::speech {

// Where the cleaner's output goes: the answer as it should be spoken, one
// character, space or line break at a time.
class CleanTextSink {
 public:
  virtual ~CleanTextSink() = default;
  // One whole, valid UTF-8 character that is to be spoken (never a control
  // character, never whitespace).
  virtual void on_character(char32_t code_point, std::string_view utf8) = 0;
  // Whitespace, or something removed that separated words; runs are not collapsed here.
  virtual void on_space() = 0;
  // The end of a line of the answer.
  virtual void on_line_break() = 0;
};

// Turns an answer written for the eye into text for the ear, one streamed
// piece at a time. Sans-I/O and chunking-proof: the output depends only on
// the bytes, never on how they were cut; it holds back at most a cut-short
// UTF-8 character (3 bytes) and a possible list marker at a line's start
// (kMaxLineMarkerBytes).
//
// What it removes or rewrites:
//  - invalid UTF-8: each maximal invalid subpart is dropped (not replaced:
//    a replacement character would be read aloud or skipped anyway); C0/C1
//    control characters other than tab and line breaks are dropped;
//  - at a line's start (after blanks, repeatedly): "#".."######" headings,
//    "-", "*", "+" and "•" bullets, "1." and "1)" numbering (up to 9 digits),
//    ">" quotes, each followed by a blank (">" and "•" need none); "---",
//    "***", "___" rules; "```" code fence lines, whole;
//  - inline: "*", "`", "~", "\", "{", "}", "[" are removed; "_", "|", "^"
//    become a space (snake_case and table cells stay apart); "]" is removed
//    and a link target "(...)" right after it is skipped up to ")" or a
//    blank; "#" before a digit reads "number", elsewhere it is removed;
//    "&" reads "and", "@" reads "at";
//  - emoji and pictographs (U+1F000-1FAFF, U+2600-27BF, U+2300-23FF,
//    U+2B00-2BFF, U+25A0-25FF, arrows other than "→") become a space;
//    variation selectors, ZWJ and other zero-width characters, emoji tags
//    and the keycap mark are removed;
//  - typography: curly quotes become straight ones, "…" becomes "...",
//    an em dash " - ", an en dash "-", no-break and other wide spaces a
//    space; "×" reads "times", "÷" "divided by", "→" "to".
class SpeechTextCleaner {
 public:
  static constexpr std::size_t kMaxLineMarkerBytes = 10;  // "123456789."

  void feed(std::string_view text, CleanTextSink& sink);
  // A stretch of text ended (the answer, or speech before a blocking
  // animation): a cut-short character is dropped, a held line start is
  // released as text. Whether the next text starts a line is kept.
  void finish(CleanTextSink& sink);
  void reset();
  // Bytes are held that may still become text.
  bool holds_bytes() const { return utf8_size_ > 0 || !marker_.empty(); }

 private:
  enum class Line {
    kStart,   // blanks and list markers are removed here
    kMarker,  // marker_ may be the start of a list marker
    kRule,    // after "---": more of the rule is removed
    kFence,   // a "```" line: removed to its end
    kInline,  // the rest of the line
  };

  void put_byte(unsigned char byte, CleanTextSink& sink);
  void put_character(char32_t code_point, std::string_view utf8, CleanTextSink& sink);
  void put_inline(char32_t code_point, std::string_view utf8, CleanTextSink& sink);
  void release_marker(CleanTextSink& sink);

  unsigned char utf8_[4] = {};
  std::size_t utf8_size_ = 0;
  std::size_t utf8_length_ = 0;
  Line line_ = Line::kStart;
  std::string marker_;  // ASCII: "##", "12.", "--", "``"
  char rule_char_ = '-';
  bool after_bracket_ = false;   // a "]" came just before: "(" starts a link target
  bool in_link_target_ = false;  // inside "(url)" after "]": removed
  bool after_hash_ = false;      // a "#" came just before
};

}  // namespace vic_r1::speech
