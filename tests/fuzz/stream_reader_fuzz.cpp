// libFuzzer target for the whole stream reader: SSE and NDJSON decoding, the
// chunk decoder and the reasoning filter. Besides the sanitizers, its oracle is
// the reader's central promise: the same body gives the same calls and outcome
// however its bytes are cut into reads.
//
// Input layout: byte 0 picks the options, byte 1 seeds the cuts, the rest is
// the response body.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/stream/stream_reader.h"
#include "tests/unit/support/byte_splits.h"

namespace {

using namespace vic_r1::stream;

class TranscriptSink final : public StreamSink {
 public:
  void on_answer(std::string_view text) override { record('A', text); }
  void on_reasoning(std::string_view text, std::size_t total) override {
    record('R', text);
    record('#', std::to_string(total));
  }
  void on_finish_reason(std::string_view reason) override { record('F', reason); }
  void on_usage(const TokenUsage& usage) override {
    record('U', std::to_string(usage.prompt_tokens) + "/" + std::to_string(usage.completion_tokens) + "/" +
                    std::to_string(usage.total_tokens) + "/" + std::to_string(usage.reasoning_tokens));
  }
  void on_error(std::string_view message) override { record('E', message); }

  std::string transcript;

 private:
  void record(char kind, std::string_view text) {
    transcript.push_back(kind);
    transcript.append(std::to_string(text.size()));
    transcript.push_back(':');
    transcript.append(text);
  }
};

StreamReader::Options options_from(std::uint8_t selector) {
  StreamReader::Options options;
  switch (selector & 3) {
    case 1:
      options.wire_format = WireFormat::kServerSentEvents;
      break;
    case 2:
      options.wire_format = WireFormat::kNdjson;
      break;
    default:
      break;  // told from the first byte
  }
  switch ((selector >> 2) % 3) {
    case 0:
      options.missing_opener = MissingOpenerPolicy::kForReasoningModels;
      break;
    case 1:
      options.missing_opener = MissingOpenerPolicy::kNever;
      break;
    default:
      options.missing_opener = MissingOpenerPolicy::kAlways;
      break;
  }
  // A small cap now and then, so the oversize paths are explored too.
  if (selector & 0x40) options.max_event_bytes = 48;
  // ...and a small hold-back cap, so unopened text outgrows it.
  if (selector & 0x80) options.max_unopened_bytes = 16;
  return options;
}

std::string run(const StreamReader::Options& options, const vic_r1::test::Pieces& pieces) {
  StreamReader reader(options);
  TranscriptSink sink;
  for (std::string_view piece : pieces) reader.feed(piece, sink);
  const StreamSummary summary = reader.finish(sink);
  sink.transcript += "|outcome=" + std::string(outcome_name(summary.outcome)) +
                     "|finish=" + summary.finish_reason + "|answer_bytes=" + std::to_string(summary.answer_bytes) +
                     "|unclosed=" + std::to_string(summary.reasoning_unclosed) +
                     "|stray=" + std::to_string(summary.stray_close_tag_removed) +
                     "|unopened=" + std::to_string(static_cast<int>(summary.unopened_text)) + "/" +
                     std::to_string(summary.unopened_text_bytes) + "|" + summary.explanation;
  return sink.transcript;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const StreamReader::Options options = options_from(data[0]);
  const std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);

  const std::string whole = run(options, {body});
  const std::size_t max_piece = 1 + data[1] % 16;
  const std::string cut = run(options, vic_r1::test::random_pieces(body, data[1], max_piece));
  if (whole != cut) {
    std::fprintf(stderr, "chunking changed the result\nwhole: %s\ncut:   %s\n", whole.c_str(), cut.c_str());
    std::abort();
  }
  return 0;
}
