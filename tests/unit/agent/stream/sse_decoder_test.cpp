// Standard headers before CppUTest's (its macros must not reach them).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "agent/stream/sse_decoder.h"
#include "tests/unit/support/byte_splits.h"

#include <CppUTest/TestHarness.h>

namespace {

using vic_r1::stream::SseDecoder;
using vic_r1::stream::SseEvent;
using vic_r1::test::Pieces;

// Bytes as a C++ literal would spell them, so a failure shows CR, LF, NUL
// and UTF-8 bytes for what they are.
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

std::string describe(const std::vector<SseEvent>& events) {
  std::string text;
  for (const SseEvent& event : events) {
    text += "{type \"" + printable(event.type) + "\" data \"" + printable(event.data) + "\" id \"" +
            printable(event.id) + "\"}\n";
  }
  return text;
}

// Everything a reader of the decoder can observe after one whole stream.
struct Decoded {
  std::vector<SseEvent> events;
  bool every_feed_accepted = true;
  std::string error;
  std::size_t comments_seen = 0;
  long long retry_ms = -1;
  std::string pending_data;
  bool finish_reported_cut = false;
};

std::string describe(const Decoded& decoded) {
  return describe(decoded.events) + "accepted " + (decoded.every_feed_accepted ? "yes" : "no") + ", error \"" +
         decoded.error + "\", comments " + std::to_string(decoded.comments_seen) + ", retry " +
         std::to_string(decoded.retry_ms) + ", pending \"" + printable(decoded.pending_data) + "\", cut " +
         (decoded.finish_reported_cut ? "yes" : "no");
}

Decoded decode(const Pieces& pieces, std::size_t max_event_bytes) {
  SseDecoder decoder(max_event_bytes);
  Decoded decoded;
  for (const std::string_view piece : pieces) {
    if (!decoder.feed(piece, decoded.events)) decoded.every_feed_accepted = false;
  }
  decoded.error = decoder.error();
  decoded.comments_seen = decoder.comments_seen();
  decoded.retry_ms = decoder.retry_ms();
  decoded.pending_data = std::string(decoder.pending_data());
  decoded.finish_reported_cut = decoder.finish();
  return decoded;
}

// Decodes `input` whole, cut in two at every offset and byte by byte, checks
// that every way of cutting it gives the same result, and returns that result.
Decoded decode_at_every_split(std::string_view input,
                              std::size_t max_event_bytes = SseDecoder::kDefaultMaxEventBytes) {
  const Decoded whole = decode({input}, max_event_bytes);
  const std::string expected = describe(whole);
  for (const Pieces& pieces : vic_r1::test::every_split(input)) {
    STRCMP_EQUAL_TEXT(expected.c_str(), describe(decode(pieces, max_event_bytes)).c_str(),
                      vic_r1::test::describe_pieces(pieces).c_str());
  }
  return whole;
}

void check_events(const std::vector<SseEvent>& expected, const std::vector<SseEvent>& actual) {
  STRCMP_EQUAL(describe(expected).c_str(), describe(actual).c_str());
}

void check_events(const std::vector<SseEvent>& expected, const Decoded& decoded) {
  check_events(expected, decoded.events);
  CHECK_TRUE(decoded.every_feed_accepted);
}

}  // namespace

TEST_GROUP(SseDecoder){};

// Line endings

TEST(SseDecoder, LfEndsLines) {
  check_events({{"message", "a", ""}, {"message", "b", ""}}, decode_at_every_split("data: a\n\ndata: b\n\n"));
}

TEST(SseDecoder, CrlfEndsLines) {
  check_events({{"message", "a", ""}, {"message", "b", ""}},
               decode_at_every_split("data: a\r\n\r\ndata: b\r\n\r\n"));
}

TEST(SseDecoder, CrAloneEndsLines) {
  check_events({{"message", "a", ""}, {"message", "b", ""}}, decode_at_every_split("data: a\r\rdata: b\r\r"));
}

TEST(SseDecoder, MixedLineEndingsInOneStream) {
  check_events({{"message", "a\nb\nc", ""}, {"message", "d", ""}, {"message", "e", ""}},
               decode_at_every_split("data: a\rdata: b\ndata: c\r\n\ndata: d\r\r\ndata: e\n\r"));
}

