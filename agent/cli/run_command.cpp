#include "agent/cli/run_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "agent/cli/command_line.h"
#include "agent/cli/firmware_detection.h"
#include "agent/runtime/agent_runtime.h"
#include "agent/runtime/control_socket.h"
#include "agent/stream/server_profiles.h"
#include "drivers/bridge/bridge_service.h"
#include "platform/config/agent_config.h"
#include "platform/log/log_sink.h"

namespace vic_r1::cli {

const char* const kRunUsage =
    "usage: vic-r1 run [--config FILE] [--socket-dir DIR]\n"
    "                  [--firmware auto|1.8|1.6|1.6-pitch|unknown]\n"
    "                  [--firmware-version-file PATH] [--mic-muted-file PATH] [--no-agent]\n"
    "                  [--agent-heartbeat-timeout-ms N] [--ready-timeout-ms N]\n"
    "  Sits between vic-engine and vic-anim and on ai_sock, forwards all of their\n"
    "  traffic, and runs the agent as a supervised child. Start it after vic-anim\n"
    "  and before vic-engine (the systemd unit does).\n"
    "  --config FILE        the config the agent answers with, as for `vic-r1 ask`\n"
    "                       (default /data/vic-r1/config.json)\n"
    "  --socket-dir DIR     where the robot's sockets are (default: the config's\n"
    "                       socket_dir, /dev/socket)\n"
    "  --firmware F         the message layout to expect; auto takes a hint from the\n"
    "                       victor version in --firmware-version-file (default\n"
    "                       /anki/etc/version). Either way nothing is injected until\n"
    "                       vic-anim's own messages confirm the layout; unknown\n"
    "                       forwards only\n"
    "  --mic-muted-file P   the file vic-anim keeps while the microphone is muted\n"
    "                       (default /data/data/com.anki.victor/persistent/micMuted);\n"
    "                       Vector does not listen again by itself while it exists\n"
    "  --no-agent           forward only, start no agent\n"
    "  --ready-timeout-ms N when to tell systemd (Type=notify) vic-r1 is ready even if\n"
    "                       vic-anim has not bound its socket yet (default 60000)\n";

namespace {

// How every line of the bridge and the agent begins in the robot's log.
constexpr std::string_view kProgramName = "vic-r1";

// execv() does not search PATH, and a search after fork() is not safe: look
// the program up now.
std::string resolve_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::istringstream directories(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string directory; std::getline(directories, directory, ':');) {
    const std::string candidate = (directory.empty() ? "." : directory) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return name;
}

// The agent child runs this same executable. Under qemu-user (the tests of
// the ARM build) an ARM executable cannot exec another without binfmt_misc,
// so VIC_R1_AGENT_EXEC_PREFIX may name the emulator to put in front.
std::vector<std::string> agent_command(const std::string& config_path, const std::string& control_socket) {
  std::vector<std::string> command;
  if (const char* prefix = std::getenv("VIC_R1_AGENT_EXEC_PREFIX")) {
    std::istringstream words(prefix);
    for (std::string word; words >> word;) command.push_back(command.empty() ? resolve_program(word) : word);
  }
  char path[4096];
  const ssize_t length = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  command.push_back(length > 0 ? std::string(path, static_cast<std::size_t>(length))
                               : std::string("/anki/bin/vic-r1"));
  command.push_back("agent");
  command.push_back("--config");
  command.push_back(config_path);
  command.push_back("--control-socket");
  command.push_back(control_socket);
  return command;
}

bool parse_descriptor(const std::string& text, int& fd) {
  std::uint64_t number = 0;
  if (!parse_whole_number(text, 0, 999'999, number)) return false;
  fd = static_cast<int>(number);
  return true;
}

}  // namespace

int run_bridge(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  (void)out;
  bridge::BridgeOptions options;
  std::string config_path{platform::kDefaultConfigPath};
  std::optional<std::string> socket_directory;
  std::string firmware = "auto";
  std::string version_file = kVictorVersionFile;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    const bool has_value = i + 1 < arguments.size();
    if (argument == "--help") {
      err << kRunUsage;
      return kExitOk;
    } else if (argument == "--config" && has_value) {
      config_path = arguments[++i];
    } else if (argument == "--socket-dir" && has_value) {
      socket_directory = arguments[++i];
    } else if (argument == "--firmware" && has_value) {
      firmware = arguments[++i];
    } else if (argument == "--mic-muted-file" && has_value) {
      options.mic_muted_file = arguments[++i];
    } else if (argument == "--firmware-version-file" && has_value) {
      version_file = arguments[++i];
    } else if (argument == "--no-agent") {
      options.run_agent = false;
    } else if (argument == "--ready-timeout-ms" && has_value) {
      if (!parse_milliseconds(arguments[++i], options.ready_deadline_ms)) {
        err << "vic-r1 run: --ready-timeout-ms needs a positive number of milliseconds\n";
        return kExitUsage;
      }
    } else if (argument == "--agent-heartbeat-timeout-ms" && has_value) {
      if (!parse_milliseconds(arguments[++i], options.agent.heartbeat_timeout_ms)) {
        err << "vic-r1 run: --agent-heartbeat-timeout-ms needs a positive number of milliseconds\n";
        return kExitUsage;
      }
    } else {
      err << "vic-r1 run: unknown or incomplete argument '" << argument << "'\n" << kRunUsage;
      return kExitUsage;
    }
  }

  // The version file is a hint; the layout is confirmed from vic-anim's
  // own traffic either way (LayoutConfirmation).
  if (firmware == "auto") {
    options.firmware.source = bridge::FirmwareExpectation::Source::kVersionFile;
    std::ifstream file(version_file);
    std::string version;
    if (!file || !std::getline(file, version)) {
      options.firmware.family = clad::FirmwareFamily::kUnknown;
      options.firmware_reason = "cannot read " + version_file + ": " + std::strerror(errno);
    } else {
      options.firmware.family = family_for_victor_version(version, options.firmware_reason);
    }
  } else if (clad::firmware_family_from_name(firmware, options.firmware.family)) {
    options.firmware.source = bridge::FirmwareExpectation::Source::kOwner;
    options.firmware_reason = "chosen with --firmware";
  } else {
    err << "vic-r1 run: unknown firmware '" << firmware << "' (auto, 1.8, 1.6, 1.6-pitch or unknown)\n";
    return kExitUsage;
  }

  // On the robot stderr is a pipe to logwrapper, shared with the agent: one
  // write() per line, and never a wait for the reader.
  logging::LogSink log(kProgramName, logging::LogSink::Options{STDERR_FILENO, true});

  // The bridge takes from the config only where the sockets are and which
  // intents are questions. A config it cannot read must not keep the
  // robot's traffic from flowing: the agent reports it (in the log, and
  // aloud when asked).
  platform::AgentConfig config = platform::default_agent_config();
  std::vector<std::string> ignored_errors;  // the agent reports them
  platform::load_agent_config_file(config_path, stream::server_profile_names(), config, ignored_errors);
  options.socket_directory = socket_directory ? *socket_directory : config.socket_dir;
  if (!config.question_intents.empty()) {
    options.question_policy = intent::question_policy_for(config.question_intents);
  }
  options.agent.command =
      agent_command(config_path, options.socket_directory + "/" + std::string(runtime::kControlSocketName));
  bridge::BridgeService service(options, log);
  return service.run();
}

int run_agent_child(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  (void)out;
  runtime::AgentRunOptions options;
  options.config_path = std::string(platform::kDefaultConfigPath);
  for (std::size_t i = 0; i + 1 < arguments.size(); i += 2) {
    if (arguments[i] == "--channel-fd" && parse_descriptor(arguments[i + 1], options.channel_fd)) continue;
    if (arguments[i] == "--config") {
      options.config_path = arguments[i + 1];
      continue;
    }
    if (arguments[i] == "--control-socket") {
      options.control_socket_path = arguments[i + 1];
      continue;
    }
    options.channel_fd = -1;
    break;
  }
  if (options.channel_fd < 0 || arguments.size() % 2 != 0) {
    err << "vic-r1 agent: started by `vic-r1 run` only (--channel-fd N [--config FILE] [--control-socket PATH])\n";
    return kExitUsage;
  }
  logging::LogSink sink(kProgramName, logging::LogSink::Options{STDERR_FILENO, true});
  return runtime::run_agent(options, sink);
}

}  // namespace vic_r1::cli
