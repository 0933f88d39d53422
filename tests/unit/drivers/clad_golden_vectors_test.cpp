// Standard and project headers before CppUTest's (its macros must not reach them).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/clad/anim_messages.h"
#include "drivers/clad/cloud_mic_messages.h"
#include "drivers/clad/firmware_layout.h"
#include "tests/unit/support/clad_encode_outcome.h"

#include <CppUTest/TestHarness.h>

using vic_r1::clad::AbortAnimation;
using vic_r1::clad::AnimToEngineMessage;
using vic_r1::clad::CloudMicMessage;
using vic_r1::clad::DrawTextOnScreen;
using vic_r1::test::EncodeOutcome;
using vic_r1::test::encode_outcome;
using vic_r1::clad::EngineToAnimMessage;
using vic_r1::clad::FirmwareFamily;
using vic_r1::clad::FirmwareLayout;
using vic_r1::clad::IntentResult;
using vic_r1::clad::PlayAnim;
using vic_r1::clad::SetFullAnimTrackLockState;
using vic_r1::clad::TextToSpeechCancel;
using vic_r1::clad::TextToSpeechPlay;
using vic_r1::clad::TextToSpeechPrepare;
using vic_r1::clad::TtsState;
using vic_r1::clad::TtsTriggerMode;

namespace clad = vic_r1::clad;

// Every expected datagram in this file is written out by hand from the
// firmware's CLAD definitions, field by field, and never produced by the
// encoder under test. The definitions are those of the victor tree
// (os-vector/wire-os-victor at e3417d19), cited as file:line:
//   E2R  robot/clad/src/clad/robotInterface/messageEngineToRobot.clad
//   R2E  robot/clad/src/clad/robotInterface/messageRobotToEngine.clad
//   FAP  robot/clad/src/clad/robotInterface/messageFromAnimProcess.clad
//   TTS  robot/clad/src/clad/types/textToSpeechTypes.clad
//   SW   robot/clad/src/clad/audio/audioSwitchTypes.clad
//   RSA  robot/clad/src/clad/types/robotStatusAndActions.clad
//   IMU  robot/clad/src/clad/types/imu.clad
//   PROX robot/clad/src/clad/types/proxMessages.clad
//   ANIM robot/clad/src/clad/types/animationTypes.clad
//   MIC  clad/src/clad/cloud/mic.clad
//
// The wire rules applied: little-endian; fields in declaration order with no
// padding; bool one byte; an enum in its declared storage; `string` a u8
// length then the bytes, no NUL; `string[uint_16]` a u16 length; `T x[N]`
// exactly N elements; a union is one tag byte then the member.
//
// Floats are IEEE 754 binary32, worked out by hand (sign | exponent biased by
// 127 | 23-bit fraction), then written little-endian:
//   1.0f    = 1.0   x 2^0   -> 0 01111111 000...  = 0x3F800000 -> 00 00 80 3F
//   0.5f    = 1.0   x 2^-1  -> 0 01111110 000...  = 0x3F000000 -> 00 00 00 3F
//   -0.25f  = -1.0  x 2^-2  -> 1 01111101 000...  = 0xBE800000 -> 00 00 80 BE
//   0.75f   = 1.5   x 2^-1  -> 0 01111110 100...  = 0x3F400000 -> 00 00 40 3F
//   1.5f    = 1.5   x 2^0   -> 0 01111111 100...  = 0x3FC00000 -> 00 00 C0 3F
//   2.0f    = 1.0   x 2^1   -> 0 10000000 000...  = 0x40000000 -> 00 00 00 40
//   4.0f    = 1.0   x 2^2   -> 0 10000001 000...  = 0x40800000 -> 00 00 80 40
//   5.0f    = 1.25  x 2^2   -> 0 10000001 010...  = 0x40A00000 -> 00 00 A0 40
//   1250.0f = 1.220703125 x 2^10 -> exponent 137 = 0x89, fraction
//             0.220703125 x 2^23 = 0x1C4000      = 0x449C4000 -> 00 40 9C 44
//
// TTS styles: `AudioMetaData::SwitchState::Robot_Vic_External_Processing` is
// `enum uint_32` (SW:19-24): Default_Processed = 1906807385 = 0x71A79259,
// Unprocessed = 860658140 = 0x334C99DC.
//
// The 1.6-based layout of TextToSpeechPrepare (no pitchScalar) is not in the
// tree above: it is E2R:616-623 without the float_32 at E2R:619, as the design
// notes (VECTOR-IPC.md, "Firmware families") describe those forks.

