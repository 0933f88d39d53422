// Standard headers before CppUTest's (its macros must not reach them).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "agent/stream/ndjson_decoder.h"
#include "tests/unit/support/byte_splits.h"

#include <CppUTest/TestHarness.h>

namespace {

using vic_r1::stream::NdjsonDecoder;
using vic_r1::test::Pieces;
using Lines = std::vector<std::string>;

// Bytes as a C++ literal would spell them, so a failure shows CR, LF and
// UTF-8 bytes for what they are.
std::string printable(std::string_view bytes) {
  std::string text;
  for (const char byte : bytes) {
    const auto value = static_cast<unsigned char>(byte);
    if (byte == '\n') {
      text += "\\n";
    } else if (byte == '\r') {
      text += "\\r";
    } else if (byte == '\\' || byte == '"') {
      text += '\\';
      text += byte;
    } else if (value < 0x20 || value >= 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", value);
      text += escaped;
    } else {
      text += byte;
    }
  }
  return text;
}

std::string describe(const Lines& lines) {
  std::string text;
  for (const std::string& line : lines) text += "\"" + printable(line) + "\"\n";
  return text;
}

// Everything a reader of the decoder can observe after one whole stream.
struct Decoded {
  Lines lines_from_feeds;
  Lines lines_from_finish;
  bool every_feed_accepted = true;
  bool finish_accepted = true;
  std::string error;
};

std::string describe(const Decoded& decoded) {
  return describe(decoded.lines_from_feeds) + "finish gave:\n" + describe(decoded.lines_from_finish) +
         "accepted " + (decoded.every_feed_accepted ? "yes" : "no") + ", finish " +
         (decoded.finish_accepted ? "yes" : "no") + ", error \"" + decoded.error + "\"";
}

Decoded decode(const Pieces& pieces, std::size_t max_line_bytes) {
  NdjsonDecoder decoder(max_line_bytes);
  Decoded decoded;
  for (const std::string_view piece : pieces) {
    if (!decoder.feed(piece, decoded.lines_from_feeds)) decoded.every_feed_accepted = false;
  }
  decoded.finish_accepted = decoder.finish(decoded.lines_from_finish);
  decoded.error = decoder.error();
  return decoded;
}

// Decodes `input` whole, cut in two at every offset and byte by byte, checks
// that every way of cutting it gives the same result, and returns that result.
Decoded decode_at_every_split(std::string_view input,
                              std::size_t max_line_bytes = NdjsonDecoder::kDefaultMaxLineBytes) {
  const Decoded whole = decode({input}, max_line_bytes);
  const std::string expected = describe(whole);
  for (const Pieces& pieces : vic_r1::test::every_split(input)) {
    STRCMP_EQUAL_TEXT(expected.c_str(), describe(decode(pieces, max_line_bytes)).c_str(),
                      vic_r1::test::describe_pieces(pieces).c_str());
  }
  return whole;
}

void check_lines(const Lines& expected, const Lines& actual) {
  STRCMP_EQUAL(describe(expected).c_str(), describe(actual).c_str());
}

}  // namespace

TEST_GROUP(NdjsonDecoder){};

TEST(NdjsonDecoder, LfEndsLines) {
  const Decoded decoded = decode_at_every_split("{\"a\":1}\n{\"b\":2}\n");
  check_lines({"{\"a\":1}", "{\"b\":2}"}, decoded.lines_from_feeds);
  check_lines({}, decoded.lines_from_finish);
  CHECK_TRUE(decoded.every_feed_accepted);
  CHECK_TRUE(decoded.finish_accepted);
}

TEST(NdjsonDecoder, CrBeforeLfIsRemoved) {
  check_lines({"{\"a\":1}", "{\"b\":2}"}, decode_at_every_split("{\"a\":1}\r\n{\"b\":2}\r\n").lines_from_feeds);
}

TEST(NdjsonDecoder, CrlfSplitAcrossFeedsIsOneLineEnding) {
  NdjsonDecoder decoder;
  Lines lines;
  CHECK_TRUE(decoder.feed("{\"a\":1}\r", lines));
  check_lines({}, lines);
  CHECK_TRUE(decoder.feed("\n", lines));
  check_lines({"{\"a\":1}"}, lines);
}

TEST(NdjsonDecoder, CrElsewhereIsKeptAndEndsNoLine) {
  check_lines({"a\rb", "\rc"}, decode_at_every_split("a\rb\n\rc\r\n").lines_from_feeds);
}

