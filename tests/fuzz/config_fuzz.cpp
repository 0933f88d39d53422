// libFuzzer target for the config loader: any bytes as config.json. Besides
// the sanitizers, its oracles are the loader's promises:
//  - it either gives a config or at least one error, never both or neither;
//  - a config with an `api_key` pasted into it is refused, and no error
//    repeats the key (the loader names its place, never the value);
//  - a config it gives can be used: a host, a port, a model, a key file and
//    a CA bundle for every provider, and no more fallbacks than allowed.

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "agent/stream/server_profiles.h"
#include "platform/config/agent_config.h"

namespace {

using vic_r1::platform::AgentConfig;
using vic_r1::platform::ProviderConfig;

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "config_fuzz: broken promise: %s: [%.*s]\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

// A key pasted into the config: every string `api_key` (top level and
// fallbacks) of a JSON object input is replaced with this, and the result
// loaded again. No error may contain it.
constexpr std::string_view kCanaryKey = "sk-fuzz-canary-7f3a9c1e";

// The input with each string `api_key` replaced by the canary, or "" when
// it has none (or is not a JSON object, or holds the canary elsewhere, even
// written with escapes).
std::string with_canary_keys(std::string_view json) {
  if (json.find(kCanaryKey) != std::string_view::npos) return {};
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) return {};
  std::size_t replaced = 0;
  const auto plant = [&](rapidjson::Value& object) {
    for (auto& member : object.GetObject()) {
      if (member.name == "api_key" && member.value.IsString()) {
        member.value.SetString(kCanaryKey.data(), static_cast<rapidjson::SizeType>(kCanaryKey.size()),
                               document.GetAllocator());
        ++replaced;
      }
    }
  };
  plant(document);
  const auto fallbacks = document.FindMember("fallbacks");
  if (fallbacks != document.MemberEnd() && fallbacks->value.IsArray()) {
    for (rapidjson::Value& entry : fallbacks->value.GetArray()) {
      if (entry.IsObject()) plant(entry);
    }
  }
  if (replaced == 0) return {};
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);
  std::string planted(buffer.GetString(), buffer.GetSize());
  // The writer spells the canary out wherever it is: in more places than
  // it was planted means another value holds it too. Counted in lower case,
  // as the loader lowercases what it quotes of a URL's scheme and host.
  std::string lowered = planted;
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t found = 0;
  for (std::size_t at = lowered.find(kCanaryKey); at != std::string::npos; at = lowered.find(kCanaryKey, at + 1)) {
    ++found;
  }
  return found == replaced ? planted : std::string();
}

void check_usable(const ProviderConfig& provider) {
  if (provider.endpoint.host.empty()) fail("a provider without a host", provider.model);
  if (provider.endpoint.port == 0) fail("a provider on port 0", provider.endpoint.host);
  if (provider.model.empty()) fail("a provider without a model", provider.endpoint.host);
  if (provider.api_key_file.empty() || provider.ca_file.empty())
    fail("a provider without its files", provider.model);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  AgentConfig config;
  std::vector<std::string> errors;
  const bool loaded =
      vic_r1::platform::load_agent_config(json, vic_r1::stream::server_profile_names(), config, errors);
  if (loaded == !errors.empty()) fail("a config and errors, or neither", json);
  const std::string planted = with_canary_keys(json);
  if (!planted.empty()) {
    AgentConfig planted_config;
    std::vector<std::string> planted_errors;
    if (vic_r1::platform::load_agent_config(planted, vic_r1::stream::server_profile_names(), planted_config,
                                            planted_errors))
      fail("a config with an api_key in it was taken", planted);
    for (const std::string& error : planted_errors) {
      if (error.find(kCanaryKey) != std::string::npos) fail("an error repeats a pasted API key", error);
    }
  }
  if (loaded) {
    check_usable(config.provider);
    if (config.fallbacks.size() > vic_r1::platform::kMaxFallbacks) fail("too many fallbacks", json);
    for (const ProviderConfig& fallback : config.fallbacks) check_usable(fallback);
  }
  return 0;
}
