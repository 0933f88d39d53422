#include "agent/cli/robot_unit_commands.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/cli/command_line.h"
#include "drivers/bridge/anim_bridge.h"
#include "drivers/bridge/bridge_recovery.h"
#include "drivers/bridge/interposition_wait.h"
#include "platform/log/logger.h"

namespace vic_r1::cli {
namespace {

constexpr const char* kAwaitUsage =
    "usage: vic-r1 await-socket ai_sock|_engine_anim_server_0 [--socket-dir DIR] "
    "[--timeout-ms N]\n"
    "  Waits until vic-r1 holds the robot's socket (default: at most 60000 ms).\n"
    "  Exit 0: vic-r1 holds it; 3: vic-r1 runs but has not taken it in time;\n"
    "  4: vic-r1 is not running.\n";

constexpr const char* kRecoverUsage =
    "usage: vic-r1 recover [--socket-dir DIR] [--state-dir DIR] [--systemctl PATH]\n"
    "  Run by vic-r1-recover.service when vic-r1.service fails: restarts the robot's\n"
    "  processes (anki-robot.target) if vic-r1 had stood between vic-engine and\n"
    "  vic-anim, and masks vic-r1 until the next boot if it failed 3 times in 10\n"
    "  minutes. Failures are recorded in DIR/failures (default /run/vic-r1).\n";

constexpr int kExitNotTaken = 3;
constexpr int kExitNoBridge = 4;
constexpr int kExitRecoveryFailed = 1;

std::uint64_t seconds_since_boot() {
  timespec now{};
  clock_gettime(CLOCK_BOOTTIME, &now);
  return static_cast<std::uint64_t>(now.tv_sec);
}

// Runs `systemctl ARGS...` and waits for it; its exit status, or -1.
int run_systemctl(const std::string& systemctl, std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), systemctl);
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

int run_await_socket(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  (void)out;
  std::string name;
  std::string socket_directory = "/dev/socket";
  std::uint64_t timeout_ms = 60000;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    const bool has_value = i + 1 < arguments.size();
    if (argument == "--help") {
      err << kAwaitUsage;
      return kExitOk;
    } else if (argument == "--socket-dir" && has_value) {
      socket_directory = arguments[++i];
    } else if (argument == "--timeout-ms" && has_value) {
      if (!parse_milliseconds(arguments[++i], timeout_ms)) {
        err << "vic-r1 await-socket: --timeout-ms needs a positive number of milliseconds\n";
        return kExitUsage;
      }
    } else if (name.empty() && !argument.empty() && argument[0] != '-') {
      name = argument;
    } else {
      err << "vic-r1 await-socket: unknown or incomplete argument '" << argument << "'\n" << kAwaitUsage;
      return kExitUsage;
    }
  }
  logging::LogSink sink("vic-r1");
  logging::Logger log(sink, "await-socket");
  switch (bridge::wait_for_interposition(socket_directory, name, timeout_ms)) {
    case bridge::InterpositionWait::kTaken:
      log.info(socket_directory, "/", name, " is vic-r1's");
      return kExitOk;
    case bridge::InterpositionWait::kNoBridge:
      log.info("vic-r1 is not running: ", name, " stays vic-engine's");
      return kExitNoBridge;
    case bridge::InterpositionWait::kTimedOut:
      log.warning("vic-r1 runs but has not taken ", socket_directory, "/", name, " within ", timeout_ms,
                  " ms: going on without it");
      return kExitNotTaken;
    case bridge::InterpositionWait::kUnknownSocket:
      break;
  }
  err << "vic-r1 await-socket: '" << name << "' is not a socket vic-r1 takes\n" << kAwaitUsage;
  return kExitUsage;
}

int run_recover(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  (void)out;
  std::string socket_directory = "/dev/socket";
  std::string state_directory = "/run/vic-r1";
  std::string systemctl = "/bin/systemctl";
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    const bool has_value = i + 1 < arguments.size();
    if (argument == "--help") {
      err << kRecoverUsage;
      return kExitOk;
    } else if (argument == "--socket-dir" && has_value) {
      socket_directory = arguments[++i];
    } else if (argument == "--state-dir" && has_value) {
      state_directory = arguments[++i];
    } else if (argument == "--systemctl" && has_value) {
      systemctl = arguments[++i];
    } else {
      err << "vic-r1 recover: unknown or incomplete argument '" << argument << "'\n" << kRecoverUsage;
      return kExitUsage;
    }
  }
  logging::LogSink sink("vic-r1");
  logging::Logger log(sink, "recover");

  // vic-anim's socket still moved aside: vic-r1 had taken its path.
  struct stat info;
  const std::string aside = socket_directory + "/" + std::string(bridge::AnimBridge::kServerName) +
                            std::string(bridge::AnimBridge::kAsideSuffix);
  const bool was_between = ::lstat(aside.c_str(), &info) == 0;
  ::mkdir(state_directory.c_str(), 0755);
  std::string error;
  const std::vector<std::uint64_t> failures =
      bridge::record_failure(state_directory + "/failures", seconds_since_boot(), error);
  if (!error.empty()) log.warning(error, "; failures are not counted");
  const bridge::RecoveryPlan plan = bridge::plan_recovery(was_between, failures);
  if (!plan.restart_robot) {
    log.info(plan.explanation);
    return kExitOk;
  }
  if (plan.give_up_on_vic_r1) {
    log.error(plan.explanation);
    const int masked = run_systemctl(systemctl, {"mask", "--runtime", "vic-r1.service"});
    if (masked != 0) log.error("systemctl mask --runtime vic-r1.service failed (", masked, ")");
  } else {
    log.warning(plan.explanation);
  }
  // --no-block: this unit is not part of the target, but waiting for the
  // whole target to come back here would only hold this unit's start job.
  const int restarted = run_systemctl(systemctl, {"restart", "--no-block", "anki-robot.target"});
  if (restarted != 0) {
    log.error("systemctl restart anki-robot.target failed (", restarted,
              "): restart the robot (hold the button 15 s, or power it off and on)");
    return kExitRecoveryFailed;
  }
  return kExitOk;
}

}  // namespace vic_r1::cli
