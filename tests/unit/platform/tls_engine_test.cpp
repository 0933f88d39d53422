// The TLS layer against a real, independent peer: tls_peer.py (Python's ssl,
// i.e. OpenSSL) serving on loopback with a test PKI made at test time. CTest
// starts the peer around this binary and names its directory in
// VIC_R1_TLS_PEER_DIR (see tests/CMakeLists.txt), on the host and under qemu.

// Standard, Boost and project headers before CppUTest's (its macros must not reach them).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "platform/tls/tls_client_context.h"
#include "platform/tls/tls_engine.h"
#include "platform/tls/tls_failure.h"
#include "platform/tls/tls_stream.h"
#include "tests/unit/platform/tls_peer_directory.h"

#include <CppUTest/TestHarness.h>

using vic_r1::platform::TlsClientContext;
using vic_r1::platform::TlsClientSettings;
using vic_r1::platform::TlsEngine;
using vic_r1::platform::TlsFailure;
using vic_r1::platform::TlsFailureKind;
using vic_r1::platform::TlsStream;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

// Generous for qemu on a busy machine; a passing run takes far less.
constexpr auto kWait = std::chrono::seconds(60);

using tls_peer::Peer;
using tls_peer::PublicKeyPin;
using tls_peer::read_file;

const Peer& the_peer() {
  const Peer* peer = tls_peer::load();
  if (peer == nullptr) FAIL(tls_peer::kNotRunningMessage);
  return *peer;
}

std::unique_ptr<TlsClientContext> make_context(std::optional<PublicKeyPin> pin = std::nullopt) {
  TlsFailure failure;
  auto context = TlsClientContext::create({the_peer().ca_file(), pin}, failure);
  if (!context) FAIL(("the test CA does not load: " + failure.detail).c_str());
  return context;
}

std::string describe(const error_code& ec) {
  if (!ec) return "success";
  if (ec.category() == vic_r1::platform::tls_error_category()) {
    return std::string("tls:") + tls_failure_kind_name(static_cast<TlsFailureKind>(ec.value()));
  }
  return std::string(ec.category().name()) + ":" + ec.message();
}

std::string expected_tls(TlsFailureKind kind) { return std::string("tls:") + tls_failure_kind_name(kind); }

// A directory under $TMPDIR (or /tmp), removed with its files.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/vic-r1-tls-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TemporaryDirectory() {
    for (const auto& file : files_) ::unlink(file.c_str());
    if (!path_.empty()) ::rmdir(path_.c_str());
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  std::string write(const std::string& name, const std::string& contents) {
    const std::string path = path_ + "/" + name;
    std::ofstream(path, std::ios::binary) << contents;
    files_.push_back(path);
    return path;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<std::string> files_;
};

// ---- Asio plumbing for the stream tests --------------------------------------

