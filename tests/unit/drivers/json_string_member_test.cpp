// Standard and project headers before CppUTest's (its macros must not reach them).
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/intent/json_string_member.h"

#include <CppUTest/TestHarness.h>

using vic_r1::intent::json_string_member;

namespace {

// The parameters of a knowledge-graph answer as vic-cloud writes them: Go's
// json.Encoder on a map[string]string (keys sorted, `<`, `>` and `&` as
// \u escapes, one newline at the end).
constexpr std::string_view kVicCloudParameters =
    "{\"answer\":\"Sunlight is scattered by the air \\u003cmostly\\u003e at short, blue "
    "wavelengths \\u0026 so the sky looks blue.\",\"answer_type\":\"InformationAnswer\","
    "\"domains.0\":\"science\",\"query_text\":\"why is the sky blue?\"}\n";

// Reads `name` from a heap copy of exactly `json`'s size, so that under
// AddressSanitizer a read one byte past the end stops the test.
bool member(std::string_view json, std::string_view name, std::string& value) {
  const std::vector<char> exact(json.begin(), json.end());
  return json_string_member(std::string_view(exact.data(), exact.size()), name, value);
}

// The value of `name`, or "<absent>" when the call returns false.
std::string member_or_absent(std::string_view json, std::string_view name = "q") {
  std::string value;
  return member(json, name, value) ? value : std::string("<absent>");
}

bool has_member(std::string_view json, std::string_view name = "q") {
  std::string value;
  return member(json, name, value);
}

// {"a":<value>,"q":"v"} where <value> is `containers` arrays (or objects,
// each as {"b":...}) around `innermost`. The value of "a" is at depth 1; a
// scalar inside n containers is at depth n + 1.
std::string nested(int containers, bool objects, std::string_view innermost) {
  std::string json = "{\"a\":";
  for (int level = 0; level < containers; ++level) json += objects ? "{\"b\":" : "[";
  json += innermost;
  json += std::string(static_cast<std::size_t>(containers), objects ? '}' : ']');
  return json + ",\"q\":\"v\"}";
}

}  // namespace

TEST_GROUP(JsonStringMember){};

// ---- Finding the member ----------------------------------------------------------

TEST(JsonStringMember, FindsTheOnlyMember) { STRCMP_EQUAL("v", member_or_absent(R"({"q":"v"})").c_str()); }

TEST(JsonStringMember, FindsTheFirstOfSeveralMembers) {
  STRCMP_EQUAL("first", member_or_absent(R"({"q":"first","r":1,"s":[true]})").c_str());
}

TEST(JsonStringMember, FindsAMemberAfterMembersOfEveryType) {
  const std::string json = R"({"object":{"a":[1,{"b":"}"}],"c":{},"d":[]},)"
                           R"("array":[[],[1,2],"]",{"x":null},[[["deep"]]]],)"
                           R"("int":-12,"zero":0,"frac":3.25,"neg_zero":-0.0,)"
                           R"("exp":6.02e23,"exp_upper":1E-7,"exp_signed":-0.5e+3,"exp_plain":2e5,)"
                           R"("yes":true,"no":false,"nothing":null,)"
                           R"("string":"a \"quoted\" } , ] value","empty":"",)"
                           R"("q":"found","after":{"q":"not this one"}})";
  STRCMP_EQUAL("found", member_or_absent(json).c_str());
}

TEST(JsonStringMember, EmptyStringValueIsFound) {
  std::string value = "stale";
  CHECK_TRUE(member(R"({"q":""})", "q", value));
  STRCMP_EQUAL("", value.c_str());
}

TEST(JsonStringMember, ValueReplacesWhateverTheStringHeld) {
  std::string value = "an earlier question";
  CHECK_TRUE(member(R"({"q":"new"})", "q", value));
  STRCMP_EQUAL("new", value.c_str());
}

TEST(JsonStringMember, VicCloudKnowledgeParametersGiveTheQueryText) {
  std::string query;
  CHECK_TRUE(member(kVicCloudParameters, "query_text", query));
  STRCMP_EQUAL("why is the sky blue?", query.c_str());
}

TEST(JsonStringMember, VicCloudAnswerHasGoHtmlEscapesUndone) {
  std::string answer;
  CHECK_TRUE(member(kVicCloudParameters, "answer", answer));
  STRCMP_EQUAL("Sunlight is scattered by the air <mostly> at short, blue wavelengths & so the sky looks blue.",
               answer.c_str());
  std::string domain;
  CHECK_TRUE(member(kVicCloudParameters, "domains.0", domain));
  STRCMP_EQUAL("science", domain.c_str());
}

