// libFuzzer target for the bridge's decisions: the AnimLinkRouter fed an
// arbitrary interleaving of engine datagrams, anim datagrams and agent
// commands, and the intent classifier fed arbitrary intents. Besides the
// sanitizers, its oracles are the promises the robot depends on:
// - nothing is injected before vic-anim's own traffic has confirmed the
//   layout, but the probe that asks it, nor after a contradiction has
//   withdrawn it, but the cancels and aborts that silence what was started
//   (two bytes, the same in every layout); every message injected towards
//   vic-anim is one of the agent's, whole and of exactly the confirmed
//   layout's size (vic-anim drops anything else silently);
// - no injected message uses an animation tag below 6 (the engine's
//   trigger-word and Alexa get-in tags) or ttsID 0;
// - only replies (TTS events, AnimationStarted/Ended) are ever kept from the
//   engine; everything else from vic-anim reaches it;
// - the engine's datagrams reach vic-anim unchanged, but for a KnowledgeGraph
//   stream request made Normal while knowledge questions are captured.
//
// Input layout: byte 0 picks the firmware, how it was known and whether
// knowledge questions are captured; then a sequence of records, each one
// byte of kind and one byte of length, then that many bytes.

#include <cstdint>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "drivers/bridge/anim_link_router.h"
#include "drivers/channel/agent_channel_messages.h"
#include "drivers/clad/anim_messages.h"
#include "drivers/clad/cloud_mic_messages.h"
#include "drivers/intent/question_intents.h"

namespace {

using namespace vic_r1;

void require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "anim_link_fuzz: broken promise: %s\n", what);
    std::abort();
  }
}

class CheckingSink final : public bridge::AnimLinkSink {
 public:
  void watch(bridge::AnimLinkRouter* router) { router_ = router; }

  bool inject_to_anim(const std::uint8_t* bytes, std::size_t size) override {
    using Status = bridge::LayoutConfirmation::Status;
    bridge::LayoutConfirmation& confirmation = router_->confirmation();
    const bool probing = confirmation.status() == Status::kProbing;
    const clad::FirmwareLayout& layout = probing ? confirmation.probe_layout() : confirmation.layout();
    const clad::EngineToAnimMessage message = clad::decode_engine_to_anim(layout, bytes, size);
    using Kind = clad::EngineToAnimMessage::Kind;
    const bool silencing = (message.kind == Kind::kTextToSpeechCancel || message.kind == Kind::kAbortAnimation) &&
                           size == 2;
    require(confirmation.confirmed() || silencing || (probing && message.kind == Kind::kTextToSpeechPrepare),
            "injected without a confirmed layout");
    // The wake word we fake for a follow-up question is its tag alone
    // (anim_messages.cpp): anything longer is not what vic-anim expects.
    const bool fake_wake_word = message.kind == Kind::kOther && message.tag == layout.fake_wake_word && size == 1;
    const bool ours_to_send = message.kind != Kind::kMalformed &&
                              (message.kind != Kind::kOther || fake_wake_word ||
                               message.tag == layout.draw_text_on_screen ||
                               message.tag == layout.set_full_anim_track_lock_state);
    require(ours_to_send, "injected a message that does not decode whole");
    if (message.kind == Kind::kPlayAnim) require(message.anim_tag >= 6, "animation tag below 6");
    if (message.kind == Kind::kTextToSpeechPrepare) require(message.tts_id != 0, "ttsID 0");
    return refuse_next_ ? (refuse_next_ = false) : true;
  }
  void tell_agent(const channel::Event& event) override {
    std::uint8_t buffer[channel::kMaxChannelMessageBytes];
    std::size_t size = 0;
    const char* error = nullptr;
    require(channel::encode_event(event, buffer, sizeof(buffer), size, error), "event too big for the channel");
  }

  bool refuse_next_ = false;

 private:
  bridge::AnimLinkRouter* router_ = nullptr;
};

void fuzz_intent(const std::uint8_t* bytes, std::size_t size) {
  const clad::CloudMicMessage message = clad::decode_cloud_mic(bytes, size);
  if (message.kind != clad::CloudMicMessage::Kind::kResult) return;
  std::string question;
  const intent::QuestionVerdict verdict =
      intent::classify_intent(intent::QuestionIntentPolicy{}, message.result, question);
  require(!verdict.owned || !question.empty(), "owned a question without text");
  require(!verdict.owned || !verdict.close_with.empty(), "owned a question with nothing to close it");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // The first byte: what vic-r1 was told of the firmware, and by whom.
  constexpr clad::FirmwareFamily kFamilies[] = {clad::FirmwareFamily::kVector18, clad::FirmwareFamily::kVector16,
                                                clad::FirmwareFamily::kVector16WithPitch,
                                                clad::FirmwareFamily::kUnknown};
  const bridge::FirmwareExpectation expectation{
      kFamilies[data[0] % 4], (data[0] / 4) % 2 == 0 ? bridge::FirmwareExpectation::Source::kOwner
                                                     : bridge::FirmwareExpectation::Source::kVersionFile};
  CheckingSink sink;
  bridge::AnimLinkRouter router(expectation, sink);
  sink.watch(&router);
  const bool capturing = (data[0] / 8) % 2 == 1;
  router.set_capturing_knowledge_questions(capturing);
  std::uint64_t now_ms = 0;
  for (std::size_t at = 1; at + 2 <= size;) {
    const std::uint8_t kind = data[at];
    const std::size_t length = data[at + 1];
    at += 2;
    if (length > size - at) break;
    const std::uint8_t* record = data + at;
    at += length;
    now_ms += 7;
    switch (kind % 7) {
      case 0: {
        // The one change the router may make to the engine's traffic: a
        // KnowledgeGraph stream request made Normal, while capturing.
        std::uint8_t forwarded[256];
        std::memcpy(forwarded, record, length);
        router.on_engine_datagram(forwarded, length);
        if (std::memcmp(forwarded, record, length) != 0) {
          require(capturing && length == 3 && record[0] == router.layout().start_wakewordless_streaming &&
                      record[0] != 0 && record[1] == 2 && forwarded[1] == 0 && forwarded[0] == record[0] &&
                      forwarded[2] == record[2],
                  "changed an engine datagram other than a knowledge stream request");
        }
        break;
      }
      case 1:
        if (router.on_anim_datagram(record, length) == bridge::AnimDatagramRoute::kToAgentOnly) {
          using Kind = clad::AnimToEngineMessage::Kind;
          const Kind decoded = clad::decode_anim_to_engine(router.layout(), record, length).kind;
          require(decoded == Kind::kTextToSpeechEvent || decoded == Kind::kAnimationStarted ||
                      decoded == Kind::kAnimationEnded,
                  "kept a message from the engine that is no reply");
        }
        break;
      case 2: {
        channel::Command command;
        const char* error = nullptr;
        if (channel::decode_command(record, length, command, error)) router.on_agent_command(command, now_ms);
        break;
      }
      case 3:
        router.on_tick(now_ms += 1000);
        break;
      case 4:
        router.release_everything_of_agent(now_ms);
        break;
      case 5:
        sink.refuse_next_ = true;
        break;
      case 6:
        fuzz_intent(record, length);
        break;
    }
  }
  require(router.agent_utterances_in_flight() <= bridge::AnimLinkRouter::kMaxAgentUtterances,
          "utterance table overflowed");
  return 0;
}
