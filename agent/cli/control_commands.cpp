#include "agent/cli/control_commands.h"

#include <chrono>

#include "agent/cli/command_line.h"
#include "agent/runtime/control_client.h"
#include "agent/runtime/control_socket.h"
#include "agent/stream/server_profiles.h"
#include "platform/config/agent_config.h"

namespace vic_r1::cli {

const char* const kStatusUsage =
    "usage: vic-r1 status [--json] [--config FILE] [--socket-dir DIR]\n"
    "  What the running agent is doing: its state, the robot link and firmware layout,\n"
    "  the providers, the last question's timeline (intent -> request sent -> first\n"
    "  reasoning -> first answer byte -> first TTS -> done), the tokens used, the last error.\n"
    "  --json            one JSON object instead\n"
    "  --config FILE     where to find socket_dir (default /data/vic-r1/config.json)\n"
    "  --socket-dir DIR  where the control socket is (default: the config's, /dev/socket)\n"
    "  Exit status: 0; 2 usage; 20 no running agent.\n";

namespace {

// A status comes back at once; an answer may take the model minutes.
constexpr std::chrono::milliseconds kStatusDeadline{5000};
constexpr std::chrono::milliseconds kAnswerDeadline{15 * 60 * 1000};

}  // namespace

std::string control_socket_path(const std::string& socket_dir_option, const std::string& config_path) {
  std::string directory = socket_dir_option;
  if (directory.empty()) {
    platform::AgentConfig config = platform::default_agent_config();
    std::vector<std::string> ignored_errors;  // an unusable config: the default directory
    platform::load_agent_config_file(config_path, stream::server_profile_names(), config, ignored_errors);
    directory = config.socket_dir;
  }
  return directory + "/" + std::string(runtime::kControlSocketName);
}

std::optional<int> parse_service_query_options(const std::vector<std::string>& arguments, std::string_view verb,
                                               const char* usage, ServiceQueryOptions& options, std::ostream& out,
                                               std::ostream& err) {
  options.config_path = std::string(platform::kDefaultConfigPath);
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    const bool has_value = i + 1 < arguments.size();
    if (argument == "--help" || argument == "-h") {
      out << usage;
      return kExitOk;
    } else if (argument == "--json") {
      options.json = true;
    } else if (argument == "--config" && has_value) {
      options.config_path = arguments[++i];
    } else if (argument == "--socket-dir" && has_value) {
      options.socket_dir = arguments[++i];
    } else {
      err << "vic-r1 " << verb << ": unknown or incomplete argument '" << argument << "'\n" << usage;
      return kExitUsage;
    }
  }
  return std::nullopt;
}

int run_status(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  ServiceQueryOptions options;
  if (const auto done = parse_service_query_options(arguments, "status", kStatusUsage, options, out, err)) {
    return *done;
  }
  const std::string failure = runtime::exchange_with_agent(
      control_socket_path(options.socket_dir, options.config_path), options.json ? "status --json" : "status",
      kStatusDeadline, [&out](std::string_view line) { out << line << "\n"; });
  if (!failure.empty()) {
    err << "vic-r1 status: " << failure << "\n";
    return kExitAgentUnreachable;
  }
  return kExitOk;
}

int ask_running_agent(const std::string& question, const std::string& socket_path, std::ostream& out,
                      std::ostream& err) {
  std::string outcome;
  const std::string failure =
      runtime::exchange_with_agent(socket_path, "ask " + question, kAnswerDeadline, [&](std::string_view line) {
        if (line.rfind("say: ", 0) == 0) {
          out << line.substr(5) << "\n" << std::flush;
        } else if (line.rfind("done: ", 0) == 0) {
          outcome = std::string(line.substr(6));
        } else {
          err << "vic-r1 ask: " << line << "\n";
        }
      });
  if (!failure.empty()) {
    err << "vic-r1 ask: " << failure << "\n";
    return kExitAgentUnreachable;
  }
  if (outcome.empty()) {
    err << "vic-r1 ask: the agent closed the connection before the answer ended\n";
    return kExitAgentUnreachable;
  }
  err << "vic-r1 ask: " << outcome << "\n";
  return outcome.rfind("answered", 0) == 0 ? kExitOk : 1;
}

}  // namespace vic_r1::cli
