// Standard and project headers before CppUTest's (its macros must not reach them).
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/stream/chunk_decoder.h"
#include "agent/stream/stream_chunk.h"

#include <CppUTest/TestHarness.h>

using vic_r1::stream::ChunkDecoder;
using vic_r1::stream::error_message_from_payload;
using vic_r1::stream::StreamChunk;

namespace {

// Payloads are written by hand from each server's documented chunk shape
// (design/R1-STREAM.md); none is a captured stream.

std::string openai_delta(std::string_view delta, std::string_view finish_reason = "null") {
  return std::string(R"({"id":"c1","object":"chat.completion.chunk",)"
                     R"("created":1738000000,"model":"m","choices":[{"index":0,"delta":)") +
         std::string(delta) + R"(,"logprobs":null,"finish_reason":)" + std::string(finish_reason) + "}]}";
}

// Everything one decode gave, to compare two decodes.
struct Decoded {
  bool accepted = false;
  std::string error;
  StreamChunk chunk;
};

enum class Format { kOpenAi, kOllama };

Decoded decode(Format format, std::string_view payload) {
  ChunkDecoder decoder;
  Decoded decoded;
  decoded.accepted = format == Format::kOpenAi ? decoder.decode_openai_chunk(payload, decoded.chunk)
                                               : decoder.decode_ollama_line(payload, decoded.chunk);
  decoded.error = decoder.error();
  return decoded;
}

// The payload with an unread member inserted first in its root object: a
// number with a three-digit exponent, which the decoder's fast parser leaves
// to RapidJSON's, so the whole payload is parsed by RapidJSON instead.
std::string parsed_by_rapidjson(std::string_view payload) {
  std::string changed(payload);
  changed.insert(changed.find('{') + 1, R"("unread":1e100,)");
  return changed;
}

void check_same_decode(const Decoded& expected, const Decoded& actual, const std::string& payload) {
  const char* const context = payload.c_str();
  CHECK_EQUAL_TEXT(expected.accepted, actual.accepted, context);
  STRCMP_EQUAL_TEXT(expected.error.c_str(), actual.error.c_str(), context);
  const StreamChunk& a = expected.chunk;
  const StreamChunk& b = actual.chunk;
  CHECK_TEXT(a.model == b.model, context);
  CHECK_TEXT(a.content == b.content, context);
  CHECK_TEXT(a.reasoning == b.reasoning, context);
  CHECK_EQUAL_TEXT(a.has_reasoning_field, b.has_reasoning_field, context);
  CHECK_TEXT(a.finish_reason == b.finish_reason, context);
  CHECK_EQUAL_TEXT(a.has_usage, b.has_usage, context);
  LONGLONGS_EQUAL_TEXT(a.usage.prompt_tokens, b.usage.prompt_tokens, context);
  LONGLONGS_EQUAL_TEXT(a.usage.completion_tokens, b.usage.completion_tokens, context);
  LONGLONGS_EQUAL_TEXT(a.usage.total_tokens, b.usage.total_tokens, context);
  LONGLONGS_EQUAL_TEXT(a.usage.reasoning_tokens, b.usage.reasoning_tokens, context);
  CHECK_EQUAL_TEXT(a.is_error, b.is_error, context);
  CHECK_TEXT(a.error_message == b.error_message, context);
}

}  // namespace

TEST_GROUP(ChunkDecoder) {
  ChunkDecoder decoder;
  StreamChunk chunk;

  void accept_openai(std::string_view payload) {
    CHECK_TRUE_TEXT(decoder.decode_openai_chunk(payload, chunk), decoder.error().c_str());
  }
  void accept_ollama(std::string_view payload) {
    CHECK_TRUE_TEXT(decoder.decode_ollama_line(payload, chunk), decoder.error().c_str());
  }
  // The payload must be refused, with an error that contains `expected`.
  void refuse_openai(std::string_view payload, const char* expected) {
    CHECK_FALSE(decoder.decode_openai_chunk(payload, chunk));
    STRCMP_CONTAINS(expected, decoder.error().c_str());
    check_chunk_is_empty();
  }
  void refuse_ollama(std::string_view payload, const char* expected) {
    CHECK_FALSE(decoder.decode_ollama_line(payload, chunk));
    STRCMP_CONTAINS(expected, decoder.error().c_str());
    check_chunk_is_empty();
  }
  void check_chunk_is_empty() {
    CHECK(chunk.model.empty());
    CHECK(chunk.content.empty());
    CHECK(chunk.reasoning.empty());
    CHECK_FALSE(chunk.has_reasoning_field);
    CHECK(chunk.finish_reason.empty());
    CHECK_FALSE(chunk.has_usage);
    LONGLONGS_EQUAL(-1, chunk.usage.prompt_tokens);
    LONGLONGS_EQUAL(-1, chunk.usage.completion_tokens);
    LONGLONGS_EQUAL(-1, chunk.usage.total_tokens);
    LONGLONGS_EQUAL(-1, chunk.usage.reasoning_tokens);
    CHECK_FALSE(chunk.is_error);
    CHECK(chunk.error_message.empty());
  }
  void check_usage(long long prompt, long long completion, long long total, long long reasoning) {
    CHECK_TRUE(chunk.has_usage);
    LONGLONGS_EQUAL(prompt, chunk.usage.prompt_tokens);
    LONGLONGS_EQUAL(completion, chunk.usage.completion_tokens);
    LONGLONGS_EQUAL(total, chunk.usage.total_tokens);
    LONGLONGS_EQUAL(reasoning, chunk.usage.reasoning_tokens);
  }
};

// ---- The answer and reasoning channels ---------------------------------------

TEST(ChunkDecoder, NullEmptyAndAbsentContentAreAlike) {
  for (const char* delta : {R"({"content":null})", R"({"content":""})", R"({})"}) {
    accept_openai(openai_delta(delta));
    STRCMP_EQUAL("", chunk.content.c_str());
    CHECK_FALSE(chunk.has_reasoning_field);
    CHECK_FALSE(chunk.is_error);
  }
}