// One TLS connection to a peer mode, driven to completion step by step.
class Session {
 public:
  Session(TlsClientContext& context, const std::string& mode, std::string host_name = "localhost") {
    tcp::socket socket(io_);
    error_code ec;
    socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), the_peer().port(mode)), ec);
    if (ec) FAIL(("cannot connect to the peer's " + mode + " server: " + ec.message()).c_str());
    stream_ = std::make_unique<TlsStream>(std::move(socket), context, std::move(host_name));
  }

  TlsStream& stream() { return *stream_; }
  TlsEngine& engine() { return stream_->engine(); }
  asio::io_context& io() { return io_; }

  // Runs the io_context until nothing is left to do (bounded).
  void run() {
    io_.restart();
    io_.run_for(kWait);
  }

  error_code handshake() {
    std::optional<error_code> result;
    stream_->async_handshake([&](error_code ec) { result = ec; });
    run();
    if (!result) FAIL("the handshake did not complete");
    return *result;
  }

  struct Reply {
    error_code ec;
    http::response<http::string_body> response;
  };

  // One HTTP/1.1 POST through Beast over the TLS stream; the peer echoes the body.
  Reply exchange(const std::string& body, bool close = false) {
    http::request<http::string_body> request{http::verb::post, "/echo", 11};
    request.set(http::field::host, "localhost");
    if (close) request.set(http::field::connection, "close");
    request.body() = body;
    request.prepare_payload();
    Reply reply;
    bool done = false;
    boost::beast::flat_buffer buffer;
    http::async_write(*stream_, request, [&](error_code ec, std::size_t) {
      if (ec) {
        reply.ec = ec;
        done = true;
        return;
      }
      http::async_read(*stream_, buffer, reply.response, [&](error_code read_ec, std::size_t) {
        reply.ec = read_ec;
        done = true;
      });
    });
    run();
    if (!done) FAIL("the HTTP exchange did not complete");
    return reply;
  }

  error_code shutdown() {
    std::optional<error_code> result;
    stream_->async_shutdown([&](error_code ec) { result = ec; });
    run();
    if (!result) FAIL("the shutdown did not complete");
    return *result;
  }

  // The next read's error (and how many bytes it got).
  std::pair<error_code, std::size_t> read_some(std::size_t capacity = 256) {
    std::optional<std::pair<error_code, std::size_t>> result;
    read_buffer_.resize(capacity);
    stream_->async_read_some(asio::buffer(read_buffer_), [&](error_code ec, std::size_t n) { result = {ec, n}; });
    run();
    if (!result) FAIL("the read did not complete");
    return *result;
  }
  std::string last_read(std::size_t n) const { return read_buffer_.substr(0, n); }

  // Closes the socket after `delay`, as the HTTP layer's deadlines do.
  void close_after(std::chrono::milliseconds delay) {
    timer_ = std::make_unique<asio::steady_timer>(io_, delay);
    timer_->async_wait([this](error_code) { stream_->next_layer().close(); });
  }

 private:
  asio::io_context io_;
  std::unique_ptr<TlsStream> stream_;
  std::unique_ptr<asio::steady_timer> timer_;
  std::string read_buffer_;
};

// Checks a handshake's outcome; on a surprise the message has the engine's detail.
#define CHECK_HANDSHAKE(expected, session)                                               \
  do {                                                                                   \
    const error_code handshake_result = (session).handshake();                           \
    STRCMP_EQUAL_TEXT(std::string(expected).c_str(), describe(handshake_result).c_str(), \
                      (session).engine().failure().detail.c_str());                      \
  } while (false)

std::string header(const http::response<http::string_body>& response, const char* name) {
  const auto found = response.find(name);
  return found == response.end() ? std::string("(missing)") : std::string(found->value());
}

// ---- Blocking-socket plumbing for the sans-I/O engine tests -------------------

class BlockingSocket {
 public:
  explicit BlockingSocket(unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval timeout{};
    timeout.tv_sec = static_cast<decltype(timeout.tv_sec)>(kWait.count());
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      FAIL("cannot connect to the peer");
    }
  }
  ~BlockingSocket() { ::close(fd_); }
  BlockingSocket(const BlockingSocket&) = delete;
  BlockingSocket& operator=(const BlockingSocket&) = delete;

  void send_all(TlsEngine& engine) {
    while (!engine.pending_output().empty()) {
      const std::string_view output = engine.pending_output();
      const ssize_t sent = ::send(fd_, output.data(), output.size(), MSG_NOSIGNAL);
      if (sent <= 0) FAIL("sending to the peer failed");
      engine.consume_output(static_cast<std::size_t>(sent));
    }
  }
  std::string receive() {
    char buffer[4096];
    const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
    if (got <= 0) FAIL("the peer closed or did not answer in time");
    return std::string(buffer, static_cast<std::size_t>(got));
  }

 private:
  int fd_;
};

// Runs `step` until it stops asking for input, feeding the received bytes
// one at a time and retrying after each: every record and handshake message
// arrives split at every possible offset.
template <class Step>
TlsEngine::Status drive_byte_by_byte(TlsEngine& engine, BlockingSocket& socket, Step step) {
  TlsEngine::Status status = step();
  while (status == TlsEngine::Status::kWantRead) {
    socket.send_all(engine);
    const std::string received = socket.receive();
    for (std::size_t i = 0; i < received.size(); ++i) {
      engine.put_received(std::string_view(received).substr(i, 1));
      if (status == TlsEngine::Status::kWantRead) status = step();
    }
  }
  socket.send_all(engine);
  return status;
}

