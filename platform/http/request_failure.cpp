#include "platform/http/request_failure.h"

#include <rapidjson/document.h>

#include "platform/text/utf8_cut.h"

namespace vic_r1::platform {
namespace {

// A provider message longer than this is a stack trace or an HTML page, not a
// sentence for the user.
constexpr std::size_t kMaxMessageBytes = 300;

std::string format_duration(std::chrono::milliseconds duration) {
  const long long ms = duration.count();
  if (ms < 1000) return std::to_string(ms) + " ms";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms / 1000) + "." + std::to_string((ms % 1000) / 100) + " s";
}

// Keeps printable text (UTF-8 included) on one line, within kMaxMessageBytes
// and without cutting a character in two.
std::string one_line(std::string_view text) {
  std::string line;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == '\n' || byte == '\r' || byte == '\t') {
      if (!line.empty() && line.back() != ' ') line += ' ';
    } else if (byte >= 0x20 && byte != 0x7f) {
      line += c;
    }
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (line.size() > kMaxMessageBytes) {
    line.resize(text::utf8_prefix_length(line, kMaxMessageBytes));
    line += "...";
  }
  return line;
}

std::string string_member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return {};
  const auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsString()) return {};
  return std::string(member->value.GetString(), member->value.GetStringLength());
}

std::string describe_tls(const TlsFailure& tls, std::string_view host) {
  const std::string detail = tls.detail.empty() ? std::string() : " (" + one_line(tls.detail) + ")";
  switch (tls.kind) {
    case TlsFailureKind::kUnknownCertificateAuthority:
      return "TLS verification failed: the certificate of " + std::string(host) +
             " is not signed by a CA in the configured ca_file" + detail;
    case TlsFailureKind::kHostNameMismatch:
      return "TLS verification failed: the certificate is not valid for the host name " + std::string(host) +
             detail;
    case TlsFailureKind::kCertificateExpired:
      return "TLS verification failed: certificate expired or the robot's clock is wrong" + detail;
    case TlsFailureKind::kCertificateNotYetValid:
      return "TLS verification failed: certificate not yet valid; the robot's clock is probably "
             "wrong" +
             detail;
    case TlsFailureKind::kPinMismatch:
      return "TLS verification failed: the public key of " + std::string(host) + " is not the pinned one" + detail;
    case TlsFailureKind::kOtherVerifyFailure:
      return "TLS verification failed for " + std::string(host) + detail;
    case TlsFailureKind::kConfiguration:
      return "TLS configuration error" + detail;
    case TlsFailureKind::kProtocolError:
      return "TLS protocol error with " + std::string(host) + detail;
    case TlsFailureKind::kHandshakeFailed:
    case TlsFailureKind::kNone:
      break;
  }
  return "TLS handshake with " + std::string(host) + " failed" + detail;
}

std::string describe_timeout(const RequestFailure& failure, std::string_view host) {
  const std::string waited = format_duration(failure.deadline);
  if (failure.timed_out_overall) {
    return "timed out: no complete answer within " + waited + " (the overall deadline, " +
           std::string(phase_name(failure.phase)) + " phase)";
  }
  switch (failure.phase) {
    case RequestPhase::kDns:
      return "timed out resolving " + std::string(host) + " (no answer in " + waited + ")";
    case RequestPhase::kConnect:
      return "timed out connecting to " + std::string(host) + " (no answer in " + waited + ")";
    case RequestPhase::kTlsHandshake:
      return "timed out in the TLS handshake with " + std::string(host) + " (" + waited + ")";
    case RequestPhase::kSendRequest:
      return "timed out sending the request to " + std::string(host) + " (" + waited + ")";
    case RequestPhase::kResponseHeaders:
      return "timed out waiting for the response headers (none in " + waited + ")";
    case RequestPhase::kBody:
      break;
  }
  return "timed out waiting for data (no data for " + waited +
         (failure.only_keepalive_bytes ? "; only keep-alive comments)" : ")");
}

}  // namespace

