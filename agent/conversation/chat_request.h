#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vic_r1::conversation {

enum class Role { kUser, kAssistant };

// One message of the conversation: a question, or the answer that was spoken.
// There is deliberately no place for reasoning: R1 answers 400 when a
// request carries reasoning_content back, and nothing here can send it.
struct ConversationTurn {
  Role role = Role::kUser;
  std::string content;
};

// Which API shape a request takes.
enum class ChatApi {
  kChatCompletions,   // OpenAI-compatible POST <prefix>/chat/completions, answered in SSE
  kOllamaNativeChat,  // Ollama's POST <prefix>/api/chat, answered in NDJSON
};

inline constexpr std::size_t kDefaultMaxHistoryTurns = 8;

struct ChatRequestSettings {
  ChatApi api = ChatApi::kChatCompletions;
  std::string model;
  std::string system_prompt;          // empty: no system message
  int max_tokens = 2048;              // Ollama: options.num_predict
  std::optional<double> temperature;  // sent only when set
  // stream_options.include_usage: ask for token counts on the last chunk.
  // Every OpenAI-compatible server vic-r1 presets accepts it; a server that
  // rejects unknown fields can have it off. Not part of Ollama's native API.
  bool include_usage = true;
  // At most this many earlier turns (messages, not exchanges) are sent.
  std::size_t max_history_turns = kDefaultMaxHistoryTurns;
};

// The earlier turns a request carries, oldest first: only complete exchanges
// (a user turn directly followed by an assistant turn), the most recent ones,
// as many as fit in `max_turns` messages. An exchange is never split, and a
// lone turn (a question whose answer failed) is left out, because R1 refuses
// two successive messages of the same role and the new question is a user
// turn.
std::vector<ConversationTurn> bounded_history(const std::vector<ConversationTurn>& history, std::size_t max_turns);

// The JSON body for a streamed chat request: the system prompt, the bounded
// history as {role, content} only, then the question. Chat completions:
//   {"model":…,"messages":[…],"stream":true,"stream_options":{"include_usage":true},
//    "max_tokens":…,"temperature":…}
// Ollama native:
//   {"model":…,"messages":[…],"stream":true,"think":true,
//    "options":{"num_predict":…,"temperature":…}}
// Text is copied byte for byte (UTF-8 stays UTF-8, only JSON's required
// escapes are applied); bytes that are not valid UTF-8 become U+FFFD, so the
// body is always valid JSON that a server will parse.
std::string build_chat_request_body(const ChatRequestSettings& settings,
                                    const std::vector<ConversationTurn>& history, std::string_view question);

// The request target under the endpoint's path prefix ("" or e.g. "/v1"):
// "/v1/chat/completions", or "/api/chat" for Ollama's native API.
std::string chat_request_target(ChatApi api, std::string_view path_prefix);

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Authorization: Bearer <key> (left out when the key is empty: a local
// server may need none), Content-Type: application/json, and Accept for the
// stream format the API answers in. The result holds the key: it must not be
// logged.
HttpHeaders chat_request_headers(ChatApi api, std::string_view api_key);

}  // namespace vic_r1::conversation
