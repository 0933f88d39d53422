#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vic_r1::cli {

// `vic-r1 run [--socket-dir DIR] [--firmware auto|1.8|1.6|unknown]
// [--firmware-version-file PATH] [--no-agent] [--agent-heartbeat-timeout-ms N]`:
// the robot's service. Interposes on vic-anim's and vic-engine's sockets,
// forwards their traffic, and runs the agent as a supervised child. Logs go
// to `err` (logwrapper puts them in the robot's log).
int run_bridge(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

// `vic-r1 agent --channel-fd N`: the child `run` starts; not for people.
int run_agent_child(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

extern const char* const kRunUsage;

}  // namespace vic_r1::cli
