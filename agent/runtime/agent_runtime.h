#pragma once

#include <string>

#include "platform/log/log_sink.h"

namespace vic_r1::runtime {

struct AgentRunOptions {
  int channel_fd = -1;              // the bridge's end of the channel
  std::string config_path;          // the same config `vic-r1 ask` reads
  std::string control_socket_path;  // empty: no control socket
};

// The agent child of `vic-r1 run`: one thread, one io_context. It reads the
// config, opens the providers' clients, and runs the AnswerOrchestrator on
// the channel's events, with every wait a timer. A config it cannot use
// does not stop it: each question is then answered with a spoken sentence
// that says so, and the log says what is wrong. Returns when the bridge
// closes the channel or on SIGTERM.
int run_agent(const AgentRunOptions& options, logging::LogSink& sink);

}  // namespace vic_r1::runtime
