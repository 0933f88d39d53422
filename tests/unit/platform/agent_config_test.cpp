// Standard and project headers before CppUTest's (its macros must not reach them).
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/config/agent_config.h"
#include "tests/unit/support/temporary_directory.h"

#include <CppUTest/TestHarness.h>

using namespace vic_r1::platform;
using std::chrono::milliseconds;

namespace {

// The stream profile names of agent/stream/server_profiles.h, as the agent
// passes them (this test binary does not link the agent).
const std::vector<std::string_view> kProfileNames = {"auto",       "deepseek", "together",  "fireworks",
                                                     "openrouter", "groq",     "ollama",    "ollama-native",
                                                     "vllm",       "llamacpp", "inline-r1", "plain"};

// What one load gave, as a value a test can hold: the config, or every error.
struct LoadOutcome {
  std::optional<AgentConfig> config;
  std::vector<std::string> errors;

  bool ok() const { return config.has_value(); }
};

LoadOutcome load_outcome(std::string_view json, const std::vector<std::string_view>& profile_names) {
  LoadOutcome outcome;
  AgentConfig config;
  if (load_agent_config(json, profile_names, config, outcome.errors)) outcome.config = std::move(config);
  return outcome;
}

LoadOutcome load_file_outcome(const std::string& path, const std::vector<std::string_view>& profile_names) {
  LoadOutcome outcome;
  AgentConfig config;
  if (load_agent_config_file(path, profile_names, config, outcome.errors)) outcome.config = std::move(config);
  return outcome;
}

std::string all_errors(const LoadOutcome& result) {
  std::string text;
  for (const std::string& error : result.errors) text += error + "\n";
  return text;
}

using vic_r1::test::TemporaryDirectory;

}  // namespace

TEST_GROUP(AgentConfig) {
  const std::vector<std::string_view>& profile_names = kProfileNames;

  LoadOutcome load(std::string_view json) { return load_outcome(json, profile_names); }

  AgentConfig accept(std::string_view json) {
    LoadOutcome result = load(json);
    CHECK_TRUE_TEXT(result.ok(), all_errors(result).c_str());
    CHECK_TRUE(result.errors.empty());
    return result.ok() ? *result.config : AgentConfig{};
  }

  // The config must be refused with an error that contains `expected`.
  LoadOutcome refuse(std::string_view json, const char* expected) {
    LoadOutcome result = load(json);
    CHECK_FALSE_TEXT(result.ok(), std::string(json).c_str());
    CHECK_FALSE(result.errors.empty());
    STRCMP_CONTAINS(expected, all_errors(result).c_str());
    return result;
  }

  // Exactly one error, exactly this text.
  void refuse_exactly(std::string_view json, const char* expected) {
    LoadOutcome result = load(json);
    CHECK_FALSE(result.ok());
    LONGS_EQUAL_TEXT(1, result.errors.size(), all_errors(result).c_str());
    STRCMP_EQUAL(expected, result.errors.front().c_str());
  }
};

// ---- defaults and presets ----------------------------------------------------

TEST(AgentConfig, EmptyObjectGivesDeepSeekWithTheRobotsRealPaths) {
  const AgentConfig config = accept("{}");
  STRCMP_EQUAL("deepseek", config.provider.preset.c_str());
  STRCMP_EQUAL("api.deepseek.com", config.provider.endpoint.host.c_str());
  LONGS_EQUAL(443, config.provider.endpoint.port);
  STRCMP_EQUAL("", config.provider.endpoint.path_prefix.c_str());
  STRCMP_EQUAL("deepseek-reasoner", config.provider.model.c_str());
  STRCMP_EQUAL("deepseek", config.provider.stream_profile.c_str());
  STRCMP_EQUAL("/data/vic-r1/api-key", config.provider.api_key_file.c_str());
  STRCMP_EQUAL("/data/vic-r1/ca-certificates.crt", config.provider.ca_file.c_str());
  STRCMP_EQUAL("/data/vic-r1", config.state_dir.c_str());
  STRCMP_EQUAL("/dev/socket", config.socket_dir.c_str());
  CHECK_FALSE(config.provider.pinned_public_key_sha256.has_value());
  CHECK_FALSE(config.provider.temperature.has_value());
  LONGS_EQUAL(2048, config.provider.max_tokens);
  STRCMP_EQUAL(std::string(kDefaultSystemPrompt).c_str(), config.system_prompt.c_str());
}

TEST(AgentConfig, DefaultTimeoutsAreTheDocumentedOnes) {
  const HttpDeadlines timeouts = accept("{}").timeouts;
  LONGS_EQUAL(5000, timeouts.dns.count());
  LONGS_EQUAL(5000, timeouts.connect.count());
  LONGS_EQUAL(10000, timeouts.tls_handshake.count());
  LONGS_EQUAL(60000, timeouts.response_headers.count());
  LONGS_EQUAL(120000, timeouts.data_idle.count());
  LONGS_EQUAL(300000, timeouts.overall.count());
}

TEST(AgentConfig, DefaultAgentConfigEqualsAnEmptyConfig) {
  const AgentConfig loaded = accept("{}");
  const AgentConfig built = default_agent_config();
  STRCMP_EQUAL(loaded.provider.preset.c_str(), built.provider.preset.c_str());
  STRCMP_EQUAL(loaded.provider.endpoint.base_url().c_str(), built.provider.endpoint.base_url().c_str());
  STRCMP_EQUAL(loaded.provider.model.c_str(), built.provider.model.c_str());
  STRCMP_EQUAL(loaded.provider.stream_profile.c_str(), built.provider.stream_profile.c_str());
  STRCMP_EQUAL(loaded.provider.api_key_file.c_str(), built.provider.api_key_file.c_str());
  STRCMP_EQUAL(loaded.provider.ca_file.c_str(), built.provider.ca_file.c_str());
  STRCMP_EQUAL(loaded.system_prompt.c_str(), built.system_prompt.c_str());
  STRCMP_EQUAL(loaded.socket_dir.c_str(), built.socket_dir.c_str());
  STRCMP_EQUAL(loaded.state_dir.c_str(), built.state_dir.c_str());
  LONGS_EQUAL(loaded.provider.max_tokens, built.provider.max_tokens);
  LONGS_EQUAL(loaded.timeouts.overall.count(), built.timeouts.overall.count());
}

TEST(AgentConfig, DefaultSystemPromptAsksForShortPlainSpeech) {
  const std::string prompt(kDefaultSystemPrompt);
  STRCMP_CONTAINS("Vector", prompt.c_str());
  STRCMP_CONTAINS("no lists", prompt.c_str());
  STRCMP_CONTAINS("no markdown", prompt.c_str());
  STRCMP_CONTAINS("concise", prompt.c_str());
}

