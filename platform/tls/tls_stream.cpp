#include "platform/tls/tls_stream.h"

#include <boost/beast/core/stream_traits.hpp>

namespace vic_r1::platform {

// Beast's http::async_write / async_read accept any type with this shape.
static_assert(boost::beast::is_async_stream<TlsStream>::value, "TlsStream must be a Beast AsyncStream");

namespace {

// Boost 1.74's error_category has a public non-virtual destructor by design
// (categories are never deleted through a base pointer), which
// -Wnon-virtual-dtor reports for every category derived from it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class TlsErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "vic-r1.tls"; }

  // Short, general sentences; the specifics (certificate, dates, clock,
  // library text) are in TlsEngine::failure().detail.
  std::string message(int value) const override {
    switch (static_cast<TlsFailureKind>(value)) {
      case TlsFailureKind::kNone:
        return "no TLS failure";
      case TlsFailureKind::kConfiguration:
        return "TLS is not configured correctly";
      case TlsFailureKind::kUnknownCertificateAuthority:
        return "the server's certificate is not issued by a trusted certificate authority";
      case TlsFailureKind::kHostNameMismatch:
        return "the server's certificate is for another host name";
      case TlsFailureKind::kCertificateExpired:
        return "the server's certificate has expired";
      case TlsFailureKind::kCertificateNotYetValid:
        return "the server's certificate is not valid yet (is the clock right?)";
      case TlsFailureKind::kPinMismatch:
        return "the server's public key is not the pinned one";
      case TlsFailureKind::kOtherVerifyFailure:
        return "the server's certificate was rejected";
      case TlsFailureKind::kHandshakeFailed:
        return "the TLS handshake failed";
      case TlsFailureKind::kProtocolError:
        return "the TLS connection broke";
    }
    return "unknown TLS failure";
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& tls_error_category() {
  static const TlsErrorCategory category;
  return category;
}

boost::system::error_code make_error_code(TlsFailureKind kind) {
  return {static_cast<int>(kind), tls_error_category()};
}

}  // namespace vic_r1::platform
