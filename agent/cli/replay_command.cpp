#include "agent/cli/replay_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "agent/cli/command_line.h"
#include "agent/stream/server_profiles.h"
#include "agent/stream/stream_reader.h"

namespace vic_r1::cli {

const char* const kReplayUsage =
    "usage: vic-r1 replay [--content-type TYPE] [--profile NAME] [--chunk N|random:SEED] [--events] FILE|-\n"
    "  Reads a captured HTTP response body (FILE, or - for stdin) and writes only the answer\n"
    "  text, reasoning removed. Exit status: 0 ended properly, 3 the stream carried an error,\n"
    "  4 cut short, 5 the answer appears to be only in the reasoning, 2 usage error.\n"
    "  --content-type TYPE  the response's Content-Type (NDJSON or SSE); default: the\n"
    "                       profile's format, else told from the first byte\n"
    "  --profile NAME       server profile (default auto); --profile list names them\n"
    "  --chunk N|random:SEED  feed the reader N bytes at a time, or random sizes (1-257)\n"
    "  --events             one JSON object per line: answer, reasoning, finish, usage, error, end\n";

namespace {

using stream::StreamOutcome;
using stream::TokenUsage;

struct ReplayOptions {
  std::optional<std::string> content_type;
  const stream::ServerProfile* profile = &stream::default_server_profile();
  std::size_t chunk_size = 0;  // 0: whatever each read returns
  std::optional<std::uint64_t> random_seed;
  bool events = false;
  std::string input;
};

// Read-size source for --chunk random:SEED (splitmix64: the same cuts on
// every platform, so a failing seed reproduces anywhere).
class RandomPieceSizes {
 public:
  explicit RandomPieceSizes(std::uint64_t seed) : state_(seed) {}
  std::size_t next() {
    state_ += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return 1 + static_cast<std::size_t>(z % 257);
  }

 private:
  std::uint64_t state_;
};

class AnswerTextSink final : public stream::StreamSink {
 public:
  explicit AnswerTextSink(std::ostream& out) : out_(out) {}
  void on_answer(std::string_view text) override {
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  void on_reasoning(std::string_view, std::size_t) override {}
  void on_finish_reason(std::string_view) override {}
  void on_usage(const TokenUsage&) override {}
  void on_error(std::string_view) override {}

 private:
  std::ostream& out_;
};

class JsonEventSink final : public stream::StreamSink {
 public:
  explicit JsonEventSink(std::ostream& out) : out_(out) {}

  void on_answer(std::string_view text) override {
    begin("answer");
    writer_.Key("text");
    writer_.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    end();
  }
  void on_reasoning(std::string_view, std::size_t total_characters) override {
    begin("reasoning");
    writer_.Key("chars");
    writer_.Uint64(total_characters);
    end();
  }
  void on_finish_reason(std::string_view reason) override {
    begin("finish");
    writer_.Key("reason");
    writer_.String(reason.data(), static_cast<rapidjson::SizeType>(reason.size()));
    end();
  }
  void on_usage(const TokenUsage& usage) override {
    begin("usage");
    write_count("prompt_tokens", usage.prompt_tokens);
    write_count("completion_tokens", usage.completion_tokens);
    write_count("total_tokens", usage.total_tokens);
    write_count("reasoning_tokens", usage.reasoning_tokens);
    end();
  }
  void on_error(std::string_view message) override {
    begin("error");
    writer_.Key("message");
    writer_.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
    end();
  }
  void on_end(const stream::StreamSummary& summary) {
    begin("end");
    writer_.Key("status");
    const std::string_view status = stream::outcome_name(summary.outcome);
    writer_.String(status.data(), static_cast<rapidjson::SizeType>(status.size()));
    if (!summary.explanation.empty()) {
      writer_.Key("explanation");
      writer_.String(summary.explanation.c_str(), static_cast<rapidjson::SizeType>(summary.explanation.size()));
    }
    end();
  }

 private:
  void begin(const char* type) {
    buffer_.Clear();
    writer_.Reset(buffer_);
    writer_.StartObject();
    writer_.Key("type");
    writer_.String(type);
  }
  void end() {
    writer_.EndObject();
    out_.write(buffer_.GetString(), static_cast<std::streamsize>(buffer_.GetSize()));
    out_.put('\n');
  }
  void write_count(const char* name, long long count) {
    if (count < 0) return;  // the server did not say
    writer_.Key(name);
    writer_.Int64(count);
  }

