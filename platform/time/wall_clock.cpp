#include "platform/time/wall_clock.h"

#include <chrono>
#include <cstdlib>

namespace vic_r1::platform {
namespace {

const auto kProcessStart = std::chrono::steady_clock::now();

// The whole-program tests (the fault matrix's "clock unset at boot") run on
// a machine whose clock is right, and a process's wall clock cannot be set
// apart from the machine's. VIC_R1_CLOCK_UNSET_FOR_MS=N makes this process's
// wall clock read as never set for its first N ms, as on a robot that has
// just booted without network time. It can only move the clock back to the
// epoch, never forward, so it cannot make an expired certificate pass; and
// the handshake's own certificate dates come from Mbed TLS's time(), not
// from here.
long long clock_unset_for_ms() {
  static const long long unset_ms = [] {
    const char* text = std::getenv("VIC_R1_CLOCK_UNSET_FOR_MS");
    if (text == nullptr) return 0LL;
    char* end = nullptr;
    const long long value = std::strtoll(text, &end, 10);
    return (end != text && *end == '\0' && value > 0) ? value : 0LL;
  }();
  return unset_ms;
}

}  // namespace

std::time_t wall_clock_now() {
  const long long unset_ms = clock_unset_for_ms();
  if (unset_ms > 0) {
    const auto since_start = std::chrono::steady_clock::now() - kProcessStart;
    if (std::chrono::duration_cast<std::chrono::milliseconds>(since_start).count() < unset_ms) return 0;
  }
  return std::time(nullptr);
}

}  // namespace vic_r1::platform