namespace {

const FirmwareLayout& v18() { return clad::layout_for(FirmwareFamily::kVector18); }
const FirmwareLayout& v16() { return clad::layout_for(FirmwareFamily::kVector16); }
const FirmwareLayout& unknown() { return clad::layout_for(FirmwareFamily::kUnknown); }

const char* why(const EncodeOutcome& result) { return result.error != nullptr ? result.error : "(no error)"; }

// Bytes an encoder must not leave behind: every output buffer starts full of
// them, so padding the encoder forgets to write shows up as 0xEE.
constexpr std::uint8_t kUnwritten = 0xEE;

using Encoder = std::function<EncodeOutcome(std::uint8_t* out, std::size_t capacity)>;

void check_encodes_to(const Encoder& encode, const std::uint8_t* expected, std::size_t expected_size) {
  std::vector<std::uint8_t> out(clad::kMaxAnimDatagramBytes + 64, kUnwritten);
  const EncodeOutcome result = encode(out.data(), out.size());
  CHECK_TEXT(result.ok(), why(result));
  UNSIGNED_LONGS_EQUAL(expected_size, result.size);
  MEMCMP_EQUAL(expected, out.data(), expected_size);
  BYTES_EQUAL(kUnwritten, out[expected_size]);
}

void check_refused(const EncodeOutcome& result, const char* cause) {
  CHECK_FALSE(result.ok());
  UNSIGNED_LONGS_EQUAL(0, result.size);
  STRCMP_CONTAINS(cause, result.error);
}

std::vector<std::uint8_t> joined(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> all;
  for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

std::vector<std::uint8_t> bytes_of(std::string_view text) {
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

bool within(std::string_view view, const std::uint8_t* bytes, std::size_t size) {
  const auto* begin = reinterpret_cast<const char*>(bytes);
  return view.data() >= begin && view.data() + view.size() <= begin + size;
}

// ------------------------------------------------------------ the datagrams

// PlayAnim("anim_greeting_hello_01", numLoops=1, startAt=0, tag=200,
// renderInEyeHue=1), union EngineToRobot playAnim = 0x50 (E2R:838),
// PlayAnim E2R:321-328:
//   tag                                   0x50          -> 50
//   uint_32 numLoops        = 1                         -> 01 00 00 00
//   uint_32 startAt_ms      = 0                         -> 00 00 00 00
//   uint_8  tag             = 200 = 0xC8                -> C8
//   bool    renderInEyeHue  = 1                         -> 01
//   string  animName: u8 length 22 = 0x16               -> 16
//           "anim_greeting_hello_01" in ASCII           -> 61 6E 69 6D 5F 67 72 65 65 74 69
//                                                          6E 67 5F 68 65 6C 6C 6F 5F 30 31
// 1 + 4 + 4 + 1 + 1 + 1 + 22 = 34 bytes.
constexpr std::uint8_t kPlayAnimGreeting[] = {
    0x50,                                                              // tag
    0x01, 0x00, 0x00, 0x00,                                            // numLoops
    0x00, 0x00, 0x00, 0x00,                                            // startAt_ms
    0xC8,                                                              // tag
    0x01,                                                              // renderInEyeHue
    0x16,                                                              // animName length
    0x61, 0x6E, 0x69, 0x6D, 0x5F, 0x67, 0x72, 0x65, 0x65, 0x74, 0x69,  // "anim_greeti"
    0x6E, 0x67, 0x5F, 0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x5F, 0x30, 0x31,  // "ng_hello_01"
};
static_assert(sizeof(kPlayAnimGreeting) == 34, "");

// PlayAnim("a", numLoops=0 (forever), startAt=1500, tag=7, renderInEyeHue=0):
//   tag 0x50                                            -> 50
//   uint_32 numLoops   = 0                              -> 00 00 00 00
//   uint_32 startAt_ms = 1500 = 0x000005DC              -> DC 05 00 00
//   uint_8  tag        = 7                              -> 07
//   bool    renderInEyeHue = 0                          -> 00
//   string  animName "a": length 1, 'a' = 0x61          -> 01 61
constexpr std::uint8_t kPlayAnimLoopForever[] = {0x50, 0x00, 0x00, 0x00, 0x00, 0xDC, 0x05,
                                                 0x00, 0x00, 0x07, 0x00, 0x01, 0x61};

// AbortAnimation, abortAnimation = 0x53 (E2R:841), E2R:332-335:
//   uint_8 tag = 200 -> C8
constexpr std::uint8_t kAbortAnimation200[] = {0x53, 0xC8};
//   uint_8 tag = 0 (whatever is playing, E2R:331) -> 00
constexpr std::uint8_t kAbortAnimationAny[] = {0x53, 0x00};

// SetFullAnimTrackLockState, setFullAnimTrackLockState = 0x51 (E2R:839),
// E2R:385-388: uint_8 trackLockState = HEAD_TRACK 0x01 | LIFT_TRACK 0x02 |
// BODY_TRACK 0x04 (ANIM:11-13) = 0x07 -> 07
constexpr std::uint8_t kLockHeadLiftBody[] = {0x51, 0x07};

// DrawTextOnScreen, drawTextOnScreen = 0x55 (E2R:843), E2R:483-491 with
// ColorRGB E2R:476-481 (uint_8 r, g, b):
//   bool     drawNow   = 0 (always: the face animates)  -> 00
//   ColorRGB textColor = (255, 128, 0)                  -> FF 80 00
//   ColorRGB bgColor   = (0, 0, 64)                     -> 00 00 40
//   string   text "Hi!": length 3, 'H' 'i' '!'          -> 03 48 69 21
constexpr std::uint8_t kDrawHi[] = {0x55, 0x00, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x40, 0x03, 0x48, 0x69, 0x21};

// TextToSpeechPrepare, 1.8 layout, textToSpeechPrepare = 0x92 (E2R:884),
// E2R:616-623:
//   Robot_Vic_External_Processing style = Default_Processed (uint_32, SW:21)
//            1906807385 = 0x71A79259                    -> 59 92 A7 71
//   float_32 durationScalar = 1.0f                      -> 00 00 80 3F
//   float_32 pitchScalar    = -0.25f                    -> 00 00 80 BE
//   TextToSpeechTriggerMode triggerMode = Manual (uint_8, TTS:27-33) = 2 -> 02
//   uint_8   ttsID = 42 = 0x2A                          -> 2A
//   int_8    text[1024] = "Hello." 48 65 6C 6C 6F 2E, then 1018 x 00
// 1 + 4 + 4 + 4 + 1 + 1 + 1024 = 1039 bytes.
constexpr std::uint8_t kPrepare18Head[] = {
    0x92,                                // tag
    0x59, 0x92, 0xA7, 0x71,              // style
    0x00, 0x00, 0x80, 0x3F,              // durationScalar
    0x00, 0x00, 0x80, 0xBE,              // pitchScalar
    0x02,                                // triggerMode
    0x2A,                                // ttsID
    0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x2E,  // "Hello.", the rest of text[1024] is zeros
};

// TextToSpeechPrepare, 1.6 layout (no pitchScalar):
//   style = Unprocessed (SW:23) 860658140 = 0x334C99DC  -> DC 99 4C 33
//   float_32 durationScalar = 0.5f                      -> 00 00 00 3F
//   triggerMode = Immediate = 1                         -> 01
//   uint_8 ttsID = 255                                  -> FF
//   int_8 text[1024] = "Hi" 48 69, then 1022 x 00
// 1 + 4 + 4 + 1 + 1 + 1024 = 1035 bytes.
constexpr std::uint8_t kPrepare16Head[] = {
    0x92,                    // tag
    0xDC, 0x99, 0x4C, 0x33,  // style
    0x00, 0x00, 0x00, 0x3F,  // durationScalar
    0x01,                    // triggerMode
    0xFF,                    // ttsID
    0x48, 0x69,              // "Hi", the rest of text[1024] is zeros
};

std::vector<std::uint8_t> padded(const std::uint8_t* head, std::size_t head_size, std::size_t total) {
  std::vector<std::uint8_t> datagram(head, head + head_size);
  datagram.resize(total, 0x00);
  return datagram;
}

// TextToSpeechPlay, textToSpeechPlay = 0x94 (E2R:886), E2R:628-630:
//   uint_8 ttsID = 42 -> 2A
constexpr std::uint8_t kPlay42[] = {0x94, 0x2A};
// TextToSpeechCancel, textToSpeechCancel = 0x95 (E2R:887), E2R:635-637:
//   uint_8 ttsID = 42 -> 2A
constexpr std::uint8_t kCancel42[] = {0x95, 0x2A};

// RobotAvailable, robotAvailable = 0xD4 (R2E:230), FAP:90-92: no fields.
constexpr std::uint8_t kRobotAvailable[] = {0xD4};

// AnimationStarted, animStarted = 0xD6 (R2E:232), FAP:46-50:
//   uint_8 tag = 200                                    -> C8
//   string animName "anim_greeting_hello_01" (22)      -> 16 61 6E ... 30 31
constexpr std::uint8_t kAnimationStarted[] = {
    0xD6, 0xC8, 0x16,                                                  // tag, animation tag, name length
    0x61, 0x6E, 0x69, 0x6D, 0x5F, 0x67, 0x72, 0x65, 0x65, 0x74, 0x69,  // "anim_greeti"
    0x6E, 0x67, 0x5F, 0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x5F, 0x30, 0x31,  // "ng_hello_01"
};

// AnimationEnded, animEnded = 0xD7 (R2E:233), FAP:52-58:
//   uint_32 streamTimeAnimEnded = 123456 = 0x0001E240   -> 40 E2 01 00
//   uint_8  tag = 200                                   -> C8
//   bool    wasAborted = 1                              -> 01
//   string  animName "anim_a": length 6                 -> 06 61 6E 69 6D 5F 61
constexpr std::uint8_t kAnimationEnded[] = {0xD7, 0x40, 0xE2, 0x01, 0x00, 0xC8, 0x01,
                                            0x06, 0x61, 0x6E, 0x69, 0x6D, 0x5F, 0x61};

// TextToSpeechEvent, textToSpeechEvent = 0xDB (R2E:241), FAP:67-72:
//   float_32 expectedDuration_ms = 1250.0f              -> 00 40 9C 44
//   uint_8   ttsID = 42                                 -> 2A
//   TextToSpeechState ttsState = Playable (uint_8, TTS:48-56) = 2 -> 02
constexpr std::uint8_t kTtsEventPlayable[] = {0xDB, 0x00, 0x40, 0x9C, 0x44, 0x2A, 0x02};

// TriggerWordDetected, triggerWordDetected = 0xD9 (R2E:238), R2E:58-65:
//   uint_32 triggerScore = 70000 = 0x00011170           -> 70 11 01 00
//   uint_16 direction = 12                              -> 0C 00
//   bool isButtonPress = 0, fromMute = 1, willOpenStream = 1 -> 00 01 01
// 1 + 4 + 2 + 3 = 10 bytes.
constexpr std::uint8_t kTriggerWordDetected[] = {0xD9, 0x70, 0x11, 0x01, 0x00, 0x0C, 0x00, 0x00, 0x01, 0x01};

// RobotState, state = 0xF0 (R2E:275), `structure RobotState` RSA:111-134.
// Datagram offsets (the tag is byte 0). Neighbours of the two fields we read
// are non-zero, so a read one byte off gives a different value.
constexpr std::uint8_t kRobotState[] = {
    0xF0,                    //   0 tag
    0x40, 0xE2, 0x01, 0x00,  //   1 uint_32 timestamp = 123456 = 0x0001E240
    0x07, 0x00, 0x00, 0x00,  //   5 uint_32 pose_frame_id = 7
    0x01, 0x00, 0x00, 0x00,  //   9 uint_32 pose_origin_id = 1
    // RobotPose pose (RSA:101-109), 6 x float_32:
    0x00, 0x00, 0x80, 0x3F,  //  13 x = 1.0f
    0x00, 0x00, 0x00, 0x3F,  //  17 y = 0.5f
    0x00, 0x00, 0x00, 0x00,  //  21 z = 0.0f
    0x00, 0x00, 0x80, 0xBE,  //  25 angle = -0.25f
    0x00, 0x00, 0x00, 0x00,  //  29 pitch_angle = 0.0f
    0x00, 0x00, 0x00, 0x00,  //  33 roll_angle = 0.0f
    0x00, 0x00, 0x00, 0x00,  //  37 float_32 lwheel_speed_mmps = 0.0f
    0x00, 0x00, 0x00, 0x00,  //  41 float_32 rwheel_speed_mmps = 0.0f
    0x00, 0x00, 0x80, 0xBE,  //  45 float_32 headAngle = -0.25f
    0x00, 0x00, 0x00, 0x3F,  //  49 float_32 liftAngle = 0.5f
    // AccelData accel (IMU:20-24), GyroData gyro (IMU:26-30): 3 x float_32 each
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3F,  //  53 accel (0, 0, 1.0f)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //  65 gyro (0, 0, 0)
    // IMUDataFrame imuData[6] (IMU:32-35): uint_32 timestamp + GyroData = 16 each
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //  77
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //  93
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 109
    0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 125
    0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 141
    0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 157
    0x00, 0x00, 0x80, 0x40,  // 173 float_32 batteryVoltage = 4.0f
    0x00, 0x00, 0xA0, 0x40,  // 177 float_32 chargerVoltage = 5.0f
    // 181 uint_32 status = IS_BUTTON_PRESSED 0x10 (RSA:19) | IS_ON_CHARGER 0x1000 (RSA:27)
    0x10, 0x10, 0x00, 0x00,                          // 181 status
    0xE8, 0x03, 0xE8, 0x03, 0xE8, 0x03, 0xE8, 0x03,  // 185 uint_16 cliffDataRaw[4] = 1000 each
    // ProxSensorDataRaw proxData (PROX:56-64):
    0x00, 0x00, 0xC0, 0x3F,  // 193 float_32 signalIntensity = 1.5f
    0x00, 0x00, 0x00, 0x3F,  // 197 float_32 ambientIntensity = 0.5f
    0x00, 0x00, 0x00, 0x40,  // 201 float_32 spadCount = 2.0f
    0x40, 0xE2, 0x01, 0x00,  // 205 uint_32 timestamp_ms = 123456
    0x2C, 0x01,              // 209 uint_16 distance_mm = 300 = 0x012C
    0xFF,                    // 211 RangeStatus rangeStatus = NO_UPDATE 255 (uint_8, PROX:53)
    0xA5,                    // 212 uint_8 padding (any value)
    0x34, 0x02,              // 213 uint_16 backpackTouchSensorRaw = 564 = 0x0234
    0x0F,                    // 215 uint_8 cliffDetectedFlags = 0x0F
    0x00,                    // 216 uint_8 whiteDetectedFlags = 0
    0x23,                    // 217 uint_8 battTemp_C = 35
    0xFF,                    // 218 int_8 currPathSegment = -1
};
static_assert(sizeof(kRobotState) == 219, "RobotState is 218 bytes plus its tag");

// AnimationState, animState = 0xF3 (R2E:280), FAP:33-37: lockedTracks 0x07,
// tracksInUse 0x03. Not a message the codec decodes.
constexpr std::uint8_t kAnimationState[] = {0xF3, 0x07, 0x03};

// CloudMic::Message `result` (MIC:71-89): a union with no explicit values, so
// tags count from 0 in declaration order: hotword 0, audio 1, audioDone 2,
// connectionCheck 3, stopSignal 4, testStarted 5, streamTimeout 6,
// connectionResult 7, debugFile 8, result 9. (vic-cloud's generated Go agrees:
// vector-cloud internal/clad/cloud/mic.go:468, MessageTag_Result // 9.)
// IntentResult (MIC:53-57):
//   tag                                                 -> 09
//   string intent "intent_greeting_hello": length 21    -> 15 69 6E 74 65 6E 74 5F 67 72 65
//                                                          65 74 69 6E 67 5F 68 65 6C 6C 6F
//   string[uint_16] parameters `{"a":1}`: length 7      -> 07 00 7B 22 61 22 3A 31 7D
//   string[uint_16] metadata "m": length 1              -> 01 00 6D
constexpr std::uint8_t kIntentResult[] = {
    0x09,                                                              // tag
    0x15,                                                              // intent length
    0x69, 0x6E, 0x74, 0x65, 0x6E, 0x74, 0x5F, 0x67, 0x72, 0x65, 0x65,  // "intent_gree"
    0x74, 0x69, 0x6E, 0x67, 0x5F, 0x68, 0x65, 0x6C, 0x6C, 0x6F,        // "ting_hello"
    0x07, 0x00,                                                        // parameters length
    0x7B, 0x22, 0x61, 0x22, 0x3A, 0x31, 0x7D,                          // {"a":1}
    0x01, 0x00,                                                        // metadata length
    0x6D,                                                              // "m"
};

// A result whose parameters are 300 bytes, so both bytes of the u16 length
// count: intent "i" -> 01 69; parameters length 300 = 0x012C -> 2C 01, then
// 300 x 'p' (0x70); metadata empty -> 00 00.
constexpr std::uint8_t kLongParametersHead[] = {0x09, 0x01, 0x69, 0x2C, 0x01};

// The greeting every Anki IPC client sends first: "ANKICONN" in ASCII.
constexpr std::uint8_t kAnkiconn[] = {0x41, 0x4E, 0x4B, 0x49, 0x43, 0x4F, 0x4E, 0x4E};

}  // namespace

// ---------------------------------------------------------------- encoders

TEST_GROUP(AnimMessageEncoding){};

TEST(AnimMessageEncoding, PlayAnimWorkedExampleMatchesTheCladLayout) {
  PlayAnim message;
  message.num_loops = 1;
  message.start_at_ms = 0;
  message.tag = 200;
  message.render_in_eye_hue = true;
  message.anim_name = "anim_greeting_hello_01";
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(v18(), message, out, n); },
                   kPlayAnimGreeting, sizeof(kPlayAnimGreeting));
}

