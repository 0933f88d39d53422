#include "agent/stream/reasoning_filter.h"

#include <algorithm>

namespace vic_r1::stream {
namespace {

constexpr std::string_view kOpenTag = "<think>";
constexpr std::string_view kCloseTag = "</think>";

// Length of the longest suffix of `text` that is a proper prefix of `tag`:
// those bytes must wait for the next delta to know whether they are the tag.
std::size_t partial_tag_suffix(std::string_view text, std::string_view tag) {
  const std::size_t longest = std::min(text.size(), tag.size() - 1);
  for (std::size_t length = longest; length > 0; --length) {
    if (text.substr(text.size() - length) == tag.substr(0, length)) return length;
  }
  return 0;
}

}  // namespace

ReasoningFilter::ReasoningFilter(MissingOpenerPolicy policy, std::size_t max_unopened_bytes)
    : policy_(policy), max_unopened_bytes_(max_unopened_bytes) {}

bool ReasoningFilter::missing_opener_applies(std::string_view model) const {
  // After the output ended by itself, no reasoning block can still be open.
  if (saw_reasoning_field_ || output_ended_) return false;
  switch (policy_) {
    case MissingOpenerPolicy::kNever:
      return false;
    case MissingOpenerPolicy::kAlways:
      return true;
    case MissingOpenerPolicy::kForReasoningModels:
      return names_reasoning_model(model);
  }
  return false;
}

void ReasoningFilter::put(std::string_view model, bool has_reasoning_field, std::string_view structured_reasoning,
                          std::string_view content, std::string& answer, std::string& reasoning) {
  if (has_reasoning_field) saw_reasoning_field_ = true;
  if (!model.empty() && model != model_) model_.assign(model);
  reasoning.append(structured_reasoning);
  if (content.empty()) return;
  if (held_.empty()) {
    consume(content, false, answer, reasoning);
  } else {
    scratch_.assign(held_);
    scratch_.append(content);
    held_.clear();
    consume(scratch_, false, answer, reasoning);
  }
}

void ReasoningFilter::end_of_output(std::string& answer, std::string& reasoning) {
  // Bytes held in case they begin the opener ("<thi") end the output: they
  // are text. (Held bytes of a </think> inside a block stay reasoning.)
  if (state_ == State::kLeading && !held_.empty()) {
    scratch_.swap(held_);
    held_.clear();
    consume(scratch_, true, answer, reasoning);
  }
  output_ended_ = true;
  if (state_ != State::kUnopened) return;
  answer.append(unopened_);
  unopened_bytes_ = unopened_.size();
  std::string().swap(unopened_);
  unopened_verdict_ = UnopenedTextVerdict::kAnswer;
  state_ = State::kAnswer;  // held_, if any, is the start of a </think>, as kAnswer expects
}

void ReasoningFilter::release_before_error(std::string& answer, std::string& reasoning) {
  // Only in these states can held bytes become answer; in a block they are
  // reasoning, and unopened text stays undecided.
  if (held_.empty() || (state_ != State::kLeading && state_ != State::kAnswer)) return;
  scratch_.swap(held_);
  held_.clear();
  consume(scratch_, true, answer, reasoning);
}

void ReasoningFilter::finish(std::string& answer, std::string& reasoning) {
  if (!held_.empty()) {
    scratch_.swap(held_);
    held_.clear();
    consume(scratch_, true, answer, reasoning);
  }
  // The output did not end by itself (else end_of_output() would have
  // decided): unopened text may have been cut off mid-reasoning.
  if (state_ == State::kUnopened) judge_unopened_reasoning(UnopenedTextVerdict::kUnspokenAtAbruptEnd, reasoning);
  reasoning_unclosed_ = state_ == State::kInBlock;
}

void ReasoningFilter::judge_unopened_reasoning(UnopenedTextVerdict verdict, std::string& reasoning) {
  reasoning.append(unopened_);
  unopened_bytes_ = unopened_.size();
  std::string().swap(unopened_);  // give the memory back: reasoning can run for megabytes
  unopened_verdict_ = verdict;
  state_ = State::kInBlock;  // held_, if any, is the start of a </think>, as kInBlock expects
}

void ReasoningFilter::consume(std::string_view text, bool at_end, std::string& answer, std::string& reasoning) {
  while (!text.empty()) {
    switch (state_) {
      case State::kLeading:
      case State::kLeadingAfterBlock: {
        const std::size_t first = text.find_first_not_of(" \t\r\n");
        if (first == std::string_view::npos) return;  // only whitespace so far
        text.remove_prefix(first);
        if (state_ == State::kLeadingAfterBlock) {
          state_ = State::kAnswerAfterBlock;
          break;
        }
        if (text.substr(0, kOpenTag.size()) == kOpenTag) {
          text.remove_prefix(kOpenTag.size());
          state_ = State::kInBlock;
          break;
        }
        if (!at_end && text.size() < kOpenTag.size() && kOpenTag.substr(0, text.size()) == text) {
          held_.assign(text);  // "<thi": an opener or a literal '<'? The next delta says.
          return;
        }
        if (missing_opener_applies(model_)) {
          state_ = State::kUnopened;
        } else {
          state_ = State::kAnswer;
        }
        break;
      }
      case State::kUnopened: {
        const std::size_t close = text.find(kCloseTag);
        if (close != std::string_view::npos) {
          // The missing opener: all of it was reasoning. Whether it had
          // outgrown the cap depends only on its length, not on the deltas.
          const bool over_cap = unopened_.size() + close > max_unopened_bytes_;
          unopened_.append(text.substr(0, close));
          judge_unopened_reasoning(
              over_cap ? UnopenedTextVerdict::kReasoningOverCap : UnopenedTextVerdict::kReasoning, reasoning);
          text.remove_prefix(close + kCloseTag.size());
          state_ = State::kLeadingAfterBlock;
          break;
        }
        const std::size_t keep = at_end ? 0 : partial_tag_suffix(text, kCloseTag);
        unopened_.append(text.substr(0, text.size() - keep));
        held_.assign(text.substr(text.size() - keep));
        if (unopened_.size() > max_unopened_bytes_) {
          judge_unopened_reasoning(UnopenedTextVerdict::kReasoningOverCap, reasoning);
        }
        return;
      }
      case State::kInBlock: {
        const std::size_t close = text.find(kCloseTag);
        if (close != std::string_view::npos) {
          reasoning.append(text.substr(0, close));
          text.remove_prefix(close + kCloseTag.size());
          state_ = State::kLeadingAfterBlock;
          break;
        }
        const std::size_t keep = at_end ? 0 : partial_tag_suffix(text, kCloseTag);
        reasoning.append(text.substr(0, text.size() - keep));
        held_.assign(text.substr(text.size() - keep));
        return;
      }
      case State::kAnswer: {
        const std::size_t close = text.find(kCloseTag);
        if (close != std::string_view::npos) {
          answer.append(text.substr(0, close));
          text.remove_prefix(close + kCloseTag.size());
          stray_close_tag_removed_ = true;
          state_ = State::kAnswerAfterBlock;
          break;
        }
        const std::size_t keep = at_end ? 0 : partial_tag_suffix(text, kCloseTag);
        answer.append(text.substr(0, text.size() - keep));
        held_.assign(text.substr(text.size() - keep));
        return;
      }
      case State::kAnswerAfterBlock:
        answer.append(text);
        return;
    }
  }
}

}  // namespace vic_r1::stream
