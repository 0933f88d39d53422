#include "platform/http/https_client.h"

#include <poll.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <limits>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "platform/http/local_network.h"
#include "platform/tls/tls_stream.h"

namespace vic_r1::platform {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

// Body bytes handed to the sink per read: one TLS record's worth.
constexpr std::size_t kBodyReadBytes = 16 * 1024;
// API front ends (Cloudflare and friends) send many headers; Beast's 8 KiB
// default is too tight for some of them.
constexpr std::uint32_t kHeaderLimitBytes = 16 * 1024;
constexpr int kMaxRetries = 2;
// How often a connection waiting for the wall clock looks at it.
constexpr auto kWallClockPoll = std::chrono::milliseconds(250);
// After the sink saw the end of the stream, how long the rest of the HTTP
// message (the last chunk) may take before the connection is given up
// instead of kept for reuse. The answer itself is complete either way.
constexpr std::chrono::milliseconds kDrainAfterStreamEnd{2000};

// Why a connection was closed under a pending operation. The operation then
// completes with an error; this says what that error means.
enum class Abort { kNone, kPhaseDeadline, kOverallDeadline, kCancelled };

std::string_view to_std(beast::string_view text) { return {text.data(), text.size()}; }

std::chrono::microseconds since(Clock::time_point start, Clock::time_point then) {
  return std::chrono::duration_cast<std::chrono::microseconds>(then - start);
}

// Retry-After in its delta-seconds form ("120"). The HTTP-date form is not
// read: APIs send seconds, and the robot's clock may be wrong anyway.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty() || value.size() > 9) return std::nullopt;
  long seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

bool names_a_secret(std::string_view header_name) {
  std::string lower(header_name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* word : {"auth", "key", "token", "secret", "cookie"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

// The values an error body must never carry back into a log: a server that
// echoes the request would otherwise put the API key into the failure text.
std::vector<std::string> secrets_of(const HttpHeaders& headers) {
  std::vector<std::string> secrets;
  for (const auto& [name, value] : headers) {
    if (!names_a_secret(name) || value.empty()) continue;
    secrets.push_back(value);
    const std::size_t space = value.find(' ');  // "Bearer <key>": the key alone, too
    if (space != std::string::npos && space + 1 < value.size()) secrets.push_back(value.substr(space + 1));
  }
  return secrets;
}

void remove_secrets(std::string& text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "[redacted]");
    }
  }
}

// One TCP + TLS connection and the read buffer that belongs to it. Shared by
// the handlers of its pending operation, so closing it under an operation
// never frees what that operation still uses.
struct Connection {
  Connection(asio::io_context& io, TlsClientContext& tls, const std::string& host, bool http_only)
      : resolver(io), stream(tcp::socket(io), tls, host), plaintext(http_only), clock_timer(io) {}

  // Runs a Beast read or write on what carries HTTP: the TLS stream, or for
  // http:// the TCP socket beneath it (whose TLS engine is never started).
  template <class Operation>
  void with_stream(Operation&& operation) {
    if (plaintext) {
      operation(stream.next_layer());
    } else {
      operation(stream);
    }
  }

  // Makes the pending operation, if any, complete at once with an error.
  void close(Abort why) {
    if (abort == Abort::kNone) abort = why;
    resolver.cancel();
    clock_timer.cancel();
    error_code ignored;
    stream.next_layer().close(ignored);
  }