TEST(SseDecoder, LfThenCrlfIsALineEndingThenABlankLine) {
  const Decoded decoded = decode_at_every_split("data: a\n\r\ndata: b\n\r\n");
  check_events({{"message", "a", ""}, {"message", "b", ""}}, decoded);
  STRCMP_EQUAL("", decoded.pending_data.c_str());
  CHECK_FALSE(decoded.finish_reported_cut);
}

TEST(SseDecoder, LfThenCrDispatchesWithinTheSameRead) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  CHECK_TRUE(decoder.feed("data: a\n\r", events));
  check_events({{"message", "a", ""}}, events);
}

TEST(SseDecoder, CrlfSplitAcrossFeedsIsOneLineEnding) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  CHECK_TRUE(decoder.feed("data: a\r", events));
  // Were this LF a second line ending, it would be a blank line dispatching "a" alone.
  CHECK_TRUE(decoder.feed("\ndata: b\r\n\r\n", events));
  check_events({{"message", "a\nb", ""}}, events);
}

TEST(SseDecoder, CrAsLastByteOfAReadEndsTheLineWithoutWaitingForTheNextRead) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  CHECK_TRUE(decoder.feed("data: a\r", events));
  STRCMP_EQUAL("a", std::string(decoder.pending_data()).c_str());
  CHECK_TRUE(decoder.feed("\r", events));
  check_events({{"message", "a", ""}}, events);
}

TEST(SseDecoder, CrAtEndOfAReadFollowedByDataIsALineEnding) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  CHECK_TRUE(decoder.feed("data: a\r", events));
  CHECK_TRUE(decoder.feed("data: b\r\r", events));
  check_events({{"message", "a\nb", ""}}, events);
}

TEST(SseDecoder, EmptyReadsBetweenCrAndLfDoNotBreakTheCrlf) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  CHECK_TRUE(decoder.feed("data: a\r", events));
  CHECK_TRUE(decoder.feed("", events));
  CHECK_TRUE(decoder.feed("\ndata: b\n", events));
  CHECK_TRUE(decoder.feed("", events));
  CHECK_TRUE(decoder.feed("\n", events));
  check_events({{"message", "a\nb", ""}}, events);
}

// Fields and values

TEST(SseDecoder, ValueLosesExactlyOneLeadingSpace) {
  check_events({{"message", "x", ""}, {"message", "x", ""}, {"message", " x", ""}},
               decode_at_every_split("data:x\n\ndata: x\n\ndata:  x\n\n"));
}

TEST(SseDecoder, TrailingSpacesAndTabsInAValueAreKept) {
  check_events({{"message", "x  ", ""}, {"message", "\tx", ""}},
               decode_at_every_split("data: x  \n\ndata:\tx\n\n"));
}

TEST(SseDecoder, ColonsAfterTheFirstArePartOfTheValue) {
  check_events({{"message", "a:b", ""}, {"message", ":x", ""}, {"message", "{\"k\": 1}", ""}},
               decode_at_every_split("data: a:b\n\ndata::x\n\ndata: {\"k\": 1}\n\n"));
}

TEST(SseDecoder, MultipleDataLinesAreJoinedWithLf) {
  check_events({{"message", "first\nsecond\n\nfourth", ""}},
               decode_at_every_split("data: first\ndata: second\ndata:\ndata: fourth\n\n"));
}

TEST(SseDecoder, EmptyDataLinesStillMakeAnEvent) {
  check_events({{"message", "", ""}, {"message", "\n", ""}}, decode_at_every_split("data:\n\ndata\ndata\n\n"));
}

TEST(SseDecoder, CommentsOfEveryKindAreCountedAndIgnored) {
  const Decoded decoded = decode_at_every_split(
      ":\n"
      ": keep-alive\n"
      ":keep-alive\n"
      ": OPENROUTER PROCESSING\n"
      ":data: not data\n"
      "::\n"
      ": \xE2\x9C\x93 ping\r\n"
      "data: real\n"
      ": between lines of one event\r"
      "data: data\n"
      "\n");
  check_events({{"message", "real\ndata", ""}}, decoded);
  LONGS_EQUAL(8, decoded.comments_seen);
}

