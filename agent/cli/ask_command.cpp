#include "agent/cli/ask_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string_view>

#include "agent/cli/command_line.h"
#include "agent/cli/control_commands.h"
#include "agent/orchestrator/answer_orchestrator.h"
#include "agent/runtime/standalone_ask.h"
#include "agent/stream/stream_reader.h"
#include "platform/config/agent_config.h"
#include "platform/http/https_client.h"

namespace vic_r1::cli {

const char* const kAskUsage =
    "usage: vic-r1 ask [--config FILE] [--socket-dir DIR] QUESTION\n"
    "  Asks the running agent, as if QUESTION had been spoken: Vector answers aloud, and\n"
    "  each sentence is printed as Vector says it, then the outcome on stderr. Exit status\n"
    "  0 answered, 1 not (the outcome says why), 20 no running agent.\n"
    "  --socket-dir DIR  where the agent's control socket is (default: the config's)\n"
    "\n"
    "usage: vic-r1 ask --standalone [--config FILE] [--show-reasoning] [--verbose] QUESTION\n"
    "  Asks the configured server with no robot and no running agent, by the path a\n"
    "  spoken question takes (the same request, providers and fallbacks, reader and\n"
    "  speech planner), and writes the answer to stdout as it streams: reasoning and\n"
    "  markup removed. Then one timing line on stderr: when the connection, the TLS\n"
    "  handshake, the request, the first byte, the first answer byte and the end came, in\n"
    "  ms since the provider was asked.\n"
    "  --standalone      required: ask the server directly, not through the robot's agent\n"
    "  --config FILE     the config (default /data/vic-r1/config.json)\n"
    "  --show-reasoning  write the model's reasoning to stderr (dimmed on a terminal)\n"
    "  --verbose         write the agent's log lines to stderr\n"
    "  For diagnostics and benchmarks:\n"
    "  --repeat N        ask the same question N times on one client (the connection is\n"
    "                    kept alive), a timing line per question, then the handshake count\n"
    "  --pause-ms MS     wait MS ms between repeated questions (idle connections)\n"
    "  --preconnect      open the connection first, then ask (as after the wake word)\n"
    "  Exit status: 0 answered; 2 usage; 10 config, key or CA file unusable; 11 DNS\n"
    "  failure, connection refused or unreachable; 12 TLS verification or handshake\n"
    "  failed; 13 timed out; 14 the server answered with an HTTP error status; 15 error\n"
    "  inside the stream, or the stream was cut short; 16 the answer came only as\n"
    "  reasoning; 130 interrupted.\n";

namespace {

using platform::RequestFailureKind;
using platform::RequestTiming;

constexpr int kMaxRepeat = 1000;
constexpr int kMaxPauseMs = 10 * 60 * 1000;

struct AskOptions {
  bool standalone = false;
  std::string socket_dir;  // without --standalone: where the agent's control socket is
  std::string config_path{platform::kDefaultConfigPath};
  bool show_reasoning = false;
  bool verbose = false;
  int repeat = 1;
  int pause_ms = 0;
  bool preconnect = false;
  std::string question;
};

bool parse_count(const std::string& text, int low, int high, int& value) {
  std::uint64_t number = 0;
  if (!parse_whole_number(text, static_cast<std::uint64_t>(low), static_cast<std::uint64_t>(high), number)) {
    return false;
  }
  value = static_cast<int>(number);
  return true;
}

std::optional<int> parse_arguments(const std::vector<std::string>& arguments, AskOptions& options,
                                   std::ostream& out, std::ostream& err) {
  const auto usage_error = [&err](const std::string& problem) {
    err << "vic-r1 ask: " << problem << "\n" << kAskUsage;
    return std::optional<int>(kExitUsage);
  };
  bool have_question = false;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    const bool takes_value = argument == "--config" || argument == "--repeat" || argument == "--pause-ms" ||
                             argument == "--socket-dir";
    if (takes_value && i + 1 == arguments.size()) return usage_error(argument + " needs a value");
    if (argument == "--help" || argument == "-h") {
      out << kAskUsage;
      return kExitOk;
    } else if (argument == "--standalone") {
      options.standalone = true;
    } else if (argument == "--config") {
      options.config_path = arguments[++i];
    } else if (argument == "--socket-dir") {
      options.socket_dir = arguments[++i];
    } else if (argument == "--show-reasoning") {
      options.show_reasoning = true;
    } else if (argument == "--verbose") {
      options.verbose = true;
    } else if (argument == "--repeat") {
      if (!parse_count(arguments[++i], 1, kMaxRepeat, options.repeat)) {
        return usage_error("--repeat takes a count from 1 to " + std::to_string(kMaxRepeat) + ", not '" +
                           arguments[i] + "'");
      }
    } else if (argument == "--pause-ms") {
      if (!parse_count(arguments[++i], 0, kMaxPauseMs, options.pause_ms)) {
        return usage_error("--pause-ms takes milliseconds from 0 to " + std::to_string(kMaxPauseMs) + ", not '" +
                           arguments[i] + "'");
      }
    } else if (argument == "--preconnect") {
      options.preconnect = true;
    } else if (argument == "--") {
      if (i + 2 != arguments.size()) return usage_error("one question after --");
      options.question = arguments[++i];
      have_question = true;
    } else if (argument.size() > 1 && argument[0] == '-') {
      return usage_error("unknown option '" + argument + "'");
    } else if (have_question) {
      return usage_error("one question only; quote it (\"why is the sky blue\")");
    } else {
      options.question = argument;
      have_question = true;
    }
  }
  if (!options.standalone && (options.show_reasoning || options.verbose || options.repeat != 1 ||
                              options.pause_ms != 0 || options.preconnect)) {
    return usage_error("--show-reasoning, --verbose, --repeat, --pause-ms and --preconnect go with --standalone");
  }
  if (!have_question || options.question.empty()) return usage_error("no question");
  return std::nullopt;
}

int exit_status_for(RequestFailureKind kind) {
  switch (kind) {
    case RequestFailureKind::kNone:
      return kExitOk;
    case RequestFailureKind::kDns:
    case RequestFailureKind::kConnectionRefused:
    case RequestFailureKind::kNetworkUnreachable:
    case RequestFailureKind::kUnencryptedToInternet:
      return kExitAskUnreachable;
    case RequestFailureKind::kTls:
    case RequestFailureKind::kClockNotSet:
      return kExitAskTls;
    case RequestFailureKind::kTimeout:
      return kExitAskTimeout;
    case RequestFailureKind::kHttpStatus:
      return kExitAskHttpStatus;
    case RequestFailureKind::kStreamBroken:
      return kExitAskStreamFailed;
    case RequestFailureKind::kCancelled:
      return kExitAskCancelled;
  }
  return kExitAskStreamFailed;
}

int exit_status_for(stream::StreamOutcome outcome) {
  switch (outcome) {
    case stream::StreamOutcome::kCompleted:
      return kExitOk;
    case stream::StreamOutcome::kError:
    case stream::StreamOutcome::kCutShort:
      return kExitAskStreamFailed;
    case stream::StreamOutcome::kAnswerOnlyInReasoning:
      return kExitAskOnlyReasoning;
  }
  return kExitAskStreamFailed;
}

// Milliseconds, with a decimal below 10 ms (loopback and pre-connected
// requests are that fast, and "0 ms" would say nothing).
std::string format_ms(const std::optional<std::chrono::microseconds>& elapsed) {
  if (!elapsed) return "-";
  const long long us = elapsed->count();
  if (us < 10000) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f ms", static_cast<double>(us) / 1000.0);
    return text;
  }
  return std::to_string((us + 500) / 1000) + " ms";
}

