#pragma once

#include <string_view>
#include <vector>

namespace vic_r1::stream {

// How a server frames its stream.
enum class WireFormat {
  kServerSentEvents,  // text/event-stream: OpenAI-compatible servers
  kNdjson,            // application/x-ndjson: Ollama's native /api/chat
};

// When answer-channel text with no <think> opener is reasoning. R1's chat
// template puts "<think>\n" in the prompt, so served without a reasoning
// parser its output is "...reasoning...</think>answer" with no opener.
enum class MissingOpenerPolicy {
  kNever,               // text without an opener is answer, spoken at once
  kForReasoningModels,  // ...unless the chunks' `model` names an R1-style reasoning model
  kAlways,              // text before the first </think> is reasoning, whatever the model
};

// What differs between servers, as data. A structured reasoning field in the
// stream always wins over the policy: such a server separates reasoning
// itself, so its answer channel is answer.
struct ServerProfile {
  std::string_view name;          // what --profile takes
  std::string_view server;        // who sends this shape
  std::string_view reasoning_in;  // where that server puts the reasoning
  WireFormat wire_format;         // used when no Content-Type says otherwise
  MissingOpenerPolicy missing_opener;
};

// Every profile, `auto` first (the default).
const std::vector<ServerProfile>& server_profiles();

// The names of all profiles, in order (e.g. to validate a config file).
std::vector<std::string_view> server_profile_names();

// The profile with that name, or nullptr.
const ServerProfile* find_server_profile(std::string_view name);

const ServerProfile& default_server_profile();

// True for model names of R1-style reasoning models that write their
// reasoning into the answer channel (DeepSeek-R1 and its distills, QwQ, ...),
// judged from the name alone: "deepseek-r1:7b", "DeepSeek-R1-Distill-Qwen-7B",
// "deepseek-ai/DeepSeek-R1", "qwq-32b". Not "deepseek-reasoner": that is the
// name on DeepSeek's own API, which always sends the reasoning in
// reasoning_content and never inlines a tag, so its content is the answer from
// the first byte, even when a proxy has stripped the reasoning field.
bool names_reasoning_model(std::string_view model);

// The wire format a Content-Type header announces (parameters and case
// ignored): application/x-ndjson and application/jsonl are NDJSON, anything
// else is server-sent events.
WireFormat wire_format_for_content_type(std::string_view content_type);

}  // namespace vic_r1::stream
