// libFuzzer target for the bridge<->agent channel codec (drivers/channel):
// any packet, decoded as an event or as a command (the first byte picks).
// Besides the sanitizers, its oracles are the codec's promises:
//  - what decodes, encodes again within the channel's packet size;
//  - that encoding decodes, and encodes to the very same bytes again (one
//    canonical form: the two ends can never drift apart on a field);
//  - a decoded text never points outside the packet.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "drivers/channel/agent_channel_messages.h"

namespace {

using namespace vic_r1::channel;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "channel_fuzz: broken promise: %s\n", what);
  std::abort();
}

void check_inside(std::string_view text, const std::uint8_t* bytes, std::size_t size) {
  if (text.empty()) return;
  const auto* begin = reinterpret_cast<const char*>(bytes);
  if (text.data() < begin || text.data() + text.size() > begin + size) fail("a text points outside the packet");
}

template <class Message, class Decode, class Encode>
void round_trip(const std::uint8_t* bytes, std::size_t size, Decode decode, Encode encode) {
  Message first;
  const char* error = nullptr;
  if (!decode(bytes, size, first, error)) {
    if (error == nullptr) fail("a refusal without a reason");
    return;
  }
  static std::uint8_t once[kMaxChannelMessageBytes];
  static std::uint8_t twice[kMaxChannelMessageBytes];
  std::size_t once_size = 0;
  if (!encode(first, once, sizeof once, once_size, error)) fail("a decoded message does not encode again");
  Message second;
  if (!decode(once, once_size, second, error)) fail("an encoded message does not decode");
  std::size_t twice_size = 0;
  if (!encode(second, twice, sizeof twice, twice_size, error)) fail("a re-decoded message does not encode");
  if (twice_size != once_size || std::memcmp(once, twice, once_size) != 0) fail("two encodings of one message");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t* packet = data + 1;
  const std::size_t packet_size = size - 1;
  if (data[0] & 1) {
    round_trip<Event>(packet, packet_size, decode_event, encode_event);
    Event event;
    const char* error = nullptr;
    if (decode_event(packet, packet_size, event, error)) {
      check_inside(event.text, packet, packet_size);
      check_inside(event.intent, packet, packet_size);
    }
  } else {
    round_trip<Command>(packet, packet_size, decode_command, encode_command);
    Command command;
    const char* error = nullptr;
    if (decode_command(packet, packet_size, command, error)) {
      for (std::string_view text :
           {command.text, command.anim_name, command.intent, command.parameters, command.metadata}) {
        check_inside(text, packet, packet_size);
      }
    }
  }
  return 0;
}
