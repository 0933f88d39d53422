#include "platform/config/agent_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace vic_r1::platform {
namespace {

// CrtAllocator, not RapidJSON's default pool: version 1.1 aligns pool
// allocations to 4 bytes on 32-bit targets, but values holding doubles need
// 8 there (see agent/stream/chunk_decoder.cpp). A config is parsed once, so
// malloc per value costs nothing that matters.
using JsonDocument = rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::CrtAllocator>;
using JsonValue = JsonDocument::ValueType;

// A config nests three levels (fallbacks[0].model); the limit is far above that and keeps both
// RapidJSON's recursive parser and its recursive destructor off the end of
// the stack whatever the file holds.
constexpr int kMaxNesting = 16;

const std::vector<std::string_view> kTopLevelKeys = {"provider",
                                                     "base_url",
                                                     "model",
                                                     "stream_profile",
                                                     "api_key_file",
                                                     "ca_file",
                                                     "pinned_public_key_sha256",
                                                     "timeouts_ms",
                                                     "max_tokens",
                                                     "temperature",
                                                     "system_prompt",
                                                     "socket_dir",
                                                     "state_dir",
                                                     "voice",
                                                     "animations",
                                                     "emotions",
                                                     "thinking_animation",
                                                     "thinking_progress",
                                                     "conversation_mode",
                                                     "history",
                                                     "question_intents",
                                                     "fallbacks"};
// What a fallback may set: the per-provider keys of the top level.
const std::vector<std::string_view> kProviderKeys = {
    "provider",   "base_url",   "model", "stream_profile", "api_key_file", "ca_file", "pinned_public_key_sha256",
    "max_tokens", "temperature"};
const std::vector<std::string_view> kVoiceKeys = {"duration_scalar", "pitch_scalar"};
const std::vector<std::string_view> kHistoryKeys = {"turns", "bytes", "forget_after_s"};
const std::vector<std::string_view> kThinkingProgressKeys = {"animations", "every_s"};
constexpr std::size_t kMaxThinkingProgressClips = 8;
// vic-anim clip names: anim_<feature>_<action>_NN, letters, digits and '_'.
constexpr std::size_t kMaxClipNameBytes = 64;
const std::vector<std::string_view> kTimeoutKeys = {"dns",       "connect", "tls_handshake", "response_headers",
                                                    "data_idle", "overall"};

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string lowercase(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lowered;
}

// Edits (insert, delete, replace a character) from `a` to `b`, counted up
// to a small bound: a typo is one or two edits away, anything more is not one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The known name an unknown key was most likely meant to be: one within two
// edits ("modle" -> "model"), else the only one it begins ("pitch" ->
// "pitch_scalar"); "" when there is none.
std::string_view closest_name(std::string_view key, const std::vector<std::string_view>& known) {
  if (key.size() > 64) return {};
  const std::string lowered = lowercase(key);
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view name : known) {
    const std::size_t distance = edit_distance(lowered, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  if (!best.empty() || lowered.size() < 3) return best;
  std::size_t beginning = 0;
  for (std::string_view name : known) {
    if (name.substr(0, lowered.size()) == lowered) {
      best = name;
      ++beginning;
    }
  }
  return beginning == 1 ? best : std::string_view();
}

std::string joined(const std::vector<std::string_view>& names) {
  std::string text;
  for (std::string_view name : names) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

std::string_view string_of(const JsonValue& value) { return {value.GetString(), value.GetStringLength()}; }

// What a value is, for "must be a string (got a number)".
const char* kind_of(const JsonValue& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "true/false";
    case rapidjson::kObjectType:
      return "an object";
    case rapidjson::kArrayType:
      return "an array";
    case rapidjson::kStringType:
      return "a string";
    case rapidjson::kNumberType:
      return "a number";
  }
  return "a value";
}

std::string number_text(double number) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", number);
  return text;
}

// "line 3, column 14": lines counted by LF, columns in characters (UTF-8
// continuation bytes do not start one), both from 1, as editors show them.
std::string position_text(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\n') {
      ++line;
      column = 1;
    } else if ((byte & 0xC0) != 0x80) {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// The offset of the first '[' or '{' that opens a level deeper than
// kMaxNesting, or npos. Brackets inside strings do not count.
std::size_t find_excess_nesting(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNesting) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

bool is_absolute_path(std::string_view path) { return !path.empty() && path.front() == '/'; }

std::string path_in(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (path.empty() || path.back() != '/') path += '/';
  return path + std::string(name);
}

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// ---- base URL ----------------------------------------------------------------

bool is_host_name_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool parse_host_name(std::string_view host, std::string& out, std::string& error) {
  // A fully qualified name may end in a dot; SNI and the certificate use the
  // name without it.
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) {
    error = "has no host name (e.g. https://api.deepseek.com)";
    return false;
  }
  if (host.size() > 253) {
    error = "has a host name longer than 253 characters";
    return false;
  }
  std::size_t label_length = 0;
  for (char c : host) {
    if (c == '.') {
      if (label_length == 0) break;
      label_length = 0;
    } else if (!is_host_name_character(c)) {
      error = "has a host name with a character other than letters, digits, '-', '_' and '.'";
      return false;
    } else if (++label_length > 63) {
      error = "has a host name with a part longer than 63 characters";
      return false;
    }
  }
  if (label_length == 0) {
    error = "has a host name with an empty part (\"..\")";
    return false;
  }
  out = lowercase(host);
  return true;
}

bool parse_ipv6_literal(std::string_view literal, std::string& out, std::string& error) {
  bool has_colon = false;
  for (char c : literal) {
    if (c == ':') {
      has_colon = true;
    } else if (hex_digit_value(c) < 0 && c != '.') {
      error = "has an IPv6 address with a character other than hex digits, ':' and '.' (zones are not supported)";
      return false;
    }
  }
  if (!has_colon) {
    error = "has brackets around something that is not an IPv6 address";
    return false;
  }
  out = lowercase(literal);
  return true;
}

bool parse_port(std::string_view text, std::uint16_t& port, std::string& error) {
  unsigned long value = 0;
  bool valid = !text.empty() && text.size() <= 5;
  for (char c : text) {
    if (c < '0' || c > '9') {
      valid = false;
      break;
    }
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (!valid || value == 0 || value > 65535) {
    error = "has a port that is not a number from 1 to 65535";
    return false;
  }
  port = static_cast<std::uint16_t>(value);
  return true;
}

// RFC 3986 path characters: unreserved, sub-delims, ':', '@', '/', and
// percent escapes (checked by the caller).
bool is_path_character(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-._~!$&'()*+,;=:@/").find(c) != std::string_view::npos;
}

bool parse_path_prefix(std::string_view path, std::string& out, std::string& error) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%') {
      if (i + 2 >= path.size() || hex_digit_value(path[i + 1]) < 0 || hex_digit_value(path[i + 2]) < 0) {
        error = "has a '%' in its path that is not followed by two hex digits";
        return false;
      }
      i += 2;
    } else if (!is_path_character(path[i])) {
      error = "has a character in its path that must be percent-encoded";
      return false;
    }
  }
  // "https://host/v1/" and "https://host/v1" are the same base.
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  constexpr std::string_view kChatSuffix = "/chat/completions";
  if (path.size() >= kChatSuffix.size() && path.substr(path.size() - kChatSuffix.size()) == kChatSuffix) {
    error = "must be the base URL without /chat/completions (vic-r1 adds it), e.g. https://api.together.xyz/v1";
    return false;
  }
  out = std::string(path);
  return true;
}

