// Standard and project headers before CppUTest's (its macros must not reach them).
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "agent/conversation/chat_request.h"

#include <CppUTest/TestHarness.h>

using namespace vic_r1::conversation;

namespace {

// CrtAllocator: RapidJSON's pool under-aligns values on 32-bit targets
// (see agent/stream/chunk_decoder.cpp), and these tests also run on ARM.
using JsonDocument = rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::CrtAllocator>;

ConversationTurn user(std::string text) { return {Role::kUser, std::move(text)}; }
ConversationTurn assistant(std::string text) { return {Role::kAssistant, std::move(text)}; }

// "u1 a1 u2 a2": the roles and contents of turns, compact enough to compare.
std::string describe(const std::vector<ConversationTurn>& turns) {
  std::string text;
  for (const ConversationTurn& turn : turns) {
    if (!text.empty()) text += ' ';
    text += turn.content;
    if ((turn.role == Role::kUser) != (turn.content.front() == 'u')) text += "(wrong role)";
  }
  return text;
}

// The exchanges u1/a1 ... uN/aN.
std::vector<ConversationTurn> exchanges(int count) {
  std::vector<ConversationTurn> turns;
  for (int i = 1; i <= count; ++i) {
    turns.push_back(user("u" + std::to_string(i)));
    turns.push_back(assistant("a" + std::to_string(i)));
  }
  return turns;
}

}  // namespace

TEST_GROUP(ChatRequest) {
  ChatRequestSettings settings;

  void setup() override {
    settings.model = "deepseek-reasoner";
    settings.system_prompt = "Be brief.";
  }

  // The body parsed back, after checking it is one valid UTF-8 JSON object.
  void parse(const std::string& body, JsonDocument& document) {
    document.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
    CHECK_FALSE_TEXT(document.HasParseError(), body.c_str());
    CHECK_TRUE(document.IsObject());
  }

  // The content of the last message (the question) after a round trip.
  std::string question_after_round_trip(std::string_view question) {
    JsonDocument document;
    parse(build_chat_request_body(settings, {}, question), document);
    const auto& messages = document["messages"];
    const auto& content = messages[messages.Size() - 1]["content"];
    return std::string(content.GetString(), content.GetStringLength());
  }
};

// ---- the body ------------------------------------------------------------------------

TEST(ChatRequest, SmallRequestIsExactlyThisJson) {
  const std::string body = build_chat_request_body(settings, {user("Hi"), assistant("Hello!")}, "Why?");
  STRCMP_EQUAL(R"({"model":"deepseek-reasoner","messages":[)"
               R"({"role":"system","content":"Be brief."},)"
               R"({"role":"user","content":"Hi"},)"
               R"({"role":"assistant","content":"Hello!"},)"
               R"({"role":"user","content":"Why?"}],)"
               R"("stream":true,"stream_options":{"include_usage":true},"max_tokens":2048})",
               body.c_str());
}

TEST(ChatRequest, TemperatureIsSentOnlyWhenSet) {
  settings.temperature = 0.6;
  settings.max_tokens = 512;
  STRCMP_EQUAL(R"({"model":"deepseek-reasoner","messages":[{"role":"system","content":"Be brief."},)"
               R"({"role":"user","content":"Q"}],"stream":true,"stream_options":{"include_usage":true},)"
               R"("max_tokens":512,"temperature":0.6})",
               build_chat_request_body(settings, {}, "Q").c_str());
  settings.temperature.reset();
  CHECK(build_chat_request_body(settings, {}, "Q").find("temperature") == std::string::npos);
}

TEST(ChatRequest, UsageRequestCanBeLeftOut) {
  settings.include_usage = false;
  STRCMP_EQUAL(R"({"model":"deepseek-reasoner","messages":[{"role":"system","content":"Be brief."},)"
               R"({"role":"user","content":"Q"}],"stream":true,"max_tokens":2048})",
               build_chat_request_body(settings, {}, "Q").c_str());
}

TEST(ChatRequest, EmptySystemPromptSendsNoSystemMessage) {
  settings.system_prompt.clear();
  STRCMP_EQUAL(R"({"model":"deepseek-reasoner","messages":[{"role":"user","content":"Q"}],)"
               R"("stream":true,"stream_options":{"include_usage":true},"max_tokens":2048})",
               build_chat_request_body(settings, {}, "Q").c_str());
}

TEST(ChatRequest, OllamaNativeBodyAsksForThinkingAndPutsLimitsInOptions) {
  settings.api = ChatApi::kOllamaNativeChat;
  settings.model = "deepseek-r1:14b";
  STRCMP_EQUAL(R"({"model":"deepseek-r1:14b","messages":[{"role":"system","content":"Be brief."},)"
               R"({"role":"user","content":"Q"}],"stream":true,"think":true,"options":{"num_predict":2048}})",
               build_chat_request_body(settings, {}, "Q").c_str());
  settings.temperature = 0.5;
  STRCMP_CONTAINS(R"("options":{"num_predict":2048,"temperature":0.5}})",
                  build_chat_request_body(settings, {}, "Q").c_str());
  CHECK(build_chat_request_body(settings, {}, "Q").find("stream_options") == std::string::npos);
}