std::string_view phase_name(RequestPhase phase) {
  switch (phase) {
    case RequestPhase::kDns:
      return "dns";
    case RequestPhase::kConnect:
      return "connect";
    case RequestPhase::kTlsHandshake:
      return "tls";
    case RequestPhase::kSendRequest:
      return "send";
    case RequestPhase::kResponseHeaders:
      return "headers";
    case RequestPhase::kBody:
      return "body";
  }
  return "unknown";
}

std::string_view failure_kind_name(RequestFailureKind kind) {
  switch (kind) {
    case RequestFailureKind::kNone:
      return "none";
    case RequestFailureKind::kDns:
      return "dns";
    case RequestFailureKind::kConnectionRefused:
      return "refused";
    case RequestFailureKind::kNetworkUnreachable:
      return "unreachable";
    case RequestFailureKind::kTls:
      return "tls";
    case RequestFailureKind::kTimeout:
      return "timeout";
    case RequestFailureKind::kHttpStatus:
      return "http-status";
    case RequestFailureKind::kStreamBroken:
      return "stream-broken";
    case RequestFailureKind::kCancelled:
      return "cancelled";
    case RequestFailureKind::kUnencryptedToInternet:
      return "unencrypted-to-internet";
    case RequestFailureKind::kClockNotSet:
      return "clock-not-set";
  }
  return "unknown";
}

std::string provider_error_message(std::string_view body) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject()) return {};
  std::string message;
  const auto error = document.FindMember("error");
  if (error != document.MemberEnd()) {
    message = error->value.IsString() ? std::string(error->value.GetString(), error->value.GetStringLength())
                                      : string_member(error->value, "message");
  }
  if (message.empty()) message = string_member(document, "message");
  if (message.empty()) message = string_member(document, "detail");
  return one_line(message);
}

std::string describe_request_failure(const RequestFailure& failure, std::string_view host) {
  const std::string detail = failure.detail.empty() ? std::string() : " (" + one_line(failure.detail) + ")";
  switch (failure.kind) {
    case RequestFailureKind::kNone:
      return "no failure";
    case RequestFailureKind::kDns:
      return "cannot resolve " + std::string(host) + detail;
    case RequestFailureKind::kConnectionRefused:
      return std::string(host) + " refused the connection" + detail;
    case RequestFailureKind::kNetworkUnreachable:
      return "cannot reach " + std::string(host) + detail;
    case RequestFailureKind::kTls:
      return describe_tls(failure.tls, host);
    case RequestFailureKind::kTimeout:
      return describe_timeout(failure, host);
    case RequestFailureKind::kHttpStatus: {
      std::string text = "HTTP " + std::to_string(failure.http_status) + " from " + std::string(host);
      std::string message = provider_error_message(failure.http_body);
      if (message.empty() && !failure.http_body.empty() && failure.http_body.front() != '<') {
        message = one_line(failure.http_body);  // plain text, not an HTML error page
      }
      if (!message.empty()) text += ": " + message;
      if (failure.retry_after) text += " (retry after " + std::to_string(failure.retry_after->count()) + " s)";
      return text;
    }
    case RequestFailureKind::kStreamBroken:
      return "the connection to " + std::string(host) + " broke before the response was complete" + detail;
    case RequestFailureKind::kCancelled:
      return "cancelled" + detail;
    case RequestFailureKind::kClockNotSet:
      return "the clock is not set" + detail + ", so the certificate of " + std::string(host) +
             " cannot be checked; it is set from the network after the robot starts: check its Wi-Fi, "
             "and ask again";
    case RequestFailureKind::kUnencryptedToInternet:
      return "refused to send the question unencrypted: " + std::string(host) + detail +
             " is not on the local network; http:// goes only to loopback, private (10/8, 172.16/12, "
             "192.168/16), link-local and IPv6 unique local addresses: use https:// for this server";
  }
  return "unknown failure";
}

}  // namespace vic_r1::platform
