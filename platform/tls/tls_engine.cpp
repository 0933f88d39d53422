#include "platform/tls/tls_engine.h"
#include "platform/tls/tls_library.h"

#include <mbedtls/error.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <utility>

// How resumption is detected. Mbed TLS 3.6 has no public "was this handshake
// resumed" call: the flag it keeps (handshake->resume, and for TLS 1.3 the
// negotiated key exchange mode) lives in the handshake state, which is freed
// when the handshake ends. Comparing session ids does not work either: with
// tickets, the client sends a fresh random id every time. What does hold for
// both versions is this: a full handshake always carries the server's
// Certificate message, and Mbed TLS calls the verify callback for it (for
// every certificate of the chain, even a bad one); an abbreviated TLS 1.2
// handshake and a TLS 1.3 PSK handshake carry no certificate. So a handshake
// that completed with a session offered and no verify callback resumed. The
// tests check this against the server's own view (Python's session_reused).
// (mbedtls_ssl_get_peer_cert() is not a usable signal: a resumed session
// keeps the certificate of the handshake that created it.)

namespace vic_r1::platform {
namespace {

std::string utc_text(const mbedtls_x509_time& time) {
  char text[40] = {};
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d UTC", time.year, time.mon, time.day, time.hour,
                time.min, time.sec);
  return text;
}

// The clock Mbed TLS checks certificate dates against (time()), as text.
std::string clock_text() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  if (gmtime_r(&now, &utc) == nullptr) return "an unreadable time";
  char text[40] = {};
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

std::string hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    text.push_back(kDigits[bytes[i] >> 4]);
    text.push_back(kDigits[bytes[i] & 0x0F]);
  }
  return text;
}

}  // namespace

struct TlsEngine::Internals {
  Internals(TlsClientContext& tls_context, std::string host) : context(tls_context), host_name(std::move(host)) {
    mbedtls_ssl_init(&ssl);
  }
  ~Internals() { mbedtls_ssl_free(&ssl); }
  Internals(const Internals&) = delete;
  Internals& operator=(const Internals&) = delete;

  // The memory BIO. Sending never blocks: it appends to `output`, which the
  // caller drains. Receiving hands out what put_received() stored and says
  // WANT_READ when that is used up, which is how the engine asks for I/O.
  static int send(void* self, const unsigned char* bytes, std::size_t size) {
    auto& internals = *static_cast<Internals*>(self);
    const std::size_t taken = std::min<std::size_t>(size, INT_MAX);
    internals.output.append(reinterpret_cast<const char*>(bytes), taken);
    return static_cast<int>(taken);
  }
  static int receive(void* self, unsigned char* buffer, std::size_t capacity) {
    auto& internals = *static_cast<Internals*>(self);
    const std::size_t available = internals.received.size() - internals.received_used;
    if (available == 0) return MBEDTLS_ERR_SSL_WANT_READ;
    const std::size_t given = std::min<std::size_t>({capacity, available, INT_MAX});
    std::memcpy(buffer, internals.received.data() + internals.received_used, given);
    internals.received_used += given;
    internals.received_total += given;
    if (internals.received_used == internals.received.size()) {
      internals.received.clear();
      internals.received_used = 0;
    }
    return static_cast<int>(given);
  }

  // Mbed TLS also answers WANT_READ when it holds input it has not
  // processed yet and only wants to be called again: it parks a TLS 1.3
  // NewSessionTicket that way before reporting it, whether or not more bytes
  // are on the wire. Waiting for the network then could wait forever (the
  // server has sent everything), so WANT_READ means "wait" only when nothing
  // is parked and the last call took none of the bytes we hold.
  // The bound only guards the agent's single thread against a library that
  // never settles; real exchanges need a handful of calls.
  bool must_call_again(std::uint64_t received_total_before, int& calls_in_a_row) const {
    if (++calls_in_a_row > kMaxCallsWithoutWaiting) return false;
    const bool holding_input = received_used < received.size();
    return mbedtls_ssl_check_pending(&ssl) != 0 || (holding_input && received_total != received_total_before);
  }
  static constexpr int kMaxCallsWithoutWaiting = 1000;

