#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/speech/markup_parser.h"
#include "agent/speech/sentence_segmenter.h"
#include "agent/text/utf8.h"
#include "tests/unit/support/byte_splits.h"

#include <CppUTest/TestHarness.h>

using vic_r1::speech::MarkupCommand;
using vic_r1::speech::MarkupParser;
using vic_r1::speech::MarkupPiece;
using vic_r1::speech::SentenceSegmenter;

namespace {

bool is_valid_utf8(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = vic_r1::text::utf8_sequence_length(
        reinterpret_cast<const unsigned char*>(text.data()) + at, text.size() - at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

// The promises every sentence keeps, whatever the input.
void check_speakable(const std::vector<std::string>& sentences, std::size_t max_bytes) {
  for (const std::string& sentence : sentences) {
    CHECK_FALSE(sentence.empty());
    CHECK(sentence.size() <= max_bytes);
    CHECK(is_valid_utf8(sentence));
    CHECK(sentence.front() != ' ' && sentence.back() != ' ');
    CHECK(sentence.find("  ") == std::string::npos);
  }
}

std::vector<std::string> segment_pieces(const vic_r1::test::Pieces& pieces,
                                        SentenceSegmenter::Options options = {}) {
  SentenceSegmenter segmenter(options);
  std::vector<std::string> sentences;
  for (std::string_view piece : pieces) segmenter.feed(piece, sentences);
  segmenter.flush(sentences);
  CHECK_FALSE(segmenter.has_pending());
  check_speakable(sentences, options.max_sentence_bytes);
  return sentences;
}

std::string joined(const std::vector<std::string>& sentences) {
  std::string all;
  for (const std::string& sentence : sentences) {
    if (!all.empty()) all += "|";
    all += sentence;
  }
  return all;
}

std::string segment(std::string_view answer) { return joined(segment_pieces({answer})); }

// The sentences, "|" between them, for the whole answer, every cut into two
// and byte by byte.
void check_every_split(std::string_view answer, std::string_view expected) {
  for (const auto& pieces : vic_r1::test::every_split(answer)) {
    STRCMP_EQUAL(std::string(expected).c_str(), joined(segment_pieces(pieces)).c_str());
  }
}

}  // namespace

TEST_GROUP(SentenceSegmenter){};

TEST(SentenceSegmenter, FirstSentenceIsEmittedAsSoonAsTheNextOneStarts) {
  SentenceSegmenter segmenter;
  std::vector<std::string> sentences;
  segmenter.feed("The sky is blue. ", sentences);
  CHECK(sentences.empty());  // "blue. e.g." or "blue. Then"? One more character decides.
  CHECK_TRUE(segmenter.has_pending());
  segmenter.feed("I", sentences);
  STRCMP_EQUAL("The sky is blue.", joined(sentences).c_str());
  segmenter.feed("t scatters light", sentences);
  LONGS_EQUAL(1, sentences.size());
  segmenter.flush(sentences);
  STRCMP_EQUAL("The sky is blue.|It scatters light", joined(sentences).c_str());
  CHECK_FALSE(segmenter.has_pending());
}

TEST(SentenceSegmenter, QuestionOrExclamationEndsAtTheSpaceAfterIt) {
  SentenceSegmenter segmenter;
  std::vector<std::string> sentences;
  segmenter.feed("Why?", sentences);
  CHECK(sentences.empty());
  segmenter.feed(" ", sentences);
  STRCMP_EQUAL("Why?", joined(sentences).c_str());
  segmenter.feed("Wow!?! ", sentences);
  STRCMP_EQUAL("Why?|Wow!?!", joined(sentences).c_str());
  check_every_split("Really? yes! ok", "Really?|yes!|ok");
}

TEST(SentenceSegmenter, PeriodBeforeLowerCaseIsNotABoundary) {
  check_every_split("It costs approx. five dollars. that is a lot",
                    "It costs approx. five dollars. that is a lot");
}

TEST(SentenceSegmenter, DecimalIsNotASentenceBoundary) {
  check_every_split("Pi is 3.14 roughly. Half is 0.5. Done", "Pi is 3.14 roughly.|Half is 0.5.|Done");
}

TEST(SentenceSegmenter, TimesVersionsAndThousandsStayWhole) {
  check_every_split("Meet at 10:30 or 5 p.m. today. Versions v1.2.3 and 1.8.0 cost 1,000,000 dollars. Ok",
                    "Meet at 10:30 or 5 p.m. today.|Versions v1.2.3 and 1.8.0 cost 1,000,000 dollars.|Ok");
}

TEST(SentenceSegmenter, TitlesAndAbbreviationsDoNotEndASentence) {
  check_every_split("Dr. Smith met Mr. Jones and Mrs. Lee at St. Paul's vs. Prof. Ng. Then they left.",
                    "Dr. Smith met Mr. Jones and Mrs. Lee at St. Paul's vs. Prof. Ng.|Then they left.");
}

TEST(SentenceSegmenter, SingleCapitalInitialsStayWithTheName) {
  check_every_split("J. R. R. Tolkien wrote it. So did I. You know J.R.R. Martin too.",
                    "J. R. R. Tolkien wrote it.|So did I.|You know J.R.R. Martin too.");
}

TEST(SentenceSegmenter, DottedInitialismsStayWhole) {
  check_every_split("Eat fruit, e.g. Apples or i.e. Pears. The U.S. Army is big. Go.",
                    "Eat fruit, e.g. Apples or i.e. Pears.|The U.S. Army is big.|Go.");
}

TEST(SentenceSegmenter, TimeOfDayOrEtcBeforeACapitalEndsASentence) {
  check_every_split("We open at 9 a.m. Come early. Bring bread, milk, etc. Thanks.",
                    "We open at 9 a.m.|Come early.|Bring bread, milk, etc.|Thanks.");
}

TEST(SentenceSegmenter, NoBeforeADigitStaysWholeButNoAloneIsASentence) {
  check_every_split("It is No. 5 on the list. No. It is not.", "It is No. 5 on the list.|No.|It is not.");
}

TEST(SentenceSegmenter, EllipsisBeforeLowerCaseContinuesAndBeforeCapitalEnds) {
  check_every_split("Well... maybe not. Hmm\xE2\x80\xA6 Okay then. Wait...what?",
                    "Well... maybe not.|Hmm...|Okay then.|Wait...what?");
}

TEST(SentenceSegmenter, ClosingQuotesAndBracketsBelongToTheSentence) {
  check_every_split("He said \"hi.\" She left. (It was late.) Why?\" he asked.",
                    "He said \"hi.\"|She left.|(It was late.)|Why?\"|he asked.");
}

TEST(SentenceSegmenter, UrlsAndDomainsStayWhole) {
  check_every_split("Visit example.com or https://www.example.org/a.html today. Bye.",
                    "Visit example.com or https://www.example.org/a.html today.|Bye.");
}

TEST(SentenceSegmenter, LineBreakEndsASentenceOrListItem) {
  check_every_split("Here is a list:\nfirst item\r\nsecond item\n\n\nDone",
                    "Here is a list:|first item|second item|Done");
}

TEST(SentenceSegmenter, MarkdownEmphasisAndCodeAreNotReadAloud) {
  check_every_split("This is **bold**, *em*, __strong__ and `code`.", "This is bold, em, strong and code.");
}

TEST(SentenceSegmenter, HeadingsBulletsAndNumberingAreRemoved) {
  check_every_split(
      "# Title\n## Sub title\n- one\n* two\n+ three\n\xE2\x80\xA2 four\n  1. First step.\n2) Second\n10. Tenth",
      "Title|Sub title|one|two|three|four|First step.|Second|Tenth");
}

TEST(SentenceSegmenter, NumberedListItemNeverBecomesABareNumber) {
  check_every_split("Steps:\n1. Open the box.\n2. Take it out.", "Steps:|Open the box.|Take it out.");
  check_every_split("Open the box. 2. Take it out.", "Open the box.|2. Take it out.");
}

TEST(SentenceSegmenter, QuotesRulesAndCodeFencesAreRemoved) {
  check_every_split("> Quoted text\n> > nested\n---\n```python\nprint(1)\n```\n***\n___\nAfter.",
                    "Quoted text|nested|print(1)|After.");
}

TEST(SentenceSegmenter, LinksAreReadByTheirTextOnly) {
  check_every_split("See [the docs](https://example.com/docs) for more.", "See the docs for more.");
  check_every_split("A [note] (not a link) here.", "A note (not a link) here.");
}

TEST(SentenceSegmenter, LineStartThatIsNoMarkerIsText) {
  check_every_split("3.14 is pi.\n-5 degrees.\n#1 pick.\n**Bold** start.\n2023 was a year.\n--x",
                    "3.14 is pi.|-5 degrees.|number 1 pick.|Bold start.|2023 was a year.|--x");
}

TEST(SentenceSegmenter, EmojiAndPictographsAreNotSpoken) {
  // U+1F389, U+2764 U+FE0F, U+1F44D U+1F3FD, a ZWJ family, a flag, keycap one.
  check_every_split(
      "Great job \xF0\x9F\x8E\x89! I \xE2\x9D\xA4\xEF\xB8\x8F it \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD. "
      "Family \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 "
      "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7 1\xEF\xB8\x8F\xE2\x83\xA3 ok",
      "Great job!|I it.|Family 1 ok");
}

TEST(SentenceSegmenter, SymbolsAreReadAsWordsOrRemoved) {
  check_every_split(
      "Salt & pepper @ home ^ ~x | y C# #1 a_b \\o/ {x} 5\xC3\x97"
      "3 \xE2\x86\x92 15.",
      "Salt and pepper at home x y C number 1 a b o/ x 5 times 3 to 15.");
}

TEST(SentenceSegmenter, TypographyIsMadePlain) {
  check_every_split(
      "\xE2\x80\x9CHi,\xE2\x80\x9D she said\xE2\x80\x94it\xE2\x80\x99s fine\xE2\x80\xA6 Really."
      "\xC2\xA0Yes\xE2\x80\x8B!",
      "\"Hi,\" she said - it's fine...|Really.|Yes!");
}

TEST(SentenceSegmenter, WhitespaceIsCollapsedAndNoSpaceBeforePunctuation) {
  check_every_split("  Hello    there \t , friend  .  Great \xF0\x9F\x91\x8D . Next ( aside ) ",
                    "Hello there, friend.|Great.|Next ( aside)");
}

TEST(SentenceSegmenter, ControlCharactersAreNeverSpoken) {
  check_every_split(std::string("Hel\0lo\x01 the\x7Fre\xC2\x85.", 18), "Hello there.");
}

TEST(SentenceSegmenter, NothingSpeakableIsNeverEmitted) {
  for (std::string_view answer : {"", "   ", "\n\n\n", "...", "!!!???", "- \n* \n1. \n", "**", "\xF0\x9F\x8E\x89",
                                  "```\n```", "\" ( ) \"", "---", "#", "{{}}", "\xFF\xFE"}) {
    STRCMP_EQUAL("", segment(answer).c_str());
  }
}

TEST(SentenceSegmenter, AdversarialInputsGiveOnlyBoundedSentences) {
  STRCMP_EQUAL("", segment(std::string(10000, '.')).c_str());
  STRCMP_EQUAL("", segment(std::string(5000, '{')).c_str());
  STRCMP_EQUAL("", segment(std::string(5000, '\n')).c_str());
  std::string dots_and_words;
  for (int i = 0; i < 2000; ++i) dots_and_words += "a. . .. B.C ";
  const std::vector<std::string> sentences = segment_pieces({dots_and_words});
  CHECK_FALSE(sentences.empty());
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    CHECK(sentences == segment_pieces(vic_r1::test::random_pieces(dots_and_words, seed, 9)));
  }
}

TEST(SentenceSegmenter, LongSentenceIsCutAtItsLastClauseBeforeTheCutLength) {
  SentenceSegmenter::Options options;
  options.clause_cut_bytes = 40;
  // Clause ends at 20 and 35 bytes, then words past 40.
  const std::string answer = "one two three four, five six seven; eight nine ten eleven twelve. End.";
  for (const auto& pieces : vic_r1::test::every_split(answer)) {
    STRCMP_EQUAL("one two three four, five six seven;|eight nine ten eleven twelve.|End.",
                 joined(segment_pieces(pieces, options)).c_str());
  }
}

TEST(SentenceSegmenter, DashIsAClauseEndButHyphenThousandsAndTimesAreNot) {
  SentenceSegmenter::Options options;
  options.clause_cut_bytes = 30;
  const std::string answer = "A well-known fact at 10:30 is 1,000 - or so they say, mostly.";
  STRCMP_EQUAL("A well-known fact at 10:30 is 1,000 -|or so they say, mostly.",
               joined(segment_pieces({answer}, options)).c_str());
}

TEST(SentenceSegmenter, LongSentenceWithoutClauseIsCutAtTheLastSpaceBeforeTheLimit) {
  std::string answer;
  while (answer.size() < 3000) answer += "word ";
  answer += "end.";
  const std::vector<std::string> sentences = segment_pieces({answer});
  LONGS_EQUAL(3, sentences.size());
  LONGS_EQUAL(1019, sentences[0].size());  // 204 words of 5 bytes, less the space
  STRCMP_EQUAL(sentences[0].c_str(), sentences[1].c_str());
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    CHECK(sentences == segment_pieces(vic_r1::test::random_pieces(answer, seed, 100)));
  }
}

