#pragma once

#include "drivers/channel/agent_channel_messages.h"

namespace vic_r1::orchestrator {

// Where the orchestrator's commands go: the channel to the bridge on the
// robot, the virtual Vector in tests, a printer for `ask --standalone`.
class RobotPort {
 public:
  virtual ~RobotPort() = default;
  virtual void send(const channel::Command& command) = 0;
};

}  // namespace vic_r1::orchestrator