// How the question's connection came about, for the timing line.
std::string_view connection_story(const RequestTiming& timing, bool preconnected) {
  if (timing.reconnected) return "reconnected";  // the kept one had been closed by the server
  if (!timing.reused_connection) return "new";
  return preconnected ? "pre-connected" : "reused";
}

std::string format_timing(const RequestTiming& timing,
                          const std::optional<std::chrono::microseconds>& first_answer, bool preconnected) {
  std::string line = "connect " + format_ms(timing.connect) + ", TLS " + format_ms(timing.tls_handshake) +
                     ", sent " + format_ms(timing.request_sent) + ", first byte " +
                     format_ms(timing.first_body_byte) + ", first answer byte " + format_ms(first_answer) +
                     ", total " + format_ms(timing.done) + "; connection " +
                     std::string(connection_story(timing, preconnected));
  if (!timing.tls_version.empty()) {
    line += ", " + timing.tls_version + (timing.resumed_session ? " resumed" : " full");
  } else {
    line += ", unencrypted";  // http:// to the local network: no handshake
  }
  line += ", attempts " + std::to_string(timing.attempts);
  return line;
}

// The answer for the terminal: the text as it streams to stdout, the
// reasoning to stderr when asked for, and once each question has ended its
// outcome (when not answered) and timing line to stderr.
class AnswerPrinter final : public orchestrator::QuestionListener {
 public:
  AnswerPrinter(std::ostream& out, std::ostream& err, const AskOptions& options, bool dim_reasoning)
      : out_(out), err_(err), options_(options), dim_reasoning_(dim_reasoning) {}

  int status() const { return status_; }

  // The text is printed whole as it streams; the sentences Vector would say
  // are the same words.
  void on_sentence(std::string_view) override {}

  void on_answer_text(std::string_view text) override {
    end_reasoning();
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
    out_.flush();
  }

