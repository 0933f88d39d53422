// Standard and project headers before CppUTest's (its macros must not reach them).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drivers/bridge/datagram_queue.h"

#include <CppUTest/TestHarness.h>

using vic_r1::bridge::DatagramQueue;

namespace {

bool push(DatagramQueue& queue, std::string_view datagram) {
  return queue.push(reinterpret_cast<const std::uint8_t*>(datagram.data()), datagram.size());
}

// The oldest datagram, removed.
std::string pop(DatagramQueue& queue) {
  if (queue.empty()) FAIL("popped an empty queue");
  const std::string front(reinterpret_cast<const char*>(queue.front_bytes()), queue.front_size());
  queue.pop();
  return front;
}

}  // namespace

TEST_GROUP(DatagramQueue) { DatagramQueue queue{8, 3}; };

TEST(DatagramQueue, NewQueueIsEmpty) {
  CHECK_TRUE(queue.empty());
  CHECK_FALSE(queue.full());
  UNSIGNED_LONGS_EQUAL(0, queue.size());
  UNSIGNED_LONGS_EQUAL(3, queue.capacity());
}

TEST(DatagramQueue, DatagramsLeaveInTheOrderTheyCame) {
  CHECK_TRUE(push(queue, "one"));
  CHECK_TRUE(push(queue, "two"));
  CHECK_TRUE(push(queue, "three"));
  UNSIGNED_LONGS_EQUAL(3, queue.size());
  STRCMP_EQUAL("one", pop(queue).c_str());
  STRCMP_EQUAL("two", pop(queue).c_str());
  STRCMP_EQUAL("three", pop(queue).c_str());
  CHECK_TRUE(queue.empty());
}

TEST(DatagramQueue, OrderHoldsAcrossWrapAround) {
  int pushed = 0;
  int popped = 0;
  // Fill, then take one, two or three out, so the head visits every slot.
  for (int round = 0; round < 30; ++round) {
    while (!queue.full()) CHECK_TRUE(push(queue, "d" + std::to_string(pushed++)));
    for (int take = 0; take <= round % 3; ++take)
      STRCMP_EQUAL(("d" + std::to_string(popped++)).c_str(), pop(queue).c_str());
  }
  while (!queue.empty()) STRCMP_EQUAL(("d" + std::to_string(popped++)).c_str(), pop(queue).c_str());
  LONGS_EQUAL(pushed, popped);
}

TEST(DatagramQueue, FullQueueRefusesAndKeepsWhatItHolds) {
  CHECK_TRUE(push(queue, "a"));
  CHECK_TRUE(push(queue, "b"));
  CHECK_TRUE(push(queue, "c"));
  CHECK_TRUE(queue.full());
  CHECK_FALSE(push(queue, "d"));
  UNSIGNED_LONGS_EQUAL(3, queue.size());
  STRCMP_EQUAL("a", pop(queue).c_str());
  CHECK_TRUE(push(queue, "d"));
  STRCMP_EQUAL("b", pop(queue).c_str());
  STRCMP_EQUAL("c", pop(queue).c_str());
  STRCMP_EQUAL("d", pop(queue).c_str());
}

TEST(DatagramQueue, DatagramLargerThanASlotIsRefused) {
  CHECK_FALSE(push(queue, "123456789"));
  CHECK_TRUE(queue.empty());
  CHECK_TRUE(push(queue, "12345678"));
  STRCMP_EQUAL("12345678", pop(queue).c_str());
}

TEST(DatagramQueue, EmptyDatagramIsQueuedWithSizeZero) {
  CHECK_TRUE(queue.push(nullptr, 0));
  CHECK_TRUE(push(queue, "x"));
  UNSIGNED_LONGS_EQUAL(2, queue.size());
  UNSIGNED_LONGS_EQUAL(0, queue.front_size());
  queue.pop();
  STRCMP_EQUAL("x", pop(queue).c_str());
}

TEST(DatagramQueue, ReusedSlotHasTheNewSize) {
  CHECK_TRUE(push(queue, "longer!!"));
  pop(queue);
  CHECK_TRUE(push(queue, "ab"));
  CHECK_TRUE(push(queue, "cd"));
  CHECK_TRUE(push(queue, "e"));  // back in the first slot
  STRCMP_EQUAL("ab", pop(queue).c_str());
  STRCMP_EQUAL("cd", pop(queue).c_str());
  STRCMP_EQUAL("e", pop(queue).c_str());
}

TEST(DatagramQueue, ClearEmptiesAndTheQueueWorksAfterwards) {
  CHECK_TRUE(push(queue, "a"));
  CHECK_TRUE(push(queue, "b"));
  pop(queue);
  CHECK_TRUE(push(queue, "c"));
  queue.clear();
  CHECK_TRUE(queue.empty());
  UNSIGNED_LONGS_EQUAL(0, queue.size());
  CHECK_TRUE(push(queue, "x"));
  CHECK_TRUE(push(queue, "y"));
  CHECK_TRUE(push(queue, "z"));
  CHECK_TRUE(queue.full());
  STRCMP_EQUAL("x", pop(queue).c_str());
  STRCMP_EQUAL("y", pop(queue).c_str());
  STRCMP_EQUAL("z", pop(queue).c_str());
}
