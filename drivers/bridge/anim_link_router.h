#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "drivers/bridge/back_touch_detector.h"
#include "drivers/bridge/layout_confirmation.h"
#include "drivers/bridge/wire_id_ledger.h"
#include "drivers/channel/agent_channel_messages.h"
#include "drivers/clad/anim_messages.h"
#include "drivers/clad/firmware_layout.h"

namespace vic_r1::bridge {

// Where the bridge sends what the router decides. Both calls must return at
// once: the bridge never waits on either side.
class AnimLinkSink {
 public:
  virtual ~AnimLinkSink() = default;
  // One of the agent's messages for vic-anim. False when it could not be
  // queued (the link is congested: the agent's traffic is the first to go).
  virtual bool inject_to_anim(const std::uint8_t* bytes, std::size_t size) = 0;
  // The cancels and aborts that silence a gone agent: the robot must get
  // them even under congestion, so they may wait behind the engine's traffic.
  virtual bool queue_to_anim(const std::uint8_t* bytes, std::size_t size) { return inject_to_anim(bytes, size); }
  virtual void tell_agent(const channel::Event& event) = 0;
};

// What to do with a datagram vic-anim sent.
enum class AnimDatagramRoute {
  kToEngine,        // forward it, unchanged
  kToAgentOnly,     // a reply to one of the agent's messages: the engine never sees it
  kRobotAvailable,  // forward it, and keep it for the next engine that connects
};

struct AnimLinkCounters {
  std::uint64_t malformed_from_engine = 0;  // forwarded untouched all the same
  std::uint64_t malformed_from_anim = 0;    // forwarded untouched all the same
  std::uint64_t replies_to_agent = 0;
  std::uint64_t injected = 0;
  std::uint64_t agent_commands_refused = 0;
  std::uint64_t id_collisions = 0;  // the engine took an id the agent held
  std::uint64_t knowledge_streams_made_normal = 0;
};

// The decisions of the engine<->anim bridge, without sockets (sans-I/O): it
// reads every datagram the bridge forwards to learn which animation tags and
// ttsIDs the engine uses, turns the agent's commands into CLAD messages with
// ids the engine is not using, keeps the replies to those away from the
// engine, and raises the wake word, back touch, button and the engine's own
// speech as events.
// Nothing here allocates: the agent's utterances and clips live in fixed
// tables.
class AnimLinkRouter {
 public:
  static constexpr std::size_t kMaxAgentUtterances = 8;
  static constexpr std::size_t kMaxAgentClips = 8;
  // AnimationStarted goes out on vic-anim's next tick (33 ms); a clip the
  // firmware does not know gets neither Started nor Ended, so one that has not
  // started by then is taken as unknown and its tag is released.
  static constexpr std::uint64_t kClipStartDeadlineMs = 2000;
  // How long the ids of a gone agent, or of an utterance cancelled while it
  // played, wait for vic-anim's last answer before they are reused anyway.
  static constexpr std::uint64_t kReleasedIdQuarantineMs = 5000;

  AnimLinkRouter(FirmwareExpectation expectation, AnimLinkSink& sink);

  // Engine -> anim: read for the ids it uses, and forwarded as it is, with
  // one exception, made in place: while knowledge questions are captured, a
  // StartWakeWordlessStreaming for a KnowledgeGraph stream asks for a
  // Normal one instead (see set_capturing_knowledge_questions).
  void on_engine_datagram(std::uint8_t* bytes, std::size_t size);

  // "Hey Vector, I have a question": vic-engine's knowledge-graph behaviour
  // asks vic-anim for a KnowledgeGraph stream (behaviorKnowledgeGraphQuestion
  // .cpp:275-280, userIntentComponent.cpp:940-944), and vic-anim opens it
  // with that type (animProcessMessages.cpp:416-425). wire-pod answers such
  // a stream itself and never passes the question's text on (VECTOR-IPC.md
  // §3). Asked for a Normal stream instead, vic-cloud treats the question
  // as any other and it comes back as an intent with its transcript, which
  // the agent can take. Only while an agent takes questions: without one,
  // the engine's own behaviour gets its own stream (fail-open).
  void set_capturing_knowledge_questions(bool capturing) { capturing_knowledge_questions_ = capturing; }
  // True once after each stream so rewritten: the next intent from vic-cloud
  // is the knowledge behaviour's answer.
  bool take_knowledge_question_stream() {
    const bool taken = knowledge_question_stream_;
    knowledge_question_stream_ = false;
    return taken;
  }
  // A vic-engine process connected: its tag and ttsID counters, and its
  // wake-word response, start over.
  void on_engine_connected();
  AnimDatagramRoute on_anim_datagram(const std::uint8_t* bytes, std::size_t size);
  void on_agent_command(const channel::Command& command, std::uint64_t now_ms);
  void on_tick(std::uint64_t now_ms);

