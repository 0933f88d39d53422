// Standard and project headers before CppUTest's (its macros must not reach them).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/clad/anim_messages.h"
#include "drivers/clad/cloud_mic_messages.h"
#include "drivers/clad/firmware_layout.h"
#include "tests/unit/support/clad_encode_outcome.h"

#include <CppUTest/TestHarness.h>

using vic_r1::clad::AbortAnimation;
using vic_r1::clad::AnimToEngineMessage;
using vic_r1::clad::CloudMicMessage;
using vic_r1::test::EncodeOutcome;
using vic_r1::test::encode_outcome;
using vic_r1::clad::EngineToAnimMessage;
using vic_r1::clad::FirmwareFamily;
using vic_r1::clad::FirmwareLayout;
using vic_r1::clad::IntentResult;
using vic_r1::clad::PlayAnim;
using vic_r1::clad::TextToSpeechCancel;
using vic_r1::clad::TextToSpeechPlay;
using vic_r1::clad::TextToSpeechPrepare;
using vic_r1::clad::TtsState;
using vic_r1::clad::TtsTriggerMode;

namespace clad = vic_r1::clad;

// The decoders read datagrams that arrive from other processes: whatever the
// bytes, they must answer (a message, "not ours", or "malformed" with a
// reason) and never read outside the datagram. Every datagram here is copied
// into a heap block of exactly its size, so under the host-debug build's
// AddressSanitizer a read one byte past the end stops the test.
//
// The valid datagrams are the layouts pinned byte by byte in
// clad_golden_vectors_test.cpp; the engine -> anim ones are built here with
// the encoder, which those golden vectors check.

