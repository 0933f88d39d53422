#include "drivers/bridge/interposition_wait.h"

#include <sys/stat.h>
#include <time.h>

#include "drivers/bridge/anim_bridge.h"
#include "drivers/bridge/intent_tap.h"
#include "drivers/ipc/socket_interposer.h"
#include "platform/time/monotonic_clock.h"

namespace vic_r1::bridge {
namespace {

constexpr long kLookEveryMs = 20;

bool same_file(const std::string& a, const std::string& b) {
  struct stat first;
  struct stat second;
  return ::lstat(a.c_str(), &first) == 0 && ::lstat(b.c_str(), &second) == 0 && first.st_dev == second.st_dev &&
         first.st_ino == second.st_ino;
}

}  // namespace

InterpositionWait wait_for_interposition(const std::string& socket_directory, std::string_view public_name,
                                         std::uint64_t timeout_ms) {
  std::string_view ours;
  if (public_name == IntentTap::kSocketName) {
    ours = IntentTap::kTapName;
  } else if (public_name == AnimBridge::kServerName) {
    ours = AnimBridge::kOurServerName;
  } else {
    return InterpositionWait::kUnknownSocket;
  }
  const std::string public_path = socket_directory + "/" + std::string(public_name);
  const std::string our_path = socket_directory + "/" + std::string(ours);
  const std::uint64_t give_up_at = platform::monotonic_ms() + timeout_ms;
  for (;;) {
    if (same_file(public_path, our_path)) return InterpositionWait::kTaken;
    if (!ipc::SocketInterposer::socket_is_live(our_path)) return InterpositionWait::kNoBridge;
    if (platform::monotonic_ms() >= give_up_at) return InterpositionWait::kTimedOut;
    const timespec pause{0, kLookEveryMs * 1000 * 1000};
    ::nanosleep(&pause, nullptr);
  }
}

}  // namespace vic_r1::bridge