TEST(JsonStringMember, KeysAreComparedWhole) {
  CHECK_FALSE(has_member(R"({"query_text_extra":"x"})", "query_text"));
  CHECK_FALSE(has_member(R"({"query":"x"})", "query_text"));
  CHECK_FALSE(has_member(R"({"Query_Text":"x"})", "query_text"));
  STRCMP_EQUAL("y", member_or_absent(R"({"query_text_extra":"x","query_text":"y"})", "query_text").c_str());
}

TEST(JsonStringMember, KeysAreComparedUnescaped) {
  STRCMP_EQUAL("x", member_or_absent(R"({"query\u005ftext":"x"})", "query_text").c_str());
  STRCMP_EQUAL("x", member_or_absent(R"({"domains\/0":"x"})", "domains/0").c_str());
}

TEST(JsonStringMember, MemberOnlyInsideANestedObjectIsNotFound) {
  CHECK_FALSE(has_member(R"({"outer":{"q":"inner"}})"));
  CHECK_FALSE(has_member(R"({"list":[{"q":"inner"}]})"));
  CHECK_FALSE(has_member(R"({"outer":{"q":"inner"},"other":"x"})"));
}

TEST(JsonStringMember, MissingMemberIsFalse) {
  CHECK_FALSE(has_member(R"({"a":"b","c":"d"})"));
  CHECK_FALSE(has_member("{}"));
  CHECK_FALSE(has_member("{ \n }"));
}

TEST(JsonStringMember, WhitespaceIsAllowedEverywhere) {
  const std::string json = " \t\r\n{ \"a\" :\n[ 1 ,\t{ } , [ ] , \"s\" , true ] ,\r\n\"q\"\t:\r \"v w\" \n}\n ";
  STRCMP_EQUAL("v w", member_or_absent(json).c_str());
}

TEST(JsonStringMember, WhitespaceOutsideJsonsFourIsRejected) {
  // RFC 8259 whitespace is space, tab, line feed and carriage return only.
  CHECK_FALSE(has_member("{\v\"q\":\"v\"}"));
  CHECK_FALSE(has_member("{\"q\":\f\"v\"}"));
  CHECK_FALSE(has_member("{\"a\":1\v,\"q\":\"v\"}"));
}

// ---- Unescaping ------------------------------------------------------------------

TEST(JsonStringMember, EveryShortEscapeIsUnescaped) {
  STRCMP_EQUAL("\" \\ / \b \f \n \r \t", member_or_absent(R"({"q":"\" \\ \/ \b \f \n \r \t"})").c_str());
}

TEST(JsonStringMember, GoHtmlEscapesBecomeTheirCharacters) {
  STRCMP_EQUAL("is 1 < 2 && 3 > 2?",
               member_or_absent(R"({"q":"is 1 \u003c 2 \u0026\u0026 3 \u003e 2?"})").c_str());
}

TEST(JsonStringMember, UnicodeEscapesBecomeUtf8OfEveryLength) {
  STRCMP_EQUAL("A", member_or_absent(R"({"q":"\u0041"})").c_str());
  STRCMP_EQUAL("\x7f", member_or_absent(R"({"q":"\u007f"})").c_str());
  STRCMP_EQUAL("\xc2\x80", member_or_absent(R"({"q":"\u0080"})").c_str());
  STRCMP_EQUAL("caf\xc3\xa9", member_or_absent(R"({"q":"caf\u00e9"})").c_str());
  STRCMP_EQUAL("caf\xc3\xa9", member_or_absent(R"({"q":"caf\u00E9"})").c_str());
  STRCMP_EQUAL("\xdf\xbf", member_or_absent(R"({"q":"\u07ff"})").c_str());
  STRCMP_EQUAL("\xe0\xa0\x80", member_or_absent(R"({"q":"\u0800"})").c_str());
  STRCMP_EQUAL("\xe2\x82\xac", member_or_absent(R"({"q":"\u20AC"})").c_str());
  STRCMP_EQUAL("\xe2\x80\xa8", member_or_absent(R"({"q":"\u2028"})").c_str());  // Go escapes it too
  STRCMP_EQUAL("\xef\xbf\xbd", member_or_absent(R"({"q":"\ufffd"})").c_str());
  STRCMP_EQUAL("\xef\xbf\xbf", member_or_absent(R"({"q":"\uffff"})").c_str());
}

