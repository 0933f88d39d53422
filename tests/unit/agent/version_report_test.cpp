#include <string>

#include "agent/cli/version_report.h"
#include "build_facts.h"

#include <CppUTest/TestHarness.h>

using vic_r1::cli::BuildDescription;
using vic_r1::cli::format_version_report;

TEST_GROUP(VersionReport){};

TEST(VersionReport, FormatsEveryFieldOnItsOwnLine) {
  BuildDescription build;
  build.version = "1.2.3";
  build.target_triple = "arm-linux-gnueabihf";
  build.target_cpu = "cortex-a7";
  build.linkage = "static";
  build.build_type = "Release";
  build.tls_library = "Mbed TLS 3.6.6";
  build.firmware_layouts = "none yet";
  STRCMP_EQUAL(
      "vic-r1 1.2.3\n"
      "target: arm-linux-gnueabihf (cortex-a7), static\n"
      "build: Release\n"
      "tls: Mbed TLS 3.6.6\n"
      "firmware layouts: none yet\n",
      format_version_report(build).c_str());
}

TEST(VersionReport, NamesSanitizersWhenTheBuildHasThem) {
  BuildDescription build;
  build.build_type = "Debug";
  build.sanitizers = "address,undefined";
  STRCMP_CONTAINS("build: Debug, sanitizers address,undefined\n", format_version_report(build).c_str());
}

TEST(VersionReport, ThisBuildReportsTheLinkedMbedTls36) {
  const BuildDescription build = vic_r1::cli::describe_this_build();
  // The version comes from the library at run time, so it proves which
  // Mbed TLS was linked, not which headers were compiled against.
  CHECK_TRUE(build.tls_library.rfind("Mbed TLS 3.6.", 0) == 0);
  STRCMP_EQUAL(vic_r1::build_facts::kTargetTriple, build.target_triple.c_str());
  CHECK_FALSE(build.firmware_layouts.empty());
}