std::string current_year() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return std::to_string(utc.tm_year + 1900);
}

}  // namespace

// ==== TlsClientContext ========================================================

TEST_GROUP(TlsClientContext){};

TEST(TlsClientContext, MissingCaFileFailsWithConfigurationNamingThePathAndReason) {
  TlsFailure failure;
  const auto context = TlsClientContext::create({"/nonexistent/vic-r1/ca.pem", std::nullopt}, failure);
  CHECK_TRUE(context == nullptr);
  STRCMP_EQUAL("configuration", tls_failure_kind_name(failure.kind));
  STRCMP_CONTAINS("/nonexistent/vic-r1/ca.pem", failure.detail.c_str());
  STRCMP_CONTAINS("No such file or directory", failure.detail.c_str());
}

TEST(TlsClientContext, CaFileWithoutCertificatesFailsWithConfigurationNamingTheFile) {
  TemporaryDirectory directory;
  for (const char* contents : {"", "not a certificate\n"}) {
    const std::string path = directory.write("empty.pem", contents);
    TlsFailure failure;
    CHECK_TRUE(TlsClientContext::create({path, std::nullopt}, failure) == nullptr);
    STRCMP_EQUAL("configuration", tls_failure_kind_name(failure.kind));
    STRCMP_CONTAINS(path.c_str(), failure.detail.c_str());
    STRCMP_CONTAINS("holds no certificate", failure.detail.c_str());
  }
}

TEST(TlsClientContext, EmptyCaFileSettingFailsWithConfiguration) {
  TlsFailure failure;
  CHECK_TRUE(TlsClientContext::create({"", std::nullopt}, failure) == nullptr);
  STRCMP_EQUAL("configuration", tls_failure_kind_name(failure.kind));
  STRCMP_CONTAINS("no CA file", failure.detail.c_str());
}

TEST(TlsClientContext, BundleLoadsEveryCertificateInIt) {
  TemporaryDirectory directory;
  const std::string bundle = directory.write("bundle.pem", read_file(the_peer().ca_file()) +
                                                               read_file(the_peer().directory + "/other_ca.pem"));
  TlsFailure failure;
  const auto context = TlsClientContext::create({bundle, std::nullopt}, failure);
  CHECK_TRUE(context != nullptr);
  CHECK_EQUAL(2u, context->ca_certificates_loaded());
  CHECK_EQUAL(0u, context->ca_certificates_skipped());
  STRCMP_EQUAL(bundle.c_str(), context->ca_file().c_str());
}

TEST(TlsClientContext, ACaFileOthersMayChangeIsRefused) {
  TemporaryDirectory directory;
  const std::string bundle = directory.write("bundle.pem", read_file(the_peer().ca_file()));
  LONGS_EQUAL(0, ::chmod(bundle.c_str(), 0646));
  TlsFailure failure;
  CHECK_TRUE(TlsClientContext::create({bundle, std::nullopt}, failure) == nullptr);
  STRCMP_EQUAL("configuration", tls_failure_kind_name(failure.kind));
  STRCMP_EQUAL(("the CA file " + bundle +
                " can be changed by users other than its owner (mode 0646), who could "
                "make vic-r1 trust a server of theirs; run: chmod go-w " +
                bundle)
                   .c_str(),
               failure.detail.c_str());
}

// ==== TlsEngine (sans-I/O, over a blocking socket) ==========================

TEST_GROUP(TlsEngine){};

TEST(TlsEngine, EmptyHostNameIsRefusedBeforeAnyByteIsSent) {
  const auto context = make_context();
  TlsEngine engine(*context, "");
  CHECK_TRUE(engine.handshake() == TlsEngine::Status::kFailed);
  STRCMP_EQUAL("configuration", tls_failure_kind_name(engine.failure().kind));
  CHECK_TRUE(engine.pending_output().empty());
}