namespace {

const FirmwareLayout& v18() { return clad::layout_for(FirmwareFamily::kVector18); }
const FirmwareLayout& v16() { return clad::layout_for(FirmwareFamily::kVector16); }

using Bytes = std::vector<std::uint8_t>;

// A heap copy of exactly `size` bytes (none for size 0).
Bytes exact_copy(const std::uint8_t* bytes, std::size_t size) { return Bytes(bytes, bytes + size); }

// What a decoder made of a datagram, whichever decoder it was.
enum class Outcome { kKnown, kOther, kMalformed };
struct Verdict {
  Outcome outcome;
  const char* error;
};

using Decoder = std::function<Verdict(const std::uint8_t* bytes, std::size_t size)>;

Decoder engine_to_anim(const FirmwareLayout& layout) {
  return [&layout](const std::uint8_t* bytes, std::size_t size) {
    const EngineToAnimMessage m = clad::decode_engine_to_anim(layout, bytes, size);
    using Kind = EngineToAnimMessage::Kind;
    const Outcome outcome = m.kind == Kind::kOther       ? Outcome::kOther
                            : m.kind == Kind::kMalformed ? Outcome::kMalformed
                                                         : Outcome::kKnown;
    return Verdict{outcome, m.error};
  };
}

Decoder anim_to_engine(const FirmwareLayout& layout) {
  return [&layout](const std::uint8_t* bytes, std::size_t size) {
    const AnimToEngineMessage m = clad::decode_anim_to_engine(layout, bytes, size);
    using Kind = AnimToEngineMessage::Kind;
    const Outcome outcome = m.kind == Kind::kOther       ? Outcome::kOther
                            : m.kind == Kind::kMalformed ? Outcome::kMalformed
                                                         : Outcome::kKnown;
    return Verdict{outcome, m.error};
  };
}

Decoder cloud_mic() {
  return [](const std::uint8_t* bytes, std::size_t size) {
    const CloudMicMessage m = clad::decode_cloud_mic(bytes, size);
    using Kind = CloudMicMessage::Kind;
    const Outcome outcome = m.kind == Kind::kOther       ? Outcome::kOther
                            : m.kind == Kind::kMalformed ? Outcome::kMalformed
                                                         : Outcome::kKnown;
    return Verdict{outcome, m.error};
  };
}

struct Sample {
  std::string name;
  Decoder decode;
  Bytes datagram;
};

Bytes encoded(const std::function<EncodeOutcome(std::uint8_t*, std::size_t)>& encode) {
  Bytes out(clad::kMaxAnimDatagramBytes);
  const EncodeOutcome result = encode(out.data(), out.size());
  CHECK_TEXT(result.ok(), result.error);
  out.resize(result.size);
  return out;
}

TextToSpeechPrepare hello_prepare() {
  TextToSpeechPrepare message;
  message.tts_id = 42;
  message.text = "Hello.";
  return message;
}

std::vector<Sample> engine_to_anim_samples() {
  PlayAnim play_anim;
  play_anim.tag = 200;
  play_anim.anim_name = "anim_greeting_hello_01";
  AbortAnimation abort;
  abort.tag = 200;
  TextToSpeechPlay play;
  play.tts_id = 42;
  TextToSpeechCancel cancel;
  cancel.tts_id = 42;
  const TextToSpeechPrepare prepare = hello_prepare();
  return {
      {"PlayAnim", engine_to_anim(v18()),
       encoded([&](std::uint8_t* o, std::size_t n) { return encode_outcome(v18(), play_anim, o, n); })},
      {"AbortAnimation", engine_to_anim(v18()),
       encoded([&](std::uint8_t* o, std::size_t n) { return encode_outcome(v18(), abort, o, n); })},
      {"TextToSpeechPrepare 1.8", engine_to_anim(v18()),
       encoded([&](std::uint8_t* o, std::size_t n) { return encode_outcome(v18(), prepare, o, n); })},
      {"TextToSpeechPrepare 1.6", engine_to_anim(v16()),
       encoded([&](std::uint8_t* o, std::size_t n) { return encode_outcome(v16(), prepare, o, n); })},
      {"TextToSpeechPlay", engine_to_anim(v18()),
       encoded([&](std::uint8_t* o, std::size_t n) { return encode_outcome(v18(), play, o, n); })},
      {"TextToSpeechCancel", engine_to_anim(v18()),
       encoded([&](std::uint8_t* o, std::size_t n) { return encode_outcome(v18(), cancel, o, n); })},
  };
}

// The anim -> engine layouts of the golden vectors, for each family.
std::vector<Sample> anim_to_engine_samples() {
  Bytes robot_state(219, 0x00);
  robot_state[0] = 0xF0;
  std::vector<Sample> samples;
  for (FirmwareFamily family : {FirmwareFamily::kVector18, FirmwareFamily::kVector16, FirmwareFamily::kUnknown}) {
    const FirmwareLayout& layout = clad::layout_for(family);
    const std::string on = std::string(" on ") + std::string(layout.name);
    samples.push_back({"RobotAvailable" + on, anim_to_engine(layout), {0xD4}});
    samples.push_back({"AnimationStarted" + on, anim_to_engine(layout), {0xD6, 0xC8, 0x03, 0x61, 0x62, 0x63}});
    samples.push_back({"AnimationEnded" + on,
                       anim_to_engine(layout),
                       {0xD7, 0x40, 0xE2, 0x01, 0x00, 0xC8, 0x01, 0x02, 0x61, 0x62}});
    samples.push_back(
        {"TextToSpeechEvent" + on, anim_to_engine(layout), {0xDB, 0x00, 0x40, 0x9C, 0x44, 0x2A, 0x02}});
    samples.push_back({"TriggerWordDetected" + on,
                       anim_to_engine(layout),
                       {0xD9, 0x70, 0x11, 0x01, 0x00, 0x0C, 0x00, 0x00, 0x01, 0x01}});
    samples.push_back({"RobotState" + on, anim_to_engine(layout), robot_state});
  }
  return samples;
}

// IntentResult: tag 9; intent "abc"; parameters "{}"; metadata "m".
const Bytes kIntentResult = {0x09, 0x03, 0x61, 0x62, 0x63, 0x02, 0x00, 0x7B, 0x7D, 0x01, 0x00, 0x6D};

void check_known(const Sample& sample) {
  const Bytes copy = exact_copy(sample.datagram.data(), sample.datagram.size());
  const Verdict verdict = sample.decode(copy.data(), copy.size());
  CHECK_TEXT(verdict.outcome == Outcome::kKnown, sample.name.c_str());
  POINTERS_EQUAL_TEXT(nullptr, verdict.error, sample.name.c_str());
}

void check_every_truncation_is_malformed(const Sample& sample) {
  check_known(sample);
  for (std::size_t size = 0; size < sample.datagram.size(); ++size) {
    const std::string context = sample.name + ", first " + std::to_string(size) + " bytes";
    const Bytes prefix = exact_copy(sample.datagram.data(), size);
    const Verdict verdict = sample.decode(prefix.data(), prefix.size());
    if (size == 0) {
      CHECK_TEXT(verdict.outcome == Outcome::kOther, context.c_str());
      POINTERS_EQUAL_TEXT(nullptr, verdict.error, context.c_str());
    } else {
      CHECK_TEXT(verdict.outcome == Outcome::kMalformed, context.c_str());
      CHECK_TEXT(verdict.error != nullptr, context.c_str());
    }
  }
}

// Up to kMaxExtra extra bytes one by one, then up to the largest datagram
// either side reads; the extra bytes are arbitrary (seeded).
constexpr std::size_t kMaxExtra = 64;

void check_every_oversize_is_malformed(const Sample& sample, std::mt19937& rng) {
  check_known(sample);
  std::vector<std::size_t> extras;
  for (std::size_t extra = 1; extra <= kMaxExtra; ++extra) extras.push_back(extra);
  extras.push_back(clad::kMaxAnimDatagramBytes - sample.datagram.size());
  extras.push_back(clad::kMaxIntentDatagramBytes - sample.datagram.size());
  for (std::size_t extra : extras) {
    const std::string context = sample.name + " + " + std::to_string(extra) + " bytes";
    Bytes longer = sample.datagram;
    for (std::size_t i = 0; i < extra; ++i) longer.push_back(static_cast<std::uint8_t>(rng()));
    const Bytes copy = exact_copy(longer.data(), longer.size());
    const Verdict verdict = sample.decode(copy.data(), copy.size());
    CHECK_TEXT(verdict.outcome == Outcome::kMalformed, context.c_str());
    CHECK_TEXT(verdict.error != nullptr, context.c_str());
  }
}

}  // namespace

