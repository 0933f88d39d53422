#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "drivers/bridge/anim_bridge.h"
#include "drivers/bridge/intent_tap.h"
#include "drivers/clad/firmware_layout.h"
#include "platform/log/logger.h"
#include "platform/process/agent_supervisor.h"
#include "platform/process/service_notifier.h"

namespace vic_r1::bridge {

struct BridgeOptions {
  std::string socket_directory = "/dev/socket";
  // vic-anim keeps the microphone's mute in this file while it is muted
  // (micDataSystem.cpp:60, 130, 895-899: <persistent folder>/micMuted; the
  // folder on the robot is /data/data/com.anki.victor/persistent/, not yet
  // checked on one). A fake wake word would unmute it (:287-294), so
  // "listen again" is refused while it exists.
  std::string mic_muted_file = "/data/data/com.anki.victor/persistent/micMuted";
  FirmwareExpectation firmware;
  std::string firmware_reason;  // how the expectation was formed, for the log
  intent::QuestionIntentPolicy question_policy;
  process::AgentSupervisor::Options agent;
  bool run_agent = true;
  // When vic-r1 tells systemd it is ready although it is not yet between
  // vic-engine and vic-anim (vic-anim never bound): below the unit's start
  // timeout, so the robot boots without vic-r1 rather than not at all.
  std::uint64_t ready_deadline_ms = 60000;
};

struct AgentChannelCounters {
  std::uint64_t events_sent = 0;
  std::uint64_t events_dropped = 0;  // the agent's queue was full, or no agent
  std::uint64_t commands = 0;
  std::uint64_t bad_commands = 0;
  std::uint64_t questions_lost = 0;
};

// vic-r1's parent process: one thread, one poll() loop over the robot's
// interposed sockets, the socket directory (inotify), the agent's channel
// and signals. It forwards first and thinks second; it never blocks, never
// waits for the agent, and keeps forwarding whatever the agent does.
class BridgeService {
 public:
  // `sink`: the process's log; each part of the bridge writes to it under
  // its own source name.
  BridgeService(BridgeOptions options, logging::LogSink& sink);
  ~BridgeService();

  // Runs until SIGTERM or SIGINT; returns the exit status.
  int run();

 private:
  bool open(std::string& error);
  void run_once(bool& stop);
  void notify_ready_when_due(std::uint64_t now_ms);
  int next_wake_ms(std::uint64_t now_ms) const;
  void on_directory_events();
  void on_channel_readable(std::uint64_t now_ms);
  void on_signal(bool& stop);
  void tick(std::uint64_t now_ms);
  void agent_lost(std::uint64_t now_ms, std::string_view why);
  void wait_for_anim_to_take_the_cancels();
  void send_to_agent(const channel::Event& event);
  void greet_agent();
  void log_counters();
  static std::size_t heap_in_use_bytes();

  BridgeOptions options_;
  logging::Logger log_;
  AnimBridge anim_bridge_;
  IntentTap intent_tap_;
  process::AgentSupervisor supervisor_;
  process::ServiceNotifier notifier_;
  std::uint64_t started_ms_ = 0;
  std::uint64_t internal_errors_ = 0;
  int inotify_fd_ = -1;
  int signal_fd_ = -1;  // the read end of the signal pipe
  AgentChannelCounters channel_counters_;
  std::uint64_t last_counters_log_ms_ = 0;
  // Whether the agent was last told that vic-anim is there to speak through.
  bool agent_told_anim_is_there_ = false;
  std::uint8_t channel_buffer_[channel::kMaxChannelMessageBytes];
  std::uint8_t event_buffer_[channel::kMaxChannelMessageBytes];
};

}  // namespace vic_r1::bridge