// ---- no reasoning, ever -----------------------------------------------------------------

TEST(ChatRequest, MessagesCarryOnlyRoleAndContent) {
  const std::string body = build_chat_request_body(settings, exchanges(3), "next?");
  JsonDocument document;
  parse(body, document);
  const auto& messages = document["messages"];
  LONGS_EQUAL(8, messages.Size());
  for (const auto& message : messages.GetArray()) {
    LONGS_EQUAL(2, message.MemberCount());
    CHECK_TRUE(message.HasMember("role"));
    CHECK_TRUE(message["content"].IsString());
  }
  CHECK(body.find("reasoning") == std::string::npos);
  CHECK(body.find("thinking") == std::string::npos);
}

TEST(ChatRequest, RolesAlternateAfterTheSystemPromptAndEndWithTheQuestion) {
  // R1 refuses two successive messages of the same role.
  const std::vector<ConversationTurn> history = {assistant("a0"), user("u1"),      assistant("a1"), user("u2"),
                                                 user("u3"),      assistant("a3"), user("u4")};
  JsonDocument document;
  parse(build_chat_request_body(settings, history, "u5"), document);
  const auto& messages = document["messages"];
  STRCMP_EQUAL("system", messages[0]["role"].GetString());
  for (rapidjson::SizeType i = 1; i < messages.Size(); ++i) {
    STRCMP_EQUAL(i % 2 == 1 ? "user" : "assistant", messages[i]["role"].GetString());
  }
  STRCMP_EQUAL("u5", messages[messages.Size() - 1]["content"].GetString());
  LONGS_EQUAL(6, messages.Size());  // system, u1, a1, u3, a3, u5
}

// ---- history bounds -----------------------------------------------------------------------

TEST(ChatRequest, HistoryKeepsTheLastEightTurnsByDefault) {
  LONGS_EQUAL(8, settings.max_history_turns);
  STRCMP_EQUAL("u3 a3 u4 a4 u5 a5 u6 a6", describe(bounded_history(exchanges(6), 8)).c_str());
  STRCMP_EQUAL("u1 a1 u2 a2", describe(bounded_history(exchanges(2), 8)).c_str());
}

TEST(ChatRequest, BodyUsesTheBoundedHistory) {
  settings.max_history_turns = 2;
  STRCMP_CONTAINS(R"("messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"u3"},)"
                  R"({"role":"assistant","content":"a3"},{"role":"user","content":"q"}])",
                  build_chat_request_body(settings, exchanges(3), "q").c_str());
}

TEST(ChatRequest, HistoryNeverSplitsAnExchange) {
  STRCMP_EQUAL("u5 a5 u6 a6", describe(bounded_history(exchanges(6), 5)).c_str());
  STRCMP_EQUAL("u6 a6", describe(bounded_history(exchanges(6), 3)).c_str());
  STRCMP_EQUAL("", describe(bounded_history(exchanges(6), 1)).c_str());
  STRCMP_EQUAL("", describe(bounded_history(exchanges(6), 0)).c_str());
}

TEST(ChatRequest, HistoryLeavesOutLoneTurns) {
  // u2 got no answer (the request failed); a0 answers nothing we kept.
  STRCMP_EQUAL("u1 a1 u3 a3", describe(bounded_history({assistant("a0"), user("u1"), assistant("a1"), user("u2"),
                                                        user("u3"), assistant("a3"), user("u4")},
                                                       8))
                                  .c_str());
  STRCMP_EQUAL("u1 a1", describe(bounded_history({user("u1"), assistant("a1"), assistant("a1b")}, 8)).c_str());
  STRCMP_EQUAL("", describe(bounded_history({user("u1")}, 8)).c_str());
  STRCMP_EQUAL("", describe(bounded_history({}, 8)).c_str());
}

TEST(ChatRequest, LoneTurnsDoNotCountAgainstTheBound) {
  STRCMP_EQUAL("u1 a1 u3 a3",
               describe(bounded_history({user("u1"), assistant("a1"), user("u2"), user("u3"), assistant("a3")}, 4))
                   .c_str());
}

// ---- escaping ---------------------------------------------------------------------------

TEST(ChatRequest, QuotesBackslashesAndControlCharactersAreEscaped) {
  settings.system_prompt.clear();
  const std::string body = build_chat_request_body(
      settings, {}, std::string("say \"hi\"\\ now\nthen\ttab\r\x01") + std::string(1, '\0') + "</end>");
  STRCMP_CONTAINS(R"({"role":"user","content":"say \"hi\"\\ now\nthen\ttab\r\u0001\u0000</end>"})", body.c_str());
}

