#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "agent/runtime/doctor_check.h"
#include "platform/time/wall_clock.h"

namespace vic_r1::cli {

// What `doctor` makes of the robot's victor version (the first line of
// /anki/etc/version; nullopt when there is none).
runtime::DoctorCheck firmware_finding(const std::optional<std::string>& victor_version);

// What `doctor` makes of the time: `now`, and whether the kernel says a time
// server has set it (adjtimex: not TIME_ERROR, no STA_UNSYNC).
runtime::DoctorCheck clock_finding(std::time_t now, bool synchronised);

}  // namespace vic_r1::cli
