#pragma once

#include <cstdint>

namespace vic_r1::bridge {

// Turns RobotState's raw backpack touch reading (33 Hz) into "the back was
// touched" edges. vic-engine does the same from the same field: a touch is a
// rise of about 50 over a slowly tracked baseline. Hysteresis keeps a noisy
// touch from firing twice; the baseline only follows the signal while it is
// untouched, so a long touch does not become the new normal.
class BackTouchDetector {
 public:
  explicit BackTouchDetector(int rise_to_touch = 50, int fall_to_release = 30)
      : rise_to_touch_(rise_to_touch), fall_to_release_(fall_to_release) {}

  // Returns true on the sample where a touch begins.
  bool feed(std::uint16_t raw);

  bool touched() const { return touched_; }

 private:
  int rise_to_touch_;
  int fall_to_release_;
  bool has_baseline_ = false;
  // Fixed point (x16) so the slow average keeps its fraction without floats.
  std::int32_t baseline_x16_ = 0;
  bool touched_ = false;
};

}  // namespace vic_r1::bridge