TEST(ChunkDecoder, NullAndAbsentReasoningContentAreNotAReasoningField) {
  // vLLM without a reasoning parser sends "reasoning_content": null on every
  // chunk; the answer (with inline markup) is then in content.
  accept_openai(openai_delta(R"({"content":"<think>","reasoning_content":null})"));
  STRCMP_EQUAL("<think>", chunk.content.c_str());
  STRCMP_EQUAL("", chunk.reasoning.c_str());
  CHECK_FALSE(chunk.has_reasoning_field);

  accept_openai(openai_delta(R"({"content":"Hi"})"));
  CHECK_FALSE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, EmptyReasoningContentIsAReasoningField) {
  accept_openai(openai_delta(R"({"content":"","reasoning_content":""})"));
  STRCMP_EQUAL("", chunk.reasoning.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, DeepSeekFirstReasoningDeltaIsFlaggedWithNoText) {
  accept_openai(
      R"({"id":"5f1c","object":"chat.completion.chunk","created":1738000000,"model":"deepseek-reasoner",)"
      R"("system_fingerprint":"fp_5417b77867_prod0225","choices":[{"index":0,"delta":{"role":"assistant",)"
      R"("content":null,"reasoning_content":""},"logprobs":null,"finish_reason":null}]})");
  STRCMP_EQUAL("deepseek-reasoner", chunk.model.c_str());
  STRCMP_EQUAL("", chunk.content.c_str());
  STRCMP_EQUAL("", chunk.reasoning.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);
  STRCMP_EQUAL("", chunk.finish_reason.c_str());
  CHECK_FALSE(chunk.has_usage);
}

TEST(ChunkDecoder, DeepSeekReasoningDeltaThenAnswerDelta) {
  accept_openai(openai_delta(R"({"content":null,"reasoning_content":"The user asks why"})"));
  STRCMP_EQUAL("The user asks why", chunk.reasoning.c_str());
  STRCMP_EQUAL("", chunk.content.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);

  accept_openai(openai_delta(R"({"content":"The sky is blue","reasoning_content":null})"));
  STRCMP_EQUAL("The sky is blue", chunk.content.c_str());
  STRCMP_EQUAL("", chunk.reasoning.c_str());
  CHECK_FALSE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, RoleOnlyFirstChunkCarriesNothing) {
  accept_openai(openai_delta(R"({"role":"assistant"})"));
  STRCMP_EQUAL("m", chunk.model.c_str());
  STRCMP_EQUAL("", chunk.content.c_str());
  CHECK_FALSE(chunk.has_reasoning_field);
  STRCMP_EQUAL("", chunk.finish_reason.c_str());
  CHECK_FALSE(chunk.has_usage);
  CHECK_FALSE(chunk.is_error);
}

TEST(ChunkDecoder, MissingOrNullDeltaCarriesNothing) {
  accept_openai(R"({"choices":[{"index":0,"finish_reason":"stop"}]})");
  STRCMP_EQUAL("stop", chunk.finish_reason.c_str());
  STRCMP_EQUAL("", chunk.content.c_str());
  accept_openai(R"({"choices":[{"index":0,"delta":null,"finish_reason":null}]})");
  STRCMP_EQUAL("", chunk.finish_reason.c_str());
}

TEST(ChunkDecoder, InlineThinkMarkupInContentIsLeftForTheFilter) {
  accept_openai(openai_delta(R"({"content":"</think>\n\nAnswer with a < and a <think> later"})"));
  STRCMP_EQUAL("</think>\n\nAnswer with a < and a <think> later", chunk.content.c_str());
  CHECK_FALSE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, ReasoningFieldIsReasoning) {
  accept_openai(openai_delta(R"({"role":"assistant","content":"","reasoning":"Okay, so"})"));
  STRCMP_EQUAL("Okay, so", chunk.reasoning.c_str());
  STRCMP_EQUAL("", chunk.content.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, ReasoningDetailsTextAndSummaryAreReasoning) {
  accept_openai(openai_delta(R"({"content":null,"reasoning_details":[{"type":"reasoning.text",)"
                             R"("text":"First, ","format":"unknown","index":0},)"
                             R"({"type":"reasoning.summary","summary":"then a summary","index":1}]})"));
  STRCMP_EQUAL("First, then a summary", chunk.reasoning.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, EncryptedAndUnknownReasoningDetailsCarryNoText) {
  accept_openai(openai_delta(
      R"({"content":"","reasoning_details":[{"type":"reasoning.encrypted","data":"gAAAAABo...","index":0},)"
      R"({"type":"reasoning.future_kind","text":"not ours"},{"text":"no type"}]})"));
  STRCMP_EQUAL("", chunk.reasoning.c_str());
  CHECK_FALSE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, ReasoningDetailWithNullTextIsNotAReasoningField) {
  accept_openai(openai_delta(R"({"reasoning_details":[{"type":"reasoning.text","text":null}]})"));
  CHECK_FALSE(chunk.has_reasoning_field);
  accept_openai(openai_delta(R"({"reasoning_details":[{"type":"reasoning.text","text":""}]})"));
  CHECK_TRUE(chunk.has_reasoning_field);
  STRCMP_EQUAL("", chunk.reasoning.c_str());
}

TEST(ChunkDecoder, OpenRouterReasoningAndReasoningDetailsAreNotDoubled) {
  accept_openai(R"({"id":"gen-1738000000-abc","provider":"DeepInfra","model":"deepseek/deepseek-r1",)"
                R"("object":"chat.completion.chunk","created":1738000000,)"
                R"("choices":[{"index":0,"delta":{"role":"assistant",)"
                R"("content":"","reasoning":"Hmm, the user","reasoning_details":[{"type":"reasoning.text",)"
                R"("text":"Hmm, the user","format":"unknown","index":0}]},)"
                R"("finish_reason":null,"native_finish_reason":null,)"
                R"("logprobs":null}]})");
  STRCMP_EQUAL("deepseek/deepseek-r1", chunk.model.c_str());
  STRCMP_EQUAL("Hmm, the user", chunk.reasoning.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, EmptyReasoningStringStillKeepsDetailsFromBeingAdded) {
  accept_openai(openai_delta(R"({"reasoning":"","reasoning_details":[{"type":"reasoning.text","text":"x"}]})"));
  STRCMP_EQUAL("", chunk.reasoning.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, ReasoningContentAndReasoningTogetherAreNotDoubled) {
  // vLLM's compatibility mode fills both with the same text.
  accept_openai(openai_delta(R"({"reasoning_content":"Let me think","reasoning":"Let me think"})"));
  STRCMP_EQUAL("Let me think", chunk.reasoning.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, NullReasoningContentLetsReasoningSupplyTheText) {
  accept_openai(openai_delta(R"({"reasoning_content":null,"reasoning":"Okay"})"));
  STRCMP_EQUAL("Okay", chunk.reasoning.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, AnswerAndReasoningInOneDeltaAreBothKept) {
  accept_openai(openai_delta(R"({"content":"Blue.","reasoning_content":"done thinking"})"));
  STRCMP_EQUAL("Blue.", chunk.content.c_str());
  STRCMP_EQUAL("done thinking", chunk.reasoning.c_str());
}

// ---- Choices ----------------------------------------------------------------

TEST(ChunkDecoder, OnlyTheChoiceWithIndexZeroIsUsed) {
  accept_openai(R"({"choices":[{"index":1,"delta":{"content":"other"},"finish_reason":"length"},)"
                R"({"index":0,"delta":{"content":"ours"},"finish_reason":null}]})");
  STRCMP_EQUAL("ours", chunk.content.c_str());
  STRCMP_EQUAL("", chunk.finish_reason.c_str());
}

TEST(ChunkDecoder, ChunkForAnotherChoiceOnlyCarriesNothing) {
  accept_openai(R"({"model":"m","choices":[{"index":1,"delta":{"content":"other"},"finish_reason":"stop"}]})");
  STRCMP_EQUAL("m", chunk.model.c_str());
  STRCMP_EQUAL("", chunk.content.c_str());
  STRCMP_EQUAL("", chunk.finish_reason.c_str());
}

TEST(ChunkDecoder, FirstChoiceWithoutIndexIsUsed) {
  accept_openai(R"({"choices":[{"delta":{"content":"first"}},{"delta":{"content":"second"}}]})");
  STRCMP_EQUAL("first", chunk.content.c_str());
}

TEST(ChunkDecoder, NullIndexReadsAsNoIndex) {
  accept_openai(R"({"choices":[{"index":null,"delta":{"content":"first"}}]})");
  STRCMP_EQUAL("first", chunk.content.c_str());
}

TEST(ChunkDecoder, NullOrAbsentChoicesCarryNothing) {
  accept_openai(R"({"model":"m","choices":null})");
  STRCMP_EQUAL("m", chunk.model.c_str());
  STRCMP_EQUAL("", chunk.content.c_str());
  accept_openai(R"({"model":"m"})");
  STRCMP_EQUAL("", chunk.content.c_str());
}

// ---- Finish reasons and usage ------------------------------------------------

TEST(ChunkDecoder, FinishReasonsArePassedThroughAsSent) {
  for (const char* reason : {"stop", "length", "content_filter", "insufficient_system_resource"}) {
    accept_openai(openai_delta(R"({"content":""})", std::string("\"") + reason + "\""));
    STRCMP_EQUAL(reason, chunk.finish_reason.c_str());
  }
}

TEST(ChunkDecoder, DeepSeekUsageChunkKeepsItsOneEmptyChoice) {
  accept_openai(
      R"({"id":"5f1c","object":"chat.completion.chunk","created":1738000000,"model":"deepseek-reasoner",)"
      R"("system_fingerprint":"fp_5417b77867_prod0225","choices":[{"index":0,"delta":{"content":"",)"
      R"("reasoning_content":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":13,)"
      R"("completion_tokens":412,"total_tokens":425,"prompt_tokens_details":{"cached_tokens":0},)"
      R"("completion_tokens_details":{"reasoning_tokens":371},"prompt_cache_hit_tokens":0,)"
      R"("prompt_cache_miss_tokens":13}})");
  STRCMP_EQUAL("stop", chunk.finish_reason.c_str());
  STRCMP_EQUAL("", chunk.content.c_str());
  CHECK_FALSE(chunk.has_reasoning_field);
  check_usage(13, 412, 425, 371);
}

TEST(ChunkDecoder, UsageChunkWithEmptyChoicesArray) {
  accept_openai(
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1738000000,"model":"deepseek-r1:7b",)"
      R"("system_fingerprint":"fp_ollama","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":300,)"
      R"("total_tokens":309}})");
  STRCMP_EQUAL("deepseek-r1:7b", chunk.model.c_str());
  STRCMP_EQUAL("", chunk.content.c_str());
  STRCMP_EQUAL("", chunk.finish_reason.c_str());
  check_usage(9, 300, 309, -1);
}

TEST(ChunkDecoder, ZeroFilledEarlyUsageIsDecodedAsGiven) {
  accept_openai(R"({"choices":[{"index":0,"delta":{"reasoning_content":"Hm"},"finish_reason":null}],)"
                R"("usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0,)"
                R"("completion_tokens_details":{"reasoning_tokens":0}}})");
  STRCMP_EQUAL("Hm", chunk.reasoning.c_str());
  check_usage(0, 0, 0, 0);
}

TEST(ChunkDecoder, NullUsageIsNoUsage) {
  accept_openai(R"({"choices":[],"usage":null})");
  CHECK_FALSE(chunk.has_usage);
}

TEST(ChunkDecoder, UsageCountsThatAreNullOrAbsentReadAsUnknown) {
  accept_openai(R"({"choices":[],"usage":{"prompt_tokens":5,)"
                R"("completion_tokens":null,"completion_tokens_details":null}})");
  check_usage(5, -1, -1, -1);
}

TEST(ChunkDecoder, TokenCountsBeyond32BitsAreKept) {
  accept_openai(R"({"choices":[],"usage":{"prompt_tokens":5000000000,"completion_tokens":9223372036854775807}})");
  check_usage(5000000000LL, 9223372036854775807LL, -1, -1);
}

// ---- Errors inside the stream -------------------------------------------------

TEST(ChunkDecoder, ErrorObjectAfterStatus200IsAnError) {
  accept_openai(R"({"error":{"message":"Insufficient Balance","type":"unknown_error",)"
                R"("param":null,"code":"invalid_request_error"}})");
  CHECK_TRUE(chunk.is_error);
  STRCMP_EQUAL("Insufficient Balance (code invalid_request_error, type unknown_error)",
               chunk.error_message.c_str());
}

TEST(ChunkDecoder, ErrorStringIsAnError) {
  accept_openai(R"({"error":"upstream closed the connection"})");
  CHECK_TRUE(chunk.is_error);
  STRCMP_EQUAL("upstream closed the connection", chunk.error_message.c_str());
}

TEST(ChunkDecoder, OpenRouterMidStreamErrorNamesItsNumericCode) {
  accept_openai(
      R"({"id":"gen-1","object":"chat.completion.chunk","created":1738000000,"model":"deepseek/deepseek-r1",)"
      R"("provider":"Chutes","error":{"code":502,"message":"Provider returned error"},)"
      R"("choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]})");
  CHECK_TRUE(chunk.is_error);
  STRCMP_EQUAL("Provider returned error (code 502)", chunk.error_message.c_str());
  STRCMP_EQUAL("deepseek/deepseek-r1", chunk.model.c_str());
  STRCMP_EQUAL("", chunk.finish_reason.c_str());
}

TEST(ChunkDecoder, ErrorWithoutMessageIsGivenAsItsJson) {
  accept_openai(R"({"error":{"code":429,"metadata":{"retry_after":3}}})");
  CHECK_TRUE(chunk.is_error);
  STRCMP_EQUAL(R"({"code":429,"metadata":{"retry_after":3}})", chunk.error_message.c_str());
}

TEST(ChunkDecoder, EmptyErrorStringStillSaysThereWasAnError) {
  accept_openai(R"({"error":""})");
  CHECK_TRUE(chunk.is_error);
  CHECK_FALSE(chunk.error_message.empty());
}

TEST(ChunkDecoder, MalformedRestOfAnErrorPayloadDoesNotHideTheError) {
  accept_openai(R"({"model":7,"error":{"message":"overloaded"},"choices":"broken"})");
  CHECK_TRUE(chunk.is_error);
  STRCMP_EQUAL("overloaded", chunk.error_message.c_str());
  STRCMP_EQUAL("", chunk.model.c_str());
}

TEST(ChunkDecoder, UnpairedSurrogateInAnErrorBecomesAReplacementCharacter) {
  // Found by tests/fuzz/chunk_decoder_fuzz: the error was kept with the
  // escape decoded to ED B0 80, which is not UTF-8.
  accept_openai(R"({"error":"busy \udc00 now","model":"m\udc00"})");
  CHECK_TRUE(chunk.is_error);
  STRCMP_EQUAL("busy \xEF\xBF\xBD now", chunk.error_message.c_str());
  STRCMP_EQUAL("", chunk.model.c_str());
  accept_openai(R"({"error":{"message":"\udfff","code":"c\udc00"},"model":"m"})");
  STRCMP_EQUAL("\xEF\xBF\xBD (code c\xEF\xBF\xBD)", chunk.error_message.c_str());
  STRCMP_EQUAL("m", chunk.model.c_str());
  accept_openai(R"({"error":{"detail":"\udc00"}})");
  STRCMP_EQUAL("{\"detail\":\"\xEF\xBF\xBD\"}", chunk.error_message.c_str());
  accept_ollama(R"({"error":"\udc00"})");
  STRCMP_EQUAL("\xEF\xBF\xBD", chunk.error_message.c_str());
}

TEST(ChunkDecoder, NullErrorIsNoError) {
  accept_openai(R"({"error":null,"choices":[{"index":0,"delta":{"content":"ok"}}]})");
  CHECK_FALSE(chunk.is_error);
  STRCMP_EQUAL("ok", chunk.content.c_str());
}

// ---- Each server's chunks, in their documented shapes --------------------------

TEST(ChunkDecoder, TogetherInlineReasoningChunks) {
  accept_openai(R"({"id":"8f2b","object":"chat.completion.chunk",)"
                R"("created":1738000000,"model":"deepseek-ai/DeepSeek-R1",)"
                R"("choices":[{"index":0,"text":"<think>","logprobs":null,"finish_reason":null,"seed":null,)"
                R"("delta":{"token_id":128798,"role":"assistant",)"
                R"("content":"<think>","tool_calls":null}}],"usage":null})");
  STRCMP_EQUAL("<think>", chunk.content.c_str());
  CHECK_FALSE(chunk.has_reasoning_field);
  CHECK_FALSE(chunk.has_usage);

  accept_openai(R"({"id":"8f2b","object":"chat.completion.chunk",)"
                R"("created":1738000000,"model":"deepseek-ai/DeepSeek-R1",)"
                R"("choices":[{"index":0,"text":"","logprobs":null,"finish_reason":"stop","seed":4711,)"
                R"("delta":{"token_id":128001,"role":"assistant","content":"","tool_calls":null}}],)"
                R"("usage":{"prompt_tokens":12,"completion_tokens":500,"total_tokens":512}})");
  STRCMP_EQUAL("stop", chunk.finish_reason.c_str());
  check_usage(12, 500, 512, -1);
}

TEST(ChunkDecoder, FireworksReasoningContentChunk) {
  accept_openai(R"({"id":"f1e2","object":"chat.completion.chunk","created":1738000000,)"
                R"("model":"accounts/fireworks/models/deepseek-r1","choices":[{"index":0,)"
                R"("delta":{"reasoning_content":"Let me recall"},"finish_reason":null}],"usage":null})");
  STRCMP_EQUAL("accounts/fireworks/models/deepseek-r1", chunk.model.c_str());
  STRCMP_EQUAL("Let me recall", chunk.reasoning.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, GroqParsedReasoningChunks) {
  accept_openai(
      R"({"id":"chatcmpl-9a","object":"chat.completion.chunk","created":1738000000,)"
      R"("model":"deepseek-r1-distill-llama-70b","system_fingerprint":"fp_1bbe7845ec","choices":[{"index":0,)"
      R"("delta":{"reasoning":"Okay, the user"},"logprobs":null,)"
      R"("finish_reason":null}],"x_groq":{"id":"req_01"}})");
  STRCMP_EQUAL("Okay, the user", chunk.reasoning.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);

  accept_openai(
      R"({"id":"chatcmpl-9a","object":"chat.completion.chunk","created":1738000000,)"
      R"("model":"deepseek-r1-distill-llama-70b","system_fingerprint":"fp_1bbe7845ec","choices":[{"index":0,)"
      R"("delta":{},"logprobs":null,"finish_reason":"stop"}],)"
      R"("x_groq":{"id":"req_01","usage":{"queue_time":0.02,)"
      R"("prompt_tokens":10,"prompt_time":0.001,"completion_tokens":200,)"
      R"("completion_time":0.5,"total_tokens":210}}})");
  STRCMP_EQUAL("stop", chunk.finish_reason.c_str());
  // Groq's own x_groq.usage is not the OpenAI usage field.
  CHECK_FALSE(chunk.has_usage);
}

TEST(ChunkDecoder, OllamaOpenAiCompatibleChunks) {
  accept_openai(
      R"({"id":"chatcmpl-123","object":"chat.completion.chunk",)"
      R"("created":1738000000,"model":"deepseek-r1:7b",)"
      R"("system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"",)"
      R"("reasoning":"Okay"},"finish_reason":null}]})");
  STRCMP_EQUAL("Okay", chunk.reasoning.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);

  accept_openai(
      R"({"id":"chatcmpl-123","object":"chat.completion.chunk",)"
      R"("created":1738000000,"model":"deepseek-r1:7b",)"
      R"("system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":""},)"
      R"("finish_reason":"stop"}]})");
  STRCMP_EQUAL("stop", chunk.finish_reason.c_str());
}

TEST(ChunkDecoder, VllmChunksWithReasoningContentWithReasoningAndWithoutAParser) {
  accept_openai(R"({"id":"chatcmpl-7c","object":"chat.completion.chunk","created":1738000000,)"
                R"("model":"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B","choices":[{"index":0,)"
                R"("delta":{"reasoning_content":"Okay"},"logprobs":null,"finish_reason":null}]})");
  STRCMP_EQUAL("Okay", chunk.reasoning.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);

  accept_openai(R"({"id":"chatcmpl-7c","object":"chat.completion.chunk","created":1738000000,)"
                R"("model":"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B","choices":[{"index":0,)"
                R"("delta":{"reasoning":"Okay"},"logprobs":null,"finish_reason":null}]})");
  STRCMP_EQUAL("Okay", chunk.reasoning.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);

  accept_openai(R"({"id":"chatcmpl-7c","object":"chat.completion.chunk","created":1738000000,)"
                R"("model":"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B","choices":[{"index":0,)"
                R"("delta":{"content":"Okay","reasoning_content":null},"logprobs":null,"finish_reason":null}]})");
  STRCMP_EQUAL("Okay", chunk.content.c_str());
  CHECK_FALSE(chunk.has_reasoning_field);

  accept_openai(
      R"({"id":"chatcmpl-7c","object":"chat.completion.chunk","created":1738000000,)"
      R"("model":"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B","choices":[{"index":0,"delta":{"content":""},)"
      R"("logprobs":null,"finish_reason":"length","stop_reason":null}],)"
      R"("usage":{"prompt_tokens":8,"total_tokens":108,"completion_tokens":100}})");
  STRCMP_EQUAL("length", chunk.finish_reason.c_str());
  check_usage(8, 100, 108, -1);
}

TEST(ChunkDecoder, LlamaCppChunks) {
  accept_openai(R"({"choices":[{"finish_reason":null,"index":0,"delta":{"reasoning_content":"Okay"}}],)"
                R"("created":1738000000,"id":"chatcmpl-Xy","model":"DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf",)"
                R"("system_fingerprint":"b5000-0123abcd","object":"chat.completion.chunk"})");
  STRCMP_EQUAL("Okay", chunk.reasoning.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);

  accept_openai(
      R"({"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1738000000,"id":"chatcmpl-Xy",)"
      R"("model":"DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf","system_fingerprint":"b5000-0123abcd",)"
      R"("object":"chat.completion.chunk","usage":{"completion_tokens":100,)"
      R"("prompt_tokens":10,"total_tokens":110},)"
      R"("timings":{"prompt_n":10,"prompt_ms":12.5,"predicted_n":100,"predicted_per_second":21.7}})");
  STRCMP_EQUAL("stop", chunk.finish_reason.c_str());
  check_usage(10, 100, 110, -1);
}

TEST(ChunkDecoder, UnknownFieldsAnywhereAreIgnored) {
  accept_openai(R"({"novel":{"deep":[1,{"x":null}]},"choices":[{"index":0,"novel":[true],)"
                R"("delta":{"content":"ok","tool_calls":null,"audio":{"id":"a"}},"finish_reason":null}],)"
                R"("usage":{"prompt_tokens":1,"cost":0.0001,"completion_tokens_details":{"audio_tokens":0}}})");
  STRCMP_EQUAL("ok", chunk.content.c_str());
  check_usage(1, -1, -1, -1);
}

// ---- Ollama's native NDJSON ---------------------------------------------------

TEST(ChunkDecoder, OllamaThinkingLineIsReasoning) {
  accept_ollama(R"({"model":"deepseek-r1:7b","created_at":"2025-05-29T09:35:56.836222Z",)"
                R"("message":{"role":"assistant","content":"","thinking":"Okay, the"},"done":false})");
  STRCMP_EQUAL("deepseek-r1:7b", chunk.model.c_str());
  STRCMP_EQUAL("Okay, the", chunk.reasoning.c_str());
  STRCMP_EQUAL("", chunk.content.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);
  STRCMP_EQUAL("", chunk.finish_reason.c_str());
  CHECK_FALSE(chunk.has_usage);
}

TEST(ChunkDecoder, OllamaEmptyThinkingIsAReasoningField) {
  accept_ollama(R"({"model":"m","message":{"role":"assistant","content":"Hi","thinking":""},"done":false})");
  STRCMP_EQUAL("Hi", chunk.content.c_str());
  CHECK_TRUE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, OllamaAnswerLineWithoutThinkingIsNotFlagged) {
  accept_ollama(R"({"model":"m","created_at":"2025-05-29T09:35:57Z",)"
                R"("message":{"role":"assistant","content":"<think>"},"done":false})");
  STRCMP_EQUAL("<think>", chunk.content.c_str());
  CHECK_FALSE(chunk.has_reasoning_field);
}

TEST(ChunkDecoder, OllamaDoneLineGivesFinishReasonAndUsage) {
  accept_ollama(
      R"({"model":"deepseek-r1:7b","created_at":"2025-05-29T09:36:01.1Z","message":{"role":"assistant",)"
      R"("content":""},"done":true,"done_reason":"stop","total_duration":4883583458,"load_duration":1334875,)"
      R"("prompt_eval_count":26,"prompt_eval_duration":342546000,)"
      R"("eval_count":290,"eval_duration":4535599000})");
  STRCMP_EQUAL("stop", chunk.finish_reason.c_str());
  check_usage(26, 290, 316, -1);
}

TEST(ChunkDecoder, OllamaDoneLineWithoutReasonIsStopAndPassesOtherReasons) {
  accept_ollama(R"({"model":"m","message":{"role":"assistant","content":""},"done":true,"eval_count":3})");
  STRCMP_EQUAL("stop", chunk.finish_reason.c_str());
  check_usage(-1, 3, -1, -1);

  accept_ollama(R"({"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"length"})");
  STRCMP_EQUAL("length", chunk.finish_reason.c_str());
  CHECK_FALSE(chunk.has_usage);
}

