#include "agent/cli/doctor_findings.h"

#include "agent/cli/firmware_detection.h"
#include "drivers/clad/firmware_layout.h"

namespace vic_r1::cli {

using runtime::DoctorCheck;
using Verdict = DoctorCheck::Verdict;

DoctorCheck firmware_finding(const std::optional<std::string>& victor_version) {
  if (!victor_version) {
    return {"firmware", Verdict::kWarning, std::string("no ") + kVictorVersionFile + ": this is not a Vector",
            "run doctor on the robot (over SSH)"};
  }
  std::string reason;
  const clad::FirmwareLayout& layout = clad::layout_for(family_for_victor_version(*victor_version, reason));
  const std::string detail = "victor " + *victor_version + ": " + std::string(layout.description);
  if (!layout.can_inject) {
    return {"firmware", Verdict::kWarning, detail,
            "vic-r1 forwards the robot's traffic but cannot speak on this firmware; report its version"};
  }
  return {"firmware", Verdict::kOk, detail, {}};
}

DoctorCheck clock_finding(std::time_t now, bool synchronised) {
  char text[32] = "?";
  std::tm utc{};
  if (gmtime_r(&now, &utc) != nullptr) std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  if (!platform::wall_clock_is_set(now)) {
    return {"clock", Verdict::kFailed,
            std::string("the time is ") + text + ": it has not been set since the robot started",
            "connect the robot to Wi-Fi and wait a minute for the network time; TLS fails until then"};
  }
  if (!synchronised) {
    return {"clock", Verdict::kWarning,
            std::string("the time is ") + text + ", not synchronised with a time server",
            "if it is wrong, check the robot's network; certificates are checked against it"};
  }
  return {"clock", Verdict::kOk, std::string(text) + ", synchronised", {}};
}

}  // namespace vic_r1::cli
