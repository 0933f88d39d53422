#pragma once

#include <cstddef>
#include <cstdint>

#include "drivers/clad/anim_messages.h"
#include "drivers/clad/cloud_mic_messages.h"

namespace vic_r1::test {

// What one call of a CLAD encoder gave, as a value the tests can return from
// a lambda and compare: the datagram's size, or the reason there is none.
struct EncodeOutcome {
  bool encoded = false;
  std::size_t size = 0;
  const char* error = nullptr;

  bool ok() const { return encoded; }
};

template <class Message>
EncodeOutcome encode_outcome(const clad::FirmwareLayout& layout, const Message& message, std::uint8_t* out,
                             std::size_t capacity) {
  EncodeOutcome outcome;
  outcome.encoded = clad::encode(layout, message, out, capacity, outcome.size, outcome.error);
  return outcome;
}

inline EncodeOutcome encode_outcome(const clad::IntentResult& result, std::uint8_t* out, std::size_t capacity) {
  EncodeOutcome outcome;
  outcome.encoded = clad::encode_intent_result(result, out, capacity, outcome.size, outcome.error);
  return outcome;
}

}  // namespace vic_r1::test
