#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "agent/orchestrator/answer_orchestrator.h"
#include "platform/http/request_failure.h"

namespace vic_r1::runtime {

struct StandaloneAskOptions {
  std::string config_path;
  std::string question;
  int repeat = 1;                      // asked again after each full answer, on the same clients
  std::chrono::milliseconds pause{0};  // idle between two questions
  bool preconnect = false;             // open the connection first, as the wake word does
  bool log_to_stderr = false;          // the agent's log lines (otherwise discarded)
};

// How a run of `ask --standalone` ended; each question's own ending is in
// the report its listener was given.
struct StandaloneAskEnding {
  enum class Kind {
    kAllAsked,          // every question was answered
    kQuestionFailed,    // one was not (its report says why); none after it
    kConfigUnusable,    // nothing asked: `problems` says why
    kPreconnectFailed,  // nothing asked: opening the connection failed
    kInterrupted,       // SIGINT or SIGTERM
  };
  Kind kind = Kind::kAllAsked;
  std::vector<std::string> problems;            // kConfigUnusable
  platform::RequestFailure preconnect_failure;  // kPreconnectFailed
  std::string preconnect_failure_text;
  std::size_t full_handshakes = 0;
  std::size_t resumed_handshakes = 0;
};

// `vic-r1 ask --standalone`: the question takes the very path a spoken one
// takes on the robot (the config's providers and fallbacks, the request the
// agent sends, the stream reader, markup, segmenter and speech planner),
// with a stand-in for vic-anim that "speaks" each sentence at once, as there
// is no robot. Nothing of an earlier question is sent with a later one.
// `listener` is told everything each question does. One thread, one
// io_context; returns when the questions are done or on SIGINT/SIGTERM.
StandaloneAskEnding ask_standalone(const StandaloneAskOptions& options, orchestrator::QuestionListener& listener);

}  // namespace vic_r1::runtime
