#include "platform/tls/tls_client_context.h"
#include "platform/tls/tls_library.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <map>
#include <utility>

namespace vic_r1::platform {
namespace {

// Offered in the ClientHello; the HTTP layer speaks nothing else. Mbed TLS
// keeps the pointer, so the list must live as long as the configuration.
const char* const kAlpnProtocols[] = {"http/1.1", nullptr};

// The signature schemes we accept in the handshake, most preferred first.
// RSA PKCS#1 v1.5 comes before RSA-PSS: the TLS 1.2 client of Mbed TLS
// 3.6.6 rejects a ServerKeyExchange signed with rsa_pss_rsae_* ("A field in
// a message was incorrect", a regression of its fix for CVE-2026-25834,
// repaired upstream after 3.6.6). The bootstrap patches that
// (toolchains/patches/), and this order keeps a TLS 1.2 server that follows
// the client's preference on PKCS#1 v1.5 should the patch not apply. TLS 1.3
// forbids PKCS#1 v1.5 handshake signatures, so 1.3 servers with RSA keys
// still pick PSS.
const std::uint16_t kSignatureSchemes[] = {
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256,
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA512,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA512,
    MBEDTLS_TLS1_3_SIG_NONE,
};

// Mixed into the DRBG seed so two DRBGs fed the same entropy still differ.
constexpr char kDrbgPersonalization[] = "vic-r1 tls client";

struct SessionDeleter {
  void operator()(mbedtls_ssl_session* session) const {
    mbedtls_ssl_session_free(session);
    delete session;
  }
};
using SavedSession = std::unique_ptr<mbedtls_ssl_session, SessionDeleter>;

SavedSession new_session() {
  SavedSession session(new mbedtls_ssl_session);
  mbedtls_ssl_session_init(session.get());
  return session;
}

}  // namespace

struct TlsClientContext::Internals {
  Internals() {
    mbedtls_x509_crt_init(&ca_chain);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&random);
    mbedtls_ssl_config_init(&config);
  }
  ~Internals() {
    // Reverse order of use: the configuration points at the chain and the DRBG.
    mbedtls_ssl_config_free(&config);
    mbedtls_ctr_drbg_free(&random);
    mbedtls_entropy_free(&entropy);
    mbedtls_x509_crt_free(&ca_chain);
  }
  Internals(const Internals&) = delete;
  Internals& operator=(const Internals&) = delete;

  TlsClientSettings settings;
  mbedtls_x509_crt ca_chain;
  std::size_t ca_loaded = 0;
  std::size_t ca_skipped = 0;
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context random;
  mbedtls_ssl_config config;
  std::map<std::string, SavedSession> sessions;
};

TlsClientContext::TlsClientContext(std::unique_ptr<Internals> internals) : internals_(std::move(internals)) {}

TlsClientContext::~TlsClientContext() = default;

