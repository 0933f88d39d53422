#pragma once

#include <memory>
#include <string>

#include "platform/config/agent_config.h"
#include "platform/config/api_key_file.h"
#include "platform/tls/tls_client_context.h"

namespace vic_r1::runtime {

// A provider's key file and CA bundle, opened as the agent opens them. Both
// are always tried, so every problem is known at once.
struct ProviderFiles {
  platform::ApiKey key;                             // empty when keyless or unreadable
  bool keyless = false;                             // a self-hosted server with no key file: no key is sent
  std::string key_problem;                          // empty: the key file was read (or there is none to read)
  std::unique_ptr<platform::TlsClientContext> tls;  // null: ca_problem says why
  std::string ca_problem;
};

ProviderFiles open_provider_files(const platform::ProviderConfig& provider);

}  // namespace vic_r1::runtime
