// Standard and project headers before CppUTest's (its macros must not reach them).
#include <unistd.h>

#include <string>
#include <thread>

#include "drivers/bridge/interposition_wait.h"
#include "drivers/ipc/unix_datagram_socket.h"
#include "tests/unit/support/bound_socket.h"
#include "tests/unit/support/temporary_directory.h"

#include <CppUTest/TestHarness.h>

using vic_r1::bridge::InterpositionWait;
using vic_r1::bridge::wait_for_interposition;
using vic_r1::ipc::UnixDatagramSocket;
using vic_r1::test::TemporaryDirectory;
using vic_r1::test::bound_socket;

// Real sockets arranged as vic-r1 leaves them: its tap socket bound under
// vic-r1.ai_sock, and ai_sock a hard link to it once it took the path.

TEST_GROUP(InterpositionWait) { TemporaryDirectory directory; };

TEST(InterpositionWait, ReturnsAtOnceWhenVicR1HoldsThePath) {
  UnixDatagramSocket tap = bound_socket(directory.file("vic-r1.ai_sock"));
  CHECK_EQUAL(0, ::link(directory.file("vic-r1.ai_sock").c_str(), directory.file("ai_sock").c_str()));
  CHECK_TRUE(wait_for_interposition(directory.path(), "ai_sock", 5000) == InterpositionWait::kTaken);
}

TEST(InterpositionWait, ReturnsAtOnceWhenVicR1IsNotRunning) {
  UnixDatagramSocket engine = bound_socket(directory.file("ai_sock"));
  // No vic-r1 socket at all, or one left by a vic-r1 that is gone.
  CHECK_TRUE(wait_for_interposition(directory.path(), "ai_sock", 60000) == InterpositionWait::kNoBridge);
  bound_socket(directory.file("vic-r1.ai_sock"));  // closed at once: a stale file
  CHECK_TRUE(wait_for_interposition(directory.path(), "ai_sock", 60000) == InterpositionWait::kNoBridge);
}

TEST(InterpositionWait, WaitsWhileVicR1RunsAndGivesUpAtTheDeadline) {
  UnixDatagramSocket tap = bound_socket(directory.file("vic-r1.ai_sock"));
  UnixDatagramSocket engine = bound_socket(directory.file("ai_sock"));
  CHECK_TRUE(wait_for_interposition(directory.path(), "ai_sock", 100) == InterpositionWait::kTimedOut);
}

TEST(InterpositionWait, SeesVicR1TakeThePathWhileItWaits) {
  UnixDatagramSocket tap = bound_socket(directory.file("vic-r1.ai_sock"));
  std::thread taker([&] {
    ::usleep(150 * 1000);
    ::link(directory.file("vic-r1.ai_sock").c_str(), directory.file("ai_sock").c_str());
  });
  const InterpositionWait result = wait_for_interposition(directory.path(), "ai_sock", 10000);
  taker.join();
  CHECK_TRUE(result == InterpositionWait::kTaken);
}

TEST(InterpositionWait, KnowsTheAnimSocketAndNoOther) {
  UnixDatagramSocket ours = bound_socket(directory.file("vic-r1.engine_anim_server"));
  CHECK_EQUAL(0, ::link(directory.file("vic-r1.engine_anim_server").c_str(),
                        directory.file("_engine_anim_server_0").c_str()));
  CHECK_TRUE(wait_for_interposition(directory.path(), "_engine_anim_server_0", 1000) == InterpositionWait::kTaken);
  CHECK_TRUE(wait_for_interposition(directory.path(), "mic_sock", 1000) == InterpositionWait::kUnknownSocket);
}
