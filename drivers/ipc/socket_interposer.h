#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace vic_r1::ipc {

// Puts a socket of ours at a path where one of the robot's processes bound
// its server, the way Vector's add-ons get between two processes: the
// firmware's socket file is renamed aside (the socket stays bound to its
// inode, so whoever is connected to it keeps working), and a hard link to our
// socket, bound under a private name, takes its place. Linking instead of
// binding at the public path means we can put ourselves back each time the
// firmware process restarts and binds there again, without a new socket.
class SocketInterposer {
 public:
  enum class State {
    kWaiting,     // the firmware has not bound the public path yet
    kInterposed,  // the public path is ours, the firmware's socket is aside
    kFailed,      // a filesystem call failed; error() says which and why
  };

  // public_path: where the firmware bound (e.g. /dev/socket/ai_sock).
  // aside_path: where its socket is moved (public_path + ".vic-engine").
  // our_path: our socket's private name (bound by the caller).
  SocketInterposer(std::string public_path, std::string aside_path, std::string our_path);

  // Looks at the public path and takes it when the firmware's socket is
  // there. Safe to call on every change in the directory: it does nothing
  // when the path is already ours. `moved_firmware_socket` is set when a
  // (new) firmware socket was moved aside this time, i.e. the firmware
  // process (re)started and whoever talks to it must reconnect.
  //
  // A public file nobody is bound to is taken as stale (ours from an earlier
  // run, or a dead process's) only when it is still so, same inode, after
  // kStaleAfterMs: the kernel creates the file of a bind() a moment before
  // the socket can be reached through it, and a process binding just then
  // must not lose its socket.
  State update(bool& moved_firmware_socket, std::uint64_t now_ms);

  static constexpr std::uint64_t kStaleAfterMs = 500;

  // Undo at exit: our link removed, the firmware's socket put back, so the
  // robot works as if we had never been there once its clients reconnect.
  void restore();

  State state() const { return state_; }
  const std::string& error() const { return error_; }
  const std::string& public_path() const { return public_path_; }
  const std::string& aside_path() const { return aside_path_; }

  // True when something is bound to the socket at `path` (a connect() of a
  // throw-away socket succeeds or is refused with EPERM because the server
  // is connected to its one client); false for a stale file or none.
  static bool socket_is_live(const std::string& path);

 private:
  bool public_path_is_ours(bool& exists) const;

  std::string public_path_;
  std::string aside_path_;
  std::string our_path_;
  State state_ = State::kWaiting;
  std::string error_;
  ino_t suspect_inode_ = 0;  // a public file seen with nobody bound to it
  std::uint64_t suspect_since_ms_ = 0;
};

// Gives `path` the mode and owner of `model` (the firmware's socket file), so
// exactly the users who could connect to the firmware's socket can connect to
// ours. Ownership changes need root; elsewhere (tests) only the mode is copied.
bool copy_socket_permissions(const std::string& model, const std::string& path, std::string& error);

}  // namespace vic_r1::ipc
