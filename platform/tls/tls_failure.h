#pragma once

#include <string>

namespace vic_r1::platform {

// Why a TLS connection could not be used, in classes the agent can put into
// a spoken sentence. `detail` carries the cause for the log: the library's
// own words, the certificate's name and dates, the clock, the file path.
enum class TlsFailureKind {
  kNone,
  kConfiguration,  // CA file unreadable or empty, no host name, ...
  kUnknownCertificateAuthority,
  kHostNameMismatch,
  kCertificateExpired,
  kCertificateNotYetValid,  // often the robot's clock, wrong after boot
  kPinMismatch,             // the server's public key is not the pinned one
  kOtherVerifyFailure,      // revoked, bad signature, bad key usage, ...
  kHandshakeFailed,         // no common protocol or cipher, alert from the server, ...
  kProtocolError,           // bad record, unexpected message after the handshake
};

struct TlsFailure {
  TlsFailureKind kind = TlsFailureKind::kNone;
  std::string detail;
  explicit operator bool() const { return kind != TlsFailureKind::kNone; }
};

// A stable, short name for logs and test messages ("unknown-ca", ...).
constexpr const char* tls_failure_kind_name(TlsFailureKind kind) {
  switch (kind) {
    case TlsFailureKind::kNone:
      return "none";
    case TlsFailureKind::kConfiguration:
      return "configuration";
    case TlsFailureKind::kUnknownCertificateAuthority:
      return "unknown-ca";
    case TlsFailureKind::kHostNameMismatch:
      return "host-name-mismatch";
    case TlsFailureKind::kCertificateExpired:
      return "certificate-expired";
    case TlsFailureKind::kCertificateNotYetValid:
      return "certificate-not-yet-valid";
    case TlsFailureKind::kPinMismatch:
      return "pin-mismatch";
    case TlsFailureKind::kOtherVerifyFailure:
      return "verify-failure";
    case TlsFailureKind::kHandshakeFailed:
      return "handshake-failed";
    case TlsFailureKind::kProtocolError:
      return "protocol-error";
  }
  return "unknown";
}

}  // namespace vic_r1::platform
