// Standard and project headers before CppUTest's (its macros must not reach them).
#include <cstdint>
#include <set>

#include "drivers/bridge/wire_id_ledger.h"

#include <CppUTest/TestHarness.h>

using vic_r1::bridge::WireIdLedger;

namespace {

// The engine has used `first`..`last` in order (its counter counting up).
void engine_uses_range(WireIdLedger& ledger, unsigned first, unsigned last) {
  for (unsigned id = first; id <= last; ++id) ledger.note_engine_use(static_cast<std::uint8_t>(id));
}

std::uint8_t take(WireIdLedger& ledger) {
  std::uint8_t id = 0;
  CHECK_TRUE(ledger.take_for_agent(id));
  return id;
}

}  // namespace

TEST_GROUP(WireIdLedger){};

// ---- Where the agent's ids come from -------------------------------------------

TEST(WireIdLedger, FreshLedgerHandsOutIdsDownwardFrom255) {
  WireIdLedger ledger(1);
  UNSIGNED_LONGS_EQUAL(255, take(ledger));
  UNSIGNED_LONGS_EQUAL(254, take(ledger));
  UNSIGNED_LONGS_EQUAL(253, take(ledger));
  CHECK_TRUE(ledger.agent_holds(255));
  CHECK_FALSE(ledger.engine_holds(255));
}

TEST(WireIdLedger, AgentGetsTheFreeIdJustBehindTheEnginesLastOne) {
  // The engine counted 1..40; 36..40 still await their last reply.
  WireIdLedger ledger(1);
  engine_uses_range(ledger, 1, 40);
  for (std::uint8_t id = 1; id <= 35; ++id) ledger.note_engine_done(id);

  UNSIGNED_LONGS_EQUAL(35, take(ledger));
  UNSIGNED_LONGS_EQUAL(34, take(ledger));
  for (std::uint8_t id = 36; id <= 40; ++id) {
    CHECK_TRUE(ledger.engine_holds(id));
    CHECK_FALSE(ledger.agent_holds(id));
  }
}

TEST(WireIdLedger, AfterAnEngineRestartIdsWalkBackFromTheNewCounter) {
  // The old process got to 2 (1 over); a new one counts from 1 again.
  WireIdLedger ledger(1);
  engine_uses_range(ledger, 1, 2);
  ledger.note_engine_done(1);
  ledger.engine_restarted(0);

  UNSIGNED_LONGS_EQUAL(255, take(ledger));
  CHECK_FALSE(ledger.note_engine_use(1));  // the new engine's first id is no collision
  CHECK_TRUE(ledger.engine_holds(2));      // the old process's last one is not free yet
}

TEST(WireIdLedger, WalkBackFollowsTheEnginesLatestId) {
  WireIdLedger ledger(1);
  ledger.note_engine_use(100);
  UNSIGNED_LONGS_EQUAL(99, take(ledger));
  ledger.note_engine_use(101);
  // 100 is the engine's, 99 the agent's already.
  UNSIGNED_LONGS_EQUAL(98, take(ledger));
}

TEST(WireIdLedger, WalkBackWrapsPastZeroSkippingReservedIds) {
  WireIdLedger ledger(6);
  ledger.note_engine_use(7);
  UNSIGNED_LONGS_EQUAL(6, take(ledger));
  UNSIGNED_LONGS_EQUAL(255, take(ledger));
  UNSIGNED_LONGS_EQUAL(254, take(ledger));
}

TEST(WireIdLedger, IdsBelowFirstUsableAreNeverHandedOut) {
  WireIdLedger ledger(6);
  std::set<unsigned> taken;
  std::uint8_t id = 0;
  while (ledger.take_for_agent(id)) {
    CHECK_TRUE_TEXT(id >= 6, "a reserved id was handed out");
    CHECK_TRUE_TEXT(taken.insert(id).second, "an id was handed out twice");
  }
  UNSIGNED_LONGS_EQUAL(250, taken.size());
}

TEST(WireIdLedger, FirstUsableZeroStillNeverHandsOutZero) {
  WireIdLedger ledger(0);
  std::set<unsigned> taken;
  std::uint8_t id = 0;
  while (ledger.take_for_agent(id)) taken.insert(id);
  UNSIGNED_LONGS_EQUAL(255, taken.size());
  CHECK_TRUE(taken.count(0) == 0);
}

TEST(WireIdLedger, ExhaustionReturnsFalseAndLeavesTheOutputAlone) {
  // 128 usable ids, all in the engine's hands (no more than can be fresh at once).
  WireIdLedger ledger(128);
  engine_uses_range(ledger, 128, 255);
  std::uint8_t id = 77;
  CHECK_FALSE(ledger.take_for_agent(id));
  UNSIGNED_LONGS_EQUAL(77, id);

  ledger.note_engine_done(200);
  UNSIGNED_LONGS_EQUAL(200, take(ledger));
  CHECK_FALSE(ledger.take_for_agent(id));
}

