// HttpsClient and a wall clock that has not been set (Vector right after
// boot): it waits for the clock rather than fail a handshake that cannot
// succeed, and says so when the clock stays unset. Against tls_peer.py's
// "valid" server (Python's ssl), as the TLS tests are.

// Standard, Boost and project headers before CppUTest's.
#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "platform/http/endpoint.h"
#include "platform/http/http_deadlines.h"
#include "platform/http/https_client.h"
#include "platform/http/request_failure.h"
#include "platform/time/wall_clock.h"
#include "platform/tls/tls_client_context.h"
#include "tests/unit/platform/tls_peer_directory.h"

#include <CppUTest/TestHarness.h>

using vic_r1::platform::Endpoint;
using vic_r1::platform::HttpDeadlines;
using vic_r1::platform::HttpsClient;
using vic_r1::platform::kEarliestPlausibleTime;
using vic_r1::platform::RequestFailure;
using vic_r1::platform::RequestFailureKind;
using vic_r1::platform::TlsClientContext;
using vic_r1::platform::TlsFailure;

namespace {

// A clock that reads 1970 for its first `readings_while_unset` readings,
// then the real time: the robot's clock being set from the network.
std::atomic<int> readings{0};
std::atomic<int> readings_while_unset{0};

std::time_t clock_set_after_a_while() {
  return readings++ < readings_while_unset ? std::time_t{12} : std::time(nullptr);
}

struct Outcome {
  bool done = false;
  RequestFailure failure;
};

}  // namespace

TEST_GROUP(HttpsClientWallClock) {
  std::unique_ptr<TlsClientContext> tls;
  Endpoint endpoint;
  HttpDeadlines deadlines;

  void setup() override {
    const tls_peer::Peer* peer = tls_peer::load();
    if (peer == nullptr) FAIL(tls_peer::kNotRunningMessage);
    TlsFailure failure;
    tls = TlsClientContext::create({peer->ca_file(), std::nullopt}, failure);
    CHECK_TEXT(tls != nullptr, failure.detail.c_str());
    endpoint.host = "localhost";
    endpoint.port = peer->port("valid");
    readings = 0;
  }

  Outcome preconnect(HttpsClient & client, boost::asio::io_context & io) {
    Outcome outcome;
    client.preconnect([&](const RequestFailure& failure) {
      outcome.done = true;
      outcome.failure = failure;
    });
    io.run_for(std::chrono::seconds(60));
    return outcome;
  }
};

TEST(HttpsClientWallClock, WaitsForTheClockThenHandshakes) {
  readings_while_unset = 6;  // about a second of polling
  boost::asio::io_context io;
  HttpsClient client(io, *tls, endpoint, deadlines, "vic-r1-test", clock_set_after_a_while);
  const Outcome outcome = preconnect(client, io);
  CHECK_TRUE(outcome.done);
  CHECK_TEXT(!outcome.failure, vic_r1::platform::describe_request_failure(outcome.failure, "localhost").c_str());
  CHECK(readings > readings_while_unset);
  LONGS_EQUAL(1, client.full_handshakes());
}

TEST(HttpsClientWallClock, AClockThatStaysUnsetIsSaidAndNoHandshakeIsTried) {
  readings_while_unset = 1 << 30;
  deadlines.wall_clock = std::chrono::milliseconds(700);
  boost::asio::io_context io;
  HttpsClient client(io, *tls, endpoint, deadlines, "vic-r1-test", clock_set_after_a_while);
  const Outcome outcome = preconnect(client, io);
  CHECK_TRUE(outcome.done);
  CHECK(outcome.failure.kind == RequestFailureKind::kClockNotSet);
  LONGS_EQUAL(0, client.full_handshakes());
  const std::string text = vic_r1::platform::describe_request_failure(outcome.failure, "localhost");
  STRCMP_CONTAINS("the clock is not set (it still read 1970-01-01 00:00:12 UTC after 0.7 s)", text.c_str());
  STRCMP_CONTAINS("check its Wi-Fi", text.c_str());
}

TEST(HttpsClientWallClock, PlainHttpDoesNotWaitForTheClock) {
  readings_while_unset = 1 << 30;
  endpoint.encrypted = false;
  endpoint.host = "127.0.0.1";  // the peer speaks TLS: the TCP connection is all this needs
  boost::asio::io_context io;
  HttpsClient client(io, *tls, endpoint, deadlines, "vic-r1-test", clock_set_after_a_while);
  const Outcome outcome = preconnect(client, io);
  CHECK_TRUE(outcome.done);
  CHECK_FALSE(outcome.failure);
  LONGS_EQUAL(0, readings);
}
