#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "drivers/channel/agent_channel_messages.h"
#include "drivers/clad/cloud_mic_messages.h"

namespace vic_r1::intent {

// Which intents from vic-cloud carry a question the agent answers, and what
// vic-engine gets instead so that its own handling of the question ends
// quietly. Read from the engine's behaviour sources (wire-os-victor):
//
// - An unmatched request ("Hey Vector, why is the sky blue?") arrives as
//   intent_system_unmatched with the transcript in `metadata` ("text: <q>
//   confidence: <f>  handler: <svc>"), which vic-engine never reads
//   (userIntentComponent.cpp reads only `intent` and `parameters`). Passed
//   on, it would count towards the engine's unmatched-intent reactions; we
//   send intent_system_noaudio instead, which ReactToVoiceCommand consumes as
//   "silence": listening ends with the neutral get-out, no speech, no
//   "confused" reaction and no cloud-error count
//   (behaviorReactToVoiceCommand.cpp, UpdateUserIntentStatus and
//   TransitionToIntentReceived).
// - A knowledge-graph answer (intent_knowledge_response_extend, the reply in
//   a KnowledgeGraphQuestion session) carries the question as `query_text`
//   in its JSON parameters. The engine would speak `answer`; we send
//   intent_knowledge_no_response, which that behaviour consumes and ends
//   without speech (behaviorKnowledgeGraphQuestion.cpp, ConsumeResponse).
//   intent_system_noaudio must not go there: that behaviour leaves it
//   unclaimed and the engine then plays its "confused" reaction.
struct QuestionIntentPolicy {
  std::vector<std::string> text_in_metadata_intents{"intent_system_unmatched"};
  std::vector<std::string> knowledge_response_intents{"intent_knowledge_response_extend"};
  std::string close_unmatched_with{"intent_system_noaudio"};
  std::string close_knowledge_with{"intent_knowledge_no_response"};
};

struct QuestionVerdict {
  bool owned = false;  // false: forward the intent unchanged
  channel::QuestionSource source = channel::QuestionSource::kUnmatchedIntent;
  std::string_view close_with;  // owned: the intent the engine gets instead (no parameters)
};

// Decides about one IntentResult. An owned question's text goes to
// `question` (trimmed); an intent of an owned kind without usable text
// (empty transcript, no query_text) is not owned and passes unchanged.
QuestionVerdict classify_intent(const QuestionIntentPolicy& policy,
                                const clad::IntentResult& result, std::string& question);

// The transcript in vic-cloud's metadata, "" when it has none.
std::string_view transcript_from_metadata(std::string_view metadata);

}  // namespace vic_r1::intent