TEST(ChunkDecoder, OllamaTotalThatWouldOverflowIsUnknown) {
  accept_ollama(R"({"model":"m","done":true,"prompt_eval_count":9223372036854775807,"eval_count":1})");
  check_usage(9223372036854775807LL, 1, -1, -1);
}

TEST(ChunkDecoder, OllamaErrorLineIsAnError) {
  accept_ollama(R"({"error":"model 'deepseek-r1:671b' not found"})");
  CHECK_TRUE(chunk.is_error);
  STRCMP_EQUAL("model 'deepseek-r1:671b' not found", chunk.error_message.c_str());
}

TEST(ChunkDecoder, OllamaWrongTypesNameTheField) {
  refuse_ollama(R"({"model":"m","message":"hi","done":false})", "message is a string; expected an object or null");
  refuse_ollama(R"({"model":"m","message":{"content":1},"done":false})", "message.content is a number");
  refuse_ollama(R"({"model":"m","message":{"thinking":[]},"done":false})", "message.thinking is an array");
  refuse_ollama(R"({"model":"m","done":"yes"})", "done is a string; expected true, false or null");
  refuse_ollama(R"({"model":"m","done":true,"eval_count":-4})",
                "eval_count is a number; expected a non-negative integer");
  refuse_ollama(R"({"model":"m","done":true,"done_reason":5})", "done_reason is a number");
  refuse_ollama("[]", "payload is an array; expected a JSON object");
}

