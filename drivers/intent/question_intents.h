#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "drivers/channel/agent_channel_messages.h"
#include "drivers/clad/cloud_mic_messages.h"

namespace vic_r1::intent {

// Where an intent from vic-cloud carries the user's words.
enum class QuestionField {
  // `metadata`, "text: <q>  confidence: <f>  handler: <svc>", which vic-cloud
  // writes for every plain intent (vector-cloud internal/voice/stream/
  // context.go) and vic-engine never reads (userIntentComponent.cpp:798-826
  // reads only `intent` and `parameters`).
  kTranscriptInMetadata,
  // `query_text` in the JSON parameters of a knowledge-graph answer.
  kQueryTextInParameters,
};

// One intent the agent answers instead of vic-engine: which intent, where
// its question is, and which intent vic-engine gets instead, chosen to end
// what the engine is doing at that moment with the least on its face and
// speaker. An intent of the named kind without usable text is not taken.
struct QuestionIntentRule {
  std::string intent;
  QuestionField field = QuestionField::kTranscriptInMetadata;
  channel::QuestionSource source = channel::QuestionSource::kUnmatchedIntent;
  std::string close_with;
};

// The rules vic-r1 runs with unless configured otherwise, read from the
// engine's behaviour sources (wire-os-victor, engine/aiComponent/
// behaviorComponent/):
//
// - intent_system_unmatched, the transcript in `metadata`: what wire-pod
//   sends for speech it could not match ("Hey Vector, why is the sky
//   blue?"), arriving while ReactToVoiceCommand waits for the intent. Closed
//   with intent_system_noaudio (user intent `silence`): the behaviour ends
//   as for unmatched speech (the fail earcon, the listening get-out, the
//   neutral "idk" clip; behaviorReactToVoiceCommand.cpp:816-820, 859-867,
//   948, 993-995), with no speech and no turn, and without the SDK's
//   "intent heard" or the attention-transfer count that `unmatched` adds
//   (:454-456, 978-981).
// - intent_knowledge_response_extend_bypass, `query_text` in the parameters:
//   what vic-cloud sends for a knowledge answer on the intent-graph path,
//   i.e. after a plain "Hey Vector" (vector-cloud internal/voice/stream/
//   process.go:212-224, context.go:156-192; wire-pod matchIntentSend.go:
//   318-337). Forwarded, it starts KnowledgeGraphQuestion, which speaks the
//   cloud's `answer` (behaviorKnowledgeGraphQuestion.cpp:139-146, 205-215).
//   It arrives under ReactToVoiceCommand like an unmatched intent, so it is
//   closed the same way. Not with intent_knowledge_no_response: nothing
//   claims `knowledge_unknown` outside a knowledge session, and an unclaimed
//   intent makes the engine play ReactToUnclaimedIntent's "can't do that"
//   (userIntentComponent.cpp:905-933, behaviorReactToUnclaimedIntent.cpp:47-81).
// - intent_knowledge_response_extend, `query_text` in the parameters: the
//   answer inside a KnowledgeGraphQuestion session ("Hey Vector, I have a
//   question"). Its Listening state ends on any intent with the end earcon,
//   and anything but a non-empty answer plays the searching-then-fail
//   sequence (behaviorKnowledgeGraphQuestion.cpp:238-254, 283-338, 479-491):
//   no intent ends that session more quietly. intent_knowledge_no_response
//   (`knowledge_unknown`) is consumed by the behaviour (:369-373);
//   intent_system_noaudio would be left unclaimed and add "can't do that";
//   an answer, even a blank one, would be spoken.
std::vector<QuestionIntentRule> default_question_rules();

// The rules for the intents a config names (its `question_intents`): each
// known one as above; any other is taken as a plain intent with its
// transcript in `metadata` (an owner may want "intent_weather_..." answered
// by R1 too), closed with intent_system_noaudio like an unmatched one;
// kKnowledgePromptIntent (below) makes no rule.
std::vector<QuestionIntentRule> question_rules_for(const std::vector<std::string>& intents);

// Transcripts that are not the user's words: wire-pod's speech-to-text
// reports its own failures as the transcript (its Rhino mode sends the
// literal "voice processing error"). Such an intent is forwarded unchanged.
std::vector<std::string> default_placeholder_transcripts();

// "Hey Vector, I have a question" (intent_knowledge_promptquestion): the
// engine's knowledge behaviour then listens for the question on a stream of
// its own. Named in a config's `question_intents`, or by default, that
// question is captured: the stream is made a Normal one, so the question
// comes back with its text as an unmatched intent (AnimLinkRouter).
inline constexpr std::string_view kKnowledgePromptIntent = "intent_knowledge_promptquestion";
// What ends the knowledge behaviour when the agent took its question.
inline constexpr std::string_view kKnowledgeSessionClose = "intent_knowledge_no_response";

struct QuestionIntentPolicy {
  std::vector<QuestionIntentRule> rules = default_question_rules();
  std::vector<std::string> placeholder_transcripts = default_placeholder_transcripts();
  bool capture_knowledge_questions = true;
};

// The policy for the intents a config names (its `question_intents`).
QuestionIntentPolicy question_policy_for(const std::vector<std::string>& intents);

struct QuestionVerdict {
  bool owned = false;  // false: forward the intent unchanged
  channel::QuestionSource source = channel::QuestionSource::kUnmatchedIntent;
  std::string_view close_with;  // owned: the intent the engine gets instead (no parameters)
};

// Decides about one IntentResult by the first rule that names its intent.
// An owned question's text goes to `question`, trimmed. A placeholder
// transcript (compared without regard to case) is not a question. Nothing is allocated
// when `question` has the capacity of an intent datagram.
QuestionVerdict classify_intent(const QuestionIntentPolicy& policy, const clad::IntentResult& result,
                                std::string& question);

// The transcript in vic-cloud's metadata, "" when it has none.
std::string_view transcript_from_metadata(std::string_view metadata);

}  // namespace vic_r1::intent
