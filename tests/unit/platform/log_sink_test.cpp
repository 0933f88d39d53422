// Standard and project headers before CppUTest's (its macros must not reach them).
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "platform/config/api_key_file.h"
#include "platform/log/log_sink.h"
#include "platform/log/logger.h"

#include <CppUTest/TestHarness.h>

using vic_r1::logging::kMaxLineBytes;
using vic_r1::logging::LineText;
using vic_r1::logging::Logger;
using vic_r1::logging::LogSink;

namespace {

std::uint64_t fake_now_ms = 0;
std::uint64_t fake_clock() { return fake_now_ms; }

template <typename T, typename = void>
struct CanAppend : std::false_type {};
template <typename T>
struct CanAppend<T, std::void_t<decltype(std::declval<LineText&>().append(std::declval<const T&>()))>>
    : std::true_type {};

// What a LogSink's reader gets, one entry per write() (a SOCK_SEQPACKET
// socket keeps each write a packet of its own).
std::vector<std::string> packets(int fd) {
  std::vector<std::string> result;
  char buffer[2 * kMaxLineBytes];
  for (;;) {
    const ssize_t size = ::recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (size <= 0) return result;
    result.emplace_back(buffer, static_cast<std::size_t>(size));
  }
}

bool is_whole_utf8(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    i += length;
  }
  return true;
}

}  // namespace

TEST_GROUP(LogSink) {
  int ends[2] = {-1, -1};

  void setup() override {
    fake_now_ms = 1000;
    CHECK_EQUAL(0, ::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, ends));
  }
  void teardown() override {
    ::close(ends[0]);
    ::close(ends[1]);
  }
  LogSink::Options options() {
    LogSink::Options result;
    result.fd = ends[0];
    result.clock = fake_clock;
    return result;
  }
};

TEST(LogSink, EachLineIsOneWriteNamingProgramSourceAndLevel) {
  LogSink sink("vic-r1", options());
  Logger bridge(sink, "bridge");
  Logger agent(sink, "agent");
  bridge.info("vic-engine connected from ", std::string("/dev/socket/_engine_anim_client_0"));
  agent.warning("heartbeat ", 42u, " late by ", -7, " ms");
  bridge.error("poll: ", "Bad file descriptor");
  const std::vector<std::string> written = packets(ends[1]);
  LONGS_EQUAL(3, written.size());
  STRCMP_EQUAL("vic-r1 bridge info: vic-engine connected from /dev/socket/_engine_anim_client_0\n",
               written[0].c_str());
  STRCMP_EQUAL("vic-r1 agent warning: heartbeat 42 late by -7 ms\n", written[1].c_str());
  STRCMP_EQUAL("vic-r1 bridge error: poll: Bad file descriptor\n", written[2].c_str());
}

TEST(LogSink, ControlCharactersCannotEndTheLineOrForgeAnother) {
  LogSink sink("vic-r1", options());
  Logger agent(sink, "agent");
  agent.info("question: ", "why\nvic-r1 bridge error: forged\r\t\x01\x7f end");
  const std::vector<std::string> written = packets(ends[1]);
  LONGS_EQUAL(1, written.size());
  STRCMP_EQUAL("vic-r1 agent info: question: why\\nvic-r1 bridge error: forged\\r\\t\\x01\\x7f end\n",
               written[0].c_str());
}

TEST(LogSink, LongLineIsCutAtACharacterBoundaryWithinOneAtomicWrite) {
  LogSink sink("vic-r1", options());
  Logger agent(sink, "agent");
  std::string long_text;
  for (int i = 0; i < 3000; ++i) long_text += "\xc3\xa9";  // é, two bytes each
  agent.info("question: ", long_text);
  const std::vector<std::string> written = packets(ends[1]);
  LONGS_EQUAL(1, written.size());
  CHECK(written[0].size() <= kMaxLineBytes);
  CHECK(written[0].size() > kMaxLineBytes - 16);
  const std::string tail = " [cut]\n";
  CHECK(written[0].compare(written[0].size() - tail.size(), tail.size(), tail) == 0);
  CHECK(is_whole_utf8(written[0]));
}

