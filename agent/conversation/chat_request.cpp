#include "agent/conversation/chat_request.h"

#include "agent/text/utf8.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace vic_r1::conversation {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Length of the well-formed UTF-8 sequence at text[at], or 0 when the byte
// there does not start one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  return vic_r1::text::utf8_sequence_length(reinterpret_cast<const unsigned char*>(text.data()) + at,
                                            text.size() - at);
}

// How many leading bytes of `text` are well-formed UTF-8.
std::size_t valid_utf8_prefix(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t length = utf8_sequence_length(text, at);
    if (length == 0) break;
    at += length;
  }
  return at;
}

// Writes `text` as a JSON string. RapidJSON's writer copies UTF-8 as it is
// and escapes only what JSON requires; invalid bytes are replaced first, as a
// server answers a body that is not UTF-8 with 400 and the question is lost.
void write_text(JsonWriter& writer, std::string_view text, std::string& scratch) {
  std::size_t at = valid_utf8_prefix(text);
  if (at == text.size()) {
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    return;
  }
  scratch.assign(text.substr(0, at));
  while (at < text.size()) {
    const std::size_t length = utf8_sequence_length(text, at);
    if (length == 0) {
      scratch += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++at;
    } else {
      scratch.append(text.substr(at, length));
      at += length;
    }
  }
  writer.String(scratch.data(), static_cast<rapidjson::SizeType>(scratch.size()));
}

void write_message(JsonWriter& writer, std::string_view role, std::string_view content, std::string& scratch) {
  writer.StartObject();
  writer.Key("role");
  writer.String(role.data(), static_cast<rapidjson::SizeType>(role.size()));
  writer.Key("content");
  write_text(writer, content, scratch);
  writer.EndObject();
}

}  // namespace

std::vector<ConversationTurn> bounded_history(const std::vector<ConversationTurn>& history,
                                              std::size_t max_turns) {
  // Walk back from the newest turn, taking whole exchanges while they fit.
  const std::size_t max_exchanges = max_turns / 2;
  std::vector<std::size_t> kept_user_turns;  // newest first
  std::size_t end = history.size();
  while (end >= 2 && kept_user_turns.size() < max_exchanges) {
    const std::size_t user = end - 2;
    if (history[user].role == Role::kUser && history[user + 1].role == Role::kAssistant) {
      kept_user_turns.push_back(user);
      end = user;
    } else {
      --end;  // a lone turn: skip it
    }
  }
  std::vector<ConversationTurn> kept;
  kept.reserve(2 * kept_user_turns.size());
  for (auto it = kept_user_turns.rbegin(); it != kept_user_turns.rend(); ++it) {
    kept.push_back(history[*it]);
    kept.push_back(history[*it + 1]);
  }
  return kept;
}

std::string build_chat_request_body(const ChatRequestSettings& settings,
                                    const std::vector<ConversationTurn>& history, std::string_view question) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  std::string scratch;

  writer.StartObject();
  writer.Key("model");
  write_text(writer, settings.model, scratch);

  writer.Key("messages");
  writer.StartArray();
  if (!settings.system_prompt.empty()) write_message(writer, "system", settings.system_prompt, scratch);
  for (const ConversationTurn& turn : bounded_history(history, settings.max_history_turns)) {
    write_message(writer, turn.role == Role::kUser ? "user" : "assistant", turn.content, scratch);
  }
  write_message(writer, "user", question, scratch);
  writer.EndArray();

  writer.Key("stream");
  writer.Bool(true);
  if (settings.api == ChatApi::kOllamaNativeChat) {
    // Ollama separates the reasoning into message.thinking only when asked.
    writer.Key("think");
    writer.Bool(true);
    writer.Key("options");
    writer.StartObject();
    writer.Key("num_predict");
    writer.Int(settings.max_tokens);
    if (settings.temperature) {
      writer.Key("temperature");
      writer.Double(*settings.temperature);
    }
    writer.EndObject();
  } else {
    if (settings.include_usage) {
      writer.Key("stream_options");
      writer.StartObject();
      writer.Key("include_usage");
      writer.Bool(true);
      writer.EndObject();
    }
    writer.Key("max_tokens");
    writer.Int(settings.max_tokens);
    if (settings.temperature) {
      writer.Key("temperature");
      writer.Double(*settings.temperature);
    }
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string chat_request_target(ChatApi api, std::string_view path_prefix) {
  return std::string(path_prefix) + (api == ChatApi::kOllamaNativeChat ? "/api/chat" : "/chat/completions");
}

HttpHeaders chat_request_headers(ChatApi api, std::string_view api_key) {
  HttpHeaders headers;
  if (!api_key.empty()) headers.emplace_back("Authorization", "Bearer " + std::string(api_key));
  headers.emplace_back("Content-Type", "application/json");
  headers.emplace_back("Accept", api == ChatApi::kOllamaNativeChat ? "application/x-ndjson" : "text/event-stream");
  return headers;
}

}  // namespace vic_r1::conversation
