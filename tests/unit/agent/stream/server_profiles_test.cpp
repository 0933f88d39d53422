#include <string>

#include "agent/stream/server_profiles.h"

#include <CppUTest/TestHarness.h>

using namespace vic_r1::stream;

TEST_GROUP(ServerProfiles){};

TEST(ServerProfiles, AutoIsTheDefaultAndGuessesFromTheModelName) {
  STRCMP_EQUAL("auto", std::string(default_server_profile().name).c_str());
  CHECK(default_server_profile().missing_opener == MissingOpenerPolicy::kForReasoningModels);
}

TEST(ServerProfiles, EveryServerKindHasAProfile) {
  for (const char* name : {"deepseek", "together", "fireworks", "openrouter", "groq", "ollama", "ollama-native",
                           "vllm", "llamacpp", "inline-r1", "plain"}) {
    CHECK_TEXT(find_server_profile(name) != nullptr, name);
  }
  POINTERS_EQUAL(nullptr, find_server_profile("openai-gpt"));
  CHECK(find_server_profile("ollama-native")->wire_format == WireFormat::kNdjson);
}

TEST(ServerProfiles, RecognisesR1StyleModelNames) {
  for (const char* name : {"deepseek-r1:7b", "DeepSeek-R1-Distill-Qwen-7B", "deepseek-ai/DeepSeek-R1",
                           "deepseek-r1-distill-llama-70b", "QwQ-32B", "accounts/fireworks/models/deepseek-r1",
                           "perplexity/r1-1776", "DeepSeek-R1-0528-Q4_K_M.gguf"}) {
    CHECK_TEXT(names_reasoning_model(name), name);
  }
  for (const char* name : {"llama3.2", "gpt-4o-mini", "deepseek-chat", "mistral-r10", "r1234", "qwen2.5:7b", ""}) {
    CHECK_FALSE_TEXT(names_reasoning_model(name), name);
  }
}

// DeepSeek's API reasons in reasoning_content and never inlines tags, so the
// content of its reasoner is the answer even when a proxy drops that field.
TEST(ServerProfiles, DeepSeekApiReasonerIsNotAnInlineReasoningModel) {
  CHECK_FALSE(names_reasoning_model("deepseek-reasoner"));
}

TEST(ServerProfiles, ContentTypeChoosesTheWireFormat) {
  CHECK(wire_format_for_content_type("application/x-ndjson") == WireFormat::kNdjson);
  CHECK(wire_format_for_content_type(" Application/X-NDJSON ; charset=utf-8") == WireFormat::kNdjson);
  CHECK(wire_format_for_content_type("text/event-stream; charset=utf-8") == WireFormat::kServerSentEvents);
  CHECK(wire_format_for_content_type("") == WireFormat::kServerSentEvents);
}
