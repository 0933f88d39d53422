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
using vic_r1::platform::ApiKeyFileResult;
using vic_r1::platform::kMaxApiKeyFileBytes;
using vic_r1::platform::read_api_key_file;
using vic_r1::platform::write_api_key_file;

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

std::string read_text(const std::string& path) {
  std::string text;
  if (std::FILE* in = std::fopen(path.c_str(), "rb")) {
    char buffer[256];
    std::size_t got = 0;
    while ((got = std::fread(buffer, 1, sizeof buffer, in)) > 0) text.append(buffer, got);
    std::fclose(in);
  }
  return text;
}

mode_t mode_of(const std::string& path) {
  struct stat status {};
  ::stat(path.c_str(), &status);
  return status.st_mode & 07777;
}

}  // namespace

TEST_GROUP(ApiKeyFile) {
  TemporaryDirectory directory;

  void setup() override { CHECK_FALSE(directory.path().empty()); }

  std::string read_key(const std::string& path) {
    const ApiKeyFileResult result = read_api_key_file(path);
    CHECK_TRUE_TEXT(result.ok(), result.error.c_str());
    return std::string(result.key.reveal());
  }

  // The file must be refused with exactly `expected`, which never holds the key.
  void refuse(const std::string& path, const std::string& expected) {
    const ApiKeyFileResult result = read_api_key_file(path);
    CHECK_FALSE(result.ok());
    CHECK_TRUE(result.key.empty());
    STRCMP_EQUAL(expected.c_str(), result.error.c_str());
    CHECK_TRUE_TEXT(result.error.find(kSecret) == std::string::npos, result.error.c_str());
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
    const ApiKeyFileResult result = read_api_key_file(path);
    CHECK_FALSE(result.ok());
    STRCMP_CONTAINS("(0600 or 0400); run: chmod 600 ", result.error.c_str());
  }
}

TEST(ApiKeyFile, MissingFileSaysHowToCreateIt) {
  const std::string path = directory.file("api-key");
  refuse(path, "cannot open the API key file " + path +
                   ": No such file or directory (put your provider's API key in it, then: chmod 600 " + path + ")");
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
  CHECK_FALSE(read_api_key_file(link).ok());
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
    const ApiKeyFileResult result = read_api_key_file(directory.write("api-key", contents, mode));
    CHECK_FALSE(result.ok());
    CHECK_FALSE(result.error.empty());
    CHECK_TRUE_TEXT(result.error.find(kSecret) == std::string::npos, result.error.c_str());
    CHECK_TRUE_TEXT(result.error.find("sk-") == std::string::npos, result.error.c_str());
  }
  const std::string bad_write = write_api_key_file(directory.file("new-key"), std::string(kSecret) + " x");
  CHECK_FALSE(bad_write.empty());
  CHECK_TRUE_TEXT(bad_write.find(kSecret) == std::string::npos, bad_write.c_str());
  const std::string failed_write = write_api_key_file(directory.file("absent/new-key"), kSecret);
  CHECK_FALSE(failed_write.empty());
  CHECK_TRUE_TEXT(failed_write.find(kSecret) == std::string::npos, failed_write.c_str());
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

// ---- writing -----------------------------------------------------------------------

TEST(ApiKeyFile, WrittenFileHasMode0600AndReadsBack) {
  const std::string path = directory.file("api-key");
  STRCMP_EQUAL("", write_api_key_file(path, kSecret).c_str());
  LONGS_EQUAL(0600, mode_of(path));
  STRCMP_EQUAL((std::string(kSecret) + "\n").c_str(), read_text(path).c_str());
  STRCMP_EQUAL(kSecret, read_key(path).c_str());
}

TEST(ApiKeyFile, WrittenModeIs0600WhateverTheUmask) {
  for (const mode_t mask : {0000, 0022, 0077, 0277}) {
    const mode_t saved = ::umask(mask);
    const std::string path = directory.file("api-key");
    const std::string error = write_api_key_file(path, kSecret);
    ::umask(saved);
    STRCMP_EQUAL("", error.c_str());
    LONGS_EQUAL(0600, mode_of(path));
  }
}

TEST(ApiKeyFile, WriteTrimsThePastedKey) {
  const std::string path = directory.file("api-key");
  STRCMP_EQUAL("", write_api_key_file(path, std::string("  ") + kSecret + "\r\n").c_str());
  STRCMP_EQUAL((std::string(kSecret) + "\n").c_str(), read_text(path).c_str());
}

TEST(ApiKeyFile, WriteReplacesTheOldFileByRenameNotInPlace) {
  // A hard link to the old file keeps the old contents only if the new key
  // went into a new file renamed over the path: nobody can ever read half a key.
  const std::string path = directory.write("api-key", "sk-old\n", 0644);
  const std::string old_link = directory.file("old-link");
  LONGS_EQUAL(0, ::link(path.c_str(), old_link.c_str()));
  STRCMP_EQUAL("", write_api_key_file(path, kSecret).c_str());
  STRCMP_EQUAL("sk-old\n", read_text(old_link).c_str());
  STRCMP_EQUAL((std::string(kSecret) + "\n").c_str(), read_text(path).c_str());
  LONGS_EQUAL(0600, mode_of(path));
}

TEST(ApiKeyFile, WriteLeavesNoTemporaryFileBehind) {
  STRCMP_EQUAL("", write_api_key_file(directory.file("api-key"), kSecret).c_str());
  const std::vector<std::string> after_success = directory.entries();
  LONGS_EQUAL(1, after_success.size());
  STRCMP_EQUAL("api-key", after_success[0].c_str());

  // Renaming a file over a directory fails: the temporary file must go too.
  const std::string blocked = directory.file("blocked");
  LONGS_EQUAL(0, ::mkdir(blocked.c_str(), 0700));
  const std::string error = write_api_key_file(blocked, kSecret);
  STRCMP_CONTAINS(("cannot rename " + blocked + ".").c_str(), error.c_str());
  STRCMP_CONTAINS((" to " + blocked + ": ").c_str(), error.c_str());
  const std::vector<std::string> after_failure = directory.entries();
  LONGS_EQUAL(2, after_failure.size());
  STRCMP_EQUAL("api-key", after_failure[0].c_str());
  STRCMP_EQUAL("blocked", after_failure[1].c_str());
}

TEST(ApiKeyFile, WriteIntoAMissingDirectorySaysSo) {
  const std::string path = directory.file("absent/api-key");
  STRCMP_EQUAL(("cannot create a temporary file beside " + path + ": No such file or directory").c_str(),
               write_api_key_file(path, kSecret).c_str());
}

TEST(ApiKeyFile, WriteRefusesAKeyThatCannotBeRead) {
  const std::string path = directory.file("api-key");
  STRCMP_EQUAL("the API key to write is empty (only whitespace)", write_api_key_file(path, " \n").c_str());
  STRCMP_EQUAL("the API key to write has a space, line break, control or non-ASCII character inside it "
               "(a key is one word of printable ASCII)",
               write_api_key_file(path, "sk-a sk-b").c_str());
  STRCMP_EQUAL("the API key to write is longer than 4 KiB; it cannot be a key",
               write_api_key_file(path, std::string(kMaxApiKeyFileBytes, 'k')).c_str());
  CHECK_TRUE(directory.entries().empty());
  STRCMP_EQUAL("", write_api_key_file(path, std::string(kMaxApiKeyFileBytes - 1, 'k')).c_str());
  LONGS_EQUAL(kMaxApiKeyFileBytes - 1, read_key(path).size());
}