  // The agent is gone (crashed, hung, restarting): cancel each of its
  // utterances and abort each of its clips on vic-anim, and forget them.
  void release_everything_of_agent(std::uint64_t now_ms);
  // vic-anim restarted: whatever it held of ours is gone with it.
  void forget_everything_of_agent();

  // The layout the robot speaks, once confirmed from its own traffic;
  // nothing of the agent's is injected before.
  const clad::FirmwareLayout& layout() const { return confirmation_.layout(); }
  LayoutConfirmation& confirmation() { return confirmation_; }
  const AnimLinkCounters& counters() const { return counters_; }
  std::size_t agent_utterances_in_flight() const;
  std::size_t agent_clips_in_flight() const;

 private:
  struct AgentUtterance {
    bool in_use = false;
    std::uint32_t handle = 0;
    std::uint8_t tts_id = 0;
    // Playing was seen and Finished not yet: a cancel now is answered
    // Invalid at once and, very likely, Finished later.
    bool playing = false;
    // handle 0: no one is listening any more (the agent is gone, or it
    // cancelled the utterance while it played); the id stays held until
    // vic-anim's last answer passes or the quarantine ends.
    std::uint64_t released_at_ms = 0;
  };
  struct AgentClip {
    bool in_use = false;
    bool started = false;
    std::uint32_t handle = 0;
    std::uint8_t tag = 0;
    std::uint64_t requested_at_ms = 0;
    std::uint64_t released_at_ms = 0;
    std::uint8_t name_size = 0;
    std::array<char, 255> name{};
  };

  void prepare_speech(const channel::Command& command);
  void play_speech(const channel::Command& command);
  void cancel_speech(const channel::Command& command);
  void play_animation(const channel::Command& command, std::uint64_t now_ms);
  void abort_animation(const channel::Command& command);
  void send_simple(const channel::Command& command);
  void listen_again(const channel::Command& command);

  AnimDatagramRoute route_speech_event(const clad::AnimToEngineMessage& message);
  void release(AgentUtterance& utterance);
  AnimDatagramRoute route_animation_event(const clad::AnimToEngineMessage& message);
  void note_robot_state(const clad::AnimToEngineMessage& message);
  void drive_layout_probe(std::uint64_t now_ms);
  bool route_probe_reply(const clad::AnimToEngineMessage& message);
  void end_probe();

  // Encodes `message` in the layout and injects it for the agent's `handle`;
  // false, with the agent told why, when it cannot be encoded or sent.
  template <class Message>
  bool inject(const Message& message, std::uint32_t handle);
  // Encodes and queues a cancel or abort of the bridge's own: no one to tell.
  template <class Message>
  void queue_release(const Message& message);
  void refuse(std::uint32_t handle, std::string_view reason);
  void tell_speech_state(std::uint32_t handle, clad::TtsState state, float duration_ms);
  void tell_animation_state(std::uint32_t handle, channel::AnimationPhase phase, bool aborted);
  void tell_engine_speech(std::string_view text);
  void tell(channel::EventKind kind);

  AgentUtterance* utterance_by_handle(std::uint32_t handle);
  AgentUtterance* utterance_by_tts_id(std::uint8_t tts_id);
  AgentClip* clip_by_handle(std::uint32_t handle);
  AgentClip* clip_by_tag(std::uint8_t tag);
  void forget(AgentUtterance& utterance);
  void forget(AgentClip& clip);

  LayoutConfirmation confirmation_;
  AnimLinkSink& sink_;
  // The TextToSpeechPrepare that asks vic-anim which layout it speaks.
  struct LayoutProbe {
    enum class Stage { kNone, kAwaitingAnswer, kCancelling } stage = Stage::kNone;
    std::uint8_t tts_id = 0;
    std::uint64_t sent_at_ms = 0;
  };
  LayoutProbe probe_;
  WireIdLedger animation_tags_;
  WireIdLedger tts_ids_;
  std::array<AgentUtterance, kMaxAgentUtterances> utterances_{};
  std::array<AgentClip, kMaxAgentClips> clips_{};
  BackTouchDetector back_touch_;
  bool button_was_pressed_ = false;
  // The engine's last SetTriggerWordResponse said a wake word opens a
  // stream; until one is seen (and after the engine restarts), it is unknown.
  bool trigger_word_starts_stream_ = false;
  bool capturing_knowledge_questions_ = false;
  bool knowledge_question_stream_ = false;
  std::uint64_t now_ms_ = 0;  // as of the last call that brought the time
  AnimLinkCounters counters_;
  std::array<std::uint8_t, 1 + clad::kTtsTextFieldBytes + 64> scratch_{};  // one encoded message
};

}  // namespace vic_r1::bridge