TEST(SseDecoder, FiftyKeepAliveCommentsThenAnEvent) {
  std::string stream;
  for (int comment = 0; comment < 50; ++comment) stream += ": keep-alive\n";
  stream += "data: {\"choices\":[]}\n\n";
  const Decoded decoded = decode_at_every_split(stream);
  check_events({{"message", "{\"choices\":[]}", ""}}, decoded);
  LONGS_EQUAL(50, decoded.comments_seen);
  CHECK_FALSE(decoded.finish_reported_cut);
}

TEST(SseDecoder, EventFieldNamesTheTypeOfOneEventOnly) {
  check_events({{"error", "x", ""}, {"message", "y", ""}},
               decode_at_every_split("event: error\ndata: x\n\ndata: y\n\n"));
}

TEST(SseDecoder, LastEventFieldWins) {
  check_events({{"second", "x", ""}}, decode_at_every_split("event: first\nevent: second\ndata: x\n\n"));
}

TEST(SseDecoder, EmptyEventTypeMeansMessage) {
  check_events({{"message", "x", ""}, {"message", "y", ""}},
               decode_at_every_split("event:\ndata: x\n\nevent\ndata: y\n\n"));
}

TEST(SseDecoder, EventTypeWithoutDataIsForgottenAtTheBlankLine) {
  check_events({{"message", "x", ""}}, decode_at_every_split("event: ping\n\ndata: x\n\n"));
}

TEST(SseDecoder, IdIsKeptForLaterEventsUntilChanged) {
  check_events({{"message", "a", "1"}, {"message", "b", "1"}, {"message", "c", "2"}, {"message", "d", ""}},
               decode_at_every_split("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\nid\ndata: d\n\n"));
}

TEST(SseDecoder, IdWithoutDataIsStillRemembered) {
  check_events({{"message", "a", "7"}}, decode_at_every_split("id: 7\n\ndata: a\n\n"));
}

TEST(SseDecoder, IdContainingNulIsIgnored) {
  using namespace std::string_view_literals;
  check_events({{"message", "a", "1"}, {"message", "b", "1"}},
               decode_at_every_split("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"sv));
}

TEST(SseDecoder, RetryWithDigitsSetsTheReconnectionDelay) {
  const Decoded decoded = decode_at_every_split("retry: 3000\n");
  LONGS_EQUAL(3000, decoded.retry_ms);
  CHECK_TRUE(decoded.events.empty());
  CHECK_FALSE(decoded.finish_reported_cut);
}

TEST(SseDecoder, RetryWithAnythingButDigitsIsIgnored) {
  const Decoded decoded = decode_at_every_split(
      "retry: 2500\n"
      "retry: 12a\n"
      "retry: -5\n"
      "retry: +5\n"
      "retry: 1.5\n"
      "retry:  10\n"
      "retry: 10 \n"
      "retry:\n"
      "retry\n"
      "retry: \xD9\xA3\n"
      "retry: 99999999999999999999999\n");
  LONGS_EQUAL(2500, decoded.retry_ms);
}

TEST(SseDecoder, NoRetryFieldLeavesTheDelayUnset) {
  LONGS_EQUAL(-1, decode_at_every_split("data: x\n\n").retry_ms);
}

TEST(SseDecoder, UnknownFieldsAreIgnoredAndNamesAreCaseSensitive) {
  check_events({{"message", "x", ""}}, decode_at_every_split("foo: bar\nDATA: no\nData: no\n"
                                                             " data: no\ndata: x\nEvent: no\n\n"));
}

TEST(SseDecoder, LineWithoutColonIsAFieldWithAnEmptyValue) {
  const Decoded decoded = decode_at_every_split("id: 5\nid\nevent: e\nevent\nretry\ndata\n\n");
  check_events({{"message", "", ""}}, decoded);
  LONGS_EQUAL(-1, decoded.retry_ms);
}

// Byte order mark

TEST(SseDecoder, LeadingBomIsSkipped) {
  const Decoded decoded = decode_at_every_split("\xEF\xBB\xBF: hello\ndata: x\n\n");
  check_events({{"message", "x", ""}}, decoded);
  LONGS_EQUAL(1, decoded.comments_seen);
}

