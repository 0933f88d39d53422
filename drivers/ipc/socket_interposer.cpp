#include "drivers/ipc/socket_interposer.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vic_r1::ipc {
namespace {

std::string describe(const char* what, const std::string& path, int error_number) {
  return std::string(what) + " " + path + ": " + std::strerror(error_number);
}

}  // namespace

SocketInterposer::SocketInterposer(std::string public_path, std::string aside_path, std::string our_path)
    : public_path_(std::move(public_path)), aside_path_(std::move(aside_path)), our_path_(std::move(our_path)) {}

bool SocketInterposer::public_path_is_ours(bool& exists) const {
  struct stat public_stat;
  struct stat our_stat;
  exists = ::lstat(public_path_.c_str(), &public_stat) == 0;
  if (!exists) return false;
  if (::lstat(our_path_.c_str(), &our_stat) != 0) return false;
  return public_stat.st_dev == our_stat.st_dev && public_stat.st_ino == our_stat.st_ino;
}

SocketInterposer::State SocketInterposer::update(bool& moved_firmware_socket, std::uint64_t now_ms) {
  moved_firmware_socket = false;
  bool exists = false;
  if (public_path_is_ours(exists)) {
    state_ = State::kInterposed;
    return state_;
  }
  if (!exists) {
    // Not bound yet (or the firmware is between its unlink and its bind).
    if (state_ != State::kFailed) state_ = State::kWaiting;
    return state_;
  }
  if (!socket_is_live(public_path_)) {
    struct stat public_stat;
    if (::lstat(public_path_.c_str(), &public_stat) != 0) return state_;
    if (public_stat.st_ino != suspect_inode_) {
      suspect_inode_ = public_stat.st_ino;
      suspect_since_ms_ = now_ms;
    }
    if (now_ms - suspect_since_ms_ < kStaleAfterMs) {
      if (state_ != State::kFailed) state_ = State::kWaiting;
      return state_;
    }
    // A stale file: ours from an earlier run, or a dead firmware process's.
    // Whatever is aside (if live) is still the firmware's real socket.
    suspect_inode_ = 0;
    if (::unlink(public_path_.c_str()) != 0 && errno != ENOENT) {
      error_ = describe("unlink stale socket", public_path_, errno);
      state_ = State::kFailed;
      return state_;
    }
    if (!socket_is_live(aside_path_)) {
      state_ = State::kWaiting;
      return state_;
    }
  } else {
    // rename() replaces a stale aside file atomically.
    if (::rename(public_path_.c_str(), aside_path_.c_str()) != 0) {
      error_ = describe("rename", public_path_, errno) + " -> " + aside_path_;
      state_ = State::kFailed;
      return state_;
    }
    moved_firmware_socket = true;
  }
  if (!copy_socket_permissions(aside_path_, our_path_, error_)) {
    state_ = State::kFailed;
    return state_;
  }
  if (::link(our_path_.c_str(), public_path_.c_str()) != 0) {
    if (errno == EEXIST) {
      // The firmware bound again in between; the next directory event
      // brings us back here.
      state_ = State::kWaiting;
      return state_;
    }
    error_ = describe("link", our_path_, errno) + " -> " + public_path_;
    state_ = State::kFailed;
    return state_;
  }
  error_.clear();
  state_ = State::kInterposed;
  return state_;
}

void SocketInterposer::restore() {
  bool exists = false;
  if (public_path_is_ours(exists)) {
    ::unlink(public_path_.c_str());
    if (socket_is_live(aside_path_)) ::rename(aside_path_.c_str(), public_path_.c_str());
  }
  ::unlink(our_path_.c_str());
  state_ = State::kWaiting;
}

bool SocketInterposer::socket_is_live(const std::string& path) {
  sockaddr_un address;
  std::memset(&address, 0, sizeof(address));
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, path.data(), path.size());
  const int probe = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  // connect() sends nothing, so the probe never becomes anyone's client.
  const int result = ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  const int error_number = errno;
  ::close(probe);
  return result == 0 || error_number == EPERM;
}

bool copy_socket_permissions(const std::string& model, const std::string& path, std::string& error) {
  struct stat model_stat;
  if (::stat(model.c_str(), &model_stat) != 0) {
    error = describe("stat", model, errno);
    return false;
  }
  if (::chmod(path.c_str(), model_stat.st_mode & 07777) != 0) {
    error = describe("chmod", path, errno);
    return false;
  }
  if (::geteuid() == 0 && ::chown(path.c_str(), model_stat.st_uid, model_stat.st_gid) != 0) {
    error = describe("chown", path, errno);
    return false;
  }
  return true;
}

}  // namespace vic_r1::ipc
