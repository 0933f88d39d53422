#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vic_r1::process {

// Tells systemd how the service is doing, by its notification protocol
// (sd_notify(3)): one datagram of "KEY=value" lines to the socket named in
// $NOTIFY_SOCKET. With Type=notify, units ordered after vic-r1 (vic-engine)
// start only once it sends READY=1. Without $NOTIFY_SOCKET (started by
// hand, or by a unit of another type) every call does nothing.
//
// The socket is systemd's, not one of the robot's: it is not a LocalUdpServer
// and needs no bound sender. Sends never block and never fail loudly: a
// missing notification delays a start, it never stops the bridge.
class ServiceNotifier {
 public:
  // Reads $NOTIFY_SOCKET (a path, or an abstract name starting with '@').
  static ServiceNotifier from_environment();
  explicit ServiceNotifier(std::string socket_path) : socket_path_(std::move(socket_path)) {}

  bool enabled() const { return !socket_path_.empty(); }

  // READY=1 with a STATUS line; once: later calls send STATUS only.
  void ready(std::string_view status);
  void status(std::string_view status);
  void stopping(std::string_view status);

  bool ready_sent() const { return ready_sent_; }
  std::uint64_t failed_sends() const { return failed_sends_; }

 private:
  void send(std::string_view first_line, std::string_view status);

  std::string socket_path_;
  bool ready_sent_ = false;
  std::uint64_t failed_sends_ = 0;
};

}  // namespace vic_r1::process