TEST(LogSink, CutAtEveryLengthNeverSplitsACharacter) {
  for (std::size_t extra = 0; extra < 8; ++extra) {
    LogSink sink("vic-r1", options());
    Logger agent(sink, "agent");
    std::string text(kMaxLineBytes - 40 + extra, 'a');
    for (int i = 0; i < 40; ++i) text += "\xe2\x82\xac";  // €, three bytes each
    agent.info(text);
    const std::vector<std::string> written = packets(ends[1]);
    LONGS_EQUAL(1, written.size());
    CHECK(written[0].size() <= kMaxLineBytes);
    CHECK(is_whole_utf8(written[0]));
  }
}

TEST(LogSink, IdenticalLinesAreCountedAndReportedWhenAnotherLineComes) {
  LogSink sink("vic-r1", options());
  Logger bridge(sink, "anim-link");
  for (int i = 0; i < 58; ++i) bridge.warning("cannot reach vic-anim: connect: No such file");
  LONGS_EQUAL(1, packets(ends[1]).size());
  bridge.info("greeted vic-anim");
  const std::vector<std::string> written = packets(ends[1]);
  LONGS_EQUAL(2, written.size());
  STRCMP_EQUAL(
      "vic-r1 anim-link warning: cannot reach vic-anim: connect: No such file ... repeated "
      "57 times\n",
      written[0].c_str());
  STRCMP_EQUAL("vic-r1 anim-link info: greeted vic-anim\n", written[1].c_str());
}

TEST(LogSink, TheSameTextFromAnotherSourceOrLevelIsNotARepeat) {
  LogSink sink("vic-r1", options());
  Logger bridge(sink, "bridge");
  Logger agent(sink, "agent");
  bridge.info("started");
  agent.info("started");
  agent.warning("started");
  LONGS_EQUAL(3, packets(ends[1]).size());
}

TEST(LogSink, ALineRepeatingForeverCostsOneLineAMinute) {
  LogSink sink("vic-r1", options());
  Logger bridge(sink, "anim-link");
  bridge.warning("cannot reach vic-anim");
  // Once a second for three minutes.
  for (int second = 1; second <= 180; ++second) {
    fake_now_ms += 1000;
    bridge.warning("cannot reach vic-anim");
  }
  // Each report covers the repeats of one minute: the first at 1 s, the
  // last at 61 s; the next minute starts counting at 62 s.
  const std::vector<std::string> written = packets(ends[1]);
  LONGS_EQUAL(3, written.size());
  STRCMP_EQUAL("vic-r1 anim-link warning: cannot reach vic-anim\n", written[0].c_str());
  STRCMP_EQUAL("vic-r1 anim-link warning: cannot reach vic-anim ... repeated 61 times\n", written[1].c_str());
  STRCMP_EQUAL("vic-r1 anim-link warning: cannot reach vic-anim ... repeated 61 times\n", written[2].c_str());
  // The last 58 are told when a different line comes.
  bridge.info("greeted vic-anim");
  const std::vector<std::string> after = packets(ends[1]);
  LONGS_EQUAL(2, after.size());
  STRCMP_EQUAL("vic-r1 anim-link warning: cannot reach vic-anim ... repeated 58 times\n", after[0].c_str());
}

TEST(LogSink, RepeatsAreReportedOnTheTimerWhenNothingElseIsLogged) {
  LogSink sink("vic-r1", options());
  Logger bridge(sink, "bridge");
  bridge.info("tick");
  bridge.info("tick");
  sink.report_repeats_if_due();
  LONGS_EQUAL(1, packets(ends[1]).size());
  fake_now_ms += 60000;
  sink.report_repeats_if_due();
  const std::vector<std::string> written = packets(ends[1]);
  LONGS_EQUAL(1, written.size());
  STRCMP_EQUAL("vic-r1 bridge info: tick ... repeated 1 time\n", written[0].c_str());
  sink.report_repeats_if_due();
  LONGS_EQUAL(0, packets(ends[1]).size());
}