std::unique_ptr<TlsClientContext> TlsClientContext::create(const TlsClientSettings& settings,
                                                           TlsFailure& failure) {
  failure = {};
  auto fail = [&failure](std::string detail) {
    failure = {TlsFailureKind::kConfiguration, std::move(detail)};
    return nullptr;
  };
  auto internals = std::make_unique<Internals>();
  internals->settings = settings;

  // 1. The trusted CAs. Opening the file ourselves first gives the user the
  //    errno reason ("No such file or directory"), which Mbed TLS's own
  //    file error ("Read/write of file failed") does not.
  if (settings.ca_file.empty())
    return fail("no CA file is configured; server certificates cannot be verified without one");
  if (std::FILE* probe = std::fopen(settings.ca_file.c_str(), "rb")) {
    std::fclose(probe);
  } else {
    const int error = errno;
    return fail("cannot read the CA file " + settings.ca_file + ": " + std::strerror(error));
  }
  // Whoever may add a certificate to it may make vic-r1 trust a server of
  // theirs, and hand it the API key.
  struct stat ca_file_status {};
  if (::stat(settings.ca_file.c_str(), &ca_file_status) == 0 &&
      (ca_file_status.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(ca_file_status.st_mode & 07777));
    return fail("the CA file " + settings.ca_file + " can be changed by users other than its owner (mode " + mode +
                "), who could make vic-r1 trust a server of theirs; run: chmod go-w " + settings.ca_file);
  }
  const int parsed = mbedtls_x509_crt_parse_file(&internals->ca_chain, settings.ca_file.c_str());
  for (const mbedtls_x509_crt* crt = &internals->ca_chain; crt != nullptr && crt->raw.len > 0; crt = crt->next) {
    ++internals->ca_loaded;
  }
  if (parsed < 0 || internals->ca_loaded == 0) {
    std::string reason = parsed < 0 ? tls_library_error_text(parsed) : "no PEM certificate in it";
    return fail("the CA file " + settings.ca_file + " holds no certificate Mbed TLS can use: " + reason);
  }
  internals->ca_skipped = static_cast<std::size_t>(parsed);

  // 2. Randomness. PSA must be up before any TLS 1.3 handshake: Mbed TLS 3.6
  //    runs the 1.3 key schedule through it. psa_crypto_init() is documented
  //    as safe to call again once it has succeeded, so every context may call it.
  if (const psa_status_t status = psa_crypto_init(); status != PSA_SUCCESS) {
    return fail("cannot start the PSA crypto layer (status " + std::to_string(status) + ")");
  }
  if (const int ret = mbedtls_ctr_drbg_seed(&internals->random, mbedtls_entropy_func, &internals->entropy,
                                            reinterpret_cast<const unsigned char*>(kDrbgPersonalization),
                                            sizeof kDrbgPersonalization - 1);
      ret != 0) {
    return fail("cannot seed the random generator from the kernel: " + tls_library_error_text(ret));
  }

  // 3. The TLS configuration shared by every connection.
  mbedtls_ssl_config* config = &internals->config;
  if (const int ret = mbedtls_ssl_config_defaults(config, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                                  MBEDTLS_SSL_PRESET_DEFAULT);
      ret != 0) {
    return fail("cannot set up the TLS configuration: " + tls_library_error_text(ret));
  }
  // The cipher suites are the MBEDTLS_SSL_CIPHERSUITES list of our Mbed TLS
  // configuration header, which config_defaults already installed.
  mbedtls_ssl_conf_min_tls_version(config, MBEDTLS_SSL_VERSION_TLS1_2);
  mbedtls_ssl_conf_max_tls_version(config, MBEDTLS_SSL_VERSION_TLS1_3);
  // REQUIRED is the only mode vic-r1 has: there is deliberately no switch to
  // lower it. The engine adds host-name checking (and the pin) per connection.
  mbedtls_ssl_conf_authmode(config, MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_ca_chain(config, &internals->ca_chain, nullptr);
  mbedtls_ssl_conf_rng(config, mbedtls_ctr_drbg_random, &internals->random);
  mbedtls_ssl_conf_sig_algs(config, kSignatureSchemes);
  if (const int ret = mbedtls_ssl_conf_alpn_protocols(config, const_cast<const char**>(kAlpnProtocols));
      ret != 0) {
    return fail("cannot configure ALPN: " + tls_library_error_text(ret));
  }
  mbedtls_ssl_conf_session_tickets(config, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
  // Mbed TLS 3.6 ignores TLS 1.3 NewSessionTicket messages unless told
  // otherwise; with this, reads report each ticket and the engine saves it.
  mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(config,
                                                           MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);

  return std::unique_ptr<TlsClientContext>(new TlsClientContext(std::move(internals)));
}

const std::string& TlsClientContext::ca_file() const { return internals_->settings.ca_file; }

std::size_t TlsClientContext::ca_certificates_loaded() const { return internals_->ca_loaded; }

std::size_t TlsClientContext::ca_certificates_skipped() const { return internals_->ca_skipped; }

const std::optional<std::array<std::uint8_t, 32>>& TlsClientContext::pinned_public_key_sha256() const {
  return internals_->settings.pinned_public_key_sha256;
}

const mbedtls_ssl_config& TlsClientContext::ssl_config() const { return internals_->config; }

bool TlsClientContext::save_session(const std::string& host_name, const mbedtls_ssl_context& connection) {
  SavedSession session = new_session();
  // Fails when this connection's session was exported already (Mbed TLS
  // exports each session, i.e. each TLS 1.3 ticket, once); keep what we have.
  if (mbedtls_ssl_get_session(&connection, session.get()) != 0) return false;
  internals_->sessions[host_name] = std::move(session);
  return true;
}

bool TlsClientContext::offer_saved_session(const std::string& host_name, mbedtls_ssl_context& connection) {
  const auto found = internals_->sessions.find(host_name);
  if (found == internals_->sessions.end()) return false;
  const SavedSession session = std::move(found->second);
  internals_->sessions.erase(found);
  // mbedtls_ssl_set_session() copies the session into the connection.
  return mbedtls_ssl_set_session(&connection, session.get()) == 0;
}

bool TlsClientContext::has_saved_session(const std::string& host_name) const {
  return internals_->sessions.count(host_name) != 0;
}

void TlsClientContext::forget_saved_sessions() { internals_->sessions.clear(); }

}  // namespace vic_r1::platform