TEST(SseDecoder, LeadingBomSplitAcrossFeedsIsSkipped) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  CHECK_TRUE(decoder.feed("\xEF", events));
  CHECK_TRUE(decoder.feed("\xBB", events));
  CHECK_TRUE(
      decoder.feed("\xBF"
                   "data: x\n\n",
                   events));
  check_events({{"message", "x", ""}}, events);
}

TEST(SseDecoder, BomDirectlyFollowedByALineEndingIsSkipped) {
  check_events({{"message", "x", ""}}, decode_at_every_split("\xEF\xBB\xBF\r\ndata: x\r\n\r\n"));
}

TEST(SseDecoder, OnlyOneLeadingBomIsSkipped) {
  // The second BOM becomes part of the first field's name, so that field is unknown.
  check_events({{"message", "y", ""}}, decode_at_every_split("\xEF\xBB\xBF\xEF\xBB\xBF"
                                                             "data: x\n\ndata: y\n\n"));
}

TEST(SseDecoder, BomNotAtTheStartIsData) {
  check_events({{"message", "\xEF\xBB\xBFx", ""}}, decode_at_every_split("data: \xEF\xBB\xBFx\n\n"));
  check_events({}, decode_at_every_split("\n\xEF\xBB\xBF"
                                         "data: x\n\n"));
}

TEST(SseDecoder, BytesThatOnlyBeginABomAreKeptAsTheStartOfTheFirstLine) {
  // Dropped, these bytes would turn the line into a comment.
  LONGS_EQUAL(0, decode_at_every_split("\xEF\xBB: x\n").comments_seen);
  LONGS_EQUAL(0, decode_at_every_split("\xEF: x\n").comments_seen);
  check_events({}, decode_at_every_split("\xEF\xBB\n"));
}

// Dispatch

TEST(SseDecoder, BlankLinesWithoutDataDispatchNothing) {
  const Decoded decoded = decode_at_every_split("\n\n\r\n\r\r\n\nevent: x\n\nid: 3\n\n\n");
  check_events({}, decoded);
  CHECK_FALSE(decoded.finish_reported_cut);
}

TEST(SseDecoder, ManyEventsInOneRead) {
  std::string stream;
  std::vector<SseEvent> expected;
  for (int index = 0; index < 300; ++index) {
    const std::string data = "{\"index\":" + std::to_string(index) + "}";
    stream += "data: " + data + "\n\n";
    expected.push_back({"message", data, ""});
  }
  SseDecoder decoder;
  std::vector<SseEvent> events;
  CHECK_TRUE(decoder.feed(stream, events));
  check_events(expected, events);
}

TEST(SseDecoder, EventsAreAppendedAfterWhatTheCallerAlreadyHas) {
  SseDecoder decoder;
  std::vector<SseEvent> events{{"earlier", "kept", ""}};
  CHECK_TRUE(decoder.feed("data: new\n\n", events));
  check_events({{"earlier", "kept", ""}, {"message", "new", ""}}, events);
}

TEST(SseDecoder, EveryEventSplitAtEveryOffsetGivesTheSameEvents) {
  const Decoded decoded = decode_at_every_split(
      ": keep-alive\r\n"
      "id: 1\r\n"
      "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"Hmm\"}}]}\r\n"
      "\r\n"
      "data: {\"choices\":[{\"delta\":{\"content\":\"Caf\xC3\xA9 \xF0\x9F\xA4\x96\"}}]}\n"
      "\n"
      "event: error\r"
      "data: {\"error\":{\"message\":\"Insufficient Balance\"}}\r"
      "\r"
      "data: [DONE]\n\n");
  check_events({{"message", "{\"choices\":[{\"delta\":{\"reasoning_content\":\"Hmm\"}}]}", "1"},
                {"message", "{\"choices\":[{\"delta\":{\"content\":\"Caf\xC3\xA9 \xF0\x9F\xA4\x96\"}}]}", "1"},
                {"error", "{\"error\":{\"message\":\"Insufficient Balance\"}}", "1"},
                {"message", "[DONE]", "1"}},
               decoded);
  LONGS_EQUAL(1, decoded.comments_seen);
}

