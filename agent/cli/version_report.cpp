#include "agent/cli/version_report.h"

#include "build_facts.h"
#include "platform/tls/tls_library.h"

namespace vic_r1::cli {

BuildDescription describe_this_build() {
  BuildDescription build;
  build.version = build_facts::kVersion;
  build.target_triple = build_facts::kTargetTriple;
  build.target_cpu = build_facts::kTargetCpu;
  build.linkage = build_facts::kLinkage;
  build.build_type = build_facts::kBuildType;
  build.sanitizers = build_facts::kSanitizers;
  build.tls_library = platform::tls_library_version();
  // No robot IPC layer exists yet, so no firmware layout can be spoken to.
  build.firmware_layouts = "none yet (this build cannot talk to the robot's processes)";
  return build;
}

std::string format_version_report(const BuildDescription& build) {
  std::string report;
  report += "vic-r1 " + build.version + "\n";
  report += "target: " + build.target_triple + " (" + build.target_cpu + "), " + build.linkage + "\n";
  report += "build: " + build.build_type;
  if (!build.sanitizers.empty()) report += ", sanitizers " + build.sanitizers;
  report += "\n";
  report += "tls: " + build.tls_library + "\n";
  report += "firmware layouts: " + build.firmware_layouts + "\n";
  return report;
}

}  // namespace vic_r1::cli
