#include "drivers/clad/cloud_mic_messages.h"

#include <cstring>

#include "drivers/clad/clad_bytes.h"

namespace vic_r1::clad {

CloudMicMessage decode_cloud_mic(const std::uint8_t* bytes, std::size_t size) {
  CloudMicMessage message;
  if (size == kConnectionGreeting.size() && std::memcmp(bytes, kConnectionGreeting.data(), size) == 0) {
    message.kind = CloudMicMessage::Kind::kGreeting;
    return message;
  }
  if (size == 0) return message;
  message.tag = bytes[0];
  if (message.tag != kCloudMicResultTag) return message;
  CladReader reader(bytes + 1, size - 1);
  message.result.intent = reader.short_string();
  message.result.parameters = reader.long_string();
  message.result.metadata = reader.long_string();
  if (!reader.consumed_exactly()) {
    message.kind = CloudMicMessage::Kind::kMalformed;
    message.error = reader.failed() ? "intent result shorter than its lengths say"
                                    : "intent result longer than its lengths say";
    return message;
  }
  message.kind = CloudMicMessage::Kind::kResult;
  return message;
}

bool encode_intent_result(const IntentResult& result, std::uint8_t* out, std::size_t capacity, std::size_t& size,
                          const char*& error) {
  if (result.intent.empty() || result.intent.size() > 255) {
    error = "intent name must be 1 to 255 bytes";
    return false;
  }
  if (result.parameters.size() > 0xFFFF || result.metadata.size() > 0xFFFF) {
    error = "intent parameters or metadata longer than 65535 bytes";
    return false;
  }
  CladWriter writer(out, capacity);
  writer.u8(kCloudMicResultTag);
  writer.short_string(result.intent);
  writer.long_string(result.parameters);
  writer.long_string(result.metadata);
  if (writer.failed()) {
    error = "the output buffer is too small for the intent";
    return false;
  }
  if (writer.size() > kMaxIntentDatagramBytes) {
    error = "intent longer than vic-engine's 4096-byte receive buffer";
    return false;
  }
  size = writer.size();
  return true;
}

}  // namespace vic_r1::clad
