#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/http/endpoint.h"
#include "platform/http/http_deadlines.h"

namespace vic_r1::platform {

// Where the robot keeps vic-r1's configuration; it survives OTA updates.
inline constexpr std::string_view kDefaultConfigPath = "/data/vic-r1/config.json";

// The robot's real locations; each is a config key so tests can use a temp dir.
inline constexpr std::string_view kDefaultStateDir = "/data/vic-r1";
inline constexpr std::string_view kDefaultSocketDir = "/dev/socket";
// File names inside state_dir that api_key_file and ca_file default to.
inline constexpr std::string_view kApiKeyFileName = "api-key";
// The robot has no system CA bundle: the deploy script installs this one.
inline constexpr std::string_view kCaFileName = "ca-certificates.crt";

// A server vic-r1 knows how to reach. Hosted services come with their URL and
// R1 model name; self-hosted ones (Ollama, vLLM, llama.cpp) run on the user's
// own machine, so the config must name both.
struct ProviderPreset {
  std::string_view name;            // the config's `provider` value
  std::string_view display_name;    // for spoken errors: "my DeepSeek balance is empty"
  std::string_view base_url;        // empty: the config must give base_url
  std::string_view model;           // empty: the config must give model
  std::string_view stream_profile;  // a profile name of agent/stream/server_profiles.h
};

// Every preset, in the order the config documentation lists them.
const std::vector<ProviderPreset>& provider_presets();

// The preset with that name, or nullptr.
const ProviderPreset* find_provider_preset(std::string_view name);


// Parses an https base URL into `endpoint`. Returns false with `error` set
// (a sentence without the key name, e.g. "must use https ...") otherwise.
// Refuses: other schemes, user credentials, a query or fragment, a bad host
// or port, and a path already ending in /chat/completions (it is added).
// Error texts never repeat the URL, as a mistaken URL may hold a secret.
bool parse_base_url(std::string_view url, Endpoint& endpoint, std::string& error);


// Limits every timeout must respect, so a typo cannot make the robot wait
// forever or give up before a handshake could possibly finish.
inline constexpr std::chrono::milliseconds kMinTimeout{100};
inline constexpr std::chrono::milliseconds kMaxTimeout{30 * 60 * 1000};

// The clip that loops while the model thinks, unless the config names another.
inline constexpr std::string_view kDefaultThinkingAnimation = "anim_knowledgegraph_searching_01";

inline constexpr int kMinMaxTokens = 1;
inline constexpr int kMaxMaxTokens = 32768;

// The personality prompt used when the config has none. The answer is spoken,
// so it asks for short plain sentences; R1's guidance is to keep it short.
inline constexpr std::string_view kDefaultSystemPrompt =
    "You are Vector, a small, curious and friendly robot. Your answer will be spoken "
    "aloud by your voice, so answer in plain, natural sentences: no lists, no markdown, "
    "no headings, no code, no emoji and no special characters. Be concise: two or three "
    "sentences unless you are asked for more.";

// One server to ask: the config's per-provider keys. The top level holds
// the main provider's; each entry of `fallbacks` holds one fallback's.
struct ProviderConfig {
  std::string preset;  // the `provider` key: a ProviderPreset name (find_provider_preset gives its display name)
  Endpoint endpoint;   // from base_url, or the preset's URL
  std::string model;
  std::string stream_profile;
  // The key itself is never in the config. Main provider: default
  // <state_dir>/api-key. A fallback: default <state_dir>/api-key.<provider>,
  // never the main provider's file (its key is for another server); for a
  // self-hosted preset a missing file means "no key".
  std::string api_key_file;
  std::string ca_file;  // default <state_dir>/ca-certificates.crt; a fallback inherits the main one's
  // SHA-256 of the server's SubjectPublicKeyInfo; when set, TLS also
  // requires the server's key to match. Never inherited: a pin fits one server.
  std::optional<std::array<std::uint8_t, 32>> pinned_public_key_sha256;
  int max_tokens = 2048;              // a fallback inherits the main one's
  std::optional<double> temperature;  // R1 ignores it; other models may not. Never inherited.
};

// A fallback list longer than this would keep a question waiting through
// more failures than anyone listens to.
inline constexpr std::size_t kMaxFallbacks = 4;

// What the agent runs with. Use default_agent_config() or load_agent_config():
// a default-constructed AgentConfig is empty, not a working default.
struct AgentConfig {
  ProviderConfig provider;  // asked first
  // Asked in order when the one before fails before the first answer byte.
  // Everything below (timeouts, prompt, voice, history, ...) is shared.
  std::vector<ProviderConfig> fallbacks;
  HttpDeadlines timeouts;     // the config's `timeouts_ms`
  std::string system_prompt;  // empty: no system message is sent
  std::string socket_dir;     // the robot's IPC sockets
  std::string state_dir;      // vic-r1's own files