  // Called by Mbed TLS for each certificate of the server's chain, root
  // first, after its own checks filled `flags`. It never fails the handshake
  // itself (returning non-zero would turn a verify result into a fatal
  // error with no reason); it records what the failure message needs and
  // adds the pin verdict to the flags.
  static int verify(void* self, mbedtls_x509_crt* certificate, int depth, std::uint32_t* flags) {
    auto& internals = *static_cast<Internals*>(self);
    internals.certificate_seen = true;
    if (depth != 0) return 0;

    char subject[256] = {};
    if (mbedtls_x509_dn_gets(subject, sizeof subject, &certificate->subject) < 0) subject[0] = '\0';
    internals.leaf_subject = subject;
    internals.leaf_valid_from = certificate->valid_from;
    internals.leaf_valid_to = certificate->valid_to;

    // The pin is over the DER SubjectPublicKeyInfo, which pk_raw spans in
    // the parsed certificate (no PK_WRITE_C needed to re-encode the key).
    std::array<unsigned char, 32> digest{};
    if (mbedtls_sha256(certificate->pk_raw.p, certificate->pk_raw.len, digest.data(), 0) != 0) {
      *flags |= MBEDTLS_X509_BADCERT_OTHER;
      internals.pin_mismatch = true;
      return 0;
    }
    internals.leaf_key_sha256 = hex(digest.data(), digest.size());
    const auto& pin = internals.context.pinned_public_key_sha256();
    if (pin && !std::equal(pin->begin(), pin->end(), digest.begin())) {
      internals.pin_mismatch = true;
      *flags |= MBEDTLS_X509_BADCERT_OTHER;
    }
    return 0;
  }

  TlsClientContext& context;
  std::string host_name;
  mbedtls_ssl_context ssl;

  std::string received;
  std::size_t received_used = 0;
  std::uint64_t received_total = 0;  // bytes ever handed to Mbed TLS: shows progress
  std::string output;
  std::size_t output_sent = 0;

  bool handshake_complete = false;
  bool session_offered = false;
  bool certificate_seen = false;
  bool session_resumed = false;
  bool close_notify_received = false;

  // About the server's certificate, for failure messages.
  bool pin_mismatch = false;
  std::string leaf_subject;
  mbedtls_x509_time leaf_valid_from{};
  mbedtls_x509_time leaf_valid_to{};
  std::string leaf_key_sha256;
};

TlsEngine::TlsEngine(TlsClientContext& context, std::string host_name)
    : internals_(std::make_unique<Internals>(context, std::move(host_name))) {
  Internals& in = *internals_;
  // Verification against an empty name would be no verification at all.
  if (in.host_name.empty()) {
    fail(TlsFailureKind::kConfiguration, "no host name given: the server's certificate is checked against it");
    return;
  }
  if (const int ret = mbedtls_ssl_setup(&in.ssl, &context.ssl_config()); ret != 0) {
    fail(TlsFailureKind::kHandshakeFailed, "cannot set up a TLS connection: " + tls_library_error_text(ret));
    return;
  }
  // One call sets both the SNI sent in the ClientHello and the name the
  // certificate must carry (SAN DNS or IP entry).
  if (const int ret = mbedtls_ssl_set_hostname(&in.ssl, in.host_name.c_str()); ret != 0) {
    fail(TlsFailureKind::kConfiguration,
         "the host name '" + in.host_name + "' cannot be used: " + tls_library_error_text(ret));
    return;
  }
  mbedtls_ssl_set_bio(&in.ssl, &in, &Internals::send, &Internals::receive, nullptr);
  mbedtls_ssl_set_verify(&in.ssl, &Internals::verify, &in);
  in.session_offered = context.offer_saved_session(in.host_name, in.ssl);
}

TlsEngine::~TlsEngine() = default;

void TlsEngine::put_received(std::string_view ciphertext) {
  Internals& in = *internals_;
  if (in.received_used > 0) {
    in.received.erase(0, in.received_used);
    in.received_used = 0;
  }
  in.received.append(ciphertext.data(), ciphertext.size());
}

std::string_view TlsEngine::pending_output() const {
  return std::string_view(internals_->output).substr(internals_->output_sent);
}

void TlsEngine::consume_output(std::size_t bytes) {
  Internals& in = *internals_;
  in.output_sent = std::min(in.output.size(), in.output_sent + bytes);
  if (in.output_sent == in.output.size()) {
    in.output.clear();
    in.output_sent = 0;
  }
}

