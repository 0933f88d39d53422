#include "platform/log/log_sink.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "platform/text/utf8_cut.h"

namespace vic_r1::logging {
namespace {

constexpr std::string_view kCutMark = " [cut]";

// Copies as much of `text` as fits in `room` without splitting a UTF-8
// character: a cut never lands on a continuation byte (10xxxxxx).
std::size_t copy_whole_characters(std::string_view text, char* out, std::size_t room) {
  const std::size_t size = text::utf8_prefix_length(text, room);
  std::memcpy(out, text.data(), size);
  return size;
}

std::size_t copy_bounded(std::string_view text, char* out, std::size_t capacity) {
  const std::size_t size = std::min(text.size(), capacity);
  std::memcpy(out, text.data(), size);
  return size;
}

}  // namespace

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kError:
      return "error";
    case Level::kWarning:
      return "warning";
    case Level::kInfo:
      break;
  }
  return "info";
}

LogSink::LogSink(std::string_view program) : LogSink(program, Options{}) {}

LogSink::LogSink(std::string_view program, Options options) : options_(options) {
  program_size_ = copy_bounded(program, program_, sizeof(program_));
  // Only a pipe or a socket can be full; a terminal is left alone (O_NONBLOCK
  // would reach the shell that shares it), and a file never blocks.
  struct stat info;
  if (options_.never_block && ::fstat(options_.fd, &info) == 0 &&
      (S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode))) {
    const int flags = ::fcntl(options_.fd, F_GETFL);
    if (flags >= 0) ::fcntl(options_.fd, F_SETFL, flags | O_NONBLOCK);
  }
}

std::size_t LogSink::format(Level level, std::string_view source, std::string_view text, std::string_view suffix,
                            char* out) const {
  std::size_t size = 0;
  const auto put = [&](std::string_view piece) {
    const std::size_t room = kMaxLineBytes - size;
    std::memcpy(out + size, piece.data(), std::min(piece.size(), room));
    size += std::min(piece.size(), room);
  };
  put(std::string_view(program_, program_size_));
  put(" ");
  put(source.substr(0, sizeof(last_source_)));
  put(" ");
  put(level_name(level));
  put(": ");
  // What must follow the text: the suffix and the newline, and the cut mark
  // if the text does not fit.
  const std::size_t tail = suffix.size() + 1;
  const std::size_t room = kMaxLineBytes - size - tail;
  if (text.size() <= room) {
    put(text);
  } else {
    size += copy_whole_characters(text, out + size, room - kCutMark.size());
    put(kCutMark);
  }
  put(suffix);
  out[size++] = '\n';
  return size;
}

bool LogSink::is_repeat(Level level, std::string_view source, std::string_view text) const {
  return have_last_ && level == last_level_ &&
         source.substr(0, sizeof(last_source_)) == std::string_view(last_source_, last_source_size_) &&
         text.substr(0, sizeof(last_text_)) == std::string_view(last_text_, last_text_size_);
}

void LogSink::write(Level level, std::string_view source, std::string_view text) {
  const std::uint64_t now = options_.clock();
  if (is_repeat(level, source, text)) {
    if (repeats_ == 0) repeats_since_ms_ = now;
    ++repeats_;
    report_repeats_if_due();
    return;
  }
  report_repeats();
  if (lines_lost_ > lines_lost_reported_) {
    char count[24];
    const auto end = std::to_chars(count, count + sizeof(count), lines_lost_ - lines_lost_reported_);
    char notice[128];
    std::size_t notice_size = 0;
    for (std::string_view piece : {std::string_view(count, static_cast<std::size_t>(end.ptr - count)),
                                   std::string_view(" earlier log lines lost: the log reader "
                                                    "was not keeping up")}) {
      std::memcpy(notice + notice_size, piece.data(), piece.size());
      notice_size += piece.size();
    }
    const std::size_t size = format(Level::kWarning, source, std::string_view(notice, notice_size), "", line_);
    if (write_whole(line_, size)) lines_lost_reported_ = lines_lost_;
  }
  const std::size_t size = format(level, source, text, "", line_);
  if (!write_whole(line_, size)) ++lines_lost_;
  last_level_ = level;
  last_source_size_ = copy_bounded(source, last_source_, sizeof(last_source_));
  last_text_size_ = copy_bounded(text, last_text_, sizeof(last_text_));
  have_last_ = true;
}

void LogSink::report_repeats_if_due() {
  if (repeats_ > 0 && options_.clock() - repeats_since_ms_ >= options_.repeat_report_ms) report_repeats();
}

void LogSink::report_repeats() {
  if (repeats_ == 0) return;
  char suffix[48] = " ... repeated ";
  std::size_t suffix_size = std::strlen(suffix);
  const auto end = std::to_chars(suffix + suffix_size, suffix + sizeof(suffix) - 8, repeats_);
  suffix_size = static_cast<std::size_t>(end.ptr - suffix);
  const std::string_view times = repeats_ == 1 ? " time" : " times";
  std::memcpy(suffix + suffix_size, times.data(), times.size());
  suffix_size += times.size();
  const std::size_t size = format(last_level_, std::string_view(last_source_, last_source_size_),
                                  std::string_view(last_text_, last_text_size_),
                                  std::string_view(suffix, suffix_size), line_);
  if (!write_whole(line_, size)) ++lines_lost_;
  repeats_ = 0;
}

bool LogSink::write_whole(const char* bytes, std::size_t size) {
  for (;;) {
    const ssize_t written = ::write(options_.fd, bytes, size);
    if (written == static_cast<ssize_t>(size)) return true;
    if (written < 0 && errno == EINTR) continue;
    // EAGAIN (a full reader, with never_block), a closed reader (EPIPE), a
    // short write to a full disk: the line is lost, and nothing else is.
    return false;
  }
}

}  // namespace vic_r1::logging
