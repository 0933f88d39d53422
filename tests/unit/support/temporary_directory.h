#pragma once

// A scratch directory for tests that need real files: made under $TMPDIR (or
// /tmp) and removed with everything in it when the test ends.

#include <dirent.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace vic_r1::test {

class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/vic-r1-test-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TemporaryDirectory() {
    if (!path_.empty()) {
      ::nftw(
          path_.c_str(), [](const char* path, const struct stat*, int, struct FTW*) { return ::remove(path); }, 16,
          FTW_DEPTH | FTW_PHYS);
    }
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

  // Writes `contents` to `name` and sets its mode exactly (chmod ignores the
  // umask); 0600 by default, as the robot's secrets are kept.
  std::string write(std::string_view name, std::string_view contents, mode_t mode = 0600) const {
    const std::string file_path = file(name);
    std::FILE* out = std::fopen(file_path.c_str(), "wb");
    if (out != nullptr) {
      std::fwrite(contents.data(), 1, contents.size(), out);
      std::fclose(out);
    }
    ::chmod(file_path.c_str(), mode);
    return file_path;
  }

  // The names in the directory, sorted, without "." and "..".
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    if (DIR* dir = ::opendir(path_.c_str())) {
      while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") names.push_back(name);
      }
      ::closedir(dir);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
};

}  // namespace vic_r1::test
