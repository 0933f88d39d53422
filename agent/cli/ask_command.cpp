#include "agent/cli/ask_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/cli/command_line.h"
#include "agent/cli/control_commands.h"
#include "agent/conversation/chat_request.h"
#include "agent/stream/server_profiles.h"
#include "agent/stream/stream_reader.h"
#include "build_facts.h"
#include "platform/config/agent_config.h"
#include "platform/config/api_key_file.h"
#include "platform/http/https_client.h"
#include "platform/tls/tls_client_context.h"

namespace vic_r1::cli {

const char* const kAskUsage =
    "usage: vic-r1 ask [--config FILE] [--socket-dir DIR] QUESTION\n"
    "  Asks the running agent, as if QUESTION had been spoken: Vector answers aloud, and\n"
    "  each sentence is printed as Vector says it, then the outcome on stderr. Exit status\n"
    "  0 answered, 1 not (the outcome says why), 20 no running agent.\n"
    "  --socket-dir DIR  where the agent's control socket is (default: the config's)\n"
    "\n"
    "usage: vic-r1 ask --standalone [--config FILE] [--show-reasoning] QUESTION\n"
    "  Sends QUESTION straight to the configured server (no robot, no running agent) and\n"
    "  writes the answer to stdout as it streams, reasoning removed. Then one timing line\n"
    "  on stderr: when the connection, the TLS handshake, the request, the first byte, the\n"
    "  first answer byte and the end came, in ms since the question was sent.\n"
    "  --standalone      required: ask the server directly, not through the robot's agent\n"
    "  --config FILE     the config (default /data/vic-r1/config.json)\n"
    "  --show-reasoning  write the model's reasoning to stderr (dimmed on a terminal)\n"
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

using Clock = std::chrono::steady_clock;
using platform::RequestFailure;
using platform::RequestFailureKind;
using platform::RequestTiming;

constexpr int kMaxRepeat = 1000;
constexpr int kMaxPauseMs = 10 * 60 * 1000;

struct AskOptions {
  bool standalone = false;
  std::string socket_dir;  // without --standalone: where the agent's control socket is
  std::string config_path{platform::kDefaultConfigPath};
  bool show_reasoning = false;
  int repeat = 1;
  int pause_ms = 0;
  bool preconnect = false;
  std::string question;
};

bool parse_count(const std::string& text, int low, int high, int& value) {
  if (text.empty() || text.size() > 9) return false;
  int number = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    number = number * 10 + (c - '0');
  }
  if (number < low || number > high) return false;
  value = number;
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
  if (!options.standalone && (options.show_reasoning || options.repeat != 1 || options.pause_ms != 0 ||
                              options.preconnect)) {
    return usage_error("--show-reasoning, --repeat, --pause-ms and --preconnect go with --standalone");
  }
  if (!have_question || options.question.empty()) return usage_error("no question");
  return std::nullopt;
}

int exit_status_for(RequestFailureKind kind) {
  switch (kind) {
    case RequestFailureKind::kNone: return kExitOk;
    case RequestFailureKind::kDns:
    case RequestFailureKind::kConnectionRefused:
    case RequestFailureKind::kNetworkUnreachable: return kExitAskUnreachable;
    case RequestFailureKind::kTls: return kExitAskTls;
    case RequestFailureKind::kTimeout: return kExitAskTimeout;
    case RequestFailureKind::kHttpStatus: return kExitAskHttpStatus;
    case RequestFailureKind::kStreamBroken: return kExitAskStreamFailed;
    case RequestFailureKind::kCancelled: return kExitAskCancelled;
  }
  return kExitAskStreamFailed;
}

