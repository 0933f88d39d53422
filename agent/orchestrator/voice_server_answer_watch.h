#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

#include "agent/orchestrator/answer_status.h"

namespace vic_r1::orchestrator {

// The ways the voice server shows that it answers questions by itself.
enum class VoiceServerAnswerKind {
  // After a wake word, no question reached the agent, and vic-engine spoke at
  // length: the voice server took the question to an LLM of its own
  // (wire-pod's "intent graph" option sends unmatched speech to its LLM and
  // speaks the answer a sentence per SDK SayText; kgsim.go, StreamingKGSim).
  kLongSpeechAfterWakeWord,
  // vic-engine spoke while the agent was thinking about or speaking its
  // answer: Vector answers twice (the two cut each other off on the one TTS
  // channel).
  kSpeechDuringOurAnswer,
  // A knowledge-graph answer with text of the server's own went to
  // vic-engine, which speaks it ("I have a question" with wire-pod's
  // knowledge graph set to an LLM or Houndify, or DDL's cloud).
  kKnowledgeAnswer,
};

struct VoiceServerAnswerFinding {
  VoiceServerAnswerKind kind;
  bool first_of_its_kind = false;  // log it (with the fix) only then
};

// Decides from what the bridge reports (the engine's own speech, the voice
// server's knowledge answers) and what the agent knows (wake words,
// questions, whether it is answering) that the voice server answers by
// itself. Sans-I/O: fed the time, it keeps counts and says when to warn.
//
// The heuristic, and why:
// - vic-engine speaks by itself all the time, briefly: the time, the
//   weather, a name, "I don't know", a game's prompts. Those are a few words
//   each. An LLM's answer is sentences. So only the engine's words added up
//   count, and only past a threshold: kLongSpeechWords within
//   kAfterWakeWord of a wake word (wire-pod speaks an answer a sentence at a
//   time, each its own utterance), or kSpeechDuringAnswerWords while the
//   agent answers (nothing of the engine's should speak then: the agent
//   closed the intent with one that says nothing).
// - Speech with no wake word before it is not an answer to a question: an
//   SDK program, a routine announcement or a behaviour of the engine's own
//   chose to speak. It never warns, however long.
// - A question that reached the agent after the wake word means the server
//   passed it on: what the engine says then is judged by the second rule.
// - A knowledge answer with text always counts: it is, by definition, the
//   server answering a question itself.
// Each wake word and each question is counted at most once per rule.
class VoiceServerAnswerWatch {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kAfterWakeWord{30};
  static constexpr std::size_t kLongSpeechWords = 25;
  static constexpr std::size_t kSpeechDuringAnswerWords = 8;
  static constexpr std::size_t kLastHeardBytes = 120;

  void on_wake_word(Clock::time_point now);
  // A question reached the agent (spoken or typed): its answer starts.
  void on_question();
  // `answering`: the agent is thinking about or speaking its answer now.
  std::optional<VoiceServerAnswerFinding> on_engine_speech(std::string_view text, bool answering,
                                                           Clock::time_point now);
  VoiceServerAnswerFinding on_knowledge_answer(std::string_view answer);

  const VoiceServerAnswers& counts() const { return counts_; }
  // What the log says the first time, with the fix.
  static std::string_view warning(VoiceServerAnswerKind kind);
  // The words in `text`: runs of characters between spaces.
  static std::size_t count_words(std::string_view text);

 private:
  VoiceServerAnswerFinding found(VoiceServerAnswerKind kind, std::string_view text);

  std::optional<Clock::time_point> wake_word_at_;
  bool question_since_wake_word_ = false;
  std::size_t words_since_wake_word_ = 0;
  bool wake_word_counted_ = false;
  std::size_t words_during_answer_ = 0;
  bool answer_counted_ = false;
  bool warned_[3] = {false, false, false};
  VoiceServerAnswers counts_;
};

}  // namespace vic_r1::orchestrator
