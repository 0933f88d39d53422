#include "agent/runtime/robot_channel.h"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace vic_r1::runtime {

namespace asio = boost::asio;

RobotChannel::RobotChannel(asio::io_context& io, int fd, logging::Logger& log, EventHandler on_event,
                           ClosedHandler on_closed)
    : descriptor_(io, fd),
      heartbeat_(io),
      log_(log),
      on_event_(std::move(on_event)),
      on_closed_(std::move(on_closed)) {}

RobotChannel::~RobotChannel() {
  boost::system::error_code ignored;
  descriptor_.close(ignored);
}

void RobotChannel::start() {
  beat();
  wait_readable();
}

void RobotChannel::wait_readable() {
  descriptor_.async_wait(asio::posix::descriptor_base::wait_read, [this](const boost::system::error_code& ec) {
    if (ec || closed_) return;
    read_all();
    if (!closed_) wait_readable();
  });
}

void RobotChannel::read_all() {
  for (;;) {
    const ssize_t size = ::recv(descriptor_.native_handle(), packet_.data(), packet_.size(), MSG_DONTWAIT);
    if (size < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      close(std::strerror(errno));
      return;
    }
    if (size == 0) {
      close("the bridge closed the channel");
      return;
    }
    channel::Event event;
    const char* error = nullptr;
    if (!channel::decode_event(packet_.data(), static_cast<std::size_t>(size), event, error)) {
      log_.warning("unreadable event from the bridge: ", error);
      continue;
    }
    on_event_(event);
    if (closed_) return;
  }
}

void RobotChannel::send(const channel::Command& command) {
  if (closed_) return;
  std::size_t size = 0;
  const char* error = nullptr;
  if (!channel::encode_command(command, encoded_.data(), encoded_.size(), size, error)) {
    log_.warning("a command was not sent (kind ", static_cast<int>(command.kind), "): ", error);
    return;
  }
  if (queued_.empty()) {
    const ssize_t sent = ::send(descriptor_.native_handle(), encoded_.data(), size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent == static_cast<ssize_t>(size)) return;
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      close(std::strerror(errno));
      return;
    }
  }
  if (queued_.size() >= kMaxQueuedCommands) {
    // The bridge reads its channel every loop; a queue this long means it
    // is not reading at all, and its supervisor will act on that.
    if (dropped_commands_++ == 0) log_.warning("the bridge is not reading its channel: dropping commands");
    return;
  }
  queued_.emplace_back(encoded_.begin(), encoded_.begin() + static_cast<std::ptrdiff_t>(size));
  wait_writable();
}

void RobotChannel::wait_writable() {
  if (waiting_writable_) return;
  waiting_writable_ = true;
  descriptor_.async_wait(asio::posix::descriptor_base::wait_write, [this](const boost::system::error_code& ec) {
    waiting_writable_ = false;
    if (ec || closed_) return;
    flush();
  });
}

void RobotChannel::flush() {
  while (!queued_.empty()) {
    const std::vector<std::uint8_t>& packet = queued_.front();
    const ssize_t sent =
        ::send(descriptor_.native_handle(), packet.data(), packet.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      wait_writable();
      return;
    }
    if (sent < 0) {
      close(std::strerror(errno));
      return;
    }
    queued_.pop_front();
  }
}

// A heartbeat each second, by the clock: a steady stream of events that
// need no answer must not make the agent look hung, and a blocked event
// loop must.
void RobotChannel::beat() {
  channel::Command heartbeat;
  heartbeat.kind = channel::CommandKind::kHeartbeat;
  send(heartbeat);
  heartbeat_.expires_after(std::chrono::seconds(1));
  heartbeat_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || closed_) return;
    beat();
  });
}

void RobotChannel::close(const char* why) {
  if (closed_) return;
  closed_ = true;
  heartbeat_.cancel();
  boost::system::error_code ignored;
  descriptor_.cancel(ignored);
  on_closed_(why);
}

}  // namespace vic_r1::runtime
