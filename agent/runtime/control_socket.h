#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "agent/orchestrator/answer_orchestrator.h"
#include "platform/log/logger.h"

namespace vic_r1::runtime {

// Where the control socket lives: beside the robot's own sockets, which are
// root's. Nothing listens on the network.
inline constexpr std::string_view kControlSocketName = "vic-r1.control";

// The agent's control socket, for debugging over SSH: `vic-r1 status` and
// `vic-r1 ask "question"` talk to it. A Unix stream socket, mode 0600, and
// a peer whose uid is neither root nor the agent's own is refused (checked
// with SO_PEERCRED on every connection, as a mode alone can be changed).
//
// One request per connection, one line of text:
//   status | status --json   -> the status, then the connection closes
//   ask QUESTION             -> "say: SENTENCE" as Vector speaks each one,
//                               then "done: OUTCOME", then it closes
// A request must arrive within 5 s and fit in 4 KiB.
class ControlSocket {
 public:
  using StatusSource = std::function<std::string(bool json)>;

  ControlSocket(boost::asio::io_context& io, std::string path, orchestrator::AnswerOrchestrator& orchestrator,
                StatusSource status, logging::Logger& log);
  ~ControlSocket();
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

  // Binds and listens; false (logged) when it cannot, and the agent goes on
  // without a control socket.
  bool open();

  class Session;  // one connection (control_socket.cpp)

 private:
  void accept();

  std::string path_;
  orchestrator::AnswerOrchestrator& orchestrator_;
  StatusSource status_;
  logging::Logger& log_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace vic_r1::runtime