TEST(SseDecoder, RandomlySizedReadsGiveTheSameEventsAsOneRead) {
  std::string stream = "\xEF\xBB\xBF";
  for (int index = 0; index < 200; ++index) {
    stream += index % 3 == 0 ? ": keep-alive\r\n" : "";
    stream += "data: {\"n\":" + std::to_string(index) + ",\"t\":\"\xE4\xBD\xA0\xE5\xA5\xBD\"}";
    stream += index % 2 == 0 ? "\r\n\r\n" : "\r\r";
  }
  const std::size_t cap = SseDecoder::kDefaultMaxEventBytes;
  const Decoded whole = decode({stream}, cap);
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Pieces pieces = vic_r1::test::random_pieces(stream, seed, 17);
    STRCMP_EQUAL(describe(whole).c_str(), describe(decode(pieces, cap)).c_str());
  }
  LONGS_EQUAL(200, whole.events.size());
}

// Bytes, not characters

TEST(SseDecoder, LineSeparatorsAndNelInsideDataPassThroughUntouched) {
  // U+2028, U+2029 and NEL (C2 85, and a lone 85), VT and FF break lines in
  // some Unicode-aware splitters; in SSE only CR and LF do.
  const std::string json = std::string("{\"t\":\"a\xE2\x80\xA8") + "b\xE2\x80\xA9" + "c\xC2\x85" + "d\x85" +
                           "e\x0B" + "f\x0C" + "g\"}";
  check_events({{"message", json, ""}}, decode_at_every_split("data: " + json + "\n\n"));
}

TEST(SseDecoder, MultibyteCharactersSplitAcrossFeedsComeOutWhole) {
  check_events({{"message", "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", ""}},
               decode_at_every_split("data: \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\n\n"));
}

TEST(SseDecoder, InvalidUtf8IsPassedOnNotReplaced) {
  check_events({{"message", "\xFF\xFE\xC3", ""}}, decode_at_every_split("data: \xFF\xFE\xC3\n\n"));
}

// End of stream

TEST(SseDecoder, EofMidEventDiscardsItAndReportsTheCut) {
  const Decoded decoded = decode_at_every_split("data: a\n\ndata: b\ndata: c\n");
  check_events({{"message", "a", ""}}, decoded);
  CHECK_TRUE(decoded.finish_reported_cut);
}

TEST(SseDecoder, EofInsideAnUnterminatedDataLineReportsTheCut) {
  const Decoded decoded = decode_at_every_split("data: a\n\ndata: {\"choi");
  check_events({{"message", "a", ""}}, decoded);
  CHECK_TRUE(decoded.finish_reported_cut);
}

TEST(SseDecoder, EofAfterACompleteEventReportsNoCut) {
  const Decoded decoded = decode_at_every_split("data: a\n\n");
  check_events({{"message", "a", ""}}, decoded);
  CHECK_FALSE(decoded.finish_reported_cut);
}

TEST(SseDecoder, EofAfterFieldsWithoutDataReportsNoCut) {
  CHECK_FALSE(decode_at_every_split("data: a\n\nevent: x\nid: 2\n: keep-al").finish_reported_cut);
}

TEST(SseDecoder, FinishForgetsTheDiscardedEvent) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  CHECK_TRUE(decoder.feed("event: old\ndata: a\ndata: b", events));
  CHECK_TRUE(decoder.finish());
  STRCMP_EQUAL("", std::string(decoder.pending_data()).c_str());
  CHECK_FALSE(decoder.finish());
  CHECK_TRUE(decoder.feed("data: c\n\n", events));
  check_events({{"message", "c", ""}}, events);
}

TEST(SseDecoder, DoneWithoutATrailingBlankLineIsNotDispatched) {
  const Decoded decoded = decode_at_every_split("data: x\n\ndata: [DONE]\n");
  check_events({{"message", "x", ""}}, decoded);
  STRCMP_EQUAL("[DONE]", decoded.pending_data.c_str());
  CHECK_TRUE(decoded.finish_reported_cut);
}

TEST(SseDecoder, DoneWithoutAnyLineEndingIsPendingData) {
  const Decoded decoded = decode_at_every_split("data: x\n\ndata: [DONE]");
  check_events({{"message", "x", ""}}, decoded);
  STRCMP_EQUAL("[DONE]", decoded.pending_data.c_str());
}

