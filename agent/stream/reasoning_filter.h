#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "agent/stream/server_profiles.h"

namespace vic_r1::stream {

// Separates the answer from the reasoning, one streamed delta at a time, so
// that a voice never speaks the reasoning. Sans-I/O and chunking-proof: tags
// split across deltas at any byte are recognised, and the answer is held back
// only while its last few bytes could still be the start of a tag.
//
// What counts as reasoning:
//  - every structured reasoning field (given as `structured_reasoning`);
//  - in the answer channel, a <think>...</think> block that opens the answer
//    (only whitespace before it); an empty block is nothing;
//  - text before a </think> that had no opener, when the missing-opener policy
//    applies (R1's template puts the opener in the prompt); it applies unless
//    the server has sent a structured reasoning field, which proves it
//    separates reasoning itself.
// What stays answer: a '<' that starts no tag; a <think> or </think> after a
// closed block or after answer text has begun (text about tags is text); the
// answer's leading whitespace is dropped (it is template formatting).
// A </think> met after answer text had begun is removed and remembered
// (stray_close_tag_removed): the text before it may have been reasoning.
class ReasoningFilter {
 public:
  explicit ReasoningFilter(MissingOpenerPolicy policy);

  // One delta. Appends the answer text it releases to `answer` and the
  // reasoning text it carries to `reasoning`.
  void put(std::string_view model, bool has_reasoning_field, std::string_view structured_reasoning,
           std::string_view content, std::string& answer, std::string& reasoning);

  // The stream ended: releases the bytes held back (they started no tag).
  void finish(std::string& answer, std::string& reasoning);

  // After finish(): the answer channel was inside a reasoning block (opened
  // or implied) when the stream ended, so all of it was reasoning.
  bool reasoning_unclosed() const { return reasoning_unclosed_; }
  bool stray_close_tag_removed() const { return stray_close_tag_removed_; }
  // Some non-whitespace answer text has been released.
  bool answer_started() const { return state_ == State::kAnswer || state_ == State::kAnswerAfterBlock; }
  // The policy decided that unopened text was reasoning.
  bool missing_opener_assumed() const { return missing_opener_assumed_; }

 private:
  enum class State {
    kLeading,            // no answer text yet: whitespace dropped, an opener may come
    kInBlock,            // inside a reasoning block, explicit or implied
    kLeadingAfterBlock,  // just after </think>: whitespace dropped
    kAnswer,             // answer text, no block seen: a stray </think> is removed
    kAnswerAfterBlock,   // answer text after a block: everything is literal
  };

  void consume(std::string_view text, bool at_end, std::string& answer, std::string& reasoning);
  bool missing_opener_applies(std::string_view model) const;

  MissingOpenerPolicy policy_;
  State state_ = State::kLeading;
  bool saw_reasoning_field_ = false;
  bool reasoning_unclosed_ = false;
  bool stray_close_tag_removed_ = false;
  bool missing_opener_assumed_ = false;
  std::string model_;       // the last non-empty model name the stream gave
  std::string held_;        // bytes that may begin a tag, at most a tag's length
  std::string scratch_;     // held_ + the next delta, reused
};

}  // namespace vic_r1::stream