TEST(JsonStringMember, SurrogatePairsBecomeOneFourByteCharacter) {
  STRCMP_EQUAL("\xf0\x9f\x98\x80", member_or_absent(R"({"q":"\ud83d\ude00"})").c_str());
  STRCMP_EQUAL("\xf0\x90\x80\x80", member_or_absent(R"({"q":"\uD800\uDC00"})").c_str());
  STRCMP_EQUAL("\xf4\x8f\xbf\xbf", member_or_absent(R"({"q":"\uDBFF\uDFFF"})").c_str());
  STRCMP_EQUAL("a\xf0\x9f\x98\x80z", member_or_absent(R"({"q":"a\uD83D\uDE00z"})").c_str());
}

TEST(JsonStringMember, EscapedNulIsKeptAsAByte) {
  std::string value;
  CHECK_TRUE(member(R"({"q":"a\u0000b"})", "q", value));
  LONGS_EQUAL(3, value.size());
  CHECK_TRUE(value == std::string("a\0b", 3));
}

TEST(JsonStringMember, RawUtf8PassesThroughUnchanged) {
  STRCMP_EQUAL("pourquoi le ciel est-il bleu\xc2\xa0? \xf0\x9f\x8c\x8d",
               member_or_absent("{\"q\":\"pourquoi le ciel est-il bleu\xc2\xa0? \xf0\x9f\x8c\x8d\"}").c_str());
}

TEST(JsonStringMember, LoneSurrogatesAreRejected) {
  CHECK_FALSE(has_member(R"({"q":"\ud83d"})"));        // high, then the closing quote
  CHECK_FALSE(has_member(R"({"q":"\ud83dx"})"));       // high, then a plain character
  CHECK_FALSE(has_member(R"({"q":"\ud83d\n"})"));      // high, then another escape
  CHECK_FALSE(has_member(R"({"q":"\ud83d\u0041"})"));  // high, then no surrogate
  CHECK_FALSE(has_member(R"({"q":"\ud83d\ud83d"})"));  // high, then high
  CHECK_FALSE(has_member(R"({"q":"\ude00"})"));        // low alone
  CHECK_FALSE(has_member(R"({"q":"\ude00\ud83d"})"));  // a pair in the wrong order
  CHECK_FALSE(has_member(R"({"q":"\uDFFF"})"));
  CHECK_FALSE(has_member(R"({"q":"\ud83d\ude0"})"));  // low cut short
}

TEST(JsonStringMember, BadEscapesAreRejected) {
  CHECK_FALSE(has_member(R"({"q":"\x41"})"));
  CHECK_FALSE(has_member(R"({"q":"\'"})"));
  CHECK_FALSE(has_member(R"({"q":"\a"})"));
  CHECK_FALSE(has_member(R"({"q":"\0"})"));
  CHECK_FALSE(has_member(R"({"q":"\U0041"})"));
  CHECK_FALSE(has_member(R"({"q":"\u12G4"})"));
  CHECK_FALSE(has_member(R"({"q":"\u-123"})"));
  CHECK_FALSE(has_member(R"({"q":"\u12"})"));
  CHECK_FALSE(has_member(R"({"q":"\u"})"));
  CHECK_FALSE(has_member("{\"q\":\"\\"));
  // In a string the scanner only passes over, too.
  CHECK_FALSE(has_member(R"({"a":"\x","q":"v"})"));
  CHECK_FALSE(has_member(R"({"a":["\ud800"],"q":"v"})"));
}

TEST(JsonStringMember, RawControlCharactersAreRejected) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string control(1, static_cast<char>(c));
    CHECK_FALSE(has_member("{\"q\":\"a" + control + "b\"}"));
    CHECK_FALSE(has_member("{\"a\":\"" + control + "\",\"q\":\"v\"}"));
    CHECK_FALSE(has_member("{\"q" + control + "\":\"v\"}", "q" + control));
  }
  // DEL is no control character to JSON.
  STRCMP_EQUAL("a\177b", member_or_absent("{\"q\":\"a\177b\"}").c_str());  // \177 is DEL, 0x7F
}

// ---- What is not a readable object -----------------------------------------------

TEST(JsonStringMember, NonObjectJsonIsRejected) {
  CHECK_FALSE(has_member(""));
  CHECK_FALSE(has_member(" \n"));
  CHECK_FALSE(has_member(R"([{"q":"v"}])"));
  CHECK_FALSE(has_member(R"("q")"));
  CHECK_FALSE(has_member("42"));
  CHECK_FALSE(has_member("null"));
  CHECK_FALSE(has_member("true"));
  CHECK_FALSE(has_member(R"(q:"v")"));
}

