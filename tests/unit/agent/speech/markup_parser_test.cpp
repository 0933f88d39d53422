#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "agent/speech/markup_parser.h"
#include "tests/unit/support/byte_splits.h"

#include <CppUTest/TestHarness.h>

using vic_r1::speech::MarkupCommand;
using vic_r1::speech::MarkupParser;
using vic_r1::speech::MarkupPiece;

namespace {

std::vector<MarkupPiece> parse_pieces(const vic_r1::test::Pieces& pieces) {
  MarkupParser parser;
  std::vector<MarkupPiece> out;
  for (std::string_view piece : pieces) parser.feed(piece, out);
  parser.finish(out);
  return out;
}

std::string_view command_name(MarkupCommand command) {
  switch (command) {
    case MarkupCommand::kAnimateWhileSpeaking:
      return "animate";
    case MarkupCommand::kPlayAnimation:
      return "play";
    case MarkupCommand::kListenAgain:
      return "listen";
  }
  return "?";
}

// One line per piece, adjacent text merged: how text is cut into pieces may
// depend on the feeds, what is said and done may not.
std::string describe(const std::vector<MarkupPiece>& pieces) {
  std::string description;
  bool in_text = false;
  for (const MarkupPiece& piece : pieces) {
    switch (piece.kind) {
      case MarkupPiece::Kind::kText:
        if (piece.text.empty()) return "EMPTY TEXT PIECE";
        if (!in_text) description += "text:";
        description += piece.text;
        in_text = true;
        continue;
      case MarkupPiece::Kind::kCommand:
        if (in_text) description += "\n";
        description += std::string(command_name(piece.command)) + "(" + piece.argument + ")\n";
        break;
      case MarkupPiece::Kind::kDropped:
        if (in_text) description += "\n";
        description += "dropped:" + piece.text + "\n";
        break;
    }
    in_text = false;
  }
  if (in_text) description += "\n";
  return description;
}

std::string parse(std::string_view answer) { return describe(parse_pieces({answer})); }

// Every cut into two and byte by byte must describe the same as the whole.
void check_every_split(std::string_view answer, std::string_view expected) {
  for (const auto& pieces : vic_r1::test::every_split(answer)) {
    STRCMP_EQUAL(std::string(expected).c_str(), describe(parse_pieces(pieces)).c_str());
  }
}

}  // namespace

TEST_GROUP(MarkupParser){};

TEST(MarkupParser, TextWithoutMarkupIsOnePieceReleasedAtOnce) {
  MarkupParser parser;
  std::vector<MarkupPiece> out;
  parser.feed("The sky is blue", out);
  LONGS_EQUAL(1, out.size());
  STRCMP_EQUAL("The sky is blue", out[0].text.c_str());
  parser.feed(" because of scattering.", out);
  LONGS_EQUAL(2, out.size());
  STRCMP_EQUAL(" because of scattering.", out[1].text.c_str());
  parser.finish(out);
  LONGS_EQUAL(2, out.size());
}

TEST(MarkupParser, AnimateWhileSpeakingBecomesACommandWithItsArgument) {
  const std::vector<MarkupPiece> out = parse_pieces({"{{playAnimationWI||happy}} I'm glad you asked!"});
  LONGS_EQUAL(2, out.size());
  CHECK(out[0].kind == MarkupPiece::Kind::kCommand);
  CHECK(out[0].command == MarkupCommand::kAnimateWhileSpeaking);
  STRCMP_EQUAL("happy", out[0].argument.c_str());
  CHECK(out[1].kind == MarkupPiece::Kind::kText);
  STRCMP_EQUAL(" I'm glad you asked!", out[1].text.c_str());
}

TEST(MarkupParser, AllThreeCommandsAreRecognisedInStreamOrder) {
  check_every_split(
      "Hi {{playAnimationWI||veryHappy}}there. {{playAnimation||celebrate}}Done! "
      "Anything else?{{newVoiceRequest||now}}",
      "text:Hi \nanimate(veryHappy)\ntext:there. \nplay(celebrate)\ntext:Done! Anything else?\n"
      "listen(now)\n");
}

