#include "drivers/bridge/bridge_service.h"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>

#include "platform/time/monotonic_clock.h"

namespace vic_r1::bridge {
namespace {

// Datagrams wake the loop at once; otherwise it wakes for its deadlines: every
// kBusyTickMs while an intent waits for its spacing or the agent for its
// restart, else every kIdleTickMs (heartbeat, clip start, retries and the look
// at the socket directory are all far coarser than that). An idle robot then
// costs 4 wake-ups a second, not 20.
constexpr int kBusyTickMs = 20;
constexpr int kIdleTickMs = 250;
constexpr std::uint64_t kCountersLogEveryMs = 5 * 60 * 1000;
// How long a stopping bridge waits for vic-anim to answer the cancels of the
// agent's speech and clips: some fifteen of its 33 ms ticks.
constexpr std::uint64_t kStopGraceMs = 500;

// The write end of the signal pipe, for the handler (which can reach no object).
int signal_write_fd = -1;

extern "C" void note_signal(int signal_number) {
  const int saved_errno = errno;
  const auto byte = static_cast<unsigned char>(signal_number);
  // A full pipe already holds a wake-up; losing this byte loses nothing.
  (void)!::write(signal_write_fd, &byte, 1);
  errno = saved_errno;
}

std::string describe_errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

using platform::monotonic_ms;

}  // namespace

BridgeService::BridgeService(BridgeOptions options, logging::LogSink& sink)
    : options_(std::move(options)),
      log_(sink, "bridge"),
      anim_bridge_(options_.socket_directory, options_.firmware, logging::Logger(sink, "anim-link")),
      intent_tap_(options_.socket_directory, options_.question_policy, logging::Logger(sink, "intent-tap")),
      supervisor_(options_.agent, logging::Logger(sink, "supervisor")),
      notifier_(process::ServiceNotifier::from_environment()) {
  anim_bridge_.set_agent_event_sink([this](const channel::Event& event) { send_to_agent(event); });
  intent_tap_.set_question_sink([this](const channel::Event& event) { send_to_agent(event); });
}

BridgeService::~BridgeService() {
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (signal_fd_ >= 0) ::close(signal_fd_);
  if (signal_write_fd >= 0) ::close(signal_write_fd);
  signal_write_fd = -1;
}

bool BridgeService::open(std::string& error) {
  // Signals become bytes on a pipe the loop polls: handled in the loop, never
  // in a handler. (A signalfd would do the same natively but receives
  // nothing under qemu-user, where the ARM build's tests run.)
  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_NONBLOCK | O_CLOEXEC) != 0) {
    error = describe_errno("pipe2");
    return false;
  }
  signal_fd_ = pipe_ends[0];
  signal_write_fd = pipe_ends[1];
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_handler = note_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal_number : {SIGTERM, SIGINT, SIGCHLD, SIGUSR1}) {
    if (::sigaction(signal_number, &action, nullptr) != 0) {
      error = describe_errno("sigaction");
      return false;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) {
    error = describe_errno("inotify_init1");
    return false;
  }
  // Binds and unlinks (a process starting) and renames (ours) in the
  // socket directory are what tell us a firmware process came or went.
  if (::inotify_add_watch(inotify_fd_, options_.socket_directory.c_str(),
                          IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM) < 0) {
    error = describe_errno(("inotify_add_watch " + options_.socket_directory).c_str());
    return false;
  }
  return anim_bridge_.open(error) && intent_tap_.open(error);
}

int BridgeService::run() {
  std::string error;
  if (!open(error)) {
    log_.error("cannot start the bridge: ", error, "; the robot runs without vic-r1");
    return 1;
  }
  started_ms_ = monotonic_ms();
  log_.info("bridge on ", options_.socket_directory, "; expecting firmware ",
            clad::layout_for(options_.firmware.family).name, " (", options_.firmware_reason,
            "), to be confirmed from vic-anim's traffic");
  anim_bridge_.on_directory_change("");
  intent_tap_.on_directory_change("");

  bool stop = false;
  while (!stop) {
    // The bridge must outlive anything that goes wrong in it: vic-engine
    // exits when its next send finds our socket gone, and the robot with it
    // (robotConnectionManager.cpp:66-69, cozmoEngine.cpp:478-482). Nothing
    // in the loop is expected to throw (it forwards from fixed buffers), but
    // if something does, what was in hand is lost and forwarding goes on.
    try {
      run_once(stop);
    } catch (const std::exception& failure) {
      ++internal_errors_;
      log_.error("internal error (", internal_errors_, " so far), forwarding goes on: ", failure.what());
    } catch (...) {
      ++internal_errors_;
      log_.error("internal error (", internal_errors_, " so far), forwarding goes on");
    }
  }
  notifier_.stopping("stopping: putting the robot's sockets back");
  log_.info("stopping: cancelling the agent's speech and putting the robot's sockets back");
  anim_bridge_.router().release_everything_of_agent(monotonic_ms());
  supervisor_.stop();
  wait_for_anim_to_take_the_cancels();
  anim_bridge_.restore();
  intent_tap_.restore();
  log_counters();
  if (anim_bridge_.engine_connected() || intent_tap_.heard_from_cloud())
    log_.warning(
        "vic-engine and vic-cloud talked to vic-r1's sockets, which are now gone; "
        "neither reconnects by itself. Restart the robot's processes so that they talk "
        "to each other directly: systemctl restart anki-robot.target");
  return 0;
}

