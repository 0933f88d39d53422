#pragma once

#include <string>

namespace vic_r1::stream {

// Token counts from a `usage` object (OpenAI-compatible) or Ollama's final
// line. -1 means the server did not say.
struct TokenUsage {
  long long prompt_tokens = -1;
  long long completion_tokens = -1;
  long long total_tokens = -1;
  long long reasoning_tokens = -1;  // completion_tokens_details.reasoning_tokens
};

// What one streamed payload (an SSE data payload or an NDJSON line) says,
// whatever server sent it. Fields that were null, "" or absent are all empty.
struct StreamChunk {
  std::string model;      // the chunk's `model` field
  std::string content;    // answer channel text; may still carry inline <think> markup
  std::string reasoning;  // text of the structured reasoning fields (never to be spoken)
  // A structured reasoning field held a string, even "": the server separates
  // reasoning from the answer, so `content` is answer text.
  bool has_reasoning_field = false;
  std::string finish_reason;  // set on the chunk that ends the choice
  bool has_usage = false;
  TokenUsage usage;
  bool is_error = false;  // the payload carried a top-level `error`
  std::string error_message;

  // Empties every field but keeps the strings' capacity, so a chunk reused
  // for a whole stream stops allocating after its first few payloads. A field
  // added to the struct must be reset here too.
  void clear() {
    model.clear();
    content.clear();
    reasoning.clear();
    has_reasoning_field = false;
    finish_reason.clear();
    has_usage = false;
    usage = TokenUsage{};
    is_error = false;
    error_message.clear();
  }
};

}  // namespace vic_r1::stream