TEST(TlsEngine, Tls13HandshakeAndEchoSurviveCiphertextArrivingOneByteAtATime) {
  const auto context = make_context();
  TlsEngine engine(*context, "localhost");
  BlockingSocket socket(the_peer().port("valid"));
  const TlsEngine::Status handshake = drive_byte_by_byte(engine, socket, [&] { return engine.handshake(); });
  CHECK_TRUE_TEXT(handshake == TlsEngine::Status::kDone, engine.failure().detail.c_str());
  STRCMP_EQUAL("TLSv1.3", engine.negotiated_protocol().c_str());

  const std::string request = "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello";
  std::size_t written = 0;
  CHECK_TRUE(engine.write(request, written) == TlsEngine::Status::kDone);
  CHECK_EQUAL(request.size(), written);
  std::string response;
  while (response.find("\r\n\r\nhello") == std::string::npos) {
    char buffer[64];
    std::size_t got = 0;
    const auto status =
        drive_byte_by_byte(engine, socket, [&] { return engine.read(buffer, sizeof buffer, got); });
    CHECK_TRUE(status == TlsEngine::Status::kDone);
    response.append(buffer, got);
  }
  STRCMP_CONTAINS("HTTP/1.1 200 OK", response.c_str());
  // The NewSessionTickets came in front of the response and were kept.
  CHECK_TRUE(context->has_saved_session("localhost"));
}

TEST(TlsEngine, Tls12HandshakeSurvivesCiphertextArrivingOneByteAtATime) {
  const auto context = make_context();
  TlsEngine engine(*context, "localhost");
  BlockingSocket socket(the_peer().port("tls12"));
  const TlsEngine::Status handshake = drive_byte_by_byte(engine, socket, [&] { return engine.handshake(); });
  CHECK_TRUE_TEXT(handshake == TlsEngine::Status::kDone, engine.failure().detail.c_str());
  STRCMP_EQUAL("TLSv1.2", engine.negotiated_protocol().c_str());
  STRCMP_EQUAL("http/1.1", engine.negotiated_alpn().c_str());
  CHECK_TRUE(context->has_saved_session("localhost"));
}

TEST(TlsEngine, FailureIsFinalForEveryLaterOperation) {
  const auto context = make_context();
  TlsEngine engine(*context, "localhost");
  BlockingSocket socket(the_peer().port("unknown_ca"));
  CHECK_TRUE(drive_byte_by_byte(engine, socket, [&] { return engine.handshake(); }) == TlsEngine::Status::kFailed);
  STRCMP_EQUAL("unknown-ca", tls_failure_kind_name(engine.failure().kind));
  std::size_t count = 0;
  char buffer[16];
  CHECK_TRUE(engine.write("late", count) == TlsEngine::Status::kFailed);
  CHECK_TRUE(engine.read(buffer, sizeof buffer, count) == TlsEngine::Status::kFailed);
  CHECK_TRUE(engine.handshake() == TlsEngine::Status::kFailed);
  CHECK_TRUE(engine.shutdown() == TlsEngine::Status::kFailed);
  STRCMP_EQUAL("unknown-ca", tls_failure_kind_name(engine.failure().kind));
}

// ==== TlsStream (Asio, Beast) ===============================================

TEST_GROUP(TlsStream){};