  // Whether the server closed this idle connection (FIN, reset) since its
  // last response. Bytes waiting to be read do not count: TLS 1.3 session
  // tickets arrive after the handshake and are read with the next response.
  bool closed_by_peer() {
    if (!stream.next_layer().is_open()) return true;
    pollfd watch{};
    watch.fd = stream.next_layer().native_handle();
    watch.events = POLLIN | POLLRDHUP;
    if (::poll(&watch, 1, 0) < 0) return true;
    return (watch.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
  }

  tcp::resolver resolver;
  TlsStream stream;
  const bool plaintext;
  asio::steady_timer clock_timer;  // waiting for the wall clock to be set
  beast::flat_buffer buffer;       // bytes read from the stream, not yet parsed
  bool established = false;        // the TLS handshake completed
  Abort abort = Abort::kNone;
  bool resumed = false;
  std::string tls_version;
  Clock::time_point opened_at, resolved_at, connected_at, handshake_at;
  std::optional<std::chrono::microseconds> waited_for_clock;
  bool carried_a_request = false;
};

using ConnectionPtr = std::shared_ptr<Connection>;

// One post_stream() call, over all its attempts.
struct Exchange {
  http::request<http::string_body> request;
  std::vector<std::string> secrets;
  ResponseBodySink* sink = nullptr;
  HttpsClient::DoneHandler done;
  Clock::time_point started;
  Clock::time_point attempt_started;
  RequestTiming timing;
  int attempts = 0;
  bool on_old_connection = false;  // this attempt went out on a connection opened before it
  bool waiting_for_connection = false;
  bool waiting_to_retry = false;
  bool draining = false;       // the sink saw the end; reading the rest of the HTTP message
  Abort abort = Abort::kNone;  // the overall deadline or cancel(), whichever came first
  std::optional<http::response_parser<http::buffer_body>> parser;
  std::size_t bytes_since_data = 0;  // body bytes that completed no data event
  std::string error_body;
  bool error_body_cut = false;
};

}  // namespace

// The client's state and its story, in the order things happen:
//   open_connection -> on_resolve -> on_connect -> on_handshake -> connection_opened
//   start_attempt -> write_request -> on_write -> on_header
//     2xx:     read_body -> on_body (repeat) -> finish_response
//     non-2xx: read_error_body -> on_error_body (repeat) -> status_received
//              -> (429/503 with Retry-After) wait_and_retry -> start_attempt
//   finish: the one place `done` is called.
// Every wait has a timer. A timer that fires closes the connection; the
// operation then completes with an error and its handler reads the reason
// from Connection::abort. Handlers hold the Impl and the connection alive.
class HttpsClient::Impl : public std::enable_shared_from_this<HttpsClient::Impl> {
 public:
  Impl(asio::io_context& io, TlsClientContext& tls, const Endpoint& endpoint, HttpDeadlines deadlines,
       std::string user_agent, WallClock wall_clock)
      : io_(io),
        tls_(tls),
        host_(endpoint.host),
        encrypted_(endpoint.encrypted),
        port_(std::to_string(endpoint.port)),
        host_header_(endpoint.host_header()),
        deadlines_(deadlines),
        user_agent_(std::move(user_agent)),
        wall_clock_(wall_clock),
        phase_timer_(io),
        overall_timer_(io),
        retry_timer_(io) {}

  void preconnect(PreconnectHandler done) {
    if (shut_down_) return;
    const bool idle_and_alive = connection_ && !opening_ && connection_->established &&
                                !connection_->closed_by_peer();
    if (exchange_ || idle_and_alive) {
      asio::post(io_, [self = shared_from_this(), done = std::move(done)] {
        if (!self->shut_down_) done(RequestFailure{});
      });
      return;
    }
    preconnect_waiters_.push_back(std::move(done));
    if (!opening_) {
      drop_connection();
      open_connection();
    }
  }

  void post_stream(std::string target, std::string body, HttpHeaders headers, ResponseBodySink& sink,
                   DoneHandler done) {
    if (shut_down_) return;
    if (exchange_) {
      asio::post(io_, [self = shared_from_this(), done = std::move(done)] {
        if (self->shut_down_) return;
        RequestFailure busy;
        busy.kind = RequestFailureKind::kCancelled;
        busy.detail = "another request is in progress on this connection";
        done(busy, RequestTiming{});
      });
      return;
    }
    Exchange& exchange = exchange_.emplace();
    exchange.sink = &sink;
    exchange.done = std::move(done);
    exchange.started = Clock::now();
    exchange.secrets = secrets_of(headers);

    http::request<http::string_body>& request = exchange.request;
    request.method(http::verb::post);
    request.target(target);
    request.version(11);
    request.set(http::field::host, host_header_);
    request.set(http::field::user_agent, user_agent_);
    request.set(http::field::connection, "keep-alive");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();

    // One deadline over everything, retries and reconnects included.
    overall_timer_.expires_at(exchange.started + deadlines_.overall);
    overall_timer_.async_wait([self = shared_from_this(), generation = ++overall_generation_](error_code ec) {
      self->on_overall_deadline(generation, ec);
    });
    start_attempt();
  }