// ---------------------------------------------------------------- engine -> anim

TEST_GROUP(EngineToAnimDecoderRobustness){};

TEST(EngineToAnimDecoderRobustness, EveryTruncationOfEachMessageIsMalformed) {
  for (const Sample& sample : engine_to_anim_samples()) check_every_truncation_is_malformed(sample);
}

TEST(EngineToAnimDecoderRobustness, EveryOversizedMessageIsMalformed) {
  std::mt19937 rng(0x5EED0001u);
  for (const Sample& sample : engine_to_anim_samples()) check_every_oversize_is_malformed(sample, rng);
}

TEST(EngineToAnimDecoderRobustness, TextFieldWithoutNulIsReadToTheFieldsEndOnly) {
  // int_8 text[1024] with no NUL at all: the text is the 1024 bytes, not a
  // byte more (the firmware itself would read on; we must not).
  Bytes datagram =
      encoded([](std::uint8_t* o, std::size_t n) { return encode_outcome(v18(), hello_prepare(), o, n); });
  std::fill(datagram.begin() + 15, datagram.end(), static_cast<std::uint8_t>('z'));
  const Bytes copy = exact_copy(datagram.data(), datagram.size());
  const EngineToAnimMessage m = clad::decode_engine_to_anim(v18(), copy.data(), copy.size());
  CHECK(m.kind == EngineToAnimMessage::Kind::kTextToSpeechPrepare);
  UNSIGNED_LONGS_EQUAL(1024, m.tts_text.size());
  POINTERS_EQUAL(reinterpret_cast<const char*>(copy.data()) + 15, m.tts_text.data());
}

// ---------------------------------------------------------------- anim -> engine

TEST_GROUP(AnimToEngineDecoderRobustness){};

TEST(AnimToEngineDecoderRobustness, EveryTruncationOfEachMessageIsMalformed) {
  for (const Sample& sample : anim_to_engine_samples()) check_every_truncation_is_malformed(sample);
}

TEST(AnimToEngineDecoderRobustness, EveryOversizedMessageIsMalformed) {
  std::mt19937 rng(0x5EED0002u);
  for (const Sample& sample : anim_to_engine_samples()) check_every_oversize_is_malformed(sample, rng);
}