TEST(AnimMessageEncoding, PlayAnimDefaultsAreTheCladDefaults) {
  // E2R:323-326: numLoops = 1, startAt_ms = 0, renderInEyeHue = 1.
  PlayAnim message;
  message.tag = 200;
  message.anim_name = "anim_greeting_hello_01";
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(v18(), message, out, n); },
                   kPlayAnimGreeting, sizeof(kPlayAnimGreeting));
}

TEST(AnimMessageEncoding, PlayAnimWritesLoopsAndStartTimeLittleEndian) {
  PlayAnim message;
  message.num_loops = 0;
  message.start_at_ms = 1500;
  message.tag = 7;
  message.render_in_eye_hue = false;
  message.anim_name = "a";
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(v18(), message, out, n); },
                   kPlayAnimLoopForever, sizeof(kPlayAnimLoopForever));
}

TEST(AnimMessageEncoding, AbortAnimationIsTagThenAnimationTag) {
  AbortAnimation message;
  message.tag = 200;
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(v18(), message, out, n); },
                   kAbortAnimation200, sizeof(kAbortAnimation200));
  const AbortAnimation whatever_is_playing;
  check_encodes_to([&](std::uint8_t* out,
                       std::size_t n) { return encode_outcome(v18(), whatever_is_playing, out, n); },
                   kAbortAnimationAny, sizeof(kAbortAnimationAny));
}