// ---- Text encoding ---------------------------------------------------------------

TEST(ChunkDecoder, RawLineAndParagraphSeparatorsAndNelPassThrough) {
  const std::string line_separator = "\xE2\x80\xA8";
  const std::string paragraph_separator = "\xE2\x80\xA9";
  const std::string next_line = "\xC2\x85";
  const std::string text = "a" + line_separator + "b" + paragraph_separator + "c" + next_line + "d";
  accept_openai(openai_delta("{\"content\":\"" + text + "\"}"));
  STRCMP_EQUAL(text.c_str(), chunk.content.c_str());
}

TEST(ChunkDecoder, EscapesDecodeIncludingSeparatorsAndSurrogatePairs) {
  accept_openai(
      openai_delta(R"({"content":"\u2028|\u2029|\u0085|\n\t\"\\\/|\u00e9\u00C9|\ud83d\ude00|\uD83E\uDD16"})"));
  STRCMP_EQUAL("\xE2\x80\xA8|\xE2\x80\xA9|\xC2\x85|\n\t\"\\/|\xC3\xA9\xC3\x89|\xF0\x9F\x98\x80|\xF0\x9F\xA4\x96",
               chunk.content.c_str());
}

TEST(ChunkDecoder, EscapedNulIsKeptInsideTheText) {
  accept_openai(openai_delta(R"({"content":"a\u0000b"})"));
  CHECK(chunk.content == std::string("a\0b", 3));
}