void BridgeService::run_once(bool& stop) {
  const std::uint64_t now = monotonic_ms();
  if (options_.run_agent) {
    switch (supervisor_.tick(now)) {
      case process::AgentSupervisor::Change::kStarted:
        greet_agent();
        break;
      case process::AgentSupervisor::Change::kEnded:
        anim_bridge_.router().release_everything_of_agent(now);
        break;
      case process::AgentSupervisor::Change::kNone:
        break;
    }
  }
  // Fail-open: with no agent to answer, or no way for it to speak, the
  // engine keeps every question and answers as it always has.
  const bool accepting = supervisor_.channel_fd() >= 0 && anim_bridge_.anim_connected() &&
                         anim_bridge_.router().confirmation().confirmed();
  intent_tap_.set_accepting_questions(accepting);
  anim_bridge_.router().set_capturing_knowledge_questions(accepting && intent_tap_.captures_knowledge_questions());

  // Fixed slots: 0 signals, 1 directory, 2 engine, 3 anim, 4 cloud, 5 agent.
  pollfd fds[6];
  fds[0] = {signal_fd_, POLLIN, 0};
  fds[1] = {inotify_fd_, POLLIN, 0};
  anim_bridge_.poll_entries(fds[2], fds[3]);
  fds[4] = {intent_tap_.fd(), static_cast<short>(intent_tap_.wants_readable() ? POLLIN : 0), 0};
  fds[5] = {supervisor_.channel_fd(), POLLIN, 0};
  const int ready = ::poll(fds, 6, next_wake_ms(now));
  if (ready < 0 && errno != EINTR) {
    // Only a lack of kernel memory makes poll() fail here; it passes.
    log_.error("poll: ", std::strerror(errno), "; trying again");
    const timespec pause{0, 10 * 1000 * 1000};
    ::nanosleep(&pause, nullptr);
    return;
  }
  const std::uint64_t after = monotonic_ms();
  if (ready > 0) {
    // The robot's own traffic first.
    anim_bridge_.on_poll(fds[2], fds[3]);
    if (anim_bridge_.router().take_knowledge_question_stream()) intent_tap_.expect_knowledge_session_answer(after);
    if (fds[4].revents & POLLIN) intent_tap_.on_readable(after);
    if (fds[1].revents & POLLIN) on_directory_events();
    if (fds[5].revents & (POLLIN | POLLHUP | POLLERR)) on_channel_readable(after);
    if (fds[0].revents & POLLIN) on_signal(stop);
  }
  tick(after);
}

// With Type=notify, systemd starts vic-engine (ordered after vic-r1) only
// once READY=1 arrives: when vic-r1 stands between vic-engine and vic-anim.
// Fail-open: when it cannot get there, it says ready all the same, so the
// robot boots and works without it.
void BridgeService::notify_ready_when_due(std::uint64_t now_ms) {
  if (notifier_.ready_sent()) return;
  if (anim_bridge_.anim_connected()) {
    notifier_.ready("between vic-engine and vic-anim");
  } else if (anim_bridge_.anim_serves_another()) {
    notifier_.ready("vic-engine reached vic-anim first: forwarding nothing until it restarts");
  } else if (now_ms - started_ms_ >= options_.ready_deadline_ms) {
    log_.warning("vic-anim has not bound ", options_.socket_directory, "/_engine_anim_server_0 in ",
                 options_.ready_deadline_ms / 1000,
                 " s: telling systemd vic-r1 is ready anyway, so that vic-engine starts; "
                 "vic-r1 steps in if vic-anim binds before vic-engine connects");
    notifier_.ready("waiting for vic-anim");
  }
}