TEST(AnimMessageEncoding, TrackBitsAreTheAnimTrackFlagValues) {
  // ANIM:9-20.
  BYTES_EQUAL(0x01, clad::kTrackHead);
  BYTES_EQUAL(0x02, clad::kTrackLift);
  BYTES_EQUAL(0x04, clad::kTrackBody);
  BYTES_EQUAL(0x08, clad::kTrackFace);
  BYTES_EQUAL(0x10, clad::kTrackEvent);
  BYTES_EQUAL(0x20, clad::kTrackBackpack);
  BYTES_EQUAL(0x40, clad::kTrackAudio);
}

TEST(AnimMessageEncoding, SetFullAnimTrackLockStateIsTagThenBitmask) {
  SetFullAnimTrackLockState message;
  message.track_lock_state = clad::kTrackHead | clad::kTrackLift | clad::kTrackBody;
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(v18(), message, out, n); },
                   kLockHeadLiftBody, sizeof(kLockHeadLiftBody));
}

TEST(AnimMessageEncoding, DrawTextOnScreenIsFlagTwoColoursAndShortString) {
  DrawTextOnScreen message;
  message.text_color = {255, 128, 0};
  message.background_color = {0, 0, 64};
  message.text = "Hi!";
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(v18(), message, out, n); },
                   kDrawHi, sizeof(kDrawHi));
}

TEST(AnimMessageEncoding, TextToSpeechPrepareIsFixed1039BytesWithNulPaddedText) {
  TextToSpeechPrepare message;
  message.style = clad::kTtsStyleDefaultProcessed;
  message.duration_scalar = 1.0f;
  message.pitch_scalar = -0.25f;
  message.trigger_mode = TtsTriggerMode::kManual;
  message.tts_id = 42;
  message.text = "Hello.";
  const auto expected = padded(kPrepare18Head, sizeof(kPrepare18Head), 1039);
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(v18(), message, out, n); },
                   expected.data(), expected.size());
}

TEST(AnimMessageEncoding, TextToSpeechPrepareFor16IsFixed1035BytesWithoutPitchScalar) {
  TextToSpeechPrepare message;
  message.style = clad::kTtsStyleUnprocessed;
  message.duration_scalar = 0.5f;
  message.pitch_scalar = 0.75f;  // no such field on 1.6: must not reach the wire
  message.trigger_mode = TtsTriggerMode::kImmediate;
  message.tts_id = 255;
  message.text = "Hi";
  const auto expected = padded(kPrepare16Head, sizeof(kPrepare16Head), 1035);
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(v16(), message, out, n); },
                   expected.data(), expected.size());
}

TEST(AnimMessageEncoding, TtsStylesAreTheAudioSwitchStateValues) {
  // SW:19-24.
  UNSIGNED_LONGS_EQUAL(1906807385u, clad::kTtsStyleDefaultProcessed);
  UNSIGNED_LONGS_EQUAL(0x71A79259u, clad::kTtsStyleDefaultProcessed);
  UNSIGNED_LONGS_EQUAL(860658140u, clad::kTtsStyleUnprocessed);
  // TTS:27-33.
  BYTES_EQUAL(0, static_cast<std::uint8_t>(TtsTriggerMode::kInvalid));
  BYTES_EQUAL(1, static_cast<std::uint8_t>(TtsTriggerMode::kImmediate));
  BYTES_EQUAL(2, static_cast<std::uint8_t>(TtsTriggerMode::kManual));
  BYTES_EQUAL(3, static_cast<std::uint8_t>(TtsTriggerMode::kKeyframe));
}

TEST(AnimMessageEncoding, TextToSpeechPlayAndCancelAreTagThenTtsId) {
  TextToSpeechPlay play;
  play.tts_id = 42;
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(v18(), play, out, n); }, kPlay42,
                   sizeof(kPlay42));
  TextToSpeechCancel cancel;
  cancel.tts_id = 42;
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(v18(), cancel, out, n); },
                   kCancel42, sizeof(kCancel42));
}

TEST(AnimMessageEncoding, The16LayoutSharesThe18TagsForEveryOtherMessage) {
  PlayAnim play_anim;
  play_anim.tag = 200;
  play_anim.anim_name = "anim_greeting_hello_01";
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(v16(), play_anim, out, n); },
                   kPlayAnimGreeting, sizeof(kPlayAnimGreeting));
  TextToSpeechPlay play;
  play.tts_id = 42;
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(v16(), play, out, n); }, kPlay42,
                   sizeof(kPlay42));
  TextToSpeechCancel cancel;
  cancel.tts_id = 42;
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(v16(), cancel, out, n); },
                   kCancel42, sizeof(kCancel42));
}

TEST(AnimMessageEncoding, IntentResultIsTagNineThenThreeLengthPrefixedStrings) {
  const IntentResult result{"intent_greeting_hello", R"({"a":1})", "m"};
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(result, out, n); }, kIntentResult,
                   sizeof(kIntentResult));
}

TEST(AnimMessageEncoding, IntentResultParametersLengthIsLittleEndianU16) {
  const std::string parameters(300, 'p');
  const IntentResult result{"i", parameters, ""};
  const auto expected =
      joined({std::vector<std::uint8_t>(std::begin(kLongParametersHead), std::end(kLongParametersHead)),
              bytes_of(parameters),
              {0x00, 0x00}});
  check_encodes_to([&](std::uint8_t* out, std::size_t n) { return encode_outcome(result, out, n); },
                   expected.data(), expected.size());
}

// ---------------------------------------------------------------- refusals and boundaries

TEST_GROUP(AnimMessageEncoderLimits) {
  std::uint8_t out[clad::kMaxAnimDatagramBytes];

  TextToSpeechPrepare prepare(std::string_view text, std::uint8_t tts_id = 42) {
    TextToSpeechPrepare message;
    message.tts_id = tts_id;
    message.text = text;
    return message;
  }
};