TEST(AgentConfig, EachHostedPresetGivesItsUrlModelAndStreamProfile) {
  struct Expected {
    const char* provider;
    const char* base_url;
    const char* model;
  };
  const Expected hosted[] = {
      {"deepseek", "https://api.deepseek.com", "deepseek-reasoner"},
      {"together", "https://api.together.xyz/v1", "deepseek-ai/DeepSeek-R1"},
      {"fireworks", "https://api.fireworks.ai/inference/v1", "accounts/fireworks/models/deepseek-r1"},
      {"openrouter", "https://openrouter.ai/api/v1", "deepseek/deepseek-r1"},
      {"groq", "https://api.groq.com/openai/v1", "deepseek-r1-distill-llama-70b"},
  };
  for (const Expected& expected : hosted) {
    const AgentConfig config = accept(std::string(R"({"provider":")") + expected.provider + "\"}");
    STRCMP_EQUAL(expected.provider, config.provider.preset.c_str());
    STRCMP_EQUAL(expected.base_url, config.provider.endpoint.base_url().c_str());
    STRCMP_EQUAL(expected.model, config.provider.model.c_str());
    STRCMP_EQUAL(expected.provider, config.provider.stream_profile.c_str());
  }
}

TEST(AgentConfig, ChatPathIsTheBaseUrlPathPlusChatCompletions) {
  const AgentConfig config = accept(R"({"provider":"fireworks"})");
  STRCMP_EQUAL("api.fireworks.ai", config.provider.endpoint.host.c_str());
  STRCMP_EQUAL("/inference/v1", config.provider.endpoint.path_prefix.c_str());
}

TEST(AgentConfig, EveryPresetHasADisplayNameAndAKnownStreamProfile) {
  for (const ProviderPreset& preset : provider_presets()) {
    CHECK_FALSE(preset.display_name.empty());
    bool known = false;
    for (std::string_view name : kProfileNames) known = known || name == preset.stream_profile;
    CHECK_TRUE_TEXT(known, std::string(preset.name).c_str());
    POINTERS_EQUAL(&preset, find_provider_preset(preset.name));
  }
  POINTERS_EQUAL(nullptr, find_provider_preset("openai"));
  STRCMP_EQUAL("DeepSeek", std::string(find_provider_preset("deepseek")->display_name).c_str());
}

TEST(AgentConfig, SelfHostedProvidersNeedBaseUrlAndModel) {
  for (const char* provider : {"ollama", "vllm", "llamacpp", "custom"}) {
    const LoadOutcome result =
        refuse(std::string(R"({"provider":")") + provider + "\"}",
               (std::string("base_url: required for provider \"") + provider + "\"").c_str());
    STRCMP_CONTAINS((std::string("model: required for provider \"") + provider + "\"").c_str(),
                    all_errors(result).c_str());
    LONGS_EQUAL(2, result.errors.size());
  }
}

