#pragma once

#include <limits.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "platform/time/monotonic_clock.h"

namespace vic_r1::logging {

enum class Level : std::uint8_t { kError, kWarning, kInfo };

std::string_view level_name(Level level);

// The longest line a sink writes, newline included. The bridge and the agent
// share one stderr (on the robot a pipe to logwrapper); a write() of at most
// PIPE_BUF bytes to a pipe is atomic, so their lines can never be spliced
// into each other however the two processes are scheduled.
inline constexpr std::size_t kMaxLineBytes = PIPE_BUF;

// Where a process's log lines go: "<program> <source> <level>: <text>\n",
// each in one write() of at most kMaxLineBytes (a longer text is cut at a
// UTF-8 character boundary and marked "[cut]").
//
// A line identical to the one before it (same source, level and text) is
// held back and counted; the count is written as "<text> ... repeated N
// times" when a different line comes, or once `repeat_report_ms` has passed
// (checked on every line and by report_repeats_if_due()), so a fault that
// repeats every second costs one line a minute, not sixty.
//
// With `never_block`, a full reader (logwrapper not keeping up) costs the
// line, never a wait: the bridge must not stall on its log, or vic-engine's
// queue towards vic-anim fills and the robot faults. Lost lines are counted
// and reported in the next line that gets through.
class LogSink {
 public:
  struct Options {
    int fd = STDERR_FILENO;
    bool never_block = false;
    std::uint64_t repeat_report_ms = 60000;
    platform::MonotonicClock clock = platform::monotonic_ms;
  };

  explicit LogSink(std::string_view program);
  LogSink(std::string_view program, Options options);
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;

  // `text` is written as given: the caller (Logger) has escaped it to one line.
  void write(Level level, std::string_view source, std::string_view text);

  // Writes the count of lines held back as repeats, if it is due.
  void report_repeats_if_due();

  std::uint64_t lines_lost() const { return lines_lost_; }

 private:
  // Formats one line into `out` (at least kMaxLineBytes); returns its size.
  std::size_t format(Level level, std::string_view source, std::string_view text, std::string_view suffix,
                     char* out) const;
  bool is_repeat(Level level, std::string_view source, std::string_view text) const;
  void report_repeats();
  bool write_whole(const char* bytes, std::size_t size);

  char program_[32];
  std::size_t program_size_ = 0;
  Options options_;

  // The last line written, to recognise a repeat of it.
  Level last_level_ = Level::kInfo;
  char last_source_[32];
  std::size_t last_source_size_ = 0;
  char last_text_[kMaxLineBytes];
  std::size_t last_text_size_ = 0;
  bool have_last_ = false;
  std::uint64_t repeats_ = 0;
  std::uint64_t repeats_since_ms_ = 0;

  std::uint64_t lines_lost_ = 0;
  std::uint64_t lines_lost_reported_ = 0;
  char line_[kMaxLineBytes];
};

}  // namespace vic_r1::logging