TEST(AnimMessageEncoderLimits, EmptyOrAllSpaceTtsTextIsRefused) {
  // vic-anim reads before the string's start on such text
  // (animProcess/src/cozmoAnim/textToSpeech/textToSpeechComponent.cpp:139-144).
  check_refused(encode_outcome(v18(), prepare(""), out, sizeof(out)), "empty or only spaces");
  check_refused(encode_outcome(v18(), prepare(" "), out, sizeof(out)), "empty or only spaces");
  check_refused(encode_outcome(v18(), prepare("     "), out, sizeof(out)), "empty or only spaces");
  check_refused(encode_outcome(v18(), prepare(" \t\r\n "), out, sizeof(out)), "empty or only spaces");
  check_refused(encode_outcome(v16(), prepare("   "), out, sizeof(out)), "empty or only spaces");
}

TEST(AnimMessageEncoderLimits, TtsTextOf1024BytesIsRefused) {
  const std::string text(1024, 'a');
  check_refused(encode_outcome(v18(), prepare(text), out, sizeof(out)), "longer than 1023");
  check_refused(encode_outcome(v16(), prepare(text), out, sizeof(out)), "longer than 1023");
}

TEST(AnimMessageEncoderLimits, TtsTextOf1023BytesFillsTheFieldUpToItsNul) {
  const std::string text(1023, 'a');
  std::memset(out, kUnwritten, sizeof(out));
  const EncodeOutcome result = encode_outcome(v18(), prepare(text), out, sizeof(out));
  CHECK_TEXT(result.ok(), why(result));
  UNSIGNED_LONGS_EQUAL(1039, result.size);
  // The text field starts after tag, style, durationScalar, pitchScalar,
  // triggerMode and ttsID: 1 + 4 + 4 + 4 + 1 + 1 = 15.
  MEMCMP_EQUAL(text.data(), out + 15, 1023);
  BYTES_EQUAL(0x00, out[1038]);

  std::memset(out, kUnwritten, sizeof(out));
  const EncodeOutcome result16 = encode_outcome(v16(), prepare(text), out, sizeof(out));
  CHECK_TEXT(result16.ok(), why(result16));
  UNSIGNED_LONGS_EQUAL(1035, result16.size);
  MEMCMP_EQUAL(text.data(), out + 11, 1023);
  BYTES_EQUAL(0x00, out[1034]);
}

TEST(AnimMessageEncoderLimits, NulInsideTtsTextIsRefused) {
  using namespace std::string_view_literals;
  check_refused(encode_outcome(v18(), prepare("Hello\0world"sv), out, sizeof(out)), "NUL");
  check_refused(encode_outcome(v18(), prepare("Hello\0"sv), out, sizeof(out)), "NUL");
}

TEST(AnimMessageEncoderLimits, TtsIdZeroIsRefused) {
  check_refused(encode_outcome(v18(), prepare("Hello.", 0), out, sizeof(out)), "ttsID 0");
  check_refused(encode_outcome(v16(), prepare("Hello.", 0), out, sizeof(out)), "ttsID 0");
}

TEST(AnimMessageEncoderLimits, ClipNameOf256BytesIsRefusedAnd255IsAccepted) {
  const std::string too_long(256, 'x');
  PlayAnim message;
  message.anim_name = too_long;
  check_refused(encode_outcome(v18(), message, out, sizeof(out)), "longer than 255");

  const std::string longest(255, 'x');
  message.anim_name = longest;
  const EncodeOutcome result = encode_outcome(v18(), message, out, sizeof(out));
  CHECK_TEXT(result.ok(), why(result));
  UNSIGNED_LONGS_EQUAL(12 + 255, result.size);
  BYTES_EQUAL(0xFF, out[11]);  // the u8 length
  MEMCMP_EQUAL(longest.data(), out + 12, 255);
}

TEST(AnimMessageEncoderLimits, EmptyClipNameIsRefused) {
  const PlayAnim message;
  check_refused(encode_outcome(v18(), message, out, sizeof(out)), "clip name");
}

TEST(AnimMessageEncoderLimits, ScreenTextOf256BytesIsRefusedAnd255IsAccepted) {
  const std::string too_long(256, 'x');
  DrawTextOnScreen message;
  message.text = too_long;
  check_refused(encode_outcome(v18(), message, out, sizeof(out)), "longer than 255");

  const std::string longest(255, 'x');
  message.text = longest;
  const EncodeOutcome result = encode_outcome(v18(), message, out, sizeof(out));
  CHECK_TEXT(result.ok(), why(result));
  UNSIGNED_LONGS_EQUAL(1 + 1 + 3 + 3 + 1 + 255, result.size);
}

TEST(AnimMessageEncoderLimits, UnknownFirmwareRefusesEveryInjection) {
  PlayAnim play_anim;
  play_anim.anim_name = "anim_greeting_hello_01";
  check_refused(encode_outcome(unknown(), play_anim, out, sizeof(out)), "unknown");
  check_refused(encode_outcome(unknown(), AbortAnimation{}, out, sizeof(out)), "unknown");
  check_refused(encode_outcome(unknown(), SetFullAnimTrackLockState{}, out, sizeof(out)), "unknown");
  DrawTextOnScreen draw;
  draw.text = "Hi!";
  check_refused(encode_outcome(unknown(), draw, out, sizeof(out)), "unknown");
  check_refused(encode_outcome(unknown(), prepare("Hello."), out, sizeof(out)), "unknown");
  TextToSpeechPlay play;
  play.tts_id = 42;
  check_refused(encode_outcome(unknown(), play, out, sizeof(out)), "unknown");
  TextToSpeechCancel cancel;
  cancel.tts_id = 42;
  check_refused(encode_outcome(unknown(), cancel, out, sizeof(out)), "unknown");
}

TEST(AnimMessageEncoderLimits, BufferOneByteTooSmallIsRefusedForEveryMessage) {
  PlayAnim play_anim;
  play_anim.tag = 200;
  play_anim.anim_name = "anim_greeting_hello_01";
  DrawTextOnScreen draw;
  draw.text = "Hi!";
  TextToSpeechPlay play;
  play.tts_id = 42;
  TextToSpeechCancel cancel;
  cancel.tts_id = 42;
  const TextToSpeechPrepare hello = prepare("Hello.");
  const IntentResult intent{"intent_greeting_hello", R"({"a":1})", "m"};

  struct Case {
    const char* name;
    Encoder encode;
    std::size_t size;
  };
  constexpr const char* kTooSmall = "too small for the";
  const Case cases[] = {
      {"PlayAnim", [&](std::uint8_t* o, std::size_t n) { return encode_outcome(v18(), play_anim, o, n); }, 34},
      {"AbortAnimation",
       [&](std::uint8_t* o, std::size_t n) { return encode_outcome(v18(), AbortAnimation{}, o, n); }, 2},
      {"SetFullAnimTrackLockState",
       [&](std::uint8_t* o, std::size_t n) { return encode_outcome(v18(), SetFullAnimTrackLockState{}, o, n); },
       2},
      {"DrawTextOnScreen", [&](std::uint8_t* o, std::size_t n) { return encode_outcome(v18(), draw, o, n); }, 12},
      {"TextToSpeechPrepare 1.8",
       [&](std::uint8_t* o, std::size_t n) { return encode_outcome(v18(), hello, o, n); }, 1039},
      {"TextToSpeechPrepare 1.6",
       [&](std::uint8_t* o, std::size_t n) { return encode_outcome(v16(), hello, o, n); }, 1035},
      {"TextToSpeechPlay", [&](std::uint8_t* o, std::size_t n) { return encode_outcome(v18(), play, o, n); }, 2},
      {"TextToSpeechCancel", [&](std::uint8_t* o, std::size_t n) { return encode_outcome(v18(), cancel, o, n); },
       2},
      {"IntentResult", [&](std::uint8_t* o, std::size_t n) { return encode_outcome(intent, o, n); },
       sizeof(kIntentResult)},
  };
  for (const Case& c : cases) {
    // Buffers of exactly the capacity given, so a write past it is caught.
    std::vector<std::uint8_t> exact(c.size);
    const EncodeOutcome fits = c.encode(exact.data(), exact.size());
    CHECK_TEXT(fits.ok(), c.name);
    UNSIGNED_LONGS_EQUAL_TEXT(c.size, fits.size, c.name);

    std::vector<std::uint8_t> short_by_one(c.size - 1);
    const EncodeOutcome refused = c.encode(short_by_one.data(), short_by_one.size());
    CHECK_FALSE_TEXT(refused.ok(), c.name);
    UNSIGNED_LONGS_EQUAL_TEXT(0, refused.size, c.name);
    STRCMP_CONTAINS_TEXT(kTooSmall, refused.error, c.name);

    const EncodeOutcome none = c.encode(nullptr, 0);
    CHECK_FALSE_TEXT(none.ok(), c.name);
    UNSIGNED_LONGS_EQUAL_TEXT(0, none.size, c.name);
  }
}

