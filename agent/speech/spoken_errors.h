#pragma once

#include <string>
#include <string_view>

#include "agent/stream/stream_reader.h"
#include "platform/http/request_failure.h"

namespace vic_r1::speech {

// What Vector says when it has no (complete) answer: one short sentence that
// names the cause in the owner's terms, so a broken setup is never silence
// (wire-pod's users asked for this: a bad key or an empty balance gave "no
// response"). The log line beside it carries the technical detail.
struct SpokenErrorContext {
  std::string_view provider = "the server";  // "DeepSeek"
  bool clock_looks_unset = false;            // the robot has not set its clock since boot
  bool answer_started = false;               // some of the answer was already spoken
};

// Empty for a cancellation (the user interrupted: nothing to say).
std::string spoken_sentence_for(const platform::RequestFailure& failure, const SpokenErrorContext& context);

// For a stream that ended without a complete answer; empty for kCompleted.
std::string spoken_sentence_for(const stream::StreamSummary& summary, const SpokenErrorContext& context);

// Before any request could be made.
std::string spoken_sentence_for_missing_key(std::string_view provider);
inline constexpr std::string_view kSpokenConfigError =
    "My configuration has a problem, so I can't answer. The details are in my log.";

}  // namespace vic_r1::speech
