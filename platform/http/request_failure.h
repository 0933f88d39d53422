#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "platform/tls/tls_failure.h"

namespace vic_r1::platform {

// The waits of one request, in the order they happen.
enum class RequestPhase { kDns, kConnect, kTlsHandshake, kSendRequest, kResponseHeaders, kBody };

// Why a request gave no (complete) answer, in classes the agent can turn
// into a spoken sentence. Each class has its own remedy, so none is merged.
enum class RequestFailureKind {
  kNone,
  kDns,  // name not found / resolver failure
  kConnectionRefused,
  kNetworkUnreachable,  // no route, host unreachable, network down
  kTls,                 // see RequestFailure::tls (verify reason, handshake failure)
  kTimeout,             // RequestFailure::phase says which wait; timed_out_overall for the answer deadline
  kHttpStatus,          // non-2xx: status, body (bounded, for the provider's error.message), retry_after
  kStreamBroken,        // connection closed or reset before the response was complete
  kCancelled,           // cancel() was called (the user interrupted)
  // http:// to a host name with an address off the local network: nothing
  // was sent. `detail` names the address.
  kUnencryptedToInternet,
  // The wall clock had not been set (HttpDeadlines::wall_clock): no TLS
  // was tried. `detail` says what it read.
  kClockNotSet,
};

struct RequestFailure {
  RequestFailureKind kind = RequestFailureKind::kNone;
  RequestPhase phase = RequestPhase::kDns;  // where it happened
  // kTimeout: the answer deadline ran out (else a phase deadline did), and
  // the length of the deadline that ran out, for the message.
  bool timed_out_overall = false;
  std::chrono::milliseconds deadline{0};
  // kTimeout in kBody: bytes did arrive while waiting, but none completed a
  // data event: the server sent only keep-alive comments.
  bool only_keepalive_bytes = false;
  TlsFailure tls;
  int http_status = 0;
  std::string http_body;  // first kMaxErrorBodyBytes of a non-2xx body, secrets removed
  std::optional<std::chrono::seconds> retry_after;
  // The system's or library's own words (errno text, resolver text), for the
  // log. Never holds a request header.
  std::string detail;

  explicit operator bool() const { return kind != RequestFailureKind::kNone; }
};

inline constexpr std::size_t kMaxErrorBodyBytes = 64 * 1024;

std::string_view phase_name(RequestPhase phase);              // "dns", "connect", "tls", ...
std::string_view failure_kind_name(RequestFailureKind kind);  // "dns", "refused", "timeout", ...

// The message a provider put in an error body, whatever its shape:
// {"error":{"message":...}} (OpenAI, DeepSeek, Together, Groq),
// {"error":"..."} (Ollama), {"message":...} (vLLM), {"detail":"..."}.
// Control characters are dropped and the text is cut at a sane length.
// Empty when the body holds no such message.
std::string provider_error_message(std::string_view body);

// One line for stderr and the log, naming the cause and, where one is
// likely, the remedy, e.g. "HTTP 402 from api.deepseek.com: Insufficient
// Balance", "TLS verification failed: certificate expired or the robot's
// clock is wrong (...)", "timed out waiting for data (no data for 120 s; only
// keep-alive comments)". `host` is the server's name as configured.
std::string describe_request_failure(const RequestFailure& failure, std::string_view host);

}  // namespace vic_r1::platform