TEST(AnimMessageEncoderLimits, IntentResultRefusesAnEmptyOrOverlongIntentName) {
  check_refused(encode_outcome(IntentResult{"", "{}", ""}, out, sizeof(out)), "1 to 255");
  const std::string too_long(256, 'i');
  check_refused(encode_outcome(IntentResult{too_long, "{}", ""}, out, sizeof(out)), "1 to 255");
}

TEST(AnimMessageEncoderLimits, IntentResultFitsVicEnginesReceiveBufferExactly) {
  // 1 tag + (1 + 1) intent "i" + (2 + P) parameters + (2 + 0) metadata = 4096
  // when P = 4089.
  std::vector<std::uint8_t> big(8192);
  const std::string fits(4089, 'p');
  const EncodeOutcome result = encode_outcome(IntentResult{"i", fits, ""}, big.data(), big.size());
  CHECK_TEXT(result.ok(), why(result));
  UNSIGNED_LONGS_EQUAL(4096, result.size);

  const std::string over(4090, 'p');
  check_refused(encode_outcome(IntentResult{"i", over, ""}, big.data(), big.size()), "4096");
}

// ---------------------------------------------------------------- decoders

TEST_GROUP(AnimMessageDecoding){};

TEST(AnimMessageDecoding, PlayAnimGivesItsAnimationTagAndClipName) {
  const EngineToAnimMessage m = clad::decode_engine_to_anim(v18(), kPlayAnimGreeting, sizeof(kPlayAnimGreeting));
  CHECK(m.kind == EngineToAnimMessage::Kind::kPlayAnim);
  POINTERS_EQUAL(nullptr, m.error);
  BYTES_EQUAL(0x50, m.tag);
  BYTES_EQUAL(200, m.anim_tag);
  CHECK(m.anim_name == "anim_greeting_hello_01");
  CHECK(within(m.anim_name, kPlayAnimGreeting, sizeof(kPlayAnimGreeting)));
  POINTERS_EQUAL(kPlayAnimGreeting + 12, m.anim_name.data());
}

// messageEngineToRobot.clad:439-443 (uint_8 streamType, bool
// playGetInFromAnimProcess), tag 0x99 at :893; KnowledgeGraph = 2 (mic.clad:7-11).
TEST(AnimMessageDecoding, StartWakeWordlessStreamingGivesItsStreamTypeIn18Only) {
  const std::uint8_t knowledge[] = {0x99, 0x02, 0x00};
  const EngineToAnimMessage m = clad::decode_engine_to_anim(v18(), knowledge, sizeof(knowledge));
  CHECK(m.kind == EngineToAnimMessage::Kind::kStartWakeWordlessStreaming);
  CHECK(m.stream_type == clad::StreamType::kKnowledgeGraph);
  const std::uint8_t short_one[] = {0x99, 0x02};
  CHECK(clad::decode_engine_to_anim(v18(), short_one, sizeof(short_one)).kind ==
        EngineToAnimMessage::Kind::kMalformed);
  // Unverified in the 1.6 rebuilds: not read there.
  CHECK(clad::decode_engine_to_anim(v16(), knowledge, sizeof(knowledge)).kind ==
        EngineToAnimMessage::Kind::kOther);
}

TEST(AnimMessageDecoding, AbortPlayAndCancelGiveTheirIds) {
  const EngineToAnimMessage abort = clad::decode_engine_to_anim(v18(), kAbortAnimation200, 2);
  CHECK(abort.kind == EngineToAnimMessage::Kind::kAbortAnimation);
  BYTES_EQUAL(200, abort.anim_tag);

  const EngineToAnimMessage play = clad::decode_engine_to_anim(v18(), kPlay42, 2);
  CHECK(play.kind == EngineToAnimMessage::Kind::kTextToSpeechPlay);
  BYTES_EQUAL(42, play.tts_id);

  const EngineToAnimMessage cancel = clad::decode_engine_to_anim(v18(), kCancel42, 2);
  CHECK(cancel.kind == EngineToAnimMessage::Kind::kTextToSpeechCancel);
  BYTES_EQUAL(42, cancel.tts_id);
}

TEST(AnimMessageDecoding, TextToSpeechPrepareGivesIdModeAndTextUpToItsNul) {
  const auto datagram = padded(kPrepare18Head, sizeof(kPrepare18Head), 1039);
  const EngineToAnimMessage m = clad::decode_engine_to_anim(v18(), datagram.data(), datagram.size());
  CHECK(m.kind == EngineToAnimMessage::Kind::kTextToSpeechPrepare);
  POINTERS_EQUAL(nullptr, m.error);
  BYTES_EQUAL(42, m.tts_id);
  CHECK(m.trigger_mode == TtsTriggerMode::kManual);
  CHECK(m.tts_text == "Hello.");
}

TEST(AnimMessageDecoding, TextToSpeechPrepareFor16HasNoPitchScalar) {
  const auto datagram = padded(kPrepare16Head, sizeof(kPrepare16Head), 1035);
  const EngineToAnimMessage m = clad::decode_engine_to_anim(v16(), datagram.data(), datagram.size());
  CHECK(m.kind == EngineToAnimMessage::Kind::kTextToSpeechPrepare);
  BYTES_EQUAL(255, m.tts_id);
  CHECK(m.trigger_mode == TtsTriggerMode::kImmediate);
  CHECK(m.tts_text == "Hi");
}

TEST(AnimMessageDecoding, TextToSpeechPrepareOfTheOtherFamilyIsMalformed) {
  const auto from18 = padded(kPrepare18Head, sizeof(kPrepare18Head), 1039);
  const EngineToAnimMessage on16 = clad::decode_engine_to_anim(v16(), from18.data(), from18.size());
  CHECK(on16.kind == EngineToAnimMessage::Kind::kMalformed);
  STRCMP_CONTAINS("longer", on16.error);

  const auto from16 = padded(kPrepare16Head, sizeof(kPrepare16Head), 1035);
  const EngineToAnimMessage on18 = clad::decode_engine_to_anim(v18(), from16.data(), from16.size());
  CHECK(on18.kind == EngineToAnimMessage::Kind::kMalformed);
  STRCMP_CONTAINS("shorter", on18.error);
}

