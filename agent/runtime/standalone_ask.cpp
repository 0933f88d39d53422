#include "agent/runtime/standalone_ask.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <functional>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/runtime/answer_providers.h"
#include "agent/runtime/deadline_alarm.h"
#include "agent/runtime/orchestrator_settings.h"
#include "agent/runtime/stand_in_speaker.h"
#include "agent/stream/server_profiles.h"
#include "platform/config/agent_config.h"

namespace vic_r1::runtime {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using Ending = StandaloneAskEnding::Kind;

// Tells the caller's listener everything, and the session when a question
// has ended, so it can ask the next.
class QuestionRelay final : public orchestrator::QuestionListener {
 public:
  QuestionRelay(orchestrator::QuestionListener& listener,
                std::function<void(const orchestrator::QuestionReport&)> finished)
      : listener_(listener), finished_(std::move(finished)) {}

  void on_sentence(std::string_view text) override { listener_.on_sentence(text); }
  void on_reasoning(std::string_view text) override { listener_.on_reasoning(text); }
  void on_answer_text(std::string_view text) override { listener_.on_answer_text(text); }
  void on_finished(const orchestrator::QuestionReport& report) override {
    listener_.on_finished(report);
    finished_(report);
  }

 private:
  orchestrator::QuestionListener& listener_;
  std::function<void(const orchestrator::QuestionReport&)> finished_;
};

// Where the agent's log lines go: stderr when asked, else nowhere.
class LogDestination {
 public:
  explicit LogDestination(bool to_stderr)
      : fd_(to_stderr ? STDERR_FILENO : ::open("/dev/null", O_WRONLY | O_CLOEXEC)), owned_(!to_stderr) {}
  ~LogDestination() {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  LogDestination(const LogDestination&) = delete;
  LogDestination& operator=(const LogDestination&) = delete;

  int fd() const { return fd_; }

 private:
  int fd_;
  bool owned_;
};

}  // namespace

StandaloneAskEnding ask_standalone(const StandaloneAskOptions& options, orchestrator::QuestionListener& listener) {
  StandaloneAskEnding ending;

  // 1. The config, as the agent reads it; here a config that cannot be used
  // ends the command (the agent would stay up to say so).
  platform::AgentConfig config;
  if (!platform::load_agent_config_file(options.config_path, stream::server_profile_names(), config,
                                        ending.problems)) {
    ending.kind = Ending::kConfigUnusable;
    return ending;
  }
  config.history_turns = 0;  // each question stands alone
  orchestrator::OrchestratorSettings settings = settings_for(config);
  speech::EmotionClips emotions = emotions_for(config);

  LogDestination log_destination(options.log_to_stderr);
  logging::LogSink::Options sink_options;
  sink_options.fd = log_destination.fd();
  logging::LogSink sink("vic-r1", sink_options);
  logging::Logger log(sink, "agent");

  // 2. The providers. With none that can be asked, the robot would say so;
  // here the reasons are the result.
  asio::io_context io;
  AnswerProviders providers(io, config, system_prompt_for(config, emotions.names()), log);
  const auto first_usable =
      std::find_if(providers.providers().begin(), providers.providers().end(),
                   [](const orchestrator::AnswerProvider& provider) { return provider.unusable.empty(); });
  if (first_usable == providers.providers().end()) {
    ending.kind = Ending::kConfigUnusable;
    for (const orchestrator::AnswerProvider& provider : providers.providers()) {
      ending.problems.push_back(provider.name + ": " + provider.unusable);
    }
    return ending;
  }

  // 3. The orchestrator, speaking to a stand-in for vic-anim whose answers
  // come back through the event loop, as the robot's would.
  std::optional<orchestrator::AnswerOrchestrator> orchestrator;
  bool delivery_posted = false;
  StandInSpeaker speaker([&] {
    if (delivery_posted) return;
    delivery_posted = true;
    asio::post(io, [&] {
      delivery_posted = false;
      speaker.deliver([&](const channel::Event& event) { orchestrator->on_robot_event(event, Clock::now()); });
    });
  });
  orchestrator.emplace(settings, providers.providers(), std::move(emotions), speaker, log);
  DeadlineAlarm alarm(io, *orchestrator);

  // 4. The questions, one after another; the first failure ends the run.
  int asked = 0;
  bool interrupted = false;
  asio::steady_timer pause(io);
  std::function<void()> ask_next;
  QuestionRelay relay(listener, [&](const orchestrator::QuestionReport& report) {
    if (interrupted) return;
    if (report.outcome != "answered") {
      ending.kind = Ending::kQuestionFailed;
      io.stop();
    } else if (asked == options.repeat) {
      io.stop();
    } else if (options.pause.count() == 0) {
      asio::post(io, ask_next);  // not from inside the orchestrator's step
    } else {
      // An idle connection between questions, as the robot's has between two.
      pause.expires_after(options.pause);
      pause.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) ask_next();
      });
    }
  });
  ask_next = [&] {
    ++asked;
    orchestrator->ask(options.question, "the command line", &relay, Clock::now());
  };

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    interrupted = true;
    ending.kind = Ending::kInterrupted;
    // The stream is closed and the question ends as a touch would end it;
    // its report tells the listener what had come by then.
    orchestrator->stop(signal_number == SIGINT ? "SIGINT" : "SIGTERM", Clock::now());
    io.stop();
  });

  if (options.preconnect) {
    providers.first_usable_client()->preconnect([&](const platform::RequestFailure& failure) {
      if (failure) {
        ending.kind = Ending::kPreconnectFailed;
        ending.preconnect_failure = failure;
        ending.preconnect_failure_text = platform::describe_request_failure(failure, first_usable->name);
        io.stop();
        return;
      }
      ask_next();
    });
  } else {
    ask_next();
  }

  while (!io.stopped()) {
    if (io.run_one() == 0) break;
    alarm.rearm();
  }
  ending.full_handshakes = providers.full_handshakes();
  ending.resumed_handshakes = providers.resumed_handshakes();
  return ending;
}

}  // namespace vic_r1::runtime