TEST(SentenceSegmenter, RunWithoutSpaceIsCutBetweenCharacters) {
  std::string answer;
  for (int i = 0; i < 1500; ++i) answer += "\xC3\xA9";  // 2-byte characters, 3000 bytes
  const std::vector<std::string> sentences = segment_pieces({answer});
  LONGS_EQUAL(3, sentences.size());
  LONGS_EQUAL(1022, sentences[0].size());  // 511 characters: the 512th would pass 1023
  LONGS_EQUAL(1022, sentences[1].size());
  LONGS_EQUAL(956, sentences[2].size());
}

TEST(SentenceSegmenter, FourByteCharactersAtTheLimitAreNeverSplit) {
  std::string answer = "abc";  // 3 bytes, so a 4-byte character straddles byte 1023
  for (int i = 0; i < 600; ++i) answer += "\xF0\xA0\x80\x80";  // U+20000, a CJK ideograph
  const std::vector<std::string> sentences = segment_pieces(vic_r1::test::random_pieces(answer, 3, 5));
  LONGS_EQUAL(3, sentences.size());
  LONGS_EQUAL(1023, sentences[0].size());  // "abc" and 255 characters
  LONGS_EQUAL(1020, sentences[1].size());
  LONGS_EQUAL(360, sentences[2].size());
}

