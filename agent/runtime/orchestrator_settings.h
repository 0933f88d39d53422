#pragma once

#include "agent/orchestrator/answer_orchestrator.h"
#include "agent/speech/emotion_clips.h"
#include "platform/config/agent_config.h"

namespace vic_r1::runtime {

// What the orchestrator is given from the config, in one place for every
// way a question comes in (the agent on the robot, `ask --standalone`).
orchestrator::OrchestratorSettings settings_for(const platform::AgentConfig& config);

// The default emotion-to-clip table with the config's overrides.
speech::EmotionClips emotions_for(const platform::AgentConfig& config);

}  // namespace vic_r1::runtime
