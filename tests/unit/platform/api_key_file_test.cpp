// Standard and project headers before CppUTest's (its macros must not reach them).
#include <dirent.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "platform/config/api_key_file.h"
#include "tests/unit/support/temporary_directory.h"

#include <CppUTest/TestHarness.h>

using vic_r1::platform::ApiKey;
using vic_r1::platform::kMaxApiKeyFileBytes;
using vic_r1::platform::read_api_key_file;

namespace {

// What every test key looks like; no error text may ever contain it.
constexpr const char* kSecret = "sk-test-4f9c2b7e1d";

// The key cannot be copied or streamed: only reveal() gets at its text.
template <typename T, typename = void>
struct IsStreamable : std::false_type {};
template <typename T>
struct IsStreamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};
static_assert(!IsStreamable<ApiKey>::value, "an ApiKey must not be printable by accident");
static_assert(IsStreamable<std::string_view>::value, "the detector itself works");
static_assert(!std::is_copy_constructible_v<ApiKey> && !std::is_copy_assignable_v<ApiKey>,
              "an ApiKey must not leave copies behind");
static_assert(std::is_nothrow_move_constructible_v<ApiKey> && std::is_nothrow_move_assignable_v<ApiKey>);

using vic_r1::test::TemporaryDirectory;

}  // namespace

TEST_GROUP(ApiKeyFile) {
  TemporaryDirectory directory;

  void setup() override { CHECK_FALSE(directory.path().empty()); }

  std::string read_key(const std::string& path) {
    ApiKey key;
    std::string error;
    CHECK_TRUE_TEXT(read_api_key_file(path, key, error), error.c_str());
    return std::string(key.reveal());
  }

  // The file must be refused with exactly `expected`, which never holds the key.
  void refuse(const std::string& path, const std::string& expected) {
    ApiKey key;
    std::string error;
    CHECK_FALSE(read_api_key_file(path, key, error));
    CHECK_TRUE(key.empty());
    STRCMP_EQUAL(expected.c_str(), error.c_str());
    CHECK_TRUE_TEXT(error.find(kSecret) == std::string::npos, error.c_str());
  }
};

// ---- reading -----------------------------------------------------------------------

TEST(ApiKeyFile, ReadsTheKeyAndTrimsSurroundingWhitespace) {
  STRCMP_EQUAL(kSecret, read_key(directory.write("api-key", std::string(kSecret) + "\n")).c_str());
  STRCMP_EQUAL(kSecret, read_key(directory.write("k2", std::string(" \t\r\n") + kSecret + "\r\n\n ")).c_str());
  STRCMP_EQUAL(kSecret, read_key(directory.write("k3", kSecret)).c_str());
}

TEST(ApiKeyFile, OwnerReadOnlyModeIsAccepted) {
  STRCMP_EQUAL(kSecret, read_key(directory.write("api-key", kSecret, 0400)).c_str());
}

TEST(ApiKeyFile, AnyAccessForGroupOrOthersIsRefusedWithTheFix) {
  for (const mode_t mode : {0640, 0620, 0610, 0604, 0602, 0601, 0644, 0666, 0660, 0440}) {
    const std::string path = directory.write("api-key", kSecret, mode);
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
    refuse(path, "the API key file " + path + " has mode " + octal +
                     " but must be readable by its owner only (0600 or 0400); run: chmod 600 " + path);
  }
}

TEST(ApiKeyFile, OwnerModesOtherThan0600And0400AreRefused) {
  for (const mode_t mode : {0700, 0500, 04600, 04400}) {
    const std::string path = directory.write("api-key", kSecret, mode);
    ApiKey key;
    std::string error;
    CHECK_FALSE(read_api_key_file(path, key, error));
    STRCMP_CONTAINS("(0600 or 0400); run: chmod 600 ", error.c_str());
  }
}

TEST(ApiKeyFile, MissingFileSaysHowToCreateIt) {
  const std::string path = directory.file("api-key");
  refuse(path, "cannot open the API key file " + path +
                   ": No such file or directory (put your provider's API key in it, then: chmod 600 " + path +
                   ")");
}

TEST(ApiKeyFile, DirectoryIsRefused) {
  refuse(directory.path(), "the API key file " + directory.path() + " is not a regular file");
}