TEST(LogSink, AFullReaderCostsTheLineNeverAWait) {
  int pipe_ends[2];
  CHECK_EQUAL(0, ::pipe(pipe_ends));
  LogSink::Options never_block = options();
  never_block.fd = pipe_ends[1];
  never_block.never_block = true;
  LogSink sink("vic-r1", never_block);
  CHECK((::fcntl(pipe_ends[1], F_GETFL) & O_NONBLOCK) != 0);
  Logger bridge(sink, "bridge");
  // Far more than a pipe holds; each call returns at once.
  for (int i = 0; i < 5000; ++i) bridge.info("forwarded datagram number ", i);
  CHECK(sink.lines_lost() > 0);
  const std::uint64_t lost = sink.lines_lost();
  // The reader catches up; the next line says how many were lost.
  ::fcntl(pipe_ends[0], F_SETFL, O_NONBLOCK);
  char drain[65536];
  while (::read(pipe_ends[0], drain, sizeof(drain)) > 0) {
  }
  bridge.info("caught up");
  const ssize_t size = ::read(pipe_ends[0], drain, sizeof(drain));
  CHECK(size > 0);
  const std::string after(drain, static_cast<std::size_t>(size));
  const std::string expected = "vic-r1 bridge warning: " + std::to_string(lost) +
                               " earlier log lines lost: the log reader was not keeping up\n"
                               "vic-r1 bridge info: caught up\n";
  STRCMP_EQUAL(expected.c_str(), after.c_str());
  ::close(pipe_ends[0]);
  ::close(pipe_ends[1]);
}

TEST(LogSink, TwoProcessesOnOnePipeNeverSpliceTheirLines) {
  // The bridge and its agent share stderr. Lines as long as the sink allows,
  // written by two processes at once, must each arrive whole.
  int pipe_ends[2];
  CHECK_EQUAL(0, ::pipe(pipe_ends));
  constexpr int kLinesEach = 300;
  pid_t writers[2];
  for (int w = 0; w < 2; ++w) {
    writers[w] = ::fork();
    if (writers[w] == 0) {
      ::close(pipe_ends[0]);
      LogSink::Options child_options;
      child_options.fd = pipe_ends[1];
      LogSink sink("vic-r1", child_options);
      Logger log(sink, w == 0 ? "bridge" : "agent");
      const std::string filler(3000, w == 0 ? 'b' : 'a');
      for (int i = 0; i < kLinesEach; ++i) log.info(i, " ", filler);
      ::_exit(0);
    }
  }
  ::close(pipe_ends[1]);
  std::string all;
  char buffer[65536];
  for (;;) {
    const ssize_t size = ::read(pipe_ends[0], buffer, sizeof(buffer));
    if (size <= 0) break;
    all.append(buffer, static_cast<std::size_t>(size));
  }
  ::close(pipe_ends[0]);
  for (pid_t writer : writers) ::waitpid(writer, nullptr, 0);
  int lines = 0;
  for (std::size_t start = 0; start < all.size();) {
    const std::size_t end = all.find('\n', start);
    CHECK(end != std::string::npos);
    const std::string line = all.substr(start, end - start);
    const bool from_bridge = line.rfind("vic-r1 bridge info: ", 0) == 0;
    const bool from_agent = line.rfind("vic-r1 agent info: ", 0) == 0;
    CHECK(from_bridge || from_agent);
    const std::string filler(3000, from_bridge ? 'b' : 'a');
    CHECK(line.size() > filler.size() && line.compare(line.size() - filler.size(), filler.size(), filler) == 0);
    ++lines;
    start = end + 1;
  }
  LONGS_EQUAL(2 * kLinesEach, lines);
}

TEST(LogSink, TheApiKeyCannotBeALogPiece) {
  CHECK(CanAppend<std::string_view>::value);
  CHECK(CanAppend<std::string>::value);
  CHECK(CanAppend<int>::value);
  CHECK_FALSE(CanAppend<vic_r1::platform::ApiKey>::value);
}
