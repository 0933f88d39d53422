#include <string>
#include <string_view>
#include <vector>

#include "agent/stream/stream_reader.h"
#include "tests/unit/support/byte_splits.h"

#include <CppUTest/TestHarness.h>

using namespace vic_r1::stream;

namespace {

// Records every call as one line, so two runs can be compared exactly.
class RecordingSink final : public StreamSink {
 public:
  void on_answer(std::string_view text) override {
    answer.append(text);
    log += "answer:" + std::string(text) + "\n";
  }
  void on_reasoning(std::string_view text, std::size_t total) override {
    reasoning.append(text);
    log += "reasoning:" + std::to_string(total) + "\n";
  }
  void on_finish_reason(std::string_view reason) override { log += "finish:" + std::string(reason) + "\n"; }
  void on_usage(const TokenUsage& usage) override {
    log += "usage:" + std::to_string(usage.prompt_tokens) + "/" + std::to_string(usage.completion_tokens) + "/" +
           std::to_string(usage.reasoning_tokens) + "\n";
  }
  void on_error(std::string_view message) override {
    errors.emplace_back(message);
    log += "error:" + std::string(message) + "\n";
  }

  std::string answer;
  std::string reasoning;
  std::vector<std::string> errors;
  std::string log;
};

struct Replay {
  RecordingSink sink;
  StreamSummary summary;
};

Replay replay_pieces(const vic_r1::test::Pieces& pieces, StreamReader::Options options = {}) {
  Replay result;
  StreamReader reader(options);
  for (std::string_view piece : pieces) reader.feed(piece, result.sink);
  result.summary = reader.finish(result.sink);
  return result;
}

Replay replay(std::string_view body, StreamReader::Options options = {}) { return replay_pieces({body}, options); }

// Fed whole, split at every offset and byte by byte, the body must give the
// very same calls and outcome.
Replay replay_every_split(std::string_view body, StreamReader::Options options = {}) {
  const Replay whole = replay(body, options);
  for (const auto& pieces : vic_r1::test::every_split(body)) {
    const Replay split = replay_pieces(pieces, options);
    STRCMP_EQUAL(whole.sink.log.c_str(), split.sink.log.c_str());
    CHECK(whole.summary.outcome == split.summary.outcome);
  }
  return whole;
}

std::string deepseek_chunk(std::string_view delta, std::string_view finish = "null") {
  return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"deepseek-reasoner\","
         "\"choices\":[{\"index\":0,\"delta\":" +
         std::string(delta) + ",\"logprobs\":null,\"finish_reason\":" + std::string(finish) + "}]}\n\n";
}

std::string content_chunk(std::string_view model, std::string_view content, std::string_view finish = "null") {
  return "data: {\"model\":\"" + std::string(model) + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" +
         std::string(content) + "\"},\"finish_reason\":" + std::string(finish) + "}]}\n\n";
}

const std::string kDeepSeekBody =
    ": keep-alive\n\n: keep-alive\n\n" +
    deepseek_chunk(R"({"role":"assistant","content":null,"reasoning_content":""})") +
    deepseek_chunk(R"({"content":null,"reasoning_content":"The user wants"})") +
    deepseek_chunk(R"({"content":null,"reasoning_content":" the capital."})") +
    deepseek_chunk(R"({"content":"Paris","reasoning_content":null})") +
    deepseek_chunk(R"({"content":" is the capital.","reasoning_content":null})", "\"stop\"") +
    "data: {\"model\":\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":null}],"
    "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":20,\"total_tokens\":30,"
    "\"completion_tokens_details\":{\"reasoning_tokens\":12}}}\n\n"
    "data: [DONE]\n\n";

}  // namespace

TEST_GROUP(StreamReader){};

TEST(StreamReader, DeepSeekStreamGivesOnlyTheAnswerWhateverTheChunking) {
  const Replay result = replay_every_split(kDeepSeekBody);
  STRCMP_EQUAL("Paris is the capital.", result.sink.answer.c_str());
  STRCMP_EQUAL("The user wants the capital.", result.sink.reasoning.c_str());
  CHECK(result.summary.outcome == StreamOutcome::kCompleted);
  STRCMP_EQUAL("stop", result.summary.finish_reason.c_str());
  CHECK(result.summary.usage.has_value());
  LONGS_EQUAL(12, result.summary.usage->reasoning_tokens);
  LONGS_EQUAL(27, result.summary.reasoning_characters);
}