TEST(ApiKeyFile, FifoIsRefusedWithoutWaitingForAWriter) {
  const std::string path = directory.file("api-key");
  LONGS_EQUAL(0, ::mkfifo(path.c_str(), 0600));
  refuse(path, "the API key file " + path + " is not a regular file");
}

TEST(ApiKeyFile, SymlinkIsJudgedByTheFileItNames) {
  const std::string target = directory.write("real-key", kSecret, 0600);
  const std::string link = directory.file("api-key");
  LONGS_EQUAL(0, ::symlink(target.c_str(), link.c_str()));
  STRCMP_EQUAL(kSecret, read_key(link).c_str());
  ::chmod(target.c_str(), 0644);
  ApiKey key;
  std::string error;
  CHECK_FALSE(read_api_key_file(link, key, error));
}

TEST(ApiKeyFile, EmptyFileIsRefused) {
  const std::string path = directory.write("api-key", "");
  refuse(path, "the API key file " + path + " is empty; put your provider's API key in it");
}

TEST(ApiKeyFile, WhitespaceOnlyFileIsRefused) {
  const std::string path = directory.write("api-key", " \n\t\r\n");
  refuse(path, "the API key in " + path + " is empty (only whitespace)");
}

TEST(ApiKeyFile, FileOver4KiBIsRefused) {
  const std::string path = directory.write("api-key", std::string(kMaxApiKeyFileBytes + 1, 'k'));
  refuse(path, "the API key file " + path + " is larger than 4 KiB (4097 bytes); it must hold only the API key");
}

TEST(ApiKeyFile, FileOfExactly4KiBIsRead) {
  const std::string key(kMaxApiKeyFileBytes - 1, 'k');
  LONGS_EQUAL(key.size(), read_key(directory.write("api-key", key + "\n")).size());
}

TEST(ApiKeyFile, KeyThatCannotGoInAHeaderIsRefused) {
  const std::vector<std::string> bad_keys = {
      std::string(kSecret) + " second-word",
      std::string(kSecret) + "\nsecond line",
      std::string(kSecret) + "\r\nX-Injected: 1",
      std::string(kSecret) + "\x01",
      std::string(kSecret) + "\x7F",
      std::string(kSecret) + "\xC3\xA9",
      std::string(kSecret) + std::string(1, '\0') + "x",
  };
  for (const std::string& contents : bad_keys) {
    const std::string path = directory.write("api-key", contents);
    refuse(path, "the API key in " + path +
                     " has a space, line break, control or non-ASCII character inside it "
                     "(a key is one word of printable ASCII)");
  }
}

TEST(ApiKeyFile, NoRefusalEverContainsTheKey) {
  const std::vector<std::pair<std::string, mode_t>> files = {
      {std::string(kSecret) + "\n", 0644},
      {std::string(kSecret) + "\n", 0604},
      {std::string(kSecret) + " " + kSecret, 0600},
      {std::string(kSecret) + std::string(5000, 'x'), 0600},
      {std::string(kSecret) + "\n" + kSecret + "\n", 0600},
      {std::string(kSecret) + "\x1B[0m", 0600},
  };
  for (const auto& [contents, mode] : files) {
    ApiKey key;
    std::string error;
    CHECK_FALSE(read_api_key_file(directory.write("api-key", contents, mode), key, error));
    CHECK_FALSE(error.empty());
    CHECK_TRUE_TEXT(error.find(kSecret) == std::string::npos, error.c_str());
    CHECK_TRUE_TEXT(error.find("sk-") == std::string::npos, error.c_str());
  }
}

// ---- the key type ----------------------------------------------------------------

TEST(ApiKeyFile, KeyMovesWithoutLeavingItsTextBehind) {
  ApiKey first(kSecret);
  STRCMP_EQUAL(kSecret, std::string(first.reveal()).c_str());
  ApiKey second(std::move(first));
  CHECK_TRUE(first.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  LONGS_EQUAL(0, first.reveal().size());
  STRCMP_EQUAL(kSecret, std::string(second.reveal()).c_str());

  ApiKey third("sk-other");
  third = std::move(second);
  CHECK_TRUE(second.empty());  // NOLINT(bugprone-use-after-move)
  STRCMP_EQUAL(kSecret, std::string(third.reveal()).c_str());
}

TEST(ApiKeyFile, DefaultKeyIsEmpty) {
  const ApiKey key;
  CHECK_TRUE(key.empty());
  LONGS_EQUAL(0, key.reveal().size());
}
