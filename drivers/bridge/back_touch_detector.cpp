#include "drivers/bridge/back_touch_detector.h"

#include <algorithm>
#include <cmath>

namespace vic_r1::bridge {
namespace {

// touchSensorComponent.cpp:40-70, 265-274, the production values.
constexpr float kFastCoefficient = 0.01f;
constexpr float kSlowCoefficient = 0.001f;
constexpr int kMaxCalibrationReadings = 400;
constexpr int kStableReadingsToCalibrate = 30;
constexpr float kStableWithin = 0.5f;
constexpr int kNoTouchRunBeforeFollowing = 100;
constexpr int kMaybeTouchAbove = 45;  // the minimum undetect offset
constexpr int kTooLowBy = 25;
constexpr int kTooLowRunBeforeFastCalibration = 50;
constexpr int kFastCalibrationSamples = 50;
constexpr int kSamplesToConfirm = 4;
constexpr int kChargerCheckDelay = 10;
constexpr int kChargerCheckMinReadings = 50;
constexpr int kChargerCheckTimeout = 135;
constexpr float kChargerCheckAllowedDifference = 25.0f;
constexpr int kChargerCheckLargeDifferencesToMove = 50;
constexpr int kThresholdGap = 20;
constexpr int kDetectFollowOffset = 10;
constexpr int kUndetectFollowOffset = 19;
constexpr int kMaxDetectOffset = 100;
constexpr int kMinUndetectOffset = 45;
constexpr int kRunToMoveThresholds = 6;

float follow(float coefficient, float reading, float value) {
  return coefficient * reading + (1.0f - coefficient) * value;
}

}  // namespace

bool BackTouchDetector::feed(std::uint16_t raw, bool on_charger) {
  const float reading = box_filter(raw);
  const bool was_on_charger = on_charger_;
  on_charger_ = on_charger;
  const bool fast_calibrating = fast_calibration_left_ != 0 || !calibrated_;
  if (was_on_charger != on_charger_ && !charger_check_running_ && !fast_calibrating) {
    charger_check_running_ = true;
    charger_check_baseline_ = -1.0f;
    charger_check_readings_ = 0;
    charger_check_large_differences_ = 0;
  }
  if (!calibrated_) {
    // Nothing can be a touch before there is a baseline to compare with.
    update_baseline(reading, false);
    return false;
  }
  const bool was_pressed = pressed_;
  // While the baseline is checked after a charger change, no touch counts.
  pressed_ = charger_check_running_
                 ? false
                 : classify(static_cast<int>(std::floor(baseline_)), static_cast<int>(std::round(reading)));
  const bool was_confirmed = confirmed_pressed_;
  if (pressed_ != was_pressed) {
    same_state_run_ = 0;
  } else if (same_state_run_ < kSamplesToConfirm) {
    ++same_state_run_;
  } else {
    confirmed_pressed_ = pressed_;
  }
  // The baseline learns from the unconfirmed state: it keeps out of any
  // sample that might be a touch.
  update_baseline(reading, pressed_);
  return confirmed_pressed_ && !was_confirmed;
}

float BackTouchDetector::box_filter(std::uint16_t raw) {
  if (box_count_ == kBoxSize) {
    box_sum_ -= box_[box_next_];
  } else {
    ++box_count_;
  }
  box_[box_next_] = raw;
  box_sum_ += raw;
  box_next_ = (box_next_ + 1) % kBoxSize;
  return static_cast<float>(box_sum_) / static_cast<float>(box_count_);
}

void BackTouchDetector::update_baseline(float reading, bool pressed) {
  if (!calibrated_) {
    // Calibrated once the baseline has stayed put for long enough.
    if (std::fabs(stable_reference_ - baseline_) < kStableWithin) {
      if (++stable_readings_ > kStableReadingsToCalibrate) calibrated_ = true;
    } else {
      stable_readings_ = 0;
      stable_reference_ = baseline_;
    }
  }
  if (!calibrated_) {
    if (baseline_ < 0.0f) {
      baseline_ = reading;
      stable_reference_ = reading;
    } else {
      baseline_ = follow(kFastCoefficient, reading, baseline_);
    }
    if (++calibration_readings_ > kMaxCalibrationReadings) calibrated_ = true;
  } else {
    // A light touch can be classified as none: a reading this far above the
    // baseline is kept out of it all the same.
    const bool maybe_touch = reading >= baseline_ + kMaybeTouchAbove;
    if (!pressed && !maybe_touch) {
      if (++no_touch_run_ >= kNoTouchRunBeforeFollowing) {
        if (fast_calibration_left_ > 0) {
          baseline_ = follow(kFastCoefficient, reading, baseline_);
          --fast_calibration_left_;
        } else {
          baseline_ = follow(kSlowCoefficient, reading, baseline_);
        }
        no_touch_run_ = kNoTouchRunBeforeFollowing;
      }
    } else {
      no_touch_run_ = 0;
    }
  }
  if (charger_check_running_) {
    check_charger_change(reading);
  } else {
    check_reading_too_low(reading);
  }
}

// Going on or off the charger can move the signal's level for good: a
// proposal baseline is learnt beside the current one, and replaces it if
// the two stay far apart.
void BackTouchDetector::check_charger_change(float reading) {
  if (charger_check_readings_ < kChargerCheckDelay) {
    ++charger_check_readings_;  // the signal settles first
    return;
  }
  if (charger_check_readings_ == kChargerCheckDelay) {
    charger_check_baseline_ = reading;
    ++charger_check_readings_;
    return;
  }
  charger_check_baseline_ = follow(kFastCoefficient, reading, charger_check_baseline_);
  ++charger_check_readings_;
  if (charger_check_readings_ > kChargerCheckTimeout) {
    charger_check_running_ = false;
    reset_baseline_monitoring();
  } else if (charger_check_readings_ > kChargerCheckMinReadings) {
    if (std::fabs(baseline_ - charger_check_baseline_) > kChargerCheckAllowedDifference)
      ++charger_check_large_differences_;
    if (charger_check_large_differences_ > kChargerCheckLargeDifferencesToMove) {
      baseline_ = charger_check_baseline_;
      charger_check_running_ = false;
      reset_baseline_monitoring();
    }
  }
}

// A signal well below the baseline for long means the baseline is stale:
// it then follows fast for a while.
void BackTouchDetector::check_reading_too_low(float reading) {
  if (baseline_ - reading > kTooLowBy && fast_calibration_left_ == 0) {
    if (++too_low_run_ > kTooLowRunBeforeFastCalibration) {
      fast_calibration_left_ = kFastCalibrationSamples;
      reset_baseline_monitoring();
    }
  } else {
    too_low_run_ = 0;
  }
}

void BackTouchDetector::reset_baseline_monitoring() {
  charger_check_baseline_ = -1.0f;
  charger_check_readings_ = 0;
  charger_check_large_differences_ = 0;
  too_low_run_ = 0;
}

// Pressed above the detect level, released below the undetect level, as it
// was in between. A touch far above the detect level for several samples
// raises both levels towards it; a signal far below the undetect level
// lowers them, never under their minimum.
bool BackTouchDetector::classify(int baseline, int input) {
  bool pressed = pressed_;
  const int detect_level = baseline + detect_offset_;
  const int undetect_level = baseline + undetect_offset_;
  if (input > detect_level) {
    pressed = true;
    if (input - detect_level > kDetectFollowOffset) {
      ++run_above_detect_;
      run_below_undetect_ = 0;
      if (run_above_detect_ > kRunToMoveThresholds) {
        detect_offset_ = std::min(kMaxDetectOffset, input - kDetectFollowOffset - baseline);
        undetect_offset_ = detect_offset_ - kThresholdGap;
        run_above_detect_ = 0;
      }
    } else {
      run_above_detect_ = 0;
      run_below_undetect_ = 0;
    }
  } else if (input < undetect_level) {
    pressed = false;
    if (undetect_level - input > kUndetectFollowOffset) {
      ++run_below_undetect_;
      run_above_detect_ = 0;
      if (run_below_undetect_ > kRunToMoveThresholds) {
        undetect_offset_ = std::max(kMinUndetectOffset, input + kUndetectFollowOffset - baseline);
        detect_offset_ = undetect_offset_ + kThresholdGap;
        run_below_undetect_ = 0;
      }
    } else {
      run_above_detect_ = 0;
      run_below_undetect_ = 0;
    }
  } else {
    run_above_detect_ = 0;
    run_below_undetect_ = 0;
  }
  return pressed;
}

}  // namespace vic_r1::bridge
