#pragma once

#include <ctime>

namespace vic_r1::platform {

// vic-r1 was made after this moment (2026-01-01T00:00:00Z): a wall clock
// before it has not been set since the robot started (Vector has no
// real-time clock and keeps no time while off), and no certificate verifies
// against it.
inline constexpr std::time_t kEarliestPlausibleTime = 1767225600;

// Seconds since the epoch, as certificates are checked against.
std::time_t wall_clock_now();

// Where code that checks the wall clock takes it from, so tests can pass
// one that has not been set.
using WallClock = std::time_t (*)();

inline bool wall_clock_is_set(std::time_t now) { return now >= kEarliestPlausibleTime; }

}  // namespace vic_r1::platform
