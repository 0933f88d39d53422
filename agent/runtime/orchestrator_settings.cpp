#include "agent/runtime/orchestrator_settings.h"

namespace vic_r1::runtime {

orchestrator::OrchestratorSettings settings_for(const platform::AgentConfig& config) {
  orchestrator::OrchestratorSettings settings;
  settings.thinking.clip = config.thinking_animation;
  settings.thinking.progress_clips = config.thinking_progress_animations;
  settings.thinking.progress_every = config.thinking_progress_every;
  settings.conversation_mode = config.conversation_mode;
  settings.voice.duration_scalar = config.voice_duration_scalar;
  settings.voice.pitch_scalar = config.voice_pitch_scalar;
  settings.history.max_turns = static_cast<std::size_t>(config.history_turns);
  settings.history.max_bytes = static_cast<std::size_t>(config.history_bytes);
  settings.history.forget_after = config.history_forget_after;
  return settings;
}

speech::EmotionClips emotions_for(const platform::AgentConfig& config) {
  speech::EmotionClips emotions = speech::EmotionClips::defaults();
  for (const auto& [name, clips] : config.emotions) emotions.set(name, clips);
  return emotions;
}

}  // namespace vic_r1::runtime