// ---- reading the JSON --------------------------------------------------------

// Reads one config document into an AgentConfig, collecting every problem.
class ConfigReader {
 public:
  ConfigReader(const JsonValue& root, const std::vector<std::string_view>& stream_profile_names,
               std::vector<std::string>& errors)
      : root_(root), stream_profile_names_(stream_profile_names), errors_(errors) {}

  AgentConfig read() {
    AgentConfig config = default_agent_config();
    const bool has_api_key = check_keys(root_, "", kTopLevelKeys, true);

    read_absolute_path(root_, "", "state_dir", config.state_dir, true);
    read_absolute_path(root_, "", "socket_dir", config.socket_dir, true);
    config.provider.api_key_file = path_in(config.state_dir, kApiKeyFileName);
    config.provider.ca_file = path_in(config.state_dir, kCaFileName);
    read_provider(root_, "", has_api_key, config.provider);
    read_fallbacks(config);

    read_timeouts(config.timeouts);
    if (const JsonValue* value = member("system_prompt")) {
      if (require_string("system_prompt", *value)) config.system_prompt = std::string(string_of(*value));
    }
    read_voice(config);
    read_flag("animations", config.animations);
    read_flag("conversation_mode", config.conversation_mode);
    read_emotions(config);
    if (const JsonValue* value = member("thinking_animation")) {
      std::string clip;
      if (read_clip_name("thinking_animation", *value, true, clip)) config.thinking_animation = clip;
    }
    read_thinking_progress(config);
    read_history(config);
    read_question_intents(config);
    return config;
  }

 private:
  void fail(std::string_view path, std::string_view message) {
    errors_.push_back(std::string(path) + ": " + std::string(message));
  }

  const JsonValue* member(const char* key) const { return member(root_, key); }

  static const JsonValue* member(const JsonValue& object, const char* key) {
    const auto found = object.FindMember(key);
    return found == object.MemberEnd() ? nullptr : &found->value;
  }

  bool require_string(std::string_view path, const JsonValue& value) {
    if (value.IsString()) return true;
    fail(path, std::string("must be a string (got ") + kind_of(value) + ")");
    return false;
  }