TEST(ChunkDecoder, UnpairedSurrogateEscapesAreRefused) {
  refuse_openai(openai_delta(R"({"content":"\ud83d"})"), "surrogate");
  refuse_openai(openai_delta(R"({"content":"\ud83d\u0041"})"), "surrogate");
  refuse_openai(openai_delta(R"({"content":"x\ude00y"})"),
                "choices[0].delta.content holds a \\u escape of a low surrogate");
}

TEST(ChunkDecoder, InvalidUtf8IsRefusedWithItsOffset) {
  const std::string prefix = R"({"model":")";
  // Overlong, encoded surrogate, beyond U+10FFFF (two ways), stray continuation,
  // truncated sequence, a byte UTF-8 never uses, overlong three-byte form.
  const std::vector<std::string> bad_sequences = {
      "\xC0\x80", "\xED\xA0\x80", "\xF5\x80\x80\x80", "\xF4\x90\x80\x80", "\x80",
      "\xE2\x82", "\xFF",         "\xE0\x80\xAF"};
  for (const std::string& bad : bad_sequences) {
    refuse_openai(prefix + "ok" + bad + "\"}", "not valid JSON at byte 12: Invalid encoding in string.");
  }
}

TEST(ChunkDecoder, PayloadEndingInsideAUtf8SequenceIsRefused) {
  // The decoder must not read past the payload while judging the sequence.
  const std::string prefix = R"({"model":")";
  refuse_openai(prefix + "\xF0", "not valid JSON");
  refuse_openai(prefix + "\xF0\x9F", "not valid JSON");
  refuse_openai(prefix + "\xF0\x9F\x98", "not valid JSON");
}

TEST(ChunkDecoder, ValidMultibyteTextIsKept) {
  const std::string text = "\xC3\xA9t\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\xA4\x96";
  accept_openai(openai_delta("{\"content\":\"" + text + "\"}"));
  STRCMP_EQUAL(text.c_str(), chunk.content.c_str());
}

// ---- Payloads that are not a chunk ---------------------------------------------------

TEST(ChunkDecoder, MalformedJsonNamesTheParseErrorAndByte) {
  refuse_openai(R"({"choices":[)", "not valid JSON at byte 12: ");
  refuse_openai(R"({"a":1,})", "not valid JSON at byte 7: Missing a name for object member.");
  refuse_openai("", "not valid JSON at byte 0: The document is empty.");
  refuse_openai(": keep-alive", "not valid JSON at byte 0: Invalid value.");
  refuse_openai("[DONE]", "not valid JSON at byte 1");
  refuse_openai("}", "not valid JSON at byte 0: Invalid value.");
  refuse_openai(std::string(R"({"content":"a)") + '\x01' + R"(b"})",
                "not valid JSON at byte 13: Control character in string (it must be escaped).");
  refuse_openai(R"({"content":"\x"})", "not valid JSON at byte 12: Invalid escape character in string.");
}

TEST(ChunkDecoder, PayloadCutAtEveryByteIsRefusedCleanly) {
  const std::string line_separator = "\xE2\x80\xA8";
  const std::string whole =
      openai_delta(R"({"content":"caf\u00e9 \ud83d\ude00 )" + line_separator + R"( \"q\""})");
  accept_openai(whole);
  for (std::size_t length = 0; length < whole.size(); ++length) {
    CHECK_FALSE(decoder.decode_openai_chunk(std::string_view(whole).substr(0, length), chunk));
    CHECK_FALSE(decoder.error().empty());
    check_chunk_is_empty();
  }
}

TEST(ChunkDecoder, PayloadIsReadOnlyToItsEndAndNeverModified) {
  const std::string first = openai_delta(R"({"content":"a\nb \u00e9"})");
  const std::string buffer = first + R"({"content":"next"})";
  const std::string before = buffer;
  accept_openai(std::string_view(buffer).substr(0, first.size()));
  STRCMP_EQUAL("a\nb \xC3\xA9", chunk.content.c_str());
  CHECK(buffer == before);
}

TEST(ChunkDecoder, JsonThatIsNotAnObjectIsRefused) {
  refuse_openai("[]", "payload is an array; expected a JSON object");
  refuse_openai(R"("x")", "payload is a string; expected a JSON object");
  refuse_openai("3", "payload is a number; expected a JSON object");
  refuse_openai("null", "payload is null; expected a JSON object");
  refuse_openai("true", "payload is a boolean; expected a JSON object");
}

