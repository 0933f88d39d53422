#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace vic_r1::clad {

// CLAD's wire format (Anki's message buffers): little-endian, fields in
// declaration order, no padding, bool as one byte, `string` as a u8 length
// and `string[uint_16]` as a u16 length, both without a NUL. These two
// cursors read and write it over caller-owned memory, so encoding and
// decoding never allocate; every read and write is bounds-checked and a
// cursor that ran out stays failed.

class CladWriter {
 public:
  CladWriter(std::uint8_t* buffer, std::size_t capacity) : begin_(buffer), capacity_(capacity) {}

  void u8(std::uint8_t value) { put(&value, 1); }
  void boolean(bool value) { u8(value ? 1 : 0); }
  void u16(std::uint16_t value) {
    const std::uint8_t bytes[2] = {static_cast<std::uint8_t>(value), static_cast<std::uint8_t>(value >> 8)};
    put(bytes, 2);
  }
  void u32(std::uint32_t value) {
    const std::uint8_t bytes[4] = {static_cast<std::uint8_t>(value), static_cast<std::uint8_t>(value >> 8),
                                   static_cast<std::uint8_t>(value >> 16), static_cast<std::uint8_t>(value >> 24)};
    put(bytes, 4);
  }
  void f32(float value) {
    static_assert(sizeof(float) == 4, "CLAD float_32 is IEEE 754 single precision");
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, 4);
    u32(bits);
  }
  // `string x`: the caller has checked the length fits in a u8.
  void short_string(std::string_view text) {
    u8(static_cast<std::uint8_t>(text.size()));
    put(text.data(), text.size());
  }
  // `string[uint_16] x`.
  void long_string(std::string_view text) {
    u16(static_cast<std::uint16_t>(text.size()));
    put(text.data(), text.size());
  }
  // `int_8 x[N]` holding a C string: the text, then zeros up to N bytes.
  void fixed_c_string(std::string_view text, std::size_t field_bytes) {
    put(text.data(), text.size());
    zeros(field_bytes - text.size());
  }
  void zeros(std::size_t count) {
    if (!reserve(count)) return;
    std::memset(begin_ + size_, 0, count);
    size_ += count;
  }

  bool failed() const { return failed_; }
  std::size_t size() const { return size_; }

 private:
  bool reserve(std::size_t count) {
    if (failed_ || count > capacity_ - size_) {
      failed_ = true;
      return false;
    }
    return true;
  }
  void put(const void* bytes, std::size_t count) {
    if (!reserve(count)) return;
    if (count != 0) std::memcpy(begin_ + size_, bytes, count);
    size_ += count;
  }

  std::uint8_t* begin_;
  std::size_t capacity_;
  std::size_t size_ = 0;
  bool failed_ = false;
};

class CladReader {
 public:
  CladReader(const std::uint8_t* bytes, std::size_t size) : bytes_(bytes), size_(size) {}

  std::uint8_t u8() {
    std::uint8_t value = 0;
    take(&value, 1);
    return value;
  }
  bool boolean() { return u8() != 0; }
  std::uint16_t u16() {
    std::uint8_t b[2] = {0, 0};
    take(b, 2);
    return static_cast<std::uint16_t>(b[0] | (b[1] << 8));
  }
  std::uint32_t u32() {
    std::uint8_t b[4] = {0, 0, 0, 0};
    take(b, 4);
    return static_cast<std::uint32_t>(b[0]) | (static_cast<std::uint32_t>(b[1]) << 8) |
           (static_cast<std::uint32_t>(b[2]) << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
  }
  std::uint64_t u64() {
    const std::uint64_t low = u32();
    const std::uint64_t high = u32();
    return low | (high << 32);
  }
  float f32() {
    const std::uint32_t bits = u32();
    float value = 0;
    std::memcpy(&value, &bits, 4);
    return value;
  }
  // Views into the datagram: valid as long as its bytes are.
  std::string_view short_string() { return view(u8()); }
  std::string_view long_string() { return view(u16()); }
  std::string_view view(std::size_t count) {
    if (failed_ || count > size_ - offset_) {
      failed_ = true;
      return {};
    }
    std::string_view text(reinterpret_cast<const char*>(bytes_ + offset_), count);
    offset_ += count;
    return text;
  }

  bool failed() const { return failed_; }
  std::size_t remaining() const { return failed_ ? 0 : size_ - offset_; }
  // True when the message was read exactly to its last byte: CLAD has no
  // framing inside a datagram, so a size mismatch means a different layout.
  bool consumed_exactly() const { return !failed_ && offset_ == size_; }

 private:
  void take(std::uint8_t* out, std::size_t count) {
    if (failed_ || count > size_ - offset_) {
      failed_ = true;
      return;
    }
    std::memcpy(out, bytes_ + offset_, count);
    offset_ += count;
  }

  const std::uint8_t* bytes_;
  std::size_t size_;
  std::size_t offset_ = 0;
  bool failed_ = false;
};

}  // namespace vic_r1::clad
