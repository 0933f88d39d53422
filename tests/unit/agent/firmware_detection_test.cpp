// Standard and project headers before CppUTest's (its macros must not reach them).
#include <string>
#include <string_view>

#include "agent/cli/firmware_detection.h"
#include "drivers/clad/firmware_layout.h"

#include <CppUTest/TestHarness.h>

using vic_r1::clad::FirmwareFamily;
using vic_r1::cli::family_for_victor_version;

namespace {

// Does `text` contain `part`? (A message that fails names both.)
void check_mentions(const std::string& text, std::string_view part) {
  if (text.find(part) == std::string::npos)
    FAIL(("\"" + text + "\" does not mention \"" + std::string(part) + "\"").c_str());
}

}  // namespace

TEST_GROUP(FirmwareDetection) {
  std::string reason;

  FirmwareFamily family(std::string_view version) { return family_for_victor_version(version, reason); }
};

TEST(FirmwareDetection, Version16IsThe16Layout) {
  CHECK_TRUE(family("1.6.0.3130") == FirmwareFamily::kVector16);
  check_mentions(reason, "'1.6.0.3130'");
  check_mentions(reason, "1.6 layout");
}

TEST(FirmwareDetection, Version18WithTheFilesNewlineIsThe18Layout) {
  CHECK_TRUE(family("1.8.1.6051\n") == FirmwareFamily::kVector18);
  // The newline is not part of the version the log names.
  check_mentions(reason, "'1.8.1.6051'");
  check_mentions(reason, "1.8 layout");
}

TEST(FirmwareDetection, TrailingCarriageReturnAndSpacesAreIgnored) {
  CHECK_TRUE(family("1.8.1.6051 \r\n") == FirmwareFamily::kVector18);
  check_mentions(reason, "'1.8.1.6051'");
}

TEST(FirmwareDetection, OskrBuildIsThe18Layout) {
  CHECK_TRUE(family("2.0.1.6076oskr") == FirmwareFamily::kVector18);
  check_mentions(reason, "'2.0.1.6076oskr'");
}

TEST(FirmwareDetection, WireOsVictorDevBuildIsThe18Layout) {
  CHECK_TRUE(family("3.0.1.0d") == FirmwareFamily::kVector18);
  check_mentions(reason, "'3.0.1.0d'");
}

TEST(FirmwareDetection, OtherVersionsAreUnknownAndNamed) {
  for (const char* version : {"1.7.0", "garbage", "0.10.1234d", "1.60.0", "4.0.0.1", "v1.8.1"}) {
    if (family(version) != FirmwareFamily::kUnknown) FAIL((std::string("knew ") + version).c_str());
    check_mentions(reason, "'" + std::string(version) + "'");
    check_mentions(reason, "not one whose layout vic-r1 knows");
  }
}

TEST(FirmwareDetection, EmptyVersionIsUnknownAndShownEmpty) {
  CHECK_TRUE(family("") == FirmwareFamily::kUnknown);
  check_mentions(reason, "''");
  CHECK_TRUE(family("\n") == FirmwareFamily::kUnknown);
  check_mentions(reason, "''");
}
