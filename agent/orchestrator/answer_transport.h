#pragma once

#include <functional>
#include <string>

#include "platform/http/https_client.h"

namespace vic_r1::orchestrator {

// One provider's connection, as the orchestrator needs it: the HTTPS client
// on the robot, an in-memory script in tests. Every callback (the sink's,
// `done`) runs later, from the owner's event loop, never from inside the
// call that started the operation. `done` is called exactly once per
// post_stream, unless the request is cancelled: after cancel() returns,
// nothing of that request is called again, and the next post_stream may
// follow at once.
class AnswerTransport {
 public:
  using DoneHandler = std::function<void(const platform::RequestFailure&, const platform::RequestTiming&)>;

  virtual ~AnswerTransport() = default;
  // Opens the connection ahead of the question (the wake word was heard);
  // failures are only logged, as the question will try again.
  virtual void preconnect() = 0;
  virtual void post_stream(std::string target, std::string body, platform::HttpHeaders headers,
                           platform::ResponseBodySink& sink, DoneHandler done) = 0;
  virtual void cancel() = 0;
};

}  // namespace vic_r1::orchestrator
