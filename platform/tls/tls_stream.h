#pragma once

// TlsStream: a TLS client stream over a TCP socket that Boost.Beast can use
// unchanged (it meets Beast's AsyncStream requirements: get_executor(),
// async_read_some(), async_write_some()), so http::async_write and
// http::async_read run over it. All TLS logic lives in TlsEngine; this file
// only moves bytes between the engine and the socket with Asio.
//
// Rules the users of this stream keep (the same as for any Asio stream):
//   - async_handshake completes before any read or write starts, and nothing
//     else runs during it;
//   - at most one read (async_read_some) and one write (async_write_some or
//     async_shutdown) are outstanding at a time; a read and a write may be.
// Cancelling: close the socket (next_layer().close()); every pending
// operation then completes with boost::asio::error::operation_aborted. That
// is how the HTTP layer enforces deadlines and user interrupts.
// Errors: TLS failures complete with an error_code of tls_error_category()
// whose value is the TlsFailureKind (engine().failure() has the detail);
// socket errors pass through unchanged; the end of the stream, whether the
// peer sent close_notify or just closed TCP, is boost::asio::error::eof
// (engine().close_notify_received() tells the two apart; HTTP's own framing
// catches a body cut short).

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "platform/tls/tls_client_context.h"
#include "platform/tls/tls_engine.h"
#include "platform/tls/tls_failure.h"

namespace vic_r1::platform {

const boost::system::error_category& tls_error_category();
boost::system::error_code make_error_code(TlsFailureKind kind);

}  // namespace vic_r1::platform

namespace boost::system {
// Lets callers and tests compare: `ec == TlsFailureKind::kPinMismatch`.
template <>
struct is_error_code_enum<vic_r1::platform::TlsFailureKind> : std::true_type {};
}  // namespace boost::system

namespace vic_r1::platform {

class TlsStream {
 public:
  using next_layer_type = boost::asio::ip::tcp::socket;
  using executor_type = next_layer_type::executor_type;

  // One socket read: the largest TLS 1.2 record a server may send (16 KiB of
  // plaintext plus expansion and header), so a whole record fits in one read.
  static constexpr std::size_t kReceiveChunk = 16384 + 2048 + 5;
  // Plaintext taken per async_write_some. Gathering Beast's small header
  // buffers into one piece makes one record of them, not one each; the
  // bound keeps the copy small (Mbed TLS cuts it into records of
  // MBEDTLS_SSL_OUT_CONTENT_LEN bytes).
  static constexpr std::size_t kMaxWriteChunk = 16384;

  // `socket` must be connected before async_handshake (it may be connected
  // through next_layer()); `host_name` is what SNI sends and what the
  // certificate must name. `context` must outlive the stream.
  TlsStream(next_layer_type socket, TlsClientContext& context, std::string host_name)
      : socket_(std::move(socket)),
        engine_(context, std::move(host_name)),
        receive_buffer_(std::make_unique<char[]>(kReceiveChunk)) {}
  // The operations keep a reference to the stream: it neither moves nor copies.
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  next_layer_type& next_layer() { return socket_; }
  const next_layer_type& next_layer() const { return socket_; }
  TlsEngine& engine() { return engine_; }
  const TlsEngine& engine() const { return engine_; }

  // Signature: void(boost::system::error_code).
  template <class Token>
  auto async_handshake(Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code)>(
        EngineOp<HandshakeAction>(*this, HandshakeAction{}), token, socket_);
  }