  void cancel() {
    if (shut_down_) return;
    if (exchange_) {
      abort_exchange(Abort::kCancelled);
    } else if (opening_ && connection_) {
      connection_->close(Abort::kCancelled);
    }
  }

  // The client is being destroyed: stop every operation and never call a
  // handler again. Pending operations still complete (with errors), holding
  // this Impl and their buffers alive until they have.
  void shut_down() {
    shut_down_ = true;
    phase_timer_.cancel();
    overall_timer_.cancel();
    retry_timer_.cancel();
    if (connection_) connection_->close(Abort::kCancelled);
    preconnect_waiters_.clear();
  }

  std::size_t full_handshakes() const { return full_handshakes_; }
  std::size_t resumed_handshakes() const { return resumed_handshakes_; }

 private:
  // ---- Opening a connection -----------------------------------------------

  void open_connection() {
    // GCC 12 at -O2 and above sees Asio 1.74 move an unopened socket
    // (TlsStream takes its socket by value) and warns that the moved-from
    // reactor data is uninitialised; it is never read while the socket is closed.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
    auto conn = std::make_shared<Connection>(io_, tls_, host_, !encrypted_);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
    connection_ = conn;
    opening_ = true;
    conn->opened_at = Clock::now();
    arm_phase_deadline(RequestPhase::kDns, deadlines_.dns);
    conn->resolver.async_resolve(
        host_, port_, [self = shared_from_this(), conn](error_code ec, tcp::resolver::results_type results) {
          self->on_resolve(conn, ec, std::move(results));
        });
  }

  void on_resolve(const ConnectionPtr& conn, error_code ec, const tcp::resolver::results_type& results) {
    if (shut_down_) return;
    if (ec || conn->abort != Abort::kNone) return connection_opened(conn, failure_from(*conn, ec));
    conn->resolved_at = Clock::now();
    if (!encrypted_) {
      // A name that also has one public address could send the question
      // across the internet in clear text on any connection: all or nothing.
      for (const auto& entry : results) {
        const asio::ip::address address = entry.endpoint().address();
        if (!is_local_network_address(address)) {
          RequestFailure failure;
          failure.kind = RequestFailureKind::kUnencryptedToInternet;
          failure.phase = RequestPhase::kDns;
          failure.detail = "resolves to " + address.to_string();
          return connection_opened(conn, failure);
        }
      }
    }

    arm_phase_deadline(RequestPhase::kConnect, deadlines_.connect);
    // Tries every address the name has (IPv6 and IPv4) within the one deadline.
    asio::async_connect(conn->stream.next_layer(), results,
                        [self = shared_from_this(), conn](error_code connect_ec, const tcp::endpoint&) {
                          self->on_connect(conn, connect_ec);
                        });
  }

  void on_connect(const ConnectionPtr& conn, error_code ec) {
    if (shut_down_) return;
    if (ec || conn->abort != Abort::kNone) return connection_opened(conn, failure_from(*conn, ec));
    conn->connected_at = Clock::now();
    // The request is one small write and the answer is latency-bound: never
    // hold bytes back waiting for an ACK.
    error_code ignored;
    conn->stream.next_layer().set_option(tcp::no_delay(true), ignored);
    if (conn->plaintext) {
      conn->established = true;
      return connection_opened(conn, RequestFailure{});
    }
    if (!wall_clock_is_set(wall_clock_())) {
      disarm_phase_deadline();  // this wait has its own bound
      phase_ = RequestPhase::kTlsHandshake;
      return wait_for_wall_clock(conn, Clock::now());
    }
    start_handshake(conn);
  }