void TlsEngine::take_output(std::string& destination) {
  Internals& in = *internals_;
  if (in.output_sent > 0) in.output.erase(0, in.output_sent);
  in.output_sent = 0;
  destination.clear();
  destination.swap(in.output);
}

TlsEngine::Status TlsEngine::handshake() {
  Internals& in = *internals_;
  if (failure_) return Status::kFailed;
  if (in.handshake_complete) return Status::kDone;
  int calls = 0;
  for (;;) {
    const std::uint64_t received_before = in.received_total;
    const int ret = mbedtls_ssl_handshake(&in.ssl);
    if (ret == 0) {
      on_handshake_complete();
      return Status::kDone;
    }
    if (ret == MBEDTLS_ERR_SSL_WANT_READ) {
      if (in.must_call_again(received_before, calls)) continue;
      return Status::kWantRead;
    }
    if (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
      in.context.save_session(in.host_name, in.ssl);
      continue;
    }
    return fail_handshake(ret);
  }
}

void TlsEngine::on_handshake_complete() {
  Internals& in = *internals_;
  in.handshake_complete = true;
  in.session_resumed = in.session_offered && !in.certificate_seen;
  // A TLS 1.2 session is complete now. A TLS 1.3 one is not: it becomes
  // resumable only with a NewSessionTicket, which read() saves when it comes;
  // saving the ticket-less session here would only displace a good one.
  if (mbedtls_ssl_get_version_number(&in.ssl) == MBEDTLS_SSL_VERSION_TLS1_2) {
    in.context.save_session(in.host_name, in.ssl);
  }
}

TlsEngine::Status TlsEngine::write(std::string_view plaintext, std::size_t& written) {
  Internals& in = *internals_;
  written = 0;
  if (const Status status = handshake(); status != Status::kDone) return status;
  std::size_t taken = 0;
  while (taken < plaintext.size()) {
    // Our send callback never blocks, so each call encrypts one record's
    // worth (MBEDTLS_SSL_OUT_CONTENT_LEN) and never asks to be repeated.
    const int ret = mbedtls_ssl_write(&in.ssl, reinterpret_cast<const unsigned char*>(plaintext.data()) + taken,
                                      plaintext.size() - taken);
    if (ret < 0)
      return fail(TlsFailureKind::kProtocolError,
                  "sending to " + in.host_name + " failed: " + tls_library_error_text(ret));
    taken += static_cast<std::size_t>(ret);
  }
  written = taken;
  return Status::kDone;
}

TlsEngine::Status TlsEngine::read(char* buffer, std::size_t capacity, std::size_t& got) {
  Internals& in = *internals_;
  got = 0;
  if (const Status status = handshake(); status != Status::kDone) return status;
  if (in.close_notify_received) return Status::kClosed;
  if (capacity == 0) return Status::kDone;
  int calls = 0;
  for (;;) {
    const std::uint64_t received_before = in.received_total;
    const int ret = mbedtls_ssl_read(&in.ssl, reinterpret_cast<unsigned char*>(buffer), capacity);
    if (ret > 0) {
      got = static_cast<std::size_t>(ret);
      return Status::kDone;
    }
    switch (ret) {
      case MBEDTLS_ERR_SSL_WANT_READ:
        if (in.must_call_again(received_before, calls)) continue;
        return Status::kWantRead;
      case MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET:
        // TLS 1.3 tickets come after the handshake, usually just before the
        // first response bytes; each one replaces the saved session.
        in.context.save_session(in.host_name, in.ssl);
        continue;
      case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
        in.close_notify_received = true;
        return Status::kClosed;
      default:
        // 0 would mean the transport reported end of file, which our receive
        // callback never does; it counts as a protocol error with the rest.
        return fail(TlsFailureKind::kProtocolError,
                    "the TLS connection to " + in.host_name + " broke: " +
                        (ret == 0 ? std::string("unexpected end of the record stream")
                                  : tls_library_error_text(ret)));
    }
  }
}