TEST(NdjsonDecoder, OnlyOneCrBeforeLfIsRemoved) {
  check_lines({"a\r"}, decode_at_every_split("a\r\r\n").lines_from_feeds);
}

TEST(NdjsonDecoder, BlankLinesAreSkipped) {
  const Decoded decoded = decode_at_every_split("\n\r\n{\"a\":1}\n\n\r\n\n{\"b\":2}\n\n");
  check_lines({"{\"a\":1}", "{\"b\":2}"}, decoded.lines_from_feeds);
  check_lines({}, decoded.lines_from_finish);
}

TEST(NdjsonDecoder, FinalLineWithoutLfIsReturnedByFinish) {
  const Decoded decoded = decode_at_every_split("{\"a\":1}\n{\"done\":true}");
  check_lines({"{\"a\":1}"}, decoded.lines_from_feeds);
  check_lines({"{\"done\":true}"}, decoded.lines_from_finish);
  CHECK_TRUE(decoded.finish_accepted);
}

TEST(NdjsonDecoder, FinalLineEndingInCrLosesTheCr) {
  check_lines({"{\"done\":true}"}, decode_at_every_split("{\"done\":true}\r").lines_from_finish);
}

TEST(NdjsonDecoder, FinalBlankLineIsNotALine) {
  check_lines({}, decode_at_every_split("{\"a\":1}\n\r").lines_from_finish);
  check_lines({}, decode_at_every_split("").lines_from_finish);
}

TEST(NdjsonDecoder, FinishForgetsTheFinalLine) {
  NdjsonDecoder decoder;
  Lines lines;
  CHECK_TRUE(decoder.feed("{\"a\":1}", lines));
  CHECK_TRUE(decoder.finish(lines));
  CHECK_TRUE(decoder.finish(lines));
  check_lines({"{\"a\":1}"}, lines);
}

TEST(NdjsonDecoder, EveryLineSplitAtEveryOffsetGivesTheSameLines) {
  const Decoded decoded = decode_at_every_split(
      "{\"message\":{\"thinking\":\"Hmm\"},\"done\":false}\n"
      "{\"message\":{\"content\":\"Caf\xC3\xA9 \xF0\x9F\xA4\x96\"},\"done\":false}\r\n"
      "\n"
      "{\"done\":true,\"eval_count\":12}");
  check_lines({"{\"message\":{\"thinking\":\"Hmm\"},\"done\":false}",
               "{\"message\":{\"content\":\"Caf\xC3\xA9 \xF0\x9F\xA4\x96\"},\"done\":false}"},
              decoded.lines_from_feeds);
  check_lines({"{\"done\":true,\"eval_count\":12}"}, decoded.lines_from_finish);
}

TEST(NdjsonDecoder, LineSeparatorsAndNelArePassedThroughUntouched) {
  // U+2028, U+2029 and NEL (C2 85, and a lone 85) break lines in some
  // Unicode-aware splitters; in NDJSON only LF does.
  const std::string json = std::string("\"a\xE2\x80\xA8") + "b\xE2\x80\xA9" + "c\xC2\x85" + "d\x85" + "e\"";
  check_lines({json}, decode_at_every_split(json + "\n").lines_from_feeds);
}

TEST(NdjsonDecoder, ManyLinesInOneRead) {
  std::string stream;
  Lines expected;
  for (int index = 0; index < 300; ++index) {
    expected.push_back("{\"index\":" + std::to_string(index) + "}");
    stream += expected.back() + (index % 2 == 0 ? "\n" : "\r\n");
  }
  NdjsonDecoder decoder;
  Lines lines;
  CHECK_TRUE(decoder.feed(stream, lines));
  check_lines(expected, lines);
}

TEST(NdjsonDecoder, LinesAreAppendedAfterWhatTheCallerAlreadyHas) {
  NdjsonDecoder decoder;
  Lines lines{"earlier"};
  CHECK_TRUE(decoder.feed("new\n", lines));
  check_lines({"earlier", "new"}, lines);
}

TEST(NdjsonDecoder, LineLongerThanTheCapFailsNamingTheCap) {
  const Decoded decoded = decode_at_every_split("ok\n0123456789abcdefg\nlater\n", 16);
  check_lines({"ok"}, decoded.lines_from_feeds);
  check_lines({}, decoded.lines_from_finish);
  CHECK_FALSE(decoded.every_feed_accepted);
  CHECK_FALSE(decoded.finish_accepted);
  STRCMP_EQUAL("NDJSON line longer than 16 bytes", decoded.error.c_str());
}

