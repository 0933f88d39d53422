// Standard and project headers before CppUTest's (its macros must not reach them).
#include <cstdint>
#include <string>
#include <vector>

#include "drivers/bridge/layout_confirmation.h"
#include "drivers/clad/firmware_layout.h"

#include <CppUTest/TestHarness.h>

using vic_r1::bridge::FirmwareExpectation;
using vic_r1::bridge::LayoutConfirmation;
using vic_r1::clad::FirmwareFamily;
using Status = LayoutConfirmation::Status;
using Bytes = std::vector<std::uint8_t>;

namespace {

// AnimationState (0xF3): 3 bytes in 1.8 (FAP:33-37), 7 in the 1.6 rebuilds.
const Bytes kAnimationState18 = {0xF3, 0x20, 0x00};
const Bytes kAnimationState16 = {0xF3, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00};

// vic-engine's own TextToSpeechPrepare (0x92), by size only.
Bytes engine_prepare(std::size_t size) {
  Bytes bytes(size, 0);
  bytes[0] = 0x92;
  return bytes;
}

FirmwareExpectation version_says(FirmwareFamily family) {
  return {family, FirmwareExpectation::Source::kVersionFile};
}
FirmwareExpectation owner_says(FirmwareFamily family) { return {family, FirmwareExpectation::Source::kOwner}; }

void anim(LayoutConfirmation& confirmation, const Bytes& datagram) {
  confirmation.on_anim_datagram(datagram.data(), datagram.size());
}
void engine(LayoutConfirmation& confirmation, const Bytes& datagram) {
  confirmation.on_engine_datagram(datagram.data(), datagram.size());
}
void check_family(const LayoutConfirmation& confirmation, FirmwareFamily family) {
  CHECK_TRUE(confirmation.status() == Status::kConfirmed);
  CHECK_TRUE(confirmation.layout().family == family);
}
std::string explanation(const LayoutConfirmation& confirmation) { return std::string(confirmation.explanation()); }

}  // namespace

TEST_GROUP(LayoutConfirmation){};

TEST(LayoutConfirmation, NothingIsConfirmedBeforeVicAnimsAnimationState) {
  LayoutConfirmation confirmation(version_says(FirmwareFamily::kVector18));
  CHECK_TRUE(confirmation.status() == Status::kWaiting);
  const Bytes robot_available = {0xD4};
  anim(confirmation, robot_available);
  CHECK_TRUE(confirmation.status() == Status::kWaiting);
  STRCMP_CONTAINS("waiting for vic-anim's AnimationState", explanation(confirmation).c_str());
}

TEST(LayoutConfirmation, AThreeByteAnimationStateConfirms18) {
  LayoutConfirmation confirmation(version_says(FirmwareFamily::kVector18));
  anim(confirmation, kAnimationState18);
  check_family(confirmation, FirmwareFamily::kVector18);
  STRCMP_CONTAINS("3 bytes", explanation(confirmation).c_str());
}

TEST(LayoutConfirmation, TheWireOverridesAVersionHint) {
  // The version file says 1.8, vic-anim speaks 1.6: the 1.6 layout is probed.
  LayoutConfirmation confirmation(version_says(FirmwareFamily::kVector18));
  anim(confirmation, kAnimationState16);
  CHECK_TRUE(confirmation.status() == Status::kProbing);
  CHECK_TRUE(confirmation.probe_layout().family == FirmwareFamily::kVector16);
  // And a 1.6 version file does not pin the 1.6 TextToSpeechPrepare either.
  LayoutConfirmation from_16(version_says(FirmwareFamily::kVector16));
  anim(from_16, kAnimationState16);
  CHECK_TRUE(from_16.status() == Status::kProbing);
}

TEST(LayoutConfirmation, TheOwnersChoiceMustAgreeWithTheWire) {
  LayoutConfirmation named_18(owner_says(FirmwareFamily::kVector18));
  anim(named_18, kAnimationState16);
  CHECK_TRUE(named_18.status() == Status::kRefused);
  STRCMP_CONTAINS("does not fit the --firmware given", explanation(named_18).c_str());

  LayoutConfirmation named_16(owner_says(FirmwareFamily::kVector16WithPitch));
  anim(named_16, kAnimationState16);
  check_family(named_16, FirmwareFamily::kVector16WithPitch);
}

