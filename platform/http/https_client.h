#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "platform/http/endpoint.h"
#include "platform/http/http_deadlines.h"
#include "platform/http/request_failure.h"
#include "platform/time/wall_clock.h"
#include "platform/tls/tls_client_context.h"

namespace vic_r1::platform {


// When each step finished, measured from the call of post_stream(). Steps a
// request did not take (no new connection, no body) stay empty. After a
// retry, the times are those of the last attempt (so they include the wait).
struct RequestTiming {
  using Elapsed = std::optional<std::chrono::microseconds>;
  Elapsed dns, connect, tls_handshake, request_sent, response_headers, first_body_byte, done;
  // The request went out on a connection opened before this call: kept
  // alive from an earlier request, or opened by preconnect().
  bool reused_connection = false;
  bool resumed_session = false;  // the connection's handshake resumed a TLS session
  // The kept-alive connection had been closed by the server while idle, and
  // a new one was opened without the caller noticing.
  bool reconnected = false;
  int attempts = 1;         // HTTP requests sent (retries after 429/503 add one each)
  std::string tls_version;  // "TLSv1.3", "TLSv1.2"
  // How long the connection this request went out on waited for the wall
  // clock to be set before its handshake (just after boot); unset when it
  // did not wait, or when an earlier request already reported it.
  Elapsed waited_for_clock;
};

// Where the body of a 2xx response goes, as it arrives (e.g. a StreamReader).
class ResponseBodySink {
 public:
  virtual ~ResponseBodySink() = default;
  virtual void on_response_headers(int status, std::string_view content_type) = 0;  // 2xx only
  // Body bytes as they arrive; returns true when they completed at least one
  // data event (that, and only that, resets the data-idle deadline).
  virtual bool on_body_bytes(std::string_view bytes) = 0;
  // Returns true once the stream is logically over ([DONE]): the client
  // then stops passing bytes on and keeps the connection for reuse if HTTP allows.
  virtual bool stream_finished() const = 0;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// HttpsClient: HTTP/1.1 streaming POSTs to one server over TLS (TlsStream,
// Mbed TLS), on a single-threaded io_context, with a deadline on every wait.
// An http:// endpoint gets plain TCP, and only when every address its name
// resolves to is on the local network (else kUnencryptedToInternet, nothing
// sent).
// One request at a time; the connection is kept alive between requests.
//
// Every handler (done, the sink's calls) runs on the io_context's thread,
// from inside io_context::run(), never from inside the call that started the
// operation. A handler may start the next request or call cancel().
// Destroying the client closes everything at once and calls no handler again.
class HttpsClient {
 public:
  using PreconnectHandler = std::function<void(const RequestFailure&)>;
  using DoneHandler = std::function<void(const RequestFailure&, const RequestTiming&)>;

  // The endpoint's host is used for DNS, SNI, certificate verification and
  // (with its port) the Host header. `tls` must outlive the client and the
  // operations that still complete after its destruction: destroy it after
  // the io_context (or after run() has returned).
  // A TLS connection first waits (deadlines.wall_clock) for `wall_clock` to
  // be set: kClockNotSet if it is not.
  HttpsClient(boost::asio::io_context& io, TlsClientContext& tls, const Endpoint& endpoint,
              HttpDeadlines deadlines, std::string user_agent = "vic-r1", WallClock wall_clock = wall_clock_now);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Opens DNS + TCP + TLS ahead of time (wake word heard), so the next
  // post_stream() sends at once. Harmless when a connection is open, being
  // opened, or in use (then `done` reports success without doing anything).
  void preconnect(PreconnectHandler done);

  // POSTs `body` (JSON) to `target` with `headers` (Authorization etc.; never
  // logged, never in a failure) and streams a 2xx response body to `sink`.
  // Reuses an idle connection; if the server closed it while idle, reconnects
  // transparently (once). 429/503 with Retry-After are retried within the
  // overall deadline (at most 2 retries); other statuses are not. `done` is
  // called exactly once: with no failure when the response ended as HTTP
  // framed it (or the sink saw the stream end), else with the failure.
  // Calling it while a request is in progress fails that call with kCancelled.
  void post_stream(std::string target, std::string body, HttpHeaders headers, ResponseBodySink& sink,
                   DoneHandler done);

  // Closes the request's connection at once; `done` gets kCancelled. Also
  // abandons a preconnect in progress. No effect when nothing is in progress.
  void cancel();

  // TLS handshakes this client completed, full and resumed.
  std::size_t full_handshakes() const;
  std::size_t resumed_handshakes() const;

  class Impl;  // defined in https_client.cpp

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace vic_r1::platform
