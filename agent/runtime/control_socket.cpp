#include "agent/runtime/control_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>

#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace vic_r1::runtime {

namespace asio = boost::asio;
using asio::local::stream_protocol;

namespace {

constexpr std::size_t kMaxRequestBytes = 4096;
constexpr std::chrono::seconds kRequestDeadline{5};
// A client that stops reading loses its connection, not the agent's memory.
constexpr std::size_t kMaxPendingReplyBytes = 64 * 1024;

}  // namespace

class ControlSocket::Session final : public std::enable_shared_from_this<ControlSocket::Session>,
                                     public orchestrator::QuestionListener {
 public:
  Session(stream_protocol::socket socket, ControlSocket& owner)
      : socket_(std::move(socket)), owner_(owner), alive_(owner.alive_), deadline_(socket_.get_executor()) {}

  ~Session() override {
    if (asking_ && !alive_.expired()) owner_.orchestrator_.forget_listener(this);
  }

  void start() {
    deadline_.expires_after(kRequestDeadline);
    deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec && !self->request_read_) self->close();
    });
    asio::async_read_until(socket_, request_, '\n',
                           [self = shared_from_this()](const boost::system::error_code& ec, std::size_t size) {
                             self->on_request(ec, size);
                           });
  }

  // QuestionListener: the orchestrator tells how the question goes.
  void on_sentence(std::string_view text) override { reply("say: " + std::string(text) + "\n"); }
  void on_finished(const orchestrator::QuestionReport& report) override {
    asking_ = false;
    reply("done: " + report.outcome + "\n");
    finish_after_reply();
  }

 private:
  void on_request(const boost::system::error_code& ec, std::size_t size) {
    request_read_ = true;
    deadline_.cancel();
    if (ec || alive_.expired()) return close();
    std::string line(asio::buffers_begin(request_.data()),
                     asio::buffers_begin(request_.data()) + static_cast<std::ptrdiff_t>(size));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line == "status" || line == "status --json") {
      reply(owner_.status_(line != "status"));
      finish_after_reply();
    } else if (line.rfind("ask ", 0) == 0 && line.size() > 4) {
      asking_ = true;
      owner_.log_.info("asked over the control socket");
      watch_for_hangup();
      owner_.orchestrator_.ask(std::string_view(line).substr(4), "control", this,
                               std::chrono::steady_clock::now());
    } else {
      reply("error: unknown request (status, status --json, ask QUESTION)\n");
      finish_after_reply();
    }
  }

  // The pending read keeps the session alive while the question runs, and
  // ends it when the client goes away (Ctrl-C on `vic-r1 ask`).
  void watch_for_hangup() {
    socket_.async_read_some(asio::buffer(hangup_probe_),
                            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                              if (ec) return self->close();
                              self->watch_for_hangup();
                            });
  }

  void reply(std::string text) {
    if (closed_) return;
    pending_bytes_ += text.size();
    if (pending_bytes_ > kMaxPendingReplyBytes) return close();
    outgoing_.push_back(std::move(text));
    if (!writing_) write_next();
  }

  void write_next() {
    if (outgoing_.empty() || closed_) {
      writing_ = false;
      if (closing_after_reply_) close();
      return;
    }
    writing_ = true;
    asio::async_write(socket_, asio::buffer(outgoing_.front()),
                      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                        if (ec) return self->close();
                        self->pending_bytes_ -= self->outgoing_.front().size();
                        self->outgoing_.pop_front();
                        self->write_next();
                      });
  }

  void finish_after_reply() {
    closing_after_reply_ = true;
    if (!writing_) close();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    if (asking_ && !alive_.expired()) owner_.orchestrator_.forget_listener(this);
    asking_ = false;
    boost::system::error_code ignored;
    socket_.shutdown(stream_protocol::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  stream_protocol::socket socket_;
  ControlSocket& owner_;
  std::weak_ptr<bool> alive_;
  asio::steady_timer deadline_;
  asio::streambuf request_{kMaxRequestBytes};
  std::deque<std::string> outgoing_;
  char hangup_probe_[64];
  std::size_t pending_bytes_ = 0;
  bool request_read_ = false;
  bool writing_ = false;
  bool closing_after_reply_ = false;
  bool asking_ = false;
  bool closed_ = false;
};

ControlSocket::ControlSocket(asio::io_context& io, std::string path,
                             orchestrator::AnswerOrchestrator& orchestrator, StatusSource status,
                             logging::Logger& log)
    : path_(std::move(path)), orchestrator_(orchestrator), status_(std::move(status)), log_(log), acceptor_(io) {}

ControlSocket::~ControlSocket() {
  *alive_ = false;
  boost::system::error_code ignored;
  if (acceptor_.is_open()) {
    acceptor_.close(ignored);
    ::unlink(path_.c_str());
  }
}

bool ControlSocket::open() {
  // A socket left by an agent that died is in the way; it serves no one.
  ::unlink(path_.c_str());
  boost::system::error_code ec;
  acceptor_.open(stream_protocol(), ec);
  // Born 0600: no moment in which another user could connect.
  const mode_t previous = ::umask(0077);
  if (!ec) acceptor_.bind(stream_protocol::endpoint(path_), ec);
  ::umask(previous);
  if (!ec) acceptor_.listen(4, ec);
  if (ec) {
    log_.warning("no control socket at ", path_, ": ", ec.message(),
                 " (`vic-r1 status` and `vic-r1 ask` will not "
                 "reach this agent)");
    return false;
  }
  accept();
  return true;
}

void ControlSocket::accept() {
  acceptor_.async_accept([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec,
                                                                     stream_protocol::socket socket) {
    if (alive.expired() || ec == asio::error::operation_aborted) return;
    if (!ec) {
      ucred peer{};
      socklen_t size = sizeof peer;
      const bool known = ::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &peer, &size) == 0;
      if (!known || (peer.uid != 0 && peer.uid != ::geteuid())) {
        log_.warning("refused a control connection from uid ", known ? static_cast<long long>(peer.uid) : -1LL,
                     " (only root may use it)");
      } else {
        std::make_shared<Session>(std::move(socket), *this)->start();
      }
    }
    accept();
  });
}

}  // namespace vic_r1::runtime
