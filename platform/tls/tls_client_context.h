#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "platform/tls/tls_failure.h"

// Mbed TLS's types, declared here so users of this header need not see its headers.
struct mbedtls_ssl_config;
struct mbedtls_ssl_context;

namespace vic_r1::platform {

struct TlsClientSettings {
  std::string ca_file;  // PEM bundle of trusted CAs; verification is never optional
  // SHA-256 of the server certificate's SubjectPublicKeyInfo (DER); when set,
  // the handshake fails unless the leaf's key matches (in addition to the CA check).
  // A resumed handshake carries no certificate; its session comes from a full
  // handshake of this same context, which passed the pin.
  std::optional<std::array<std::uint8_t, 32>> pinned_public_key_sha256;
};

// What every connection to the R1 servers shares: the parsed CA chain, the
// random generator, the TLS configuration (TLS 1.2 and 1.3, client, ALPN
// http/1.1, verification required) and the sessions kept for resumption,
// per host name. Created once; must outlive every TlsEngine made from it.
// Not thread-safe: like the rest of the agent, it lives on one io_context thread.
class TlsClientContext {
 public:
  // Returns nullptr and fills `failure` (kind kConfiguration, detail naming
  // the file and the reason) when the CA file cannot be read or holds no
  // certificate, or when the random generator cannot be seeded.
  static std::unique_ptr<TlsClientContext> create(const TlsClientSettings& settings, TlsFailure& failure);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  const std::string& ca_file() const;
  // Certificates loaded from the CA file, and those in it Mbed TLS could not
  // parse (skipped: a bundle may hold a few with algorithms we do not build in).
  std::size_t ca_certificates_loaded() const;
  std::size_t ca_certificates_skipped() const;
  const std::optional<std::array<std::uint8_t, 32>>& pinned_public_key_sha256() const;

  // The one configuration every TlsEngine of this context is set up with.
  const mbedtls_ssl_config& ssl_config() const;

  // Session resumption, one saved session per host name. The TlsEngine saves
  // the session after a TLS 1.2 handshake and after each TLS 1.3
  // NewSessionTicket; a new engine for the same host takes it (a session is
  // offered once: RFC 8446 C.4 asks clients not to reuse a ticket) and gets a
  // fresh one from that connection. Returns whether a session was saved/offered.
  // Mbed TLS offers only the saved session's TLS version when it resumes, so
  // a server that dropped that version fails that one handshake; the session
  // is gone by then and a second attempt makes a full handshake.
  bool save_session(const std::string& host_name, const mbedtls_ssl_context& connection);
  bool offer_saved_session(const std::string& host_name, mbedtls_ssl_context& connection);
  bool has_saved_session(const std::string& host_name) const;
  void forget_saved_sessions();

 private:
  struct Internals;  // Mbed TLS state; defined in tls_client_context.cpp
  explicit TlsClientContext(std::unique_ptr<Internals> internals);
  std::unique_ptr<Internals> internals_;
};

}  // namespace vic_r1::platform
