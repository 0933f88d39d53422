#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vic_r1::cli {

// Exit status when the running agent cannot be reached.
inline constexpr int kExitAgentUnreachable = 20;

// `vic-r1 status [--json] [--config FILE] [--socket-dir DIR]`: what the
// running agent is doing, from its control socket.
int run_status(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

// `vic-r1 ask QUESTION` without --standalone: the running agent answers as
// if the question had been spoken; each sentence is printed as Vector says it.
int ask_running_agent(const std::string& question, const std::string& socket_path, std::ostream& out,
                      std::ostream& err);

// The control socket's path: --socket-dir's, else the config's socket_dir.
std::string control_socket_path(const std::string& socket_dir_option, const std::string& config_path);

extern const char* const kStatusUsage;

}  // namespace vic_r1::cli
