#include "agent/conversation/system_prompt.h"

namespace vic_r1::conversation {

std::string build_system_prompt(const SystemPromptParts& parts) {
  if (parts.persona.empty()) return {};
  std::string prompt = parts.persona;
  if (parts.animations && !parts.emotions.empty()) {
    prompt +=
        "\n\nYou have a body and a face, and you can show how you feel while you talk. To show an "
        "emotion while you say a sentence, put {{playAnimationWI||EMOTION}} right before that sentence. "
        "To act an emotion out before you go on talking, write {{playAnimation||EMOTION}}. EMOTION is "
        "one of: ";
    for (std::size_t i = 0; i < parts.emotions.size(); ++i) {
      if (i > 0) prompt += ", ";
      prompt += parts.emotions[i];
    }
    prompt +=
        ". Use one or two of these in an answer, where they fit. They are commands for your body: "
        "never explain them or mention them.";
  }
  if (parts.conversation_mode) {
    prompt +=
        "\n\nWhen your answer ends with a question to the user and you want to hear their reply, "
        "write {{newVoiceRequest||now}} at the very end, and you will listen again.";
  }
  return prompt;
}

}  // namespace vic_r1::conversation