TEST(AnimToEngineDecoderRobustness, TextToSpeechEventWithAStateAboveFinishedIsMalformed) {
  // TextToSpeechState ends at Finished = 5 (textToSpeechTypes.clad:48-56).
  for (unsigned state = 0; state <= 255; ++state) {
    const Bytes datagram = {0xDB, 0x00, 0x40, 0x9C, 0x44, 0x2A, static_cast<std::uint8_t>(state)};
    const Bytes copy = exact_copy(datagram.data(), datagram.size());
    const AnimToEngineMessage m = clad::decode_anim_to_engine(v18(), copy.data(), copy.size());
    const std::string context = "state " + std::to_string(state);
    if (state <= 5) {
      CHECK_TEXT(m.kind == AnimToEngineMessage::Kind::kTextToSpeechEvent, context.c_str());
      BYTES_EQUAL(state, static_cast<std::uint8_t>(m.tts_state));
      POINTERS_EQUAL(nullptr, m.error);
    } else {
      CHECK_TEXT(m.kind == AnimToEngineMessage::Kind::kMalformed, context.c_str());
      STRCMP_CONTAINS_TEXT("unknown state", m.error, context.c_str());
    }
  }
}

TEST(AnimToEngineDecoderRobustness, OversizedEventWithAStateAboveFinishedIsStillMalformed) {
  const Bytes datagram = {0xDB, 0x00, 0x40, 0x9C, 0x44, 0x2A, 0x09, 0x00};
  const Bytes copy = exact_copy(datagram.data(), datagram.size());
  const AnimToEngineMessage m = clad::decode_anim_to_engine(v18(), copy.data(), copy.size());
  CHECK(m.kind == AnimToEngineMessage::Kind::kMalformed);
  CHECK(m.error != nullptr);
}

// ---------------------------------------------------------------- vic-cloud -> vic-engine

TEST_GROUP(CloudMicDecoderRobustness){};

TEST(CloudMicDecoderRobustness, EveryTruncationOfAResultIsMalformed) {
  check_every_truncation_is_malformed({"IntentResult", cloud_mic(), kIntentResult});
  const std::string parameters(1000, 'p');
  const std::string metadata(300, 'm');
  const IntentResult big{"intent_system_noaudio", parameters, metadata};
  check_every_truncation_is_malformed(
      {"large IntentResult", cloud_mic(),
       encoded([&](std::uint8_t* o, std::size_t n) { return encode_outcome(big, o, n); })});
}

TEST(CloudMicDecoderRobustness, EveryOversizedResultIsMalformed) {
  std::mt19937 rng(0x5EED0003u);
  check_every_oversize_is_malformed({"IntentResult", cloud_mic(), kIntentResult}, rng);
}

TEST(CloudMicDecoderRobustness, LengthsThatOverrunOrUnderrunTheDatagramAreMalformed) {
  struct Case {
    const char* what;
    Bytes datagram;
    const char* cause;
  };
  // Each is kIntentResult (09 | 03 "abc" | 02 00 "{}" | 01 00 "m") with one
  // length or the size changed.
  const Case cases[] = {
      {"intent length 255 in 12 bytes",
       {0x09, 0xFF, 0x61, 0x62, 0x63, 0x02, 0x00, 0x7B, 0x7D, 0x01, 0x00, 0x6D},
       "shorter"},
      {"intent length 4 swallows the parameters length",
       {0x09, 0x04, 0x61, 0x62, 0x63, 0x02, 0x00, 0x7B, 0x7D, 0x01, 0x00, 0x6D},
       "shorter"},
      {"intent length 2 leaves 'c' as a length byte",
       {0x09, 0x02, 0x61, 0x62, 0x63, 0x02, 0x00, 0x7B, 0x7D, 0x01, 0x00, 0x6D},
       "shorter"},
      {"parameters length big-endian 0x0200",
       {0x09, 0x03, 0x61, 0x62, 0x63, 0x00, 0x02, 0x7B, 0x7D, 0x01, 0x00, 0x6D},
       "shorter"},
      {"parameters length 0xFFFF",
       {0x09, 0x03, 0x61, 0x62, 0x63, 0xFF, 0xFF, 0x7B, 0x7D, 0x01, 0x00, 0x6D},
       "shorter"},
      {"metadata length 2 with 1 byte left",
       {0x09, 0x03, 0x61, 0x62, 0x63, 0x02, 0x00, 0x7B, 0x7D, 0x02, 0x00, 0x6D},
       "shorter"},
      {"metadata length 0x0100",
       {0x09, 0x03, 0x61, 0x62, 0x63, 0x02, 0x00, 0x7B, 0x7D, 0x00, 0x01, 0x6D},
       "shorter"},
      {"metadata length byte missing", {0x09, 0x03, 0x61, 0x62, 0x63, 0x02, 0x00, 0x7B, 0x7D, 0x01}, "shorter"},
      {"tag alone", {0x09}, "shorter"},
      {"metadata length 0 with 1 byte left",
       {0x09, 0x03, 0x61, 0x62, 0x63, 0x02, 0x00, 0x7B, 0x7D, 0x00, 0x00, 0x6D},
       "longer"},
      {"parameters length 1 then a metadata length that ends early",
       {0x09, 0x03, 0x61, 0x62, 0x63, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x6D},
       "longer"},
      {"two results in one datagram",
       {0x09, 0x01, 0x61, 0x00, 0x00, 0x00, 0x00, 0x09, 0x01, 0x61, 0x00, 0x00, 0x00, 0x00},
       "longer"},
  };
  for (const Case& c : cases) {
    const Bytes copy = exact_copy(c.datagram.data(), c.datagram.size());
    const CloudMicMessage m = clad::decode_cloud_mic(copy.data(), copy.size());
    CHECK_TEXT(m.kind == CloudMicMessage::Kind::kMalformed, c.what);
    STRCMP_CONTAINS_TEXT(c.cause, m.error, c.what);
  }
}

