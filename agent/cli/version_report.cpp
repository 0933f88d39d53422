#include "agent/cli/version_report.h"

#include "build_facts.h"
#include "drivers/clad/firmware_layout.h"
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
  // The families whose CLAD layouts the bridge can inject into; any other
  // firmware is forwarded only.
  std::size_t count = 0;
  const clad::FirmwareLayout* const* layouts = clad::all_firmware_layouts(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (!layouts[i]->can_inject) continue;
    if (!build.firmware_layouts.empty()) build.firmware_layouts += ", ";
    build.firmware_layouts += std::string(layouts[i]->name) + " (" + std::string(layouts[i]->description) + ")";
  }
  build.firmware_layouts += "; any other: forwarding only";
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