// pending_data()

TEST(SseDecoder, PendingDataIsEmptyWhenNothingIsPending) {
  STRCMP_EQUAL("", decode_at_every_split("").pending_data.c_str());
  STRCMP_EQUAL("", decode_at_every_split("data: a\n\n").pending_data.c_str());
  STRCMP_EQUAL("", decode_at_every_split("event: x\nid: 1\n: c\ndat").pending_data.c_str());
  STRCMP_EQUAL("", decode_at_every_split(": data: x").pending_data.c_str());
}

TEST(SseDecoder, PendingDataJoinsDataLinesWithoutTheFinalLf) {
  STRCMP_EQUAL("a\nb", decode_at_every_split("data: a\r\ndata: b\r\n").pending_data.c_str());
  STRCMP_EQUAL("a\n", decode_at_every_split("data: a\ndata:\n").pending_data.c_str());
}

TEST(SseDecoder, PendingDataIncludesAnUnterminatedDataLine) {
  STRCMP_EQUAL("a\nb", decode_at_every_split("data: a\ndata: b").pending_data.c_str());
  STRCMP_EQUAL(" b", decode_at_every_split("data:  b").pending_data.c_str());
  STRCMP_EQUAL("a\n", decode_at_every_split("data: a\ndata").pending_data.c_str());
  STRCMP_EQUAL("a", decode_at_every_split("data: a\nevent: x").pending_data.c_str());
  STRCMP_EQUAL("a", decode_at_every_split("data: a\ndat").pending_data.c_str());
}

TEST(SseDecoder, PendingDataMatchesWhatABlankLineWouldDispatch) {
  const std::string_view partial = "data: one\ndata: two\ndata: thr";
  SseDecoder decoder;
  std::vector<SseEvent> events;
  CHECK_TRUE(decoder.feed(partial, events));
  const std::string pending(decoder.pending_data());
  CHECK_TRUE(decoder.feed("\n\n", events));
  check_events({{"message", pending, ""}}, events);
  STRCMP_EQUAL("one\ntwo\nthr", pending.c_str());
}

// The cap

TEST(SseDecoder, LineLongerThanTheCapFailsNamingTheCap) {
  const Decoded decoded = decode_at_every_split("data: ok\n\ndata: 0123456789abcdef\n\ndata: later\n\n", 16);
  check_events({{"message", "ok", ""}}, decoded.events);
  CHECK_FALSE(decoded.every_feed_accepted);
  STRCMP_EQUAL("server-sent event larger than 16 bytes: a line is longer than the cap", decoded.error.c_str());
  STRCMP_EQUAL("", decoded.pending_data.c_str());
  CHECK_FALSE(decoded.finish_reported_cut);
}

TEST(SseDecoder, LineLongerThanTheCapFailsBeforeItsEndArrives) {
  SseDecoder decoder(16);
  std::vector<SseEvent> events;
  CHECK_TRUE(decoder.feed(": 0123456789abc", events));
  CHECK_FALSE(decoder.feed("de", events));
  CHECK_TRUE(decoder.failed());
}

TEST(SseDecoder, LongCommentsAreCappedLikeAnyLine) {
  const Decoded decoded = decode_at_every_split(": 0123456789abcdef\n", 16);
  CHECK_FALSE(decoded.every_feed_accepted);
  LONGS_EQUAL(0, decoded.comments_seen);
}

TEST(SseDecoder, LineOneByteOverTheCapFails) {
  const Decoded decoded = decode_at_every_split("data: 0123456789a\n\n", 16);
  check_events({}, decoded.events);
  CHECK_FALSE(decoded.every_feed_accepted);
}

TEST(SseDecoder, LineExactlyAtTheCapIsAccepted) {
  check_events({{"message", "0123456789", ""}}, decode_at_every_split("data: 0123456789\r\n\r\n", 16));
}

