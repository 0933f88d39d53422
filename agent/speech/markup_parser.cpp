#include "agent/speech/markup_parser.h"

#include <array>
#include <optional>

#include "platform/text/utf8_cut.h"

namespace vic_r1::speech {
namespace {

struct KnownCommand {
  std::string_view name;  // lower case
  MarkupCommand command;
};

constexpr std::array<KnownCommand, 3> kKnownCommands{{
    {"playanimationwi", MarkupCommand::kAnimateWhileSpeaking},
    {"playanimation", MarkupCommand::kPlayAnimation},
    {"newvoicerequest", MarkupCommand::kListenAgain},
}};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<MarkupCommand> known_command(std::string_view name) {
  for (const KnownCommand& known : kKnownCommands) {
    if (name.size() != known.name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i) same = to_lower(name[i]) == known.name[i];
    if (same) return known.command;
  }
  return std::nullopt;
}

// How a token that starts with "{{" ends.
struct Token {
  enum class Status { kNeedMore, kClosed, kBroken };
  Status status = Status::kNeedMore;
  std::size_t length = 0;  // kClosed: through "}}"; kBroken: where it stopped looking like markup
};

// Bytes that never appear inside markup: where one shows up, the markup was
// left unclosed. Sentence ends are among them so that the text after a
// forgotten "}}" is not held back for kMaxMarkupBytes.
bool breaks_markup(char c) { return c == '{' || c == '\n' || c == '\r' || c == '.' || c == '!' || c == '?'; }

// Where the opener ends: "{{" and any more "{" right after it ("{{{" is a
// typo for "{{", and its third brace must not leave the name to be spoken).
std::size_t opener_length(std::string_view token) {
  std::size_t at = 2;
  while (at < token.size() && at < MarkupParser::kMaxMarkupBytes && token[at] == '{') ++at;
  return at;
}

// The decision depends only on the token's bytes, never on how much of the
// stream has arrived, so every chunking gives the same answer.
Token scan_token(std::string_view token, bool at_end) {
  for (std::size_t at = opener_length(token); at < token.size(); ++at) {
    if (at >= MarkupParser::kMaxMarkupBytes) return {Token::Status::kBroken, at};
    const char c = token[at];
    if (c == '}') {
      if (at + 1 == token.size()) {
        return at_end ? Token{Token::Status::kBroken, at} : Token{};
      }
      if (token[at + 1] == '}') return {Token::Status::kClosed, at + 2};
      return {Token::Status::kBroken, at};
    }
    if (breaks_markup(c)) return {Token::Status::kBroken, at};
  }
  if (token.size() >= MarkupParser::kMaxMarkupBytes) return {Token::Status::kBroken, token.size()};
  return at_end ? Token{Token::Status::kBroken, token.size()} : Token{};
}

// The part of unclosed markup that is markup: the opener, blanks, the name when a
// separator follows it or it is a known name, the separator, blanks and the
// parameter's first word. What follows it is answer text.
std::size_t unclosed_head_length(std::string_view token) {
  std::size_t at = opener_length(token);
  while (at < token.size() && is_blank(token[at])) ++at;
  const std::size_t name_start = at;
  while (at < token.size() && is_name_char(token[at])) ++at;
  const std::size_t name_end = at;
  while (at < token.size() && is_blank(token[at])) ++at;
  if (at < token.size() && token[at] == '|') {
    ++at;
    if (at < token.size() && token[at] == '|') ++at;
    while (at < token.size() && is_blank(token[at])) ++at;
    while (at < token.size() && (is_name_char(token[at]) || token[at] == '-')) ++at;
    return at;
  }
  if (known_command(token.substr(name_start, name_end - name_start))) return name_end;
  return name_start;
}

MarkupPiece dropped(std::string_view markup) {
  if (markup.size() > MarkupParser::kMaxDroppedBytes) {
    markup = markup.substr(0, text::utf8_prefix_length(markup, MarkupParser::kMaxDroppedBytes));
  }
  MarkupPiece piece;
  piece.kind = MarkupPiece::Kind::kDropped;
  piece.text.assign(markup);
  return piece;
}

// A closed token, "{{...}}": a command, or dropped.
MarkupPiece interpret(std::string_view token) {
  const std::size_t opener = opener_length(token);
  const std::string_view inside = token.substr(opener, token.size() - opener - 2);
  const std::size_t bar = inside.find('|');
  if (bar == std::string_view::npos) return dropped(token);  // no parameter
  std::string_view parameter = inside.substr(bar + 1);
  if (!parameter.empty() && parameter.front() == '|') parameter.remove_prefix(1);
  parameter = trim(parameter);
  if (parameter.empty() || parameter.find('|') != std::string_view::npos) return dropped(token);
  const std::optional<MarkupCommand> command = known_command(trim(inside.substr(0, bar)));
  if (!command) return dropped(token);
  MarkupPiece piece;
  piece.kind = MarkupPiece::Kind::kCommand;
  piece.command = *command;
  piece.argument.assign(parameter);
  return piece;
}

}  // namespace

void MarkupParser::feed(std::string_view text, std::vector<MarkupPiece>& out) {
  const std::size_t first_new = out.size();
  if (held_.empty()) {
    consume(text, false, out, first_new);
    return;
  }
  scratch_.assign(held_);
  scratch_.append(text);
  held_.clear();
  consume(scratch_, false, out, first_new);
}

void MarkupParser::finish(std::vector<MarkupPiece>& out) {
  if (held_.empty()) return;
  scratch_.swap(held_);
  held_.clear();
  consume(scratch_, true, out, out.size());
}

void MarkupParser::reset() {
  held_.clear();
  scratch_.clear();
}

void MarkupParser::consume(std::string_view text, bool at_end, std::vector<MarkupPiece>& out,
                           std::size_t first_new) {
  auto speak = [&](std::string_view words) {
    if (words.empty()) return;
    if (out.size() > first_new && out.back().kind == MarkupPiece::Kind::kText) {
      out.back().text.append(words);
      return;
    }
    MarkupPiece piece;
    piece.text.assign(words);
    out.push_back(std::move(piece));
  };

  std::size_t spoken_from = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    const char c = text[at];
    if (c != '{' && c != '}') {
      ++at;
      continue;
    }
    speak(text.substr(spoken_from, at - spoken_from));
    if (at + 1 == text.size() && !at_end) {
      held_.assign(text.substr(at));  // a brace: its partner may come next
      return;
    }
    const bool doubled = at + 1 < text.size() && text[at + 1] == c;
    if (!doubled) {
      at += 1;  // a lone brace is removed
    } else if (c == '}') {
      out.push_back(dropped("}}"));
      at += 2;
    } else {
      const Token token = scan_token(text.substr(at), at_end);
      switch (token.status) {
        case Token::Status::kNeedMore:
          held_.assign(text.substr(at));
          return;
        case Token::Status::kClosed:
          out.push_back(interpret(text.substr(at, token.length)));
          at += token.length;
          break;
        case Token::Status::kBroken: {
          const std::size_t head = unclosed_head_length(text.substr(at, token.length));
          out.push_back(dropped(text.substr(at, head)));
          at += head;
          break;
        }
      }
    }
    spoken_from = at;
  }
  speak(text.substr(spoken_from));
}

}  // namespace vic_r1::speech