// vic-anim reads what we sent on its next tick, after that tick's own sends;
// were we gone by then, its send to our closed socket would fail and the
// kernel would drop the cancels unread (a failed datagram send empties the
// sender's receive queue), and the robot would speak on for an agent that is
// no more. So stay, forwarding both ways, until vic-anim has answered them.
void BridgeService::wait_for_anim_to_take_the_cancels() {
  const AnimLinkRouter& router = anim_bridge_.router();
  const std::uint64_t leave_by_ms = monotonic_ms() + kStopGraceMs;
  while (anim_bridge_.anim_connected() &&
         (router.agent_utterances_in_flight() > 0 || router.agent_clips_in_flight() > 0)) {
    const std::uint64_t now = monotonic_ms();
    if (now >= leave_by_ms) return;
    pollfd fds[2];
    anim_bridge_.poll_entries(fds[0], fds[1]);
    if (::poll(fds, 2, static_cast<int>(leave_by_ms - now)) < 0 && errno != EINTR) return;
    anim_bridge_.on_poll(fds[0], fds[1]);
  }
}

int BridgeService::next_wake_ms(std::uint64_t now_ms) const {
  if (intent_tap_.has_waiting_intents()) return kBusyTickMs;
  if (options_.run_agent && supervisor_.pid() <= 0) {
    const std::uint64_t due = supervisor_.next_start_ms();
    return due <= now_ms ? 0 : static_cast<int>(std::min<std::uint64_t>(due - now_ms, kIdleTickMs));
  }
  return kIdleTickMs;
}

void BridgeService::on_directory_events() {
  alignas(inotify_event) char buffer[4096];
  for (;;) {
    const ssize_t size = ::read(inotify_fd_, buffer, sizeof(buffer));
    if (size <= 0) return;
    for (ssize_t offset = 0; offset < size;) {
      // Copied out rather than cast: records follow each other at any
      // offset, and a Cortex-A7 build checks alignment.
      inotify_event event;
      std::memcpy(&event, buffer + offset, sizeof(event));
      const char* name_bytes = buffer + offset + sizeof(inotify_event);
      const std::string_view name = event.len > 0 ? std::string_view(name_bytes, strnlen(name_bytes, event.len))
                                                  : std::string_view();
      if (event.mask & IN_Q_OVERFLOW) {
        anim_bridge_.on_directory_change("");
        intent_tap_.on_directory_change("");
      } else if (!name.empty()) {
        anim_bridge_.on_directory_change(name);
        intent_tap_.on_directory_change(name);
      }
      offset += static_cast<ssize_t>(sizeof(inotify_event) + event.len);
    }
  }
}

void BridgeService::on_channel_readable(std::uint64_t now_ms) {
  for (;;) {
    const int fd = supervisor_.channel_fd();
    if (fd < 0) return;
    const ssize_t size = ::recv(fd, channel_buffer_, sizeof(channel_buffer_), MSG_DONTWAIT);
    if (size < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      agent_lost(now_ms, describe_errno("channel read failed"));
      return;
    }
    if (size == 0) {
      agent_lost(now_ms, "its channel closed");
      return;
    }
    supervisor_.on_alive(now_ms);
    channel::Command command;
    const char* error = nullptr;
    if (!channel::decode_command(channel_buffer_, static_cast<std::size_t>(size), command, error)) {
      ++channel_counters_.bad_commands;
      log_.warning("unreadable command from the agent: ", error);
      continue;
    }
    ++channel_counters_.commands;
    if (command.kind == channel::CommandKind::kInjectIntent) {
      clad::IntentResult result{command.intent, command.parameters, command.metadata};
      std::string why;
      if (!intent_tap_.inject(result, now_ms, why)) {
        channel::Event failed;
        failed.kind = channel::EventKind::kCommandFailed;
        failed.handle = command.handle;
        failed.text = why;
        send_to_agent(failed);
      }
      continue;
    }
    if (command.kind == channel::CommandKind::kListenAgain &&
        ::access(options_.mic_muted_file.c_str(), F_OK) == 0) {
      channel::Event refused;
      refused.kind = channel::EventKind::kCommandFailed;
      refused.handle = command.handle;
      refused.text = "the microphone is muted; listening again would unmute it";
      send_to_agent(refused);
      continue;
    }
    anim_bridge_.router().on_agent_command(command, now_ms);
  }
}

void BridgeService::agent_lost(std::uint64_t now_ms, std::string_view why) {
  // Whatever it started on vic-anim stops now, so the robot does not go on
  // talking for a process that is no longer there.
  anim_bridge_.router().release_everything_of_agent(now_ms);
  supervisor_.on_lost(now_ms, why);
  intent_tap_.set_accepting_questions(false);
}

