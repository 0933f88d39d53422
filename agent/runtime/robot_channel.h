#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/orchestrator/robot_port.h"
#include "drivers/channel/agent_channel_messages.h"
#include "platform/log/logger.h"

namespace vic_r1::runtime {

// The agent's end of the channel to the bridge (a SOCK_SEQPACKET socket the
// bridge passed as fd 3), on the agent's io_context: events in, commands out,
// and a heartbeat every second so the bridge's supervisor can tell a live
// agent from a hung one. Never blocks: a command the socket cannot take now
// waits in a bounded queue.
class RobotChannel final : public orchestrator::RobotPort {
 public:
  using EventHandler = std::function<void(const channel::Event&)>;
  using ClosedHandler = std::function<void(const char* why)>;

  RobotChannel(boost::asio::io_context& io, int fd, logging::Logger& log, EventHandler on_event,
               ClosedHandler on_closed);
  ~RobotChannel() override;

  void start();
  void send(const channel::Command& command) override;

 private:
  void wait_readable();
  void read_all();
  void wait_writable();
  void flush();
  void beat();
  void close(const char* why);

  static constexpr std::size_t kMaxQueuedCommands = 1024;

  boost::asio::posix::stream_descriptor descriptor_;
  boost::asio::steady_timer heartbeat_;
  logging::Logger& log_;
  EventHandler on_event_;
  ClosedHandler on_closed_;
  std::deque<std::vector<std::uint8_t>> queued_;
  bool waiting_writable_ = false;
  bool closed_ = false;
  std::uint64_t dropped_commands_ = 0;
  std::vector<std::uint8_t> packet_ = std::vector<std::uint8_t>(channel::kMaxChannelMessageBytes);
  std::vector<std::uint8_t> encoded_ = std::vector<std::uint8_t>(channel::kMaxChannelMessageBytes);
};

}  // namespace vic_r1::runtime
