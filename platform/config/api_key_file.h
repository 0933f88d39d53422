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

// Reads the key from its own file into `key`. Refuses, with an `error` that
// names the path and says how to fix it (never the key): a file any group or
// other user may access (the mode must be 0600 or 0400), anything but a
// regular file, an empty file, one larger than kMaxApiKeyFileBytes, and a key
// with spaces, control or non-ASCII characters inside it (it goes into an
// HTTP header). Surrounding whitespace and newlines are trimmed. The checks
// run on the opened file (fstat), so the file checked is the file read. The
// deploy script writes the file (0600) on the robot; vic-r1 only reads it.
bool read_api_key_file(const std::string& path, ApiKey& key, std::string& error);

}  // namespace vic_r1::platform
