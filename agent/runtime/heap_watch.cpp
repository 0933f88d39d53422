#include "agent/runtime/heap_watch.h"

#include <malloc.h>

#include <algorithm>

namespace vic_r1::runtime {

std::size_t HeapWatch::sample() {
  const struct mallinfo2 heap = ::mallinfo2();
  // Small blocks from the arenas plus the large ones glibc maps by themselves.
  const std::size_t in_use = heap.uordblks + heap.hblkhd;
  peak_bytes_ = std::max(peak_bytes_, in_use);
  return in_use;
}

}  // namespace vic_r1::runtime
