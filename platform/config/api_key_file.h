#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

namespace vic_r1::platform {

// The provider's API key, held in one heap buffer that is zeroed when the key
// is destroyed or moved from. It cannot be copied (no stray copies to forget)
// and cannot be streamed: reading it takes an explicit reveal(), so a grep for
// reveal() finds every place it leaves this type.
class ApiKey {
 public:
  ApiKey() = default;
  explicit ApiKey(std::string_view key);
  ~ApiKey();
  ApiKey(ApiKey&& other) noexcept;
  ApiKey& operator=(ApiKey&& other) noexcept;
  ApiKey(const ApiKey&) = delete;
  ApiKey& operator=(const ApiKey&) = delete;

  bool empty() const { return size_ == 0; }
  // The key's text, for the Authorization header and nothing else.
  std::string_view reveal() const { return {bytes_.get(), size_}; }

  friend std::ostream& operator<<(std::ostream&, const ApiKey&) = delete;

 private:
  void wipe();

  std::unique_ptr<char[]> bytes_;
  std::size_t size_ = 0;
};

// The key file may hold at most this much: a key is tens of bytes, so more
// means the path names the wrong file.
inline constexpr std::size_t kMaxApiKeyFileBytes = 4096;

struct ApiKeyFileResult {
  ApiKey key;         // empty on failure
  std::string error;  // empty on success; names the path and the cause, never the key

  bool ok() const { return error.empty(); }
};

// Reads the key from its own file. Refuses, with an error that says how to
// fix it: a file any group or other user may access (the mode must be 0600
// or 0400), anything but a regular file, an empty file, one larger than
// kMaxApiKeyFileBytes, and a key with spaces, control or non-ASCII
// characters inside it (it goes into an HTTP header). Surrounding whitespace
// and newlines are trimmed. The checks run on the opened file (fstat), so the
// file checked is the file read.
ApiKeyFileResult read_api_key_file(const std::string& path);

// Writes `key` (plus a newline) to `path` with mode 0600, atomically: a
// temporary file in the same directory is written, synced and renamed over
// `path`, and the directory is synced, so a power cut leaves the old key or
// the new one, never half a key. Returns "" on success, else the cause
// (never the key). The key must pass the same checks as read_api_key_file's.
std::string write_api_key_file(const std::string& path, std::string_view key);

}  // namespace vic_r1::platform