TEST(SentenceSegmenter, SmallLimitIsAHardLimit) {
  SentenceSegmenter::Options options;
  options.max_sentence_bytes = 10;
  options.clause_cut_bytes = 10;
  for (const auto& pieces : vic_r1::test::every_split("Supercalifragilistic is a word, yes.")) {
    STRCMP_EQUAL("Supercalif|ragilistic|is a word,|yes.", joined(segment_pieces(pieces, options)).c_str());
  }
}

TEST(SentenceSegmenter, InvalidUtf8IsDroppedAndNeverEmitted) {
  // A cut-short 2-byte lead, stray bytes, a cut-short 3-byte sequence, an
  // encoded surrogate, an overlong "/", a code point past U+10FFFF.
  check_every_split(
      "Caf\xC3 \xFF\xFEok \xE2\x82 \xED\xA0\x80"
      "fine\xC0\xAF \xF4\x90\x80\x80x.",
      "Caf ok fine x.");
  check_every_split("Cut at the end \xE2\x82", "Cut at the end");
}

TEST(SentenceSegmenter, FlushEmitsWhatIsPending) {
  SentenceSegmenter segmenter;
  std::vector<std::string> sentences;
  segmenter.feed("Let me show you", sentences);
  CHECK_TRUE(segmenter.has_pending());
  segmenter.flush(sentences);
  STRCMP_EQUAL("Let me show you", joined(sentences).c_str());
  CHECK_FALSE(segmenter.has_pending());
  segmenter.flush(sentences);
  LONGS_EQUAL(1, sentences.size());
  segmenter.feed(" this.\n1", sentences);
  CHECK_TRUE(segmenter.has_pending());  // a list number may follow
  segmenter.flush(sentences);
  STRCMP_EQUAL("Let me show you|this.|1", joined(sentences).c_str());
}