TEST(TlsStream, ValidCertificateHandshakesAndBeastEchoesARequest) {
  const auto context = make_context();
  Session session(*context, "valid");
  CHECK_HANDSHAKE("success", session);
  STRCMP_EQUAL("TLSv1.3", session.engine().negotiated_protocol().c_str());
  STRCMP_EQUAL("http/1.1", session.engine().negotiated_alpn().c_str());
  CHECK_FALSE(session.engine().session_resumed());

  const auto reply = session.exchange("why is the sky blue?");
  STRCMP_EQUAL("success", describe(reply.ec).c_str());
  CHECK_EQUAL(200, reply.response.result_int());
  STRCMP_EQUAL("why is the sky blue?", reply.response.body().c_str());
  STRCMP_EQUAL("TLSv1.3", header(reply.response, "X-Tls-Version").c_str());
  STRCMP_EQUAL("http/1.1", header(reply.response, "X-Tls-Alpn").c_str());
  STRCMP_EQUAL("localhost", header(reply.response, "X-Tls-Sni").c_str());
  STRCMP_EQUAL("no", header(reply.response, "X-Tls-Resumed").c_str());

  // Keep-alive: a second request on the same connection.
  const auto again = session.exchange("and the sunset red?");
  STRCMP_EQUAL("success", describe(again.ec).c_str());
  STRCMP_EQUAL("and the sunset red?", again.response.body().c_str());
}

TEST(TlsStream, Tls12OnlyServerNegotiatesTls12) {
  const auto context = make_context();
  Session session(*context, "tls12");
  CHECK_HANDSHAKE("success", session);
  STRCMP_EQUAL("TLSv1.2", session.engine().negotiated_protocol().c_str());
  STRCMP_CONTAINS("ECDHE-RSA", session.engine().negotiated_cipher_suite().c_str());
  const auto reply = session.exchange("twelve");
  STRCMP_EQUAL("success", describe(reply.ec).c_str());
  STRCMP_EQUAL("TLSv1.2", header(reply.response, "X-Tls-Version").c_str());
  STRCMP_EQUAL("twelve", reply.response.body().c_str());
}

TEST(TlsStream, Tls12ServerWithAnEcdsaKeyNegotiatesEcdheEcdsa) {
  const auto context = make_context();
  Session session(*context, "tls12_ecdsa");
  CHECK_HANDSHAKE("success", session);
  STRCMP_EQUAL("TLSv1.2", session.engine().negotiated_protocol().c_str());
  STRCMP_CONTAINS("ECDHE-ECDSA", session.engine().negotiated_cipher_suite().c_str());
}

// OpenSSL's defaults for TLS 1.2 with an RSA key: it signs its key
// exchange with rsa_pss_rsae_sha256 because the client offers it. Mbed TLS
// 3.6.6 refused that code point in TLS 1.2; the bootstrap's patch
// (toolchains/patches/mbedtls-3.6.6-tls12-rsa-pss-rsae.patch) lets it
// through to the RSASSA-PSS verification TLS 1.2 already has.
TEST(TlsStream, Tls12ServerSigningWithRsaPssAsOpenSslDoesByDefaultConnects) {
  const auto context = make_context();
  Session session(*context, "tls12_rsa_pss");
  CHECK_HANDSHAKE("success", session);
  STRCMP_EQUAL("TLSv1.2", session.engine().negotiated_protocol().c_str());
  const auto reply = session.exchange("pss");
  STRCMP_EQUAL("success", describe(reply.ec).c_str());
  STRCMP_EQUAL("TLSv1.2", header(reply.response, "X-Tls-Version").c_str());
  STRCMP_EQUAL("pss", reply.response.body().c_str());
}

TEST(TlsStream, Tls13OnlyServerNegotiatesTls13) {
  const auto context = make_context();
  Session session(*context, "tls13");
  CHECK_HANDSHAKE("success", session);
  STRCMP_EQUAL("TLSv1.3", session.engine().negotiated_protocol().c_str());
  const auto reply = session.exchange("thirteen");
  STRCMP_EQUAL("success", describe(reply.ec).c_str());
  STRCMP_EQUAL("TLSv1.3", header(reply.response, "X-Tls-Version").c_str());
}

TEST(TlsStream, ServerWithoutAlpnStillConnectsAndReportsNoProtocol) {
  const auto context = make_context();
  Session session(*context, "no_alpn");
  CHECK_HANDSHAKE("success", session);
  STRCMP_EQUAL("", session.engine().negotiated_alpn().c_str());
}

TEST(TlsStream, IpAddressHostIsVerifiedAgainstTheIpSubjectAltName) {
  const auto context = make_context();
  Session session(*context, "valid", "127.0.0.1");
  CHECK_HANDSHAKE("success", session);
}

