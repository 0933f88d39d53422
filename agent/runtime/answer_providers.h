#pragma once

#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "agent/conversation/system_prompt.h"
#include "agent/orchestrator/answer_orchestrator.h"
#include "agent/runtime/https_answer_transport.h"
#include "platform/config/agent_config.h"
#include "platform/http/https_client.h"
#include "platform/log/logger.h"
#include "platform/tls/tls_client_context.h"

namespace vic_r1::runtime {

// The servers the orchestrator may ask, made from the config: for each, its
// TLS context, HTTPS client, transport and request, the main provider first
// and then each fallback in the config's order. Owns them all; the
// orchestrator's AnswerProvider entries point into this object, which must
// outlive it. A provider that cannot be used (no key file, unreadable CA
// bundle) is kept with the reason, so the orchestrator can say it.
class AnswerProviders {
 public:
  AnswerProviders(boost::asio::io_context& io, const platform::AgentConfig& config,
                  const std::string& system_prompt, logging::Logger& log);
  ~AnswerProviders();
  AnswerProviders(const AnswerProviders&) = delete;
  AnswerProviders& operator=(const AnswerProviders&) = delete;

  const std::vector<orchestrator::AnswerProvider>& providers() const { return providers_; }

  // The client of the first provider that can be asked, to open its
  // connection ahead of a question and hear how that went (`ask
  // --standalone --preconnect`); null when none can be asked.
  platform::HttpsClient* first_usable_client() const;
  // TLS handshakes all the clients completed, full and resumed.
  std::size_t full_handshakes() const;
  std::size_t resumed_handshakes() const;

 private:
  // One provider from its own part of the config and the part all share.
  void add(boost::asio::io_context& io, const platform::ProviderConfig& config,
           const platform::AgentConfig& shared, const std::string& system_prompt, logging::Logger& log);

  std::vector<std::unique_ptr<platform::TlsClientContext>> tls_;
  std::vector<std::unique_ptr<platform::HttpsClient>> clients_;
  std::vector<std::unique_ptr<HttpsAnswerTransport>> transports_;
  std::vector<orchestrator::AnswerProvider> providers_;
  std::vector<platform::HttpsClient*> client_of_provider_;  // null where unusable
};

// The system prompt for `config`: its persona and speech rules, and the
// markup vocabulary of `emotions`.
std::string system_prompt_for(const platform::AgentConfig& config, const std::vector<std::string_view>& emotions);

}  // namespace vic_r1::runtime
