#include "agent/stream/server_profiles.h"

#include <cctype>
#include <string>

namespace vic_r1::stream {
namespace {

std::string lowercase(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lowered;
}

bool is_name_character(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// `token` appears in `name` with no letter or digit right before or after it,
// so "r1" matches "deepseek-r1:7b" but not "gpt-4-r10" or "r1234".
bool contains_token(std::string_view name, std::string_view token) {
  for (std::size_t at = name.find(token); at != std::string_view::npos; at = name.find(token, at + 1)) {
    const bool starts_word = at == 0 || !is_name_character(name[at - 1]);
    const std::size_t end = at + token.size();
    const bool ends_word = end == name.size() || !is_name_character(name[end]);
    if (starts_word && ends_word) return true;
  }
  return false;
}

}  // namespace

const std::vector<ServerProfile>& server_profiles() {
  using P = MissingOpenerPolicy;
  constexpr WireFormat sse = WireFormat::kServerSentEvents;
  static const std::vector<ServerProfile> profiles = {
      {"auto", "any server below, told apart by the stream itself", "wherever the stream puts it", sse,
       P::kForReasoningModels},
      {"deepseek", "DeepSeek API (deepseek-reasoner)", "delta.reasoning_content", sse, P::kNever},
      {"together", "Together", "inline <think> in delta.content", sse, P::kForReasoningModels},
      {"fireworks", "Fireworks", "delta.reasoning_content, or inline for some models", sse,
       P::kForReasoningModels},
      {"openrouter", "OpenRouter", "delta.reasoning and delta.reasoning_details", sse, P::kNever},
      {"groq", "Groq", "delta.reasoning (parsed) or inline (raw)", sse, P::kForReasoningModels},
      {"ollama", "Ollama, OpenAI-compatible /v1", "delta.reasoning", sse, P::kForReasoningModels},
      {"ollama-native", "Ollama native /api/chat (NDJSON)", "message.thinking", WireFormat::kNdjson,
       P::kForReasoningModels},
      {"vllm", "vLLM", "delta.reasoning_content or delta.reasoning with a reasoning parser, else inline", sse,
       P::kForReasoningModels},
      {"llamacpp", "llama.cpp server", "delta.reasoning_content with --reasoning-format deepseek, else inline",
       sse, P::kForReasoningModels},
      {"inline-r1", "any server relaying an R1-style model's raw output, whatever its name",
       "before the first </think>, opener or not", sse, P::kAlways},
      {"plain", "any server of a model that does not reason",
       "nowhere: text is answer at once (tags are still removed)", sse, P::kNever},
  };
  return profiles;
}

std::vector<std::string_view> server_profile_names() {
  std::vector<std::string_view> names;
  for (const ServerProfile& profile : server_profiles()) names.push_back(profile.name);
  return names;
}

const ServerProfile* find_server_profile(std::string_view name) {
  for (const ServerProfile& profile : server_profiles()) {
    if (profile.name == name) return &profile;
  }
  return nullptr;
}

const ServerProfile& default_server_profile() { return server_profiles().front(); }

bool names_reasoning_model(std::string_view model) {
  const std::string name = lowercase(model);
  return contains_token(name, "r1") || name.find("qwq") != std::string::npos;
}

WireFormat wire_format_for_content_type(std::string_view content_type) {
  const std::string type = lowercase(content_type.substr(0, content_type.find(';')));
  const auto first = type.find_first_not_of(" \t");
  const auto last = type.find_last_not_of(" \t");
  const std::string_view media =
      first == std::string::npos ? std::string_view{} : std::string_view(type).substr(first, last - first + 1);
  if (media == "application/x-ndjson" || media == "application/ndjson" || media == "application/jsonl" ||
      media == "application/x-jsonlines") {
    return WireFormat::kNdjson;
  }
  return WireFormat::kServerSentEvents;
}

}  // namespace vic_r1::stream
