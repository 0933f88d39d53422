#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vic_r1::speech {

// The actions an answer may ask for, in the markup wire-pod users already
// put in their prompts.
enum class MarkupCommand {
  kAnimateWhileSpeaking,  // {{playAnimationWI||<emotion>}}: animate while the next words are spoken
  kPlayAnimation,         // {{playAnimation||<emotion>}}: play it, then go on speaking
  kListenAgain,           // {{newVoiceRequest||now}}: listen for another question
};

struct MarkupPiece {
  enum class Kind {
    kText,     // answer text to speak, spacing as written
    kCommand,  // a well-formed, known command
    kDropped,  // markup that was not a command: never spoken, only logged
  };
  Kind kind = Kind::kText;
  // kText: the text. kDropped: the markup as written, at most kMaxDroppedBytes
  // and cut at a UTF-8 character boundary, for a log line.
  std::string text;
  MarkupCommand command = MarkupCommand::kAnimateWhileSpeaking;  // kCommand
  std::string argument;  // kCommand: the parameter as written, trimmed ("happy")
};

// Takes the {{command||parameter}} markup out of a streamed answer. Sans-I/O
// and chunking-proof: markup split across feeds at any byte gives the same
// commands and drops, and the same text (only how text is merged into pieces
// may differ). Text is released at once; only bytes that may still be markup
// wait: one brace, or a token from its "{{", at most kMaxMarkupBytes.
//
// A command is "{{" (more "{" after it are tolerated), a name, "|" or "||",
// a parameter and "}}", with any spaces or tabs around the name and the
// parameter; names are matched ignoring case (playAnimationWI, playAnimation,
// newVoiceRequest) and the parameter is passed on trimmed, unchecked.
// Nothing with a brace in it is ever spoken:
//  - closed markup that is not a command (an unknown name such as getImage,
//    no parameter, an empty one, a third "|") is one kDropped piece;
//  - markup that never closes is cut short where it stops looking like
//    markup: at a "{", a line break, a ".", "!" or "?", a single "}", the
//    end of the answer, or kMaxMarkupBytes without "}}". Its head (the
//    opener, the name when a separator follows it or it is a known name,
//    the separator and the parameter's first word) is one kDropped piece,
//    and the text after the head is spoken: a model that forgets "}}" loses
//    no answer;
//  - a stray "}}" is a kDropped piece;
//  - a lone "{" or "}" is removed without a piece (it is not markup, and a
//    brace is not speakable).
class MarkupParser {
 public:
  static constexpr std::size_t kMaxMarkupBytes = 128;
  static constexpr std::size_t kMaxDroppedBytes = 80;

  // Appends the pieces `text` completes, in stream order; text pieces that
  // follow each other within one call are merged.
  void feed(std::string_view text, std::vector<MarkupPiece>& out);

  // The answer ended: whatever is held is resolved (unclosed markup dropped).
  void finish(std::vector<MarkupPiece>& out);

  void reset();

 private:
  void consume(std::string_view text, bool at_end, std::vector<MarkupPiece>& out, std::size_t first_new);

  std::string held_;     // one brace, or a markup token from its "{{"
  std::string scratch_;  // held_ + the next feed, reused
};

}  // namespace vic_r1::speech
