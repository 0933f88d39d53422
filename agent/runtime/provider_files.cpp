#include "agent/runtime/provider_files.h"

namespace vic_r1::runtime {

ProviderFiles open_provider_files(const platform::ProviderConfig& provider) {
  ProviderFiles files;
  files.keyless = platform::goes_without_key(provider);
  if (!files.keyless) {
    platform::read_api_key_file(provider.api_key_file, files.key, files.key_problem);
  }
  platform::TlsFailure failure;
  files.tls = platform::TlsClientContext::create({provider.ca_file, provider.pinned_public_key_sha256}, failure);
  if (!files.tls) files.ca_problem = failure.detail;
  return files;
}

}  // namespace vic_r1::runtime
