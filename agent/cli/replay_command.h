#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vic_r1::cli {

// Exit statuses of `vic-r1 replay`, one per way a stream can end.
inline constexpr int kExitStreamError = 3;
inline constexpr int kExitStreamCutShort = 4;
inline constexpr int kExitAnswerOnlyInReasoning = 5;

// `vic-r1 replay [--content-type TYPE] [--profile NAME] [--chunk N|random:SEED]
// [--events] FILE|-`: runs the stream reader over a captured HTTP response
// body, for debugging a stream over SSH and for conformance tests. Writes the
// answer text (or, with --events, one JSON object per line) to `out`, and
// explanations to `err`. `arguments` excludes the verb itself.
int run_replay(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

extern const char* const kReplayUsage;

}  // namespace vic_r1::cli