  // Right after boot Vector's clock is not set (it has no real-time clock),
  // and a handshake then fails on every certificate. The robot sets it from
  // the network within seconds; nothing announces it, so look again now and
  // then, up to deadlines_.wall_clock.
  void wait_for_wall_clock(const ConnectionPtr& conn, Clock::time_point since) {
    if (wall_clock_is_set(wall_clock_())) {
      conn->waited_for_clock = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - since);
      return start_handshake(conn);
    }
    if (Clock::now() - since >= deadlines_.wall_clock) {
      RequestFailure failure;
      failure.kind = RequestFailureKind::kClockNotSet;
      failure.phase = RequestPhase::kTlsHandshake;
      failure.deadline = deadlines_.wall_clock;
      const std::time_t now = wall_clock_();
      std::tm utc{};
      char text[96];
      std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", ::gmtime_r(&now, &utc));
      std::string waited(16, '\0');
      waited.resize(static_cast<std::size_t>(std::snprintf(
          waited.data(), waited.size(), "%.1f", static_cast<double>(deadlines_.wall_clock.count()) / 1000.0)));
      failure.detail = std::string("it still read ") + text + " after " + waited + " s";
      return connection_opened(conn, failure);
    }
    conn->clock_timer.expires_after(kWallClockPoll);
    conn->clock_timer.async_wait([self = shared_from_this(), conn, since](error_code) {
      if (self->shut_down_) return;
      if (conn->abort != Abort::kNone) return self->connection_opened(conn, self->failure_for_abort(conn->abort));
      self->wait_for_wall_clock(conn, since);
    });
  }

  void start_handshake(const ConnectionPtr& conn) {
    arm_phase_deadline(RequestPhase::kTlsHandshake, deadlines_.tls_handshake);
    conn->stream.async_handshake(
        [self = shared_from_this(), conn](error_code handshake_ec) { self->on_handshake(conn, handshake_ec); });
  }

  void on_handshake(const ConnectionPtr& conn, error_code ec) {
    if (shut_down_) return;
    if (ec || conn->abort != Abort::kNone) return connection_opened(conn, failure_from(*conn, ec));
    conn->handshake_at = Clock::now();
    conn->established = true;
    conn->resumed = conn->stream.engine().session_resumed();
    conn->tls_version = conn->stream.engine().negotiated_protocol();
    ++(conn->resumed ? resumed_handshakes_ : full_handshakes_);
    connection_opened(conn, RequestFailure{});
  }

  // The connection is ready or could not be opened: a request waiting for it
  // goes on first, then whoever called preconnect() hears.
  void connection_opened(const ConnectionPtr& conn, const RequestFailure& failure) {
    disarm_phase_deadline();
    opening_ = false;
    if (failure) {
      conn->close(Abort::kNone);
      if (connection_ == conn) connection_.reset();
    }
    std::vector<PreconnectHandler> waiters = std::move(preconnect_waiters_);
    preconnect_waiters_.clear();
    if (exchange_ && exchange_->waiting_for_connection) {
      exchange_->waiting_for_connection = false;
      if (failure) {
        finish(failure);
      } else {
        write_request();
      }
    }
    for (PreconnectHandler& waiter : waiters) {
      if (shut_down_) return;
      waiter(failure);
    }
  }

  // ---- One request --------------------------------------------------------

  void start_attempt() {
    Exchange& exchange = *exchange_;
    ++exchange.attempts;
    exchange.timing.attempts = exchange.attempts;
    exchange.attempt_started = Clock::now();
    exchange.parser.reset();
    exchange.bytes_since_data = 0;
    exchange.draining = false;
    exchange.error_body.clear();
    exchange.error_body_cut = false;
    if (opening_) {  // preconnect() is already opening one: use it
      exchange.waiting_for_connection = true;
      return;
    }
    if (connection_ && connection_->established && !connection_->closed_by_peer()) {
      write_request();
      return;
    }
    // Closed by the server while idle, before a byte of this request was
    // sent: a new connection, which the caller never notices.
    if (connection_) exchange.timing.reconnected = true;
    drop_connection();
    exchange.waiting_for_connection = true;
    open_connection();
  }

