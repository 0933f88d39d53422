#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vic_r1::bridge {

// What to do when vic-r1.service has failed (crashed, killed, or exited
// with an error): its OnFailure= unit runs `vic-r1 recover`.
//
// If vic-r1 had stood between vic-engine and vic-anim, they are now cut
// apart: vic-engine exits on its next send to the vanished socket
// (robotConnectionManager.cpp:66-69, cozmoEngine.cpp:478-482), vic-cloud
// stays connected to a dead ai_sock and never reconnects (vector-cloud
// cloud/main.go:33-43, 112-115), and vic-anim shows fault 915 five seconds
// later (animProcessMessages.cpp:860-898), which the firmware answers only
// with `systemctl restart anki-robot.target` 30 s after that, and not at all
// in its development builds (fault-code-handler, ON_FAULT_RESTART). So
// vic-r1 restarts the robot's processes itself, at once: vic-anim, vic-r1,
// vic-engine and vic-cloud come back in the units' order, before the fault
// shows, and vic-gateway and vic-switchboard, which also connect to the
// engine only once, come back with them.
//
// A vic-r1 that fails again and again must not keep the robot rebooting its
// processes: after kMaxFailures within kFailureWindowS it is masked for the
// rest of this boot (systemctl mask --runtime) and the robot runs without it.
struct RecoveryPlan {
  bool restart_robot = false;      // systemctl restart --no-block anki-robot.target
  bool give_up_on_vic_r1 = false;  // first: systemctl mask --runtime vic-r1.service
  std::string explanation;
};

inline constexpr int kMaxFailures = 3;
inline constexpr std::uint64_t kFailureWindowS = 600;

// `was_between`: vic-anim's socket is still moved aside, so vic-r1 had taken
// its path and nobody put it back. `failures_s`: this boot's failures,
// oldest first, in seconds since boot, this one included.
RecoveryPlan plan_recovery(bool was_between, const std::vector<std::uint64_t>& failures_s);

// The failure record in `path` (one number per line: seconds since boot),
// with `now_s` appended and only the latest few kept; written back. A file
// that cannot be read starts a new record.
std::vector<std::uint64_t> record_failure(const std::string& path, std::uint64_t now_s, std::string& error);

}  // namespace vic_r1::bridge
