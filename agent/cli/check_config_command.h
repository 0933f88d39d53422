#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vic_r1::cli {

// Exit status of `vic-r1 check-config` for a config that cannot be used
// (the same as `vic-r1 ask` gives for one).
inline constexpr int kExitConfigUnusable = 10;

// `vic-r1 check-config [--files] [FILE]`: loads the config as the agent
// would and prints every problem as "<JSON path>: <what is wrong and what
// to write instead>", or what the config resolves to. With --files it also
// opens the files the config names (each provider's key file and CA bundle)
// as the agent on the robot would. `arguments` excludes the verb.
int run_check_config(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

extern const char* const kCheckConfigUsage;

}  // namespace vic_r1::cli