TEST(TlsStream, UnknownCaFailsWithUnknownCertificateAuthority) {
  const auto context = make_context();
  Session session(*context, "unknown_ca");
  CHECK_HANDSHAKE(expected_tls(TlsFailureKind::kUnknownCertificateAuthority), session);
  STRCMP_CONTAINS(the_peer().ca_file().c_str(), session.engine().failure().detail.c_str());
}

TEST(TlsStream, WrongHostNameFailsWithHostNameMismatchEvenWhenTheCnMatches) {
  const auto context = make_context();
  Session session(*context, "wrong_host");
  CHECK_HANDSHAKE(expected_tls(TlsFailureKind::kHostNameMismatch), session);
  STRCMP_CONTAINS("not valid for the name localhost", session.engine().failure().detail.c_str());
}

TEST(TlsStream, ExpiredCertificateFailsWithCertificateExpiredAndItsDate) {
  const auto context = make_context();
  Session session(*context, "expired");
  CHECK_HANDSHAKE(expected_tls(TlsFailureKind::kCertificateExpired), session);
  STRCMP_CONTAINS("expired on 2020-01-02 00:00:00 UTC", session.engine().failure().detail.c_str());
}

TEST(TlsStream, NotYetValidCertificateFailsAndSaysTheClockMayBeWrong) {
  const auto context = make_context();
  Session session(*context, "not_yet_valid");
  const error_code ec = session.handshake();
  STRCMP_EQUAL(expected_tls(TlsFailureKind::kCertificateNotYetValid).c_str(), describe(ec).c_str());
  const std::string& detail = session.engine().failure().detail;
  STRCMP_CONTAINS("valid only from 2099-01-01 00:00:00 UTC", detail.c_str());
  STRCMP_CONTAINS("clock may be wrong after boot", detail.c_str());
  STRCMP_CONTAINS(("clock says " + current_year() + "-").c_str(), detail.c_str());
  CHECK_TRUE(ec == TlsFailureKind::kCertificateNotYetValid);
}

TEST(TlsStream, MatchingPublicKeyPinPasses) {
  const auto context = make_context(the_peer().localhost_pin);
  Session session(*context, "valid");
  CHECK_HANDSHAKE("success", session);
}

TEST(TlsStream, MismatchedPublicKeyPinFailsWithPinMismatchNamingTheActualKey) {
  PublicKeyPin wrong = the_peer().localhost_pin;
  wrong[0] ^= 0xFF;
  const auto context = make_context(wrong);
  Session session(*context, "valid");
  CHECK_HANDSHAKE(expected_tls(TlsFailureKind::kPinMismatch), session);
  // The key's hash as openssl computed it in tls_peer.py.
  const std::string actual = read_file(the_peer().directory + "/localhost.spki-sha256").substr(0, 64);
  STRCMP_CONTAINS(actual.c_str(), session.engine().failure().detail.c_str());
}

TEST(TlsStream, SecondConnectionResumesTheTls12Session) {
  const auto context = make_context();
  {
    Session first(*context, "tls12");
    CHECK_HANDSHAKE("success", first);
    CHECK_FALSE(first.engine().session_resumed());
    STRCMP_EQUAL("no", header(first.exchange("one").response, "X-Tls-Resumed").c_str());
    STRCMP_EQUAL("success", describe(first.shutdown()).c_str());
  }
  CHECK_TRUE(context->has_saved_session("localhost"));
  Session second(*context, "tls12");
  CHECK_HANDSHAKE("success", second);
  CHECK_TRUE(second.engine().session_resumed());
  const auto reply = second.exchange("two");
  STRCMP_EQUAL("yes", header(reply.response, "X-Tls-Resumed").c_str());
  STRCMP_EQUAL("TLSv1.2", header(reply.response, "X-Tls-Version").c_str());
}