TEST(SentenceSegmenter, ResetForgetsEverything) {
  SentenceSegmenter segmenter;
  std::vector<std::string> sentences;
  segmenter.feed("Half a sentence \xE2\x82", sentences);
  segmenter.reset();
  CHECK_FALSE(segmenter.has_pending());
  segmenter.feed("New answer.", sentences);
  segmenter.flush(sentences);
  STRCMP_EQUAL("New answer.", joined(sentences).c_str());
}

TEST(SentenceSegmenter, ChunkingNeverChangesTheSentences) {
  check_every_split(
      "## Answer\n\nDr. **Ada** Lovelace (1815\xE2\x80\x93"
      "1852) wrote the *first* program. "
      "It ran on v1.0 of the engine\xE2\x80\xA6 sort of! Was it 3.5 pages? "
      "Yes.\n- See [this](http://x.org/a_b).\n2. Done \xF0\x9F\x8E\x89",
      "Answer|Dr. Ada Lovelace (1815-1852) wrote the first program.|"
      "It ran on v1.0 of the engine... sort of!|Was it 3.5 pages?|Yes.|See this.|Done");
}

TEST(SentenceSegmenter, HundredKilobyteAnswerIsSegmentedTheSameInAnyPieces) {
  std::string answer;
  std::vector<std::string> expected;
  for (int i = 0; answer.size() < 100000; ++i) {
    const std::string sentence = "Fact " + std::to_string(i) + " costs $" + std::to_string(i) + ".50, e.g. a lot.";
    answer += sentence + (i % 10 == 9 ? "\n\n" : " ");
    expected.push_back(sentence);
  }
  const std::vector<std::string> whole = segment_pieces({answer});
  CHECK(whole == expected);
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    CHECK(whole == segment_pieces(vic_r1::test::random_pieces(answer, seed, 200)));
  }
  CHECK(whole == segment_pieces(vic_r1::test::random_pieces(answer, 9, 1)));
}