  // Reports duplicate and unknown keys of `object`. Where a provider is
  // configured (`may_hold_api_key`), an `api_key` is left to the caller,
  // which says where the key belongs. Returns true when there is one.
  bool check_keys(const JsonValue& object, const std::string& prefix, const std::vector<std::string_view>& known,
                  bool may_hold_api_key = false) {
    bool has_api_key = false;
    for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
      const std::string_view key = string_of(it->name);
      for (auto earlier = object.MemberBegin(); earlier != it; ++earlier) {
        if (string_of(earlier->name) == key) {
          fail(prefix + std::string(key), "given more than once");
          break;
        }
      }
      if (may_hold_api_key && key == "api_key") {
        has_api_key = true;
        continue;
      }
      bool is_known = false;
      for (std::string_view name : known) is_known = is_known || name == key;
      if (is_known) continue;
      const std::string_view closest = closest_name(key, known);
      fail(prefix + std::string(key), closest.empty() ? "unknown key (known keys: " + joined(known) + ")"
                                                      : "unknown key; did you mean " + quoted(closest) +
                                                            "? (known keys: " + joined(known) + ")");
    }
    return has_api_key;
  }

  // The per-provider keys of `object` (the top level, or a fallback entry
  // whose errors start with `prefix`, "fallbacks[1]."), over the defaults
  // already in `provider`. The preset fills what the object leaves out.
  void read_provider(const JsonValue& object, const std::string& prefix, bool has_api_key,
                     ProviderConfig& provider) {
    const ProviderPreset* preset = read_preset(object, prefix, provider);
    read_endpoint(object, prefix, preset, provider);
    read_model(object, prefix, preset, provider);
    read_stream_profile(object, prefix, preset, provider);
    // Someone may paste the key itself where its file's path belongs: that
    // value is never repeated in an error.
    read_absolute_path(object, prefix, "api_key_file", provider.api_key_file, false);
    read_absolute_path(object, prefix, "ca_file", provider.ca_file, true);
    if (has_api_key) {
      // The value is never read, so it cannot reach this message or a log.
      fail(prefix + "api_key",
           "the API key must not be in the config file; move it into " + provider.api_key_file +
               " (the api_key_file, readable only by its owner: chmod 600) and delete api_key here");
    }
    read_pinned_key(object, prefix, provider);
    read_max_tokens(object, prefix, provider);
    read_temperature(object, prefix, provider);
  }

  // `fallbacks`: providers asked in turn when the one before fails before
  // its first answer byte. Each entry inherits the main provider's CA bundle
  // and max_tokens; its key file defaults to one named for its provider, as
  // the main provider's key belongs to another server.
  void read_fallbacks(AgentConfig& config) {
    const JsonValue* list = member("fallbacks");
    if (list == nullptr) return;
    if (!list->IsArray() || list->Size() > kMaxFallbacks) {
      fail("fallbacks", "must be a list of at most " + std::to_string(kMaxFallbacks) +
                            " providers asked in turn, e.g. [{\"provider\": \"together\"}]" +
                            (list->IsArray() ? " (got " + std::to_string(list->Size()) + ")"
                                             : std::string(" (got ") + kind_of(*list) + ")"));
      return;
    }
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      const std::string path = "fallbacks[" + std::to_string(i) + "]";
      const JsonValue& entry = (*list)[i];
      if (!entry.IsObject()) {
        fail(path,
             std::string("must be an object with at least a provider, e.g. {\"provider\": \"together\"} (got ") +
                 kind_of(entry) + ")");
        continue;
      }
      const std::string prefix = path + ".";
      const bool has_api_key = check_keys(entry, prefix, kProviderKeys, true);
      if (member(entry, "provider") == nullptr) {
        fail(prefix + "provider", "required in a fallback: which server this is, e.g. \"together\"");
        continue;
      }
      ProviderConfig fallback;
      fallback.ca_file = config.provider.ca_file;
      fallback.max_tokens = config.provider.max_tokens;
      // Named after the provider before the rest is read, so an `api_key`
      // refusal can say where the key goes.
      const JsonValue& provider_name = *member(entry, "provider");
      if (provider_name.IsString() && find_provider_preset(string_of(provider_name)) != nullptr) {
        fallback.api_key_file =
            path_in(config.state_dir, std::string(kApiKeyFileName) + "." + std::string(string_of(provider_name)));
      }
      read_provider(entry, prefix, has_api_key, fallback);
      config.fallbacks.push_back(std::move(fallback));
    }
  }

  const ProviderPreset* read_preset(const JsonValue& object, const std::string& prefix, ProviderConfig& provider) {
    const JsonValue* value = member(object, "provider");
    if (value == nullptr) return find_provider_preset(provider.preset);
    if (!require_string(prefix + "provider", *value)) return nullptr;
    const ProviderPreset* preset = find_provider_preset(string_of(*value));
    if (preset == nullptr) {
      std::vector<std::string_view> names;
      for (const ProviderPreset& known : provider_presets()) names.push_back(known.name);
      fail(prefix + "provider",
           "unknown provider " + quoted(string_of(*value)) + " (known: " + joined(names) + ")");
      return nullptr;
    }
    provider.preset = std::string(preset->name);
    return preset;
  }

  void read_absolute_path(const JsonValue& object, const std::string& prefix, const char* key, std::string& path,
                          bool may_repeat_value) {
    const JsonValue* value = member(object, key);
    const std::string key_path = prefix + key;
    if (value == nullptr || !require_string(key_path, *value)) return;
    const std::string_view text = string_of(*value);
    if (!is_absolute_path(text)) {
      fail(key_path, may_repeat_value ? "must be an absolute path (got " + quoted(text) + ")"
                                      : std::string("must be an absolute path, starting with '/'"));
      return;
    }
    path = std::string(text);
  }

  void read_endpoint(const JsonValue& object, const std::string& prefix, const ProviderPreset* preset,
                     ProviderConfig& provider) {
    std::string error;
    if (const JsonValue* value = member(object, "base_url")) {
      if (require_string(prefix + "base_url", *value) &&
          !parse_base_url(string_of(*value), provider.endpoint, error)) {
        fail(prefix + "base_url", error);
      }
      return;
    }
    if (preset == nullptr) return;  // already reported
    if (preset->base_url.empty()) {
      fail(prefix + "base_url", "required for provider " + quoted(preset->name) +
                                    ": the URL of your server's OpenAI-compatible API, e.g. https://my-server/v1 "
                                    "(http:// only on your local network)");
      return;
    }
    parse_base_url(preset->base_url, provider.endpoint, error);
  }

  void read_model(const JsonValue& object, const std::string& prefix, const ProviderPreset* preset,
                  ProviderConfig& provider) {
    const std::string path = prefix + "model";
    if (const JsonValue* value = member(object, "model")) {
      if (!require_string(path, *value)) return;
      const std::string_view model = string_of(*value);
      if (model.empty()) {
        fail(path, "must not be empty");
      } else if (model.front() == ' ' || model.back() == ' ') {
        // The server would answer "model not found" for a name that looks right.
        fail(path, "has a space at its start or end (got " + quoted(model) + ")");
      } else {
        provider.model = std::string(model);
      }
      return;
    }
    if (preset == nullptr) return;
    if (preset->model.empty()) {
      fail(path, "required for provider " + quoted(preset->name) +
                     ": the model name your server serves, e.g. \"deepseek-r1:14b\"");
      return;
    }
    provider.model = std::string(preset->model);
  }

  void read_stream_profile(const JsonValue& object, const std::string& prefix, const ProviderPreset* preset,
                           ProviderConfig& provider) {
    const std::string path = prefix + "stream_profile";
    std::string_view profile;
    if (const JsonValue* value = member(object, "stream_profile")) {
      if (!require_string(path, *value)) return;
      profile = string_of(*value);
    } else if (preset != nullptr) {
      profile = preset->stream_profile;
    } else {
      return;
    }
    for (std::string_view name : stream_profile_names_) {
      if (name == profile) {
        provider.stream_profile = std::string(profile);
        return;
      }
    }
    fail(path, "unknown profile " + quoted(profile) + " (known: " + joined(stream_profile_names_) + ")");
  }

  void read_pinned_key(const JsonValue& object, const std::string& prefix, ProviderConfig& provider) {
    const std::string path = prefix + "pinned_public_key_sha256";
    const JsonValue* value = member(object, "pinned_public_key_sha256");
    if (value == nullptr || value->IsNull()) return;
    if (!require_string(path, *value)) return;
    const std::string_view hex = string_of(*value);
    std::array<std::uint8_t, 32> digest{};
    bool valid = hex.size() == 2 * digest.size();
    for (std::size_t i = 0; valid && i < digest.size(); ++i) {
      const int high = hex_digit_value(hex[2 * i]);
      const int low = hex_digit_value(hex[2 * i + 1]);
      valid = high >= 0 && low >= 0;
      digest[i] = static_cast<std::uint8_t>(high * 16 + low);
    }
    if (!valid) {
      fail(path, "must be 64 hex digits, the SHA-256 of the server's public key (got " +
                     std::to_string(hex.size()) + " characters)");
      return;
    }
    if (!provider.endpoint.encrypted) {
      fail(path, "pins a TLS key, but base_url is http:// (no TLS); use https:// or remove the pin");
      return;
    }
    provider.pinned_public_key_sha256 = digest;
  }

  // Reads a whole number within [min, max]; returns false (reported) otherwise.
  bool read_integer(const std::string& path, const JsonValue& value, long long min, long long max,
                    long long& out) {
    if (!value.IsNumber()) {
      fail(path, std::string("must be a number (got ") + kind_of(value) + ")");
      return false;
    }
    long long number = 0;
    if (value.IsInt64()) {
      number = value.GetInt64();
    } else if (value.IsUint64()) {
      fail(path, "must be at most " + std::to_string(max) + " (got " + std::to_string(value.GetUint64()) + ")");
      return false;
    } else {
      // 5000.0 and 5e3 are whole numbers too, as a person reads them.
      const double real = value.GetDouble();
      if (real != std::floor(real)) {
        fail(path, "must be a whole number (got " + number_text(real) + ")");
        return false;
      }
      if (real < static_cast<double>(min) || real > static_cast<double>(max)) {
        fail(path, "must be from " + std::to_string(min) + " to " + std::to_string(max) + " (got " +
                       number_text(real) + ")");
        return false;
      }
      number = static_cast<long long>(real);
    }
    if (number < min) {
      fail(path, "must be at least " + std::to_string(min) + " (got " + std::to_string(number) + ")");
      return false;
    }
    if (number > max) {
      fail(path, "must be at most " + std::to_string(max) + " (got " + std::to_string(number) + ")");
      return false;
    }
    out = number;
    return true;
  }

  void read_timeouts(HttpDeadlines& timeouts) {
    const JsonValue* object = member("timeouts_ms");
    if (object == nullptr) return;
    if (!object->IsObject()) {
      fail("timeouts_ms", std::string("must be an object of milliseconds, e.g. {\"overall\": 300000} (got ") +
                              kind_of(*object) + ")");
      return;
    }
    check_keys(*object, "timeouts_ms.", kTimeoutKeys);
    const std::pair<const char*, std::chrono::milliseconds*> fields[] = {
        {"dns", &timeouts.dns},
        {"connect", &timeouts.connect},
        {"tls_handshake", &timeouts.tls_handshake},
        {"response_headers", &timeouts.response_headers},
        {"data_idle", &timeouts.data_idle},
        {"overall", &timeouts.overall},
    };
    bool all_valid = true;
    for (const auto& [key, field] : fields) {
      const auto found = object->FindMember(key);
      if (found == object->MemberEnd()) continue;
      long long milliseconds = 0;
      if (read_integer(std::string("timeouts_ms.") + key, found->value, kMinTimeout.count(), kMaxTimeout.count(),
                       milliseconds)) {
        *field = std::chrono::milliseconds(milliseconds);
      } else {
        all_valid = false;
      }
    }
    // The data-idle deadline exists to end a stall sooner than the overall
    // deadline would; at or above it, it could never fire.
    if (all_valid && timeouts.data_idle >= timeouts.overall) {
      fail("timeouts_ms.data_idle", "must be less than timeouts_ms.overall (got " +
                                        std::to_string(timeouts.data_idle.count()) +
                                        " >= " + std::to_string(timeouts.overall.count()) + ")");
    }
  }

  void read_max_tokens(const JsonValue& object, const std::string& prefix, ProviderConfig& provider) {
    const JsonValue* value = member(object, "max_tokens");
    long long max_tokens = 0;
    if (value != nullptr &&
        read_integer(prefix + "max_tokens", *value, kMinMaxTokens, kMaxMaxTokens, max_tokens)) {
      provider.max_tokens = static_cast<int>(max_tokens);
    }
  }

  void read_temperature(const JsonValue& object, const std::string& prefix, ProviderConfig& provider) {
    const std::string path = prefix + "temperature";
    const JsonValue* value = member(object, "temperature");
    if (value == nullptr || value->IsNull()) return;
    if (!value->IsNumber()) {
      fail(path, std::string("must be a number from 0 to 2 (got ") + kind_of(*value) + ")");
      return;
    }
    const double temperature = value->GetDouble();
    if (!(temperature >= 0.0 && temperature <= 2.0)) {
      fail(path, "must be from 0 to 2 (got " + number_text(temperature) + ")");
      return;
    }
    provider.temperature = temperature;
  }

  void read_flag(const char* key, bool& flag) {
    const JsonValue* value = member(key);
    if (value == nullptr) return;
    if (!value->IsBool()) {
      fail(key, std::string("must be true or false (got ") + kind_of(*value) + ")");
      return;
    }
    flag = value->GetBool();
  }

  bool read_number(const std::string& path, const JsonValue& value, double min, double max, double& out) {
    if (!value.IsNumber()) {
      fail(path, std::string("must be a number from ") + number_text(min) + " to " + number_text(max) + " (got " +
                     kind_of(value) + ")");
      return false;
    }
    const double number = value.GetDouble();
    if (!(number >= min && number <= max)) {
      fail(path,
           "must be from " + number_text(min) + " to " + number_text(max) + " (got " + number_text(number) + ")");
      return false;
    }
    out = number;
    return true;
  }

  // A vic-anim clip name; vic-anim plays clip names only, never groups or triggers.
  bool read_clip_name(const std::string& path, const JsonValue& value, bool may_be_empty, std::string& clip) {
    if (!require_string(path, value)) return false;
    const std::string_view name = string_of(value);
    if (name.empty() && may_be_empty) {
      clip.clear();
      return true;
    }
    bool valid = !name.empty() && name.size() <= kMaxClipNameBytes;
    for (char c : name) {
      valid = valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
    }
    if (!valid) {
      fail(path, "must be a clip name such as \"anim_feedback_goodrobot_01\" (letters, digits and _, at most " +
                     std::to_string(kMaxClipNameBytes) + " bytes)");
      return false;
    }
    clip = std::string(name);
    return true;
  }

  void read_voice(AgentConfig& config) {
    const JsonValue* object = member("voice");
    if (object == nullptr) return;
    if (!object->IsObject()) {
      fail("voice",
           std::string("must be an object, e.g. {\"duration_scalar\": 1.0, \"pitch_scalar\": 0.0} (got ") +
               kind_of(*object) + ")");
      return;
    }
    check_keys(*object, "voice.", kVoiceKeys);
    double number = 0;
    const auto found = [object](const char* key) {
      const auto it = object->FindMember(key);
      return it == object->MemberEnd() ? nullptr : &it->value;
    };
    if (const JsonValue* value = found("duration_scalar")) {
      if (read_number("voice.duration_scalar", *value, 0.25, 4.0, number))
        config.voice_duration_scalar = static_cast<float>(number);
    }
    if (const JsonValue* value = found("pitch_scalar")) {
      if (read_number("voice.pitch_scalar", *value, -1.0, 1.0, number))
        config.voice_pitch_scalar = static_cast<float>(number);
    }
  }

  void read_emotions(AgentConfig& config) {
    const JsonValue* object = member("emotions");
    if (object == nullptr) return;
    if (!object->IsObject()) {
      fail("emotions", std::string("must be an object of emotion names to lists of clip names, e.g. "
                                   "{\"happy\": [\"anim_feedback_goodrobot_01\"]} (got ") +
                           kind_of(*object) + ")");
      return;
    }
    for (auto it = object->MemberBegin(); it != object->MemberEnd(); ++it) {
      const std::string name(it->name.GetString(), it->name.GetStringLength());
      const std::string path = "emotions." + name;
      bool name_valid = !name.empty() && name.size() <= 32;
      for (char c : name) name_valid = name_valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
      if (!name_valid) {
        fail(path, "an emotion is named with letters only, at most 32 (e.g. \"happy\", \"veryHappy\")");
        continue;
      }
      if (!it->value.IsArray()) {
        fail(path, std::string("must be a list of clip names (got ") + kind_of(it->value) + "); [] removes it");
        continue;
      }
      std::vector<std::string> clips;
      bool all_valid = true;
      for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
        std::string clip;
        if (read_clip_name(path + "[" + std::to_string(i) + "]", it->value[i], false, clip)) {
          clips.push_back(std::move(clip));
        } else {
          all_valid = false;
        }
      }
      if (all_valid) config.emotions.emplace_back(name, std::move(clips));
    }
  }

  void read_question_intents(AgentConfig& config) {
    const JsonValue* list = member("question_intents");
    if (list == nullptr) return;
    if (!list->IsArray() || list->Empty()) {
      fail("question_intents",
           "must be a non-empty list of intent names, e.g. [\"intent_system_unmatched\"] "
           "(leave it out for the defaults)");
      return;
    }
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      const std::string path = "question_intents[" + std::to_string(i) + "]";
      if (!require_string(path, (*list)[i])) continue;
      const std::string_view name = string_of((*list)[i]);
      bool valid = name.rfind("intent_", 0) == 0 && name.size() <= 64;
      for (char c : name) valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
      if (!valid) {
        fail(path, "must be an intent name as vic-cloud sends it, e.g. \"intent_system_unmatched\"");
        continue;
      }
      config.question_intents.emplace_back(name);
    }
  }

  void read_thinking_progress(AgentConfig& config) {
    const JsonValue* object = member("thinking_progress");
    if (object == nullptr) return;
    if (!object->IsObject()) {
      fail("thinking_progress", std::string("must be an object, e.g. {\"animations\": "
                                            "[\"anim_observing_self_absorbed_01\"], \"every_s\": 8} (got ") +
                                    kind_of(*object) + ")");
      return;
    }
    check_keys(*object, "thinking_progress.", kThinkingProgressKeys);
    const auto found = [object](const char* key) {
      const auto it = object->FindMember(key);
      return it == object->MemberEnd() ? nullptr : &it->value;
    };
    if (const JsonValue* list = found("animations")) {
      if (!list->IsArray() || list->Size() > kMaxThinkingProgressClips) {
        fail("thinking_progress.animations",
             "must be a list of at most " + std::to_string(kMaxThinkingProgressClips) +
                 " clip names, played in turn while the model reasons ([] turns it off)");
      } else {
        for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
          std::string clip;
          if (read_clip_name("thinking_progress.animations[" + std::to_string(i) + "]", (*list)[i], false, clip)) {
            config.thinking_progress_animations.push_back(std::move(clip));
          }
        }
      }
    }
    long long number = 0;
    if (const JsonValue* value = found("every_s")) {
      if (read_integer("thinking_progress.every_s", *value, 2, 120, number))
        config.thinking_progress_every = std::chrono::seconds(number);
    }
    if (!config.thinking_progress_animations.empty() && config.thinking_animation.empty()) {
      fail("thinking_progress", "needs a thinking_animation to start from (it is \"\")");
    }
  }

  void read_history(AgentConfig& config) {
    const JsonValue* object = member("history");
    if (object == nullptr) return;
    if (!object->IsObject()) {
      fail("history", std::string("must be an object, e.g. {\"turns\": 8, \"bytes\": 8192, \"forget_after_s\": "
                                  "600} (got ") +
                          kind_of(*object) + ")");
      return;
    }
    check_keys(*object, "history.", kHistoryKeys);
    long long number = 0;
    const auto found = [object](const char* key) {
      const auto it = object->FindMember(key);
      return it == object->MemberEnd() ? nullptr : &it->value;
    };
    // Turns are messages: a question and its answer are two.
    if (const JsonValue* value = found("turns")) {
      if (read_integer("history.turns", *value, 0, 64, number)) config.history_turns = static_cast<int>(number);
    }
    if (const JsonValue* value = found("bytes")) {
      if (read_integer("history.bytes", *value, 0, 256 * 1024, number))
        config.history_bytes = static_cast<int>(number);
    }
    if (const JsonValue* value = found("forget_after_s")) {
      if (read_integer("history.forget_after_s", *value, 1, 7 * 24 * 3600, number))
        config.history_forget_after = std::chrono::seconds(number);
    }
  }

  const JsonValue& root_;
  const std::vector<std::string_view>& stream_profile_names_;
  std::vector<std::string>& errors_;
};

