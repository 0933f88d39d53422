#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vic_r1::bridge {

enum class InterpositionWait {
  kTaken,     // the public path is vic-r1's socket
  kNoBridge,  // vic-r1 is not running: no point in waiting
  kTimedOut,  // vic-r1 runs but has not taken the path in time
  kUnknownSocket,
};

// Waits until vic-r1 holds one of the robot's socket paths ("ai_sock" or
// "_engine_anim_server_0") in `socket_directory`: the public path is then a
// link to vic-r1's own socket (same inode). For vic-cloud's unit
// (ExecStartPre), because vic-cloud connects to ai_sock once and never again
// (vector-cloud cloud/main.go:33-43, 112-115): started before vic-r1 takes
// the path, it would talk to vic-engine directly until it restarts.
//
// Fail-open: when vic-r1 is not running (its own socket is not live), it
// returns at once, and never waits longer than `timeout_ms`.
InterpositionWait wait_for_interposition(const std::string& socket_directory, std::string_view public_name,
                                         std::uint64_t timeout_ms);

}  // namespace vic_r1::bridge