TEST(StreamReader, ReasoningProgressCountsCharactersNotBytes) {
  const Replay result = replay(deepseek_chunk(R"({"reasoning_content":"héllo 中"})") + "data: [DONE]\n\n");
  STRCMP_CONTAINS("reasoning:7\n", result.sink.log.c_str());
}

TEST(StreamReader, DoneWithoutTrailingBlankLineEndsTheStreamProperly) {
  const Replay with_newline = replay_every_split(content_chunk("llama3.2", "Hi") + "data: [DONE]\n");
  CHECK(with_newline.summary.outcome == StreamOutcome::kCompleted);
  const Replay without_newline = replay_every_split(content_chunk("llama3.2", "Hi") + "data: [DONE]");
  CHECK(without_newline.summary.outcome == StreamOutcome::kCompleted);
  STRCMP_EQUAL("Hi", without_newline.sink.answer.c_str());
}

TEST(StreamReader, DataAfterDoneIsIgnored) {
  const Replay result = replay_every_split(content_chunk("llama3.2", "Hi") + "data: [DONE]\n\n" +
                                           content_chunk("llama3.2", " again") + "data: {broken\n\n");
  STRCMP_EQUAL("Hi", result.sink.answer.c_str());
  CHECK(result.summary.outcome == StreamOutcome::kCompleted);
  CHECK(result.sink.errors.empty());
}

// Found by the fuzzer: read whole, the decoder failed on the over-long line
// after [DONE] and the reader reported it; read in pieces, it never saw it.
TEST(StreamReader, OversizedLineAfterDoneIsIgnored) {
  StreamReader::Options small;
  small.max_event_bytes = 128;
  const Replay result = replay_every_split(
      content_chunk("llama3.2", "Hi") + "data: [DONE]\n\n" + "data: " + std::string(300, 'x') + "\n\n", small);
  STRCMP_EQUAL("Hi", result.sink.answer.c_str());
  CHECK(result.summary.outcome == StreamOutcome::kCompleted);
  CHECK(result.sink.errors.empty());
}

TEST(StreamReader, EndWithoutDoneOrFinishReasonIsCutShort) {
  const Replay result = replay_every_split(content_chunk("llama3.2", "Half an ans"));
  CHECK(result.summary.outcome == StreamOutcome::kCutShort);
  STRCMP_EQUAL("Half an ans", result.sink.answer.c_str());
  STRCMP_CONTAINS("cut short", result.summary.explanation.c_str());
}

TEST(StreamReader, FinishReasonThenEndIsComplete) {
  const Replay result = replay_every_split(content_chunk("llama3.2", "Done.", "\"stop\""));
  CHECK(result.summary.outcome == StreamOutcome::kCompleted);
}

TEST(StreamReader, EventCutOffAtTheEndIsDroppedAndSaid) {
  const Replay result =
      replay(content_chunk("llama3.2", "One.") + "data: {\"choices\":[{\"delta\":{\"content\":\"Two\"}}]}");
  STRCMP_EQUAL("One.", result.sink.answer.c_str());
  CHECK(result.summary.outcome == StreamOutcome::kCutShort);
  STRCMP_CONTAINS("incomplete", result.summary.explanation.c_str());
}

TEST(StreamReader, ErrorPayloadInsideA200StreamIsAnError) {
  const Replay result = replay_every_split(
      content_chunk("x", "Part") + "data: {\"error\":{\"code\":502,\"message\":\"Provider returned error\"}}\n\n" +
      "data: [DONE]\n\n");
  CHECK(result.summary.outcome == StreamOutcome::kError);
  STRCMP_CONTAINS("Provider returned error", result.summary.first_error.c_str());
  STRCMP_EQUAL("Part", result.sink.answer.c_str());
}

