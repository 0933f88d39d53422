#include "agent/speech/sentence_segmenter.h"

#include <algorithm>
#include <array>

namespace vic_r1::speech {
namespace {

// Words before a "." that leave the sentence open, compared in lower case.
constexpr std::array<std::string_view, 12> kAbbreviations{"dr",   "mr", "mrs", "ms", "st",     "mt",
                                                          "prof", "jr", "sr",  "vs", "approx", "cf"};

bool is_ascii_letter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }

bool is_lower_case(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7) || (c >= 0x3B1 && c <= 0x3C9) ||
         (c >= 0x430 && c <= 0x45F);
}

bool is_terminator(char32_t c) { return c == '.' || c == '?' || c == '!'; }

// Closing quotes and brackets after a terminator belong to its sentence.
bool is_closer(char32_t c) { return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0xBB; }

// Punctuation that sits right after its word: a space before it is dropped.
bool sticks_to_the_left(char32_t c) {
  return c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?' || c == ')';
}

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (to_lower(text[i]) != lower[i]) return false;
  }
  return true;
}

// "e.g", "U.S", "J.R.R": single letters joined by dots.
bool is_dotted_initialism(std::string_view word) {
  if (word.size() < 3 || word.size() % 2 == 0) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    const bool letter = is_ascii_letter(static_cast<unsigned char>(word[i]));
    if (i % 2 == 0 ? !letter : word[i] != '.') return false;
  }
  return true;
}

// Something to say: a sentence of only punctuation or quotes is not spoken.
bool is_speakable(std::string_view sentence) {
  return std::any_of(sentence.begin(), sentence.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x80 || is_ascii_letter(byte) || is_digit(byte);
  });
}

}  // namespace

void SentenceSegmenter::Receiver::on_character(char32_t code_point, std::string_view utf8) {
  segmenter_.on_character(code_point, utf8);
}
void SentenceSegmenter::Receiver::on_space() { segmenter_.on_space(); }
void SentenceSegmenter::Receiver::on_line_break() { segmenter_.emit_pending(); }

SentenceSegmenter::SentenceSegmenter() : SentenceSegmenter(Options{}) {}

SentenceSegmenter::SentenceSegmenter(Options options) : options_(options) {
  // The longest UTF-8 character must fit, or it could never be spoken.
  options_.max_sentence_bytes = std::max<std::size_t>(options_.max_sentence_bytes, 4);
}

void SentenceSegmenter::feed(std::string_view text, std::vector<std::string>& sentences) {
  out_ = &sentences;
  Receiver receiver(*this);
  cleaner_.feed(text, receiver);
  out_ = nullptr;
}

void SentenceSegmenter::flush(std::vector<std::string>& sentences) {
  out_ = &sentences;
  Receiver receiver(*this);
  cleaner_.finish(receiver);
  emit_pending();
  out_ = nullptr;
}

void SentenceSegmenter::reset() {
  cleaner_.reset();
  pending_.clear();
  space_pending_ = false;
  ending_ = Ending::kNone;
  clause_end_ = 0;
}

void SentenceSegmenter::on_space() {
  if (pending_.empty() || space_pending_) return;
  if (ending_ == Ending::kStrong) {
    emit_pending();  // "?" or "!" and a space: nothing after it can keep the sentence open
    return;
  }
  // ", " and " - " end a clause; "1,000" and "10:30" do not.
  const char last = pending_.back();
  if (last == ',' || last == ';' || last == ':' ||
      (last == '-' && pending_.size() >= 2 && pending_[pending_.size() - 2] == ' ')) {
    clause_end_ = pending_.size();
  }
  space_pending_ = true;
  cut_clause_if_long();
}

void SentenceSegmenter::on_character(char32_t c, std::string_view utf8) {
  if (ending_ != Ending::kNone) {
    if (!space_pending_ && is_terminator(c)) {
      ending_ = (c != '.' || ending_ == Ending::kStrong) ? Ending::kStrong : Ending::kEllipsis;
      append(utf8);
      return;
    }
    if (!space_pending_ && is_closer(c)) {
      append(utf8);
      return;
    }
    const bool ended = space_pending_ && ends_sentence(c);
    ending_ = Ending::kNone;
    if (ended) emit_pending();
  }
  if (space_pending_ && sticks_to_the_left(c)) space_pending_ = false;
  append(utf8);
  if (is_terminator(c)) {
    ending_ = c == '.' ? Ending::kPeriod : Ending::kStrong;
    ending_at_ = pending_.size() - utf8.size();
  }
  cut_clause_if_long();
}