  void write_request() {
    Exchange& exchange = *exchange_;
    const ConnectionPtr conn = connection_;
    exchange.on_old_connection = conn->opened_at < exchange.attempt_started;
    RequestTiming& timing = exchange.timing;
    timing.reused_connection = conn->opened_at < exchange.started;
    timing.resumed_session = conn->resumed;
    timing.tls_version = conn->tls_version;
    if (!conn->carried_a_request) timing.waited_for_clock = conn->waited_for_clock;
    conn->carried_a_request = true;
    if (!timing.reused_connection) {
      timing.dns = since(exchange.started, conn->resolved_at);
      timing.connect = since(exchange.started, conn->connected_at);
      if (!conn->plaintext) timing.tls_handshake = since(exchange.started, conn->handshake_at);
    } else {
      timing.dns.reset();
      timing.connect.reset();
      timing.tls_handshake.reset();
    }

    arm_phase_deadline(RequestPhase::kSendRequest, deadlines_.response_headers);
    conn->with_stream([&](auto& stream) {
      http::async_write(stream, exchange.request, [self = shared_from_this(), conn](error_code ec, std::size_t) {
        self->on_write(conn, ec);
      });
    });
  }

  void on_write(const ConnectionPtr& conn, error_code ec) {
    if (shut_down_) return;
    if (conn->abort != Abort::kNone) return fail_request(failure_from(*conn, ec));
    if (ec) {
      if (may_reconnect(*conn)) return reconnect();
      return fail_request(failure_from(*conn, ec));
    }
    Exchange& exchange = *exchange_;
    exchange.timing.request_sent = elapsed();

    auto& parser = exchange.parser.emplace();
    parser.header_limit(kHeaderLimitBytes);
    // A stream is as long as the answer; memory stays bounded by the reads.
    // Not boost::none: Beast 1.74 then refuses every Content-Length body
    // (it compares the length with the empty optional and finds it larger).
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    arm_phase_deadline(RequestPhase::kResponseHeaders, deadlines_.response_headers);
    conn->with_stream([&](auto& stream) {
      http::async_read_header(stream, conn->buffer, parser,
                              [self = shared_from_this(), conn](error_code read_ec, std::size_t) {
                                self->on_header(conn, read_ec);
                              });
    });
  }

  void on_header(const ConnectionPtr& conn, error_code ec) {
    if (shut_down_) return;
    if (conn->abort != Abort::kNone) return fail_request(failure_from(*conn, ec));
    if (ec) {
      if (may_reconnect(*conn)) return reconnect();
      return fail_request(failure_from(*conn, ec));
    }
    Exchange& exchange = *exchange_;
    exchange.timing.response_headers = elapsed();
    const auto& response = exchange.parser->get();
    const int status = static_cast<int>(response.result_int());
    if (status < 200 || status > 299) return read_error_body(conn);

    exchange.sink->on_response_headers(status, to_std(response[http::field::content_type]));
    if (shut_down_) return;
    if (conn->abort != Abort::kNone) return fail_request(failure_from(*conn, {}));
    // Only data events reset this one (see on_body): comments never do.
    arm_phase_deadline(RequestPhase::kBody, deadlines_.data_idle);
    read_body(conn);
  }

  void read_body(const ConnectionPtr& conn) { read_body_piece(conn, &Impl::on_body); }

  // One read of the body into body_buffer_ (the parser's buffer body), then
  // `next`: on_body for an answer, on_error_body for a refusal.
  void read_body_piece(const ConnectionPtr& conn, void (Impl::*next)(const ConnectionPtr&, error_code)) {
    auto& body = exchange_->parser->get().body();
    body.data = body_buffer_.data();
    body.size = body_buffer_.size();
    conn->with_stream([&](auto& stream) {
      http::async_read_some(stream, conn->buffer, *exchange_->parser,
                            [self = shared_from_this(), conn, next](error_code ec, std::size_t) {
                              ((*self).*next)(conn, ec);
                            });
    });
  }

