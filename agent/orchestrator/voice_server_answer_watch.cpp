#include "agent/orchestrator/voice_server_answer_watch.h"

#include "agent/text/utf8.h"

namespace vic_r1::orchestrator {

void VoiceServerAnswerWatch::on_wake_word(Clock::time_point now) {
  wake_word_at_ = now;
  question_since_wake_word_ = false;
  words_since_wake_word_ = 0;
  wake_word_counted_ = false;
}

void VoiceServerAnswerWatch::on_question() {
  question_since_wake_word_ = true;
  words_during_answer_ = 0;
  answer_counted_ = false;
}

std::optional<VoiceServerAnswerFinding> VoiceServerAnswerWatch::on_engine_speech(std::string_view text,
                                                                                 bool answering,
                                                                                 Clock::time_point now) {
  const std::size_t words = count_words(text);
  if (answering) {
    words_during_answer_ += words;
    if (!answer_counted_ && words_during_answer_ >= kSpeechDuringAnswerWords) {
      answer_counted_ = true;
      return found(VoiceServerAnswerKind::kSpeechDuringOurAnswer, text);
    }
    return std::nullopt;
  }
  if (!wake_word_at_ || question_since_wake_word_ || now - *wake_word_at_ > kAfterWakeWord) return std::nullopt;
  words_since_wake_word_ += words;
  if (!wake_word_counted_ && words_since_wake_word_ >= kLongSpeechWords) {
    wake_word_counted_ = true;
    return found(VoiceServerAnswerKind::kLongSpeechAfterWakeWord, text);
  }
  return std::nullopt;
}

VoiceServerAnswerFinding VoiceServerAnswerWatch::on_knowledge_answer(std::string_view answer) {
  return found(VoiceServerAnswerKind::kKnowledgeAnswer, answer);
}

VoiceServerAnswerFinding VoiceServerAnswerWatch::found(VoiceServerAnswerKind kind, std::string_view text) {
  switch (kind) {
    case VoiceServerAnswerKind::kLongSpeechAfterWakeWord:
      ++counts_.long_speech_after_wake_word;
      break;
    case VoiceServerAnswerKind::kSpeechDuringOurAnswer:
      ++counts_.speech_during_our_answer;
      break;
    case VoiceServerAnswerKind::kKnowledgeAnswer:
      ++counts_.knowledge_answers;
      break;
  }
  counts_.last_heard.assign(text.substr(0, text::utf8_prefix_length(text, kLastHeardBytes)));
  bool& warned = warned_[static_cast<int>(kind)];
  const VoiceServerAnswerFinding finding{kind, !warned};
  warned = true;
  return finding;
}

std::string_view VoiceServerAnswerWatch::warning(VoiceServerAnswerKind kind) {
  switch (kind) {
    case VoiceServerAnswerKind::kLongSpeechAfterWakeWord:
      return "the voice server answers questions itself: after the wake word no question reached vic-r1, "
             "and vic-engine spoke at length (an LLM in the voice server). Turn off the LLM / knowledge "
             "graph in wire-pod's settings, or Vector answers twice";
    case VoiceServerAnswerKind::kSpeechDuringOurAnswer:
      return "the voice server answers too: vic-engine spoke while vic-r1 was answering. Turn off the LLM / "
             "knowledge graph in wire-pod's settings, or Vector answers twice";
    case VoiceServerAnswerKind::kKnowledgeAnswer:
      return "the voice server answers knowledge questions itself: its knowledge-graph answer went to "
             "vic-engine, which speaks it. Turn off the LLM / knowledge graph in wire-pod's settings, or "
             "Vector answers twice";
  }
  return "";
}

std::size_t VoiceServerAnswerWatch::count_words(std::string_view text) {
  std::size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

}  // namespace vic_r1::orchestrator