TEST(ChunkDecoder, TrailingWhitespaceIsAccepted) {
  for (const char* tail : {"\n", "\r\n", " \t ", "\n\n"}) {
    accept_openai(openai_delta(R"({"content":"ok"})") + tail);
    STRCMP_EQUAL("ok", chunk.content.c_str());
  }
  accept_openai("  \n" + openai_delta(R"({"content":"lead"})"));
  STRCMP_EQUAL("lead", chunk.content.c_str());
}

TEST(ChunkDecoder, TrailingDataAfterTheObjectIsRefused) {
  refuse_openai("{}{}", "unexpected data after the JSON value at byte 2");
  refuse_openai("{} x", "unexpected data after the JSON value at byte 3");
  refuse_openai(std::string("{}\0{}", 5), "unexpected data after the JSON value at byte 2");
  refuse_openai(std::string("{\"model\":\"m\"}\n\0", 15), "at byte 14");
}

TEST(ChunkDecoder, WrongFieldTypesNameTheField) {
  refuse_openai(openai_delta(R"({"content":42})"),
                "choices[0].delta.content is a number; expected a string or null");
  refuse_openai(openai_delta(R"({"content":["a"]})"), "choices[0].delta.content is an array");
  refuse_openai(R"({"choices":{"index":0}})", "choices is an object; expected an array or null");
  refuse_openai(R"({"choices":[{"index":0,"delta":"hi"}]})",
                "choices[0].delta is a string; expected an object or null");
  refuse_openai(R"({"choices":[7]})", "choices[0] is a number; expected an object");
  refuse_openai(R"({"choices":[{"index":"0"}]})", "choices[0].index is a string; expected a non-negative integer");
  refuse_openai(R"({"choices":[{"index":1},{"index":-1}]})", "choices[1].index is a number");
  refuse_openai(R"({"choices":[{"index":0,"finish_reason":1}]})", "choices[0].finish_reason is a number");
  refuse_openai(openai_delta(R"({"reasoning_content":false})"), "choices[0].delta.reasoning_content is a boolean");
  refuse_openai(openai_delta(R"({"reasoning":{}})"), "choices[0].delta.reasoning is an object");
  refuse_openai(openai_delta(R"({"reasoning_details":"x"})"), "choices[0].delta.reasoning_details is a string");
  refuse_openai(openai_delta(R"({"reasoning_details":[{"type":"reasoning.text","text":"a"},3]})"),
                "choices[0].delta.reasoning_details[1] is a number; expected an object");
  refuse_openai(openai_delta(R"({"reasoning_details":[{"type":"reasoning.text","text":9}]})"),
                "choices[0].delta.reasoning_details[0].text is a number");
  refuse_openai(openai_delta(R"({"reasoning_details":[{"type":"reasoning.summary","summary":[]}]})"),
                "choices[0].delta.reasoning_details[0].summary is an array");
  refuse_openai(openai_delta(R"({"reasoning_details":[{"type":1}]})"),
                "choices[0].delta.reasoning_details[0].type is a number");
  refuse_openai(R"({"model":1})", "model is a number; expected a string or null");
  refuse_openai(R"({"usage":[]})", "usage is an array; expected an object or null");
  refuse_openai(R"({"usage":{"prompt_tokens":"12"}})",
                "usage.prompt_tokens is a string; expected a non-negative integer");
  refuse_openai(R"({"usage":{"total_tokens":1.5}})", "usage.total_tokens is a number");
  refuse_openai(R"({"usage":{"completion_tokens":18446744073709551615}})", "usage.completion_tokens is a number");
  refuse_openai(R"({"usage":{"completion_tokens_details":{"reasoning_tokens":true}}})",
                "usage.completion_tokens_details.reasoning_tokens is a boolean");
  refuse_openai(R"({"usage":{"completion_tokens_details":3}})", "usage.completion_tokens_details is a number");
}

TEST(ChunkDecoder, FailedDecodeLeavesTheChunkCleared) {
  accept_openai(R"({"model":"m","choices":[{"index":0,"delta":{"content":"x",)"
                R"("reasoning":"y"},"finish_reason":"stop"}],)"
                R"("usage":{"prompt_tokens":1}})");
  // The content is read before the bad finish_reason is seen.
  refuse_openai(R"({"model":"m","choices":[{"index":0,"delta":{"content":"partial"},"finish_reason":3}]})",
                "finish_reason");
}

TEST(ChunkDecoder, SuccessfulDecodeClearsTheLastError) {
  CHECK_FALSE(decoder.decode_openai_chunk("nope", chunk));
  CHECK_FALSE(decoder.error().empty());
  accept_openai("{}");
  STRCMP_EQUAL("", decoder.error().c_str());
}

TEST(ChunkDecoder, NestingUpToSixtyFourLevelsIsAccepted) {
  // The root object is the first level.
  std::string payload = R"({"choices":[{"index":0,"delta":{"content":"deep enough"}}],"deep":)";
  payload.append(63, '[');
  payload.append(63, ']');
  payload += "}";
  accept_openai(payload);
  STRCMP_EQUAL("deep enough", chunk.content.c_str());
}

TEST(ChunkDecoder, DeeperNestingIsRefusedBeforeItCanExhaustTheStack) {
  std::string payload = R"({"deep":)";
  payload.append(64, '[');
  payload.append(64, ']');
  payload += "}";
  refuse_openai(payload, "objects and arrays nested deeper than 64 levels at byte 71");

  constexpr std::size_t kHostileDepth = 1000000;
  std::string hostile = R"({"deep":)";
  hostile.append(kHostileDepth, '[');
  refuse_openai(hostile, "nested deeper than 64 levels");
}

// ---- The two parsers -------------------------------------------------------------
// A fast parser reads the usual payload and leaves anything unusual to
// RapidJSON's; both must read every payload alike, and the fast one must get
// every string right wherever its 8-byte steps fall.

