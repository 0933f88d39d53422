#include "platform/process/agent_supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vic_r1::process {
namespace {

void sleep_ms(long milliseconds) {
  timespec delay{milliseconds / 1000, (milliseconds % 1000) * 1000000L};
  while (nanosleep(&delay, &delay) != 0 && errno == EINTR) {
  }
}

}  // namespace

AgentSupervisor::AgentSupervisor(Options options, logging::Logger log)
    : options_(std::move(options)),
      log_(log),
      backoff_(options_.first_restart_delay_ms, options_.max_restart_delay_ms, options_.stable_after_ms) {
  // The child's argv is built once: a restart allocates nothing, and after
  // fork() only async-signal-safe calls are made.
  arguments_ = options_.command;
  arguments_.push_back("--channel-fd");
  arguments_.push_back(std::to_string(kChildChannelFd));
  for (std::string& argument : arguments_) argv_.push_back(argument.data());
  argv_.push_back(nullptr);
}

AgentSupervisor::~AgentSupervisor() { stop(); }

AgentSupervisor::Change AgentSupervisor::tick(std::uint64_t now_ms) {
  if (pid_ > 0) {
    int status = 0;
    const pid_t ended = ::waitpid(pid_, &status, WNOHANG);
    if (ended != pid_) return Change::kNone;
    if (WIFSIGNALED(status)) {
      log_.warning("agent (pid ", pid_, ") killed by signal ", strsignal(WTERMSIG(status)));
    } else {
      log_.warning("agent (pid ", pid_, ") exited with status ", WEXITSTATUS(status));
    }
    pid_ = -1;
    on_lost(now_ms, "it ended");
    return Change::kEnded;
  }
  if (now_ms < next_start_ms_) return Change::kNone;
  return start(now_ms) ? Change::kStarted : Change::kNone;
}

bool AgentSupervisor::start(std::uint64_t now_ms) {
  int ends[2];
  // Non-blocking on our side: the bridge never waits for the agent.
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
    log_.error("cannot create the agent channel: ", std::strerror(errno));
    next_start_ms_ = backoff_.on_ended(now_ms);
    return false;
  }
  ::fcntl(ends[0], F_SETFL, ::fcntl(ends[0], F_GETFL) | O_NONBLOCK);

  const pid_t pid = ::fork();
  if (pid < 0) {
    log_.error("cannot start the agent: fork: ", std::strerror(errno));
    ::close(ends[0]);
    ::close(ends[1]);
    next_start_ms_ = backoff_.on_ended(now_ms);
    return false;
  }
  if (pid == 0) {
    // dup2 clears close-on-exec on the copy; every other fd of the bridge
    // (the robot's sockets among them) is close-on-exec and stays behind.
    if (::dup2(ends[1], kChildChannelFd) < 0) ::_exit(127);
    // If the robot runs out of memory, the agent is what the kernel (and
    // Android's low-memory killer on the robot) ends first: the bridge
    // restarts it, while vic-engine or vic-anim would not come back.
    const int oom = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (oom >= 0) {
      (void)!::write(oom, "1000", 4);
      ::close(oom);
    }
    // A signal mask survives exec; the agent must be stoppable by SIGTERM
    // whatever the bridge had blocked when it forked.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::execv(argv_[0], argv_.data());
    ::_exit(127);
  }
  ::close(ends[1]);
  pid_ = pid;
  channel_fd_ = ends[0];
  last_alive_ms_ = now_ms;
  backoff_.on_started(now_ms);
  ++starts_;
  log_.info("agent started (pid ", pid_, ")");
  return true;
}

void AgentSupervisor::on_lost(std::uint64_t now_ms, std::string_view why) {
  if (pid_ > 0) log_.warning("agent (pid ", pid_, ") lost: ", why);
  reap_and_close();
  next_start_ms_ = backoff_.on_ended(now_ms);
  if (next_start_ms_ > now_ms) log_.info("agent restarts in ", next_start_ms_ - now_ms, " ms");
}

void AgentSupervisor::reap_and_close() {
  if (channel_fd_ >= 0) ::close(channel_fd_);
  channel_fd_ = -1;
  if (pid_ <= 0) return;
  // A hung or half-dead child gets no say: SIGKILL, then reap so no zombie
  // is left. waitpid after SIGKILL returns promptly.
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void AgentSupervisor::stop() {
  if (channel_fd_ >= 0) ::close(channel_fd_);
  channel_fd_ = -1;
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int waited_ms = 0; waited_ms < 1000; waited_ms += 20) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    sleep_ms(20);
  }
  reap_and_close();
}

}  // namespace vic_r1::process
