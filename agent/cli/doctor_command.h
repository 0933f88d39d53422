#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vic_r1::cli {

inline constexpr int kExitDoctorFoundFailures = 1;

// `vic-r1 doctor [--json] [--config FILE] [--socket-dir DIR]`: one line per
// check of what vic-r1 needs on the robot, ok / warning / failed, each not
// ok with its reason and fix. `arguments` excludes the verb.
int run_doctor(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

extern const char* const kDoctorUsage;

}  // namespace vic_r1::cli
