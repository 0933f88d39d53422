// Standard and project headers before CppUTest's (its macros must not reach them).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/robot/echo_responder.h"
#include "drivers/channel/agent_channel_messages.h"
#include "drivers/clad/anim_messages.h"

#include <CppUTest/TestHarness.h>

using vic_r1::channel::Command;
using vic_r1::channel::CommandKind;
using vic_r1::channel::Event;
using vic_r1::channel::EventKind;
using vic_r1::clad::kMaxTtsTextBytes;
using vic_r1::clad::TtsState;
using vic_r1::clad::TtsTriggerMode;
using vic_r1::robot::EchoResponder;

namespace {

Event question_event(std::string_view text) {
  Event event;
  event.kind = EventKind::kQuestion;
  event.text = text;
  event.intent = "intent_system_unmatched";
  return event;
}

Event speech_event(std::uint32_t handle, TtsState state) {
  Event event;
  event.kind = EventKind::kSpeechState;
  event.handle = handle;
  event.speech_state = state;
  return event;
}

Event plain_event(EventKind kind) {
  Event event;
  event.kind = kind;
  return event;
}

Event command_failed(std::uint32_t handle) {
  Event event;
  event.kind = EventKind::kCommandFailed;
  event.handle = handle;
  event.text = "TextToSpeechPrepare refused: no free ttsID";
  return event;
}

// Is byte `at` of `text` the first byte of a UTF-8 character (or the end)?
bool starts_character(std::string_view text, std::size_t at) {
  return at == text.size() || (static_cast<unsigned char>(text[at]) & 0xC0) != 0x80;
}

std::string repeated(std::string_view piece, std::size_t times) {
  std::string text;
  for (std::size_t i = 0; i < times; ++i) text.append(piece);
  return text;
}

}  // namespace

TEST_GROUP(EchoResponder) {
  EchoResponder responder;

  // Asks `text`; checks that exactly one Manual PrepareSpeech came out and
  // returns its handle. `spoken` gets its text.
  std::uint32_t ask(std::string_view text, std::string* spoken = nullptr) {
    const std::vector<Command>& commands = responder.on_event(question_event(text));
    LONGS_EQUAL(1, commands.size());
    CHECK_TRUE(commands[0].kind == CommandKind::kPrepareSpeech);
    CHECK_TRUE(commands[0].trigger_mode == TtsTriggerMode::kManual);
    CHECK_TRUE(commands[0].handle != 0);
    if (spoken != nullptr) spoken->assign(commands[0].text);
    return commands[0].handle;
  }

  void check_single(const std::vector<Command>& commands, CommandKind kind, std::uint32_t handle) {
    LONGS_EQUAL(1, commands.size());
    CHECK_TRUE(commands[0].kind == kind);
    UNSIGNED_LONGS_EQUAL(handle, commands[0].handle);
  }

  // The text spoken for a question, checked to be a whole-character prefix of
  // "I heard: <question>" no longer than vic-anim's limit.
  std::string spoken_for(const std::string& question) {
    responder = EchoResponder();  // nothing to cancel first
    std::string spoken;
    ask(question, &spoken);
    const std::string sentence = "I heard: " + question;
    CHECK_TRUE(spoken.size() <= kMaxTtsTextBytes);
    CHECK_TRUE(sentence.compare(0, spoken.size(), spoken) == 0);
    CHECK_TRUE(starts_character(sentence, spoken.size()));
    return spoken;
  }
};

// ---- Answering -------------------------------------------------------------------

TEST(EchoResponder, QuestionPreparesOneManualUtteranceThatEchoesIt) {
  std::string spoken;
  ask("why is the sky blue?", &spoken);
  STRCMP_EQUAL("I heard: why is the sky blue?", spoken.c_str());
  CHECK_TRUE(responder.speaking());
}

TEST(EchoResponder, PreparedUtteranceIsPlayed) {
  const std::uint32_t handle = ask("why is the sky blue?");
  check_single(responder.on_event(speech_event(handle, TtsState::kPrepared)), CommandKind::kPlaySpeech, handle);
  CHECK_TRUE(responder.speaking());
}

TEST(EchoResponder, PlayableAndPlayingAskForNothing) {
  const std::uint32_t handle = ask("why?");
  CHECK_TRUE(responder.on_event(speech_event(handle, TtsState::kPlayable)).empty());
  responder.on_event(speech_event(handle, TtsState::kPrepared));
  CHECK_TRUE(responder.on_event(speech_event(handle, TtsState::kPlaying)).empty());
  CHECK_TRUE(responder.speaking());
}