TEST(CloudMicDecoderRobustness, GreetingWithABytePlusOrMinusIsNotAGreeting) {
  const std::string_view greeting = clad::kConnectionGreeting;
  const std::string plus = std::string(greeting) + "N";
  for (std::string_view text : {greeting.substr(0, 7), std::string_view(plus), std::string_view("ANKICONn")}) {
    const Bytes copy(text.begin(), text.end());
    const CloudMicMessage m = clad::decode_cloud_mic(copy.data(), copy.size());
    CHECK_TEXT(m.kind == CloudMicMessage::Kind::kOther, std::string(text).c_str());
    POINTERS_EQUAL(nullptr, m.error);
  }
}

// ---------------------------------------------------------------- seeded random datagrams

namespace {

constexpr std::size_t kCorpusSize = 200000;
constexpr std::size_t kMaxRandomSize = 2100;

// The tags some decoder reads, and some neighbours it must leave alone.
constexpr std::uint8_t kInterestingTags[] = {
    0x50, 0x51, 0x53, 0x55, 0x92, 0x93, 0x94, 0x95,  // engine -> anim
    0xD4, 0xD6, 0xD7, 0xD9, 0xDB, 0xF0, 0xF3,        // anim -> engine
    0x09, 0x0B, 0x41,                                // cloud -> engine: result, streamOpen, 'A'NKICONN
};

std::uint32_t le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }

float f32_bits(const std::uint8_t* p) {
  const std::uint32_t bits = le32(p);
  float value = 0;
  std::memcpy(&value, &bits, 4);
  return value;
}

bool inside(std::string_view view, const Bytes& datagram) {
  const auto* begin = reinterpret_cast<const char*>(datagram.data());
  return view.empty() || (view.data() >= begin && view.data() + view.size() <= begin + datagram.size());
}

// Makes datagrams: a third wholly random, a third random behind an
// interesting tag, a third shaped like one of our messages (the right size
// for its length fields, sometimes a few bytes off, sometimes canonical).
class DatagramSource {
 public:
  explicit DatagramSource(std::uint32_t seed) : rng_(seed), pool_(64 * 1024 + kMaxRandomSize) {
    for (auto& byte : pool_) byte = static_cast<std::uint8_t>(rng_());
  }

  Bytes next() {
    const unsigned mode = below(3);
    if (mode == 0) return random_bytes(below(kMaxRandomSize + 1));
    const std::uint8_t tag = kInterestingTags[below(sizeof(kInterestingTags))];
    if (mode == 1) {
      Bytes datagram = random_bytes(below(kMaxRandomSize + 1));
      if (!datagram.empty()) datagram[0] = tag;
      return datagram;
    }
    return shaped(tag);
  }

 private:
  std::size_t below(std::size_t bound) { return static_cast<std::size_t>(rng_() % bound); }

