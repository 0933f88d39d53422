#pragma once

#include <cstddef>
#include <cstdint>

namespace vic_r1::bridge {

// Decides from RobotState's raw backpack touch reading (one sample per
// RobotState, every 30 ms) when Vector is touched, the way vic-engine's
// TouchSensorComponent does (wire-os-victor engine/components/sensors/
// touchSensorComponent.cpp and .h), so the agent stops talking exactly when
// the robot itself feels the touch and not on noise the robot ignores:
//
//  1. A box filter averages the last 5 raw samples (fewer while it fills)
//     (.h:32-61; boxFilterSize 5, .cpp:267).
//  2. A baseline is calibrated first: the first filtered value, then an IIR
//     of coefficient 0.01, until the baseline has stayed within 0.5 of where
//     it was for more than 30 samples (or after 400); nothing is reported
//     before (.cpp:121-152, 482-484).
//  3. Calibrated, the baseline follows the signal only after 100 samples in
//     a row with no touch and nothing 45 or more above it, with coefficient
//     0.001, or 0.01 for 50 samples once the signal has sat more than 25
//     below it for more than 50 samples (.cpp:155-186, 240-260). A change of
//     IS_ON_CHARGER starts a check of a few seconds that may move the
//     baseline to a new level and during which no touch is reported
//     (.cpp:198-239, 456-470, 490-494).
//  4. Pressed above floor(baseline) + detect offset, released below
//     + undetect offset, unchanged in between; the offsets start at 65 and
//     45 and follow a strong or weak touch in steps, 20 apart, the detect
//     offset at most 100 and the undetect offset at least 45 (.cpp:265-285,
//     622-677).
//  5. The pressed state counts once it has held for 5 more samples (.cpp:70,
//     498-507); that confirmed state is what the engine broadcasts as
//     TouchButtonEvent and what its behaviours react to.
//
// No allocation, fixed state: it runs in the bridge, once per RobotState.
class BackTouchDetector {
 public:
  // One RobotState: its raw touch reading and whether the robot is on its
  // charger. Returns true on the sample where a confirmed touch begins.
  bool feed(std::uint16_t raw, bool on_charger);

  bool touched() const { return confirmed_pressed_; }
  bool calibrated() const { return calibrated_; }
  float baseline() const { return baseline_; }

 private:
  float box_filter(std::uint16_t raw);
  void update_baseline(float reading, bool pressed);
  void check_charger_change(float reading);
  void check_reading_too_low(float reading);
  bool classify(int baseline, int input);
  void reset_baseline_monitoring();

  // Box filter.
  static constexpr std::size_t kBoxSize = 5;
  int box_[kBoxSize] = {};
  std::size_t box_count_ = 0;
  std::size_t box_next_ = 0;
  int box_sum_ = 0;

  // Baseline.
  float baseline_ = -1.0f;
  float stable_reference_ = 0.0f;
  bool calibrated_ = false;
  int stable_readings_ = 0;
  int calibration_readings_ = 0;
  int no_touch_run_ = 0;
  int fast_calibration_left_ = 0;
  int too_low_run_ = 0;
  bool on_charger_ = false;
  bool charger_check_running_ = false;
  int charger_check_readings_ = 0;
  float charger_check_baseline_ = -1.0f;
  int charger_check_large_differences_ = 0;

  // Thresholds.
  int detect_offset_ = 65;
  int undetect_offset_ = 45;
  int run_above_detect_ = 0;
  int run_below_undetect_ = 0;
  bool pressed_ = false;

  // Confirmation.
  int same_state_run_ = 0;
  bool confirmed_pressed_ = false;
};

}  // namespace vic_r1::bridge
