#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "drivers/clad/firmware_layout.h"

namespace vic_r1::bridge {

// What vic-r1 was told of the robot's firmware before it saw any traffic.
struct FirmwareExpectation {
  enum class Source {
    kOwner,        // --firmware FAMILY: the wire must agree, but no probe is needed
    kVersionFile,  // /anki/etc/version: only a hint, the wire decides
  };
  clad::FirmwareFamily family = clad::FirmwareFamily::kVector18;
  Source source = Source::kVersionFile;
};

// Which message layout the bridge may inject in, confirmed from what the
// robot's own processes send, since vic-anim drops a message of the wrong
// size without a word and its firmware checks no hash (animProcessMessages.
// cpp:962-973). A version string cannot pin it: revisions of the 1.6
// rebuild are said to differ in TextToSpeechPrepare.
//
//  1. vic-anim's AnimationState, sent every other tick whatever it does
//     (animationStreamer.cpp:172, 1876-1885), is 3 bytes in the 1.8
//     codebase and 7 in the 1.6 one: it names the codebase.
//  2. In 1.8 every revision's TextToSpeechPrepare has pitchScalar (1039
//     bytes). In 1.6 it depends on the revision: vic-engine's own Prepare,
//     whenever it speaks, shows the size; until then a probe does: a Manual
//     Prepare of a short text, never played and cancelled at once, is
//     answered by vic-anim in the layout it was built with and dropped in
//     the other (textToSpeechComponent.cpp:535-560; Manual mode posts no
//     audio, :567-615).
//  3. Anything that contradicts what the owner named, or a size vic-r1 does
//     not know, leaves it forwarding only, and says so.
//
// Sans-I/O: fed datagrams and the probe's fate; the router sends the probe.
class LayoutConfirmation {
 public:
  enum class Status {
    kWaiting,    // no AnimationState yet: nothing is injected
    kProbing,    // 1.6: a TextToSpeechPrepare of probe_layout() should be tried
    kConfirmed,  // layout() is what the robot speaks
    kRefused,    // forwarding only; explanation() says why
  };

  // No vic-anim answer to a probe within this is no answer at all: it
  // handles engine messages every 33 ms tick.
  static constexpr std::uint64_t kProbeAnswerWithinMs = 1000;

  explicit LayoutConfirmation(FirmwareExpectation expectation);

  void on_anim_datagram(const std::uint8_t* bytes, std::size_t size);
  void on_engine_datagram(const std::uint8_t* bytes, std::size_t size);

  // kProbing: the layout to try a TextToSpeechPrepare in.
  const clad::FirmwareLayout& probe_layout() const;
  void on_probe_answered();
  void on_probe_unanswered();

  Status status() const { return status_; }
  bool confirmed() const { return status_ == Status::kConfirmed; }
  // The layout to speak once confirmed; until then the expected one, for
  // reading the robot's messages (whose tags do not differ).
  const clad::FirmwareLayout& layout() const { return *layout_; }
  // How the layout was decided, or why nothing is injected: for the log,
  // `status` and the agent.
  std::string_view explanation() const { return {explanation_, explanation_size_}; }
  // True once after each change of status, so the caller logs it once.
  bool take_change();

 private:
  void confirm(clad::FirmwareFamily family);
  void refuse();
  void explain(std::initializer_list<std::string_view> pieces);
  void explain_size(std::string_view before, std::size_t size, std::string_view after);

  FirmwareExpectation expectation_;
  Status status_ = Status::kWaiting;
  const clad::FirmwareLayout* layout_;
  const clad::FirmwareLayout* probe_layout_ = nullptr;
  std::size_t engine_prepare_bytes_ = 0;  // the size of vic-engine's own Prepare, once seen
  bool changed_ = true;
  char explanation_[256];
  std::size_t explanation_size_ = 0;
};

}  // namespace vic_r1::bridge