TEST(EchoResponder, FinishedUtteranceEndsSilently) {
  const std::uint32_t handle = ask("why?");
  responder.on_event(speech_event(handle, TtsState::kPrepared));
  CHECK_TRUE(responder.on_event(speech_event(handle, TtsState::kFinished)).empty());
  CHECK_FALSE(responder.speaking());
  // Nothing left to cancel.
  CHECK_TRUE(responder.on_event(plain_event(EventKind::kWakeWord)).empty());
}

TEST(EchoResponder, InvalidStateEndsTheUtteranceSilently) {
  const std::uint32_t handle = ask("why?");
  CHECK_TRUE(responder.on_event(speech_event(handle, TtsState::kInvalid)).empty());
  CHECK_FALSE(responder.speaking());
  CHECK_TRUE(responder.on_event(plain_event(EventKind::kBackTouched)).empty());
}

TEST(EchoResponder, CommandFailedForTheUtteranceEndsItSilently) {
  const std::uint32_t handle = ask("why?");
  CHECK_TRUE(responder.on_event(command_failed(handle)).empty());
  CHECK_FALSE(responder.speaking());
  CHECK_TRUE(responder.on_event(plain_event(EventKind::kWakeWord)).empty());
}

TEST(EchoResponder, EachUtteranceGetsItsOwnHandle) {
  const std::uint32_t first = ask("one");
  responder.on_event(speech_event(first, TtsState::kFinished));
  const std::uint32_t second = ask("two");
  CHECK_TRUE(first != second);
}

// ---- Stopping --------------------------------------------------------------------

TEST(EchoResponder, WakeWordWhileSpeakingCancelsTheUtterance) {
  const std::uint32_t handle = ask("why?");
  responder.on_event(speech_event(handle, TtsState::kPrepared));
  check_single(responder.on_event(plain_event(EventKind::kWakeWord)), CommandKind::kCancelSpeech, handle);
  CHECK_FALSE(responder.speaking());
}

TEST(EchoResponder, BackTouchWhileSpeakingCancelsTheUtterance) {
  const std::uint32_t handle = ask("why?");
  check_single(responder.on_event(plain_event(EventKind::kBackTouched)), CommandKind::kCancelSpeech, handle);
  CHECK_FALSE(responder.speaking());
}

TEST(EchoResponder, ButtonWhileSpeakingCancelsTheUtterance) {
  const std::uint32_t handle = ask("why?");
  check_single(responder.on_event(plain_event(EventKind::kButtonPressed)), CommandKind::kCancelSpeech, handle);
  CHECK_FALSE(responder.speaking());
}

TEST(EchoResponder, StopEventsWhileSilentAskForNothing) {
  CHECK_TRUE(responder.on_event(plain_event(EventKind::kWakeWord)).empty());
  CHECK_TRUE(responder.on_event(plain_event(EventKind::kBackTouched)).empty());
  CHECK_TRUE(responder.on_event(plain_event(EventKind::kButtonPressed)).empty());
}

TEST(EchoResponder, CancelledUtterancesLateEventsAreIgnored) {
  const std::uint32_t handle = ask("why?");
  responder.on_event(plain_event(EventKind::kWakeWord));
  CHECK_TRUE(responder.on_event(speech_event(handle, TtsState::kPrepared)).empty());
  CHECK_FALSE(responder.speaking());
}

TEST(EchoResponder, NewQuestionWhileSpeakingCancelsTheOldOneThenPreparesTheNew) {
  const std::uint32_t old_handle = ask("first question");
  responder.on_event(speech_event(old_handle, TtsState::kPrepared));

  const std::vector<Command>& commands = responder.on_event(question_event("second question"));
  LONGS_EQUAL(2, commands.size());
  CHECK_TRUE(commands[0].kind == CommandKind::kCancelSpeech);
  UNSIGNED_LONGS_EQUAL(old_handle, commands[0].handle);
  CHECK_TRUE(commands[1].kind == CommandKind::kPrepareSpeech);
  CHECK_TRUE(commands[1].trigger_mode == TtsTriggerMode::kManual);
  CHECK_TRUE(commands[1].handle != old_handle);
  STRCMP_EQUAL("I heard: second question", std::string(commands[1].text).c_str());
  const std::uint32_t new_handle = commands[1].handle;

  // The old utterance's events no longer count; the new one's do.
  CHECK_TRUE(responder.on_event(speech_event(old_handle, TtsState::kFinished)).empty());
  CHECK_TRUE(responder.speaking());
  check_single(responder.on_event(speech_event(new_handle, TtsState::kPrepared)), CommandKind::kPlaySpeech,
               new_handle);
}

