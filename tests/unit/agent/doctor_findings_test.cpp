// Standard and project headers before CppUTest's (its macros must not reach them).
#include <optional>
#include <string>

#include "agent/cli/doctor_findings.h"

#include <CppUTest/TestHarness.h>

using vic_r1::cli::clock_finding;
using vic_r1::cli::firmware_finding;
using vic_r1::platform::kEarliestPlausibleTime;
using Verdict = vic_r1::runtime::DoctorCheck::Verdict;

TEST_GROUP(DoctorFindings){};

TEST(DoctorFindings, ClockBeforeTheReleaseWasNeverSetAndFailsWithTheFix) {
  // Vector keeps no time while off: right after boot it is back near 1970.
  const vic_r1::runtime::DoctorCheck check = clock_finding(86400, false);
  CHECK(check.verdict == Verdict::kFailed);
  STRCMP_CONTAINS("1970-01-02 00:00:00 UTC", check.detail.c_str());
  STRCMP_CONTAINS("has not been set", check.detail.c_str());
  STRCMP_CONTAINS("Wi-Fi", check.fix.c_str());
  CHECK(clock_finding(kEarliestPlausibleTime - 1, true).verdict == Verdict::kFailed);
}

TEST(DoctorFindings, PlausibleClockIsOkWhenSynchronisedAndAWarningWhenNot) {
  CHECK(clock_finding(kEarliestPlausibleTime + 3600, true).verdict == Verdict::kOk);
  const vic_r1::runtime::DoctorCheck unsynchronised = clock_finding(kEarliestPlausibleTime + 3600, false);
  CHECK(unsynchronised.verdict == Verdict::kWarning);
  STRCMP_CONTAINS("not synchronised", unsynchronised.detail.c_str());
}

TEST(DoctorFindings, KnownFirmwareIsOkWithItsLayout) {
  const vic_r1::runtime::DoctorCheck check = firmware_finding(std::string("1.8.1.6051"));
  CHECK(check.verdict == Verdict::kOk);
  STRCMP_CONTAINS("victor 1.8.1.6051", check.detail.c_str());
  STRCMP_CONTAINS("1.8", check.detail.c_str());
}

TEST(DoctorFindings, UnknownFirmwareIsAWarningThatVicR1CannotSpeak) {
  const vic_r1::runtime::DoctorCheck check = firmware_finding(std::string("0.9.0"));
  CHECK(check.verdict == Verdict::kWarning);
  STRCMP_CONTAINS("unknown firmware", check.detail.c_str());
  STRCMP_CONTAINS("cannot speak", check.fix.c_str());
}

TEST(DoctorFindings, NoVersionFileMeansThisIsNotAVector) {
  const vic_r1::runtime::DoctorCheck check = firmware_finding(std::nullopt);
  CHECK(check.verdict == Verdict::kWarning);
  STRCMP_CONTAINS("/anki/etc/version", check.detail.c_str());
}
