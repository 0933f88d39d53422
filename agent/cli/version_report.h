#pragma once

#include <string>

namespace vic_r1::cli {

// What `vic-r1 version` prints. Everything a bug report needs to name the
// exact binary: our version, what it was built for, and what it links.
struct BuildDescription {
  std::string version;
  std::string target_triple;
  std::string target_cpu;
  std::string linkage;     // "static" or "dynamic"
  std::string build_type;  // CMake build type
  std::string sanitizers;  // empty when none
  std::string tls_library;
  std::string firmware_layouts;  // the Vector firmware families whose IPC layouts this build knows
};

// The description of the running binary, from facts fixed at build time and
// the TLS library's own report of its version.
BuildDescription describe_this_build();

std::string format_version_report(const BuildDescription& build);

}  // namespace vic_r1::cli