TEST(MarkupParser, CommandSplitAtEveryByteIsNeverSpoken) {
  check_every_split("Sure{{playAnimationWI||dartingEyes}}, here goes.",
                    "text:Sure\nanimate(dartingEyes)\ntext:, here goes.\n");
}

TEST(MarkupParser, TextBetweenMarkupKeepsItsSpacing) {
  STRCMP_EQUAL("text:  Well , \nplay(sad)\ntext:\t so  it goes \n",
               parse("  Well , {{playAnimation||sad}}\t so  it goes ").c_str());
}

TEST(MarkupParser, CommandNamesIgnoreCase) {
  STRCMP_EQUAL("animate(happy)\nplay(sad)\nlisten(now)\n",
               parse("{{PLAYANIMATIONWI||happy}}{{playanimation||sad}}{{NewVoiceRequest||now}}").c_str());
}

TEST(MarkupParser, BlanksAroundNameAndArgumentAreTolerated) {
  check_every_split("{{ playAnimationWI || happy }}Yes.{{\tplayAnimation\t||\tlove\t}}",
                    "animate(happy)\ntext:Yes.\nplay(love)\n");
}

TEST(MarkupParser, SingleBarSeparatorIsTolerated) {
  STRCMP_EQUAL("animate(happy)\nplay(sad)\n", parse("{{playAnimationWI|happy}}{{playAnimation | sad}}").c_str());
}

TEST(MarkupParser, ArgumentIsPassedOnAsWrittenNotChecked) {
  STRCMP_EQUAL("animate(very happy)\nanimate(NoSuchEmotion)\n",
               parse("{{playAnimationWI||very happy}}{{playAnimationWI||NoSuchEmotion}}").c_str());
}

TEST(MarkupParser, UnknownCommandIsDroppedNotSpoken) {
  check_every_split("Let me look.{{getImage||front}} I see a cat.",
                    "text:Let me look.\ndropped:{{getImage||front}}\ntext: I see a cat.\n");
}

TEST(MarkupParser, MissingParameterIsDropped) {
  STRCMP_EQUAL("dropped:{{playAnimationWI}}\ntext:Hello\n", parse("{{playAnimationWI}}Hello").c_str());
  STRCMP_EQUAL("dropped:{{playAnimation||}}\ntext:Hello\n", parse("{{playAnimation||}}Hello").c_str());
  STRCMP_EQUAL("dropped:{{playAnimation|| \t }}\n", parse("{{playAnimation|| \t }}").c_str());
  STRCMP_EQUAL("dropped:{{}}\n", parse("{{}}").c_str());
  STRCMP_EQUAL("dropped:{{||happy}}\n", parse("{{||happy}}").c_str());
}

TEST(MarkupParser, ThirdSeparatorIsDropped) {
  STRCMP_EQUAL("dropped:{{playAnimation|||sad}}\n", parse("{{playAnimation|||sad}}").c_str());
  STRCMP_EQUAL("dropped:{{playAnimation||sad||x}}\n", parse("{{playAnimation||sad||x}}").c_str());
}

TEST(MarkupParser, UnclosedMarkupDropsItsHeadAndSpeaksTheRest) {
  check_every_split("{{playAnimationWI||happy Hello there. How are you?",
                    "dropped:{{playAnimationWI||happy\ntext: Hello there. How are you?\n");
}

TEST(MarkupParser, UnclosedMarkupAtTheEndIsDropped) {
  check_every_split("Goodbye!{{newVoiceRequest||now", "text:Goodbye!\ndropped:{{newVoiceRequest||now\n");
  check_every_split("Goodbye!{{", "text:Goodbye!\ndropped:{{\n");
  check_every_split("Goodbye!{{playAnimation", "text:Goodbye!\ndropped:{{playAnimation\n");
}