// After a terminator, a space and `next`: is that a new sentence?
bool SentenceSegmenter::ends_sentence(char32_t next) const {
  switch (ending_) {
    case Ending::kNone:
      return false;
    case Ending::kStrong:
      return true;
    case Ending::kEllipsis:
      return !is_lower_case(next);
    case Ending::kPeriod:
      break;
  }
  if (is_lower_case(next) || next == ',' || next == ';' || next == ':' || is_terminator(next)) return false;
  // The word before the terminators: from the last space before them.
  const std::size_t space = ending_at_ == 0 ? std::string::npos : pending_.rfind(' ', ending_at_ - 1);
  std::size_t start = space == std::string::npos ? 0 : space + 1;
  const bool opens_sentence = start == 0;
  while (start < ending_at_ && (pending_[start] == '"' || pending_[start] == '\'' || pending_[start] == '(')) {
    ++start;
  }
  const std::string_view word = std::string_view(pending_).substr(start, ending_at_ - start);
  for (std::string_view abbreviation : kAbbreviations) {
    if (equals_ignoring_case(word, abbreviation)) return false;
  }
  if (is_dotted_initialism(word)) return equals_ignoring_case(word, "a.m") || equals_ignoring_case(word, "p.m");
  if (word.size() == 1 && word[0] >= 'A' && word[0] <= 'Z' && word[0] != 'I') return false;  // "J. R. R."
  if (is_digit(next) && equals_ignoring_case(word, "no")) return false;                      // "No. 5"
  if (opens_sentence && !word.empty() && word.size() <= 3 &&
      std::all_of(word.begin(), word.end(), [](char d) { return is_digit(static_cast<unsigned char>(d)); })) {
    return false;  // "2. Then ...": a list number, not a sentence
  }
  return true;
}

void SentenceSegmenter::append(std::string_view utf8) {
  if (utf8.size() > options_.max_sentence_bytes) return;
  for (;;) {
    const bool spaced = space_pending_ && !pending_.empty();
    if (pending_.size() + (spaced ? 1 : 0) + utf8.size() <= options_.max_sentence_bytes) break;
    // Too long: cut at the last space (the pending one if there is one), or,
    // in a run with no space, between characters.
    const std::size_t last_space = spaced ? pending_.size() : pending_.rfind(' ');
    if (last_space != std::string::npos && last_space > 0) {
      emit_front(last_space, 1);
    } else {
      emit_front(pending_.size(), 0);
    }
  }
  if (space_pending_ && !pending_.empty()) pending_.push_back(' ');
  space_pending_ = false;
  pending_.append(utf8);
}

void SentenceSegmenter::cut_clause_if_long() {
  if (clause_end_ > 0 && pending_.size() > options_.clause_cut_bytes) emit_front(clause_end_, 1);
}

void SentenceSegmenter::emit_pending() {
  emit_front(pending_.size(), 0);
  space_pending_ = false;
  ending_ = Ending::kNone;
  clause_end_ = 0;
}

// Speaks pending_'s first `length` bytes and forgets them and `skip` more.
void SentenceSegmenter::emit_front(std::size_t length, std::size_t skip) {
  std::string_view sentence = std::string_view(pending_).substr(0, length);
  while (!sentence.empty() && sentence.front() == ' ') sentence.remove_prefix(1);
  while (!sentence.empty() && sentence.back() == ' ') sentence.remove_suffix(1);
  if (out_ != nullptr && is_speakable(sentence)) out_->emplace_back(sentence);

  std::size_t removed = std::min(length + skip, pending_.size());
  while (removed < pending_.size() && pending_[removed] == ' ') ++removed;
  pending_.erase(0, removed);
  if (ending_ != Ending::kNone) {
    if (ending_at_ < removed) {
      ending_ = Ending::kNone;
    } else {
      ending_at_ -= removed;
    }
  }
  clause_end_ = clause_end_ <= removed ? 0 : clause_end_ - removed;
  if (pending_.empty()) space_pending_ = false;
}

}  // namespace vic_r1::speech