TEST(TlsStream, SecondConnectionResumesTheTls13SessionFromItsTicket) {
  const auto context = make_context();
  {
    Session first(*context, "tls13");
    CHECK_HANDSHAKE("success", first);
    CHECK_FALSE(first.engine().session_resumed());
    // The ticket arrives after the handshake, ahead of the first response.
    CHECK_FALSE(context->has_saved_session("localhost"));
    STRCMP_EQUAL("no", header(first.exchange("one").response, "X-Tls-Resumed").c_str());
    CHECK_TRUE(context->has_saved_session("localhost"));
  }
  Session second(*context, "tls13");
  CHECK_HANDSHAKE("success", second);
  CHECK_TRUE(second.engine().session_resumed());
  const auto reply = second.exchange("two");
  STRCMP_EQUAL("yes", header(reply.response, "X-Tls-Resumed").c_str());
  STRCMP_EQUAL("TLSv1.3", header(reply.response, "X-Tls-Version").c_str());
  // And the resumed connection brought a fresh ticket for the next one.
  CHECK_TRUE(context->has_saved_session("localhost"));
}

TEST(TlsStream, SessionTheServerCannotResumeFallsBackToAFullHandshake) {
  const auto context = make_context();
  {
    Session first(*context, "tls13");
    CHECK_HANDSHAKE("success", first);
    STRCMP_EQUAL("success", describe(first.exchange("ticket please").ec).c_str());
  }
  // Same host name, but a server with other ticket keys: the offered ticket
  // is refused, the certificate comes, and that is no resumption.
  CHECK_TRUE(context->has_saved_session("localhost"));
  Session second(*context, "valid");
  CHECK_HANDSHAKE("success", second);
  CHECK_FALSE(second.engine().session_resumed());
  STRCMP_EQUAL("no", header(second.exchange("full").response, "X-Tls-Resumed").c_str());
}

TEST(TlsStream, SessionsAreKeptPerHostName) {
  const auto context = make_context();
  {
    Session first(*context, "tls12");
    CHECK_HANDSHAKE("success", first);
  }
  Session other_name(*context, "tls12", "127.0.0.1");
  CHECK_HANDSHAKE("success", other_name);
  CHECK_FALSE(other_name.engine().session_resumed());
}

TEST(TlsStream, ServerWithoutACommonCipherFailsTheHandshakeWithTheAlert) {
  const auto context = make_context();
  Session session(*context, "no_common_cipher");
  CHECK_HANDSHAKE(expected_tls(TlsFailureKind::kHandshakeFailed), session);
  STRCMP_CONTAINS("fatal alert", session.engine().failure().detail.c_str());
}

TEST(TlsStream, ServerSpeakingPlainHttpFailsTheHandshake) {
  const auto context = make_context();
  Session session(*context, "not_tls");
  CHECK_HANDSHAKE(expected_tls(TlsFailureKind::kHandshakeFailed), session);
}

TEST(TlsStream, LargeBodiesCrossManyRecordsBothWays) {
  const auto context = make_context();
  Session session(*context, "valid");
  CHECK_HANDSHAKE("success", session);
  std::string body(300 * 1024, '\0');
  std::uint32_t state = 12345;
  for (char& byte : body) {
    state = state * 1103515245u + 12345u;
    byte = static_cast<char>(state >> 24);
  }
  const auto reply = session.exchange(body);
  STRCMP_EQUAL("success", describe(reply.ec).c_str());
  CHECK_EQUAL(body.size(), reply.response.body().size());
  CHECK_TRUE(body == reply.response.body());
}

TEST(TlsStream, ServerCloseNotifyEndsReadsWithEof) {
  const auto context = make_context();
  Session session(*context, "valid");
  CHECK_HANDSHAKE("success", session);
  const auto reply = session.exchange("last one", /*close=*/true);
  STRCMP_EQUAL("success", describe(reply.ec).c_str());
  STRCMP_EQUAL(describe(asio::error::eof).c_str(), describe(session.read_some().first).c_str());
  CHECK_TRUE(session.engine().close_notify_received());
  // And it stays at the end.
  STRCMP_EQUAL(describe(asio::error::eof).c_str(), describe(session.read_some().first).c_str());
}