// Reads a whole file of at most kMaxConfigFileBytes; false with `error` set.
bool read_small_file(const std::string& path, std::string& text, std::string& error) {
  // O_NONBLOCK: opening a FIFO put where the config should be must not hang.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = std::string("cannot open: ") + std::strerror(errno);
    return false;
  }
  struct stat status {};
  bool ok = ::fstat(fd, &status) == 0;
  if (!ok) {
    error = std::string("cannot stat: ") + std::strerror(errno);
  } else if (!S_ISREG(status.st_mode)) {
    error = "is not a regular file";
    ok = false;
  } else if ((status.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    // The config says where the API key goes (base_url): whoever may change
    // it could send the key to a server of theirs.
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
    error = std::string("can be changed by users other than its owner (mode ") + mode +
            "), who could send your API key to a server of theirs; run: chmod go-w " + path;
    ok = false;
  }
  char buffer[4096];
  while (ok) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      error = std::string("cannot read: ") + std::strerror(errno);
      ok = false;
    } else if (got == 0) {
      break;
    } else if (text.size() + static_cast<std::size_t>(got) > kMaxConfigFileBytes) {
      error = "is larger than " + std::to_string(kMaxConfigFileBytes / 1024) + " KiB";
      ok = false;
    } else {
      text.append(buffer, static_cast<std::size_t>(got));
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

std::string display_name_of(const ProviderConfig& provider) {
  const ProviderPreset* preset = find_provider_preset(provider.preset);
  if (preset != nullptr && preset->name != "custom") return std::string(preset->display_name);
  return provider.endpoint.host;
}

bool goes_without_key(const ProviderConfig& provider) {
  const ProviderPreset* preset = find_provider_preset(provider.preset);
  struct stat info {};
  return preset != nullptr && preset->base_url.empty() && preset->name != "custom" &&
         ::stat(provider.api_key_file.c_str(), &info) != 0 && errno == ENOENT;
}

const std::vector<ProviderPreset>& provider_presets() {
  // Hosted services: their documented OpenAI-compatible base URL and the name
  // under which each serves DeepSeek R1 (or, for Groq, its R1 distill).
  static const std::vector<ProviderPreset> presets = {
      {"deepseek", "DeepSeek", "https://api.deepseek.com", "deepseek-reasoner", "deepseek"},
      {"together", "Together", "https://api.together.xyz/v1", "deepseek-ai/DeepSeek-R1", "together"},
      {"fireworks", "Fireworks", "https://api.fireworks.ai/inference/v1", "accounts/fireworks/models/deepseek-r1",
       "fireworks"},
      {"openrouter", "OpenRouter", "https://openrouter.ai/api/v1", "deepseek/deepseek-r1", "openrouter"},
      {"groq", "Groq", "https://api.groq.com/openai/v1", "deepseek-r1-distill-llama-70b", "groq"},
      {"ollama", "Ollama", "", "", "ollama"},
      {"vllm", "vLLM", "", "", "vllm"},
      {"llamacpp", "llama.cpp", "", "", "llamacpp"},
      {"custom", "the AI server", "", "", "auto"},
  };
  return presets;
}

const ProviderPreset* find_provider_preset(std::string_view name) {
  for (const ProviderPreset& preset : provider_presets()) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

bool parse_base_url(std::string_view url, Endpoint& endpoint, std::string& error) {
  if (url.empty()) {
    error = "must not be empty";
    return false;
  }
  for (char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F) {
      error = "must not contain spaces, control characters or non-ASCII characters (percent-encode them)";
      return false;
    }
  }
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    error =
        "must start with https:// (e.g. https://api.deepseek.com), or http:// for a server on your local network";
    return false;
  }
  const std::string scheme = lowercase(url.substr(0, scheme_end));
  if (scheme != "https" && scheme != "http") {
    error = "must use https, or http for a server on your local network (got " + scheme + "://)";
    return false;
  }
  const std::string_view rest = url.substr(scheme_end + 3);
  const std::size_t authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view path = authority_end == std::string_view::npos ? std::string_view{}
                                                                        : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    error = "must not contain a user name or password (user:password@host); the API key belongs in the key file";
    return false;
  }
  if (path.find_first_of("?#") != std::string_view::npos) {
    error = "must not have a query (?...) or a fragment (#...)";
    return false;
  }

  Endpoint parsed;
  // http:// is checked again when the name is resolved: every address must
  // be on the local network (HttpsClient), which no config text can prove.
  parsed.encrypted = scheme == "https";
  parsed.port = parsed.default_port();
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "has an IPv6 address without its closing ']'";
      return false;
    }
    if (!parse_ipv6_literal(authority.substr(1, close - 1), parsed.host, error)) return false;
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      error = "has characters after its IPv6 address that are not a port";
      return false;
    }
    has_port = !after.empty();
    if (has_port) port_text = after.substr(1);
  } else {
    const std::size_t colon = authority.find(':');
    if (!parse_host_name(authority.substr(0, colon), parsed.host, error)) return false;
    has_port = colon != std::string_view::npos;
    if (has_port) port_text = authority.substr(colon + 1);
  }
  if (has_port && !parse_port(port_text, parsed.port, error)) return false;
  if (!parse_path_prefix(path, parsed.path_prefix, error)) return false;
  endpoint = std::move(parsed);
  return true;
}