TEST(ChatRequest, Utf8IsCopiedByteForByte) {
  settings.system_prompt.clear();
  // é, 你好, U+2028 LINE SEPARATOR (valid unescaped in JSON), an emoji.
  const std::string text = "caf\xC3\xA9 \xE4\xBD\xA0\xE5\xA5\xBD \xE2\x80\xA8 \xF0\x9F\xA4\x96";
  STRCMP_CONTAINS((R"({"role":"user","content":")" + text + R"("})").c_str(),
                  build_chat_request_body(settings, {}, text).c_str());
  STRCMP_EQUAL(text.c_str(), question_after_round_trip(text).c_str());
}

TEST(ChatRequest, EscapedTextRoundTripsExactly) {
  const std::string text = std::string("\"\\/\b\f\n\r\t\x1F end") + std::string(1, '\0') + "\xE2\x80\xA9";
  const std::string back = question_after_round_trip(text);
  LONGS_EQUAL(text.size(), back.size());
  CHECK(text == back);
}

TEST(ChatRequest, InvalidUtf8BecomesReplacementCharacters) {
  const std::string replacement = "\xEF\xBF\xBD";
  STRCMP_EQUAL(("caf" + replacement).c_str(), question_after_round_trip("caf\xE9").c_str());
  // Overlong '/', a UTF-16 surrogate, a code point above U+10FFFF, a stray
  // continuation byte, and a sequence cut short at the end.
  STRCMP_EQUAL((replacement + replacement + "/").c_str(), question_after_round_trip("\xC0\xAF/").c_str());
  STRCMP_EQUAL((replacement + replacement + replacement).c_str(),
               question_after_round_trip("\xED\xA0\x80").c_str());
  STRCMP_EQUAL((replacement + replacement + replacement + replacement).c_str(),
               question_after_round_trip("\xF4\x90\x80\x80").c_str());
  STRCMP_EQUAL(("a" + replacement + "b").c_str(), question_after_round_trip("a\200b").c_str());
  STRCMP_EQUAL(("ok " + replacement + replacement).c_str(), question_after_round_trip("ok \xE2\x82").c_str());
  // The first and last code points of each length stay as they are.
  const std::string edges = "\x7F \xC2\x80 \xDF\xBF \xE0\xA0\x80 \xEF\xBF\xBF \xF0\x90\x80\x80 \xF4\x8F\xBF\xBF";
  STRCMP_EQUAL(edges.c_str(), question_after_round_trip(edges).c_str());
}

TEST(ChatRequest, InvalidUtf8InHistoryAndModelIsReplacedToo) {
  settings.model = "m\xFF";
  JsonDocument document;
  parse(build_chat_request_body(settings, {user("u\xFE"), assistant("a\xC3")}, "q"), document);
  STRCMP_EQUAL("m\xEF\xBF\xBD", document["model"].GetString());
  STRCMP_EQUAL("u\xEF\xBF\xBD", document["messages"][1]["content"].GetString());
  STRCMP_EQUAL("a\xEF\xBF\xBD", document["messages"][2]["content"].GetString());
}

// ---- target and headers ------------------------------------------------------------------

TEST(ChatRequest, TargetIsThePathPrefixPlusTheApisPath) {
  STRCMP_EQUAL("/chat/completions", chat_request_target(ChatApi::kChatCompletions, "").c_str());
  STRCMP_EQUAL("/inference/v1/chat/completions",
               chat_request_target(ChatApi::kChatCompletions, "/inference/v1").c_str());
  STRCMP_EQUAL("/api/chat", chat_request_target(ChatApi::kOllamaNativeChat, "").c_str());
}

TEST(ChatRequest, HeadersCarryTheBearerKeyJsonAndEventStream) {
  const HttpHeaders headers = chat_request_headers(ChatApi::kChatCompletions, "sk-abc");
  LONGS_EQUAL(3, headers.size());
  STRCMP_EQUAL("Authorization", headers[0].first.c_str());
  STRCMP_EQUAL("Bearer sk-abc", headers[0].second.c_str());
  STRCMP_EQUAL("Content-Type", headers[1].first.c_str());
  STRCMP_EQUAL("application/json", headers[1].second.c_str());
  STRCMP_EQUAL("Accept", headers[2].first.c_str());
  STRCMP_EQUAL("text/event-stream", headers[2].second.c_str());
}

TEST(ChatRequest, OllamaNativeAcceptsNdjson) {
  const HttpHeaders headers = chat_request_headers(ChatApi::kOllamaNativeChat, "k");
  STRCMP_EQUAL("Accept", headers.back().first.c_str());
  STRCMP_EQUAL("application/x-ndjson", headers.back().second.c_str());
}

TEST(ChatRequest, EmptyKeySendsNoAuthorization) {
  const HttpHeaders headers = chat_request_headers(ChatApi::kChatCompletions, "");
  LONGS_EQUAL(2, headers.size());
  STRCMP_EQUAL("Content-Type", headers[0].first.c_str());
}