int exit_status_for(stream::StreamOutcome outcome) {
  switch (outcome) {
    case stream::StreamOutcome::kCompleted: return kExitOk;
    case stream::StreamOutcome::kError:
    case stream::StreamOutcome::kCutShort: return kExitAskStreamFailed;
    case stream::StreamOutcome::kAnswerOnlyInReasoning: return kExitAskOnlyReasoning;
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

std::string format_timing(const RequestTiming& timing, const std::optional<std::chrono::microseconds>& first_answer,
                          bool preconnected) {
  std::string line = "connect " + format_ms(timing.connect) + ", TLS " + format_ms(timing.tls_handshake) +
                     ", sent " + format_ms(timing.request_sent) + ", first byte " +
                     format_ms(timing.first_body_byte) + ", first answer byte " + format_ms(first_answer) +
                     ", total " + format_ms(timing.done) + "; connection " +
                     std::string(connection_story(timing, preconnected));
  if (!timing.tls_version.empty()) {
    line += ", " + timing.tls_version + (timing.resumed_session ? " resumed" : " full");
  }
  line += ", attempts " + std::to_string(timing.attempts);
  return line;
}

// Takes the response body from the client, runs it through the stream
// reader, and writes what the reader makes of it: the answer to `out` (as
// it comes), the reasoning to `err` when asked for.
class AnswerPrinter final : public platform::ResponseBodySink, public stream::StreamSink {
 public:
  AnswerPrinter(std::ostream& out, std::ostream& err, const stream::ServerProfile& profile, bool show_reasoning,
                bool dim_reasoning)
      : out_(out), err_(err), profile_(profile), show_reasoning_(show_reasoning), dim_reasoning_(dim_reasoning) {}

  void start(Clock::time_point asked) {
    asked_ = asked;
    reader_.reset();
    first_answer_.reset();
    reasoning_open_ = false;
  }

  // Ends the stream (flushing what the reader still holds) and says how it ended.
  std::optional<stream::StreamSummary> finish() {
    if (!reader_) return std::nullopt;
    stream::StreamSummary summary = reader_->finish(*this);
    end_reasoning();
    out_.flush();
    return summary;
  }

  const std::optional<std::chrono::microseconds>& first_answer() const { return first_answer_; }

  // ---- ResponseBodySink -----------------------------------------------------
  void on_response_headers(int, std::string_view content_type) override {
    std::optional<std::string_view> type;
    if (!content_type.empty()) type = content_type;
    reader_.emplace(stream::reader_options_for(profile_, type));
  }

  bool on_body_bytes(std::string_view bytes) override {
    const std::size_t payloads_before = reader_->payloads_seen();
    const bool was_done = reader_->done();
    reader_->feed(bytes, *this);
    out_.flush();
    // Only a data payload or [DONE] counts as data; keep-alive comments do not.
    return reader_->payloads_seen() > payloads_before || (!was_done && reader_->done());
  }

  bool stream_finished() const override { return reader_ && reader_->done(); }

  // ---- StreamSink -----------------------------------------------------------
  void on_answer(std::string_view text) override {
    if (text.empty()) return;
    if (!first_answer_) {
      first_answer_ = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - asked_);
      end_reasoning();
    }
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
  }

  void on_reasoning(std::string_view text, std::size_t) override {
    if (!show_reasoning_ || text.empty()) return;
    reasoning_open_ = true;
    if (dim_reasoning_) err_ << "\x1b[2m";
    err_.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (dim_reasoning_) err_ << "\x1b[0m";
    err_.flush();
  }

  void on_finish_reason(std::string_view) override {}
  void on_usage(const stream::TokenUsage&) override {}
  void on_error(std::string_view) override {}

 private:
  // The reasoning block ends on a line of its own, before the answer starts.
  void end_reasoning() {
    if (!reasoning_open_) return;
    reasoning_open_ = false;
    err_ << "\n";
    err_.flush();
  }

  std::ostream& out_;
  std::ostream& err_;
  const stream::ServerProfile& profile_;
  const bool show_reasoning_;
  const bool dim_reasoning_;
  Clock::time_point asked_;
  std::optional<stream::StreamReader> reader_;
  std::optional<std::chrono::microseconds> first_answer_;
  bool reasoning_open_ = false;
};

// The question, asked `repeat` times in a row on one client:
//   (preconnect -> on_preconnected) -> ask -> on_answered -> (pause) -> ask ...
// It stops at the first failure.
class AskSession {
 public:
  AskSession(boost::asio::io_context& io, platform::HttpsClient& client, AnswerPrinter& printer,
             const AskOptions& options, std::string host, std::string target, std::string body,
             platform::HttpHeaders headers, std::ostream& out, std::ostream& err)
      : io_(io),
        client_(client),
        printer_(printer),
        options_(options),
        host_(std::move(host)),
        target_(std::move(target)),
        body_(std::move(body)),
        headers_(std::move(headers)),
        out_(out),
        err_(err),
        signals_(io, SIGINT, SIGTERM),
        pause_(io) {}

  int run() {
    // The user's Ctrl-C closes the stream at once; the answer so far stays printed.
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      interrupted_ = true;
      pause_.cancel();
      client_.cancel();
    });
    if (options_.preconnect) {
      client_.preconnect([this](const RequestFailure& failure) { on_preconnected(failure); });
    } else {
      ask();
    }
    io_.run();
    return status_;
  }

 private:
  void on_preconnected(const RequestFailure& failure) {
    if (failure) return stop(failure);
    preconnected_ = true;
    ask();
  }

  void ask() {
    ++asked_;
    printer_.start(Clock::now());
    client_.post_stream(target_, body_, headers_, printer_,
                        [this](const RequestFailure& failure, const RequestTiming& timing) {
                          on_answered(failure, timing);
                        });
  }

  void on_answered(const RequestFailure& failure, const RequestTiming& timing) {
    const std::optional<stream::StreamSummary> summary = printer_.finish();
    if (options_.repeat > 1) out_ << "\n" << std::flush;
    if (failure) {
      status_ = exit_status_for(failure.kind);
      err_ << "vic-r1 ask: " << platform::describe_request_failure(failure, host_) << "\n";
    } else if (summary) {
      status_ = exit_status_for(summary->outcome);
      if (status_ != kExitOk) err_ << "vic-r1 ask: " << summary->explanation << "\n";
    }
    if (!failure || failure.kind != RequestFailureKind::kCancelled) {
      err_ << "vic-r1 ask: ";
      if (options_.repeat > 1) err_ << "question " << asked_ << "/" << options_.repeat << ": ";
      err_ << format_timing(timing, printer_.first_answer(), preconnected_ && asked_ == 1) << "\n";
    }
    err_.flush();

    if (status_ != kExitOk || asked_ == options_.repeat) return stop(RequestFailure{});
    if (options_.pause_ms == 0) return ask();
    // An idle connection between questions, as the robot's has between two.
    pause_.expires_after(std::chrono::milliseconds(options_.pause_ms));
    pause_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || interrupted_) return stop(RequestFailure{});
      ask();
    });
  }

  // Reports a failure that came before any question (preconnect), then lets
  // io_context::run() return.
  void stop(const RequestFailure& failure) {
    if (failure) {
      status_ = exit_status_for(failure.kind);
      err_ << "vic-r1 ask: " << platform::describe_request_failure(failure, host_) << "\n";
    } else if (interrupted_ && status_ == kExitOk) {
      status_ = kExitAskCancelled;
    }
    if (options_.repeat > 1) {
      err_ << "vic-r1 ask: TLS handshakes: " << client_.full_handshakes() << " full, "
           << client_.resumed_handshakes() << " resumed\n";
    }
    err_.flush();
    signals_.cancel();
  }

  boost::asio::io_context& io_;
  platform::HttpsClient& client_;
  AnswerPrinter& printer_;
  const AskOptions& options_;
  const std::string host_;
  const std::string target_;
  const std::string body_;
  const platform::HttpHeaders headers_;
  std::ostream& out_;
  std::ostream& err_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer pause_;
  int asked_ = 0;
  int status_ = kExitOk;
  bool preconnected_ = false;
  bool interrupted_ = false;
};

