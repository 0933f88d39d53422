// Every transcript in tests/transcripts, read in-process: the answer matches
// the expected file, the outcome matches the manifest, and the result is the
// same byte by byte, for cuts into two reads all through the body, and for
// many random chunkings (the
// differential property: chunking never changes the output).

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "agent/stream/stream_reader.h"
#include "tests/unit/support/byte_splits.h"

#include <CppUTest/TestHarness.h>

using namespace vic_r1::stream;

namespace {

struct TranscriptRow {
  std::string name;
  std::string content_type;
  std::string profile;
  int exit_status = 0;
};

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

std::vector<TranscriptRow> read_manifest() {
  const std::optional<std::string> manifest = read_file(std::string(VIC_R1_TRANSCRIPT_DIR) + "/manifest.tsv");
  if (!manifest) FAIL("cannot read " VIC_R1_TRANSCRIPT_DIR "/manifest.tsv");
  std::vector<TranscriptRow> rows;
  std::istringstream lines(*manifest);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    TranscriptRow row;
    std::string exit_text;
    std::getline(fields, row.name, '\t');
    std::getline(fields, row.content_type, '\t');
    std::getline(fields, row.profile, '\t');
    std::getline(fields, exit_text, '\t');
    row.exit_status = std::stoi(exit_text);
    rows.push_back(row);
  }
  return rows;
}

int exit_status_of(StreamOutcome outcome) {
  switch (outcome) {
    case StreamOutcome::kCompleted:
      return 0;
    case StreamOutcome::kError:
      return 3;
    case StreamOutcome::kCutShort:
      return 4;
    case StreamOutcome::kAnswerOnlyInReasoning:
      return 5;
  }
  return -1;
}

class AnswerSink final : public StreamSink {
 public:
  void on_answer(std::string_view text) override {
    answer.append(text);
    calls += "a" + std::string(text) + "\n";
  }
  void on_reasoning(std::string_view text, std::size_t total) override {
    calls += "r" + std::string(text) + "#" + std::to_string(total) + "\n";
  }
  void on_finish_reason(std::string_view reason) override { calls += "f" + std::string(reason) + "\n"; }
  void on_usage(const TokenUsage& usage) override {
    calls += "u" + std::to_string(usage.prompt_tokens) + "/" + std::to_string(usage.completion_tokens) + "\n";
  }
  void on_error(std::string_view message) override { calls += "e" + std::string(message) + "\n"; }

  std::string answer;
  std::string calls;
};

struct Result {
  std::string answer;
  std::string calls;
  int exit_status;
};

Result replay(const StreamReader::Options& options, const vic_r1::test::Pieces& pieces) {
  StreamReader reader(options);
  AnswerSink sink;
  for (std::string_view piece : pieces) reader.feed(piece, sink);
  const StreamSummary summary = reader.finish(sink);
  return {sink.answer, sink.calls, exit_status_of(summary.outcome)};
}

}  // namespace

TEST_GROUP(TranscriptReplay){};

TEST(TranscriptReplay, EveryTranscriptGivesItsAnswerWhateverTheChunking) {
  const std::vector<TranscriptRow> rows = read_manifest();
  CHECK_TRUE(rows.size() >= 30);
  for (const TranscriptRow& row : rows) {
    const std::string base = std::string(VIC_R1_TRANSCRIPT_DIR) + "/" + row.name;
    const std::optional<std::string> body = read_file(base + ".body");
    std::optional<std::string> expected = read_file(base + "." + row.profile + ".answer");
    if (!expected) expected = read_file(base + ".answer");
    CHECK_TEXT(body && expected, row.name.c_str());

    const ServerProfile* profile = find_server_profile(row.profile);
    CHECK_TEXT(profile != nullptr, row.profile.c_str());
    const StreamReader::Options options = reader_options_for(*profile, std::string_view(row.content_type));

    const Result whole = replay(options, {*body});
    const std::string label = row.name + " [" + row.profile + "]";
    STRCMP_EQUAL_TEXT(expected->c_str(), whole.answer.c_str(), label.c_str());
    LONGS_EQUAL_TEXT(row.exit_status, whole.exit_status, label.c_str());

    // Every offset is already covered item by item in the decoder and filter
    // tests; here a sample of cuts (every 11th byte) keeps the suite quick
    // under qemu while still cutting every event of every transcript.
    const std::string_view all(*body);
    const Result bytewise = replay(options, vic_r1::test::random_pieces(all, 0, 1));
    STRCMP_EQUAL_TEXT(whole.calls.c_str(), bytewise.calls.c_str(), label.c_str());
    for (std::size_t offset = 1; offset < body->size(); offset += 11) {
      const Result split = replay(options, {all.substr(0, offset), all.substr(offset)});
      STRCMP_EQUAL_TEXT(whole.calls.c_str(), split.calls.c_str(), label.c_str());
      LONGS_EQUAL_TEXT(whole.exit_status, split.exit_status, label.c_str());
    }
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      const Result random = replay(options, vic_r1::test::random_pieces(*body, seed, 1 + seed % 32));
      STRCMP_EQUAL_TEXT(whole.calls.c_str(), random.calls.c_str(), label.c_str());
      LONGS_EQUAL_TEXT(whole.exit_status, random.exit_status, label.c_str());
    }
  }
}
