#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace vic_r1::ipc {

// The outcome of one non-blocking send. The bridge never waits: a full peer
// queue is reported, not slept on.
enum class SendOutcome {
  kSent,
  kWouldBlock,  // the peer's queue is full (EAGAIN)
  kPeerGone,    // nobody is bound or connected there any more (ECONNREFUSED, ENOENT, ENOTCONN)
  kRefused,     // the peer is connected to someone else (EPERM): one client per server
  kFailed,      // anything else; errno_text() says what
};

// One AF_UNIX SOCK_DGRAM socket with the robot's settings: non-blocking,
// close-on-exec (the agent child must not inherit the robot's sockets), and
// 256 KiB send and receive buffers as vic-anim and vic-engine use.
class UnixDatagramSocket {
 public:
  static constexpr int kRobotSocketBufferBytes = 256 * 1024;

  UnixDatagramSocket() = default;
  ~UnixDatagramSocket();
  UnixDatagramSocket(UnixDatagramSocket&& other) noexcept;
  UnixDatagramSocket& operator=(UnixDatagramSocket&& other) noexcept;
  UnixDatagramSocket(const UnixDatagramSocket&) = delete;
  UnixDatagramSocket& operator=(const UnixDatagramSocket&) = delete;

  // Each returns false and sets `error` (naming the path and errno);
  // last_error() then holds the errno.
  bool open(std::string& error);
  bool bind(const std::string& path, std::string& error);
  bool connect(const std::string& path, std::string& error);
  // Back to unconnected (connect with AF_UNSPEC), so any sender is heard.
  void disconnect();

  // Receives one datagram into `buffer`. Returns its full size (which may
  // exceed `capacity`: then it was cut), 0 for an empty one, -1 when nothing
  // is waiting. `sender` (optional) gets the sender's bound path, empty if
  // it has none.
  ssize_t receive(std::uint8_t* buffer, std::size_t capacity, std::string* sender = nullptr);

  SendOutcome send(const std::uint8_t* bytes, std::size_t size);
  SendOutcome send_to(const std::string& path, const std::uint8_t* bytes, std::size_t size);

  int fd() const { return fd_; }
  int last_error() const { return last_error_; }
  bool is_open() const { return fd_ >= 0; }
  void close();

 private:
  int fd_ = -1;
  int last_error_ = 0;
};

// strerror text for the last failed send, for logs.
std::string last_errno_text();

}  // namespace vic_r1::ipc
