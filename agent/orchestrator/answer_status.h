#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/stream/stream_chunk.h"
#include "agent/stream/stream_reader.h"
#include "platform/http/https_client.h"
#include "platform/http/request_failure.h"

namespace vic_r1::orchestrator {

// What `vic-r1 status` tells about the agent: the last question's story and
// the totals since the agent started.

// When each step of a question happened, from the moment it reached the agent.
struct QuestionTimeline {
  using Elapsed = std::optional<std::chrono::microseconds>;
  Elapsed provider_asked;     // the provider that answered (or failed last) was asked
  Elapsed request_sent;       // the request's last byte went out
  Elapsed first_reasoning;    // the first reasoning text arrived
  Elapsed first_answer_byte;  // the first answer text arrived
  Elapsed first_tts;          // the first TextToSpeechPrepare went to the bridge
  Elapsed first_word;         // the first sentence was told to play
  Elapsed done;               // the last sentence ended (or the question was given up)
};

struct QuestionReport {
  std::uint64_t number = 0;  // 1 for the agent's first question
  std::string question;
  std::string source;                 // "spoken" or "control"
  std::string provider;               // the one that answered (or failed last)
  int fallbacks = 0;                  // providers given up before it
  std::vector<std::string> given_up;  // why each was given up, in order ("HTTP 503 from DeepSeek: ...")
  QuestionTimeline timeline;
  std::optional<stream::TokenUsage> usage;
  // How the request to `provider` ended: its failure class (kNone when the
  // response came whole), how the stream inside ended (when a body was
  // read), and the client's timing, counted from `timeline.provider_asked`.
  // A command line's exit status and timing line are made from these.
  platform::RequestFailureKind request_failure = platform::RequestFailureKind::kNone;
  std::optional<stream::StreamOutcome> stream_outcome;
  std::optional<platform::RequestTiming> request_timing;
  std::size_t sentences_spoken = 0;
  // "answered", "answered partly: <why>", "failed: <why>", "interrupted: <by what>"
  std::string outcome;
  bool finished = false;
};

// How often the voice server answered by itself (VoiceServerAnswerWatch).
struct VoiceServerAnswers {
  std::uint64_t long_speech_after_wake_word = 0;  // the engine spoke at length; no question reached us
  std::uint64_t speech_during_our_answer = 0;     // the engine spoke while we thought or spoke
  std::uint64_t knowledge_answers = 0;            // the server's knowledge answer went to the engine
  std::string last_heard;                         // the start of what the server made Vector say last
  std::uint64_t total() const {
    return long_speech_after_wake_word + speech_during_our_answer + knowledge_answers;
  }
};

struct AgentTotals {
  std::uint64_t questions = 0;
  std::uint64_t answered = 0;
  std::uint64_t failed = 0;
  std::uint64_t interrupted = 0;
  std::uint64_t fallbacks = 0;
  // Token totals over every answer whose server reported usage.
  long long prompt_tokens = 0;
  long long reasoning_tokens = 0;
  long long answer_tokens = 0;  // completion tokens minus reasoning tokens
};

}  // namespace vic_r1::orchestrator
