#include "agent/cli/run_command.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "agent/cli/command_line.h"
#include "agent/cli/firmware_detection.h"
#include "agent/robot/echo_responder.h"
#include "drivers/bridge/bridge_service.h"
#include "platform/log/logger.h"
#include "platform/time/monotonic_clock.h"

namespace vic_r1::cli {

const char* const kRunUsage =
    "usage: vic-r1 run [--socket-dir DIR] [--firmware auto|1.8|1.6|1.6-pitch|unknown]\n"
    "                  [--firmware-version-file PATH] [--no-agent]\n"
    "                  [--agent-heartbeat-timeout-ms N] [--ready-timeout-ms N]\n"
    "  Sits between vic-engine and vic-anim and on ai_sock, forwards all of their\n"
    "  traffic, and runs the agent as a supervised child. Start it after vic-anim\n"
    "  and before vic-engine (the systemd unit does).\n"
    "  --socket-dir DIR     where the robot's sockets are (default /dev/socket)\n"
    "  --firmware F         the message layout to expect; auto takes a hint from the\n"
    "                       victor version in --firmware-version-file (default\n"
    "                       /anki/etc/version). Either way nothing is injected until\n"
    "                       vic-anim's own messages confirm the layout; unknown\n"
    "                       forwards only\n"
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
std::vector<std::string> agent_command() {
  std::vector<std::string> command;
  if (const char* prefix = std::getenv("VIC_R1_AGENT_EXEC_PREFIX")) {
    std::istringstream words(prefix);
    for (std::string word; words >> word;)
      command.push_back(command.empty() ? resolve_program(word) : word);
  }
  char path[4096];
  const ssize_t length = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  command.push_back(length > 0 ? std::string(path, static_cast<std::size_t>(length))
                               : std::string("/anki/bin/vic-r1"));
  command.push_back("agent");
  return command;
}

}  // namespace

int run_bridge(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  (void)out;
  bridge::BridgeOptions options;
  std::string firmware = "auto";
  std::string version_file = kVictorVersionFile;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    const bool has_value = i + 1 < arguments.size();
    if (argument == "--help") {
      err << kRunUsage;
      return kExitOk;
    } else if (argument == "--socket-dir" && has_value) {
      options.socket_directory = arguments[++i];
    } else if (argument == "--firmware" && has_value) {
      firmware = arguments[++i];
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
    err << "vic-r1 run: unknown firmware '" << firmware
        << "' (auto, 1.8, 1.6, 1.6-pitch or unknown)\n";
    return kExitUsage;
  }
  options.agent.command = agent_command();

  // On the robot stderr is a pipe to logwrapper, shared with the agent: one
  // write() per line, and never a wait for the reader.
  logging::LogSink log(kProgramName, logging::LogSink::Options{STDERR_FILENO, true});
  bridge::BridgeService service(options, log);
  return service.run();
}

int run_agent_child(const std::vector<std::string>& arguments, std::ostream& out,
                    std::ostream& err) {
  (void)out;
  if (arguments.size() != 2 || arguments[0] != "--channel-fd") {
    err << "vic-r1 agent: started by `vic-r1 run` only (--channel-fd N)\n";
    return kExitUsage;
  }
  const int fd = std::atoi(arguments[1].c_str());
  logging::LogSink sink(kProgramName, logging::LogSink::Options{STDERR_FILENO, true});
  logging::Logger log(sink, "agent");
  robot::EchoResponder responder;
  std::uint64_t wake_words = 0;
  std::uint64_t back_touches = 0;
  std::uint64_t button_presses = 0;
  std::uint8_t packet[channel::kMaxChannelMessageBytes];
  std::uint8_t encoded[channel::kMaxChannelMessageBytes];
  const auto send_command = [&](const channel::Command& command) {
    const std::size_t size = channel::encode_command(command, encoded, sizeof(encoded));
    return size != 0 && ::send(fd, encoded, size, MSG_NOSIGNAL) == static_cast<ssize_t>(size);
  };
  // A heartbeat each second keeps the supervisor from taking us as hung.
  constexpr std::uint64_t kHeartbeatMs = 1000;
  channel::Command heartbeat;
  heartbeat.kind = channel::CommandKind::kHeartbeat;
  if (!send_command(heartbeat)) return 1;
  std::uint64_t last_heartbeat_ms = platform::monotonic_ms();
  log.info("listening (pid ", ::getpid(), ")");
  for (;;) {
    // Due by the clock, not by a quiet channel: a steady stream of events
    // that need no answer must not make the agent look hung.
    const std::uint64_t now_ms = platform::monotonic_ms();
    if (now_ms - last_heartbeat_ms >= kHeartbeatMs) {
      if (!send_command(heartbeat)) return 1;
      last_heartbeat_ms = now_ms;
      sink.report_repeats_if_due();
    }
    pollfd channel{fd, POLLIN, 0};
    const int ready =
        ::poll(&channel, 1, static_cast<int>(kHeartbeatMs - (now_ms - last_heartbeat_ms)));
    if (ready < 0 && errno != EINTR) return 1;
    if (ready <= 0) continue;
    const ssize_t size = ::recv(fd, packet, sizeof(packet), 0);
    if (size <= 0) return 0;  // the bridge went away: so do we
    channel::Event event;
    const char* error = nullptr;
    if (!channel::decode_event(packet, static_cast<std::size_t>(size), event, error)) {
      log.warning("unreadable event: ", error);
      continue;
    }
    // Numbered, so that each is a line of its own in the log rather than a
    // repeat of the one before.
    switch (event.kind) {
      case channel::EventKind::kQuestion:
        log.info("question: ", event.text);
        break;
      case channel::EventKind::kWakeWord:
        log.info("heard the wake word (", ++wake_words, ")");
        break;
      case channel::EventKind::kBackTouched:
        log.info("back touched (", ++back_touches, ")");
        break;
      case channel::EventKind::kButtonPressed:
        log.info("backpack button pressed (", ++button_presses, ")");
        break;
      default:
        break;
    }
    for (const channel::Command& command : responder.on_event(event))
      if (!send_command(command)) return 1;
  }
}

}  // namespace vic_r1::cli
