#include "agent/runtime/agent_runtime.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/orchestrator/answer_orchestrator.h"
#include "agent/orchestrator/status_report.h"
#include "agent/runtime/answer_providers.h"
#include "agent/runtime/control_socket.h"
#include "agent/runtime/deadline_alarm.h"
#include "agent/runtime/heap_watch.h"
#include "agent/runtime/orchestrator_settings.h"
#include "agent/runtime/robot_channel.h"
#include "agent/stream/server_profiles.h"
#include "platform/config/agent_config.h"

namespace vic_r1::runtime {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

orchestrator::StatusSnapshot snapshot_of(const orchestrator::AnswerOrchestrator& orchestrator,
                                         Clock::time_point started, HeapWatch& heap) {
  orchestrator::StatusSnapshot status;
  status.state = std::string(orchestrator::AnswerOrchestrator::state_name(orchestrator.state()));
  status.robot_can_inject = orchestrator.robot_can_inject();
  status.robot_link = orchestrator.robot_link_text();
  for (const orchestrator::AnswerProvider& provider : orchestrator.providers()) {
    status.providers.push_back({provider.name, provider.base_url, provider.request.model, provider.unusable});
  }
  status.last_question = orchestrator.last_question();
  status.totals = orchestrator.totals();
  status.last_error = orchestrator.last_error();
  status.voice_server_answers = orchestrator.voice_server_answers();
  status.agent_pid = ::getpid();
  status.uptime_s = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count();
  status.heap_in_use_bytes = heap.sample();
  status.heap_peak_bytes = heap.peak_bytes();
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) == 0)
    status.peak_rss_bytes = static_cast<std::size_t>(usage.ru_maxrss) * 1024;
  status.dumpable = ::prctl(PR_GET_DUMPABLE) != 0;
  return status;
}

}  // namespace

int run_agent(const AgentRunOptions& options, logging::LogSink& sink) {
  logging::Logger log(sink, "agent");
  asio::io_context io;

  // 0. Before any key is read: no core dump of this process, and no other
  // user may trace it or read its memory. The key stays in this process.
  if (::prctl(PR_SET_DUMPABLE, 0) != 0) log.warning("cannot turn core dumps off: ", std::strerror(errno));

  // 1. The config. One that cannot be used leaves the agent running, to say so.
  platform::AgentConfig config = platform::default_agent_config();
  std::vector<std::string> config_errors;
  const bool config_usable =
      platform::load_agent_config_file(options.config_path, stream::server_profile_names(), config, config_errors);
  orchestrator::OrchestratorSettings settings = settings_for(config);
  if (!config_usable) {
    for (const std::string& error : config_errors) log.error("config: ", error);
    settings.config_problem = "the config " + options.config_path + " cannot be used";
  }
  speech::EmotionClips emotions = emotions_for(config);

  // 2. The providers: TLS context, HTTPS client and request for each.
  AnswerProviders providers(io, config, system_prompt_for(config, emotions.names()), log);
  for (const orchestrator::AnswerProvider& provider : providers.providers()) {
    if (!provider.unusable.empty()) log.warning(provider.name, " cannot be asked: ", provider.unusable);
  }

  // 3. The orchestrator on the channel to the bridge.
  std::optional<orchestrator::AnswerOrchestrator> orchestrator;
  std::optional<DeadlineAlarm> alarm;
  RobotChannel channel(
      io, options.channel_fd, log,
      [&](const channel::Event& event) {
        orchestrator->on_robot_event(event, Clock::now());
        alarm->rearm();
      },
      [&](const char* why) {
        log.info("stopping: ", why);
        io.stop();
      });
  orchestrator.emplace(settings, providers.providers(), std::move(emotions), channel, log);
  alarm.emplace(io, *orchestrator);

  // 4. The control socket, for `vic-r1 status` and `vic-r1 ask` over SSH.
  const Clock::time_point started = Clock::now();
  HeapWatch heap;
  std::optional<ControlSocket> control;
  if (!options.control_socket_path.empty()) {
    control.emplace(
        io, options.control_socket_path, *orchestrator,
        [&](bool json) {
          const orchestrator::StatusSnapshot status = snapshot_of(*orchestrator, started, heap);
          return json ? orchestrator::format_status_json(status) : orchestrator::format_status_text(status);
        },
        log);
    control->open();
  }

  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) io.stop();
  });
  asio::steady_timer repeats(io);
  std::function<void()> report_repeats = [&] {
    sink.report_repeats_if_due();
    repeats.expires_after(std::chrono::seconds(1));
    repeats.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) report_repeats();
    });
  };
  report_repeats();

  channel.start();
  log.info("listening (pid ", ::getpid(), "), answering with ",
           providers.providers().empty() ? std::string("nothing") : providers.providers().front().name);
  // Body bytes and request ends move the orchestrator's deadlines too:
  // re-arm after every handler the io_context runs, in this one place.
  while (!io.stopped()) {
    if (io.run_one() == 0) break;
    alarm->rearm();
    if (orchestrator->state() != orchestrator::AnswerOrchestrator::State::kIdle) heap.sample();
  }
  return 0;
}

}  // namespace vic_r1::runtime