  std::ostream& out_;
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

bool parse_size(std::string_view text, std::uint64_t& value) {
  if (text.empty() || text.size() > 19) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

void list_profiles(std::ostream& out) {
  for (const stream::ServerProfile& profile : stream::server_profiles()) {
    out << profile.name << "\t" << profile.server << "\treasoning: " << profile.reasoning_in << "\n";
  }
}

// Returns an exit status when the arguments end the command (usage error,
// --profile list), or nothing when the replay should run.
std::optional<int> parse_arguments(const std::vector<std::string>& arguments, ReplayOptions& options,
                                   std::ostream& out, std::ostream& err) {
  const auto usage_error = [&err](const std::string& problem) {
    err << "vic-r1 replay: " << problem << "\n" << kReplayUsage;
    return std::optional<int>(kExitUsage);
  };
  bool have_input = false;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    const bool takes_value = argument == "--content-type" || argument == "--profile" || argument == "--chunk";
    if (takes_value && i + 1 == arguments.size()) return usage_error(argument + " needs a value");
    if (argument == "--help" || argument == "-h") {
      out << kReplayUsage;
      return kExitOk;
    } else if (argument == "--content-type") {
      options.content_type = arguments[++i];
    } else if (argument == "--profile") {
      const std::string& name = arguments[++i];
      if (name == "list") {
        list_profiles(out);
        return kExitOk;
      }
      options.profile = stream::find_server_profile(name);
      if (options.profile == nullptr) {
        return usage_error("unknown profile '" + name + "' (--profile list names them)");
      }
    } else if (argument == "--chunk") {
      const std::string& value = arguments[++i];
      std::uint64_t number = 0;
      if (value.rfind("random:", 0) == 0 && parse_size(std::string_view(value).substr(7), number)) {
        options.random_seed = number;
      } else if (parse_size(value, number) && number > 0 && number <= (1u << 30)) {
        options.chunk_size = static_cast<std::size_t>(number);
      } else {
        return usage_error("--chunk takes a size in bytes (1 or more) or random:SEED, not '" + value + "'");
      }
    } else if (argument == "--events") {
      options.events = true;
    } else if (argument.size() > 1 && argument[0] == '-') {
      return usage_error("unknown option '" + argument + "'");
    } else if (have_input) {
      return usage_error("one input only (got '" + options.input + "' and '" + argument + "')");
    } else {
      options.input = argument;
      have_input = true;
    }
  }
  if (!have_input) return usage_error("no input: give a FILE, or - for stdin");
  return std::nullopt;
}

int exit_status_for(StreamOutcome outcome) {
  switch (outcome) {
    case StreamOutcome::kCompleted:
      return kExitOk;
    case StreamOutcome::kError:
      return kExitStreamError;
    case StreamOutcome::kCutShort:
      return kExitStreamCutShort;
    case StreamOutcome::kAnswerOnlyInReasoning:
      return kExitAnswerOnlyInReasoning;
  }
  return kExitStreamError;
}

}  // namespace

int run_replay(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  ReplayOptions options;
  if (const auto status = parse_arguments(arguments, options, out, err)) return *status;

  std::optional<std::string_view> content_type;
  if (options.content_type) content_type = *options.content_type;
  const stream::StreamReader::Options reader_options = stream::reader_options_for(*options.profile, content_type);
  stream::StreamReader reader(reader_options);

  const bool from_stdin = options.input == "-";
  const int fd = from_stdin ? STDIN_FILENO : ::open(options.input.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err << "vic-r1 replay: cannot open " << options.input << ": " << std::strerror(errno) << "\n";
    return kExitUsage;
  }

  AnswerTextSink answer_sink(out);
  JsonEventSink event_sink(out);
  stream::StreamSink& sink = options.events ? static_cast<stream::StreamSink&>(event_sink) : answer_sink;
  std::optional<RandomPieceSizes> random_sizes;
  if (options.random_seed) random_sizes.emplace(*options.random_seed);

  // read(2), not buffered stdio: a live stream piped in is passed on as it
  // arrives instead of waiting for a buffer to fill.
  static constexpr std::size_t kReadSize = 64 * 1024;
  std::string buffer(kReadSize, '\0');
  int read_errno = 0;
  for (;;) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) read_errno = errno;
    if (got <= 0) break;
    std::string_view block(buffer.data(), static_cast<std::size_t>(got));
    while (!block.empty()) {
      std::size_t piece = block.size();
      if (random_sizes) piece = random_sizes->next();
      else if (options.chunk_size > 0) piece = options.chunk_size;
      piece = std::min(piece, block.size());
      reader.feed(block.substr(0, piece), sink);
      block.remove_prefix(piece);
    }
    out.flush();
  }
  if (!from_stdin) ::close(fd);
  if (read_errno != 0) {
    err << "vic-r1 replay: reading " << options.input << " failed: " << std::strerror(read_errno) << "\n";
    return kExitUsage;
  }

  const stream::StreamSummary summary = reader.finish(sink);
  if (options.events) event_sink.on_end(summary);
  out.flush();
  if (summary.outcome != StreamOutcome::kCompleted) {
    err << "vic-r1 replay: " << summary.explanation << "\n";
  } else if (summary.stray_close_tag_removed) {
    err << "vic-r1 replay: note: a </think> with no opening tag was removed from the answer; the "
           "text before it may have been reasoning (try --profile inline-r1)\n";
  } else if (summary.unopened_text == stream::UnopenedTextVerdict::kAnswer) {
    err << "vic-r1 replay: note: the text had no think tag, so it was held in case it was "
           "reasoning with a missing opener; the output ended with no </think>, so it was the answer\n";
  }
  return exit_status_for(summary.outcome);
}

}  // namespace vic_r1::cli
