#pragma once

#include <memory>
#include <optional>
#include <string>

#include "agent/orchestrator/answer_transport.h"
#include "platform/http/https_client.h"
#include "platform/log/logger.h"

namespace vic_r1::runtime {

// The orchestrator's transport over the real HTTPS client. HttpsClient keeps
// a cancelled request until its handlers have run; this adapter hides that:
// after cancel() nothing of the old request reaches the orchestrator, and a
// request posted meanwhile is sent as soon as the old one has wound down.
class HttpsAnswerTransport final : public orchestrator::AnswerTransport {
 public:
  HttpsAnswerTransport(platform::HttpsClient& client, logging::Logger& log, std::string name);
  ~HttpsAnswerTransport() override;

  void preconnect() override;
  void post_stream(std::string target, std::string body, platform::HttpHeaders headers,
                   platform::ResponseBodySink& sink, DoneHandler done) override;
  void cancel() override;

 private:
  // Passes the body on while its request is the current one.
  class GuardedSink final : public platform::ResponseBodySink {
   public:
    explicit GuardedSink(platform::ResponseBodySink& sink) : sink_(&sink) {}
    void on_response_headers(int status, std::string_view content_type) override {
      if (sink_ != nullptr) sink_->on_response_headers(status, content_type);
    }
    bool on_body_bytes(std::string_view bytes) override { return sink_ != nullptr && sink_->on_body_bytes(bytes); }
    bool stream_finished() const override { return sink_ != nullptr && sink_->stream_finished(); }
    void detach() { sink_ = nullptr; }

   private:
    platform::ResponseBodySink* sink_;
  };
  struct Request {
    std::string target;
    std::string body;
    platform::HttpHeaders headers;
    platform::ResponseBodySink* sink = nullptr;
    DoneHandler done;
  };

  void start(Request request);

  platform::HttpsClient& client_;
  logging::Logger& log_;
  std::string name_;
  std::shared_ptr<GuardedSink> current_;  // the request in the client, if any
  bool winding_down_ = false;             // the client still holds a cancelled request
  std::optional<Request> waiting_;        // posted while winding down
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace vic_r1::runtime