TEST(MarkupParser, KnownNameWithoutSeparatorIsPartOfTheDroppedHead) {
  check_every_split("{{playAnimationWI happy to help.", "dropped:{{playAnimationWI\ntext: happy to help.\n");
}

TEST(MarkupParser, UnknownWordAfterOpenerIsSpoken) {
  check_every_split("{{ so I said no.", "dropped:{{ \ntext:so I said no.\n");
}

TEST(MarkupParser, SingleClosingBraceEndsUnclosedMarkup) {
  check_every_split("{{playAnimation||happy} Yay.", "dropped:{{playAnimation||happy\ntext: Yay.\n");
}

TEST(MarkupParser, LineBreakEndsUnclosedMarkup) {
  check_every_split("{{playAnimationWI||sad\nOh no.", "dropped:{{playAnimationWI||sad\ntext:\nOh no.\n");
}

TEST(MarkupParser, NewOpenerEndsUnclosedMarkup) {
  check_every_split("{{playAnimationWI||{{playAnimation||sad}}Oh.",
                    "dropped:{{playAnimationWI||\nplay(sad)\ntext:Oh.\n");
}

TEST(MarkupParser, OverlongMarkupIsNotMarkupAndTheTextAfterItIsSpoken) {
  // No sentence end and no "}}": the bound, not the end of the answer, decides.
  const std::string words(200, 'a');
  const std::string answer = "{{playAnimationWI||happy " + words + " and more";
  check_every_split(answer, "dropped:{{playAnimationWI||happy\ntext: " + words + " and more\n");
}

TEST(MarkupParser, MarkupOfExactlyTheBoundIsStillACommand) {
  // "{{playAnimationWI||" + argument + "}}" closes with its first "}" at the last allowed byte.
  const std::string argument(MarkupParser::kMaxMarkupBytes - 1 - 19, 'x');
  const std::string answer = "{{playAnimationWI||" + argument + "}}ok";
  check_every_split(answer, "animate(" + argument + ")\ntext:ok\n");
  // One byte more and the first "}" falls past the bound: the head is dropped (cut for
  // the log) and the "}}" after it is stray.
  const std::string longer = "{{playAnimationWI||" + argument + "y}}ok";
  check_every_split(longer,
                    "dropped:" + longer.substr(0, MarkupParser::kMaxDroppedBytes) + "\ndropped:}}\ntext:ok\n");
}

TEST(MarkupParser, DroppedMarkupIsCutToItsBoundAtACharacterBoundary) {
  // 78 bytes of markup, then a 3-byte character across the 80-byte bound.
  const std::string answer = "{{getImage||" + std::string(66, 'x') + "\xE2\x82\xAC" + "}}";
  const std::vector<MarkupPiece> out = parse_pieces({answer});
  LONGS_EQUAL(1, out.size());
  CHECK(out[0].kind == MarkupPiece::Kind::kDropped);
  STRCMP_EQUAL(answer.substr(0, 78).c_str(), out[0].text.c_str());
}

TEST(MarkupParser, StrayClosersAreDropped) {
  check_every_split("Done}} now.", "text:Done\ndropped:}}\ntext: now.\n");
  check_every_split("}}}}", "dropped:}}\ndropped:}}\n");
}

TEST(MarkupParser, LoneBracesAreRemovedSilently) {
  check_every_split("a{b}c { d } e", "text:abc  d  e\n");
  check_every_split("{", "");
  check_every_split("}", "");
  check_every_split("x}}}y", "text:x\ndropped:}}\ntext:y\n");
}

TEST(MarkupParser, ExtraOpeningBracesBelongToTheOpener) {
  check_every_split("{{{playAnimation||sad}}}Oh.", "play(sad)\ntext:Oh.\n");
  check_every_split("{{{{getImage||front}}", "dropped:{{{{getImage||front}}\n");
  check_every_split("{{{{x", "dropped:{{{{\ntext:x\n");
}

