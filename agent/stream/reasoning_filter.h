#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "agent/stream/server_profiles.h"

namespace vic_r1::stream {

// What became of answer-channel text that had no <think> opener while the
// missing-opener policy applied: until the stream tells, it may be an
// implied reasoning block (R1's template put the opener in the prompt) or
// the whole answer (a server that strips the reasoning field, a model that
// did not reason).
enum class UnopenedTextVerdict {
  kNone,                 // no such text was held
  kReasoning,            // a </think> followed it: it was reasoning
  kAnswer,               // the output ended by itself with no </think>: it was the answer
  kReasoningOverCap,     // it outgrew the hold-back cap with no </think>: taken as reasoning
  kUnspokenAtAbruptEnd,  // the stream ended otherwise (cut short, an error, a token
                         // limit) with no </think>: reported as reasoning, never spoken
};

// Separates the answer from the reasoning, one streamed delta at a time, so
// that a voice never speaks the reasoning. Sans-I/O and chunking-proof: tags
// split across deltas at any byte are recognised, and the answer is held back
// only while its last few bytes could still be the start of a tag, or while
// it may still turn out to be an implied reasoning block (below).
//
// What counts as reasoning:
//  - every structured reasoning field (given as `structured_reasoning`);
//  - in the answer channel, a <think>...</think> block that opens the answer
//    (only whitespace before it); an empty block is nothing;
//  - text before a </think> that had no opener, when the missing-opener policy
//    applies (R1's template puts the opener in the prompt); it applies unless
//    the server has sent a structured reasoning field, which proves it
//    separates reasoning itself.
// Under that policy, text with no opener is held back, neither spoken nor
// reported as reasoning, until the stream tells what it was:
//  - a </think> arrives: it was reasoning (reported then, in one piece);
//  - the model's output ends by itself (end_of_output()) with no tag at all:
//    it was the answer, released then, before the finish is reported;
//  - it outgrows the cap: it is taken as reasoning, and so is the rest up to
//    a </think>. An R1 answer for a voice is a few KB; R1 reasoning is often
//    tens of KB and can reach megabytes, so text this long with no tag is far
//    likelier reasoning, and the cap bounds memory whatever the stream;
//  - the stream ends any other way (finish() without end_of_output()): it is
//    reported as reasoning and never spoken, since it may have been.
// What stays answer: a '<' that starts no tag; a <think> or </think> after a
// closed block or after answer text has begun (text about tags is text); the
// answer's leading whitespace is dropped (it is template formatting).
// A </think> met after answer text had begun is removed and remembered
// (stray_close_tag_removed): the text before it may have been reasoning.
class ReasoningFilter {
 public:
  // Text held as a possible implied reasoning block is taken as reasoning
  // beyond this many bytes.
  static constexpr std::size_t kDefaultMaxUnopenedBytes = 64 * 1024;

  explicit ReasoningFilter(MissingOpenerPolicy policy, std::size_t max_unopened_bytes = kDefaultMaxUnopenedBytes);

  // One delta. Appends the answer text it releases to `answer` and the
  // reasoning text it carries to `reasoning`.
  void put(std::string_view model, bool has_reasoning_field, std::string_view structured_reasoning,
           std::string_view content, std::string& answer, std::string& reasoning);

  // The model ended its output by itself (a finish reason such as "stop", or
  // [DONE], with no error before it): text held as a possible implied block
  // met no </think>, so it is the answer, appended to `answer` now. Later
  // text, if any, is answer too.
  void end_of_output(std::string& answer, std::string& reasoning);

  // An error is about to be reported: releases the bytes held back only
  // because they might begin a tag, as the end of the stream would, so the
  // answer the robot has is said before the error. Text that may be an
  // implied reasoning block stays held: it is not known to be answer.
  void release_before_error(std::string& answer, std::string& reasoning);

  // The stream ended: releases the bytes held back (they started no tag).
  // Text still held as a possible implied block is reasoning, as above.
  void finish(std::string& answer, std::string& reasoning);

  // After finish(): the answer channel was inside a reasoning block (opened
  // or implied) when the stream ended, so all of it was reasoning.
  bool reasoning_unclosed() const { return reasoning_unclosed_; }
  bool stray_close_tag_removed() const { return stray_close_tag_removed_; }
  // Some non-whitespace answer text has been released.
  bool answer_started() const { return state_ == State::kAnswer || state_ == State::kAnswerAfterBlock; }
  // The policy decided that unopened text was reasoning.
  bool missing_opener_assumed() const {
    return unopened_verdict_ == UnopenedTextVerdict::kReasoning ||
           unopened_verdict_ == UnopenedTextVerdict::kReasoningOverCap ||
           unopened_verdict_ == UnopenedTextVerdict::kUnspokenAtAbruptEnd;
  }
  UnopenedTextVerdict unopened_verdict() const { return unopened_verdict_; }
  // How many bytes of unopened text were held before the verdict.
  std::size_t unopened_bytes() const { return unopened_bytes_; }

 private:
  enum class State {
    kLeading,            // no answer text yet: whitespace dropped, an opener may come
    kUnopened,           // text with no opener, held: an implied block or the answer?
    kInBlock,            // inside a reasoning block, explicit or implied
    kLeadingAfterBlock,  // just after </think>: whitespace dropped
    kAnswer,             // answer text, no block seen: a stray </think> is removed
    kAnswerAfterBlock,   // answer text after a block: everything is literal
  };

  void consume(std::string_view text, bool at_end, std::string& answer, std::string& reasoning);
  void hold_unopened(std::string_view text, std::string& reasoning);
  void judge_unopened_reasoning(UnopenedTextVerdict verdict, std::string& reasoning);
  bool missing_opener_applies(std::string_view model) const;

  MissingOpenerPolicy policy_;
  std::size_t max_unopened_bytes_;
  State state_ = State::kLeading;
  bool saw_reasoning_field_ = false;
  bool output_ended_ = false;  // end_of_output() was called
  bool reasoning_unclosed_ = false;
  bool stray_close_tag_removed_ = false;
  UnopenedTextVerdict unopened_verdict_ = UnopenedTextVerdict::kNone;
  std::size_t unopened_bytes_ = 0;
  std::string model_;     // the last non-empty model name the stream gave
  std::string held_;      // bytes that may begin a tag, at most a tag's length
  std::string unopened_;  // text that may be an implied block, at most the cap
  std::string scratch_;   // held_ + the next delta, reused
};

}  // namespace vic_r1::stream