AgentConfig default_agent_config() {
  const ProviderPreset& preset = provider_presets().front();
  AgentConfig config;
  config.provider.preset = std::string(preset.name);
  std::string error;
  parse_base_url(preset.base_url, config.provider.endpoint, error);
  config.provider.model = std::string(preset.model);
  config.provider.stream_profile = std::string(preset.stream_profile);
  config.provider.api_key_file = path_in(kDefaultStateDir, kApiKeyFileName);
  config.provider.ca_file = path_in(kDefaultStateDir, kCaFileName);
  config.state_dir = std::string(kDefaultStateDir);
  config.socket_dir = std::string(kDefaultSocketDir);
  config.system_prompt = std::string(kDefaultSystemPrompt);
  return config;
}

bool load_agent_config(std::string_view json_text, const std::vector<std::string_view>& stream_profile_names,
                       AgentConfig& config, std::vector<std::string>& errors) {
  errors.clear();
  // Some editors start a UTF-8 file with a byte order mark; JSON has none.
  constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
  if (json_text.substr(0, kByteOrderMark.size()) == kByteOrderMark) json_text.remove_prefix(kByteOrderMark.size());

  // RapidJSON reads a NUL byte as the end of the text, so whatever followed
  // one would be ignored without a word.
  const std::size_t nul = json_text.find('\0');
  if (nul != std::string_view::npos) {
    errors.push_back(position_text(json_text, nul) + ": JSON syntax error: a NUL byte is not allowed");
    return false;
  }
  const std::size_t too_deep = find_excess_nesting(json_text);
  if (too_deep != std::string_view::npos) {
    errors.push_back(position_text(json_text, too_deep) + ": JSON nested deeper than " +
                     std::to_string(kMaxNesting) + " levels");
    return false;
  }
  JsonDocument document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(json_text.data(), json_text.size());
  if (document.HasParseError()) {
    errors.push_back(position_text(json_text, document.GetErrorOffset()) +
                     ": JSON syntax error: " + rapidjson::GetParseError_En(document.GetParseError()));
    return false;
  }
  if (!document.IsObject()) {
    errors.push_back(std::string("(top level): must be a JSON object {...} (got ") + kind_of(document) + ")");
    return false;
  }
  AgentConfig read = ConfigReader(document, stream_profile_names, errors).read();
  if (!errors.empty()) return false;
  config = std::move(read);
  return true;
}

bool load_agent_config_file(const std::string& path, const std::vector<std::string_view>& stream_profile_names,
                            AgentConfig& config, std::vector<std::string>& errors) {
  std::string text;
  std::string error;
  if (!read_small_file(path, text, error)) {
    errors.assign(1, path + ": " + error);
    return false;
  }
  if (load_agent_config(text, stream_profile_names, config, errors)) return true;
  for (std::string& message : errors) message = path + ": " + message;
  return false;
}

}  // namespace vic_r1::platform