TEST(SseDecoder, DataLinesAddingUpPastTheCapFail) {
  const Decoded decoded = decode_at_every_split("data: 0123456789\ndata: 0123456789\n\n", 16);
  check_events({}, decoded.events);
  CHECK_FALSE(decoded.every_feed_accepted);
  STRCMP_EQUAL("server-sent event larger than 16 bytes: its data lines add up to more than the cap",
               decoded.error.c_str());
}

TEST(SseDecoder, DataExactlyAtTheCapIsAccepted) {
  // 10 bytes, the joining LF and 5 bytes: 16, the cap.
  check_events({{"message", "0123456789\n12345", ""}},
               decode_at_every_split("data: 0123456789\ndata: 12345\n\n", 16));
}

TEST(SseDecoder, DefaultCapIsOneMebibyteAndTheErrorSaysSo) {
  const std::string line = "data: " + std::string(SseDecoder::kDefaultMaxEventBytes - 6, 'x');
  SseDecoder decoder;
  std::vector<SseEvent> events;
  CHECK_TRUE(decoder.feed(line + "\n\n", events));
  LONGS_EQUAL(1, events.size());
  CHECK_FALSE(decoder.feed(line + "x\n\n", events));
  STRCMP_CONTAINS("server-sent event larger than 1048576 bytes", decoder.error().c_str());
}

TEST(SseDecoder, FeedAfterFailureDoesNothing) {
  SseDecoder decoder(16);
  std::vector<SseEvent> events;
  CHECK_FALSE(decoder.feed("data: 0123456789abcdef", events));
  const std::string error = decoder.error();
  CHECK_FALSE(decoder.feed("\n\ndata: fine\n\n: comment\nretry: 5\n", events));
  CHECK_TRUE(events.empty());
  STRCMP_EQUAL(error.c_str(), decoder.error().c_str());
  LONGS_EQUAL(0, decoder.comments_seen());
  LONGS_EQUAL(-1, decoder.retry_ms());
  CHECK_FALSE(decoder.finish());
}

TEST(SseDecoder, TenThousandEventsInSmallPiecesKeepMemoryBounded) {
  std::string stream;
  for (int index = 0; index < 10000; ++index) {
    if (index % 10 == 0) stream += ": keep-alive\n";
    stream += "id: " + std::to_string(index) + "\n";
    stream += "data: {\"choices\":[{\"delta\":{\"content\":\"word " + std::to_string(index) + "\"}}]}\n\n";
  }
  SseDecoder decoder(4096);
  std::vector<SseEvent> events;
  std::size_t most_buffered = 0;
  std::size_t events_seen = 0;
  for (const std::string_view piece : vic_r1::test::random_pieces(stream, 42, 13)) {
    CHECK_TRUE(decoder.feed(piece, events));
    if (decoder.buffered_bytes() > most_buffered) most_buffered = decoder.buffered_bytes();
    events_seen += events.size();
    events.clear();
  }
  LONGS_EQUAL(10000, events_seen);
  LONGS_EQUAL(1000, decoder.comments_seen());
  // Each event is under 100 bytes; the stream is about 650 kB. What the
  // decoder holds must depend on the first, never on the second.
  CHECK_TRUE(stream.size() > 600000);
  CHECK_COMPARE(most_buffered, <=, 1024u);
}

TEST(SseDecoder, MemoryStaysWithinTheCapWhenEventsAreNearIt) {
  const std::size_t cap = 1000;
  std::string stream;
  for (int index = 0; index < 200; ++index) {
    stream += "event: " + std::string(900, 'e') + "\nid: " + std::string(900, 'i') + "\n";
    for (int line = 0; line < 9; ++line) stream += "data: " + std::string(100, 'd') + "\n";
    stream += "\n";
  }
  SseDecoder decoder(cap);
  std::vector<SseEvent> events;
  std::size_t most_buffered = 0;
  for (const std::string_view piece : vic_r1::test::random_pieces(stream, 7, 300)) {
    CHECK_TRUE(decoder.feed(piece, events));
    if (decoder.buffered_bytes() > most_buffered) most_buffered = decoder.buffered_bytes();
  }
  LONGS_EQUAL(200, events.size());
  // line, data, event type, last id and pending_data's join: each holds at
  // most one line or one event, and a string's capacity at most doubles it.
  CHECK_COMPARE(most_buffered, <=, 5 * 2 * (cap + 1));
}
