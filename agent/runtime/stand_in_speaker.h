#pragma once

#include <deque>
#include <functional>
#include <string>

#include "agent/orchestrator/robot_port.h"
#include "drivers/channel/agent_channel_messages.h"

namespace vic_r1::runtime {

// The robot's part for `ask --standalone`, where there is no robot: it
// acknowledges what the orchestrator sends as vic-anim would, so the
// orchestrator's real speech path runs and each sentence is "spoken" (its
// listener told) in the order and at the moment Vector would say it.
//   Prepare -> Prepared;  Play -> Playing, Finished;
//   PlayAnimation -> AnimationStarted, and AnimationEnded unless it loops
//   until aborted; Abort or ReleaseAll -> AnimationEnded (aborted) of each
//   clip still playing; what needs a robot (listening again, the face,
//   intents) -> CommandFailed, saying so.
//
// The answers are never given from inside send() (the orchestrator is in
// the middle of a step then): they are queued, `wake` is called, and the
// owner hands them over from its event loop with deliver().
class StandInSpeaker final : public orchestrator::RobotPort {
 public:
  explicit StandInSpeaker(std::function<void()> wake);

  void send(const channel::Command& command) override;

  // Gives every queued event to `handler`, in order. Events caused by the
  // handler's own commands wait for the next deliver().
  void deliver(const std::function<void(const channel::Event&)>& handler);
  bool has_pending() const { return !pending_.empty(); }

 private:
  struct Pending {
    channel::Event event;
    std::string text;  // what event.text views, owned here until delivery
  };

  void queue(channel::Event event, std::string text = {});
  void end_clip(std::uint32_t handle, bool aborted);

  std::function<void()> wake_;
  std::deque<Pending> pending_;
  std::deque<std::uint32_t> looping_clips_;  // started, ended only by an abort
};

}  // namespace vic_r1::runtime
