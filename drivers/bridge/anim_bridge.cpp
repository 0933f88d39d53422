#include "drivers/bridge/anim_bridge.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "drivers/clad/cloud_mic_messages.h"

namespace vic_r1::bridge {
namespace {

constexpr std::uint64_t kAnimRetryMs = 1000;
constexpr std::uint64_t kDirectoryLookMs = 500;

bool is_greeting(const std::uint8_t* bytes, std::size_t size) {
  return size == clad::kConnectionGreeting.size() &&
         std::memcmp(bytes, clad::kConnectionGreeting.data(), size) == 0;
}

// The inode bound at `path`, 0 when nothing is: a restarted process unlinks
// and binds its path again, which gives it a new inode.
ino_t inode_at(const std::string& path) {
  struct stat info;
  return ::lstat(path.c_str(), &info) == 0 ? info.st_ino : 0;
}

std::string last_component(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

AnimBridge::AnimBridge(const std::string& socket_directory, FirmwareExpectation firmware, logging::Logger log)
    : public_path_(socket_directory + "/" + std::string(kServerName)),
      our_server_path_(socket_directory + "/" + std::string(kOurServerName)),
      our_client_path_(socket_directory + "/" + std::string(kOurClientName)),
      log_(log),
      interposer_(public_path_, public_path_ + std::string(kAsideSuffix), our_server_path_),
      router_(firmware, *this),
      to_engine_queue_(clad::kMaxAnimDatagramBytes, kQueueSlots),
      to_anim_queue_(clad::kMaxAnimDatagramBytes, kQueueSlots) {}

AnimBridge::~AnimBridge() = default;

bool AnimBridge::open(std::string& error) {
  // Our private names may be left from an earlier run; nothing else uses them.
  ::unlink(our_server_path_.c_str());
  ::unlink(our_client_path_.c_str());
  return engine_socket_.open(error) && engine_socket_.bind(our_server_path_, error) && anim_socket_.open(error) &&
         anim_socket_.bind(our_client_path_, error);
}

void AnimBridge::on_directory_change(std::string_view name) {
  if (name.empty() || name == kServerName) {
    const auto before = interposer_.state();
    bool anim_restarted = false;
    const auto state = interposer_.update(anim_restarted, now_ms_);
    if (state == ipc::SocketInterposer::State::kFailed && before != state)
      log_.error("cannot take ", public_path_, ": ", interposer_.error());
    if (state == ipc::SocketInterposer::State::kInterposed && before != state)
      log_.info("interposed on ", public_path_, " (vic-anim's socket moved to ", interposer_.aside_path(), ")");
    if (anim_restarted && anim_connected_) {
      // A new vic-anim: whatever it held of the agent's died with the old
      // one, and it needs our greeting to take us as its client.
      log_.warning("vic-anim bound its server again (restart): reconnecting");
      router_.forget_everything_of_agent();
      to_anim_queue_.clear();
      anim_connected_ = false;
    }
    // A new vic-anim is greeted at once; otherwise the retry pace holds.
    if (state == ipc::SocketInterposer::State::kInterposed && !anim_connected_ &&
        (anim_restarted || now_ms_ - last_anim_attempt_ms_ >= kAnimRetryMs))
      connect_to_anim();
  }
  if (engine_connected_ && !name.empty() && name == engine_path_name_ &&
      inode_at(engine_path_) != engine_path_inode_) {
    // The engine's client path was bound again: a new vic-engine. Stop
    // refusing everyone else so its ANKICONN can reach us.
    engine_gone("vic-engine bound its client path again (restart)");
  }
}

void AnimBridge::connect_to_anim() {
  // Every attempt counts for the retry pace, a failed connect() too: while
  // vic-anim is down, one try a second, not one a tick. Each situation is
  // logged when it begins, not at every try.
  last_anim_attempt_ms_ = now_ms_;
  std::string error;
  if (!anim_socket_.connect(interposer_.aside_path(), error)) {
    const int error_number = anim_socket_.last_error();
    if (error_number == EPERM) {
      // A datagram socket connected to another peer refuses every other
      // sender: vic-anim serves one client (LocalUdpServer.cpp:217-222).
      report_anim_reach(AnimReach::kServingAnother, error);
    } else {
      report_anim_reach(AnimReach::kUnreachable, error);
    }
    return;
  }
  const auto* greeting = reinterpret_cast<const std::uint8_t*>(clad::kConnectionGreeting.data());
  switch (anim_socket_.send(greeting, clad::kConnectionGreeting.size())) {
    case ipc::SendOutcome::kSent:
      anim_connected_ = true;
      ++counters_.anim_connections;
      report_anim_reach(AnimReach::kGreeted, "");
      break;
    case ipc::SendOutcome::kRefused:
      report_anim_reach(AnimReach::kServingAnother, "");
      anim_socket_.disconnect();
      break;
    default:
      report_anim_reach(AnimReach::kUnreachable, ipc::last_errno_text());
      anim_socket_.disconnect();
      break;
  }
}

void AnimBridge::report_anim_reach(AnimReach reach, std::string_view detail) {
  const AnimReach before = anim_reach_;
  anim_reach_ = reach;
  switch (reach) {
    case AnimReach::kGreeted:
      if (before == AnimReach::kServingAnother) {
        log_.info("greeted vic-anim at ", interposer_.aside_path(),
                  ": its old client is gone, and vic-r1 is now between it and vic-engine");
      } else {
        log_.info("greeted vic-anim at ", interposer_.aside_path());
      }
      return;
    case AnimReach::kServingAnother:
      if (before == reach) return;
      log_.error(
          "vic-anim already serves another client: vic-engine reached it before vic-r1 "
          "was in place (the units start vic-r1 first; it was started late or by hand). "
          "Until vic-engine restarts, vic-r1 forwards nothing and answers nothing, and the "
          "robot works as without it. To put vic-r1 in the path: systemctl restart "
          "anki-robot.target");
      return;
    case AnimReach::kUnreachable:
      if (before == reach) return;
      log_.warning("cannot reach vic-anim (", detail, "); trying again each second");
      return;
    case AnimReach::kNotTried:
      return;
  }
}

void AnimBridge::poll_entries(pollfd& engine, pollfd& anim) const {
  engine = {engine_socket_.fd(),
            static_cast<short>((wants_engine_readable() ? POLLIN : 0) | (wants_engine_writable() ? POLLOUT : 0)),
            0};
  anim = {anim_socket_.fd(),
          static_cast<short>((wants_anim_readable() ? POLLIN : 0) | (wants_anim_writable() ? POLLOUT : 0)), 0};
}

void AnimBridge::on_poll(const pollfd& engine, const pollfd& anim) {
  if (engine.revents & POLLOUT) on_engine_writable();
  if (anim.revents & POLLOUT) on_anim_writable();
  if (engine.revents & POLLIN) on_engine_readable();
  if (anim.revents & POLLIN) on_anim_readable();
}

// -------------------------------------------------------------- engine -> anim

void AnimBridge::on_engine_readable() {
  std::string sender;
  for (;;) {
    // While vic-anim's socket is full, what the engine sends waits in the
    // kernel, in our socket's queue, and then the engine's own send gets
    // EAGAIN: exactly what it would meet without us. Reading on and
    // dropping would hide a stalled vic-anim and lose datagrams.
    if (!to_anim_queue_.empty()) return;
    const ssize_t size = engine_socket_.receive(buffer_, sizeof(buffer_), engine_connected_ ? nullptr : &sender);
    if (size < 0) return;
    const auto length = static_cast<std::size_t>(size);
    if (length > sizeof(buffer_)) {
      ++counters_.cut_datagrams;
      continue;
    }
    if (!engine_connected_) {
      accept_engine(sender);
      if (!engine_connected_) continue;
    }
    // Every greeting is dropped, as vic-anim drops it; ours went out already.
    if (is_greeting(buffer_, length)) continue;
    router_.on_engine_datagram(buffer_, length);
    if (!anim_connected_) {
      ++counters_.dropped_engine_to_anim;
      continue;
    }
    forward(anim_socket_, to_anim_queue_, buffer_, length, false);
  }
}

void AnimBridge::accept_engine(const std::string& sender) {
  if (sender.empty()) {
    // vic-anim would connect back to the sender; an unbound one has no
    // address to connect to, so like vic-anim we cannot serve it.
    ++counters_.refused_senders;
    return;
  }
  std::string error;
  if (!engine_socket_.connect(sender, error)) {
    log_.error("cannot connect back to vic-engine: ", error);
    return;
  }
  engine_connected_ = true;
  engine_path_ = sender;
  engine_path_name_ = last_component(sender);
  engine_path_inode_ = inode_at(sender);
  ++counters_.engine_connections;
  router_.on_engine_connected();
  log_.info("vic-engine connected from ", sender);
  to_engine_queue_.clear();
  send_robot_available();
}

void AnimBridge::send_robot_available() {
  if (!have_robot_available_ || !engine_connected_) return;
  const std::uint8_t robot_available = router_.layout().robot_available;
  forward(engine_socket_, to_engine_queue_, &robot_available, 1, true);
}

void AnimBridge::engine_gone(const char* why) {
  log_.warning(why, "; waiting for vic-engine to connect again");
  engine_socket_.disconnect();
  engine_connected_ = false;
  to_engine_queue_.clear();
}

// -------------------------------------------------------------- anim -> engine

void AnimBridge::on_anim_readable() {
  for (;;) {
    if (!to_engine_queue_.empty()) return;  // as in on_engine_readable()
    const ssize_t size = anim_socket_.receive(buffer_, sizeof(buffer_));
    if (size < 0) return;
    const auto length = static_cast<std::size_t>(size);
    if (length > sizeof(buffer_)) {
      ++counters_.cut_datagrams;
      continue;
    }
    switch (router_.on_anim_datagram(buffer_, length)) {
      case AnimDatagramRoute::kToAgentOnly:
        continue;
      case AnimDatagramRoute::kRobotAvailable:
        have_robot_available_ = true;
        break;
      case AnimDatagramRoute::kToEngine:
        break;
    }
    if (!engine_connected_) {
      // Nobody to give it to, as vic-anim itself would find: not a loss.
      ++counters_.anim_to_no_engine;
      continue;
    }
    forward(engine_socket_, to_engine_queue_, buffer_, length, true);
  }
}

// -------------------------------------------------------------- both ways

void AnimBridge::forward(ipc::UnixDatagramSocket& socket, DatagramQueue& queue, const std::uint8_t* bytes,
                         std::size_t size, bool to_engine) {
  const bool delivered = deliver(socket, queue, bytes, size, to_engine);
  if (to_engine) {
    ++(delivered ? counters_.anim_to_engine : counters_.dropped_anim_to_engine);
  } else {
    ++(delivered ? counters_.engine_to_anim : counters_.dropped_engine_to_anim);
  }
}

bool AnimBridge::deliver(ipc::UnixDatagramSocket& socket, DatagramQueue& queue, const std::uint8_t* bytes,
                         std::size_t size, bool to_engine) {
  // Behind anything already waiting, so the order never changes. The waiting
  // ones go out first as soon as the peer's socket has room: the kernel calls
  // a datagram socket writable only once three quarters of its send buffer
  // are free, and waiting for that would hold back datagrams the peer's
  // socket could already take.
  if (!queue.empty()) {
    flush(queue, socket, to_engine);
    if (to_engine ? !engine_connected_ : !anim_connected_) return false;  // the peer is gone
    if (!queue.empty()) return queue.push(bytes, size);
  }
  switch (socket.send(bytes, size)) {
    case ipc::SendOutcome::kSent:
      return true;
    case ipc::SendOutcome::kWouldBlock:
      return queue.push(bytes, size);
    case ipc::SendOutcome::kPeerGone:
    case ipc::SendOutcome::kRefused:
    case ipc::SendOutcome::kFailed:
      peer_gone(to_engine);
      return false;
  }
  return false;
}

void AnimBridge::peer_gone(bool engine) {
  if (engine) {
    engine_gone("vic-engine is gone (send failed)");
    return;
  }
  log_.warning("vic-anim is gone (send failed: ", ipc::last_errno_text(), ")");
  anim_connected_ = false;
  anim_socket_.disconnect();
  to_anim_queue_.clear();
  // What it held of the agent's is gone with it; the agent must not wait for
  // its end. (Its restart, seen after this, finds us no longer connected and
  // so cannot tell the agent itself.)
  router_.forget_everything_of_agent();
}

void AnimBridge::flush(DatagramQueue& queue, ipc::UnixDatagramSocket& socket, bool to_engine) {
  while (!queue.empty()) {
    const ipc::SendOutcome outcome = socket.send(queue.front_bytes(), queue.front_size());
    if (outcome == ipc::SendOutcome::kWouldBlock) return;
    if (outcome != ipc::SendOutcome::kSent) {
      queue.clear();
      peer_gone(to_engine);
      return;
    }
    queue.pop();
  }
}

bool AnimBridge::inject_to_anim(const std::uint8_t* bytes, std::size_t size) {
  // Never queued: the engine's own traffic keeps the queue to itself.
  if (!anim_connected_ || !to_anim_queue_.empty()) {
    ++counters_.dropped_agent;
    return false;
  }
  if (anim_socket_.send(bytes, size) != ipc::SendOutcome::kSent) {
    ++counters_.dropped_agent;
    return false;
  }
  return true;
}

bool AnimBridge::queue_to_anim(const std::uint8_t* bytes, std::size_t size) {
  if (anim_connected_ && deliver(anim_socket_, to_anim_queue_, bytes, size, false)) return true;
  ++counters_.dropped_agent;
  return false;
}

void AnimBridge::tell_agent(const channel::Event& event) {
  if (agent_event_sink_) agent_event_sink_(event);
}

void AnimBridge::on_tick(std::uint64_t now_ms) {
  now_ms_ = now_ms;
  router_.on_tick(now_ms);
  if (!anim_connected_ && interposed() && now_ms - last_anim_attempt_ms_ >= kAnimRetryMs) connect_to_anim();
  // Directory events can be missed (an overflowed inotify queue); a slow
  // look costs two lstat() calls.
  if (now_ms - last_directory_look_ms_ >= kDirectoryLookMs) {
    last_directory_look_ms_ = now_ms;
    on_directory_change("");
  }
}

void AnimBridge::restore() {
  interposer_.restore();
  ::unlink(our_client_path_.c_str());
}

}  // namespace vic_r1::bridge
