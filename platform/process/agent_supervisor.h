#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/log/logger.h"
#include "platform/process/restart_backoff.h"

namespace vic_r1::process {

// Runs the agent as a child process and keeps it running: the bridge (the
// parent) must outlive any fault of the agent. The child gets one end of a
// SOCK_SEQPACKET socketpair as fd 3; it must send something (a heartbeat at
// least) every `heartbeat_timeout_ms`, or it is taken as hung and killed.
// A child that exits, crashes or hangs is started again after RestartBackoff.
class AgentSupervisor {
 public:
  struct Options {
    std::vector<std::string> command;  // argv of the child; "--channel-fd 3" is appended
    std::uint64_t heartbeat_timeout_ms = 10000;
    std::uint64_t first_restart_delay_ms = 250;
    std::uint64_t max_restart_delay_ms = 30000;
    std::uint64_t stable_after_ms = 60000;
  };

  static constexpr int kChildChannelFd = 3;

  AgentSupervisor(Options options, logging::Logger log);
  ~AgentSupervisor();

  enum class Change { kNone, kStarted, kEnded };

  // Reaps a child that ended and starts a new one when it is due. kStarted:
  // a new child runs (its channel is channel_fd()); kEnded: the child ended
  // by itself (exit, crash), and whatever it had started must be undone.
  Change tick(std::uint64_t now_ms);

  // The child said something: it is alive.
  void on_alive(std::uint64_t now_ms) { last_alive_ms_ = now_ms; }
  // Its channel closed or failed, or it missed its heartbeat: make sure it
  // is dead, reap it and plan the next start.
  void on_lost(std::uint64_t now_ms, std::string_view why);
  // True when the child has been silent too long.
  bool hung(std::uint64_t now_ms) const {
    return pid_ > 0 && now_ms - last_alive_ms_ > options_.heartbeat_timeout_ms;
  }

  // Ends the child for good (SIGTERM, then SIGKILL after a short grace).
  void stop();

  int channel_fd() const { return channel_fd_; }
  std::uint64_t next_start_ms() const { return next_start_ms_; }
  pid_t pid() const { return pid_; }
  std::uint64_t starts() const { return starts_; }

 private:
  bool start(std::uint64_t now_ms);
  void reap_and_close();

  Options options_;
  std::vector<std::string> arguments_;
  std::vector<char*> argv_;  // points into arguments_
  logging::Logger log_;
  RestartBackoff backoff_;
  pid_t pid_ = -1;
  int channel_fd_ = -1;
  std::uint64_t next_start_ms_ = 0;
  std::uint64_t last_alive_ms_ = 0;
  std::uint64_t starts_ = 0;
};

}  // namespace vic_r1::process