TEST(EchoResponder, EventsForOtherHandlesAreIgnored) {
  const std::uint32_t handle = ask("why?");
  const std::uint32_t other = handle + 1;
  CHECK_TRUE(responder.on_event(speech_event(other, TtsState::kPrepared)).empty());
  CHECK_TRUE(responder.on_event(speech_event(other, TtsState::kFinished)).empty());
  CHECK_TRUE(responder.on_event(speech_event(other, TtsState::kInvalid)).empty());
  CHECK_TRUE(responder.on_event(command_failed(other)).empty());
  CHECK_TRUE(responder.on_event(speech_event(0, TtsState::kPrepared)).empty());
  CHECK_TRUE(responder.speaking());
  check_single(responder.on_event(speech_event(handle, TtsState::kPrepared)), CommandKind::kPlaySpeech, handle);
}

TEST(EchoResponder, SpeechEventsWhileSilentAskForNothing) {
  CHECK_TRUE(responder.on_event(speech_event(1, TtsState::kPrepared)).empty());
  CHECK_TRUE(responder.on_event(speech_event(1, TtsState::kFinished)).empty());
  CHECK_FALSE(responder.speaking());
}

TEST(EchoResponder, AnimationAndLinkEventsChangeNothing) {
  const std::uint32_t handle = ask("why?");
  CHECK_TRUE(responder.on_event(plain_event(EventKind::kAnimationState)).empty());
  CHECK_TRUE(responder.on_event(plain_event(EventKind::kRobotLink)).empty());
  CHECK_TRUE(responder.speaking());
  check_single(responder.on_event(speech_event(handle, TtsState::kPrepared)), CommandKind::kPlaySpeech, handle);
}

// ---- vic-anim's text limit -------------------------------------------------------

TEST(EchoResponder, SentenceOfExactlyTheLimitIsSpokenWhole) {
  const std::string question(kMaxTtsTextBytes - std::string_view("I heard: ").size(), 'a');
  UNSIGNED_LONGS_EQUAL(kMaxTtsTextBytes, spoken_for(question).size());
}

TEST(EchoResponder, AsciiSentenceOverTheLimitIsCutAtTheLimit) {
  const std::string question(2000, 'a');
  UNSIGNED_LONGS_EQUAL(kMaxTtsTextBytes, spoken_for(question).size());
}

TEST(EchoResponder, LongQuestionIsCutBeforeACharacterThatStraddlesTheLimit) {
  // Bytes 0..1022 may be spoken (1023 is the NUL's place). "I heard: " is 9
  // bytes, then `lead` letters, then 3-byte euro signs.
  // lead 0: a euro sign starts at byte 1023, nothing straddles: cut at 1023.
  UNSIGNED_LONGS_EQUAL(1023, spoken_for(repeated("\xe2\x82\xac", 400)).size());
  // lead 1: the euro sign at 1021..1023 straddles: cut at 1021.
  UNSIGNED_LONGS_EQUAL(1021, spoken_for("a" + repeated("\xe2\x82\xac", 400)).size());
  // lead 2: the euro sign at 1022..1024 straddles: cut at 1022.
  UNSIGNED_LONGS_EQUAL(1022, spoken_for("aa" + repeated("\xe2\x82\xac", 400)).size());
  // A 4-byte emoji at 1020..1023 straddles by its last byte: cut at 1020.
  UNSIGNED_LONGS_EQUAL(1020, spoken_for("abc" + repeated("\xf0\x9f\x98\x80", 300)).size());
}

TEST(EchoResponder, LongQuestionIsCutAtACharacterBoundaryForEveryWidthAndOffset) {
  for (const std::string_view character : {std::string_view("\xc3\xa9"), std::string_view("\xe2\x82\xac"),
                                           std::string_view("\xf0\x9f\x98\x80")}) {
    for (std::size_t lead = 0; lead < 4; ++lead) {
      const std::string question = std::string(lead, 'a') + repeated(character, 600);
      const std::size_t spoken = spoken_for(question).size();
      // As much as fits: the next character would cross the limit.
      CHECK_TRUE(spoken + character.size() > kMaxTtsTextBytes);
    }
  }
}

TEST(EchoResponder, SpokenTextStaysValidUntilTheNextCall) {
  std::string question = "a question that will be overwritten";
  const std::vector<Command>& commands = responder.on_event(question_event(question));
  question.assign(question.size(), 'x');
  STRCMP_EQUAL("I heard: a question that will be overwritten", std::string(commands[0].text).c_str());
}
