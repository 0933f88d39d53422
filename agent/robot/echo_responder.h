#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "drivers/channel/agent_channel_messages.h"

namespace vic_r1::robot {

// The smallest agent that proves the path from the robot's ears to its
// voice: it answers each question with "I heard: <question>" through
// vic-anim's text to speech, and stops talking on the wake word, a touch on
// its back or the backpack button. Sans-I/O: fed channel events, it returns
// the commands to send; the commands' string views point into this object
// and stay valid until the next call.
class EchoResponder {
 public:
  const std::vector<channel::Command>& on_event(const channel::Event& event);

  bool speaking() const { return utterance_ != 0; }

 private:
  void say(std::string_view text);
  void stop_speaking();

  std::vector<channel::Command> commands_;
  std::string sentence_;
  std::uint32_t next_handle_ = 1;
  std::uint32_t utterance_ = 0;  // the handle of what is being said, 0 when silent
};

}  // namespace vic_r1::robot