TEST(LayoutConfirmation, UnknownIsForwardOnlyFromTheStart) {
  LayoutConfirmation confirmation(owner_says(FirmwareFamily::kUnknown));
  CHECK_TRUE(confirmation.status() == Status::kRefused);
  anim(confirmation, kAnimationState18);
  CHECK_TRUE(confirmation.status() == Status::kRefused);
}

TEST(LayoutConfirmation, AnAnimationStateOfAnotherSizeIsRefused) {
  LayoutConfirmation confirmation(version_says(FirmwareFamily::kVector18));
  anim(confirmation, Bytes{0xF3, 1, 2, 3, 4});
  CHECK_TRUE(confirmation.status() == Status::kRefused);
  STRCMP_CONTAINS("5-byte AnimationState", explanation(confirmation).c_str());
}

TEST(LayoutConfirmation, TheProbeTriesWithoutPitchThenWithAndGivesUp) {
  LayoutConfirmation answered_first(version_says(FirmwareFamily::kVector16));
  anim(answered_first, kAnimationState16);
  answered_first.on_probe_answered();
  check_family(answered_first, FirmwareFamily::kVector16);

  LayoutConfirmation answered_second(version_says(FirmwareFamily::kVector16));
  anim(answered_second, kAnimationState16);
  answered_second.on_probe_unanswered();
  CHECK_TRUE(answered_second.status() == Status::kProbing);
  CHECK_TRUE(answered_second.probe_layout().family == FirmwareFamily::kVector16WithPitch);
  answered_second.on_probe_answered();
  check_family(answered_second, FirmwareFamily::kVector16WithPitch);

  LayoutConfirmation never(version_says(FirmwareFamily::kVector16));
  anim(never, kAnimationState16);
  never.on_probe_unanswered();
  never.on_probe_unanswered();
  CHECK_TRUE(never.status() == Status::kRefused);
  STRCMP_CONTAINS("forwarding only", explanation(never).c_str());
}

TEST(LayoutConfirmation, VicEnginesOwnPrepareSettlesThe16Layout) {
  LayoutConfirmation probing(version_says(FirmwareFamily::kVector16));
  anim(probing, kAnimationState16);
  engine(probing, engine_prepare(1039));
  check_family(probing, FirmwareFamily::kVector16WithPitch);

  // Seen before the codebase is known, it is used once it is.
  LayoutConfirmation early(version_says(FirmwareFamily::kVector16));
  engine(early, engine_prepare(1035));
  CHECK_TRUE(early.status() == Status::kWaiting);
  anim(early, kAnimationState16);
  check_family(early, FirmwareFamily::kVector16);
}

TEST(LayoutConfirmation, AnEnginePrepareThatContradictsTheLayoutStopsInjection) {
  LayoutConfirmation confirmation(version_says(FirmwareFamily::kVector18));
  anim(confirmation, kAnimationState18);
  engine(confirmation, engine_prepare(1039));
  check_family(confirmation, FirmwareFamily::kVector18);
  engine(confirmation, engine_prepare(1035));
  CHECK_TRUE(confirmation.status() == Status::kRefused);
  STRCMP_CONTAINS("1035-byte TextToSpeechPrepare", explanation(confirmation).c_str());
}

TEST(LayoutConfirmation, An18CodebaseOfAnUnknownVersionIsProbed) {
  LayoutConfirmation confirmation(version_says(FirmwareFamily::kUnknown));
  anim(confirmation, kAnimationState18);
  CHECK_TRUE(confirmation.status() == Status::kProbing);
  CHECK_TRUE(confirmation.probe_layout().family == FirmwareFamily::kVector18);
  confirmation.on_probe_unanswered();
  CHECK_TRUE(confirmation.status() == Status::kRefused);
}

TEST(LayoutConfirmation, EachChangeIsTakenOnce) {
  LayoutConfirmation confirmation(version_says(FirmwareFamily::kVector18));
  CHECK_TRUE(confirmation.take_change());
  CHECK_FALSE(confirmation.take_change());
  anim(confirmation, kAnimationState18);
  CHECK_TRUE(confirmation.take_change());
  anim(confirmation, kAnimationState18);
  CHECK_FALSE(confirmation.take_change());
}
