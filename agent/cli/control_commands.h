#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
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

// What `status` and `doctor` take: --json, --config FILE, --socket-dir DIR.
struct ServiceQueryOptions {
  bool json = false;
  std::string config_path;  // the default config's path unless given
  std::string socket_dir;   // empty: the config's
};

// Parses them for `verb`; returns the exit status when the command is
// already done (--help printed `usage`, or a usage error was reported).
std::optional<int> parse_service_query_options(const std::vector<std::string>& arguments, std::string_view verb,
                                               const char* usage, ServiceQueryOptions& options, std::ostream& out,
                                               std::ostream& err);

extern const char* const kStatusUsage;

}  // namespace vic_r1::cli