TEST(StreamReader, ErrorEventIsAnError) {
  const Replay result = replay_every_split("event: error\ndata: {\"message\":\"overloaded\"}\n\n");
  CHECK(result.summary.outcome == StreamOutcome::kError);
  STRCMP_CONTAINS("overloaded", result.summary.first_error.c_str());
}

TEST(StreamReader, MalformedPayloadIsReportedAndTheRestStillRead) {
  const Replay result = replay(content_chunk("x", "A") + "data: {\"choices\": [\n\n" +
                               content_chunk("x", "B", "\"stop\"") + "data: [DONE]\n\n");
  STRCMP_EQUAL("AB", result.sink.answer.c_str());
  CHECK(result.summary.outcome == StreamOutcome::kError);
  LONGS_EQUAL(1, result.summary.malformed_payloads);
  STRCMP_CONTAINS("payload #2", result.summary.first_error.c_str());
}

TEST(StreamReader, KeepAliveCommentsAreNeverParsedAsJson) {
  std::string body;
  for (int i = 0; i < 200; ++i) body += ": keep-alive\n\n";
  body += content_chunk("x", "ok", "\"stop\"");
  const Replay result = replay_every_split(body);
  CHECK(result.sink.errors.empty());
  STRCMP_EQUAL("ok", result.sink.answer.c_str());
}

TEST(StreamReader, OnlyReasoningAndAProperEndIsFlagged) {
  const Replay result = replay_every_split(
      deepseek_chunk(R"({"reasoning_content":"Let me think"})", "\"length\"") + "data: [DONE]\n\n");
  CHECK(result.summary.outcome == StreamOutcome::kAnswerOnlyInReasoning);
  STRCMP_CONTAINS("token limit was reached while the model was still reasoning",
                  result.summary.explanation.c_str());
}

TEST(StreamReader, UnclosedInlineBlockIsFlaggedAndNothingSpoken) {
  const Replay result =
      replay_every_split(content_chunk("deepseek-r1", "<think>still thinking", "\"stop\"") + "data: [DONE]\n\n");
  STRCMP_EQUAL("", result.sink.answer.c_str());
  CHECK(result.summary.outcome == StreamOutcome::kAnswerOnlyInReasoning);
  CHECK_TRUE(result.summary.reasoning_unclosed);
}

TEST(StreamReader, NdjsonIsChosenByContentTypeOrByTheFirstByte) {
  const std::string body =
      "{\"model\":\"deepseek-r1:7b\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"Hmm.\"},\"done\":false}\n"
      "{\"model\":\"deepseek-r1:7b\",\"message\":{\"role\":\"assistant\",\"content\":\"Blue.\"},\"done\":false}\n"
      "{\"model\":\"deepseek-r1:7b\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
      "\"done_reason\":\"stop\",\"prompt_eval_count\":5,\"eval_count\":9}\n";
  StreamReader::Options ndjson;
  ndjson.wire_format = WireFormat::kNdjson;
  const Replay declared = replay_every_split(body, ndjson);
  STRCMP_EQUAL("Blue.", declared.sink.answer.c_str());
  CHECK(declared.summary.outcome == StreamOutcome::kCompleted);
  const Replay sniffed = replay_every_split("\n  " + body);
  STRCMP_EQUAL(declared.sink.log.c_str(), sniffed.sink.log.c_str());
}

TEST(StreamReader, UsageReportedOnceAtTheEndAndTheLastOneWins) {
  const std::string body =
      "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0}}\n\n"
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2,\"total_tokens\":6}}\n\n"
      "data: [DONE]\n\n";
  const Replay result = replay_every_split(body);
  STRCMP_CONTAINS("usage:4/2/-1\n", result.sink.log.c_str());
  CHECK(result.sink.log.find("usage:0/") == std::string::npos);
}

TEST(StreamReader, OversizedEventStopsTheStreamWithAClearError) {
  StreamReader::Options small;
  small.max_event_bytes = 64;
  const Replay result = replay("data: " + std::string(200, 'x') + "\n\n" + content_chunk("x", "late"), small);
  CHECK(result.summary.outcome == StreamOutcome::kError);
  STRCMP_EQUAL("", result.sink.answer.c_str());
  CHECK_FALSE(result.summary.first_error.empty());
}