TEST(MarkupParser, OnlyBracesNeverSpeakAndNeverCrash) {
  // Runs of 128 braces are overlong markup; the 8 left at the end are unclosed.
  const std::string opens(5000, '{');
  const std::string whole_opens = describe(parse_pieces({opens}));
  std::string expected;
  for (int i = 0; i < 39; ++i) expected += "dropped:" + std::string(MarkupParser::kMaxDroppedBytes, '{') + "\n";
  expected += "dropped:{{{{{{{{\n";
  STRCMP_EQUAL(expected.c_str(), whole_opens.c_str());
  STRCMP_EQUAL(expected.c_str(), describe(parse_pieces(vic_r1::test::random_pieces(opens, 7, 1))).c_str());
  std::string mixed;
  for (int i = 0; i < 1000; ++i) mixed += "{}{{}}}{";
  const std::string whole = describe(parse_pieces({mixed}));
  CHECK(whole.find("text:") == std::string::npos);
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    STRCMP_EQUAL(whole.c_str(), describe(parse_pieces(vic_r1::test::random_pieces(mixed, seed, 7))).c_str());
  }
}

TEST(MarkupParser, HeldBytesStayWithinTheMarkupBound) {
  // Byte by byte through an endless unclosed token, text must keep flowing
  // once the token exceeds the bound.
  MarkupParser parser;
  std::vector<MarkupPiece> out;
  const std::string answer = "{{playAnimationWI||happy" + std::string(1000, 'z');
  std::size_t fed = 0;
  for (char c : answer) {
    parser.feed(std::string_view(&c, 1), out);
    ++fed;
    std::size_t released = 0;
    for (const MarkupPiece& piece : out) released += piece.text.size();
    CHECK(fed - released <= MarkupParser::kMaxMarkupBytes);
  }
}

TEST(MarkupParser, LongAnswerWithManyCommandsMatchesAnyChunking) {
  std::string answer;
  std::string expected;
  for (int i = 0; i < 2500; ++i) {
    answer += "Sentence number " + std::to_string(i) + ". {{playAnimationWI||happy}}";
    expected += "text:Sentence number " + std::to_string(i) + ". \nanimate(happy)\n";
  }
  answer += "End.";
  expected += "text:End.\n";
  CHECK(answer.size() > 100000);
  STRCMP_EQUAL(expected.c_str(), parse(answer).c_str());
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    STRCMP_EQUAL(expected.c_str(), describe(parse_pieces(vic_r1::test::random_pieces(answer, seed, 40))).c_str());
  }
}

TEST(MarkupParser, TextPiecesAreNeverEmptyAndMergedWithinACall) {
  MarkupParser parser;
  std::vector<MarkupPiece> out;
  parser.feed("a{b}c", out);
  LONGS_EQUAL(1, out.size());
  STRCMP_EQUAL("abc", out[0].text.c_str());
  parser.feed("{", out);
  LONGS_EQUAL(1, out.size());
  parser.feed("{", out);
  parser.feed("}", out);
  parser.feed("}", out);
  LONGS_EQUAL(2, out.size());
  STRCMP_EQUAL("{{}}", out[1].text.c_str());
}

TEST(MarkupParser, ResetForgetsHeldMarkup) {
  MarkupParser parser;
  std::vector<MarkupPiece> out;
  parser.feed("Hi {{playAnimation||ha", out);
  parser.reset();
  parser.feed("ppy}} there", out);
  parser.finish(out);
  STRCMP_EQUAL("text:Hi ppy\ndropped:}}\ntext: there\n", describe(out).c_str());
}

TEST(MarkupParser, MultibyteTextAroundMarkupPassesUnchanged) {
  check_every_split("Caf\xC3\xA9 {{playAnimationWI||love}}\xE2\x9D\xA4 na\xC3\xAFve",
                    "text:Caf\xC3\xA9 \nanimate(love)\ntext:\xE2\x9D\xA4 na\xC3\xAFve\n");
}