  // Contents come from a pre-drawn pool so the corpus stays cheap under qemu.
  Bytes random_bytes(std::size_t size) {
    const std::size_t start = below(pool_.size() - size + 1);
    return Bytes(pool_.begin() + static_cast<std::ptrdiff_t>(start),
                 pool_.begin() + static_cast<std::ptrdiff_t>(start + size));
  }

  Bytes shaped(std::uint8_t tag) {
    const bool canonical = below(2) == 0;
    Bytes d;
    switch (tag) {
      case 0x50: {  // PlayAnim: 12 + name
        const std::size_t name = below(256);
        d = random_bytes(12 + name);
        d[11] = static_cast<std::uint8_t>(name);
        if (canonical) d[10] = static_cast<std::uint8_t>(below(2));
        break;
      }
      case 0x92: {  // TextToSpeechPrepare, either family
        const bool with_pitch = below(2) == 0;
        const std::size_t text_at = with_pitch ? 15 : 11;
        d = random_bytes(text_at + 1024);
        if (canonical) {
          const std::size_t nul = text_at + below(1024);
          std::fill(d.begin() + static_cast<std::ptrdiff_t>(nul), d.end(), 0);
        }
        break;
      }
      case 0xD6: {  // AnimationStarted: 3 + name
        const std::size_t name = below(256);
        d = random_bytes(3 + name);
        d[2] = static_cast<std::uint8_t>(name);
        break;
      }
      case 0xD7: {  // AnimationEnded: 8 + name
        const std::size_t name = below(256);
        d = random_bytes(8 + name);
        d[7] = static_cast<std::uint8_t>(name);
        break;
      }
      case 0xDB:
        d = random_bytes(7);
        d[6] = static_cast<std::uint8_t>(below(8));
        break;
      case 0xD9:
        d = random_bytes(10);
        break;
      case 0xF0:
        d = random_bytes(219);
        break;
      case 0xD4:
        d = random_bytes(1);
        break;
      case 0x09: {  // IntentResult: 1 + (1 + I) + (2 + P) + (2 + M)
        const std::size_t intent = below(256), parameters = below(1200), metadata = below(300);
        d = random_bytes(1 + 1 + intent + 2 + parameters + 2 + metadata);
        d[1] = static_cast<std::uint8_t>(intent);
        d[2 + intent] = static_cast<std::uint8_t>(parameters);
        d[3 + intent] = static_cast<std::uint8_t>(parameters >> 8);
        d[4 + intent + parameters] = static_cast<std::uint8_t>(metadata);
        d[5 + intent + parameters] = static_cast<std::uint8_t>(metadata >> 8);
        break;
      }
      case 0x41:
        if (canonical) return Bytes(clad::kConnectionGreeting.begin(), clad::kConnectionGreeting.end());
        d = random_bytes(8);
        break;
      default:  // AbortAnimation, TextToSpeechPlay/Cancel, and the neighbours
        d = random_bytes(2);
        break;
    }
    d[0] = tag;
    // Sometimes a few bytes off the size its fields give.
    if (!canonical && below(2) == 0) {
      const std::size_t delta = 1 + below(3);
      if (below(2) == 0) {
        d.resize(d.size() > delta ? d.size() - delta : 0);
      } else {
        for (std::size_t i = 0; i < delta; ++i) d.push_back(static_cast<std::uint8_t>(rng_()));
      }
    }
    return d;
  }

  std::mt19937 rng_;
  Bytes pool_;
};

// What the corpus reached, so a test that passes vacuously shows up.
struct Tally {
  std::size_t engine_known[8] = {};
  std::size_t anim_known[8] = {};
  std::size_t results = 0;
  std::size_t greetings = 0;
  std::size_t identical_play_anim = 0;
  std::size_t identical_prepare = 0;
};