TEST(StreamReader, LatestReasoningKeepsATailAtACharacterBoundary) {
  StreamReader::Options options;
  options.latest_reasoning_bytes = 4;
  StreamReader reader(options);
  RecordingSink sink;
  reader.feed(deepseek_chunk(R"({"reasoning_content":"first part, "})"), sink);
  reader.feed(deepseek_chunk(R"({"reasoning_content":"then \u00e9\u4e2d"})"), sink);
  // The last 4 bytes are the second byte of "é" (2 bytes) and "中" (3 bytes):
  // the tail starts at the next whole character.
  STRCMP_EQUAL("\u4e2d", std::string(reader.latest_reasoning()).c_str());
}

TEST(StreamReader, MemoryStaysBoundedOverALongStream) {
  StreamReader reader(StreamReader::Options{});
  RecordingSink sink;
  const std::string chunk = deepseek_chunk(R"({"reasoning_content":"word "})");
  for (int i = 0; i < 20000; ++i) {
    reader.feed(chunk, sink);
    sink.log.clear();
    sink.reasoning.clear();
  }
  LONGS_EQUAL(100000, reader.reasoning_characters());
  CHECK(reader.latest_reasoning().size() <= 240);
}

TEST(StreamReader, KeepAliveCommentsAreNotPayloadsButEveryDataEventIs) {
  StreamReader reader(StreamReader::Options{});
  RecordingSink sink;
  reader.feed(": keep-alive\n\n: keep-alive\n\n", sink);
  LONGS_EQUAL(0, reader.payloads_seen());
  // A role-only delta carries no text, yet it is data from the model.
  reader.feed(deepseek_chunk(R"({"role":"assistant","content":null,"reasoning_content":""})"), sink);
  LONGS_EQUAL(1, reader.payloads_seen());
  STRCMP_EQUAL("", sink.log.c_str());
}

TEST(StreamReader, R1ModelWithNoTagAtAllSpeaksTheWholeAnswerBeforeTheFinish) {
  const Replay result = replay_every_split(content_chunk("deepseek-r1", "Paris is ") +
                                           content_chunk("deepseek-r1", "the capital.", "\"stop\"") +
                                           "data: [DONE]\n\n");
  STRCMP_EQUAL("answer:Paris is the capital.\nfinish:stop\n", result.sink.log.c_str());
  CHECK(result.summary.outcome == StreamOutcome::kCompleted);
  CHECK(result.summary.unopened_text == UnopenedTextVerdict::kAnswer);
  LONGS_EQUAL(21, result.summary.unopened_text_bytes);
}

TEST(StreamReader, R1ModelWithNoTagAndDoneButNoFinishReasonIsTheAnswer) {
  const Replay result = replay_every_split(content_chunk("deepseek-r1", "Four.") + "data: [DONE]\n\n");
  STRCMP_EQUAL("Four.", result.sink.answer.c_str());
  CHECK(result.summary.outcome == StreamOutcome::kCompleted);
}

TEST(StreamReader, GenuineMissingOpenerStillDropsTheReasoning) {
  const Replay result = replay_every_split(content_chunk("deepseek-r1", "Okay, easy.\\n</th") +
                                           content_chunk("deepseek-r1", "ink>\\n\\nFour.", "\"stop\"") +
                                           "data: [DONE]\n\n");
  STRCMP_EQUAL("Four.", result.sink.answer.c_str());
  STRCMP_EQUAL("Okay, easy.\n", result.sink.reasoning.c_str());
  CHECK(result.summary.unopened_text == UnopenedTextVerdict::kReasoning);
  CHECK(result.summary.outcome == StreamOutcome::kCompleted);
}

TEST(StreamReader, R1ModelWithNoTagCutShortSpeaksNothingAndSaysWhy) {
  const Replay result = replay_every_split(content_chunk("deepseek-r1", "Maybe the user means"));
  STRCMP_EQUAL("", result.sink.answer.c_str());
  CHECK(result.summary.outcome == StreamOutcome::kCutShort);
  CHECK(result.summary.unopened_text == UnopenedTextVerdict::kUnspokenAtAbruptEnd);
  STRCMP_CONTAINS("20 bytes of text with no <think> opener were held back and not spoken",
                  result.summary.explanation.c_str());
}

