#include "drivers/bridge/back_touch_detector.h"

namespace vic_r1::bridge {

bool BackTouchDetector::feed(std::uint16_t raw) {
  const std::int32_t sample_x16 = static_cast<std::int32_t>(raw) * 16;
  if (!has_baseline_) {
    baseline_x16_ = sample_x16;
    has_baseline_ = true;
    return false;
  }
  const std::int32_t rise = (sample_x16 - baseline_x16_) / 16;
  if (touched_) {
    if (rise < fall_to_release_) touched_ = false;
    return false;
  }
  if (rise >= rise_to_touch_) {
    touched_ = true;
    return true;
  }
  // About a two-second time constant at 33 Hz: drift follows, touches do not.
  baseline_x16_ += (sample_x16 - baseline_x16_) / 64;
  return false;
}

}  // namespace vic_r1::bridge
