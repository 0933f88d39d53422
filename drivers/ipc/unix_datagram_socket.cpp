#include "drivers/ipc/unix_datagram_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vic_r1::ipc {
namespace {

bool make_address(const std::string& path, sockaddr_un& address, socklen_t& length) {
  std::memset(&address, 0, sizeof(address));
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, path.data(), path.size());
  length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return true;
}

std::string describe(const char* what, const std::string& path, int error_number) {
  std::string text = what;
  if (!path.empty()) text += " " + path;
  text += ": ";
  text += std::strerror(error_number);
  return text;
}

SendOutcome classify_send_error(int error_number) {
  switch (error_number) {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case ENOBUFS:
      return SendOutcome::kWouldBlock;
    case ECONNREFUSED:
    case ENOENT:
    case ENOTCONN:
    case ECONNRESET:
      return SendOutcome::kPeerGone;
    case EPERM:
      return SendOutcome::kRefused;
    default:
      return SendOutcome::kFailed;
  }
}

}  // namespace

UnixDatagramSocket::~UnixDatagramSocket() { close(); }

UnixDatagramSocket::UnixDatagramSocket(UnixDatagramSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

UnixDatagramSocket& UnixDatagramSocket::operator=(UnixDatagramSocket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

bool UnixDatagramSocket::open(std::string& error) {
  close();
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error = describe("socket(AF_UNIX, SOCK_DGRAM)", "", errno);
    return false;
  }
  const int size = kRobotSocketBufferBytes;
  if (::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) != 0 ||
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) != 0) {
    error = describe("setsockopt(SO_SNDBUF/SO_RCVBUF)", "", errno);
    close();
    return false;
  }
  return true;
}

bool UnixDatagramSocket::bind(const std::string& path, std::string& error) {
  sockaddr_un address;
  socklen_t length = 0;
  if (!make_address(path, address, length)) {
    error = "socket path too long: " + path;
    return false;
  }
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    last_error_ = errno;
    error = describe("bind", path, last_error_);
    return false;
  }
  return true;
}

bool UnixDatagramSocket::connect(const std::string& path, std::string& error) {
  sockaddr_un address;
  socklen_t length = 0;
  if (!make_address(path, address, length)) {
    error = "socket path too long: " + path;
    return false;
  }
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    last_error_ = errno;
    error = describe("connect", path, last_error_);
    return false;
  }
  return true;
}

void UnixDatagramSocket::disconnect() {
  sockaddr address;
  std::memset(&address, 0, sizeof(address));
  address.sa_family = AF_UNSPEC;
  // Cannot fail in a way that matters: an unconnected socket stays so.
  (void)::connect(fd_, &address, sizeof(address));
}

ssize_t UnixDatagramSocket::receive(std::uint8_t* buffer, std::size_t capacity, std::string* sender) {
  sockaddr_un address;
  socklen_t length = sizeof(address);
  for (;;) {
    // MSG_TRUNC makes the kernel return the datagram's real size, so a cut
    // one is noticed instead of forwarded short without a word.
    const ssize_t size =
        ::recvfrom(fd_, buffer, capacity, MSG_TRUNC, reinterpret_cast<sockaddr*>(&address), &length);
    if (size < 0 && errno == EINTR) continue;
    if (size < 0) return -1;
    if (sender != nullptr) {
      sender->clear();
      if (length > offsetof(sockaddr_un, sun_path) && address.sun_path[0] != '\0')
        sender->assign(address.sun_path, strnlen(address.sun_path, length - offsetof(sockaddr_un, sun_path)));
    }
    return size;
  }
}

SendOutcome UnixDatagramSocket::send(const std::uint8_t* bytes, std::size_t size) {
  for (;;) {
    if (::send(fd_, bytes, size, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return SendOutcome::kSent;
    if (errno != EINTR) return classify_send_error(errno);
  }
}

SendOutcome UnixDatagramSocket::send_to(const std::string& path, const std::uint8_t* bytes, std::size_t size) {
  sockaddr_un address;
  socklen_t length = 0;
  if (!make_address(path, address, length)) return SendOutcome::kFailed;
  for (;;) {
    if (::sendto(fd_, bytes, size, MSG_DONTWAIT | MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&address),
                 length) >= 0)
      return SendOutcome::kSent;
    if (errno != EINTR) return classify_send_error(errno);
  }
}

void UnixDatagramSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string last_errno_text() { return std::strerror(errno); }

}  // namespace vic_r1::ipc