TEST(StreamReader, R1ModelWithNoTagStoppedByTheTokenLimitSpeaksNothing) {
  const Replay result = replay_every_split(content_chunk("deepseek-r1", "Let me count: one, two", "\"length\"") +
                                           "data: [DONE]\n\n");
  STRCMP_EQUAL("", result.sink.answer.c_str());
  CHECK(result.summary.outcome == StreamOutcome::kAnswerOnlyInReasoning);
  STRCMP_CONTAINS("finish_reason length", result.summary.explanation.c_str());
  STRCMP_CONTAINS("not spoken", result.summary.explanation.c_str());
}

TEST(StreamReader, R1ModelWithNoTagPastTheCapIsReasoningAndSaysSo) {
  StreamReader::Options options;
  options.max_unopened_bytes = 10;
  const Replay result = replay_every_split(content_chunk("deepseek-r1", "Hmm, so the user") +
                                               content_chunk("deepseek-r1", " asks.", "\"stop\"") +
                                               "data: [DONE]\n\n",
                                           options);
  STRCMP_EQUAL("", result.sink.answer.c_str());
  STRCMP_EQUAL("Hmm, so the user asks.", result.sink.reasoning.c_str());
  CHECK(result.summary.outcome == StreamOutcome::kAnswerOnlyInReasoning);
  STRCMP_CONTAINS("more than 10 bytes", result.summary.explanation.c_str());
}

TEST(StreamReader, DeepSeekReasonerWithoutItsReasoningFieldStreamsTheAnswerAtOnce) {
  StreamReader reader(StreamReader::Options{});
  RecordingSink sink;
  reader.feed(deepseek_chunk(R"({"role":"assistant","content":""})"), sink);
  reader.feed(deepseek_chunk(R"({"content":"Paris"})"), sink);
  STRCMP_EQUAL("Paris", sink.answer.c_str());
}

TEST(StreamReader, AnswerHeldAsAPossibleTagIsSpokenBeforeTheError) {
  const Replay result = replay_every_split(content_chunk("llama3.2", "Three <") +
                                           "data: {\"error\":{\"message\":\"Provider returned error\"}}\n\n");
  STRCMP_EQUAL("answer:Three \nanswer:<\nerror:Provider returned error\n", result.sink.log.c_str());
  CHECK(result.summary.outcome == StreamOutcome::kError);
}

TEST(StreamReader, AnswerBeforeAnUnreadableEventIsSpokenBeforeTheError) {
  StreamReader::Options small;
  small.max_event_bytes = 128;
  const Replay result =
      replay(content_chunk("llama3.2", "Hi </th") + "data: " + std::string(200, 'x') + "\n\n", small);
  STRCMP_EQUAL("Hi </th", result.sink.answer.c_str());
  CHECK(result.sink.log.find("answer:</th\nerror:") != std::string::npos);
}

TEST(StreamReader, R1ModelWithNoTagThenAnErrorSpeaksNothingAndSaysWhy) {
  const Replay result = replay_every_split(content_chunk("deepseek-r1", "Hello. ") +
                                           "data: {\"error\":{\"message\":\"Provider returned error\"}}\n\n" +
                                           "data: [DONE]\n\n");
  STRCMP_EQUAL("", result.sink.answer.c_str());
  CHECK(result.summary.outcome == StreamOutcome::kError);
  STRCMP_CONTAINS("Provider returned error; 7 bytes", result.summary.explanation.c_str());
}

TEST(StreamReader, UnreadableBytesBeforeTheFormatIsKnownAreReportedOnceWhateverTheChunking) {
  // Bytes that look blank to the sniffing (BOM bytes) are held until the
  // format is known, then decoded: a line past the cap must fail the stream
  // once, as when the body comes in one read.
  StreamReader::Options small;
  small.max_event_bytes = 48;
  const Replay result = replay_every_split(std::string(60, '\xEF') + "\bdata: x\n\n", small);
  LONGS_EQUAL(1, result.sink.errors.size());
  CHECK(result.summary.outcome == StreamOutcome::kError);
}
