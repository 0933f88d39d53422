#include "drivers/bridge/layout_confirmation.h"

#include <charconv>
#include <cstring>

namespace vic_r1::bridge {
namespace {

using clad::FirmwareFamily;
using clad::layout_for;

bool same_codebase(FirmwareFamily a, FirmwareFamily b) {
  const auto is_16 = [](FirmwareFamily family) {
    return family == FirmwareFamily::kVector16 || family == FirmwareFamily::kVector16WithPitch;
  };
  return a == b || (is_16(a) && is_16(b));
}

std::string_view size_text(std::size_t size, char (&digits)[24]) {
  const auto end = std::to_chars(digits, digits + sizeof(digits), size);
  return {digits, static_cast<std::size_t>(end.ptr - digits)};
}

}  // namespace

LayoutConfirmation::LayoutConfirmation(FirmwareExpectation expectation)
    : expectation_(expectation), layout_(&layout_for(expectation.family)) {
  if (expectation_.family == FirmwareFamily::kUnknown) {
    layout_ = &layout_for(FirmwareFamily::kVector18);  // for reading only
    if (expectation_.source == FirmwareExpectation::Source::kOwner) {
      status_ = Status::kRefused;
      explain({"--firmware unknown: forwarding only, nothing is injected"});
      return;
    }
  }
  explain({"waiting for vic-anim's AnimationState to confirm the firmware's message layout"});
}

void LayoutConfirmation::on_anim_datagram(const std::uint8_t* bytes, std::size_t size) {
  if (status_ != Status::kWaiting || size == 0 || bytes[0] != layout_->animation_state) return;
  FirmwareFamily codebase = FirmwareFamily::kUnknown;
  if (size == layout_for(FirmwareFamily::kVector18).animation_state_datagram_bytes) {
    codebase = FirmwareFamily::kVector18;
  } else if (size == layout_for(FirmwareFamily::kVector16).animation_state_datagram_bytes) {
    codebase = FirmwareFamily::kVector16;
  } else {
    explain_size("vic-anim sends a ", size,
                 "-byte AnimationState, a layout vic-r1 does not know (1.8: 3, 1.6: 7): "
                 "forwarding only, nothing is injected");
    refuse();
    return;
  }
  const bool owner_named = expectation_.source == FirmwareExpectation::Source::kOwner;
  if (owner_named && !same_codebase(codebase, expectation_.family)) {
    explain_size("vic-anim sends a ", size,
                 "-byte AnimationState, which does not fit the "
                 "--firmware given: forwarding only; run with --firmware auto");
    refuse();
    return;
  }
  const bool version_known = expectation_.family != FirmwareFamily::kUnknown;
  if (codebase == FirmwareFamily::kVector18 && (owner_named || version_known)) {
    explain(
        {"vic-anim's AnimationState is 3 bytes: the 1.8 codebase, whose "
         "TextToSpeechPrepare has pitchScalar"});
    confirm(FirmwareFamily::kVector18);
  } else if (codebase == FirmwareFamily::kVector18) {
    // A build vic-r1 has no version for: its TextToSpeechPrepare is asked.
    explain(
        {"vic-anim's AnimationState is 3 bytes: the 1.8 codebase of a version vic-r1 "
         "does not know; probing its TextToSpeechPrepare"});
    probe_layout_ = &layout_for(FirmwareFamily::kVector18);
    status_ = Status::kProbing;
    changed_ = true;
  } else if (owner_named) {
    explain({"vic-anim's AnimationState is 7 bytes, the 1.6 codebase, as --firmware says"});
    confirm(expectation_.family);
  } else {
    explain(
        {"vic-anim's AnimationState is 7 bytes: the 1.6 codebase; probing whether its "
         "TextToSpeechPrepare has pitchScalar"});
    probe_layout_ = &layout_for(FirmwareFamily::kVector16);
    status_ = Status::kProbing;
    changed_ = true;
  }
  // vic-engine may have spoken already: its Prepare confirms or contradicts.
  if (engine_prepare_bytes_ != 0) on_engine_datagram(nullptr, 0);
}

void LayoutConfirmation::on_engine_datagram(const std::uint8_t* bytes, std::size_t size) {
  if (bytes != nullptr) {
    if (size == 0 || bytes[0] != layout_->text_to_speech_prepare) return;
    engine_prepare_bytes_ = size;
  }
  const std::size_t with_pitch =
      clad::text_to_speech_prepare_datagram_bytes(layout_for(FirmwareFamily::kVector16WithPitch));
  const std::size_t without_pitch =
      clad::text_to_speech_prepare_datagram_bytes(layout_for(FirmwareFamily::kVector16));
  switch (status_) {
    case Status::kWaiting:
    case Status::kRefused:
      return;  // remembered, if waiting, for when the codebase is known
    case Status::kProbing: {
      const bool codebase_16 = probe_layout_->family != FirmwareFamily::kVector18;
      if (engine_prepare_bytes_ == with_pitch) {
        explain({"vic-engine's own TextToSpeechPrepare is 1039 bytes, with pitchScalar"});
        confirm(codebase_16 ? FirmwareFamily::kVector16WithPitch : FirmwareFamily::kVector18);
      } else if (engine_prepare_bytes_ == without_pitch && codebase_16) {
        explain(
            {"the 1.6 codebase; vic-engine's own TextToSpeechPrepare is 1035 bytes, "
             "without pitchScalar"});
        confirm(FirmwareFamily::kVector16);
      }
      return;
    }
    case Status::kConfirmed:
      if (engine_prepare_bytes_ == clad::text_to_speech_prepare_datagram_bytes(*layout_)) return;
      explain_size("vic-engine sends a ", engine_prepare_bytes_,
                   "-byte TextToSpeechPrepare, not the layout vic-r1 confirmed: forwarding only, "
                   "nothing is injected");
      refuse();
      return;
  }
}

const clad::FirmwareLayout& LayoutConfirmation::probe_layout() const {
  return probe_layout_ != nullptr ? *probe_layout_ : *layout_;
}

void LayoutConfirmation::on_probe_answered() {
  if (status_ != Status::kProbing) return;
  explain_size("vic-anim answered a ", clad::text_to_speech_prepare_datagram_bytes(*probe_layout_),
               "-byte TextToSpeechPrepare");
  confirm(probe_layout_->family);
}

void LayoutConfirmation::on_probe_unanswered() {
  if (status_ != Status::kProbing) return;
  // In the 1.6 codebase, without pitchScalar (every revision found) is tried
  // first, then with it.
  if (probe_layout_->family == FirmwareFamily::kVector16) {
    probe_layout_ = &layout_for(FirmwareFamily::kVector16WithPitch);
    return;
  }
  explain(
      {"vic-anim answered no TextToSpeechPrepare layout vic-r1 knows (1039 or 1035 "
       "bytes): forwarding only, nothing is injected"});
  refuse();
}

bool LayoutConfirmation::take_change() {
  const bool changed = changed_;
  changed_ = false;
  return changed;
}

void LayoutConfirmation::confirm(FirmwareFamily family) {
  layout_ = &layout_for(family);
  probe_layout_ = nullptr;
  status_ = Status::kConfirmed;
  changed_ = true;
}

void LayoutConfirmation::refuse() {
  probe_layout_ = nullptr;
  status_ = Status::kRefused;
  changed_ = true;
}

void LayoutConfirmation::explain(std::initializer_list<std::string_view> pieces) {
  explanation_size_ = 0;
  for (std::string_view piece : pieces) {
    const std::size_t room = sizeof(explanation_) - explanation_size_;
    const std::size_t size = piece.size() < room ? piece.size() : room;
    std::memcpy(explanation_ + explanation_size_, piece.data(), size);
    explanation_size_ += size;
  }
}

void LayoutConfirmation::explain_size(std::string_view before, std::size_t size, std::string_view after) {
  char digits[24];
  explain({before, size_text(size, digits), after});
}

}  // namespace vic_r1::bridge