TEST(AgentConfig, SelfHostedProviderLoadsWithItsUrlAndModel) {
  const AgentConfig config =
      accept(R"({"provider":"ollama","base_url":"https://ollama.lan:8443/v1","model":"deepseek-r1:14b"})");
  STRCMP_EQUAL("ollama.lan", config.provider.endpoint.host.c_str());
  LONGS_EQUAL(8443, config.provider.endpoint.port);
  STRCMP_EQUAL("/v1", config.provider.endpoint.path_prefix.c_str());
  STRCMP_EQUAL("deepseek-r1:14b", config.provider.model.c_str());
  STRCMP_EQUAL("ollama", config.provider.stream_profile.c_str());
}

TEST(AgentConfig, CustomProviderDefaultsToTheAutoStreamProfile) {
  const AgentConfig config = accept(R"({"provider":"custom","base_url":"https://r1.example.org","model":"r1"})");
  STRCMP_EQUAL("auto", config.provider.stream_profile.c_str());
}

TEST(AgentConfig, BaseUrlOverridesTheHostedPresetsUrl) {
  const AgentConfig config = accept(R"({"provider":"deepseek","base_url":"https://proxy.example.org/deepseek/"})");
  STRCMP_EQUAL("proxy.example.org", config.provider.endpoint.host.c_str());
  STRCMP_EQUAL("/deepseek", config.provider.endpoint.path_prefix.c_str());
  STRCMP_EQUAL("deepseek-reasoner", config.provider.model.c_str());
}

TEST(AgentConfig, ModelOverridesThePresetsModel) {
  STRCMP_EQUAL("deepseek-chat", accept(R"({"model":"deepseek-chat"})").provider.model.c_str());
}

TEST(AgentConfig, UnknownProviderIsRefusedWithTheKnownNames) {
  refuse_exactly(R"({"provider":"openai"})",
                 "provider: unknown provider \"openai\" (known: deepseek, together, fireworks, openrouter, groq, "
                 "ollama, vllm, llamacpp, custom)");
}

TEST(AgentConfig, ProviderMustBeAString) {
  refuse_exactly(R"({"provider":1})", "provider: must be a string (got a number)");
}

// ---- the key stays out of the config -------------------------------------------

TEST(AgentConfig, ApiKeyInTheConfigIsRefusedAndNeverRepeated) {
  const char* const secret = "sk-live-0123456789abcdef";
  const LoadOutcome result = refuse(std::string(R"({"api_key":")") + secret + "\"}",
                                    "api_key: the API key must not be in the config file; move it into "
                                    "/data/vic-r1/api-key");
  LONGS_EQUAL(1, result.errors.size());
  CHECK(all_errors(result).find(secret) == std::string::npos);
}

TEST(AgentConfig, ApiKeyRefusalNamesTheConfiguredKeyFile) {
  refuse(R"({"api_key":"x","api_key_file":"/etc/vic-r1/key"})", "move it into /etc/vic-r1/key");
}

TEST(AgentConfig, ApiKeyIsRefusedWhateverItsValue) {
  refuse(R"({"api_key":null})", "api_key: the API key must not be in the config file");
  refuse(R"({"api_key":""})", "api_key: the API key must not be in the config file");
}

TEST(AgentConfig, KeyPastedAsTheKeyFilePathIsNotRepeated) {
  const char* const secret = "sk-live-0123456789abcdef";
  const LoadOutcome result =
      refuse(std::string(R"({"api_key_file":")") + secret + "\"}", "api_key_file: must be an absolute path");
  CHECK(all_errors(result).find(secret) == std::string::npos);
}

// ---- unknown and repeated keys -------------------------------------------------

TEST(AgentConfig, UnknownTopLevelKeyIsReportedWithTheKnownKeys) {
  refuse_exactly(
      R"({"colour":"x"})",
      "colour: unknown key (known keys: provider, base_url, model, stream_profile, api_key_file, ca_file, "
      "pinned_public_key_sha256, timeouts_ms, max_tokens, temperature, system_prompt, socket_dir, "
      "state_dir, voice, animations, emotions, thinking_animation, thinking_progress, "
      "conversation_mode, history, question_intents, fallbacks)");
}

TEST(AgentConfig, UnknownTimeoutKeyIsReportedWithItsPath) {
  refuse_exactly(R"({"timeouts_ms":{"idle":1000}})",
                 "timeouts_ms.idle: unknown key (known keys: dns, connect, tls_handshake, response_headers, "
                 "data_idle, overall)");
}

// What to write instead: a key within two edits of a known one, or the only
// known one it begins.
TEST(AgentConfig, MistypedKeyIsAnsweredWithTheKeyItWasMeantToBe) {
  refuse(R"({"modle":"x"})", "modle: unknown key; did you mean \"model\"?");
  refuse(R"({"Model":"x"})", "Model: unknown key; did you mean \"model\"?");
  refuse(R"({"timeouts_ms":{"dsn":1000}})", "timeouts_ms.dsn: unknown key; did you mean \"dns\"?");
  refuse(R"({"timeouts_ms":{"data-idle":1000}})",
         "timeouts_ms.data-idle: unknown key; did you mean \"data_idle\"?");
  refuse(R"({"voice":{"pitch":0.5}})", "voice.pitch: unknown key; did you mean \"pitch_scalar\"?");
  refuse(R"({"fallbacks":[{"modell":"x"}]})", "fallbacks[0].modell: unknown key; did you mean \"model\"?");
}

TEST(AgentConfig, RepeatedKeyIsReported) {
  refuse_exactly(R"({"model":"a","model":"b"})", "model: given more than once");
  refuse_exactly(R"({"timeouts_ms":{"dns":1000,"dns":2000}})", "timeouts_ms.dns: given more than once");
}

TEST(AgentConfig, EveryProblemIsReportedNotOnlyTheFirst) {
  const LoadOutcome result =
      load(R"({"provider":"custom","max_tokens":0,"temperature":3,"colour":"red","timeouts_ms":{"dns":1}})");
  CHECK_FALSE(result.ok());
  const std::string errors = all_errors(result);
  STRCMP_CONTAINS("colour: unknown key", errors.c_str());
  STRCMP_CONTAINS("base_url: required", errors.c_str());
  STRCMP_CONTAINS("model: required", errors.c_str());
  STRCMP_CONTAINS("timeouts_ms.dns: must be at least 100", errors.c_str());
  STRCMP_CONTAINS("max_tokens: must be at least 1", errors.c_str());
  STRCMP_CONTAINS("temperature: must be from 0 to 2", errors.c_str());
  LONGS_EQUAL(6, result.errors.size());
}

// ---- JSON syntax ----------------------------------------------------------------

TEST(AgentConfig, SyntaxErrorNamesLineAndColumn) {
  refuse_exactly("{\n  \"model\": \"x\",\n}",
                 "line 3, column 1: JSON syntax error: Missing a name for object member.");
}

TEST(AgentConfig, ColumnCountsCharactersNotBytes) {
  // "ééé" is three characters in six bytes; the missing comma is at column 24.
  refuse_exactly("{\"system_prompt\":\"\xC3\xA9\xC3\xA9\xC3\xA9\" \"x\"}",
                 "line 1, column 24: JSON syntax error: Missing a comma or '}' after an object member.");
}

TEST(AgentConfig, EmptyTextIsASyntaxError) {
  refuse_exactly("", "line 1, column 1: JSON syntax error: The document is empty.");
}

TEST(AgentConfig, TextAfterTheObjectIsASyntaxError) { refuse(R"({} {})", "line 1, column 4: JSON syntax error"); }

TEST(AgentConfig, InvalidUtf8IsRefused) {
  refuse("{\"system_prompt\":\"caf\xE9\"}", "JSON syntax error: Invalid encoding in string.");
}

TEST(AgentConfig, NulByteIsRefusedWhereverItIs) {
  refuse_exactly(std::string_view("{}\0{\"x\":1}", 10),
                 "line 1, column 3: JSON syntax error: a NUL byte is not allowed");
  refuse_exactly(std::string_view("{\n\"model\":\"a\0b\"}", 16),
                 "line 2, column 11: JSON syntax error: a NUL byte is not allowed");
}

TEST(AgentConfig, LeadingByteOrderMarkIsIgnored) {
  STRCMP_EQUAL("r1", accept("\xEF\xBB\xBF{\"model\":\"r1\"}").provider.model.c_str());
}

TEST(AgentConfig, TopLevelMustBeAnObject) {
  refuse_exactly("[]", "(top level): must be a JSON object {...} (got an array)");
  refuse_exactly("\"deepseek\"", "(top level): must be a JSON object {...} (got a string)");
}

TEST(AgentConfig, DeepNestingIsRefusedBeforeParsing) {
  std::string json = R"({"system_prompt":"[[[[","x":)";
  json += std::string(100000, '[');
  refuse_exactly(json, "line 1, column 44: JSON nested deeper than 16 levels");
}

// ---- base_url --------------------------------------------------------------------

TEST(AgentConfig, PlainHttpIsTakenForALocalServerButNeverWithAPin) {
  const AgentConfig config =
      accept(R"({"provider":"ollama","model":"m","base_url":"http://192.168.1.5:11434/v1"})");
  CHECK_FALSE(config.provider.endpoint.encrypted);
  const std::string pinned = R"({"provider":"ollama","model":"m","base_url":"http://192.168.1.5:11434/v1",)"
                             R"("pinned_public_key_sha256":")" +
                             std::string(64, 'a') + R"("})";
  refuse_exactly(pinned,
                 "pinned_public_key_sha256: pins a TLS key, but base_url is http:// (no TLS); "
                 "use https:// or remove the pin");
}

TEST(AgentConfig, BaseUrlErrorsCarryTheKeyName) {
  refuse_exactly(R"({"base_url":"https://api.together.xyz/v1/chat/completions"})",
                 "base_url: must be the base URL without /chat/completions (vic-r1 adds it), "
                 "e.g. https://api.together.xyz/v1");
  refuse_exactly(R"({"base_url":42})", "base_url: must be a string (got a number)");
}

// ---- model and stream_profile ------------------------------------------------------

TEST(AgentConfig, ModelMustBeANonEmptyStringWithoutSurroundingSpaces) {
  refuse_exactly(R"({"model":""})", "model: must not be empty");
  refuse_exactly(R"({"model":"deepseek-reasoner "})",
                 "model: has a space at its start or end (got \"deepseek-reasoner \")");
  refuse_exactly(R"({"model":["r1"]})", "model: must be a string (got an array)");
}

TEST(AgentConfig, StreamProfileCanBeAnyKnownProfile) {
  STRCMP_EQUAL("inline-r1",
               accept(R"({"provider":"together","stream_profile":"inline-r1"})").provider.stream_profile.c_str());
}

TEST(AgentConfig, UnknownStreamProfileIsRefusedWithTheKnownNames) {
  refuse_exactly(
      R"({"stream_profile":"fast"})",
      "stream_profile: unknown profile \"fast\" (known: auto, deepseek, together, fireworks, openrouter, "
      "groq, ollama, ollama-native, vllm, llamacpp, inline-r1, plain)");
}

TEST(AgentConfig, StreamProfileIsCheckedAgainstTheNamesPassedIn) {
  const std::vector<std::string_view> only_auto = {"auto"};
  CHECK_FALSE(load_outcome(R"({"stream_profile":"deepseek"})", only_auto).ok());
  CHECK_TRUE(load_outcome(R"({"stream_profile":"auto"})", only_auto).ok());
}

// ---- paths -----------------------------------------------------------------------

TEST(AgentConfig, StateDirMovesTheKeyFileAndCaFileDefaults) {
  const AgentConfig config = accept(R"({"state_dir":"/tmp/vic-r1-test","socket_dir":"/tmp/vic-r1-test/socket"})");
  STRCMP_EQUAL("/tmp/vic-r1-test", config.state_dir.c_str());
  STRCMP_EQUAL("/tmp/vic-r1-test/socket", config.socket_dir.c_str());
  STRCMP_EQUAL("/tmp/vic-r1-test/api-key", config.provider.api_key_file.c_str());
  STRCMP_EQUAL("/tmp/vic-r1-test/ca-certificates.crt", config.provider.ca_file.c_str());
}

TEST(AgentConfig, KeyFileAndCaFileCanBeSetApart) {
  const AgentConfig config = accept(R"({"api_key_file":"/secrets/r1-key","ca_file":"/etc/ssl/ca.pem"})");
  STRCMP_EQUAL("/secrets/r1-key", config.provider.api_key_file.c_str());
  STRCMP_EQUAL("/etc/ssl/ca.pem", config.provider.ca_file.c_str());
}

TEST(AgentConfig, PathsMustBeAbsolute) {
  refuse_exactly(R"({"state_dir":"data/vic-r1"})", "state_dir: must be an absolute path (got \"data/vic-r1\")");
  refuse_exactly(R"({"socket_dir":""})", "socket_dir: must be an absolute path (got \"\")");
  refuse_exactly(R"({"ca_file":"ca.pem"})", "ca_file: must be an absolute path (got \"ca.pem\")");
  refuse_exactly(R"({"api_key_file":"key"})", "api_key_file: must be an absolute path, starting with '/'");
  refuse_exactly(R"({"ca_file":null})", "ca_file: must be a string (got null)");
}

// ---- pinning ----------------------------------------------------------------------

TEST(AgentConfig, PinnedKeyIsParsedFrom64HexDigitsOfEitherCase) {
  const AgentConfig config =
      accept(R"({"pinned_public_key_sha256":"00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff"})");
  CHECK_TRUE(config.provider.pinned_public_key_sha256.has_value());
  const std::array<std::uint8_t, 32>& pin = *config.provider.pinned_public_key_sha256;
  LONGS_EQUAL(0x00, pin[0]);
  LONGS_EQUAL(0x11, pin[1]);
  LONGS_EQUAL(0xAA, pin[10]);
  LONGS_EQUAL(0xFF, pin[15]);
  LONGS_EQUAL(0xEE, pin[30]);
  LONGS_EQUAL(0xFF, pin[31]);
}

TEST(AgentConfig, PinnedKeyNullMeansNoPin) {
  CHECK_FALSE(accept(R"({"pinned_public_key_sha256":null})").provider.pinned_public_key_sha256.has_value());
}

TEST(AgentConfig, PinnedKeyMustBe64HexDigits) {
  refuse_exactly(R"({"pinned_public_key_sha256":"0011"})",
                 "pinned_public_key_sha256: must be 64 hex digits, the SHA-256 of the server's public key "
                 "(got 4 characters)");
  refuse(R"({"pinned_public_key_sha256":"g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"})",
         "pinned_public_key_sha256: must be 64 hex digits");
  refuse(R"({"pinned_public_key_sha256":true})", "pinned_public_key_sha256: must be a string (got true/false)");
}

// ---- timeouts ----------------------------------------------------------------------

TEST(AgentConfig, TimeoutsCanBeGivenInPart) {
  const HttpDeadlines timeouts = accept(R"({"timeouts_ms":{"connect":2500,"overall":600000}})").timeouts;
  LONGS_EQUAL(2500, timeouts.connect.count());
  LONGS_EQUAL(600000, timeouts.overall.count());
  LONGS_EQUAL(5000, timeouts.dns.count());
  LONGS_EQUAL(120000, timeouts.data_idle.count());
}

TEST(AgentConfig, EveryTimeoutAcceptsItsBounds) {
  for (const char* key : {"dns", "connect", "tls_handshake", "response_headers", "data_idle"}) {
    const std::string at_minimum = std::string(R"({"timeouts_ms":{")") + key + R"(":100}})";
    accept(at_minimum);
  }
  LONGS_EQUAL(101, accept(R"({"timeouts_ms":{"data_idle":100,"overall":101}})").timeouts.overall.count());
  const HttpDeadlines timeouts =
      accept(
          R"({"timeouts_ms":{"dns":1800000,"connect":1800000,"tls_handshake":1800000,"response_headers":1800000,)"
          R"("data_idle":1799999,"overall":1800000}})")
          .timeouts;
  LONGS_EQUAL(1800000, timeouts.dns.count());
  LONGS_EQUAL(1799999, timeouts.data_idle.count());
}

TEST(AgentConfig, EveryTimeoutRefusesLessThan100Milliseconds) {
  for (const char* key : {"dns", "connect", "tls_handshake", "response_headers", "data_idle", "overall"}) {
    const std::string json = std::string(R"({"timeouts_ms":{")") + key + R"(":99}})";
    refuse(json, (std::string("timeouts_ms.") + key + ": must be at least 100 (got 99)").c_str());
  }
  refuse(R"({"timeouts_ms":{"dns":-5}})", "timeouts_ms.dns: must be at least 100 (got -5)");
}

TEST(AgentConfig, EveryTimeoutRefusesMoreThan30Minutes) {
  for (const char* key : {"dns", "connect", "tls_handshake", "response_headers", "data_idle", "overall"}) {
    const std::string json = std::string(R"({"timeouts_ms":{")") + key + R"(":1800001}})";
    refuse(json, (std::string("timeouts_ms.") + key + ": must be at most 1800000 (got 1800001)").c_str());
  }
  refuse(R"({"timeouts_ms":{"overall":18446744073709551615}})",
         "timeouts_ms.overall: must be at most 1800000 (got 18446744073709551615)");
}

TEST(AgentConfig, TimeoutsWrittenAsWholeDecimalsAreAccepted) {
  const HttpDeadlines timeouts = accept(R"({"timeouts_ms":{"dns":5000.0,"connect":2e3}})").timeouts;
  LONGS_EQUAL(5000, timeouts.dns.count());
  LONGS_EQUAL(2000, timeouts.connect.count());
  refuse_exactly(R"({"timeouts_ms":{"dns":1e300}})", "timeouts_ms.dns: must be from 100 to 1800000 (got 1e+300)");
  refuse_exactly(R"({"timeouts_ms":{"dns":50.0}})", "timeouts_ms.dns: must be from 100 to 1800000 (got 50)");
}

TEST(AgentConfig, TimeoutsMustBeWholeMilliseconds) {
  refuse_exactly(R"({"timeouts_ms":{"dns":1500.5}})", "timeouts_ms.dns: must be a whole number (got 1500.5)");
  refuse_exactly(R"({"timeouts_ms":{"dns":"5s"}})", "timeouts_ms.dns: must be a number (got a string)");
}

TEST(AgentConfig, DataIdleMustBeLessThanOverall) {
  refuse_exactly(R"({"timeouts_ms":{"data_idle":400000}})",
                 "timeouts_ms.data_idle: must be less than timeouts_ms.overall (got 400000 >= 300000)");
  refuse_exactly(R"({"timeouts_ms":{"data_idle":60000,"overall":60000}})",
                 "timeouts_ms.data_idle: must be less than timeouts_ms.overall (got 60000 >= 60000)");
}

TEST(AgentConfig, TimeoutsMustBeAnObject) {
  refuse_exactly(R"({"timeouts_ms":30000})",
                 "timeouts_ms: must be an object of milliseconds, e.g. {\"overall\": 300000} (got a number)");
}

// ---- max_tokens, temperature, system_prompt ---------------------------------------

TEST(AgentConfig, MaxTokensAcceptsOneTo32768) {
  LONGS_EQUAL(1, accept(R"({"max_tokens":1})").provider.max_tokens);
  LONGS_EQUAL(32768, accept(R"({"max_tokens":32768})").provider.max_tokens);
  refuse_exactly(R"({"max_tokens":0})", "max_tokens: must be at least 1 (got 0)");
  refuse_exactly(R"({"max_tokens":32769})", "max_tokens: must be at most 32768 (got 32769)");
  refuse_exactly(R"({"max_tokens":"2048"})", "max_tokens: must be a number (got a string)");
  refuse_exactly(R"({"max_tokens":100.5})", "max_tokens: must be a whole number (got 100.5)");
}

TEST(AgentConfig, TemperatureIsOptionalFromZeroToTwo) {
  DOUBLES_EQUAL(0.6, *accept(R"({"temperature":0.6})").provider.temperature, 0.0);
  DOUBLES_EQUAL(0.0, *accept(R"({"temperature":0})").provider.temperature, 0.0);
  DOUBLES_EQUAL(2.0, *accept(R"({"temperature":2})").provider.temperature, 0.0);
  CHECK_FALSE(accept(R"({"temperature":null})").provider.temperature.has_value());
  refuse_exactly(R"({"temperature":-0.1})", "temperature: must be from 0 to 2 (got -0.1)");
  refuse_exactly(R"({"temperature":2.5})", "temperature: must be from 0 to 2 (got 2.5)");
  refuse_exactly(R"({"temperature":"warm"})", "temperature: must be a number from 0 to 2 (got a string)");
}

TEST(AgentConfig, SystemPromptCanBeReplacedOrEmptied) {
  STRCMP_EQUAL("Be brief.", accept(R"({"system_prompt":"Be brief."})").system_prompt.c_str());
  STRCMP_EQUAL("", accept(R"({"system_prompt":""})").system_prompt.c_str());
  refuse_exactly(R"({"system_prompt":null})", "system_prompt: must be a string (got null)");
}

// ---- parse_base_url ------------------------------------------------------------------

TEST_GROUP(BaseUrl) {
  Endpoint endpoint;
  std::string error;

  void accept(std::string_view url) {
    error.clear();
    CHECK_TRUE_TEXT(parse_base_url(url, endpoint, error), error.c_str());
  }
  void refuse(std::string_view url, const char* expected) {
    error.clear();
    CHECK_FALSE_TEXT(parse_base_url(url, endpoint, error), std::string(url).c_str());
    STRCMP_EQUAL(expected, error.c_str());
  }
};

TEST(BaseUrl, SplitsHostPortAndPathPrefix) {
  accept("https://r1.example.org:8443/api/v1");
  STRCMP_EQUAL("r1.example.org", endpoint.host.c_str());
  LONGS_EQUAL(8443, endpoint.port);
  STRCMP_EQUAL("/api/v1", endpoint.path_prefix.c_str());
  STRCMP_EQUAL("r1.example.org:8443", endpoint.host_header().c_str());
  STRCMP_EQUAL("https://r1.example.org:8443/api/v1", endpoint.base_url().c_str());
}

TEST(BaseUrl, PortDefaultsTo443AndIsLeftOutOfTheHostHeader) {
  accept("https://api.deepseek.com");
  LONGS_EQUAL(443, endpoint.port);
  STRCMP_EQUAL("", endpoint.path_prefix.c_str());
  STRCMP_EQUAL("api.deepseek.com", endpoint.host_header().c_str());
  accept("https://api.deepseek.com:443/");
  STRCMP_EQUAL("https://api.deepseek.com", endpoint.base_url().c_str());
}

TEST(BaseUrl, NormalisesCaseTrailingSlashesAndTheTrailingDot) {
  accept("HTTPS://API.Together.XYZ./v1//");
  STRCMP_EQUAL("api.together.xyz", endpoint.host.c_str());
  STRCMP_EQUAL("/v1", endpoint.path_prefix.c_str());
}

TEST(BaseUrl, AcceptsIpv4AndBracketedIpv6Literals) {
  accept("https://192.168.1.5:8443/v1");
  STRCMP_EQUAL("192.168.1.5", endpoint.host.c_str());
  accept("https://[FD00::1]:8443/v1");
  STRCMP_EQUAL("fd00::1", endpoint.host.c_str());
  LONGS_EQUAL(8443, endpoint.port);
  STRCMP_EQUAL("[fd00::1]:8443", endpoint.host_header().c_str());
  accept("https://[::1]");
  STRCMP_EQUAL("[::1]", endpoint.host_header().c_str());
}

TEST(BaseUrl, AcceptsPercentEscapesAndPathPunctuation) {
  accept("https://h.example/a%2Fb/~x;y=1/@z");
  STRCMP_EQUAL("/a%2Fb/~x;y=1/@z", endpoint.path_prefix.c_str());
}

TEST(BaseUrl, TakesHttpWithItsOwnDefaultPort) {
  accept("http://gpu-box.lan/v1");
  CHECK_FALSE(endpoint.encrypted);
  LONGS_EQUAL(80, endpoint.port);
  STRCMP_EQUAL("gpu-box.lan", endpoint.host_header().c_str());
  STRCMP_EQUAL("http://gpu-box.lan/v1", endpoint.base_url().c_str());
  accept("http://192.168.1.5:11434/v1");
  STRCMP_EQUAL("192.168.1.5:11434", endpoint.host_header().c_str());
  accept("https://h.example");
  CHECK_TRUE(endpoint.encrypted);
  LONGS_EQUAL(443, endpoint.port);
}

TEST(BaseUrl, RefusesEverySchemeButHttpsAndHttp) {
  refuse("ftp://example.org", "must use https, or http for a server on your local network (got ftp://)");
  refuse(
      "api.deepseek.com",
      "must start with https:// (e.g. https://api.deepseek.com), or http:// for a server on your local network");
  refuse("", "must not be empty");
}

TEST(BaseUrl, RefusesCredentialsWithoutRepeatingThem) {
  refuse("https://user:sk-secret-123@api.example.org/v1",
         "must not contain a user name or password (user:password@host); the API key belongs in the key file");
  CHECK(error.find("sk-secret-123") == std::string::npos);
}

TEST(BaseUrl, RefusesQueryAndFragment) {
  refuse("https://api.example.org/v1?key=sk-secret", "must not have a query (?...) or a fragment (#...)");
  refuse("https://api.example.org?x", "must not have a query (?...) or a fragment (#...)");
  refuse("https://api.example.org/v1#top", "must not have a query (?...) or a fragment (#...)");
}

TEST(BaseUrl, RefusesBadPorts) {
  for (const char* url : {"https://h.example:0", "https://h.example:65536", "https://h.example:",
                          "https://h.example:44a", "https://h.example:000443", "https://[::1]:x"}) {
    refuse(url, "has a port that is not a number from 1 to 65535");
  }
  accept("https://h.example:65535");
  LONGS_EQUAL(65535, endpoint.port);
}

TEST(BaseUrl, RefusesBadHostNames) {
  refuse("https:///v1", "has no host name (e.g. https://api.deepseek.com)");
  refuse("https://:443", "has no host name (e.g. https://api.deepseek.com)");
  refuse("https://exa!mple.org", "has a host name with a character other than letters, digits, '-', '_' and '.'");
  refuse("https://a..b", "has a host name with an empty part (\"..\")");
  refuse("https://.a", "has a host name with an empty part (\"..\")");
  refuse("https://" + std::string(64, 'a') + ".org", "has a host name with a part longer than 63 characters");
  accept("https://" + std::string(63, 'a') + ".org");
  std::string long_name;
  for (int i = 0; i < 50; ++i) long_name += "abcd.";
  long_name += "org";  // 253 characters
  accept("https://" + long_name);
  refuse("https://a" + long_name, "has a host name longer than 253 characters");
}

TEST(BaseUrl, RefusesMalformedIpv6Literals) {
  refuse("https://[::1/v1", "has an IPv6 address without its closing ']'");
  refuse("https://[fe80::1%25eth0]",
         "has an IPv6 address with a character other than hex digits, ':' and '.' (zones are not supported)");
  refuse("https://[1234]", "has brackets around something that is not an IPv6 address");
  refuse("https://[::1]x", "has characters after its IPv6 address that are not a port");
}

TEST(BaseUrl, RefusesSpacesControlAndNonAsciiCharacters) {
  const char* expected =
      "must not contain spaces, control characters or non-ASCII characters (percent-encode them)";
  refuse("https://api.example.org/v 1", expected);
  refuse("https://api.example.org/v1\n", expected);
  refuse("https://api.example.org/caf\xC3\xA9", expected);
}

TEST(BaseUrl, RefusesBadPathCharactersAndEscapes) {
  refuse("https://api.example.org/a\"b", "has a character in its path that must be percent-encoded");
  refuse("https://api.example.org/a%2", "has a '%' in its path that is not followed by two hex digits");
  refuse("https://api.example.org/a%zz", "has a '%' in its path that is not followed by two hex digits");
}

TEST(BaseUrl, RefusesTheFullChatCompletionsUrl) {
  refuse("https://api.deepseek.com/chat/completions/",
         "must be the base URL without /chat/completions (vic-r1 adds it), e.g. https://api.together.xyz/v1");
}

TEST(BaseUrl, LeavesTheEndpointUnchangedOnError) {
  accept("https://kept.example:1234/v1");
  refuse("https://other.example:0", "has a port that is not a number from 1 to 65535");
  STRCMP_EQUAL("kept.example", endpoint.host.c_str());
  LONGS_EQUAL(1234, endpoint.port);
}

// ---- the file wrapper ----------------------------------------------------------------

TEST_GROUP(AgentConfigFile) {
  TemporaryDirectory directory;

  void setup() override { CHECK_FALSE(directory.path().empty()); }
};

TEST(AgentConfigFile, LoadsAFile) {
  const std::string path = directory.write("config.json", "{\n  \"provider\": \"together\",\n  \"state_dir\": \"" +
                                                              directory.path() + "\"\n}\n");
  const LoadOutcome result = load_file_outcome(path, kProfileNames);
  CHECK_TRUE_TEXT(result.ok(), all_errors(result).c_str());
  STRCMP_EQUAL("together", result.config->provider.preset.c_str());
  STRCMP_EQUAL((directory.path() + "/api-key").c_str(), result.config->provider.api_key_file.c_str());
}

TEST(AgentConfigFile, EveryErrorStartsWithThePath) {
  const std::string path = directory.write("config.json", "{\"max_tokens\":0,\"colour\":1}");
  const LoadOutcome result = load_file_outcome(path, kProfileNames);
  LONGS_EQUAL(2, result.errors.size());
  STRCMP_EQUAL((path + ": colour: unknown key").c_str(), result.errors[0].substr(0, path.size() + 21).c_str());
  STRCMP_EQUAL((path + ": max_tokens: must be at least 1 (got 0)").c_str(), result.errors[1].c_str());
}

TEST(AgentConfigFile, SyntaxErrorStartsWithThePathAndPosition) {
  const std::string path = directory.write("config.json", "{\n\"model\" \"x\"}");
  const LoadOutcome result = load_file_outcome(path, kProfileNames);
  LONGS_EQUAL(1, result.errors.size());
  STRCMP_EQUAL(
      (path + ": line 2, column 9: JSON syntax error: Missing a colon after a name of object member.").c_str(),
      result.errors[0].c_str());
}

TEST(AgentConfigFile, MissingFileSaysSo) {
  const std::string path = directory.file("absent.json");
  const LoadOutcome result = load_file_outcome(path, kProfileNames);
  LONGS_EQUAL(1, result.errors.size());
  STRCMP_EQUAL((path + ": cannot open: No such file or directory").c_str(), result.errors[0].c_str());
}

TEST(AgentConfigFile, DirectoryIsNotAConfigFile) {
  const LoadOutcome result = load_file_outcome(directory.path(), kProfileNames);
  LONGS_EQUAL(1, result.errors.size());
  STRCMP_EQUAL((directory.path() + ": is not a regular file").c_str(), result.errors[0].c_str());
}

TEST(AgentConfigFile, FifoIsRefusedWithoutWaitingForAWriter) {
  const std::string path = directory.file("config.fifo");
  LONGS_EQUAL(0, ::mkfifo(path.c_str(), 0600));
  const LoadOutcome result = load_file_outcome(path, kProfileNames);
  LONGS_EQUAL(1, result.errors.size());
  STRCMP_EQUAL((path + ": is not a regular file").c_str(), result.errors[0].c_str());
}

TEST(AgentConfigFile, AConfigOthersMayChangeIsRefused) {
  const std::string path = directory.write("config.json", "{\"provider\": \"deepseek\"}");
  LONGS_EQUAL(0, ::chmod(path.c_str(), 0664));
  const LoadOutcome result = load_file_outcome(path, kProfileNames);
  LONGS_EQUAL(1, result.errors.size());
  STRCMP_EQUAL((path +
                ": can be changed by users other than its owner (mode 0664), who could send your API key "
                "to a server of theirs; run: chmod go-w " +
                path)
                   .c_str(),
               result.errors[0].c_str());
  LONGS_EQUAL(0, ::chmod(path.c_str(), 0644));
  CHECK_TRUE_TEXT(load_file_outcome(path, kProfileNames).ok(), "a 0644 config is refused");
}

TEST(AgentConfigFile, FileOver64KiBIsRefused) {
  const std::string path =
      directory.write("config.json", "{\"system_prompt\":\"" + std::string(70000, 'a') + "\"}");
  const LoadOutcome result = load_file_outcome(path, kProfileNames);
  LONGS_EQUAL(1, result.errors.size());
  STRCMP_EQUAL((path + ": is larger than 64 KiB").c_str(), result.errors[0].c_str());
}

TEST(AgentConfigFile, FileOfExactly64KiBIsRead) {
  const std::string prefix = "{\"system_prompt\":\"";
  const std::string path =
      directory.write("config.json", prefix + std::string(kMaxConfigFileBytes - prefix.size() - 2, 'a') + "\"}");
  const LoadOutcome result = load_file_outcome(path, kProfileNames);
  CHECK_TRUE_TEXT(result.ok(), all_errors(result).c_str());
  LONGS_EQUAL(kMaxConfigFileBytes - prefix.size() - 2, result.config->system_prompt.size());
}

// ---- how Vector speaks and moves -------------------------------------------------

TEST(AgentConfig, SpeechAndConversationSettingsAreRead) {
  const AgentConfig config =
      accept(R"({"voice":{"duration_scalar":1.5,"pitch_scalar":-0.25},"animations":false,)"
             R"("emotions":{"happy":["anim_a_01","anim_b_02"],"sad":[]},"thinking_animation":"",)"
             R"("conversation_mode":false,"history":{"turns":4,"bytes":2048,"forget_after_s":60},)"
             R"("question_intents":["intent_system_unmatched","intent_weather_extend"]})");
  DOUBLES_EQUAL(1.5, config.voice_duration_scalar, 1e-6);
  DOUBLES_EQUAL(-0.25, config.voice_pitch_scalar, 1e-6);
  CHECK_FALSE(config.animations);
  CHECK_FALSE(config.conversation_mode);
  CHECK_EQUAL(2u, config.emotions.size());
  STRCMP_EQUAL("anim_b_02", config.emotions[0].second[1].c_str());
  CHECK_TRUE(config.emotions[1].second.empty());
  STRCMP_EQUAL("", config.thinking_animation.c_str());
  CHECK_EQUAL(4, config.history_turns);
  CHECK_EQUAL(2048, config.history_bytes);
  CHECK_EQUAL(60, config.history_forget_after.count());
  CHECK_EQUAL(2u, config.question_intents.size());
}

TEST(AgentConfig, SpeechSettingsDefaultToWhatVectorOwnersExpect) {
  const AgentConfig config = accept("{}");
  STRCMP_EQUAL("anim_knowledgegraph_searching_01", config.thinking_animation.c_str());
  CHECK_TRUE(config.animations);
  CHECK_TRUE(config.conversation_mode);
  CHECK_TRUE(config.question_intents.empty());
}

TEST(AgentConfig, SpeechSettingErrorsNameTheFieldAndTheFix) {
  refuse(R"({"voice":{"duration_scalar":9}})", "voice.duration_scalar: must be from 0.25 to 4");
  refuse(R"({"voice":{"speed":1}})", "voice.speed: unknown key");
  refuse(R"({"emotions":{"happy":["anim happy"]}})", "emotions.happy[0]: must be a clip name");
  refuse(R"({"emotions":{"happy":"anim_a_01"}})", "emotions.happy: must be a list of clip names");
  refuse(R"({"thinking_animation":"anim-x"})", "thinking_animation: must be a clip name");
  refuse(R"({"question_intents":["weather"]})", "question_intents[0]: must be an intent name");
  refuse(R"({"history":{"turns":100}})", "history.turns: must be at most 64");
  refuse(R"({"conversation_mode":"yes"})", "conversation_mode: must be true or false");
}

TEST(AgentConfig, ThinkingProgressIsOffUnlessClipsAreGiven) {
  const AgentConfig config = accept("{}");
  CHECK_TRUE(config.thinking_progress_animations.empty());
  const AgentConfig with_progress = accept(
      R"({"thinking_progress":{"animations":["anim_observing_self_absorbed_01","anim_a_02"],"every_s":5}})");
  CHECK_EQUAL(2u, with_progress.thinking_progress_animations.size());
  STRCMP_EQUAL("anim_a_02", with_progress.thinking_progress_animations[1].c_str());
  CHECK_EQUAL(5, with_progress.thinking_progress_every.count());
}

TEST(AgentConfig, ThinkingProgressErrorsNameTheFieldAndTheFix) {
  refuse(R"({"thinking_progress":true})", "thinking_progress: must be an object");
  refuse(R"({"thinking_progress":{"clips":[]}})", "thinking_progress.clips: unknown key");
  refuse(R"({"thinking_progress":{"animations":["anim x"]}})",
         "thinking_progress.animations[0]: must be a clip name");
  refuse(R"({"thinking_progress":{"animations":"anim_a_01"}})",
         "thinking_progress.animations: must be a list of at most 8 clip names");
  refuse(R"({"thinking_progress":{"every_s":1}})", "thinking_progress.every_s: must be at least 2");
  refuse(R"({"thinking_progress":{"every_s":121}})", "thinking_progress.every_s: must be at most 120");
  refuse(R"({"thinking_animation":"","thinking_progress":{"animations":["anim_a_01"]}})",
         "thinking_progress: needs a thinking_animation to start from");
}

// ---- fallbacks ---------------------------------------------------------------------

TEST(AgentConfig, NoFallbacksUnlessListed) { CHECK_TRUE(accept("{}").fallbacks.empty()); }

TEST(AgentConfig, FallbacksAreReadInOrderWithTheirPresets) {
  const AgentConfig config = accept(
      R"({"fallbacks":[{"provider":"together"},
                       {"provider":"ollama","base_url":"https://gpu.lan:8443/v1","model":"deepseek-r1:14b"}]})");
  LONGS_EQUAL(2, config.fallbacks.size());
  STRCMP_EQUAL("together", config.fallbacks[0].preset.c_str());
  STRCMP_EQUAL("https://api.together.xyz/v1", config.fallbacks[0].endpoint.base_url().c_str());
  STRCMP_EQUAL("deepseek-ai/DeepSeek-R1", config.fallbacks[0].model.c_str());
  STRCMP_EQUAL("together", config.fallbacks[0].stream_profile.c_str());
  STRCMP_EQUAL("ollama", config.fallbacks[1].preset.c_str());
  STRCMP_EQUAL("gpu.lan", config.fallbacks[1].endpoint.host.c_str());
  STRCMP_EQUAL("deepseek-r1:14b", config.fallbacks[1].model.c_str());
  STRCMP_EQUAL("ollama", config.fallbacks[1].stream_profile.c_str());
  STRCMP_EQUAL("deepseek", config.provider.preset.c_str());
}

TEST(AgentConfig, FallbackKeyFileIsNamedForItsProviderNeverTheMainOnes) {
  const AgentConfig config = accept(R"({"state_dir":"/tmp/r1","fallbacks":[{"provider":"together"}]})");
  STRCMP_EQUAL("/tmp/r1/api-key", config.provider.api_key_file.c_str());
  STRCMP_EQUAL("/tmp/r1/api-key.together", config.fallbacks[0].api_key_file.c_str());
  const AgentConfig given =
      accept(R"({"fallbacks":[{"provider":"together","api_key_file":"/secrets/together"}]})");
  STRCMP_EQUAL("/secrets/together", given.fallbacks[0].api_key_file.c_str());
}

TEST(AgentConfig, FallbackInheritsCaFileAndMaxTokensButNotPinOrTemperature) {
  const AgentConfig config = accept(
      R"({"ca_file":"/etc/ssl/ca.pem","max_tokens":512,"temperature":0.7,
          "pinned_public_key_sha256":"0000000000000000000000000000000000000000000000000000000000000000",
          "timeouts_ms":{"data_idle":60000},
          "fallbacks":[{"provider":"together"},{"provider":"fireworks","max_tokens":100,"temperature":0.5}]})");
  STRCMP_EQUAL("/etc/ssl/ca.pem", config.fallbacks[0].ca_file.c_str());
  LONGS_EQUAL(512, config.fallbacks[0].max_tokens);
  CHECK_FALSE(config.fallbacks[0].temperature.has_value());
  CHECK_FALSE(config.fallbacks[0].pinned_public_key_sha256.has_value());
  LONGS_EQUAL(100, config.fallbacks[1].max_tokens);
  DOUBLES_EQUAL(0.5, *config.fallbacks[1].temperature, 0.0);
  LONGS_EQUAL(60000, config.timeouts.data_idle.count());  // one set of timeouts for all
}

TEST(AgentConfig, FallbackErrorsCarryTheirPath) {
  refuse_exactly(R"({"fallbacks":[{"provider":"together"},{"provider":"together","model":""}]})",
                 "fallbacks[1].model: must not be empty");
  refuse_exactly(R"({"fallbacks":[{"provider":"ollama","model":"r1"}]})",
                 "fallbacks[0].base_url: required for provider \"ollama\": the URL of your server's "
                 "OpenAI-compatible API, e.g. https://my-server/v1 (http:// only on your local network)");
  refuse(R"({"fallbacks":[{"provider":"nope"}]})", "fallbacks[0].provider: unknown provider \"nope\"");
  refuse(R"({"fallbacks":[{"provider":"together","base_url":"gopher://x"}]})",
         "fallbacks[0].base_url: must use https");
  refuse(R"({"fallbacks":[{"provider":"together","max_tokens":0}]})",
         "fallbacks[0].max_tokens: must be at least 1");
  refuse(R"({"fallbacks":[{"provider":"together","stream_profile":"x"}]})",
         "fallbacks[0].stream_profile: unknown");
  refuse(R"({"fallbacks":[{"provider":"together","ca_file":"ca.pem"}]})",
         "fallbacks[0].ca_file: must be an absolute");
}

TEST(AgentConfig, FallbackNeedsAProviderAndKnownKeysOnly) {
  refuse_exactly(R"({"fallbacks":[{"model":"r1"}]})",
                 "fallbacks[0].provider: required in a fallback: which server this is, e.g. \"together\"");
  refuse(R"({"fallbacks":[{"provider":"together","timeouts_ms":{}}]})",
         "fallbacks[0].timeouts_ms: unknown key (known keys: provider, base_url, model, stream_profile");
  refuse(R"({"fallbacks":["together"]})", "fallbacks[0]: must be an object");
  refuse(R"({"fallbacks":{"provider":"together"}})", "fallbacks: must be a list of at most 4");
}

TEST(AgentConfig, FallbackListIsBounded) {
  accept(R"({"fallbacks":[{"provider":"together"},{"provider":"fireworks"},{"provider":"openrouter"},
                          {"provider":"groq"}]})");
  refuse(R"({"fallbacks":[{"provider":"together"},{"provider":"fireworks"},{"provider":"openrouter"},
                          {"provider":"groq"},{"provider":"deepseek"}]})",
         "fallbacks: must be a list of at most 4 providers");
}

TEST(AgentConfig, ApiKeyInAFallbackIsRefusedAndNeverRepeated) {
  const char* const secret = "sk-together-0123456789";
  const LoadOutcome result = refuse(
      std::string(R"({"state_dir":"/tmp/r1","fallbacks":[{"provider":"together","api_key":")") + secret + "\"}]}",
      "fallbacks[0].api_key: the API key must not be in the config file; move it into /tmp/r1/api-key.together");
  LONGS_EQUAL(1, result.errors.size());
  CHECK(all_errors(result).find(secret) == std::string::npos);
}
