#include "agent/cli/command_line.h"

#include "agent/cli/ask_command.h"
#include "agent/cli/check_config_command.h"
#include "agent/cli/doctor_command.h"
#include "agent/cli/control_commands.h"
#include "agent/cli/replay_command.h"
#include "agent/cli/robot_unit_commands.h"
#include "agent/cli/run_command.h"
#include "agent/cli/version_report.h"

namespace vic_r1::cli {
namespace {

constexpr const char* kUsage =
    "usage: vic-r1 VERB [ARGUMENTS]\n"
    "verbs:\n"
    "  version   print the version, the target, and the libraries this binary was built with\n"
    "  ask       ask the running agent (Vector speaks) or, with --standalone, the server (ask --help)\n"
    "  status    what the running agent is doing (status --help)\n"
    "  check-config  check a config file, each problem with its JSON path (check-config --help)\n"
    "  doctor    check what vic-r1 needs on the robot, one line each with the fix (doctor --help)\n"
    "  replay    run the stream reader over a captured response body (replay --help)\n"
    "  run       the robot service: bridge vic-engine, vic-anim and ai_sock, run the agent\n"
    "  await-socket  wait until vic-r1 holds a robot socket (vic-cloud's unit runs it)\n"
    "  recover   restart the robot's processes after vic-r1 failed (its unit's OnFailure=)\n";

int print_version(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  if (arguments.size() > 1) {
    err << "vic-r1 version: takes no arguments (got '" << arguments[1] << "')\n";
    return kExitUsage;
  }
  out << format_version_report(describe_this_build());
  return kExitOk;
}

}  // namespace

bool parse_whole_number(const std::string& text, std::uint64_t low, std::uint64_t high, std::uint64_t& value) {
  if (text.empty() || text.size() > 9) return false;
  std::uint64_t parsed = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    parsed = parsed * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (parsed < low || parsed > high) return false;
  value = parsed;
  return true;
}

bool parse_milliseconds(const std::string& text, std::uint64_t& value) {
  return parse_whole_number(text, 1, 999'999'999, value);
}

int run_command_line(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  if (arguments.empty()) {
    err << kUsage;
    return kExitUsage;
  }
  const std::string& verb = arguments.front();
  if (verb == "version" || verb == "--version") return print_version(arguments, out, err);
  if (verb == "ask") return run_ask(std::vector<std::string>(arguments.begin() + 1, arguments.end()), out, err);
  if (verb == "status")
    return run_status(std::vector<std::string>(arguments.begin() + 1, arguments.end()), out, err);
  if (verb == "doctor")
    return run_doctor(std::vector<std::string>(arguments.begin() + 1, arguments.end()), out, err);
  if (verb == "check-config") {
    return run_check_config(std::vector<std::string>(arguments.begin() + 1, arguments.end()), out, err);
  }
  if (verb == "run") return run_bridge(std::vector<std::string>(arguments.begin() + 1, arguments.end()), out, err);
  if (verb == "agent") {
    return run_agent_child(std::vector<std::string>(arguments.begin() + 1, arguments.end()), out, err);
  }
  if (verb == "await-socket")
    return run_await_socket(std::vector<std::string>(arguments.begin() + 1, arguments.end()), out, err);
  if (verb == "recover")
    return run_recover(std::vector<std::string>(arguments.begin() + 1, arguments.end()), out, err);
  if (verb == "replay") {
    return run_replay(std::vector<std::string>(arguments.begin() + 1, arguments.end()), out, err);
  }
  if (verb == "help" || verb == "--help" || verb == "-h") {
    out << kUsage;
    return kExitOk;
  }
  err << "vic-r1: unknown verb '" << verb << "'\n" << kUsage;
  return kExitUsage;
}

}  // namespace vic_r1::cli
