#include "agent/runtime/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vic_r1::runtime {
namespace {

using Clock = std::chrono::steady_clock;

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

int milliseconds_left(Clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

}  // namespace

std::string exchange_with_agent(const std::string& socket_path, std::string_view request,
                                std::chrono::milliseconds deadline,
                                const std::function<void(std::string_view line)>& on_line) {
  const Clock::time_point until = Clock::now() + deadline;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof address.sun_path)
    return "the control socket's path is too long: " + socket_path;
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);

  Descriptor socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.get() < 0) return std::string("cannot make a socket: ") + std::strerror(errno);
  if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    std::string why = "cannot reach the agent at " + socket_path + ": " + std::strerror(error);
    if (error == ENOENT || error == ECONNREFUSED) {
      why += " (is vic-r1 running? `systemctl status vic-r1`; its log says why the agent is not)";
    } else if (error == EACCES) {
      why += " (run it as root)";
    }
    return why;
  }
  std::string line(request);
  line += "\n";
  if (::send(socket.get(), line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    return std::string("cannot send to the agent: ") + std::strerror(errno);
  }

  std::string pending;
  char buffer[4096];
  for (;;) {
    pollfd readable{socket.get(), POLLIN, 0};
    const int ready = ::poll(&readable, 1, milliseconds_left(until));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return std::string("waiting for the agent failed: ") + std::strerror(errno);
    if (ready == 0) return "the agent did not finish answering within " + std::to_string(deadline.count()) + " ms";
    const ssize_t size = ::recv(socket.get(), buffer, sizeof buffer, 0);
    if (size < 0 && errno == EINTR) continue;
    if (size < 0) return std::string("reading from the agent failed: ") + std::strerror(errno);
    if (size == 0) break;
    pending.append(buffer, static_cast<std::size_t>(size));
    std::size_t end = 0;
    while ((end = pending.find('\n')) != std::string::npos) {
      on_line(std::string_view(pending).substr(0, end));
      pending.erase(0, end + 1);
    }
  }
  if (!pending.empty()) on_line(pending);
  return {};
}

}  // namespace vic_r1::runtime