TEST(NdjsonDecoder, UnterminatedLineLongerThanTheCapFails) {
  const Decoded decoded = decode_at_every_split("ok\n0123456789abcdefgh", 16);
  check_lines({"ok"}, decoded.lines_from_feeds);
  CHECK_FALSE(decoded.every_feed_accepted);
  CHECK_FALSE(decoded.finish_accepted);
  STRCMP_EQUAL("NDJSON line longer than 16 bytes", decoded.error.c_str());
}

TEST(NdjsonDecoder, FinalLineOneByteOverTheCapFailsAtFinish) {
  const Decoded decoded = decode_at_every_split("0123456789abcdefg", 16);
  CHECK_TRUE(decoded.every_feed_accepted);
  CHECK_FALSE(decoded.finish_accepted);
  check_lines({}, decoded.lines_from_finish);
  STRCMP_EQUAL("NDJSON line longer than 16 bytes", decoded.error.c_str());
}

TEST(NdjsonDecoder, LineExactlyAtTheCapIsAcceptedWithItsCrlf) {
  const Decoded decoded = decode_at_every_split("0123456789abcdef\r\n0123456789abcdef\n0123456789abcdef\r", 16);
  check_lines({"0123456789abcdef", "0123456789abcdef"}, decoded.lines_from_feeds);
  check_lines({"0123456789abcdef"}, decoded.lines_from_finish);
  CHECK_TRUE(decoded.every_feed_accepted);
}

TEST(NdjsonDecoder, DefaultCapIsOneMebibyteAndTheErrorSaysSo) {
  const std::string line(NdjsonDecoder::kDefaultMaxLineBytes, 'x');
  NdjsonDecoder decoder;
  Lines lines;
  CHECK_TRUE(decoder.feed(line + "\r\n", lines));
  LONGS_EQUAL(1, lines.size());
  CHECK_FALSE(decoder.feed(line + "x\n", lines));
  STRCMP_EQUAL("NDJSON line longer than 1048576 bytes", decoder.error().c_str());
}

TEST(NdjsonDecoder, FeedAfterFailureDoesNothing) {
  NdjsonDecoder decoder(16);
  Lines lines;
  CHECK_FALSE(decoder.feed("0123456789abcdefgh", lines));
  const std::string error = decoder.error();
  CHECK_FALSE(decoder.feed("\nfine\n", lines));
  CHECK_FALSE(decoder.finish(lines));
  check_lines({}, lines);
  STRCMP_EQUAL(error.c_str(), decoder.error().c_str());
}

TEST(NdjsonDecoder, TenThousandLinesInSmallPiecesKeepMemoryBounded) {
  std::string stream;
  for (int index = 0; index < 10000; ++index) {
    stream += "{\"message\":{\"content\":\"word " + std::to_string(index) + "\"},\"done\":false}\n";
  }
  NdjsonDecoder decoder(4096);
  Lines lines;
  std::size_t most_buffered = 0;
  std::size_t lines_seen = 0;
  for (const std::string_view piece : vic_r1::test::random_pieces(stream, 42, 13)) {
    CHECK_TRUE(decoder.feed(piece, lines));
    if (decoder.buffered_bytes() > most_buffered) most_buffered = decoder.buffered_bytes();
    lines_seen += lines.size();
    lines.clear();
  }
  LONGS_EQUAL(10000, lines_seen);
  // Each line is under 100 bytes; the stream is about 490 kB. What the
  // decoder holds must depend on the first, never on the second.
  CHECK_TRUE(stream.size() > 450000);
  CHECK_COMPARE(most_buffered, <=, 256u);
}

TEST(NdjsonDecoder, MemoryStaysWithinTheCapWhenLinesAreNearIt) {
  const std::size_t cap = 1000;
  std::string stream;
  for (int index = 0; index < 200; ++index) stream += std::string(cap, 'j') + "\r\n";
  NdjsonDecoder decoder(cap);
  Lines lines;
  std::size_t most_buffered = 0;
  for (const std::string_view piece : vic_r1::test::random_pieces(stream, 7, 300)) {
    CHECK_TRUE(decoder.feed(piece, lines));
    if (decoder.buffered_bytes() > most_buffered) most_buffered = decoder.buffered_bytes();
  }
  LONGS_EQUAL(200, lines.size());
  // One line and its CR, and a string's capacity at most doubles what it holds.
  CHECK_COMPARE(most_buffered, <=, 2 * (cap + 1));
}
