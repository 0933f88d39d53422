#pragma once

#include <cstddef>

namespace vic_r1::runtime {

// The agent's heap as its allocator counts it, and the most it has held.
// Under qemu the process's RSS is the emulator's, so the ARM build's own
// memory figure has to come from here. glibc keeps no high-water mark, so
// the peak is the largest of the samples taken: the runtime samples while a
// question is in progress, which is when the heap grows.
class HeapWatch {
 public:
  // Reads the allocator's statistics (a few microseconds) and returns the
  // bytes in use now.
  std::size_t sample();
  std::size_t peak_bytes() const { return peak_bytes_; }

 private:
  std::size_t peak_bytes_ = 0;
};

}  // namespace vic_r1::runtime