// CLAD reads a bool as any non-zero byte and int_8 text[1024] as a C string,
// so a decoded datagram re-encodes to its canonical form: bools 0 or 1, the
// text field zero after its first NUL. Everything else must come back as it was.
void check_engine_to_anim(const FirmwareLayout& layout, const Bytes& d, Tally& tally) {
  const EngineToAnimMessage m = clad::decode_engine_to_anim(layout, d.data(), d.size());
  using Kind = EngineToAnimMessage::Kind;
  if (m.kind == Kind::kOther) {
    CHECK(m.error == nullptr);
    CHECK(d.empty() ||
          (d[0] != layout.play_anim && d[0] != layout.abort_animation && d[0] != layout.text_to_speech_prepare &&
           d[0] != layout.text_to_speech_play && d[0] != layout.text_to_speech_cancel));
    return;
  }
  if (m.kind == Kind::kMalformed) {
    CHECK(m.error != nullptr);
    return;
  }
  CHECK(m.error == nullptr);
  CHECK(inside(m.anim_name, d) && inside(m.tts_text, d));
  ++tally.engine_known[static_cast<int>(m.kind)];

  Bytes canonical = d;
  Bytes out(clad::kMaxAnimDatagramBytes);
  EncodeOutcome result;
  switch (m.kind) {
    case Kind::kPlayAnim: {
      PlayAnim message;
      message.num_loops = le32(&d[1]);
      message.start_at_ms = le32(&d[5]);
      message.tag = m.anim_tag;
      message.render_in_eye_hue = d[10] != 0;
      message.anim_name = m.anim_name;
      canonical[10] = d[10] != 0 ? 1 : 0;
      result = encode_outcome(layout, message, out.data(), out.size());
      if (m.anim_name.empty()) {  // the one PlayAnim the encoder will not make
        CHECK_FALSE(result.ok());
        return;
      }
      if (canonical == d) ++tally.identical_play_anim;
      break;
    }
    case Kind::kAbortAnimation: {
      AbortAnimation message;
      message.tag = m.anim_tag;
      result = encode_outcome(layout, message, out.data(), out.size());
      break;
    }
    case Kind::kTextToSpeechPrepare: {
      const std::size_t text_at = layout.tts_prepare_has_pitch_scalar ? 15 : 11;
      TextToSpeechPrepare message;
      message.style = le32(&d[1]);
      message.duration_scalar = f32_bits(&d[5]);
      if (layout.tts_prepare_has_pitch_scalar) message.pitch_scalar = f32_bits(&d[9]);
      message.trigger_mode = m.trigger_mode;
      message.tts_id = m.tts_id;
      message.text = m.tts_text;
      std::fill(canonical.begin() + static_cast<std::ptrdiff_t>(text_at + m.tts_text.size()), canonical.end(), 0);
      result = encode_outcome(layout, message, out.data(), out.size());
      // The firmware's limits: 1..1023 bytes, not only blanks, ttsID 1..255.
      const bool blank = m.tts_text.find_first_not_of(" \t\r\n") == std::string_view::npos;
      if (blank || m.tts_text.size() > clad::kMaxTtsTextBytes || m.tts_id == 0) {
        CHECK_FALSE(result.ok());
        return;
      }
      if (canonical == d) ++tally.identical_prepare;
      break;
    }
    case Kind::kTextToSpeechPlay: {
      TextToSpeechPlay message;
      message.tts_id = m.tts_id;
      result = encode_outcome(layout, message, out.data(), out.size());
      break;
    }
    case Kind::kTextToSpeechCancel: {
      TextToSpeechCancel message;
      message.tts_id = m.tts_id;
      result = encode_outcome(layout, message, out.data(), out.size());
      break;
    }
    default:
      FAIL("a kind the corpus check does not know");
  }
  CHECK_TEXT(result.ok(), result.error);
  UNSIGNED_LONGS_EQUAL(canonical.size(), result.size);
  CHECK(std::equal(canonical.begin(), canonical.end(), out.begin()));
}

