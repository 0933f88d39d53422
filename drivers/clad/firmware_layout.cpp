#include "drivers/clad/firmware_layout.h"

namespace vic_r1::clad {
namespace {

// RobotState (robotStatusAndActions.clad, `structure RobotState`), counted
// from the first payload byte; the datagram adds the 0xF0 tag byte in front.
//     0  uint_32 timestamp, pose_frame_id, pose_origin_id       3 x 4 = 12
//    12  RobotPose pose: 6 x float_32                                   24
//    36  float_32 lwheel_speed_mmps, rwheel_speed_mmps,
//        headAngle, liftAngle                                    4 x 4 = 16
//    52  AccelData accel, GyroData gyro: 3 x float_32 each      2 x 12 = 24
//    76  IMUDataFrame imuData[6]: uint_32 + GyroData (16)       6 x 16 = 96
//   172  float_32 batteryVoltage, chargerVoltage                 2 x 4 = 8
//   180  uint_32 status                                                  4
//   184  uint_16 cliffDataRaw[4]                                         8
//   192  ProxSensorDataRaw: 3 x float_32, uint_32, uint_16,
//        RangeStatus (uint_8), uint_8 padding                           20
//   212  uint_16 backpackTouchSensorRaw                                  2
//   214  uint_8 cliffDetectedFlags, whiteDetectedFlags, battTemp_C,
//        int_8 currPathSegment                                           4
//   218  end; 219 bytes with the tag.
constexpr std::size_t kRobotStateDatagramBytes = 1 + 218;
constexpr std::size_t kRobotStateStatusOffset = 1 + 180;
constexpr std::size_t kRobotStateBackpackTouchOffset = 1 + 212;

// AnimationState: uint_8 lockedTracks, uint_8 tracksInUse in 1.8
// (messageFromAnimProcess.clad:33-37); the 1.6 rebuilds put a uint_32
// numProcAnimFaceKeyframes in front (victor-1.6-rebuild, same file).
constexpr std::size_t kAnimationState18Bytes = 1 + 2;
constexpr std::size_t kAnimationState16Bytes = 1 + 4 + 2;

// Each row of a layout below is one group of fields of FirmwareLayout.
// clang-format off
constexpr FirmwareLayout kVector18{
    FirmwareFamily::kVector18,
    "1.8",
    "Vector 1.8 / OSKR / wire-os-victor",
    true,
    0x50, 0x51, 0x53, 0x55, 0x92, 0x94, 0x95,
    true, 0x80, 0x9A, 0x99,
    0xD4, 0xD6, 0xD7, 0xD9, 0xDB, 0xF0, 0xF3, kAnimationState18Bytes,
    kRobotStateDatagramBytes, kRobotStateStatusOffset, kRobotStateBackpackTouchOffset,
};

// The 1.6 rebuilds differ from 1.8 in messages we do not send (0x5B/0x5C,
// 0x63-0x65, no ExitCCScreen), in AnimationState, and in TextToSpeechPrepare,
// which lacks the float_32 pitchScalar in every revision found
// (victor-1.6-rebuild and -rebuild-2, messageEngineToRobot.clad:613-619).
// The tags we use are the same, FakeWakeWordFromExternalInterface (0x80)
// and SetTriggerWordResponse (0x9A) included (:874, :889).
// StartWakeWordlessStreaming is not read there: its fields in these
// rebuilds are unverified.
constexpr FirmwareLayout kVector16{
    FirmwareFamily::kVector16,
    "1.6",
    "Vector 1.6 rebuild (TextToSpeechPrepare without pitchScalar)",
    true,
    0x50, 0x51, 0x53, 0x55, 0x92, 0x94, 0x95,
    false, 0x80, 0x9A, 0,
    0xD4, 0xD6, 0xD7, 0xD9, 0xDB, 0xF0, 0xF3, kAnimationState16Bytes,
    kRobotStateDatagramBytes, kRobotStateStatusOffset, kRobotStateBackpackTouchOffset,
};

// The review of the firmware sources speaks of a 1.6 revision whose
// TextToSpeechPrepare has pitchScalar; none was found, but vic-anim's answer
// to a probe would tell it apart, and this is its layout.
constexpr FirmwareLayout kVector16WithPitch{
    FirmwareFamily::kVector16WithPitch,
    "1.6-pitch",
    "Vector 1.6 rebuild with pitchScalar in TextToSpeechPrepare",
    true,
    0x50, 0x51, 0x53, 0x55, 0x92, 0x94, 0x95,
    true, 0x80, 0x9A, 0,
    0xD4, 0xD6, 0xD7, 0xD9, 0xDB, 0xF0, 0xF3, kAnimationState16Bytes,
    kRobotStateDatagramBytes, kRobotStateStatusOffset, kRobotStateBackpackTouchOffset,
};

// Unknown firmware: the tags are only used to notice the wake word and touch
// if they happen to match; nothing is ever injected.
constexpr FirmwareLayout kUnknown{
    FirmwareFamily::kUnknown,
    "unknown",
    "unknown firmware: forwarding only, nothing injected",
    false,
    0x50, 0x51, 0x53, 0x55, 0x92, 0x94, 0x95,
    true, 0x80, 0x9A, 0,
    0xD4, 0xD6, 0xD7, 0xD9, 0xDB, 0xF0, 0xF3, kAnimationState18Bytes,
    kRobotStateDatagramBytes, kRobotStateStatusOffset, kRobotStateBackpackTouchOffset,
};
// clang-format on

constexpr const FirmwareLayout* kAllLayouts[] = {&kVector18, &kVector16, &kVector16WithPitch, &kUnknown};

}  // namespace

std::size_t text_to_speech_prepare_datagram_bytes(const FirmwareLayout& layout) {
  // tag, u32 style, f32 durationScalar, [f32 pitchScalar], u8 triggerMode,
  // u8 ttsID, int_8 text[1024].
  return 1 + 4 + 4 + (layout.tts_prepare_has_pitch_scalar ? 4 : 0) + 1 + 1 + 1024;
}

const FirmwareLayout& layout_for(FirmwareFamily family) {
  switch (family) {
    case FirmwareFamily::kVector18:
      return kVector18;
    case FirmwareFamily::kVector16:
      return kVector16;
    case FirmwareFamily::kVector16WithPitch:
      return kVector16WithPitch;
    case FirmwareFamily::kUnknown:
      break;
  }
  return kUnknown;
}

bool firmware_family_from_name(std::string_view name, FirmwareFamily& family) {
  for (const FirmwareLayout* layout : kAllLayouts) {
    if (layout->name == name) {
      family = layout->family;
      return true;
    }
  }
  return false;
}

const FirmwareLayout* const* all_firmware_layouts(std::size_t& count) {
  count = sizeof(kAllLayouts) / sizeof(kAllLayouts[0]);
  return kAllLayouts;
}

}  // namespace vic_r1::clad