  void on_body(const ConnectionPtr& conn, error_code ec) {
    if (shut_down_) return;
    Exchange& exchange = *exchange_;
    if (ec == http::error::need_buffer) ec = {};  // the body buffer is full: not an error
    if (conn->abort != Abort::kNone) {
      // The answer is complete; only the end of the HTTP message was late.
      if (exchange.draining && conn->abort == Abort::kPhaseDeadline) return finish_response(conn, false);
      RequestFailure failure = failure_from(*conn, ec);
      failure.only_keepalive_bytes = failure.kind == RequestFailureKind::kTimeout && exchange.bytes_since_data > 0;
      return fail_request(failure);
    }

    const std::size_t got = body_buffer_.size() - exchange.parser->get().body().size;
    if (got > 0 && !exchange.draining) {
      if (!exchange.timing.first_body_byte) exchange.timing.first_body_byte = elapsed();
      if (exchange.sink->on_body_bytes(std::string_view(body_buffer_.data(), got))) {
        exchange.bytes_since_data = 0;
        arm_phase_deadline(RequestPhase::kBody, deadlines_.data_idle);
      } else {
        exchange.bytes_since_data += got;
      }
      if (shut_down_) return;
      if (conn->abort != Abort::kNone) return fail_request(failure_from(*conn, {}));
    }
    if (ec) return fail_request(failure_from(*conn, ec));
    if (exchange.parser->is_done()) return finish_response(conn, exchange.parser->keep_alive());
    if (!exchange.draining && exchange.sink->stream_finished()) {
      exchange.draining = true;
      arm_phase_deadline(RequestPhase::kBody, std::min(kDrainAfterStreamEnd, deadlines_.data_idle));
    }
    read_body(conn);
  }

  void finish_response(const ConnectionPtr& conn, bool reusable) {
    // Bytes past the end of the response would be read as the next one.
    if (!reusable || conn->abort != Abort::kNone || conn->buffer.size() != 0) drop_connection();
    finish(RequestFailure{});
  }

  // ---- A non-2xx status: its body carries the provider's reason ----------

  void read_error_body(const ConnectionPtr& conn) {
    arm_phase_deadline(RequestPhase::kBody, deadlines_.data_idle);
    read_error_piece(conn);
  }

  void read_error_piece(const ConnectionPtr& conn) { read_body_piece(conn, &Impl::on_error_body); }

  void on_error_body(const ConnectionPtr& conn, error_code ec) {
    if (shut_down_) return;
    Exchange& exchange = *exchange_;
    if (ec == http::error::need_buffer) ec = {};
    if (conn->abort == Abort::kOverallDeadline || conn->abort == Abort::kCancelled) {
      return fail_request(failure_from(*conn, ec));
    }
    const std::size_t got = body_buffer_.size() - exchange.parser->get().body().size;
    const std::size_t room = kMaxErrorBodyBytes - exchange.error_body.size();
    exchange.error_body.append(body_buffer_.data(), std::min(got, room));
    exchange.error_body_cut = exchange.error_body_cut || got > room;

    // A slow or endless error body still leaves the status to report.
    const bool ended = ec || conn->abort != Abort::kNone || exchange.parser->is_done() || exchange.error_body_cut;
    if (!ended) return read_error_piece(conn);
    const bool reusable = !ec && conn->abort == Abort::kNone && exchange.parser->is_done() &&
                          exchange.parser->keep_alive() && !exchange.error_body_cut;
    status_received(conn, reusable);
  }

  void status_received(const ConnectionPtr& conn, bool reusable) {
    Exchange& exchange = *exchange_;
    disarm_phase_deadline();
    const auto& response = exchange.parser->get();
    RequestFailure failure;
    failure.kind = RequestFailureKind::kHttpStatus;
    failure.phase = RequestPhase::kResponseHeaders;
    failure.http_status = static_cast<int>(response.result_int());
    failure.http_body = std::move(exchange.error_body);
    remove_secrets(failure.http_body, exchange.secrets);
    failure.retry_after = parse_retry_after(to_std(response[http::field::retry_after]));
    if (!reusable || conn->buffer.size() != 0) drop_connection();

    // The server asked to come back later: do so while the answer deadline
    // leaves room, a bounded number of times. Every other status is final.
    const bool retryable = failure.http_status == 429 || failure.http_status == 503;
    const bool fits = failure.retry_after &&
                      Clock::now() + *failure.retry_after < exchange.started + deadlines_.overall;
    if (retryable && fits && exchange.attempts <= kMaxRetries && exchange.abort == Abort::kNone) {
      return wait_and_retry(*failure.retry_after);
    }
    finish(failure);
  }

