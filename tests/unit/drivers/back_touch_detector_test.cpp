// Standard and project headers before CppUTest's (its macros must not reach them).
#include <cstdint>

#include "drivers/bridge/back_touch_detector.h"

#include <CppUTest/TestHarness.h>

using vic_r1::bridge::BackTouchDetector;

TEST_GROUP(BackTouchDetector) {
  BackTouchDetector detector;

  // Feeds `raw` `count` times; returns how many touches began.
  int feed_repeatedly(std::uint16_t raw, int count) {
    int touches = 0;
    for (int sample = 0; sample < count; ++sample) touches += detector.feed(raw) ? 1 : 0;
    return touches;
  }
};

TEST(BackTouchDetector, FirstSampleOnlySetsTheBaseline) {
  CHECK_FALSE(detector.feed(2000));
  CHECK_FALSE(detector.touched());
  CHECK_FALSE(detector.feed(2049));
}

TEST(BackTouchDetector, RiseOf50OverTheBaselineIsATouch) {
  detector.feed(500);
  CHECK_TRUE(detector.feed(550));
  CHECK_TRUE(detector.touched());
}

TEST(BackTouchDetector, RiseOf49IsNoTouch) {
  detector.feed(500);
  CHECK_FALSE(detector.feed(549));
  CHECK_FALSE(detector.touched());
}

TEST(BackTouchDetector, FallBelowTheBaselineIsNoTouch) {
  detector.feed(500);
  LONGS_EQUAL(0, feed_repeatedly(0, 10));
  CHECK_FALSE(detector.touched());
}

TEST(BackTouchDetector, TouchFiresOnceUntilReleased) {
  detector.feed(500);
  CHECK_TRUE(detector.feed(560));
  LONGS_EQUAL(0, feed_repeatedly(560, 100));
  CHECK_TRUE(detector.touched());

  CHECK_FALSE(detector.feed(520));  // rise 20: released
  CHECK_FALSE(detector.touched());
  CHECK_TRUE(detector.feed(560));
}

TEST(BackTouchDetector, HysteresisKeepsANoisyTouchFromFiringTwice) {
  detector.feed(500);
  CHECK_TRUE(detector.feed(555));
  // Wobbling between a rise of 30 and 60 is still the same touch.
  for (int sample = 0; sample < 50; ++sample) {
    CHECK_FALSE(detector.feed(sample % 2 == 0 ? 530 : 560));
    CHECK_TRUE(detector.touched());
  }
  CHECK_FALSE(detector.feed(529));  // rise 29: released
  CHECK_FALSE(detector.touched());
}

TEST(BackTouchDetector, LongTouchDoesNotBecomeTheNewNormal) {
  detector.feed(500);
  CHECK_TRUE(detector.feed(600));
  LONGS_EQUAL(0, feed_repeatedly(600, 1000));  // thirty seconds at 33 Hz
  CHECK_TRUE(detector.touched());
  CHECK_FALSE(detector.feed(500));
  CHECK_FALSE(detector.touched());
  CHECK_TRUE(detector.feed(600));
}

TEST(BackTouchDetector, BaselineFollowsSlowDrift) {
  detector.feed(500);
  // Half a count per sample up to 800: a drift, not a touch.
  for (int sample = 1; sample <= 600; ++sample)
    CHECK_FALSE(detector.feed(static_cast<std::uint16_t>(500 + sample / 2)));
  LONGS_EQUAL(0, feed_repeatedly(800, 400));
  CHECK_FALSE(detector.touched());
  // The baseline is near 800 now: a rise over the old 500 is no touch,
  // a rise over the new one is.
  CHECK_FALSE(detector.feed(840));
  CHECK_TRUE(detector.feed(860));
}

TEST(BackTouchDetector, SuddenStepAfterADriftIsStillATouch) {
  detector.feed(500);
  for (int sample = 1; sample <= 600; ++sample) detector.feed(static_cast<std::uint16_t>(500 + sample / 2));
  CHECK_TRUE(detector.feed(850));
}

TEST(BackTouchDetector, ThresholdsComeFromTheConstructor) {
  BackTouchDetector strict(100, 60);
  strict.feed(1000);
  CHECK_FALSE(strict.feed(1099));
  CHECK_TRUE(strict.feed(1110));
  CHECK_FALSE(strict.feed(1065));  // rise 65: still touched
  CHECK_TRUE(strict.touched());
  CHECK_FALSE(strict.feed(1055));  // rise 55: released
  CHECK_FALSE(strict.touched());
}

TEST(BackTouchDetector, FullScaleReadingsNeitherOverflowNorMisfire) {
  detector.feed(65535);
  CHECK_FALSE(detector.feed(0));
  CHECK_FALSE(detector.touched());
  // The baseline moved a sixty-fourth of the way down; full scale is a touch again.
  CHECK_TRUE(detector.feed(65535));
}
