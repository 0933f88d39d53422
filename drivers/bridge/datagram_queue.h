#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace vic_r1::bridge {

// Datagrams waiting for a peer whose socket queue is full, in order. All
// memory is taken once, at construction: a queued datagram is copied into a
// fixed slot, so a burst never allocates and the bridge's footprint is known.
// When every slot is taken the caller drops (and counts) instead of waiting,
// or stops reading its source until there is room. A datagram may carry a
// mark (the caller's: e.g. "ours, not forwarded").
class DatagramQueue {
 public:
  DatagramQueue(std::size_t slot_bytes, std::size_t slots)
      : slot_bytes_(slot_bytes), sizes_(slots, 0), marks_(slots, 0), storage_(slot_bytes * slots) {}

  bool empty() const { return count_ == 0; }
  bool full() const { return count_ == sizes_.size(); }
  std::size_t size() const { return count_; }
  std::size_t capacity() const { return sizes_.size(); }

  // False when full or the datagram is larger than a slot.
  bool push(const std::uint8_t* bytes, std::size_t size, bool marked = false) {
    if (full() || size > slot_bytes_) return false;
    const std::size_t slot = (head_ + count_) % sizes_.size();
    if (size != 0) std::memcpy(storage_.data() + slot * slot_bytes_, bytes, size);
    sizes_[slot] = size;
    marks_[slot] = marked ? 1 : 0;
    ++count_;
    return true;
  }

  const std::uint8_t* front_bytes() const { return storage_.data() + head_ * slot_bytes_; }
  std::size_t front_size() const { return sizes_[head_]; }
  bool front_marked() const { return marks_[head_] != 0; }
  void pop() {
    head_ = (head_ + 1) % sizes_.size();
    --count_;
  }
  void clear() {
    head_ = 0;
    count_ = 0;
  }

 private:
  std::size_t slot_bytes_;
  std::vector<std::size_t> sizes_;
  std::vector<std::uint8_t> marks_;
  std::vector<std::uint8_t> storage_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

}  // namespace vic_r1::bridge