  void on_reasoning(std::string_view text) override {
    if (!options_.show_reasoning) return;
    reasoning_open_ = true;
    if (dim_reasoning_) err_ << "\x1b[2m";
    err_.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (dim_reasoning_) err_ << "\x1b[0m";
    err_.flush();
  }

  void on_finished(const orchestrator::QuestionReport& report) override {
    ++finished_;
    end_reasoning();
    if (options_.repeat > 1) out_ << "\n";
    out_.flush();
    status_ = exit_status_for(report);
    if (status_ == kExitAskCancelled) return;  // said once the run has stopped
    for (const std::string& why : report.given_up) err_ << "vic-r1 ask: gave up: " << why << "\n";
    if (status_ != kExitOk) err_ << "vic-r1 ask: " << report.outcome << "\n";
    if (report.request_timing) {
      err_ << "vic-r1 ask: ";
      if (options_.repeat > 1) err_ << "question " << finished_ << "/" << options_.repeat << ": ";
      // With --preconnect the first question is asked only once the
      // connection is open.
      err_ << format_timing(*report.request_timing, first_answer(report), options_.preconnect && finished_ == 1)
           << "\n";
    }
    err_.flush();
  }

 private:
  static int exit_status_for(const orchestrator::QuestionReport& report) {
    if (report.outcome.rfind("interrupted", 0) == 0) return kExitAskCancelled;
    if (report.request_failure != RequestFailureKind::kNone) return cli::exit_status_for(report.request_failure);
    if (report.stream_outcome && *report.stream_outcome != stream::StreamOutcome::kCompleted) {
      return cli::exit_status_for(*report.stream_outcome);
    }
    if (report.outcome == "answered") return kExitOk;
    return kExitAskStreamFailed;  // a whole stream with no answer in it
  }

  // The first answer byte, counted like the client's timing: from the
  // moment the provider that answered was asked.
  static std::optional<std::chrono::microseconds> first_answer(const orchestrator::QuestionReport& report) {
    const orchestrator::QuestionTimeline& timeline = report.timeline;
    if (!timeline.first_answer_byte || !timeline.provider_asked) return std::nullopt;
    return *timeline.first_answer_byte - *timeline.provider_asked;
  }

  // The reasoning block ends on a line of its own, before the answer starts.
  void end_reasoning() {
    if (!reasoning_open_) return;
    reasoning_open_ = false;
    err_ << "\n";
    err_.flush();
  }

  std::ostream& out_;
  std::ostream& err_;
  const AskOptions& options_;
  const bool dim_reasoning_;
  bool reasoning_open_ = false;
  int finished_ = 0;
  int status_ = kExitOk;
};

int ask_without_robot(const AskOptions& options, std::ostream& out, std::ostream& err) {
  runtime::StandaloneAskOptions run;
  run.config_path = options.config_path;
  run.question = options.question;
  run.repeat = options.repeat;
  run.pause = std::chrono::milliseconds(options.pause_ms);
  run.preconnect = options.preconnect;
  run.log_to_stderr = options.verbose;
  AnswerPrinter printer(out, err, options, ::isatty(STDERR_FILENO) == 1);
  const runtime::StandaloneAskEnding ending = runtime::ask_standalone(run, printer);

  int status = printer.status();
  switch (ending.kind) {
    case runtime::StandaloneAskEnding::Kind::kConfigUnusable:
      for (const std::string& problem : ending.problems) err << "vic-r1 ask: " << problem << "\n";
      return kExitAskConfig;
    case runtime::StandaloneAskEnding::Kind::kPreconnectFailed:
      err << "vic-r1 ask: " << ending.preconnect_failure_text << "\n";
      status = exit_status_for(ending.preconnect_failure.kind);
      break;
    case runtime::StandaloneAskEnding::Kind::kInterrupted:
      err << "vic-r1 ask: cancelled\n";
      status = kExitAskCancelled;
      break;
    case runtime::StandaloneAskEnding::Kind::kQuestionFailed:
    case runtime::StandaloneAskEnding::Kind::kAllAsked:
      break;
  }
  if (options.repeat > 1) {
    err << "vic-r1 ask: TLS handshakes: " << ending.full_handshakes << " full, " << ending.resumed_handshakes
        << " resumed\n";
  }
  if (::isatty(STDOUT_FILENO) == 1) out << "\n";  // the prompt goes on a line of its own
  err.flush();
  return status;
}

}  // namespace

int run_ask(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  AskOptions options;
  if (const auto status = parse_arguments(arguments, options, out, err)) return *status;
  if (!options.standalone) {
    return ask_running_agent(options.question, control_socket_path(options.socket_dir, options.config_path), out,
                             err);
  }
  return ask_without_robot(options, out, err);
}

}  // namespace vic_r1::cli