TEST(AnimMessageDecoding, EngineMessagesWeDoNotReadAreOther) {
  const EngineToAnimMessage lock = clad::decode_engine_to_anim(v18(), kLockHeadLiftBody, 2);
  CHECK(lock.kind == EngineToAnimMessage::Kind::kOther);
  BYTES_EQUAL(0x51, lock.tag);
  POINTERS_EQUAL(nullptr, lock.error);
  const EngineToAnimMessage draw = clad::decode_engine_to_anim(v18(), kDrawHi, sizeof(kDrawHi));
  CHECK(draw.kind == EngineToAnimMessage::Kind::kOther);
  const EngineToAnimMessage empty = clad::decode_engine_to_anim(v18(), nullptr, 0);
  CHECK(empty.kind == EngineToAnimMessage::Kind::kOther);
  BYTES_EQUAL(0, empty.tag);
}

TEST(AnimMessageDecoding, RobotAvailableIsTheTagAlone) {
  const AnimToEngineMessage m = clad::decode_anim_to_engine(v18(), kRobotAvailable, 1);
  CHECK(m.kind == AnimToEngineMessage::Kind::kRobotAvailable);
  POINTERS_EQUAL(nullptr, m.error);
  BYTES_EQUAL(0xD4, m.tag);
}

TEST(AnimMessageDecoding, AnimationStartedGivesTagAndClipName) {
  const AnimToEngineMessage m = clad::decode_anim_to_engine(v18(), kAnimationStarted, sizeof(kAnimationStarted));
  CHECK(m.kind == AnimToEngineMessage::Kind::kAnimationStarted);
  POINTERS_EQUAL(nullptr, m.error);
  BYTES_EQUAL(200, m.anim_tag);
  CHECK(m.anim_name == "anim_greeting_hello_01");
  CHECK(within(m.anim_name, kAnimationStarted, sizeof(kAnimationStarted)));
}

TEST(AnimMessageDecoding, AnimationEndedGivesStreamTimeTagAbortAndClipName) {
  const AnimToEngineMessage m = clad::decode_anim_to_engine(v18(), kAnimationEnded, sizeof(kAnimationEnded));
  CHECK(m.kind == AnimToEngineMessage::Kind::kAnimationEnded);
  POINTERS_EQUAL(nullptr, m.error);
  UNSIGNED_LONGS_EQUAL(123456, m.stream_time_anim_ended);
  BYTES_EQUAL(200, m.anim_tag);
  CHECK_TRUE(m.was_aborted);
  CHECK(m.anim_name == "anim_a");
}

TEST(AnimMessageDecoding, TextToSpeechEventGivesDurationIdAndState) {
  const AnimToEngineMessage m = clad::decode_anim_to_engine(v18(), kTtsEventPlayable, sizeof(kTtsEventPlayable));
  CHECK(m.kind == AnimToEngineMessage::Kind::kTextToSpeechEvent);
  POINTERS_EQUAL(nullptr, m.error);
  DOUBLES_EQUAL(1250.0, m.expected_duration_ms, 0.0);
  BYTES_EQUAL(42, m.tts_id);
  CHECK(m.tts_state == TtsState::kPlayable);
}

TEST(AnimMessageDecoding, TtsStatesAreTheTextToSpeechStateValues) {
  // TTS:48-56.
  BYTES_EQUAL(0, static_cast<std::uint8_t>(TtsState::kInvalid));
  BYTES_EQUAL(1, static_cast<std::uint8_t>(TtsState::kPreparing));
  BYTES_EQUAL(2, static_cast<std::uint8_t>(TtsState::kPlayable));
  BYTES_EQUAL(3, static_cast<std::uint8_t>(TtsState::kPrepared));
  BYTES_EQUAL(4, static_cast<std::uint8_t>(TtsState::kPlaying));
  BYTES_EQUAL(5, static_cast<std::uint8_t>(TtsState::kFinished));
}

TEST(AnimMessageDecoding, TriggerWordDetectedIsTenBytesWithScoreDirectionAndFlags) {
  const AnimToEngineMessage m =
      clad::decode_anim_to_engine(v18(), kTriggerWordDetected, sizeof(kTriggerWordDetected));
  CHECK(m.kind == AnimToEngineMessage::Kind::kTriggerWordDetected);
  POINTERS_EQUAL(nullptr, m.error);
  UNSIGNED_LONGS_EQUAL(70000, m.trigger_score);
  UNSIGNED_LONGS_EQUAL(12, m.direction);
  CHECK_FALSE(m.is_button_press);
  CHECK_TRUE(m.from_mute);
  CHECK_TRUE(m.will_open_stream);
}

TEST(AnimMessageDecoding, RobotStateGivesStatusAt181AndBackpackTouchAt213) {
  for (FirmwareFamily family : {FirmwareFamily::kVector18, FirmwareFamily::kVector16,
                                FirmwareFamily::kVector16WithPitch, FirmwareFamily::kUnknown}) {
    const FirmwareLayout& layout = clad::layout_for(family);
    const AnimToEngineMessage m = clad::decode_anim_to_engine(layout, kRobotState, sizeof(kRobotState));
    CHECK_TEXT(m.kind == AnimToEngineMessage::Kind::kRobotState, layout.name.data());
    POINTERS_EQUAL(nullptr, m.error);
    UNSIGNED_LONGS_EQUAL(0x00001010u, m.robot_status);
    CHECK(m.robot_status & clad::kRobotStatusButtonPressed);
    UNSIGNED_LONGS_EQUAL(564, m.backpack_touch_raw);
  }
}

TEST(AnimMessageDecoding, ButtonFlagIsRobotStatusFlagIsButtonPressed) {
  // RSA:19.
  UNSIGNED_LONGS_EQUAL(0x00000010u, clad::kRobotStatusButtonPressed);
}

TEST(AnimMessageDecoding, AnimMessagesWeDoNotReadAreOther) {
  const AnimToEngineMessage m = clad::decode_anim_to_engine(v18(), kAnimationState, sizeof(kAnimationState));
  CHECK(m.kind == AnimToEngineMessage::Kind::kOther);
  BYTES_EQUAL(0xF3, m.tag);
  POINTERS_EQUAL(nullptr, m.error);
  const AnimToEngineMessage empty = clad::decode_anim_to_engine(v18(), nullptr, 0);
  CHECK(empty.kind == AnimToEngineMessage::Kind::kOther);
}

TEST_GROUP(CloudMicDecoding){};

TEST(CloudMicDecoding, ResultTagNineGivesIntentParametersAndMetadata) {
  const CloudMicMessage m = clad::decode_cloud_mic(kIntentResult, sizeof(kIntentResult));
  CHECK(m.kind == CloudMicMessage::Kind::kResult);
  POINTERS_EQUAL(nullptr, m.error);
  BYTES_EQUAL(9, m.tag);
  CHECK(m.result.intent == "intent_greeting_hello");
  CHECK(m.result.parameters == R"({"a":1})");
  CHECK(m.result.metadata == "m");
  CHECK(within(m.result.metadata, kIntentResult, sizeof(kIntentResult)));
}

