#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vic_r1::conversation {

// What the system prompt is made of. This is how R1 learns to animate and
// to ask back: the action vocabulary is the markup wire-pod's users already
// know, so prompts written for wire-pod keep working.
struct SystemPromptParts {
  // Who Vector is and how to speak (the config's `system_prompt`; the
  // default asks for short plain sentences). Empty: no system message at all.
  std::string persona;
  bool animations = true;                  // describe {{playAnimationWI||…}} and {{playAnimation||…}}
  std::vector<std::string_view> emotions;  // the names the markup may use
  bool conversation_mode = true;           // describe {{newVoiceRequest||now}}
};

std::string build_system_prompt(const SystemPromptParts& parts);

}  // namespace vic_r1::conversation
