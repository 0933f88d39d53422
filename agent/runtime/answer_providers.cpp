#include "agent/runtime/answer_providers.h"

#include "agent/runtime/provider_files.h"
#include "agent/speech/spoken_errors.h"
#include "agent/stream/server_profiles.h"
#include "build_facts.h"

namespace vic_r1::runtime {
namespace {

// R1's own guidance: temperature 0.5 to 0.7 (0.6 recommended). Servers that
// fix it (deepseek-reasoner) ignore it; other models keep their default.
std::optional<double> temperature_for(const platform::ProviderConfig& config) {
  if (config.temperature) return config.temperature;
  if (stream::names_reasoning_model(config.model)) return 0.6;
  return std::nullopt;
}

}  // namespace

std::string system_prompt_for(const platform::AgentConfig& config, const std::vector<std::string_view>& emotions) {
  conversation::SystemPromptParts parts;
  parts.persona = config.system_prompt;
  parts.emotions = emotions;
  parts.animations = config.animations;
  parts.conversation_mode = config.conversation_mode;
  return conversation::build_system_prompt(parts);
}

AnswerProviders::AnswerProviders(boost::asio::io_context& io, const platform::AgentConfig& config,
                                 const std::string& system_prompt, logging::Logger& log) {
  add(io, config.provider, config, system_prompt, log);
  for (const platform::ProviderConfig& fallback : config.fallbacks) add(io, fallback, config, system_prompt, log);
}

AnswerProviders::~AnswerProviders() = default;

void AnswerProviders::add(boost::asio::io_context& io, const platform::ProviderConfig& config,
                          const platform::AgentConfig& shared, const std::string& system_prompt,
                          logging::Logger& log) {
  orchestrator::AnswerProvider provider;
  provider.name = platform::display_name_of(config);
  provider.base_url = config.endpoint.base_url();
  provider.profile = stream::find_server_profile(config.stream_profile);
  if (provider.profile == nullptr) provider.profile = &stream::default_server_profile();

  conversation::ChatRequestSettings& request = provider.request;
  request.api = provider.profile->wire_format == stream::WireFormat::kNdjson
                    ? conversation::ChatApi::kOllamaNativeChat
                    : conversation::ChatApi::kChatCompletions;
  request.model = config.model;
  request.system_prompt = system_prompt;
  request.max_tokens = config.max_tokens;
  request.temperature = temperature_for(config);
  request.max_history_turns = shared.history_turns;
  provider.target = conversation::chat_request_target(request.api, config.endpoint.path_prefix);

  ProviderFiles files = open_provider_files(config);
  if (!files.key_problem.empty()) {
    provider.unusable = files.key_problem;
    provider.unusable_spoken = speech::spoken_sentence_for_missing_key(provider.name);
  }
  provider.headers = conversation::chat_request_headers(request.api, files.key.reveal());

  std::unique_ptr<platform::TlsClientContext> tls = std::move(files.tls);
  if (!tls) {
    if (provider.unusable.empty()) {
      provider.unusable = files.ca_problem;
      provider.unusable_spoken = "My list of trusted certificates is missing or broken, so I can't answer.";
    }
    providers_.push_back(std::move(provider));
    client_of_provider_.push_back(nullptr);
    return;
  }
  clients_.push_back(std::make_unique<platform::HttpsClient>(io, *tls, config.endpoint, shared.timeouts,
                                                             std::string("vic-r1/") + build_facts::kVersion));
  tls_.push_back(std::move(tls));
  transports_.push_back(std::make_unique<HttpsAnswerTransport>(*clients_.back(), log, provider.name));
  provider.transport = transports_.back().get();
  client_of_provider_.push_back(provider.unusable.empty() ? clients_.back().get() : nullptr);
  providers_.push_back(std::move(provider));
}

platform::HttpsClient* AnswerProviders::first_usable_client() const {
  for (platform::HttpsClient* client : client_of_provider_) {
    if (client != nullptr) return client;
  }
  return nullptr;
}

std::size_t AnswerProviders::full_handshakes() const {
  std::size_t count = 0;
  for (const auto& client : clients_) count += client->full_handshakes();
  return count;
}

std::size_t AnswerProviders::resumed_handshakes() const {
  std::size_t count = 0;
  for (const auto& client : clients_) count += client->resumed_handshakes();
  return count;
}

}  // namespace vic_r1::runtime
