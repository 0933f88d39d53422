#pragma once

#include <cstdint>

namespace vic_r1::platform {

// Milliseconds on the monotonic clock: what every deadline and rate in
// vic-r1 is measured with. The robot has no real-time clock, and its wall
// clock jumps when it is first set after boot; this one never does.
std::uint64_t monotonic_ms();

// Where code that measures time takes it from, so tests can pass their own.
using MonotonicClock = std::uint64_t (*)();

}  // namespace vic_r1::platform