TEST(WireIdLedger, AgentAndEngineTogetherExhaustTheIds) {
  WireIdLedger ledger(6);
  engine_uses_range(ledger, 6, 100);
  std::set<unsigned> taken;
  std::uint8_t id = 0;
  while (ledger.take_for_agent(id)) taken.insert(id);
  UNSIGNED_LONGS_EQUAL(155, taken.size());
  UNSIGNED_LONGS_EQUAL(101, *taken.begin());
  UNSIGNED_LONGS_EQUAL(255, *taken.rbegin());
}

TEST(WireIdLedger, EngineCannotHoldMoreThan128IdsAtOnce) {
  // Only the last 128 of the engine's uses count: older ids without a final
  // reply are taken to be ids whose reply never came.
  WireIdLedger ledger(1);
  engine_uses_range(ledger, 1, 255);
  CHECK_FALSE(ledger.engine_holds(127));
  CHECK_TRUE(ledger.engine_holds(128));
  UNSIGNED_LONGS_EQUAL(127, take(ledger));
}

// ---- Giving ids back ----------------------------------------------------------

TEST(WireIdLedger, ReleasedAgentIdIsHandedOutAgain) {
  WireIdLedger ledger(1);
  UNSIGNED_LONGS_EQUAL(255, take(ledger));
  ledger.release_agent(255);
  CHECK_FALSE(ledger.agent_holds(255));
  UNSIGNED_LONGS_EQUAL(255, take(ledger));
}

TEST(WireIdLedger, EngineDoneFreesItsIdForTheAgent) {
  WireIdLedger ledger(1);
  ledger.note_engine_use(20);
  ledger.note_engine_use(21);
  UNSIGNED_LONGS_EQUAL(19, take(ledger));
  ledger.note_engine_done(20);
  CHECK_FALSE(ledger.engine_holds(20));
  UNSIGNED_LONGS_EQUAL(20, take(ledger));
}

TEST(WireIdLedger, EngineDoneLeavesAnAgentIdWithTheAgent) {
  WireIdLedger ledger(1);
  UNSIGNED_LONGS_EQUAL(255, take(ledger));
  ledger.note_engine_done(255);
  CHECK_TRUE(ledger.agent_holds(255));
}

TEST(WireIdLedger, ReleasingAnIdTheAgentDoesNotHoldLeavesTheEnginesUse) {
  WireIdLedger ledger(1);
  ledger.note_engine_use(30);
  ledger.release_agent(30);
  CHECK_TRUE(ledger.engine_holds(30));
}

// ---- Collisions -----------------------------------------------------------------

TEST(WireIdLedger, EngineTakingAnAgentIdSaysSoAndTheEngineWins) {
  WireIdLedger ledger(1);
  UNSIGNED_LONGS_EQUAL(255, take(ledger));

  CHECK_TRUE(ledger.note_engine_use(255));
  CHECK_FALSE(ledger.agent_holds(255));
  CHECK_TRUE(ledger.engine_holds(255));

  // A late release by the agent must not free the engine's id.
  ledger.release_agent(255);
  CHECK_TRUE(ledger.engine_holds(255));
  // The engine using it again is no collision.
  CHECK_FALSE(ledger.note_engine_use(255));
}

TEST(WireIdLedger, EngineUsingAFreeIdIsNoCollision) {
  WireIdLedger ledger(1);
  CHECK_FALSE(ledger.note_engine_use(12));
  CHECK_TRUE(ledger.engine_holds(12));
}

// ---- Engine ids that never get a final reply -----------------------------------

TEST(WireIdLedger, EngineIdGoesStaleAfter128FurtherEngineUses) {
  WireIdLedger ledger(1);
  ledger.note_engine_use(10);  // e.g. an unknown clip: no Ended will ever come
  for (int use = 0; use < 127; ++use) ledger.note_engine_use(11);
  CHECK_TRUE(ledger.engine_holds(10));
  UNSIGNED_LONGS_EQUAL(9, take(ledger));

  ledger.note_engine_use(11);
  CHECK_FALSE(ledger.engine_holds(10));
  CHECK_TRUE(ledger.engine_holds(11));
  UNSIGNED_LONGS_EQUAL(10, take(ledger));
  CHECK_TRUE(ledger.agent_holds(10));
}

TEST(WireIdLedger, EngineReusingAnIdRefreshesIt) {
  WireIdLedger ledger(1);
  ledger.note_engine_use(10);
  for (int use = 0; use < 200; ++use) {
    ledger.note_engine_use(11);
    ledger.note_engine_use(10);
  }
  CHECK_TRUE(ledger.engine_holds(10));
  CHECK_TRUE(ledger.engine_holds(11));
}