// Self-hosted servers (Ollama, vLLM, llama.cpp) often need no key: for
// them a missing key file means "no key", not a mistake.
bool may_go_without_key(const platform::AgentConfig& config) {
  const platform::ProviderPreset* preset = platform::find_provider_preset(config.provider.preset);
  struct stat info {};
  return preset != nullptr && preset->base_url.empty() && preset->name != "custom" &&
         ::stat(config.provider.api_key_file.c_str(), &info) != 0 && errno == ENOENT;
}

}  // namespace

int run_ask(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  AskOptions options;
  if (const auto status = parse_arguments(arguments, options, out, err)) return *status;
  if (!options.standalone) {
    return ask_running_agent(options.question, control_socket_path(options.socket_dir, options.config_path), out,
                             err);
  }

  // 1. The config, the key and the CA bundle: all from files the config names.
  std::vector<std::string_view> profile_names;
  for (const stream::ServerProfile& profile : stream::server_profiles()) profile_names.push_back(profile.name);
  const platform::ConfigLoadResult loaded = platform::load_agent_config_file(options.config_path, profile_names);
  if (!loaded.ok()) {
    for (const std::string& error : loaded.errors) err << "vic-r1 ask: " << error << "\n";
    return kExitAskConfig;
  }
  const platform::AgentConfig& config = *loaded.config;

  platform::ApiKey key;
  if (!may_go_without_key(config)) {
    platform::ApiKeyFileResult read = platform::read_api_key_file(config.provider.api_key_file);
    if (!read.ok()) {
      err << "vic-r1 ask: " << read.error << "\n";
      return kExitAskConfig;
    }
    key = std::move(read.key);
  }

  platform::TlsFailure tls_failure;
  const std::unique_ptr<platform::TlsClientContext> tls =
      platform::TlsClientContext::create({config.provider.ca_file, config.provider.pinned_public_key_sha256}, tls_failure);
  if (!tls) {
    err << "vic-r1 ask: " << tls_failure.detail << "\n";
    return kExitAskConfig;
  }

  // 2. The request, as the agent would send it (no history: one question).
  const stream::ServerProfile* profile = stream::find_server_profile(config.provider.stream_profile);
  if (profile == nullptr) profile = &stream::default_server_profile();
  conversation::ChatRequestSettings settings;
  settings.api = profile->wire_format == stream::WireFormat::kNdjson ? conversation::ChatApi::kOllamaNativeChat
                                                                      : conversation::ChatApi::kChatCompletions;
  settings.model = config.provider.model;
  settings.system_prompt = config.system_prompt;
  settings.max_tokens = config.provider.max_tokens;
  settings.temperature = config.provider.temperature;
  std::string body = conversation::build_chat_request_body(settings, {}, options.question);
  std::string target = conversation::chat_request_target(settings.api, config.provider.endpoint.path_prefix);
  platform::HttpHeaders headers = conversation::chat_request_headers(settings.api, key.reveal());

  // 3. Ask, and print as it streams.
  boost::asio::io_context io;
  platform::HttpsClient client(io, *tls, config.provider.endpoint, config.timeouts, std::string("vic-r1/") + build_facts::kVersion);
  AnswerPrinter printer(out, err, *profile, options.show_reasoning, ::isatty(STDERR_FILENO) == 1);
  AskSession session(io, client, printer, options, config.provider.endpoint.host, std::move(target), std::move(body),
                     std::move(headers), out, err);
  const int status = session.run();
  if (::isatty(STDOUT_FILENO) == 1) out << "\n";  // the prompt goes on a line of its own
  return status;
}

}  // namespace vic_r1::cli