// The speech path as it is meant to be wired: markup first, text into the
// segmenter, a blocking animation flushes what is pending before it.
TEST(SentenceSegmenter, WithTheMarkupParserNoMarkupIsEverSpoken) {
  const std::string answer =
      "{{playAnimationWI||happy}}Sure! Pi is 3.14{{playAnimation||thinking}} or so. {{getImage||front}}"
      "Broken {{playAnimationWI||sad markup here. }} Bye{{newVoiceRequest||now}}";
  for (const auto& pieces : vic_r1::test::every_split(answer)) {
    MarkupParser parser;
    SentenceSegmenter segmenter;
    std::vector<MarkupPiece> markup;
    std::string events;
    std::vector<std::string> sentences;
    auto take = [&] {
      for (const MarkupPiece& piece : markup) {
        if (piece.kind == MarkupPiece::Kind::kText) segmenter.feed(piece.text, sentences);
        if (piece.kind == MarkupPiece::Kind::kCommand && piece.command == MarkupCommand::kPlayAnimation) {
          segmenter.flush(sentences);
          sentences.push_back("<play " + piece.argument + ">");
        }
      }
      markup.clear();
    };
    for (std::string_view piece : pieces) {
      parser.feed(piece, markup);
      take();
    }
    parser.finish(markup);
    take();
    segmenter.flush(sentences);
    STRCMP_EQUAL("Sure!|Pi is 3.14|<play thinking>|or so.|Broken markup here.|Bye", joined(sentences).c_str());
  }
}
