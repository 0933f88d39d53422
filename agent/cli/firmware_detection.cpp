#include "agent/cli/firmware_detection.h"

namespace vic_r1::cli {

clad::FirmwareFamily family_for_victor_version(std::string_view version, std::string& reason) {
  while (!version.empty() && (version.back() == '\n' || version.back() == '\r' || version.back() == ' '))
    version.remove_suffix(1);
  const std::string quoted = "'" + std::string(version) + "'";
  const auto starts_with = [&](std::string_view prefix) { return version.substr(0, prefix.size()) == prefix; };
  if (starts_with("1.6.")) {
    reason = "victor version " + quoted + ": the 1.6 layout";
    return clad::FirmwareFamily::kVector16;
  }
  if (starts_with("1.8.") || starts_with("2.") || starts_with("3.")) {
    reason = "victor version " + quoted + ": the 1.8 layout";
    return clad::FirmwareFamily::kVector18;
  }
  reason = "victor version " + quoted + " is not one whose layout vic-r1 knows";
  return clad::FirmwareFamily::kUnknown;
}

}  // namespace vic_r1::cli