TEST(TlsStream, ShutdownSendsCloseNotifyWhichTheServerAnswers) {
  const auto context = make_context();
  Session session(*context, "valid");
  CHECK_HANDSHAKE("success", session);
  STRCMP_EQUAL("success", describe(session.exchange("bye").ec).c_str());
  STRCMP_EQUAL("success", describe(session.shutdown()).c_str());
  // The peer answers only a close_notify with its own.
  STRCMP_EQUAL(describe(asio::error::eof).c_str(), describe(session.read_some().first).c_str());
  CHECK_TRUE(session.engine().close_notify_received());
}

TEST(TlsStream, ClosingTheSocketAbortsAPendingHandshake) {
  const auto context = make_context();
  Session session(*context, "silent");
  session.close_after(std::chrono::milliseconds(100));
  CHECK_HANDSHAKE(describe(asio::error::operation_aborted), session);
}

TEST(TlsStream, ClosingTheSocketAbortsAPendingRead) {
  const auto context = make_context();
  Session session(*context, "valid");
  CHECK_HANDSHAKE("success", session);
  session.close_after(std::chrono::milliseconds(100));
  STRCMP_EQUAL(describe(asio::error::operation_aborted).c_str(), describe(session.read_some().first).c_str());
}

TEST(TlsStream, PendingReadDoesNotHoldUpAWrite) {
  // The HTTP layer may keep a read open on an idle connection (to notice the
  // server closing it) and then send the next request.
  const auto context = make_context();
  Session session(*context, "valid");
  CHECK_HANDSHAKE("success", session);
  std::string received(64, '\0');
  std::optional<std::pair<error_code, std::size_t>> read;
  session.stream().async_read_some(asio::buffer(received), [&](error_code ec, std::size_t n) { read = {ec, n}; });
  const std::string request = "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\nhi";
  std::optional<error_code> wrote;
  asio::async_write(session.stream(), asio::buffer(request), [&](error_code ec, std::size_t) { wrote = ec; });
  session.run();
  CHECK_TRUE(wrote.has_value());
  STRCMP_EQUAL("success", describe(*wrote).c_str());
  CHECK_TRUE(read.has_value());
  STRCMP_EQUAL("success", describe(read->first).c_str());
  STRCMP_EQUAL("HTTP/1.1 200 OK", received.substr(0, std::min<std::size_t>(read->second, 15)).c_str());
}

TEST(TlsStream, ReadOfAlreadyDecryptedBytesStillCompletesThroughTheExecutor) {
  const auto context = make_context();
  Session session(*context, "valid");
  CHECK_HANDSHAKE("success", session);
  const std::string request = "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\nhi";
  std::optional<error_code> wrote;
  asio::async_write(session.stream(), asio::buffer(request), [&](error_code ec, std::size_t) { wrote = ec; });
  session.run();
  STRCMP_EQUAL("success", describe(wrote.value_or(asio::error::timed_out)).c_str());

  // The first 1-byte read decrypts the whole response record; the second is
  // served from what is decrypted already, yet must not call its handler
  // from inside async_read_some (Asio's rule for every initiating function).
  const auto first = session.read_some(1);
  STRCMP_EQUAL("success", describe(first.first).c_str());
  STRCMP_EQUAL("H", session.last_read(first.second).c_str());
  char byte = 0;
  bool initiated = false;
  bool completed_inside_initiation = false;
  bool completed = false;
  session.stream().async_read_some(asio::buffer(&byte, 1), [&](error_code, std::size_t) {
    completed_inside_initiation = !initiated;
    completed = true;
  });
  initiated = true;
  session.run();
  CHECK_TRUE(completed);
  CHECK_FALSE(completed_inside_initiation);
  CHECK_EQUAL('T', byte);
}

TEST(TlsStream, ZeroSizeReadCompletesWithZeroBytes) {
  const auto context = make_context();
  Session session(*context, "valid");
  CHECK_HANDSHAKE("success", session);
  const auto result = session.read_some(0);
  STRCMP_EQUAL("success", describe(result.first).c_str());
  CHECK_EQUAL(0u, result.second);
}