TEST(JsonStringMember, NonStringMemberValueIsRejected) {
  CHECK_FALSE(has_member(R"({"q":42})"));
  CHECK_FALSE(has_member(R"({"q":-1.5e3})"));
  CHECK_FALSE(has_member(R"({"q":true})"));
  CHECK_FALSE(has_member(R"({"q":false})"));
  CHECK_FALSE(has_member(R"({"q":null})"));
  CHECK_FALSE(has_member(R"({"q":{"q":"v"}})"));
  CHECK_FALSE(has_member(R"({"q":["v"]})"));
  CHECK_FALSE(has_member(R"({"q":'v'})"));
  CHECK_FALSE(has_member(R"({"q":})"));
}

TEST(JsonStringMember, MalformedStructureBeforeTheMemberIsRejected) {
  CHECK_FALSE(has_member(R"({"a" "b","q":"v"})"));  // no colon
  CHECK_FALSE(has_member(R"({"a":"b" "q":"v"})"));  // no comma
  CHECK_FALSE(has_member(R"({"a":"b",,"q":"v"})"));
  CHECK_FALSE(has_member(R"({,"q":"v"})"));
  CHECK_FALSE(has_member(R"({a:"b","q":"v"})"));  // unquoted key
  CHECK_FALSE(has_member(R"({'a':"b","q":"v"})"));
  CHECK_FALSE(has_member(R"({1:"b","q":"v"})"));
  CHECK_FALSE(has_member(R"({"a":[1,],"q":"v"})"));
  CHECK_FALSE(has_member(R"({"a":[,1],"q":"v"})"));
  CHECK_FALSE(has_member(R"({"a":[1 2],"q":"v"})"));
  CHECK_FALSE(has_member(R"({"a":{"b"},"q":"v"})"));
  CHECK_FALSE(has_member(R"({"a":{"b":1,},"q":"v"})"));
  CHECK_FALSE(has_member(R"({"a":[1},"q":"v"})"));  // mismatched brackets
  CHECK_FALSE(has_member(R"({"a":{"b":1],"q":"v"})"));
  CHECK_FALSE(has_member(R"({"a":"b"},"q":"v"})"));  // the object ended before the member
  CHECK_FALSE(has_member(R"({"a":"b","q")"));
}

TEST(JsonStringMember, MalformedNumbersAndLiteralsBeforeTheMemberAreRejected) {
  const char* const bad_values[] = {"tru",       "nul", "fals",     "True", "NULL", "truex", "nullnull", "abc",
                                    "undefined", "NaN", "Infinity", "-",    "+1",   ".5",    "1.",       "1.e5",
                                    "01",        "-01", "00",       "1e",   "1e+",  "1E-",   "0x10",     "1.2.3",
                                    "1e5e5",     "--1", "1-",       "- 1",  "e5",   "E5"};
  for (const char* value : bad_values) {
    const std::string json = std::string(R"({"a":)") + value + R"(,"q":"v"})";
    if (has_member(json)) FAIL(("accepted " + json).c_str());
    const std::string in_array = std::string(R"({"a":[)") + value + R"(],"q":"v"})";
    if (has_member(in_array)) FAIL(("accepted " + in_array).c_str());
  }
}

TEST(JsonStringMember, EveryNumberFormJsonAllowsIsPassedOver) {
  const char* const good_values[] = {"0",   "-0",  "7",    "-7",   "1234567890", "0.5",     "-0.5", "10.25",
                                     "1e5", "1E5", "1e+5", "1e-5", "1E+05",      "-2.5E-3", "0e0",  "123.456e789"};
  for (const char* value : good_values) {
    const std::string json = std::string(R"({"a":)") + value + R"(,"q":"v"})";
    if (!has_member(json)) FAIL(("rejected " + json).c_str());
    const std::string last_in_array = std::string(R"({"a":[1,)") + value + R"(],"q":"v"})";
    if (!has_member(last_in_array)) FAIL(("rejected " + last_in_array).c_str());
  }
}

TEST(JsonStringMember, TruncatedTextIsRejectedAtEveryOffsetBeforeTheValueEnds) {
  const std::string_view full = kVicCloudParameters;
  const std::size_t value_end = full.find("why is the sky blue?\"") +
                                std::string_view("why is the sky blue?\"").size();
  for (std::size_t length = 0; length < value_end; ++length) {
    std::string query;
    if (member(full.substr(0, length), "query_text", query))
      FAIL(("accepted a cut at " + std::to_string(length)).c_str());
  }
}

