#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "platform/tls/tls_client_context.h"
#include "platform/tls/tls_failure.h"

namespace vic_r1::platform {

// One TLS client connection's state machine, over memory buffers only: it
// never touches a socket (the engine / memory-BIO split). The caller moves
// ciphertext between the engine and the network:
//   - bytes received from the network go in with put_received();
//   - bytes the engine wants sent are in pending_output(); after sending some,
//     call consume_output(n), or move all of them out at once with
//     take_output() (what an asynchronous sender does, so the engine may
//     append more while those bytes are on their way).
// Each operation returns kWantRead when it needs more received bytes (send the
// pending output first, then read), kDone when it finished, kClosed when the
// peer closed the TLS session (close_notify), or kFailed (see failure()).
// A failure is final: every later operation returns kFailed again.
class TlsEngine {
 public:
  enum class Status { kDone, kWantRead, kClosed, kFailed };

  // SNI and certificate host-name verification both use `host_name` (a DNS
  // name or an IP address literal; never empty). A session saved for this
  // host name in the context is offered for resumption. A set-up problem
  // (empty or over-long host name) makes every operation return kFailed.
  TlsEngine(TlsClientContext& context, std::string host_name);
  ~TlsEngine();
  TlsEngine(const TlsEngine&) = delete;
  TlsEngine& operator=(const TlsEngine&) = delete;

  void put_received(std::string_view ciphertext);
  std::string_view pending_output() const;
  void consume_output(std::size_t bytes);
  // Replaces `destination`'s contents with all pending output (no copy: the
  // buffers are swapped, so `destination`'s old capacity is reused).
  void take_output(std::string& destination);

  Status handshake();
  // Encrypts all of `plaintext` (as many records as it takes); `written` says
  // how many bytes were taken: all of them with kDone, none otherwise. Runs
  // the handshake first if it has not completed.
  Status write(std::string_view plaintext, std::size_t& written);
  // Decrypts into `buffer`; `got` > 0 with kDone, or kWantRead when no whole
  // record is buffered yet. TLS 1.3 session tickets arriving here are saved
  // in the context and never surface. Runs the handshake first if needed.
  Status read(char* buffer, std::size_t capacity, std::size_t& got);
  // Queues close_notify in pending_output().
  Status shutdown();

  const std::string& host_name() const;
  bool handshake_complete() const;
  // The handshake resumed a saved session: a session was offered and the
  // server never sent its certificate (see tls_engine.cpp for why that is the
  // test for both TLS 1.2 and TLS 1.3).
  bool session_resumed() const;
  bool close_notify_received() const;
  std::string negotiated_protocol() const;      // "TLSv1.3", "TLSv1.2"; "" before the handshake
  std::string negotiated_alpn() const;          // "http/1.1" or ""
  std::string negotiated_cipher_suite() const;  // e.g. "TLS1-3-AES-128-GCM-SHA256"
  const TlsFailure& failure() const { return failure_; }

 private:
  struct Internals;
  Status fail(TlsFailureKind kind, std::string detail);
  Status fail_handshake(int mbedtls_error);
  void on_handshake_complete();

  std::unique_ptr<Internals> internals_;
  TlsFailure failure_;
};

}  // namespace vic_r1::platform
