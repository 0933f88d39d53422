#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "agent/stream/stream_chunk.h"

namespace vic_r1::stream {

// Decodes one streamed JSON payload into a StreamChunk. Sans-I/O; one decoder
// serves a whole stream and reuses its memory. It keeps only the fields it
// reads, and parses in place with a fast strict parser that leaves anything
// unusual to RapidJSON's, whose errors it reports.
//
// OpenAI-compatible chunks (DeepSeek, Together, Fireworks, OpenRouter, Groq,
// Ollama /v1, vLLM, llama.cpp): choices[0].delta.content is the answer
// channel; delta.reasoning_content, delta.reasoning and
// delta.reasoning_details[].text|summary are reasoning (when `reasoning` is a
// string, reasoning_details only repeats it and is not added again);
// choices[0].finish_reason; top-level usage (choices may then be []); a
// top-level `error` (object with `message`, or a string) is an error even in
// an HTTP 200 stream. Choices other than index 0 are ignored.
//
// Ollama native (/api/chat NDJSON): message.content is the answer channel,
// message.thinking is reasoning; `done: true` ends it (finish_reason from
// done_reason, "stop" when absent) with usage from prompt_eval_count and
// eval_count; a top-level `error` string is an error.
//
// The finer rules, each pinned by a test:
// - Of the reasoning fields, the first of reasoning_content, reasoning and
//   reasoning_details that holds a string supplies `reasoning`: servers that
//   send more than one repeat the same text in each (OpenRouter: reasoning and
//   reasoning_details; vLLM's compatibility mode: reasoning_content and
//   reasoning). reasoning_details elements of type reasoning.encrypted, or of
//   a type we do not know, carry no text and do not set has_reasoning_field.
// - The chosen choice is the first whose `index` is 0, or the first element
//   when it has no `index`; a chunk whose only choices have other indexes
//   carries no text.
// - An error payload yields only `model`, is_error and error_message: the rest
//   of it is not read, so a malformed remainder cannot hide the error. The
//   message is error.message, followed by "(code X, type Y)" for whichever of
//   those the error object has (a stream error has no HTTP status to name the
//   cause); an error object without a message is given as its JSON text; a
//   string error is taken as it is. `"error": null` is no error. An unpaired
//   surrogate escape in the message becomes U+FFFD (refusing the payload
//   would hide the error); a model holding one is not kept.
// - Token counts must be non-negative integers (or null, read as -1). Ollama's
//   total is prompt_eval_count + eval_count when it sends both, else -1.
// - The payload must be exactly one JSON value: JSON whitespace may follow it,
//   anything else (a second value, a NUL byte) is an error. Strings must be
//   valid UTF-8 and escapes are decoded (surrogate pairs included); unpaired
//   surrogate escapes are errors.
// - Objects and arrays nested deeper than 64 levels are refused (chunks nest
//   about six deep), so a hostile payload cannot overflow the call stack.
class ChunkDecoder {
 public:
  // Move-only, as it owns the memory it reuses from payload to payload. A
  // moved-from decoder still works: it starts again with no memory.
  ChunkDecoder();
  ~ChunkDecoder();
  ChunkDecoder(ChunkDecoder&&) noexcept;
  ChunkDecoder& operator=(ChunkDecoder&&) noexcept;
  ChunkDecoder(const ChunkDecoder&) = delete;
  ChunkDecoder& operator=(const ChunkDecoder&) = delete;

  // Each returns false when the payload is not JSON, not an object, or has a
  // field of the wrong type where the format fixes one (e.g. content a number);
  // error() then names the problem and where, and `chunk` is left cleared.
  bool decode_openai_chunk(std::string_view payload, StreamChunk& chunk);
  bool decode_ollama_line(std::string_view payload, StreamChunk& chunk);

  const std::string& error() const { return error_; }

  // Bytes of heap the decoder holds now: what the last payload needed, plus
  // buffers kept for reuse (each capped). It never grows with the number of
  // payloads decoded.
  std::size_t retained_bytes() const;

 private:
  struct Parser;

  bool parse(std::string_view payload);

  std::unique_ptr<Parser> parser_;
  std::string error_;
};

// The message of an error payload: `{"error":{"message":...}}`,
// `{"error":"..."}`, `{"message":...}`; anything else is returned as sent
// (trimmed, at most 500 bytes, never cut inside a UTF-8 character) so the
// cause is never lost.
std::string error_message_from_payload(std::string_view payload);

}  // namespace vic_r1::stream
