#include "platform/process/service_notifier.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace vic_r1::process {

ServiceNotifier ServiceNotifier::from_environment() {
  const char* path = std::getenv("NOTIFY_SOCKET");
  return ServiceNotifier(path != nullptr ? path : "");
}

void ServiceNotifier::ready(std::string_view status) {
  if (ready_sent_) {
    send("", status);
    return;
  }
  ready_sent_ = true;
  send("READY=1", status);
}

void ServiceNotifier::status(std::string_view status) { send("", status); }

void ServiceNotifier::stopping(std::string_view status) { send("STOPPING=1", status); }

void ServiceNotifier::send(std::string_view first_line, std::string_view status) {
  if (socket_path_.empty()) return;
  sockaddr_un address;
  std::memset(&address, 0, sizeof(address));
  address.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(address.sun_path)) {
    ++failed_sends_;
    return;
  }
  std::memcpy(address.sun_path, socket_path_.data(), socket_path_.size());
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
  if (address.sun_path[0] == '@') {
    address.sun_path[0] = '\0';  // an abstract socket: no NUL at the end, counted exactly
  } else {
    ++length;
  }
  // "READY=1\nSTATUS=...": built in a fixed buffer, cut if the status is long.
  char message[512];
  std::size_t size = 0;
  const auto put = [&](std::string_view piece) {
    const std::size_t room = sizeof(message) - size;
    const std::size_t count = piece.size() < room ? piece.size() : room;
    std::memcpy(message + size, piece.data(), count);
    size += count;
  };
  if (!first_line.empty()) {
    put(first_line);
    put("\n");
  }
  put("STATUS=");
  for (char c : status) put(c == '\n' ? std::string_view(" ") : std::string_view(&c, 1));
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ++failed_sends_;
    return;
  }
  if (::sendto(fd, message, size, MSG_DONTWAIT | MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&address),
               length) < 0)
    ++failed_sends_;
  ::close(fd);
}

}  // namespace vic_r1::process
