#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vic_r1::clad {

// Vector's processes check no hash of their CLAD definitions against each
// other: vic-anim silently drops a message whose size does not match the
// layout it was built with (animProcessMessages.cpp:962-973). So the layouts
// we speak are data, one table per firmware family, and which one a robot
// speaks is confirmed from what its own processes send (LayoutConfirmation),
// never taken from a version string alone.
enum class FirmwareFamily {
  kVector18,           // 1.8 official, OSKR, wire-os-victor
  kVector16,           // 1.6 rebuilds: TextToSpeechPrepare without pitchScalar
  kVector16WithPitch,  // a 1.6 revision with pitchScalar, should one exist
  kUnknown,            // forward only, inject nothing
};

// The tags and sizes of the messages vic-r1 sends to vic-anim and reads on
// their way to vic-engine, for one firmware family. Tags come from the
// explicit values in messageEngineToRobot.clad (union EngineToRobot) and
// messageRobotToEngine.clad (union RobotToEngine).
struct FirmwareLayout {
  FirmwareFamily family;
  std::string_view name;         // as the user writes it in --firmware and as status prints it
  std::string_view description;  // what the family is, for logs
  bool can_inject;               // false: forward only

  // Engine -> anim.
  std::uint8_t play_anim;
  std::uint8_t set_full_anim_track_lock_state;
  std::uint8_t abort_animation;
  std::uint8_t draw_text_on_screen;
  std::uint8_t text_to_speech_prepare;
  std::uint8_t text_to_speech_play;
  std::uint8_t text_to_speech_cancel;
  bool tts_prepare_has_pitch_scalar;
  // FakeWakeWordFromExternalInterface: no fields. vic-anim runs its own
  // trigger-word path on it, as for the backpack button (micDataSystem.cpp:
  // 278-311): the listening get-in, TriggerWordDetected to the engine, and a
  // Normal stream to vic-cloud.
  std::uint8_t fake_wake_word;
  // SetTriggerWordResponse, read on its way to vic-anim: whether a trigger
  // word would start a stream at all (showAudioStreamStateManager.cpp:67-76,
  // 172-183).
  std::uint8_t set_trigger_word_response;
  // StartWakeWordlessStreaming {uint_8 streamType, bool
  // playGetInFromAnimProcess}, read on its way to vic-anim: the engine asks
  // for a stream without a wake word, a KnowledgeGraph one for "I have a
  // question" (behaviorKnowledgeGraphQuestion.cpp:275-280). 0 where the
  // family's layout is unverified: then it is never read or rewritten.
  std::uint8_t start_wakewordless_streaming;

  // Anim -> engine.
  std::uint8_t robot_available;
  std::uint8_t animation_started;
  std::uint8_t animation_ended;
  std::uint8_t trigger_word_detected;
  std::uint8_t text_to_speech_event;
  std::uint8_t robot_state;
  std::uint8_t animation_state;
  // AnimationState, sent by vic-anim every other tick whatever it does
  // (animationStreamer.cpp:172, 1876-1885): its size tells the codebases
  // apart, 3 bytes in 1.8 (messageFromAnimProcess.clad:33-37), 7 in 1.6,
  // which adds a uint_32 numProcAnimFaceKeyframes.
  std::size_t animation_state_datagram_bytes;

  // RobotState (a structure sent whole as the union member): its size with
  // the tag byte, and where the two fields we read sit in the datagram.
  std::size_t robot_state_datagram_bytes;
  std::size_t robot_state_status_offset;          // uint_32 status (RobotStatusFlag)
  std::size_t robot_state_backpack_touch_offset;  // uint_16 backpackTouchSensorRaw
};

// The size with the tag byte of TextToSpeechPrepare in this layout.
std::size_t text_to_speech_prepare_datagram_bytes(const FirmwareLayout& layout);

const FirmwareLayout& layout_for(FirmwareFamily family);

// The family a --firmware value or a config names ("1.8", "1.6",
// "1.6-pitch", "unknown"); false when the name is none of them.
bool firmware_family_from_name(std::string_view name, FirmwareFamily& family);

// Every family, for `--firmware list` and `vic-r1 version`.
const FirmwareLayout* const* all_firmware_layouts(std::size_t& count);

}  // namespace vic_r1::clad