TEST(ChunkDecoder, FastParserAndRapidJsonReadEveryPayloadAlike) {
  const std::string line_separator = "\xE2\x80\xA8";
  const std::vector<std::string> payloads = {
      openai_delta(R"({"role":"assistant","content":null,"reasoning_content":""})"),
      openai_delta(R"({"content":"Hi","reasoning_content":null})"),
      openai_delta(R"({"content":"\u2028|\ud83d\ude00|\n\"\\\/ caf\u00e9 )" + line_separator + R"("})"),
      openai_delta(
          R"({"content":"","reasoning":"Hmm","reasoning_details":[{"type":"reasoning.text","text":"Hmm"}]})"),
      openai_delta(R"({"reasoning_details":[{"type":"reasoning.text","text":"a"},{"type":"reasoning.summary",)"
                   R"("summary":"b"},{"type":"reasoning.encrypted","data":"x"},{"text":"no type"},)"
                   R"({"type":"reasoning.future","text":"c"}]})"),
      openai_delta(R"({"content":"x"})", R"("stop")"),
      R"({"choices":[{"delta":{"content":"one"},"index":1},{"delta":{"content":"zero"},"index":0}]})",
      R"({"choices":[{"delta":{"content":"first"}},{"delta":{"content":"second"}}]})",
      R"({"model":"m","model":7,"choices":[{"index":0,"delta":{"content":"a","content":"b"},"delta":9}]})",
      R"({"choices":[],"usage":{"prompt_tokens":13,"completion_tokens":412,"total_tokens":425,)"
      R"("completion_tokens_details":{"reasoning_tokens":371},"cost":0.0001}})",
      R"({"usage":{"prompt_tokens":5000000000,"completion_tokens":9223372036854775807,"total_tokens":-0}})",
      R"({"error":{"message":"Insufficient Balance","type":"unknown_error","code":"invalid_request_error"}})",
      R"({"error":{"code":429,"metadata":{"retry_after":3.50,"note":"caf\u00e9\t"}}})",
      R"({"error":{"message":"busy","code":1E2}})",
      R"({"error":"upstream closed the connection","model":"m"})",
      R"({"model":7,"error":{"message":"overloaded"},"choices":"broken"})",
      R"({"error":null,"choices":[{"index":0,"delta":{"content":"ok"}}]})",
      R"({"id":"x\udc00","choices":[{"index":0,"delta":{"content":"ok"}}]})",
      " {\n \"model\" :\t\"m\" ,\r\n \"choices\" : [ { \"index\" : 0 , \"delta\" : { \"content\" : \"ok\" } "
      "} ] } \n",
      openai_delta(R"({"content":42})"),
      openai_delta(R"({"content":"x\udc00"})"),
      openai_delta(R"({"reasoning_details":[{"type":"reasoning.text","text":"a"},3]})"),
      openai_delta(R"({"reasoning_details":[{"text":9,"type":"reasoning.text"}]})"),
      R"({"choices":[{"index":1},{"index":-1}]})",
      R"({"choices":[{"finish_reason":1,"delta":{"reasoning":2,"content":3},"index":0}]})",
      R"({"usage":{"total_tokens":1.5}})",
      R"({"usage":{"completion_tokens":18446744073709551615}})",
      R"({"model":"deepseek-r1:7b","message":{"role":"assistant","content":"","thinking":"Okay"},)"
      R"("done":false})",
      R"({"model":"m","message":{"content":""},"done":true,"done_reason":"stop","prompt_eval_count":26,)"
      R"("eval_count":290})",
      R"({"model":"m","done":true,"done_reason":5})",
      R"({"model":"m","done":"yes"})",
      R"({"error":"model 'x' not found"})",
  };
  for (const std::string& payload : payloads) {
    for (const Format format : {Format::kOpenAi, Format::kOllama}) {
      check_same_decode(decode(format, payload), decode(format, parsed_by_rapidjson(payload)), payload);
    }
  }
}

TEST(ChunkDecoder, EscapesAndCharactersAreDecodedAtEveryOffsetOfAWord) {
  const std::vector<std::pair<std::string, std::string>> sent_and_text = {
      {R"(\")", "\""},
      {R"(\\)", "\\"},
      {R"(\n)", "\n"},
      {R"(\u00e9)", "\xC3\xA9"},
      {R"(\ud83d\ude00)", "\xF0\x9F\x98\x80"},
      {"\xC3\xA9", "\xC3\xA9"},
      {"\xF0\x9F\xA4\x96", "\xF0\x9F\xA4\x96"},
      {"\x7F", "\x7F"},
  };
  for (const auto& [sent, text] : sent_and_text) {
    for (std::size_t before = 0; before <= 16; ++before) {
      const std::string lead(before, 'a');
      accept_openai(openai_delta("{\"content\":\"" + lead + sent + sent + "tail\"}"));
      STRCMP_EQUAL((lead + text + text + "tail").c_str(), chunk.content.c_str());
    }
  }
}

TEST(ChunkDecoder, BadCharactersAreRefusedWithTheirOffsetAtEveryOffsetOfAWord) {
  const std::string prefix = R"({"model":")";
  for (std::size_t before = 0; before <= 16; ++before) {
    const std::string at = std::to_string(prefix.size() + before);
    const std::string lead = prefix + std::string(before, 'a');
    for (const char* bad : {"\xC0\x80", "\xED\xA0\x80", "\x80", "\xE2\x82"}) {
      refuse_openai(lead + bad + "\"}",
                    ("not valid JSON at byte " + at + ": Invalid encoding in string.").c_str());
    }
    refuse_openai(
        lead + "\x01\"}",
        ("not valid JSON at byte " + at + ": Control character in string (it must be escaped).").c_str());
    refuse_openai(lead,
                  ("not valid JSON at byte " + at + ": Missing a closing quotation mark in string.").c_str());
  }
}

TEST(ChunkDecoder, NumbersAtTheEdgesOfEachFormReadAsRapidJsonReadsThem) {
  accept_openai(R"({"choices":[],"usage":{"prompt_tokens":123456789012345678,)"
                R"("completion_tokens":1234567890123456789,"total_tokens":-0}})");
  check_usage(123456789012345678LL, 1234567890123456789LL, 0, -1);
  refuse_openai(R"({"usage":{"prompt_tokens":9223372036854775808}})", "usage.prompt_tokens is a number");
  refuse_openai(R"({"usage":{"prompt_tokens":1e2}})", "usage.prompt_tokens is a number");
  refuse_openai(R"({"usage":{"prompt_tokens":-1}})", "usage.prompt_tokens is a number");
  accept_openai(R"({"unread":[1e99,1E-400,0.5e+3,-0.0,123456789012345678901234567890]})");
  refuse_openai(R"({"unread":1e400})", "not valid JSON at byte 10: Number too big to be stored in double.");
  refuse_openai(R"({"unread":01})", "not valid JSON at byte 11: Missing a comma or '}' after an object member.");
  refuse_openai(R"({"unread":1.})", "not valid JSON at byte 12: Miss fraction part in number.");
  refuse_openai(R"({"unread":-})", "not valid JSON at byte 11: Invalid value.");
}

TEST(ChunkDecoder, RepeatedMembersReadTheFirst) {
  accept_openai(R"({"model":"m","model":7,"choices":[{"index":0,"delta":{"content":"first","content":"second"},)"
                R"("delta":9}],"choices":5})");
  STRCMP_EQUAL("m", chunk.model.c_str());
  STRCMP_EQUAL("first", chunk.content.c_str());
  // A first member that is null is not sent, and the repeat is still not read.
  accept_openai(R"({"model":null,"model":7})");
  STRCMP_EQUAL("", chunk.model.c_str());
  accept_openai(R"({"error":null,"error":"not read","choices":[]})");
  CHECK_FALSE(chunk.is_error);
}

TEST(ChunkDecoder, ChoiceIsChosenByAnIndexSentAfterItsDelta) {
  accept_openai(R"({"choices":[{"delta":{"content":"one"},"finish_reason":"length","index":1},)"
                R"({"delta":{"content":"zero","reasoning_details":[{"type":"reasoning.text","text":"r"}]},)"
                R"("index":0}]})");
  STRCMP_EQUAL("zero", chunk.content.c_str());
  STRCMP_EQUAL("r", chunk.reasoning.c_str());
  STRCMP_EQUAL("", chunk.finish_reason.c_str());
}

TEST(ChunkDecoder, FieldsAreCheckedInTheFormatsOrderNotThePayloads) {
  refuse_openai(R"({"choices":[{"finish_reason":1,"delta":{"reasoning":2,"content":3},"index":0}],"model":4})",
                "model is a number");
  refuse_openai(R"({"choices":[{"finish_reason":1,"delta":{"reasoning":2,"content":3},"index":0}]})",
                "choices[0].delta.content is a number");
  refuse_openai(R"({"usage":{"total_tokens":"x"},"choices":[{"index":0,"finish_reason":5}]})",
                "choices[0].finish_reason is a number");
  refuse_openai(R"({"choices":[{"delta":5,"index":"0"}]})", "choices[0].index is a string");
  refuse_openai(R"({"choices":[{"index":0,"delta":{"reasoning_details":[{"text":1,"type":"reasoning.text"},)"
                R"({"type":2}]}}]})",
                "choices[0].delta.reasoning_details[0].text is a number");
  refuse_ollama(R"({"eval_count":-1,"done":true,"done_reason":5,"message":{"thinking":1}})",
                "message.thinking is a number");
}

