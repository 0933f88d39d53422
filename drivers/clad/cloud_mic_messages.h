#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "drivers/clad/anim_messages.h"

namespace vic_r1::clad {

// CloudMic::Message (clad/src/clad/cloud/mic.clad), what vic-cloud sends to
// vic-engine on ai_sock. A `union dupes_allowed` with no explicit values, so
// the tags count from 0 in declaration order: hotword 0, audio 1, audioDone 2,
// connectionCheck 3, stopSignal 4, testStarted 5, streamTimeout 6,
// connectionResult 7, debugFile 8, result 9, error 10, streamOpen 11.
inline constexpr std::uint8_t kCloudMicResultTag = 9;

// vic-engine reads ai_sock into a 4096-byte buffer; longer is truncated.
inline constexpr std::size_t kMaxIntentDatagramBytes = 4096;

// The 8 bytes every Anki IPC client sends first on a new connection.
inline constexpr std::string_view kConnectionGreeting = "ANKICONN";

// IntentResult: string intent (u8 length), string[uint_16] parameters (the
// voice server's JSON), string[uint_16] metadata.
struct IntentResult {
  std::string_view intent;
  std::string_view parameters;
  std::string_view metadata;
};

struct CloudMicMessage {
  enum class Kind {
    kGreeting,   // ANKICONN
    kResult,     // an IntentResult
    kOther,      // error, streamOpen, ...: not ours to read
    kMalformed,  // a result whose lengths do not add up
  };
  Kind kind = Kind::kOther;
  std::uint8_t tag = 0;
  IntentResult result;
  const char* error = nullptr;
};

CloudMicMessage decode_cloud_mic(const std::uint8_t* bytes, std::size_t size);

// Encodes a `result` message, e.g. to inject an intent into vic-engine.
bool encode_intent_result(const IntentResult& result, std::uint8_t* out, std::size_t capacity, std::size_t& size,
                          const char*& error);

}  // namespace vic_r1::clad
