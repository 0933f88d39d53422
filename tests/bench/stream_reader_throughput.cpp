// CPU cost of the stream reader on a captured R1 response body held in memory:
// the body is fed in fixed-size reads, as a TLS read loop would hand them over,
// to a sink that only counts, for at least --min-cpu-seconds of process CPU
// time (clock_gettime(CLOCK_PROCESS_CPUTIME_ID)) in five rounds; the figures
// are the median round's. Prints one `name value` line per figure and
// judges nothing.
//
// usage: stream_reader_throughput TRANSCRIPT [--answer-tokens N]
//                                 [--read-bytes N] [--min-cpu-seconds S]
// --answer-tokens: the answer deltas in the transcript (from the generator's
// stats); without it the answer pieces the sink received are counted instead.

#include <time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include "agent/stream/stream_reader.h"

namespace {

using vic_r1::stream::StreamOutcome;
using vic_r1::stream::StreamReader;
using vic_r1::stream::StreamSink;
using vic_r1::stream::StreamSummary;
using vic_r1::stream::TokenUsage;

constexpr int kExitUsage = 2;
constexpr int kExitCannotMeasure = 1;
constexpr std::size_t kRounds = 5;

// Counts what a speaking sink would receive, and keeps nothing else.
class CountingSink : public StreamSink {
 public:
  void on_answer(std::string_view text) override {
    ++answer_pieces_;
    answer_bytes_ += text.size();
  }
  void on_reasoning(std::string_view, std::size_t total_characters) override {
    reasoning_characters_ = total_characters;
  }
  void on_finish_reason(std::string_view) override {}
  void on_usage(const TokenUsage&) override {}
  void on_error(std::string_view message) override {
    if (first_error_.empty()) first_error_ = std::string(message);
  }

