#include "platform/config/api_key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace vic_r1::platform {
namespace {

// memset on memory about to be freed may be removed by the optimiser; writes
// through a volatile pointer may not.
void zero_memory(void* memory, std::size_t size) {
  volatile unsigned char* bytes = static_cast<volatile unsigned char*>(memory);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = 0;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Why `key` cannot be sent as "Authorization: Bearer <key>", or "": a CR or
// LF would even split the header. Completes "the API key ..."; it never
// quotes the key.
std::string key_problem(std::string_view key) {
  if (key.empty()) return "is empty (only whitespace)";
  for (char c : key) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F) {
      return "has a space, line break, control or non-ASCII character inside it "
             "(a key is one word of printable ASCII)";
    }
  }
  return "";
}

std::string errno_text(int error) { return std::strerror(error); }

std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Closes `fd` on every path out of a function.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }

 private:
  int fd_;
};

// The file's own bytes: a stack buffer that is zeroed however the read ends.
struct KeyFileBuffer {
  char bytes[kMaxApiKeyFileBytes + 1];
  std::size_t size = 0;
  ~KeyFileBuffer() { zero_memory(bytes, sizeof bytes); }
};

}  // namespace

ApiKey::ApiKey(std::string_view key) : bytes_(new char[key.size() + 1]), size_(key.size()) {
  std::memcpy(bytes_.get(), key.data(), key.size());
  bytes_[key.size()] = '\0';
}

ApiKey::~ApiKey() { wipe(); }

ApiKey::ApiKey(ApiKey&& other) noexcept : bytes_(std::move(other.bytes_)), size_(other.size_) { other.size_ = 0; }

ApiKey& ApiKey::operator=(ApiKey&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

void ApiKey::wipe() {
  if (bytes_) zero_memory(bytes_.get(), size_ + 1);
  bytes_.reset();
  size_ = 0;
}

bool read_api_key_file(const std::string& path, ApiKey& key_out, std::string& error) {
  // O_NONBLOCK: a FIFO at this path must be refused, not waited on.
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.get() < 0) {
    const int open_errno = errno;
    error = "cannot open the API key file " + path + ": " + errno_text(open_errno);
    if (open_errno == ENOENT) error += " (put your provider's API key in it, then: chmod 600 " + path + ")";
    return false;
  }
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) {
    error = "cannot stat the API key file " + path + ": " + errno_text(errno);
    return false;
  }
  if (!S_ISREG(status.st_mode)) {
    error = "the API key file " + path + " is not a regular file";
    return false;
  }
  const mode_t permissions = status.st_mode & 07777;
  if (permissions != 0600 && permissions != 0400) {
    // Any access for the group or others, or special bits, means the key
    // may already have been read by someone else: refuse rather than use it.
    error = "the API key file " + path + " has mode " + mode_text(permissions) +
            " but must be readable by its owner only (0600 or 0400); run: chmod 600 " + path;
    return false;
  }
  if (status.st_size == 0) {
    error = "the API key file " + path + " is empty; put your provider's API key in it";
    return false;
  }
  if (status.st_size > static_cast<off_t>(kMaxApiKeyFileBytes)) {
    error = "the API key file " + path + " is larger than 4 KiB (" + std::to_string(status.st_size) +
            " bytes); it must hold only the API key";
    return false;
  }

  // Read one byte past the limit, so a file that grew after fstat is still caught.
  KeyFileBuffer buffer;
  while (buffer.size < sizeof buffer.bytes) {
    const ssize_t got = ::read(file.get(), buffer.bytes + buffer.size, sizeof buffer.bytes - buffer.size);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      error = "cannot read the API key file " + path + ": " + errno_text(errno);
      return false;
    }
    if (got == 0) break;
    buffer.size += static_cast<std::size_t>(got);
  }
  if (buffer.size > kMaxApiKeyFileBytes) {
    error = "the API key file " + path + " is larger than 4 KiB; it must hold only the API key";
    return false;
  }
  const std::string_view key = trimmed(std::string_view(buffer.bytes, buffer.size));
  const std::string problem = key_problem(key);
  if (!problem.empty()) {
    error = "the API key in " + path + " " + problem;
    return false;
  }
  key_out = ApiKey(key);
  return true;
}

}  // namespace vic_r1::platform