TlsEngine::Status TlsEngine::shutdown() {
  Internals& in = *internals_;
  if (failure_) return Status::kFailed;
  // Before the handshake there is no session to close: nothing to say.
  if (!in.handshake_complete) return Status::kDone;
  if (const int ret = mbedtls_ssl_close_notify(&in.ssl); ret != 0) {
    return fail(TlsFailureKind::kProtocolError, "closing the TLS session failed: " + tls_library_error_text(ret));
  }
  return Status::kDone;
}

const std::string& TlsEngine::host_name() const { return internals_->host_name; }

bool TlsEngine::handshake_complete() const { return internals_->handshake_complete; }

bool TlsEngine::session_resumed() const { return internals_->session_resumed; }

bool TlsEngine::close_notify_received() const { return internals_->close_notify_received; }

std::string TlsEngine::negotiated_protocol() const {
  if (!internals_->handshake_complete) return {};
  return mbedtls_ssl_get_version(&internals_->ssl);
}

std::string TlsEngine::negotiated_alpn() const {
  const char* protocol = mbedtls_ssl_get_alpn_protocol(&internals_->ssl);
  return protocol != nullptr ? protocol : "";
}

std::string TlsEngine::negotiated_cipher_suite() const {
  if (!internals_->handshake_complete) return {};
  return mbedtls_ssl_get_ciphersuite(&internals_->ssl);
}

TlsEngine::Status TlsEngine::fail(TlsFailureKind kind, std::string detail) {
  if (!failure_) failure_ = {kind, std::move(detail)};
  return Status::kFailed;
}

TlsEngine::Status TlsEngine::fail_handshake(int mbedtls_error) {
  const Internals& in = *internals_;
  const std::uint32_t flags = mbedtls_ssl_get_verify_result(&in.ssl);
  // 0xFFFFFFFF: no verification result yet (the failure came before the certificate).
  const bool verify_failed = mbedtls_error == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED ||
                             (flags != 0 && flags != 0xFFFFFFFFu);
  if (!verify_failed) {
    return fail(TlsFailureKind::kHandshakeFailed,
                "the TLS handshake with " + in.host_name + " failed: " + tls_library_error_text(mbedtls_error));
  }

  const std::string certificate = "the certificate of " + in.host_name +
                                  (in.leaf_subject.empty() ? "" : " (" + in.leaf_subject + ")");
  // One reason is reported, the most basic first: a certificate from an
  // unknown CA says nothing trustworthy about its dates or names, and a
  // wrong clock makes dates fail before anything else is worth a look.
  if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
    return fail(TlsFailureKind::kUnknownCertificateAuthority,
                certificate + " is not issued by a certificate authority in " + in.context.ca_file());
  }
  if (flags & MBEDTLS_X509_BADCERT_FUTURE) {
    return fail(TlsFailureKind::kCertificateNotYetValid,
                certificate + " is valid only from " + utc_text(in.leaf_valid_from) +
                    ", but this device's clock says " + clock_text() +
                    "; the robot's clock may be wrong after boot (no network time yet)");
  }
  if (flags & MBEDTLS_X509_BADCERT_EXPIRED) {
    return fail(TlsFailureKind::kCertificateExpired, certificate + " expired on " + utc_text(in.leaf_valid_to) +
                                                         " (this device's clock says " + clock_text() + ")");
  }
  if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) {
    return fail(TlsFailureKind::kHostNameMismatch, certificate + " is not valid for the name " + in.host_name);
  }
  if (in.pin_mismatch && (flags & ~static_cast<std::uint32_t>(MBEDTLS_X509_BADCERT_OTHER)) == 0) {
    const auto& pin = in.context.pinned_public_key_sha256();
    return fail(TlsFailureKind::kPinMismatch, "the public key of " + in.host_name + " has SHA-256 " +
                                                  in.leaf_key_sha256 + ", not the pinned " +
                                                  (pin ? hex(pin->data(), pin->size()) : std::string("key")));
  }
  char reasons[512] = {};
  if (mbedtls_x509_crt_verify_info(reasons, sizeof reasons, "", flags) < 0) reasons[0] = '\0';
  std::string text = reasons;
  std::replace(text.begin(), text.end(), '\n', ';');
  while (!text.empty() && (text.back() == ';' || text.back() == ' ')) text.pop_back();
  return fail(TlsFailureKind::kOtherVerifyFailure, certificate + " was rejected: " + text);
}

}  // namespace vic_r1::platform