  std::size_t answer_pieces_ = 0;
  std::size_t answer_bytes_ = 0;
  std::size_t reasoning_characters_ = 0;
  std::string first_error_;
};

struct Arguments {
  std::string transcript_path;
  long long answer_tokens = -1;
  std::size_t read_bytes = 16 * 1024;
  double min_cpu_seconds = 1.0;
};

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// One whole response, read by a fresh reader, as one request would be.
StreamSummary read_once(std::string_view body, std::size_t read_bytes, CountingSink& sink) {
  StreamReader reader(StreamReader::Options{});
  for (std::size_t offset = 0; offset < body.size(); offset += read_bytes) {
    reader.feed(body.substr(offset, read_bytes), sink);
  }
  return reader.finish(sink);
}

// SSE events that carry data, [DONE] excepted: the chunks the server sent.
std::size_t count_data_events(std::string_view body) {
  std::size_t events = 0;
  std::size_t line_start = 0;
  while (line_start < body.size()) {
    std::size_t line_end = body.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = body.size();
    const std::string_view line = body.substr(line_start, line_end - line_start);
    if (line.substr(0, 5) == "data:" && line.find("[DONE]") == std::string_view::npos) ++events;
    line_start = line_end + 1;
  }
  return events;
}

bool parse_number(const char* text, double& value) {
  char* end = nullptr;
  errno = 0;
  value = std::strtod(text, &end);
  return errno == 0 && end != text && *end == '\0' && value > 0;
}

bool parse_arguments(int argc, char** argv, Arguments& arguments) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    double value = 0;
    if (flag == "--answer-tokens" || flag == "--read-bytes" || flag == "--min-cpu-seconds") {
      if (i + 1 >= argc || !parse_number(argv[i + 1], value)) {
        std::cerr << "stream_reader_throughput: " << flag << " takes a positive number\n";
        return false;
      }
      ++i;
      if (flag == "--answer-tokens") arguments.answer_tokens = static_cast<long long>(value);
      if (flag == "--read-bytes") arguments.read_bytes = static_cast<std::size_t>(value);
      if (flag == "--min-cpu-seconds") arguments.min_cpu_seconds = value;
    } else if (arguments.transcript_path.empty() && !flag.empty() && flag[0] != '-') {
      arguments.transcript_path = argv[i];
    } else {
      std::cerr << "stream_reader_throughput: unexpected argument '" << flag << "'\n";
      return false;
    }
  }
  if (arguments.transcript_path.empty()) {
    std::cerr << "usage: stream_reader_throughput TRANSCRIPT [--answer-tokens N] [--read-bytes N]"
                 " [--min-cpu-seconds S]\n";
    return false;
  }
  return arguments.read_bytes > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments arguments;
  if (!parse_arguments(argc, argv, arguments)) return kExitUsage;

  std::ifstream file(arguments.transcript_path, std::ios::binary);
  if (!file) {
    std::cerr << "stream_reader_throughput: cannot open " << arguments.transcript_path << ": "
              << std::strerror(errno) << "\n";
    return kExitCannotMeasure;
  }
  const std::string body((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::size_t events = std::max<std::size_t>(count_data_events(body), 1);

  // The first pass warms the caches and shows that the reader read the whole
  // transcript: figures of a reader that stopped early would mean nothing.
  CountingSink first_sink;
  const StreamSummary summary = read_once(body, arguments.read_bytes, first_sink);
  if (summary.outcome != StreamOutcome::kCompleted || first_sink.answer_bytes_ == 0) {
    std::cerr << "stream_reader_throughput: the reader did not complete " << arguments.transcript_path
              << " (outcome " << vic_r1::stream::outcome_name(summary.outcome) << ", " << first_sink.answer_bytes_
              << " answer bytes): " << summary.explanation
              << (first_sink.first_error_.empty() ? "" : " (" + first_sink.first_error_ + ")") << "\n";
    return kExitCannotMeasure;
  }
  const long long answer_tokens = arguments.answer_tokens > 0 ? arguments.answer_tokens
                                                              : static_cast<long long>(first_sink.answer_pieces_);

  // Rounds of passes, and figures from the median round: other processes on
  // the machine (a build, say) slow some rounds, never speed one up.
  std::array<double, kRounds> pass_seconds_by_round{};
  std::size_t passes = 0;
  const double round_seconds = arguments.min_cpu_seconds / static_cast<double>(kRounds);
  const double start = process_cpu_seconds();
  for (double& pass_seconds : pass_seconds_by_round) {
    const double round_start = process_cpu_seconds();
    std::size_t round_passes = 0;
    double round_cpu = 0;
    do {
      CountingSink sink;
      read_once(body, arguments.read_bytes, sink);
      ++round_passes;
      round_cpu = process_cpu_seconds() - round_start;
    } while (round_cpu < round_seconds);
    pass_seconds = round_cpu / static_cast<double>(round_passes);
    passes += round_passes;
  }
  const double cpu_seconds = process_cpu_seconds() - start;
  std::sort(pass_seconds_by_round.begin(), pass_seconds_by_round.end());
  const double median_pass = pass_seconds_by_round[kRounds / 2];
  const double best_pass = pass_seconds_by_round.front();
  const double megabytes = static_cast<double>(body.size()) / 1e6;

  const auto print = [](const char* name, double value, int decimals) {
    std::printf("%s %.*f\n", name, decimals, value);
  };
  std::printf("transcript_bytes %zu\n", body.size());
  std::printf("data_events %zu\n", events);
  std::printf("answer_tokens %lld\n", answer_tokens);
  std::printf("answer_bytes %zu\n", first_sink.answer_bytes_);
  std::printf("reasoning_characters %zu\n", first_sink.reasoning_characters_);
  std::printf("outcome %s\n", std::string(vic_r1::stream::outcome_name(summary.outcome)).c_str());
  std::printf("read_bytes %zu\n", arguments.read_bytes);
  std::printf("passes %zu\n", passes);
  std::printf("rounds %zu\n", kRounds);
  print("cpu_seconds", cpu_seconds, 3);
  // Median round:
  print("mb_per_s", megabytes / median_pass, 1);
  print("cpu_ms_per_mb", median_pass * 1e3 / megabytes, 3);
  print("ns_per_answer_token", median_pass * 1e9 / static_cast<double>(answer_tokens), 0);
  print("ns_per_data_event", median_pass * 1e9 / static_cast<double>(events), 1);
  // Fastest round:
  print("best_mb_per_s", megabytes / best_pass, 1);
  return 0;
}
