// Standard and project headers before CppUTest's (its macros must not reach them).
#include <cstdint>
#include <vector>

#include "drivers/bridge/back_touch_detector.h"

#include <CppUTest/TestHarness.h>

using vic_r1::bridge::BackTouchDetector;

// Each expectation below is worked through vic-engine's TouchSensorComponent
// (touchSensorComponent.cpp; see back_touch_detector.h) on a resting level
// of 600, with the same streams fed to the virtual engine's independent
// model (tests/virtual_vector/touch_sensor.py), which agrees sample for
// sample.

namespace {

constexpr std::uint16_t kRest = 600;
constexpr int kCalibrationSamples = 60;  // calibrated after 32; a margin

}  // namespace

TEST_GROUP(BackTouchDetector) {
  BackTouchDetector detector;
  int sample = 0;                  // index of the next sample fed
  std::vector<int> touches_began;  // indexes where feed() returned true

  void feed(std::uint16_t raw, int count, bool on_charger = false) {
    for (int i = 0; i < count; ++i, ++sample)
      if (detector.feed(raw, on_charger)) touches_began.push_back(sample);
  }
  void calibrate() {
    feed(kRest, kCalibrationSamples);
    CHECK_TRUE(detector.calibrated());
    CHECK_TRUE(touches_began.empty());
  }
};

TEST(BackTouchDetector, ASteadySignalCalibratesAfter32Samples) {
  feed(kRest, 31);
  CHECK_FALSE(detector.calibrated());
  feed(kRest, 1);
  CHECK_TRUE(detector.calibrated());
  DOUBLES_EQUAL(600.0, detector.baseline(), 0.001);
}

TEST(BackTouchDetector, NothingIsATouchBeforeCalibration) {
  feed(kRest, 10);
  feed(900, 10);  // a hand on the back at power-on
  feed(kRest, 30);
  CHECK_TRUE(touches_began.empty());
  CHECK_FALSE(detector.touched());
  // The touch also held calibration back, as it does in the engine.
  CHECK_FALSE(detector.calibrated());
}

TEST(BackTouchDetector, ARiseOf80IsConfirmedOnItsTenthSample) {
  // The box filter reaches 665 + 1 on the 5th sample; the state then holds 5 more.
  calibrate();
  feed(680, 100);
  LONGS_EQUAL(1, touches_began.size());
  LONGS_EQUAL(kCalibrationSamples + 9, touches_began[0]);
  CHECK_TRUE(detector.touched());
}

TEST(BackTouchDetector, ARiseOf200IsConfirmedOnItsSeventhSample) {
  calibrate();
  feed(800, 100);
  LONGS_EQUAL(1, touches_began.size());
  LONGS_EQUAL(kCalibrationSamples + 6, touches_began[0]);
}

TEST(BackTouchDetector, TheDetectLevelIs65AboveTheBaseline) {
  calibrate();
  feed(kRest + 65, 200);
  CHECK_TRUE(touches_began.empty());
  feed(kRest, 50);
  feed(kRest + 66, 200);
  LONGS_EQUAL(1, touches_began.size());
}

TEST(BackTouchDetector, ARiseOf55HeldForLongIsNoTouch) {
  // Between the release level (45) and the touch level (65): the old rule
  // (a raw rise of 50) called this a touch; the engine never does.
  calibrate();
  feed(kRest + 55, 400);
  CHECK_TRUE(touches_began.empty());
  CHECK_FALSE(detector.touched());
}

TEST(BackTouchDetector, AThreeSampleSpikeIsNoTouchAFourSampleOneIs) {
  calibrate();
  feed(800, 3);
  feed(kRest, 50);
  CHECK_TRUE(touches_began.empty());
  feed(800, 4);
  feed(kRest, 50);
  LONGS_EQUAL(1, touches_began.size());
  CHECK_FALSE(detector.touched());
}

TEST(BackTouchDetector, TouchEndsAfterReleaseAndTheNextOneFiresAgain) {
  calibrate();
  feed(680, 50);
  LONGS_EQUAL(1, touches_began.size());
  feed(kRest, 50);
  CHECK_FALSE(detector.touched());
  feed(680, 50);
  LONGS_EQUAL(2, touches_began.size());
  LONGS_EQUAL(kCalibrationSamples + 100 + 9, touches_began[1]);
  // The baseline never learnt the touches.
  DOUBLES_EQUAL(600.0, detector.baseline(), 0.001);
}

TEST(BackTouchDetector, ALongTouchIsOneTouch) {
  calibrate();
  feed(700, 2000);
  LONGS_EQUAL(1, touches_began.size());
  CHECK_TRUE(detector.touched());
  DOUBLES_EQUAL(600.0, detector.baseline(), 0.001);
}

TEST(BackTouchDetector, TheLevelShiftOfTheChargerIsLearntNotTouched) {
  // Put on the charger, the signal settles 80 higher: the engine checks
  // its baseline instead of feeling a touch, and moves it there.
  calibrate();
  feed(680, 300, true);
  CHECK_TRUE(touches_began.empty());
  DOUBLES_EQUAL(680.0, detector.baseline(), 0.5);
  // A real touch on the charger is felt from the new baseline.
  feed(760, 50, true);
  LONGS_EQUAL(1, touches_began.size());
}

TEST(BackTouchDetector, SlowDriftDownIsFollowed) {
  calibrate();
  // 40 below for long: fast calibration follows the signal down...
  feed(kRest - 40, 600);
  CHECK_TRUE(detector.baseline() < 575.0);
  // ...so a touch from the new level is felt at the usual height.
  const float base = detector.baseline();
  feed(static_cast<std::uint16_t>(base + 80), 50);
  LONGS_EQUAL(1, touches_began.size());
}
