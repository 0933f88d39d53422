// Standard and project headers before CppUTest's (its macros must not reach them).
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "drivers/bridge/bridge_recovery.h"
#include "tests/unit/support/temporary_directory.h"

#include <CppUTest/TestHarness.h>

using vic_r1::bridge::kFailureWindowS;
using vic_r1::bridge::plan_recovery;
using vic_r1::bridge::record_failure;
using vic_r1::bridge::RecoveryPlan;
using vic_r1::test::TemporaryDirectory;

TEST_GROUP(BridgeRecovery) { TemporaryDirectory directory; };

TEST(BridgeRecovery, AVicR1ThatNeverGotInNeedsNoRestart) {
  const RecoveryPlan plan = plan_recovery(false, {100});
  CHECK_FALSE(plan.restart_robot);
  CHECK_FALSE(plan.give_up_on_vic_r1);
  STRCMP_CONTAINS("nothing needs restarting", plan.explanation.c_str());
}

TEST(BridgeRecovery, AFailureAfterGettingInRestartsTheRobotsProcesses) {
  const RecoveryPlan plan = plan_recovery(true, {100});
  CHECK_TRUE(plan.restart_robot);
  CHECK_FALSE(plan.give_up_on_vic_r1);
  STRCMP_CONTAINS("anki-robot.target", plan.explanation.c_str());
}

TEST(BridgeRecovery, TheThirdFailureWithinTenMinutesGivesVicR1Up) {
  CHECK_FALSE(plan_recovery(true, {100, 200}).give_up_on_vic_r1);
  const RecoveryPlan third = plan_recovery(true, {100, 200, 300});
  CHECK_TRUE(third.restart_robot);
  CHECK_TRUE(third.give_up_on_vic_r1);
  STRCMP_CONTAINS("masked until the next boot", third.explanation.c_str());
}

TEST(BridgeRecovery, FailuresOlderThanTheWindowDoNotCount) {
  CHECK_FALSE(plan_recovery(true, {100, 200, 200 + kFailureWindowS + 1}).give_up_on_vic_r1);
  CHECK_TRUE(plan_recovery(true, {100, 200, 100 + kFailureWindowS}).give_up_on_vic_r1);
}

TEST(BridgeRecovery, TheRecordKeepsThisBootsFailuresInOrder) {
  const std::string path = directory.file("failures");
  std::string error;
  LONGS_EQUAL(1, record_failure(path, 50, error).size());
  const std::vector<std::uint64_t> failures = record_failure(path, 70, error);
  STRCMP_EQUAL("", error.c_str());
  LONGS_EQUAL(2, failures.size());
  UNSIGNED_LONGS_EQUAL(50, failures[0]);
  UNSIGNED_LONGS_EQUAL(70, failures[1]);
}

TEST(BridgeRecovery, ARecordFromAnotherBootOrGarbageIsNotCounted) {
  const std::string path = directory.file("failures");
  std::ofstream(path) << "900\nnot a number\n12x\n40\n";
  std::string error;
  const std::vector<std::uint64_t> failures = record_failure(path, 60, error);
  LONGS_EQUAL(2, failures.size());  // 900 is later than now: another boot's
  UNSIGNED_LONGS_EQUAL(40, failures[0]);
  UNSIGNED_LONGS_EQUAL(60, failures[1]);
}

TEST(BridgeRecovery, TheRecordStaysShort) {
  const std::string path = directory.file("failures");
  std::string error;
  std::vector<std::uint64_t> failures;
  for (std::uint64_t at = 1; at <= 25; ++at) failures = record_failure(path, at, error);
  LONGS_EQUAL(10, failures.size());
  UNSIGNED_LONGS_EQUAL(25, failures.back());
}

TEST(BridgeRecovery, AnUnwritableRecordIsReportedAndTheFailureStillCounts) {
  std::string error;
  const std::vector<std::uint64_t> failures = record_failure(directory.file("no/such/dir/failures"), 5, error);
  LONGS_EQUAL(1, failures.size());
  STRCMP_CONTAINS("cannot write", error.c_str());
}
