#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "agent/speech/speech_text_cleaner.h"
#include "drivers/clad/anim_messages.h"

namespace vic_r1::speech {

// Cuts the streamed answer into sentences for vic-anim's text-to-speech, so
// that speech starts at the first real sentence end. Sans-I/O and
// chunking-proof: the sentences depend only on the text, never on how it was
// cut into feeds. The text is cleaned first (SpeechTextCleaner: markdown,
// lists, emoji, invalid UTF-8); spaces are collapsed and no space is kept
// before , . ; : ! ? or ")".
//
// A sentence ends, as early as it can be known:
//  - at a line break (a list item or paragraph ends there);
//  - after "?" or "!" (and any more terminators and closing quotes or
//    brackets) once a space follows;
//  - after "." and its closers once a space and then a character that is
//    not a lower-case letter follow, unless the word before the "." is a
//    title or abbreviation (Dr Mr Mrs Ms St Mt Prof Jr Sr vs approx cf),
//    a dotted initialism (e.g. i.e. U.S. J.R.R., but not a.m./p.m., which
//    end a sentence before a capital like "etc." does), a single capital
//    initial other than "I", "No" before a digit, or a list number of up to
//    three digits that opens the sentence ("2. Then ...");
//  - after an ellipsis ("..." or "…") once a space and then a character
//    that is not a lower-case letter follow;
//  - at flush().
// A "." or "?" with no space after it ("3.14", "v1.2.3", "example.com",
// "10:30") ends nothing.
//
// Every sentence is non-empty, has a letter or digit (a line of only
// punctuation is not spoken), is at most max_sentence_bytes of valid UTF-8
// and has no space at either end. A sentence longer than clause_cut_bytes
// is cut after its last clause end (", " "; " ": " " - ") seen so far; one
// that would outgrow max_sentence_bytes is cut at its last space, or, with
// none, where it is (between characters). Held back: at most the pending
// sentence (max_sentence_bytes) and the cleaner's few bytes.
class SentenceSegmenter {
 public:
  struct Options {
    // vic-anim's text-to-speech limit: a hard one. Raised to 4 if set lower,
    // so that any one character fits.
    std::size_t max_sentence_bytes = clad::kMaxTtsTextBytes;
    // A sentence longer than this is cut after a clause when it has one.
    std::size_t clause_cut_bytes = 250;
  };

  SentenceSegmenter();  // default Options (a default argument cannot be used for a nested struct)
  explicit SentenceSegmenter(Options options);

  // Appends each sentence that `text` completes.
  void feed(std::string_view text, std::vector<std::string>& sentences);
  // Emits what is pending: the answer ended, or a blocking animation comes next.
  void flush(std::vector<std::string>& sentences);
  void reset();
  bool has_pending() const { return !pending_.empty() || cleaner_.holds_bytes(); }

 private:
  // What ended the text so far, while the next characters decide.
  enum class Ending {
    kNone,
    kPeriod,    // "."
    kEllipsis,  // ".." or more
    kStrong,    // "?" or "!" among the terminators
  };

  // The cleaner's output arrives here.
  class Receiver final : public CleanTextSink {
   public:
    explicit Receiver(SentenceSegmenter& segmenter) : segmenter_(segmenter) {}
    void on_character(char32_t code_point, std::string_view utf8) override;
    void on_space() override;
    void on_line_break() override;

   private:
    SentenceSegmenter& segmenter_;
  };

  void on_character(char32_t code_point, std::string_view utf8);
  void on_space();
  void append(std::string_view utf8);
  bool ends_sentence(char32_t next) const;
  void cut_clause_if_long();
  void emit_pending();
  void emit_front(std::size_t length, std::size_t skip);

  Options options_;
  SpeechTextCleaner cleaner_;
  std::vector<std::string>* out_ = nullptr;  // set during feed() and flush()
  std::string pending_;                      // the sentence so far: cleaned, no space at either end
  bool space_pending_ = false;               // a space goes before the next character
  Ending ending_ = Ending::kNone;
  std::size_t ending_at_ = 0;   // where the terminators start in pending_
  std::size_t clause_end_ = 0;  // just after the last clause end in pending_; 0: none
};

}  // namespace vic_r1::speech
