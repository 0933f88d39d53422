#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "platform/log/log_sink.h"

namespace vic_r1::platform {
class ApiKey;
}

namespace vic_r1::logging {

// One log line's text, built from pieces in a fixed buffer: no allocation,
// so the bridge can log from its loop without a way to fail. Every byte
// that could end the line or forge another (newline, carriage return, any
// control character) is written escaped (\n, \r, \t, \xNN): a transcript
// or a server's message never becomes two log lines.
class LineText {
 public:
  void append(std::string_view text);
  void append(const char* text) { append(std::string_view(text != nullptr ? text : "(null)")); }
  void append(const std::string& text) { append(std::string_view(text)); }
  void append(char c) { append(std::string_view(&c, 1)); }
  void append(bool value) { append(value ? std::string_view("yes") : std::string_view("no")); }
  template <typename Number,
            typename = std::enable_if_t<std::is_integral_v<Number> && !std::is_same_v<Number, bool> &&
                                        !std::is_same_v<Number, char>>>
  void append(Number number) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof(digits), number);
    append_raw(std::string_view(digits, static_cast<std::size_t>(end.ptr - digits)));
  }
  // The provider's key has no way into a log line: reading it takes
  // ApiKey::reveal(), and passing the key itself does not compile.
  void append(const platform::ApiKey&) = delete;

  std::string_view view() const { return {bytes_, size_}; }

 private:
  void append_raw(std::string_view text);

  char bytes_[kMaxLineBytes];
  std::size_t size_ = 0;
};

// A part of vic-r1 that logs ("bridge", "anim-link", "intent-tap",
// "supervisor", "agent"), writing through its process's one LogSink:
//
//   log_.info("vic-engine connected from ", sender);
//   log_.warning("cannot reach vic-anim: ", error);
//
// Pieces are text (string, string_view, C string), characters, whole
// numbers and bools; they are joined with nothing in between.
class Logger {
 public:
  Logger(LogSink& sink, std::string_view source) : sink_(&sink), source_(source) {}

  template <typename... Pieces>
  void error(const Pieces&... pieces) {
    write(Level::kError, pieces...);
  }
  template <typename... Pieces>
  void warning(const Pieces&... pieces) {
    write(Level::kWarning, pieces...);
  }
  template <typename... Pieces>
  void info(const Pieces&... pieces) {
    write(Level::kInfo, pieces...);
  }

  LogSink& sink() const { return *sink_; }
  std::string_view source() const { return source_; }

 private:
  template <typename... Pieces>
  void write(Level level, const Pieces&... pieces) {
    LineText text;
    (text.append(pieces), ...);
    sink_->write(level, source_, text.view());
  }

  LogSink* sink_;
  std::string_view source_;  // a literal: it outlives every logger
};

}  // namespace vic_r1::logging
