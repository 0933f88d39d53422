// Standard and project headers before CppUTest's (its macros must not reach them).
#include <cstdint>

#include "platform/process/restart_backoff.h"

#include <CppUTest/TestHarness.h>

using vic_r1::process::RestartBackoff;

namespace {

constexpr std::uint64_t kFirstDelayMs = 1000;
constexpr std::uint64_t kMaxDelayMs = 30000;
constexpr std::uint64_t kStableAfterMs = 60000;

}  // namespace

TEST_GROUP(RestartBackoff) {
  RestartBackoff backoff{kFirstDelayMs, kMaxDelayMs, kStableAfterMs};
  std::uint64_t now_ms = 5000;

  // The child starts at `now_ms`, runs `run_ms` and crashes: returns how long
  // it must wait before its next start, and moves the clock to that start.
  std::uint64_t crash_after(std::uint64_t run_ms) {
    backoff.on_started(now_ms);
    now_ms += run_ms;
    const std::uint64_t restart_at = backoff.on_ended(now_ms);
    const std::uint64_t delay = restart_at - now_ms;
    now_ms = restart_at;
    return delay;
  }
};

TEST(RestartBackoff, FirstRestartIsImmediate) {
  backoff.on_started(5000);
  UNSIGNED_LONGS_EQUAL(5100, backoff.on_ended(5100));
}

TEST(RestartBackoff, SecondRestartWaitsTheFirstDelay) {
  UNSIGNED_LONGS_EQUAL(0, crash_after(100));
  UNSIGNED_LONGS_EQUAL(kFirstDelayMs, crash_after(100));
}

TEST(RestartBackoff, DelayDoublesAndStopsAtTheCeiling) {
  const std::uint64_t expected[] = {0, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
  for (const std::uint64_t delay : expected) UNSIGNED_LONGS_EQUAL(delay, crash_after(10));
}

TEST(RestartBackoff, StableRunStartsTheStepsAgain) {
  for (int crash = 0; crash < 8; ++crash) crash_after(10);
  UNSIGNED_LONGS_EQUAL(0, crash_after(kStableAfterMs));
  UNSIGNED_LONGS_EQUAL(kFirstDelayMs, crash_after(10));
  UNSIGNED_LONGS_EQUAL(2 * kFirstDelayMs, crash_after(10));
}

TEST(RestartBackoff, RunJustShortOfStableKeepsBackingOff) {
  crash_after(10);
  crash_after(10);
  UNSIGNED_LONGS_EQUAL(2 * kFirstDelayMs, crash_after(kStableAfterMs - 1));
}

TEST(RestartBackoff, FirstDelayAboveTheCeilingIsCapped) {
  RestartBackoff capped(50000, kMaxDelayMs, kStableAfterMs);
  capped.on_started(0);
  UNSIGNED_LONGS_EQUAL(10, capped.on_ended(10));
  capped.on_started(10);
  UNSIGNED_LONGS_EQUAL(20 + kMaxDelayMs, capped.on_ended(20));
}
