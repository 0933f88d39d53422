#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vic_r1::cli {

// The verbs the robot's systemd units run around `vic-r1 run`
// (deploy/systemd/):

// `vic-r1 await-socket NAME [--socket-dir DIR] [--timeout-ms N]`: waits until
// vic-r1 holds the robot's socket NAME (ai_sock, _engine_anim_server_0).
// vic-cloud's unit runs it before vic-cloud starts. Exit 0 when vic-r1 holds
// it, 3 when vic-r1 runs but did not take it in time, 4 when vic-r1 is not
// running (vic-cloud should start at once, and talk to vic-engine).
int run_await_socket(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

// `vic-r1 recover [--socket-dir DIR] [--state-dir DIR] [--systemctl PATH]`:
// run when vic-r1.service has failed (OnFailure=): restarts the robot's
// processes if vic-r1 had stood between them, and masks vic-r1 for this boot
// if it keeps failing (bridge_recovery.h).
int run_recover(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

}  // namespace vic_r1::cli
