"""vic-engine's back touch sensing, as its TouchSensorComponent does it
(wire-os-victor engine/components/sensors/touchSensorComponent.cpp and .h),
so the virtual engine feels a touch exactly when the robot would.

One RobotState at a time: backpackTouchSensorRaw and IS_ON_CHARGER in,
the confirmed press state out (what the engine broadcasts as
TouchButtonEvent, .cpp:510-518). Written from the firmware's source, not
from vic-r1's detector: the two check each other.

  * box filter: the mean of the last 5 raw samples, fewer while filling
    (.h:32-61);
  * calibration: first value, then IIR 0.01, until the baseline stayed within
    0.5 of a reference for more than 30 samples (or after 400); no
    classification before (.cpp:121-152, 482-484);
  * calibrated: the baseline follows (IIR 0.001, or 0.01 during a 50-sample
    fast calibration) only after 100 samples with no raw press and nothing
    45 or more above it (.cpp:155-186); 50+ samples more than 25 below it
    start the fast calibration (.cpp:240-260); a charger change starts a
    check that may replace the baseline, during which nothing is pressed
    (.cpp:198-239, 456-470, 490-494);
  * thresholds: floor(baseline) + 65 / + 45 on round(filtered), hysteresis,
    moving in 20-apart steps after more than 6 samples far beyond them
    (.cpp:265-285, 622-677);
  * confirmation: a raw state must hold 5 more samples (.cpp:70, 498-507).
"""

import math

BOX_SIZE = 5
FAST = 0.01
SLOW = 0.001


def _f32(value: float) -> float:
    """Round to float_32, as the engine's arithmetic does."""
    import struct
    return struct.unpack("<f", struct.pack("<f", value))[0]


def _follow(coefficient: float, reading: float, value: float) -> float:
    return _f32(_f32(coefficient * reading) + _f32(_f32(1.0 - coefficient) * value))


class EngineTouchSensor:
    def __init__(self):
        self._box = []
        self.baseline = -1.0
        self._last_baseline = 0.0        # a function static in the engine
        self.calibrated = False
        self._stable = 0
        self._calibration_readings = 0
        self._no_touch = 0
        self._fast_left = 0
        self._too_low = 0
        self._on_charger = False
        self._charger_check = False
        self._charger_readings = 0
        self._charger_baseline = -1.0
        self._charger_large = 0
        self._detect = 65
        self._undetect = 45
        self._above = 0
        self._below = 0
        self.raw_pressed = False
        self._run = 0
        self.pressed = False             # the confirmed state

    def feed(self, raw: int, on_charger: bool = False) -> bool:
        """One sample; True when the confirmed state changed on it."""
        self._box.append(raw)
        if len(self._box) > BOX_SIZE:
            self._box.pop(0)
        filtered = _f32(float(sum(self._box)) / len(self._box))
        was_on_charger, self._on_charger = self._on_charger, on_charger
        in_fast = self._fast_left != 0 or not self.calibrated
        if was_on_charger != on_charger and not self._charger_check and not in_fast:
            self._charger_check = True
            self._charger_baseline, self._charger_readings, self._charger_large = -1.0, 0, 0
        if not self.calibrated:
            self._update_baseline(filtered, False)
            return False
        last_raw = self.raw_pressed
        if self._charger_check:
            self.raw_pressed = False
        else:
            self.raw_pressed = self._threshold(math.floor(self.baseline),
                                               int(math.floor(filtered + 0.5)))
        last_confirmed = self.pressed
        if last_raw != self.raw_pressed:
            self._run = 0
        elif self._run < 4:
            self._run += 1
        else:
            self.pressed = self.raw_pressed
        self._update_baseline(filtered, self.raw_pressed)
        return last_confirmed != self.pressed

    def _update_baseline(self, reading: float, is_pressed: bool):
        stable = abs(self._last_baseline - self.baseline) < 0.5
        if not self.calibrated and stable:
            self._stable += 1
            if self._stable > 30:
                self.calibrated = True
        elif not self.calibrated:
            self._stable = 0
            self._last_baseline = self.baseline
        if not self.calibrated:
            if self.baseline < 0.0:
                self.baseline = reading
                self._last_baseline = reading
            else:
                self.baseline = _follow(FAST, reading, self.baseline)
            self._calibration_readings += 1
            if self._calibration_readings > 400:
                self.calibrated = True
        else:
            maybe_touch = reading >= self.baseline + 45
            if not is_pressed and not maybe_touch:
                self._no_touch += 1
                if self._no_touch >= 100:
                    if self._fast_left > 0:
                        self.baseline = _follow(FAST, reading, self.baseline)
                        self._fast_left -= 1
                    else:
                        self.baseline = _follow(SLOW, reading, self.baseline)
                    self._no_touch = 100
            else:
                self._no_touch = 0
        if self._charger_check:
            self._check_charger(reading)
        else:
            too_low = (self.baseline - reading) > 25
            if too_low and self._fast_left == 0:
                self._too_low += 1
                if self._too_low > 50:
                    self._fast_left = 50
                    self._reset_monitoring()
            else:
                self._too_low = 0

    def _check_charger(self, reading: float):
        if self._charger_readings < 10:
            self._charger_readings += 1
        elif self._charger_readings == 10:
            self._charger_baseline = reading
            self._charger_readings += 1
        else:
            self._charger_baseline = _follow(FAST, reading, self._charger_baseline)
            self._charger_readings += 1
            if self._charger_readings > 135:
                self._charger_check = False
                self._reset_monitoring()
            elif self._charger_readings > 50:
                if abs(self.baseline - self._charger_baseline) > 25:
                    self._charger_large += 1
                if self._charger_large > 50:
                    self.baseline = self._charger_baseline
                    self._charger_check = False
                    self._reset_monitoring()

    def _reset_monitoring(self):
        self._charger_baseline, self._charger_readings, self._charger_large = -1.0, 0, 0
        self._too_low = 0

    def _threshold(self, baseline: int, value: int) -> bool:
        pressed = self.raw_pressed
        detect, undetect = baseline + self._detect, baseline + self._undetect
        if value > detect:
            pressed = True
            if value - detect > 10:
                self._above += 1
                self._below = 0
                if self._above > 6:
                    self._detect = min(100, value - 10 - baseline)
                    self._undetect = self._detect - 20
                    self._above = 0
            else:
                self._above = self._below = 0
        elif value < undetect:
            pressed = False
            if undetect - value > 19:
                self._below += 1
                self._above = 0
                if self._below > 6:
                    self._undetect = max(45, value + 19 - baseline)
                    self._detect = self._undetect + 20
                    self._below = 0
            else:
                self._above = self._below = 0
        else:
            self._above = self._below = 0
        return pressed