void BridgeService::send_to_agent(const channel::Event& event) {
  const int fd = supervisor_.channel_fd();
  if (event.kind == channel::EventKind::kQuestion && fd < 0) ++channel_counters_.questions_lost;
  std::size_t size = 0;
  const char* error = nullptr;
  if (fd < 0 || !channel::encode_event(event, event_buffer_, sizeof(event_buffer_), size, error) ||
      ::send(fd, event_buffer_, size, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
    ++channel_counters_.events_dropped;
    return;
  }
  ++channel_counters_.events_sent;
}

void BridgeService::greet_agent() {
  channel::Event link;
  link.kind = channel::EventKind::kRobotLink;
  const LayoutConfirmation& confirmation = anim_bridge_.router().confirmation();
  agent_told_anim_is_there_ = anim_bridge_.anim_connected();
  link.can_inject = confirmation.confirmed() && agent_told_anim_is_there_;
  link.text = agent_told_anim_is_there_ ? confirmation.explanation()
                                        : std::string_view("vic-anim is gone; waiting for it to come back");
  send_to_agent(link);
}

void BridgeService::on_signal(bool& stop) {
  unsigned char signals[64];
  ssize_t size = 0;
  while ((size = ::read(signal_fd_, signals, sizeof(signals))) > 0) {
    for (ssize_t i = 0; i < size; ++i) {
      if (signals[i] == SIGTERM || signals[i] == SIGINT) stop = true;
      // Over SSH, `kill -USR1 <vic-r1 run>` logs the counters now rather
      // than at the next five-minute mark (the soak reads them so too).
      if (signals[i] == SIGUSR1) log_counters();
    }
    // SIGCHLD: the supervisor reaps on its next tick.
  }
}

void BridgeService::tick(std::uint64_t now_ms) {
  anim_bridge_.on_tick(now_ms);
  intent_tap_.on_tick(now_ms);
  notify_ready_when_due(now_ms);
  LayoutConfirmation& confirmation = anim_bridge_.router().confirmation();
  if (confirmation.take_change()) {
    switch (confirmation.status()) {
      case LayoutConfirmation::Status::kConfirmed:
        log_.info("firmware layout ", confirmation.layout().name, " confirmed: ", confirmation.explanation());
        if (notifier_.ready_sent()) notifier_.status("answering; firmware layout confirmed");
        break;
      case LayoutConfirmation::Status::kRefused:
        log_.warning(confirmation.explanation(),
                     "; vic-engine and vic-anim work as without "
                     "vic-r1, and vic-r1 answers no question");
        break;
      case LayoutConfirmation::Status::kWaiting:
      case LayoutConfirmation::Status::kProbing:
        log_.info(confirmation.explanation());
        break;
    }
    greet_agent();
  } else if (anim_bridge_.anim_connected() != agent_told_anim_is_there_) {
    greet_agent();  // vic-anim went away or came back
  }
  if (supervisor_.hung(now_ms)) agent_lost(now_ms, "no heartbeat (hung)");
  log_.sink().report_repeats_if_due();
  if (now_ms - last_counters_log_ms_ >= kCountersLogEveryMs) {
    if (last_counters_log_ms_ != 0) log_counters();
    last_counters_log_ms_ = now_ms;
  }
}

// The allocator's own count: the bridge allocates nothing per datagram, so
// this stays flat; and under qemu it is the ARM build's figure, which the
// process's RSS (the emulator's) is not.
std::size_t BridgeService::heap_in_use_bytes() {
  const struct mallinfo2 heap = ::mallinfo2();
  return heap.uordblks + heap.hblkhd;
}

void BridgeService::log_counters() {
  const AnimBridgeCounters& anim = anim_bridge_.counters();
  const AnimLinkCounters& link = anim_bridge_.router().counters();
  const IntentTapCounters& tap = intent_tap_.counters();
  log_.info("counters: engine->anim ", anim.engine_to_anim, " (dropped ", anim.dropped_engine_to_anim,
            "), anim->engine ", anim.anim_to_engine, " (dropped ", anim.dropped_anim_to_engine, "), oversize ",
            anim.cut_datagrams, ", agent injected ", link.injected, " (dropped ", anim.dropped_agent, ", refused ",
            link.agent_commands_refused, "), replies to agent ", link.replies_to_agent, ", malformed ",
            link.malformed_from_engine + link.malformed_from_anim, ", id collisions ", link.id_collisions,
            ", knowledge streams made normal ", link.knowledge_streams_made_normal, "; intents forwarded ",
            tap.forwarded, ", questions ", tap.questions, ", injected ", tap.injected, ", dropped ", tap.dropped,
            ", oversize ", tap.cut_datagrams, "; agent starts ", supervisor_.starts(), ", events dropped ",
            channel_counters_.events_dropped, "; heap in use ", heap_in_use_bytes() / 1024, " KiB");
}

}  // namespace vic_r1::bridge
