// Standard headers before CppUTest's (its macros must not reach them).
#include <sstream>
#include <string>
#include <vector>

#include "agent/cli/command_line.h"

#include <CppUTest/TestHarness.h>

namespace {

struct Invocation {
  int status;
  std::string out;
  std::string err;
};

Invocation invoke(const std::vector<std::string>& arguments) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = vic_r1::cli::run_command_line(arguments, out, err);
  return {status, out.str(), err.str()};
}

}  // namespace

TEST_GROUP(CommandLine){};

TEST(CommandLine, NoVerbPrintsUsageToStderrAndExitsTwo) {
  const Invocation result = invoke({});
  LONGS_EQUAL(2, result.status);
  STRCMP_EQUAL("", result.out.c_str());
  STRCMP_CONTAINS("usage: vic-r1 VERB", result.err.c_str());
}

TEST(CommandLine, UnknownVerbIsNamedAndExitsTwo) {
  const Invocation result = invoke({"fly"});
  LONGS_EQUAL(2, result.status);
  STRCMP_EQUAL("", result.out.c_str());
  STRCMP_CONTAINS("unknown verb 'fly'", result.err.c_str());
}

TEST(CommandLine, VersionWritesTheReportToStdoutOnly) {
  const Invocation result = invoke({"version"});
  LONGS_EQUAL(0, result.status);
  STRCMP_EQUAL("", result.err.c_str());
  STRCMP_CONTAINS("vic-r1 ", result.out.c_str());
  STRCMP_CONTAINS("tls: Mbed TLS 3.6.", result.out.c_str());
}

TEST(CommandLine, VersionRejectsExtraArguments) {
  const Invocation result = invoke({"version", "--verbose"});
  LONGS_EQUAL(2, result.status);
  STRCMP_EQUAL("", result.out.c_str());
  STRCMP_CONTAINS("'--verbose'", result.err.c_str());
}

TEST(CommandLine, HelpGoesToStdoutAndSucceeds) {
  const Invocation result = invoke({"--help"});
  LONGS_EQUAL(0, result.status);
  STRCMP_CONTAINS("version", result.out.c_str());
}

TEST(CommandLine, MillisecondsAreOneToNineDigitsAndNotZero) {
  using vic_r1::cli::parse_milliseconds;
  std::uint64_t value = 7;
  CHECK_TRUE(parse_milliseconds("1", value));
  UNSIGNED_LONGS_EQUAL(1, value);
  CHECK_TRUE(parse_milliseconds("999999999", value));
  UNSIGNED_LONGS_EQUAL(999999999u, value);
  for (const char* bad : {"", "0", "000", "1000000000", "-5", "5ms", " 5", "1.5"}) {
    value = 7;
    CHECK_FALSE_TEXT(parse_milliseconds(bad, value), bad);
    UNSIGNED_LONGS_EQUAL(7, value);
  }
}

TEST(CommandLine, WholeNumbersAreDigitsWithinTheirRange) {
  using vic_r1::cli::parse_whole_number;
  std::uint64_t value = 7;
  CHECK_TRUE(parse_whole_number("0", 0, 10, value));
  UNSIGNED_LONGS_EQUAL(0, value);
  CHECK_TRUE(parse_whole_number("10", 0, 10, value));
  UNSIGNED_LONGS_EQUAL(10, value);
  for (const char* bad : {"11", "", "+1", "-1", "1e3", "0x5", " 1", "1 "}) {
    value = 7;
    CHECK_FALSE_TEXT(parse_whole_number(bad, 0, 10, value), bad);
    UNSIGNED_LONGS_EQUAL(7, value);
  }
  CHECK_FALSE(parse_whole_number("4", 5, 10, value));
}