  // Signature: void(boost::system::error_code, std::size_t).
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        EngineOp<ReadAction<MutableBuffers>>(*this, ReadAction<MutableBuffers>{buffers}), token, socket_);
  }

  // Encrypts up to kMaxWriteChunk bytes and completes once all their
  // ciphertext is on the socket. Signature: void(boost::system::error_code, std::size_t).
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        EngineOp<WriteAction<ConstBuffers>>(*this, WriteAction<ConstBuffers>{buffers, {}}), token, socket_);
  }

  // Sends close_notify and completes; it does not wait for the server's
  // close_notify (best effort: the caller closes the socket next).
  // Signature: void(boost::system::error_code).
  template <class Token>
  auto async_shutdown(Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code)>(
        EngineOp<ShutdownAction>(*this, ShutdownAction{}), token, socket_);
  }

 private:
  // What one engine call produced: the status, and plaintext bytes moved.
  struct Outcome {
    TlsEngine::Status status;
    std::size_t bytes;
  };

  // kSendsOutput: whether this operation sends what the engine produced
  // after the handshake; kReportsBytes: whether its handler gets a count.
  struct HandshakeAction {
    static constexpr bool kSendsOutput = true;
    static constexpr bool kReportsBytes = false;
    Outcome run(TlsEngine& engine) { return {engine.handshake(), 0}; }
  };

  struct ShutdownAction {
    static constexpr bool kSendsOutput = true;
    static constexpr bool kReportsBytes = false;
    Outcome run(TlsEngine& engine) { return {engine.shutdown(), 0}; }
  };

  template <class MutableBuffers>
  struct ReadAction {
    // After the handshake a read never writes to the socket (that is the
    // writer's job, so the two never interleave on the wire), except a fatal
    // alert after a failure when no write is in flight.
    static constexpr bool kSendsOutput = false;
    static constexpr bool kReportsBytes = true;
    MutableBuffers buffers;

    // Fills the buffers in order from what the engine can decrypt now; stops
    // at the first that is not filled completely. Data before a close or a
    // failure is delivered first; the next read reports the close or failure.
    Outcome run(TlsEngine& engine) {
      std::size_t total = 0;
      const auto end = boost::asio::buffer_sequence_end(buffers);
      for (auto it = boost::asio::buffer_sequence_begin(buffers); it != end; ++it) {
        const boost::asio::mutable_buffer buffer(*it);
        if (buffer.size() == 0) continue;
        std::size_t got = 0;
        const TlsEngine::Status status = engine.read(static_cast<char*>(buffer.data()), buffer.size(), got);
        total += got;
        if (status != TlsEngine::Status::kDone) return {total > 0 ? TlsEngine::Status::kDone : status, total};
        if (got < buffer.size()) break;
      }
      return {TlsEngine::Status::kDone, total};
    }
  };

  template <class ConstBuffers>
  struct WriteAction {
    static constexpr bool kSendsOutput = true;
    static constexpr bool kReportsBytes = true;
    ConstBuffers buffers;
    std::string plaintext;  // this write's share of `buffers`, gathered into one piece

    Outcome run(TlsEngine& engine) {
      if (plaintext.empty()) {
        plaintext.resize(std::min(boost::asio::buffer_size(buffers), kMaxWriteChunk));
        boost::asio::buffer_copy(boost::asio::buffer(plaintext), buffers);
      }
      std::size_t written = 0;
      const TlsEngine::Status status = engine.write(plaintext, written);
      return {status, written};
    }
  };

  // One TLS operation as an Asio composed operation: run the engine; when it
  // wants input, send what it produced (the server waits for it), read from
  // the socket, feed the engine and run it again; when it is done, send what
  // it produced and complete.
  template <class Action>
  class EngineOp {
   public:
    EngineOp(TlsStream& stream, Action action) : stream_(stream), action_(std::move(action)) {}

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t transferred = 0) {
      switch (step_) {
        case Step::kRun:
          break;
        case Step::kSendThenReceive:
          stream_.sending_ = false;
          if (ec) return complete(self, ec, 0);
          return receive(self);
        case Step::kReceive:
          // operation_aborted (socket closed), eof, resets: passed through.
          if (ec) return complete(self, ec, 0);
          stream_.engine_.put_received(std::string_view(stream_.receive_buffer_.get(), transferred));
          break;
        case Step::kSendThenComplete:
          stream_.sending_ = false;
          // After a TLS failure the alert is sent best effort: the failure is the news.
          if (ec && !failed_) result_ = {ec, 0};
          if (!ec && !stream_.engine_.pending_output().empty()) return send(self, Step::kSendThenComplete);
          return complete(self, result_.ec, result_.bytes);
        case Step::kPostedCompletion:
          return finish(self, result_.ec, result_.bytes);
      }
      run(self);
    }

   private:
    enum class Step { kRun, kSendThenReceive, kReceive, kSendThenComplete, kPostedCompletion };
    struct Result {
      boost::system::error_code ec;
      std::size_t bytes = 0;
    };

    template <class Self>
    void run(Self& self) {
      TlsEngine& engine = stream_.engine_;
      const bool handshaking = !engine.handshake_complete();
      const Outcome outcome = action_.run(engine);
      failed_ = outcome.status == TlsEngine::Status::kFailed;
      // Output is sent by writers, by anyone during the handshake (the
      // server waits for our flight), and after a failure (the alert); but
      // never while another operation's send is in flight, to keep the
      // ciphertext in order on the wire.
      const bool may_send = !stream_.sending_ && (Action::kSendsOutput || handshaking || failed_);
      const bool have_output = !engine.pending_output().empty();
      switch (outcome.status) {
        case TlsEngine::Status::kWantRead:
          if (have_output && may_send) return send(self, Step::kSendThenReceive);
          return receive(self);
        case TlsEngine::Status::kDone:
          result_ = {{}, outcome.bytes};
          break;
        case TlsEngine::Status::kClosed:
          result_ = {boost::asio::error::eof, 0};
          break;
        case TlsEngine::Status::kFailed:
          result_ = {make_error_code(engine.failure().kind), 0};
          break;
      }
      if (have_output && may_send) return send(self, Step::kSendThenComplete);
      complete(self, result_.ec, result_.bytes);
    }

    template <class Self>
    void send(Self& self, Step next) {
      step_ = next;
      went_async_ = true;
      stream_.sending_ = true;
      // The bytes move to the stream's in-flight buffer, so the engine may
      // append more (a concurrent read's alert) while these are on the way.
      stream_.engine_.take_output(stream_.in_flight_);
      boost::asio::async_write(stream_.socket_, boost::asio::buffer(stream_.in_flight_), std::move(self));
    }

    template <class Self>
    void receive(Self& self) {
      step_ = Step::kReceive;
      went_async_ = true;
      stream_.socket_.async_read_some(boost::asio::buffer(stream_.receive_buffer_.get(), kReceiveChunk),
                                      std::move(self));
    }

    // An operation that finishes without waiting (data already decrypted,
    // a zero-size buffer, a failure known before any I/O) must not call its
    // handler from inside the initiating function: Asio's rule, which
    // async_compose in Boost 1.74 leaves to us. So the first completion goes
    // through post().
    template <class Self>
    void complete(Self& self, boost::system::error_code ec, std::size_t bytes) {
      if (!went_async_) {
        result_ = {ec, bytes};
        step_ = Step::kPostedCompletion;
        went_async_ = true;
        boost::asio::post(std::move(self));
        return;
      }
      finish(self, ec, bytes);
    }

    template <class Self>
    static void finish(Self& self, boost::system::error_code ec, std::size_t bytes) {
      if constexpr (Action::kReportsBytes) {
        self.complete(ec, bytes);
      } else {
        self.complete(ec);
      }
    }

    TlsStream& stream_;
    Action action_;
    Step step_ = Step::kRun;
    Result result_;
    bool went_async_ = false;
    bool failed_ = false;
  };

  next_layer_type socket_;
  TlsEngine engine_;
  std::unique_ptr<char[]> receive_buffer_;  // the one outstanding socket read lands here
  std::string in_flight_;                   // ciphertext of the one outstanding socket write
  bool sending_ = false;
};

}  // namespace vic_r1::platform