TEST(JsonStringMember, ReadingStopsAtTheMember) {
  // What follows the member is never looked at (see the header).
  STRCMP_EQUAL("v", member_or_absent(R"({"q":"v")").c_str());
  STRCMP_EQUAL("v", member_or_absent(R"({"q":"v",garbage)").c_str());
}

// ---- Nesting ---------------------------------------------------------------------

TEST(JsonStringMember, NestingUpToTheLimitIsPassedOver) {
  // The limit counts values: 32 levels below the top-level object.
  STRCMP_EQUAL("v", member_or_absent(nested(32, false, "")).c_str());
  STRCMP_EQUAL("v", member_or_absent(nested(31, false, "[]")).c_str());
  STRCMP_EQUAL("v", member_or_absent(nested(31, true, "{}")).c_str());
  STRCMP_EQUAL("v", member_or_absent(nested(31, false, "1")).c_str());
  STRCMP_EQUAL("v", member_or_absent(nested(31, true, "\"s\"")).c_str());
}

TEST(JsonStringMember, NestingDeeperThanTheLimitIsRejected) {
  CHECK_FALSE(has_member(nested(33, false, "")));
  CHECK_FALSE(has_member(nested(32, false, "[]")));
  CHECK_FALSE(has_member(nested(32, true, "{}")));
  CHECK_FALSE(has_member(nested(32, false, "1")));
  CHECK_FALSE(has_member(nested(32, true, "\"s\"")));
}

TEST(JsonStringMember, HugeNestingIsRejectedWithoutExhaustingTheStack) {
  CHECK_FALSE(has_member(nested(200000, false, "")));
  CHECK_FALSE(has_member("{\"a\":" + std::string(200000, '[')));
  std::string objects = "{\"a\":";
  for (int level = 0; level < 100000; ++level) objects += "{\"b\":";
  CHECK_FALSE(has_member(objects));
}

// ---- Robustness ------------------------------------------------------------------

// Whatever the bytes, the reader answers and stays inside them (AddressSanitizer
// watches the exact-size copies in the host-debug build). A fixed seed makes a
// failure repeat.
TEST(JsonStringMember, RandomAndMutatedInputsNeverReadOutsideTheText) {
  std::mt19937 generator(20240613u);
  const std::string alphabet = "{}[]\":,\\/ \t\r\nuUbfnrtaeE0123456789.+-lsxdDcC\x01\x7f\xc3\xa9";
  const std::vector<std::string> seeds = {
      std::string(kVicCloudParameters),
      R"({"q":"\ud83d\ude00 \u003c\u0026\u003e \" \\ \/ \b\f\n\r\t"})",
      R"({"o":{"a":[1,{"b":"}"}],"c":{}},"n":-0.5e+3,"t":true,"f":false,"z":null,"q":"v"})",
      nested(31, false, ""),
  };
  int found = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string input;
    if (round % 4 == 0) {
      // Random bytes of any value.
      const std::size_t length = generator() % 64;
      for (std::size_t i = 0; i < length; ++i) input.push_back(static_cast<char>(generator() & 0xFF));
    } else if (round % 4 == 1) {
      // Random characters JSON is made of.
      const std::size_t length = generator() % 96;
      for (std::size_t i = 0; i < length; ++i) input.push_back(alphabet[generator() % alphabet.size()]);
    } else {
      // A valid text with a few bytes replaced, inserted, removed, or cut off.
      input = seeds[generator() % seeds.size()];
      const int mutations = 1 + static_cast<int>(generator() % 4);
      for (int m = 0; m < mutations && !input.empty(); ++m) {
        const std::size_t at = generator() % input.size();
        switch (generator() % 4) {
          case 0:
            input[at] = alphabet[generator() % alphabet.size()];
            break;
          case 1:
            input.insert(at, 1, alphabet[generator() % alphabet.size()]);
            break;
          case 2:
            input.erase(at, 1);
            break;
          default:
            input.resize(at);
            break;
        }
      }
    }
    for (const std::string_view name : {"q", "query_text", "answer"}) {
      std::string value;
      if (member(input, name, value)) ++found;
    }
  }
  // Some mutants still hold their member: the loop reached the unescaping too.
  CHECK_TRUE(found > 0);
}