  void wait_and_retry(std::chrono::seconds delay) {
    exchange_->waiting_to_retry = true;
    retry_timer_.expires_after(delay);
    retry_timer_.async_wait([self = shared_from_this()](error_code) { self->on_retry_timer(); });
  }

  void on_retry_timer() {
    if (shut_down_ || !exchange_) return;
    Exchange& exchange = *exchange_;
    exchange.waiting_to_retry = false;
    if (exchange.abort != Abort::kNone) return finish(failure_for_abort(exchange.abort));
    start_attempt();
  }

  // ---- Ending -------------------------------------------------------------

  // A connection opened before this attempt (kept alive, or pre-connected)
  // that the server closed while it was idle fails on the write or the first
  // read, before any byte of a response: then the server never saw the
  // request, and one new connection is tried.
  bool may_reconnect(const Connection& conn) const {
    const Exchange& exchange = *exchange_;
    const bool nothing_received = conn.buffer.size() == 0 && (!exchange.parser || !exchange.parser->got_some());
    return exchange.on_old_connection && !exchange.timing.reconnected && nothing_received;
  }

  void reconnect() {
    Exchange& exchange = *exchange_;
    exchange.timing.reconnected = true;
    exchange.parser.reset();
    drop_connection();
    exchange.waiting_for_connection = true;
    open_connection();
  }

  void fail_request(const RequestFailure& failure) {
    drop_connection();
    finish(failure);
  }

  // Calls `done` once, after the client is ready for the next request (the
  // handler may start one).
  void finish(const RequestFailure& failure) {
    disarm_phase_deadline();
    ++overall_generation_;
    overall_timer_.cancel();
    Exchange& exchange = *exchange_;
    exchange.timing.done = elapsed();
    DoneHandler done = std::move(exchange.done);
    RequestTiming timing = std::move(exchange.timing);
    exchange_.reset();
    done(failure, timing);
  }

  void drop_connection() {
    if (!connection_) return;
    connection_->close(Abort::kNone);
    connection_.reset();
  }

  void abort_exchange(Abort why) {
    Exchange& exchange = *exchange_;
    if (exchange.abort == Abort::kNone) exchange.abort = why;
    if (exchange.waiting_to_retry) {
      retry_timer_.cancel();
    } else if (connection_) {
      connection_->close(why);
    }
  }

  // ---- Deadlines ------------------------------------------------------------

  void arm_phase_deadline(RequestPhase phase, std::chrono::milliseconds after) {
    phase_ = phase;
    phase_deadline_ = after;
    phase_timer_.expires_after(after);
    phase_timer_.async_wait([self = shared_from_this(), generation = ++phase_generation_](error_code ec) {
      self->on_phase_deadline(generation, ec);
    });
  }

  void disarm_phase_deadline() {
    ++phase_generation_;
    phase_timer_.cancel();
  }

  // A generation that moved on means the timer was re-armed or disarmed
  // after this expiry was already queued: it is stale.
  void on_phase_deadline(std::uint64_t generation, error_code ec) {
    if (shut_down_ || ec == asio::error::operation_aborted || generation != phase_generation_) return;
    if (connection_) connection_->close(Abort::kPhaseDeadline);
  }

  void on_overall_deadline(std::uint64_t generation, error_code ec) {
    if (shut_down_ || ec == asio::error::operation_aborted || generation != overall_generation_) return;
    if (exchange_) abort_exchange(Abort::kOverallDeadline);
  }

  // ---- Failures ---------------------------------------------------------------

  RequestFailure failure_for_abort(Abort why) const {
    RequestFailure failure;
    failure.phase = phase_;
    if (why == Abort::kCancelled) {
      failure.kind = RequestFailureKind::kCancelled;
    } else {
      failure.kind = RequestFailureKind::kTimeout;
      failure.timed_out_overall = why == Abort::kOverallDeadline;
      failure.deadline = failure.timed_out_overall ? deadlines_.overall : phase_deadline_;
    }
    return failure;
  }