TEST(CloudMicDecoding, ResultWithParametersOver255BytesReadsBothLengthBytes) {
  const std::string parameters(300, 'p');
  const auto datagram =
      joined({std::vector<std::uint8_t>(std::begin(kLongParametersHead), std::end(kLongParametersHead)),
              bytes_of(parameters),
              {0x00, 0x00}});
  const CloudMicMessage m = clad::decode_cloud_mic(datagram.data(), datagram.size());
  CHECK(m.kind == CloudMicMessage::Kind::kResult);
  CHECK(m.result.intent == "i");
  UNSIGNED_LONGS_EQUAL(300, m.result.parameters.size());
  CHECK(m.result.metadata.empty());
}

TEST(CloudMicDecoding, AnkiconnIsTheGreeting) {
  const CloudMicMessage m = clad::decode_cloud_mic(kAnkiconn, sizeof(kAnkiconn));
  CHECK(m.kind == CloudMicMessage::Kind::kGreeting);
  POINTERS_EQUAL(nullptr, m.error);
  CHECK(clad::kConnectionGreeting == std::string_view(reinterpret_cast<const char*>(kAnkiconn), 8));
}

TEST(CloudMicDecoding, OtherCloudMessagesAreOther) {
  // streamOpen = 11 (MIC:88) with session "s"; error = 10 (MIC:87) with
  // ErrorType Server 0 and extra "".
  const std::uint8_t stream_open[] = {0x0B, 0x01, 0x73};
  const std::uint8_t error[] = {0x0A, 0x00, 0x00};
  CHECK(clad::decode_cloud_mic(stream_open, sizeof(stream_open)).kind == CloudMicMessage::Kind::kOther);
  CHECK(clad::decode_cloud_mic(error, sizeof(error)).kind == CloudMicMessage::Kind::kOther);
  CHECK(clad::decode_cloud_mic(nullptr, 0).kind == CloudMicMessage::Kind::kOther);
}

// ---------------------------------------------------------------- firmware families

TEST_GROUP(FirmwareFamilies){};

TEST(FirmwareFamilies, NamesOfTheThreeFamiliesAreRecognised) {
  FirmwareFamily family = FirmwareFamily::kUnknown;
  CHECK_TRUE(clad::firmware_family_from_name("1.8", family));
  CHECK(family == FirmwareFamily::kVector18);
  CHECK_TRUE(clad::firmware_family_from_name("1.6", family));
  CHECK(family == FirmwareFamily::kVector16);
  CHECK_TRUE(clad::firmware_family_from_name("unknown", family));
  CHECK(family == FirmwareFamily::kUnknown);
}

TEST(FirmwareFamilies, GarbageNamesAreRejectedAndLeaveTheFamilyAlone) {
  using namespace std::string_view_literals;
  const std::string_view garbage[] = {"",    "1.7",     "1.8.0",   " 1.8",     "1.8 ", "v1.8", "18",
                                      "1,8", "UNKNOWN", "1.6\0"sv, "\xff\xfe", "1.88", "1."};
  for (std::string_view name : garbage) {
    FirmwareFamily family = FirmwareFamily::kVector16;
    CHECK_FALSE_TEXT(clad::firmware_family_from_name(name, family), std::string(name).c_str());
    CHECK(family == FirmwareFamily::kVector16);
  }
}

TEST(FirmwareFamilies, EveryFamilyListedOnceInOrderWithItsName) {
  std::size_t count = 0;
  const FirmwareLayout* const* layouts = clad::all_firmware_layouts(count);
  UNSIGNED_LONGS_EQUAL(4, count);
  CHECK(layouts[0]->family == FirmwareFamily::kVector18);
  CHECK(layouts[1]->family == FirmwareFamily::kVector16);
  CHECK(layouts[2]->family == FirmwareFamily::kVector16WithPitch);
  CHECK(layouts[3]->family == FirmwareFamily::kUnknown);
  for (std::size_t i = 0; i < count; ++i) {
    POINTERS_EQUAL(layouts[i], &clad::layout_for(layouts[i]->family));
    FirmwareFamily family = FirmwareFamily::kUnknown;
    CHECK_TRUE(clad::firmware_family_from_name(layouts[i]->name, family));
    CHECK(family == layouts[i]->family);
  }
  CHECK_TRUE(v18().can_inject);
  CHECK_TRUE(v16().can_inject);
  CHECK_FALSE(unknown().can_inject);
}

TEST(FirmwareFamilies, TagsAreTheExplicitUnionValuesOfTheClad) {
  for (FirmwareFamily family : {FirmwareFamily::kVector18, FirmwareFamily::kVector16, FirmwareFamily::kUnknown}) {
    const FirmwareLayout& l = clad::layout_for(family);
    BYTES_EQUAL(0x50, l.play_anim);                       // E2R:838
    BYTES_EQUAL(0x51, l.set_full_anim_track_lock_state);  // E2R:839
    BYTES_EQUAL(0x53, l.abort_animation);                 // E2R:841
    BYTES_EQUAL(0x55, l.draw_text_on_screen);             // E2R:843
    BYTES_EQUAL(0x92, l.text_to_speech_prepare);          // E2R:884
    BYTES_EQUAL(0x94, l.text_to_speech_play);             // E2R:886
    BYTES_EQUAL(0x95, l.text_to_speech_cancel);           // E2R:887
    BYTES_EQUAL(0xD4, l.robot_available);                 // R2E:230
    BYTES_EQUAL(0xD6, l.animation_started);               // R2E:232
    BYTES_EQUAL(0xD7, l.animation_ended);                 // R2E:233
    BYTES_EQUAL(0xD9, l.trigger_word_detected);           // R2E:238
    BYTES_EQUAL(0xDB, l.text_to_speech_event);            // R2E:241
    BYTES_EQUAL(0xF0, l.robot_state);                     // R2E:275
    BYTES_EQUAL(0xF3, l.animation_state);                 // R2E:280
    UNSIGNED_LONGS_EQUAL(219, l.robot_state_datagram_bytes);
    UNSIGNED_LONGS_EQUAL(181, l.robot_state_status_offset);
    UNSIGNED_LONGS_EQUAL(213, l.robot_state_backpack_touch_offset);
  }
}

TEST(FirmwareFamilies, AnimationStateIs3BytesOn18And7On16) {
  // 1.8 FAP:33-37: uint_8 lockedTracks, uint_8 tracksInUse; the 1.6 rebuild's
  // FAP puts uint_32 numProcAnimFaceKeyframes in front.
  UNSIGNED_LONGS_EQUAL(3, v18().animation_state_datagram_bytes);
  UNSIGNED_LONGS_EQUAL(7, v16().animation_state_datagram_bytes);
  UNSIGNED_LONGS_EQUAL(7, clad::layout_for(FirmwareFamily::kVector16WithPitch).animation_state_datagram_bytes);
}

TEST(FirmwareFamilies, TextToSpeechPrepareIs1039BytesOn18And1035On16) {
  UNSIGNED_LONGS_EQUAL(1039, clad::text_to_speech_prepare_datagram_bytes(v18()));
  UNSIGNED_LONGS_EQUAL(1035, clad::text_to_speech_prepare_datagram_bytes(v16()));
  UNSIGNED_LONGS_EQUAL(
      1039, clad::text_to_speech_prepare_datagram_bytes(clad::layout_for(FirmwareFamily::kVector16WithPitch)));
  CHECK_TRUE(v18().tts_prepare_has_pitch_scalar);
  CHECK_FALSE(v16().tts_prepare_has_pitch_scalar);
}