  // How Vector speaks and moves.
  float voice_duration_scalar = 1.0f;  // voice.duration_scalar: TTS durationScalar
  float voice_pitch_scalar = 0.0f;     // voice.pitch_scalar: TTS pitchScalar, -1..1
  bool animations = true;              // the markup vocabulary goes into the system prompt
  // emotions: {"happy": ["anim_...", ...]} replaces (or adds) an emotion's clips.
  std::vector<std::pair<std::string, std::vector<std::string>>> emotions;
  std::string thinking_animation{kDefaultThinkingAnimation};  // "": none
  // thinking_progress: while the model reasons, every `every_s` the
  // thinking loop moves on to the next of these clips (none: no progress).
  std::vector<std::string> thinking_progress_animations;
  std::chrono::seconds thinking_progress_every{8};
  bool conversation_mode = true;  // {{newVoiceRequest||now}} makes Vector listen again
  // The intents the agent answers instead of vic-engine (question_intents);
  // empty: the bridge's defaults (drivers/intent/question_intents.h).
  std::vector<std::string> question_intents;
  // history: what is sent back of the conversation.
  int history_turns = 8;
  int history_bytes = 8192;
  std::chrono::seconds history_forget_after{600};
};

// What Vector and `status` call the provider: the preset's name ("DeepSeek"),
// or the host for a custom server.
std::string display_name_of(const ProviderConfig& provider);

// Self-hosted servers (Ollama, vLLM, llama.cpp) often need no key: for a
// self-hosted preset a key file that does not exist means "no key", not a
// mistake. Looks at the file system.
bool goes_without_key(const ProviderConfig& provider);

// DeepSeek's own API with every default; what an empty config `{}` yields.
AgentConfig default_agent_config();

// Validates and loads a config from JSON text (sans-I/O). Every key is
// optional; for example
//   {"provider": "ollama", "base_url": "https://gpu-box.lan:8443/v1",
//    "model": "deepseek-r1:14b", "timeouts_ms": {"data_idle": 60000},
//    "fallbacks": [{"provider": "together"}]}
// Every problem is collected, not just the first; unknown keys are errors
// (they are typos), and an `api_key` key is refused: the key belongs in its
// own file. `stream_profile_names` lists the valid stream_profile values: the
// names of agent/stream/server_profiles.h, which the caller passes, as this
// layer cannot see the agent's:
//   std::vector<std::string_view> names;
//   for (const auto& profile : stream::server_profiles()) names.push_back(profile.name);
//
// False when there is any problem: then `errors` holds every one found, each
// starting with its JSON path ("timeouts_ms.data_idle: must be less than
// timeouts_ms.overall (got 400000 >= 300000)"; syntax errors give the line
// and column instead), and `config` is left as it was.
bool load_agent_config(std::string_view json_text, const std::vector<std::string_view>& stream_profile_names,
                       AgentConfig& config, std::vector<std::string>& errors);

// A config is a few hundred bytes; a bigger file is the wrong file.
inline constexpr std::size_t kMaxConfigFileBytes = 64 * 1024;

// Reads the file (at most kMaxConfigFileBytes) and loads it; every error then
// starts with the file's path.
bool load_agent_config_file(const std::string& path, const std::vector<std::string_view>& stream_profile_names,
                            AgentConfig& config, std::vector<std::string>& errors);

}  // namespace vic_r1::platform