TEST(ChunkDecoder, ErrorWithoutMessageIsGivenAsCompactJson) {
  accept_openai(
      "{\"error\" : { \"code\" : 1.50 , \"detail\" : \"caf\\u00e9\\n\" , \"list\" : [ true , null ] } }");
  STRCMP_EQUAL("{\"code\":1.5,\"detail\":\"caf\xC3\xA9\\n\",\"list\":[true,null]}", chunk.error_message.c_str());
  accept_openai(R"({"error":{"message":"busy","code":1E2,"type":"overloaded"}})");
  STRCMP_EQUAL("busy (code 100.0, type overloaded)", chunk.error_message.c_str());
  accept_openai(R"({"error":[1, 2]})");
  STRCMP_EQUAL("[1,2]", chunk.error_message.c_str());
  accept_openai(R"({"error":true})");
  STRCMP_EQUAL("true", chunk.error_message.c_str());
}

TEST(ChunkDecoder, MemberNamesAreMatchedOnceTheirEscapesAreDecoded) {
  accept_openai(R"({"mod\u0065l":"m","choices":[{"\u0069ndex":0,"delta":{"\u0063ontent":"ok"}}]})");
  STRCMP_EQUAL("m", chunk.model.c_str());
  STRCMP_EQUAL("ok", chunk.content.c_str());
}

TEST(ChunkDecoder, WhitespaceBetweenAnyTokensIsAccepted) {
  accept_openai(
      " {\n \"model\" :\t\"m\" ,\r\n \"choices\" : [ { \"index\" : 0 , \"delta\" : { \"content\" : \"ok\" } ,"
      " \"finish_reason\" : null } , 7 ] , \"usage\" : { \"prompt_tokens\" : 3 } , \"x\" : [ ] } \n");
  STRCMP_EQUAL("m", chunk.model.c_str());
  STRCMP_EQUAL("ok", chunk.content.c_str());
  check_usage(3, -1, -1, -1);
}

TEST(ChunkDecoder, UnpairedSurrogateInAFieldNotReadIsNoError) {
  accept_openai(R"({"id":"x\udc00","choices":[{"index":0,"delta":{"content":"ok"}}]})");
  STRCMP_EQUAL("ok", chunk.content.c_str());
  refuse_openai(openai_delta(R"({"reasoning_details":[{"type":"reasoning.text","text":"\udc00"}]})"),
                "choices[0].delta.reasoning_details[0].text holds a \\u escape of a low surrogate");
}

// ---- Memory -------------------------------------------------------------------------

TEST(ChunkDecoder, MemoryDoesNotGrowWithTheNumberOfChunks) {
  const std::vector<std::string> stream = {
      openai_delta(R"({"role":"assistant","content":null,"reasoning_content":""})"),
      openai_delta(R"({"content":null,"reasoning_content":"The user wants to know why the sky is blue."})"),
      openai_delta(R"({"content":"Sunlight scatters off air molecules.","reasoning_content":null})"),
      openai_delta(R"({"content":"","reasoning":"x","reasoning_details":[{"type":"reasoning.text","text":"x"}]})"),
      R"({"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":300,"total_tokens":309,)"
      R"("completion_tokens_details":{"reasoning_tokens":250}}})",
      "not json at all",
  };
  for (const std::string& payload : stream) decoder.decode_openai_chunk(payload, chunk);
  const std::size_t settled = decoder.retained_bytes();
  CHECK(settled > 0);

  constexpr std::size_t kChunks = 100000;
  std::size_t largest = settled;
  for (std::size_t count = 0; count < kChunks; ++count) {
    decoder.decode_openai_chunk(stream[count % stream.size()], chunk);
    if (decoder.retained_bytes() > largest) largest = decoder.retained_bytes();
  }
  UNSIGNED_LONGS_EQUAL(settled, largest);
  UNSIGNED_LONGS_EQUAL(settled, decoder.retained_bytes());
}

TEST(ChunkDecoder, OneHugePayloadDoesNotStayInMemory) {
  accept_openai(openai_delta(R"({"content":"small"})"));
  const std::size_t small = decoder.retained_bytes();

  std::string huge = R"({"choices":[{"index":0,"delta":{"content":")";
  huge.append(1024 * 1024, 'a');
  huge += R"("}}],"extra":[)";
  for (int element = 0; element < 20000; ++element) huge += "{},";
  huge += "{}]}";
  accept_openai(huge);
  UNSIGNED_LONGS_EQUAL(1024 * 1024, chunk.content.size());

  accept_openai(openai_delta(R"({"content":"small"})"));
  // What stays is capped well below the huge payload, not sized by it.
  CHECK_TRUE(decoder.retained_bytes() < small + 200 * 1024);
}

TEST(ChunkDecoder, ReusedChunkKeepsItsStringBuffers) {
  accept_openai(openai_delta(R"({"content":"a sentence long enough to live on the heap"})"));
  const char* const buffer = chunk.content.data();
  accept_openai(openai_delta(R"({"content":"shorter, still on the heap"})"));
  POINTERS_EQUAL(buffer, chunk.content.data());
  STRCMP_EQUAL("shorter, still on the heap", chunk.content.c_str());
}

TEST(ChunkDecoder, MovedDecoderKeepsDecodingAndTheMovedFromOneStillWorks) {
  accept_openai(openai_delta(R"({"content":"before"})"));
  ChunkDecoder moved = std::move(decoder);
  CHECK_TRUE(moved.decode_openai_chunk(openai_delta(R"({"content":"after"})"), chunk));
  STRCMP_EQUAL("after", chunk.content.c_str());
  // A moved-from decoder is documented to work.
  accept_openai(openai_delta(R"({"content":"again"})"));
  STRCMP_EQUAL("again", chunk.content.c_str());
}

// ---- error_message_from_payload --------------------------------------------------------

TEST(ChunkDecoder, ErrorBodyMessageFormsAreUnwrapped) {
  STRCMP_EQUAL("Insufficient Balance",
               error_message_from_payload(R"({"error":{"message":"Insufficient Balance","type":"unknown_error",)"
                                          R"("param":null,"code":"invalid_request_error"}})")
                   .c_str());
  STRCMP_EQUAL("model 'x' not found", error_message_from_payload(R"({"error":"model 'x' not found"})").c_str());
  STRCMP_EQUAL(
      "Rate limit reached",
      error_message_from_payload(R"({"object":"error","message":"Rate limit reached","type":"x","code":429})")
          .c_str());
  STRCMP_EQUAL("from message", error_message_from_payload(R"({"error":null,"message":"from message"})").c_str());
  STRCMP_EQUAL("caf\xC3\xA9", error_message_from_payload(R"({"error":{"message":"caf\u00e9"}})").c_str());
}

TEST(ChunkDecoder, ErrorBodyOfAnotherShapeIsReturnedAsSentAndTrimmed) {
  STRCMP_EQUAL(R"({"detail":"Not Found"})",
               error_message_from_payload("  {\"detail\":\"Not Found\"}\r\n").c_str());
  STRCMP_EQUAL(R"({"error":{"code":500}})", error_message_from_payload(R"({"error":{"code":500}})").c_str());
  STRCMP_EQUAL("<html><body>502 Bad Gateway</body></html>",
               error_message_from_payload("\n<html><body>502 Bad Gateway</body></html>\n").c_str());
  STRCMP_EQUAL("", error_message_from_payload(" \r\n").c_str());
  STRCMP_EQUAL("[1,2]", error_message_from_payload("[1,2]").c_str());
}

TEST(ChunkDecoder, LongErrorBodyIsCutAt500BytesOnACharacterBoundary) {
  std::string body(499, 'x');
  body += "\xC3\xA9 and more text after the cut";
  const std::string message = error_message_from_payload(body);
  UNSIGNED_LONGS_EQUAL(499, message.size());
  STRCMP_EQUAL(std::string(499, 'x').c_str(), message.c_str());

  const std::string exact(600, 'y');
  UNSIGNED_LONGS_EQUAL(500, error_message_from_payload(exact).size());
}
