#pragma once

#include <string>
#include <string_view>

#include "drivers/clad/firmware_layout.h"

namespace vic_r1::cli {

// Where the robot names the build of its victor software (vic-engine,
// vic-anim), written at build time from `@BASE_VERSION@.@BUILD@@TYPE@`
// (wire-os-victor cmake/gen-version.cmake), e.g. "1.8.1.6051" or "3.0.1.0d".
inline constexpr const char* kVictorVersionFile = "/anki/etc/version";

// The CLAD layout family for a victor version string: 1.6.x -> 1.6-based;
// 1.8.x (official 1.8 and OSKR), 2.x and 3.x (wire-os-victor, which keeps the
// 1.8 messages) -> 1.8; anything else -> unknown. `reason` says why, for the
// log.
clad::FirmwareFamily family_for_victor_version(std::string_view version, std::string& reason);

}  // namespace vic_r1::cli