  // What an operation's error means, in the phase it happened.
  RequestFailure failure_from(Connection& conn, error_code ec) const {
    if (conn.abort != Abort::kNone) return failure_for_abort(conn.abort);
    RequestFailure failure;
    failure.phase = phase_;
    failure.detail = ec.message();
    switch (phase_) {
      case RequestPhase::kDns:
        failure.kind = RequestFailureKind::kDns;
        break;
      case RequestPhase::kConnect:
        failure.kind = ec == asio::error::connection_refused ? RequestFailureKind::kConnectionRefused
                                                             : RequestFailureKind::kNetworkUnreachable;
        break;
      case RequestPhase::kTlsHandshake:
        failure.kind = RequestFailureKind::kTls;
        if (ec.category() == tls_error_category()) {
          failure.tls = conn.stream.engine().failure();
          failure.detail = failure.tls.detail;
        } else {
          // The server hung up mid-handshake: it did not like what we offered.
          failure.tls.kind = TlsFailureKind::kHandshakeFailed;
          failure.tls.detail = "the connection ended during the handshake: " + ec.message();
        }
        break;
      case RequestPhase::kSendRequest:
      case RequestPhase::kResponseHeaders:
      case RequestPhase::kBody:
        failure.kind = RequestFailureKind::kStreamBroken;
        if (ec == http::error::partial_message) {
          failure.detail = "the server closed the connection in the middle of the response";
        } else if (ec == http::error::end_of_stream) {
          failure.detail = "the server closed the connection without a response";
        } else if (ec.category() == tls_error_category()) {
          failure.tls = conn.stream.engine().failure();
          failure.detail = failure.tls.detail;
        }
        break;
    }
    return failure;
  }

  std::chrono::microseconds elapsed() const { return since(exchange_->started, Clock::now()); }

  asio::io_context& io_;
  TlsClientContext& tls_;
  const std::string host_;
  const bool encrypted_;
  const std::string port_;
  const std::string host_header_;
  const HttpDeadlines deadlines_;
  const std::string user_agent_;
  const WallClock wall_clock_;

  ConnectionPtr connection_;  // idle, being opened, or in use; null when none
  bool opening_ = false;
  std::vector<PreconnectHandler> preconnect_waiters_;
  std::optional<Exchange> exchange_;  // the request in progress
  std::array<char, kBodyReadBytes> body_buffer_{};

  asio::steady_timer phase_timer_;
  RequestPhase phase_ = RequestPhase::kDns;
  std::chrono::milliseconds phase_deadline_{0};
  std::uint64_t phase_generation_ = 0;
  asio::steady_timer overall_timer_;
  std::uint64_t overall_generation_ = 0;
  asio::steady_timer retry_timer_;

  std::size_t full_handshakes_ = 0;
  std::size_t resumed_handshakes_ = 0;
  bool shut_down_ = false;
};

HttpsClient::HttpsClient(boost::asio::io_context& io, TlsClientContext& tls, const Endpoint& endpoint,
                         HttpDeadlines deadlines, std::string user_agent, WallClock wall_clock)
    : impl_(std::make_shared<Impl>(io, tls, endpoint, deadlines, std::move(user_agent), wall_clock)) {}

HttpsClient::~HttpsClient() { impl_->shut_down(); }

void HttpsClient::preconnect(PreconnectHandler done) { impl_->preconnect(std::move(done)); }

void HttpsClient::post_stream(std::string target, std::string body, HttpHeaders headers, ResponseBodySink& sink,
                              DoneHandler done) {
  impl_->post_stream(std::move(target), std::move(body), std::move(headers), sink, std::move(done));
}

void HttpsClient::cancel() { impl_->cancel(); }

std::size_t HttpsClient::full_handshakes() const { return impl_->full_handshakes(); }

std::size_t HttpsClient::resumed_handshakes() const { return impl_->resumed_handshakes(); }

}  // namespace vic_r1::platform