// No encoder exists for these: the fields must be the bytes the .clad puts
// where they were read from.
void check_anim_to_engine(const FirmwareLayout& layout, const Bytes& d, Tally& tally) {
  const AnimToEngineMessage m = clad::decode_anim_to_engine(layout, d.data(), d.size());
  using Kind = AnimToEngineMessage::Kind;
  if (m.kind == Kind::kOther) {
    CHECK(m.error == nullptr);
    return;
  }
  if (m.kind == Kind::kMalformed) {
    CHECK(m.error != nullptr);
    return;
  }
  CHECK(m.error == nullptr);
  CHECK(inside(m.anim_name, d));
  ++tally.anim_known[static_cast<int>(m.kind)];
  switch (m.kind) {
    case Kind::kRobotAvailable:
      UNSIGNED_LONGS_EQUAL(1, d.size());
      break;
    case Kind::kAnimationStarted:
      UNSIGNED_LONGS_EQUAL(3 + d[2], d.size());
      BYTES_EQUAL(d[1], m.anim_tag);
      break;
    case Kind::kAnimationEnded:
      UNSIGNED_LONGS_EQUAL(8 + d[7], d.size());
      UNSIGNED_LONGS_EQUAL(le32(&d[1]), m.stream_time_anim_ended);
      BYTES_EQUAL(d[5], m.anim_tag);
      CHECK_EQUAL(d[6] != 0, m.was_aborted);
      break;
    case Kind::kTextToSpeechEvent:
      UNSIGNED_LONGS_EQUAL(7, d.size());
      CHECK(d[6] <= 5);
      BYTES_EQUAL(d[5], m.tts_id);
      break;
    case Kind::kTriggerWordDetected:
      UNSIGNED_LONGS_EQUAL(10, d.size());
      UNSIGNED_LONGS_EQUAL(le32(&d[1]), m.trigger_score);
      UNSIGNED_LONGS_EQUAL(le16(&d[5]), m.direction);
      break;
    case Kind::kRobotState:
      UNSIGNED_LONGS_EQUAL(219, d.size());
      UNSIGNED_LONGS_EQUAL(le32(&d[181]), m.robot_status);
      UNSIGNED_LONGS_EQUAL(le16(&d[213]), m.backpack_touch_raw);
      break;
    default:
      FAIL("a kind the corpus check does not know");
  }
}

void check_cloud_mic(const Bytes& d, Tally& tally) {
  const CloudMicMessage m = clad::decode_cloud_mic(d.data(), d.size());
  using Kind = CloudMicMessage::Kind;
  switch (m.kind) {
    case Kind::kOther:
      CHECK(m.error == nullptr);
      return;
    case Kind::kMalformed:
      CHECK(m.error != nullptr);
      return;
    case Kind::kGreeting:
      CHECK(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()) == clad::kConnectionGreeting);
      ++tally.greetings;
      return;
    case Kind::kResult:
      break;
  }
  CHECK(m.error == nullptr);
  CHECK(inside(m.result.intent, d) && inside(m.result.parameters, d) && inside(m.result.metadata, d));
  ++tally.results;
  Bytes out(clad::kMaxIntentDatagramBytes);
  const EncodeOutcome result = encode_outcome(m.result, out.data(), out.size());
  if (m.result.intent.empty()) {  // the encoder will not inject a nameless intent
    CHECK_FALSE(result.ok());
    return;
  }
  CHECK_TEXT(result.ok(), result.error);
  UNSIGNED_LONGS_EQUAL(d.size(), result.size);
  CHECK(std::equal(d.begin(), d.end(), out.begin()));
}

}  // namespace

TEST_GROUP(CladDecoderCorpus){};

TEST(CladDecoderCorpus, SeededRandomDatagramsNeverCrashAndKnownOnesReencodeToTheirCanonicalBytes) {
  DatagramSource source(0xC1ADu);
  Tally tally;
  for (std::size_t i = 0; i < kCorpusSize; ++i) {
    const Bytes datagram = source.next();  // exactly its size, for the sanitizer
    check_engine_to_anim(v18(), datagram, tally);
    check_engine_to_anim(v16(), datagram, tally);
    check_anim_to_engine(v18(), datagram, tally);
    check_cloud_mic(datagram, tally);
  }

  // Every kind was reached often enough for the checks above to mean something.
  using E = EngineToAnimMessage::Kind;
  using A = AnimToEngineMessage::Kind;
  for (E kind :
       {E::kPlayAnim, E::kAbortAnimation, E::kTextToSpeechPrepare, E::kTextToSpeechPlay, E::kTextToSpeechCancel}) {
    CHECK_TEXT(tally.engine_known[static_cast<int>(kind)] >= 500, "an engine -> anim kind was rarely reached");
  }
  for (A kind : {A::kRobotAvailable, A::kAnimationStarted, A::kAnimationEnded, A::kTextToSpeechEvent,
                 A::kTriggerWordDetected, A::kRobotState}) {
    CHECK_TEXT(tally.anim_known[static_cast<int>(kind)] >= 500, "an anim -> engine kind was rarely reached");
  }
  CHECK(tally.results >= 500);
  CHECK(tally.greetings >= 100);
  CHECK(tally.identical_play_anim >= 100);
  CHECK(tally.identical_prepare >= 100);
}
