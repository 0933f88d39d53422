#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vic_r1::cli {

// Exit statuses of `vic-r1 ask`, one per class of failure, so a script (or
// a person over SSH) can tell "fix the config" from "the network is down"
// from "the balance is empty" without reading the message.
inline constexpr int kExitAskConfig = 10;         // config, key file or CA file unusable
inline constexpr int kExitAskUnreachable = 11;    // DNS failure, connection refused or unreachable
inline constexpr int kExitAskTls = 12;            // TLS verification or handshake failed
inline constexpr int kExitAskTimeout = 13;        // a deadline ran out (the message names the phase)
inline constexpr int kExitAskHttpStatus = 14;     // the server answered with a non-2xx status
inline constexpr int kExitAskStreamFailed = 15;   // error inside the stream, or the stream was cut short
inline constexpr int kExitAskOnlyReasoning = 16;  // ended properly, but no answer text came
inline constexpr int kExitAskCancelled = 130;     // interrupted (SIGINT/SIGTERM), as a shell reports it

// `vic-r1 ask QUESTION` asks the running agent through its control socket.
// `vic-r1 ask --standalone [--config FILE] [--show-reasoning] [--repeat N]
// QUESTION` asks with no robot and no running agent, by the path a spoken
// question takes (runtime::ask_standalone), and writes the answer to `out`
// as it streams, reasoning and markup removed; with --show-reasoning the
// reasoning goes to `err` (dimmed on a terminal). Then one timing line on
// `err`. `arguments` excludes the verb.
int run_ask(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

extern const char* const kAskUsage;

}  // namespace vic_r1::cli
