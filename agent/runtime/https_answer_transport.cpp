#include "agent/runtime/https_answer_transport.h"

namespace vic_r1::runtime {

HttpsAnswerTransport::HttpsAnswerTransport(platform::HttpsClient& client, logging::Logger& log, std::string name)
    : client_(client), log_(log), name_(std::move(name)) {}

HttpsAnswerTransport::~HttpsAnswerTransport() {
  *alive_ = false;
  if (current_) current_->detach();
}

void HttpsAnswerTransport::preconnect() {
  if (current_ || winding_down_) return;
  std::weak_ptr<bool> alive = alive_;
  client_.preconnect([this, alive](const platform::RequestFailure& failure) {
    if (alive.expired() || !failure) return;
    // The question will try again and say what failed; this is for the log.
    log_.info("opening the connection to ", name_,
              " ahead of the question failed: ", platform::describe_request_failure(failure, name_));
  });
}

void HttpsAnswerTransport::post_stream(std::string target, std::string body, platform::HttpHeaders headers,
                                       platform::ResponseBodySink& sink, DoneHandler done) {
  Request request{std::move(target), std::move(body), std::move(headers), &sink, std::move(done)};
  if (winding_down_) {
    waiting_ = std::move(request);
    return;
  }
  start(std::move(request));
}

void HttpsAnswerTransport::start(Request request) {
  current_ = std::make_shared<GuardedSink>(*request.sink);
  std::weak_ptr<bool> alive = alive_;
  client_.post_stream(std::move(request.target), std::move(request.body), std::move(request.headers), *current_,
                      [this, alive, guard = current_, done = std::move(request.done)](
                          const platform::RequestFailure& failure, const platform::RequestTiming& timing) {
                        if (alive.expired()) return;
                        if (guard != current_) {  // a cancelled request, now wound down
                          winding_down_ = false;
                          if (waiting_) {
                            Request next = std::move(*waiting_);
                            waiting_.reset();
                            start(std::move(next));
                          }
                          return;
                        }
                        current_.reset();
                        done(failure, timing);
                      });
}

void HttpsAnswerTransport::cancel() {
  waiting_.reset();
  if (!current_) return;
  current_->detach();
  current_.reset();
  winding_down_ = true;
  client_.cancel();
}

}  // namespace vic_r1::runtime
