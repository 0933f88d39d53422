// Standard and project headers before CppUTest's (its macros must not reach them).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/bridge/intent_tap.h"
#include "drivers/clad/cloud_mic_messages.h"
#include "drivers/ipc/unix_datagram_socket.h"
#include "platform/log/log_sink.h"
#include "tests/unit/support/bound_socket.h"
#include "tests/unit/support/temporary_directory.h"

#include <CppUTest/TestHarness.h>

using vic_r1::bridge::IntentTap;
using vic_r1::channel::Event;
using vic_r1::channel::EventKind;
using vic_r1::clad::CloudMicMessage;
using vic_r1::clad::IntentResult;
using vic_r1::ipc::SendOutcome;
using vic_r1::ipc::UnixDatagramSocket;
using vic_r1::test::TemporaryDirectory;
using vic_r1::test::bound_socket;

// IntentTap on real AF_UNIX datagram sockets, arranged as on the robot:
// vic-engine's ai_sock, vic-cloud's client, and the tap between them.

namespace {

std::vector<std::uint8_t> encoded(const IntentResult& result) {
  std::vector<std::uint8_t> bytes(vic_r1::clad::kMaxIntentDatagramBytes);
  std::size_t size = 0;
  const char* error = nullptr;
  if (!vic_r1::clad::encode_intent_result(result, bytes.data(), bytes.size(), size, error)) FAIL(error);
  bytes.resize(size);
  return bytes;
}

bool exists(const std::string& path) {
  struct stat status;
  return ::lstat(path.c_str(), &status) == 0;
}

struct Received {
  std::string intent;
  std::string sender;
};

}  // namespace

TEST_GROUP(IntentTap) {
  TemporaryDirectory directory;
  int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  vic_r1::logging::LogSink sink{"vic-r1", vic_r1::logging::LogSink::Options{null_fd}};
  UnixDatagramSocket engine;  // vic-engine's ai_sock
  UnixDatagramSocket cloud;   // vic-cloud's ai_sock_cp_ai
  IntentTap* tap = nullptr;
  std::vector<std::string> questions;
  std::vector<std::string> server_answers;  // intent, then answer
  std::uint64_t now_ms = 1000;

  void setup() override {
    engine = bound_socket(directory.file("ai_sock"));
    cloud = bound_socket(directory.file("ai_sock_cp_ai"));
    tap = new IntentTap(directory.path(), vic_r1::intent::QuestionIntentPolicy{},
                        vic_r1::logging::Logger(sink, "intent-tap"));
    std::string error;
    if (!tap->open(error)) FAIL(error.c_str());
    tap->on_directory_change("");
    CHECK_TRUE(tap->interposed());
    tap->set_question_sink([this](const Event& event) {
      if (event.kind == EventKind::kQuestion) questions.emplace_back(event.text);
      if (event.kind == EventKind::kVoiceServerAnswer) {
        server_answers.emplace_back(event.intent);
        server_answers.emplace_back(event.text);
      }
    });
    tap->set_accepting_questions(true);
  }
  void teardown() override {
    delete tap;
    ::close(null_fd);
  }

  void cloud_sends(const IntentResult& result) {
    const std::vector<std::uint8_t> bytes = encoded(result);
    CHECK_TRUE(cloud.send_to(directory.file("ai_sock"), bytes.data(), bytes.size()) == SendOutcome::kSent);
    tap->on_readable(now_ms);
  }

  // What vic-engine's socket received next, and from which bound name.
  Received engine_receives() {
    std::uint8_t buffer[vic_r1::clad::kMaxIntentDatagramBytes];
    Received received;
    const ssize_t size = engine.receive(buffer, sizeof(buffer), &received.sender);
    if (size < 0) FAIL("vic-engine's socket received nothing");
    const CloudMicMessage message = vic_r1::clad::decode_cloud_mic(buffer, static_cast<std::size_t>(size));
    if (message.kind != CloudMicMessage::Kind::kResult) FAIL("vic-engine received no intent result");
    received.intent = std::string(message.result.intent);
    return received;
  }
};

TEST(IntentTap, ForwardedIntentsComeFromTheTapsBoundClientName) {
  cloud_sends(IntentResult{"intent_greeting_hello", "", "text: hello  confidence: 0.0  handler: "});
  const Received received = engine_receives();
  STRCMP_EQUAL("intent_greeting_hello", received.intent.c_str());
  // vic-engine names every sender on ai_sock; one with no name aborts it.
  STRCMP_EQUAL(directory.file("vic-r1.ai_sock_client").c_str(), received.sender.c_str());
}

TEST(IntentTap, ATakenQuestionIsClosedFromTheBoundNameAndGoesToTheAgent) {
  cloud_sends(
      IntentResult{"intent_system_unmatched", "", "text: why is the sky blue  confidence: 0.000000  handler: "});
  const Received received = engine_receives();
  STRCMP_EQUAL("intent_system_noaudio", received.intent.c_str());
  STRCMP_EQUAL(directory.file("vic-r1.ai_sock_client").c_str(), received.sender.c_str());
  LONGS_EQUAL(1, questions.size());
  STRCMP_EQUAL("why is the sky blue", questions[0].c_str());
}

TEST(IntentTap, AnIntentGraphKnowledgeAnswerIsTakenAndClosedWithNoAudio) {
  cloud_sends(IntentResult{"intent_knowledge_response_extend_bypass",
                           "{\"answer\":\"Far.\",\"answer_type\":\"\",\"query_text\":\"how far is "
                           "the moon\"}\n",
                           ""});
  STRCMP_EQUAL("intent_system_noaudio", engine_receives().intent.c_str());
  LONGS_EQUAL(1, questions.size());
  STRCMP_EQUAL("how far is the moon", questions[0].c_str());
}

// "I have a question", its stream made Normal: the question comes back as
// an unmatched intent, and what ends the knowledge behaviour is knowledge_unknown.
TEST(IntentTap, AQuestionInsideTheKnowledgeSessionIsClosedWithNoResponse) {
  tap->expect_knowledge_session_answer(now_ms);
  now_ms += 6000;
  cloud_sends(
      IntentResult{"intent_system_unmatched", "", "text: what is a quasar  confidence: 0.000000  handler: "});
  STRCMP_EQUAL("intent_knowledge_no_response", engine_receives().intent.c_str());
  LONGS_EQUAL(1, questions.size());
  STRCMP_EQUAL("what is a quasar", questions[0].c_str());
  // The session took the first intent; the next question is an ordinary one.
  now_ms += 1000;
  cloud_sends(IntentResult{"intent_system_unmatched", "", "text: and a pulsar  confidence: 0.000000  handler: "});
  STRCMP_EQUAL("intent_system_noaudio", engine_receives().intent.c_str());
}

TEST(IntentTap, AKnowledgeSessionLongOverIsNotTakenForOne) {
  tap->expect_knowledge_session_answer(now_ms);
  now_ms += IntentTap::kKnowledgeSessionMs;
  cloud_sends(
      IntentResult{"intent_system_unmatched", "", "text: what is a quasar  confidence: 0.000000  handler: "});
  STRCMP_EQUAL("intent_system_noaudio", engine_receives().intent.c_str());
}

// wire-pod's "I have a question": its knowledge graph answers with text of
// its own and no query_text, so the question is not ours; the engine speaks
// the server's answer, and the agent hears of it.
TEST(IntentTap, AKnowledgeAnswerOfTheServersOwnIsForwardedAndToldToTheAgent) {
  cloud_sends(IntentResult{"intent_knowledge_response_extend",
                           "{\"answer\":\" The sky is blue because of Rayleigh scattering. \","
                           "\"answer_type\":\"InformationCommand\"}\n",
                           ""});
  STRCMP_EQUAL("intent_knowledge_response_extend", engine_receives().intent.c_str());
  CHECK_TRUE(questions.empty());
  LONGS_EQUAL(2, server_answers.size());
  STRCMP_EQUAL("intent_knowledge_response_extend", server_answers[0].c_str());
  STRCMP_EQUAL("The sky is blue because of Rayleigh scattering.", server_answers[1].c_str());
}

TEST(IntentTap, AKnowledgeAnswerTakenAsAQuestionIsNotToldAsTheServersAnswer) {
  cloud_sends(IntentResult{"intent_knowledge_response_extend_bypass",
                           "{\"answer\":\"Far.\",\"query_text\":\"how far is the moon\"}\n", ""});
  LONGS_EQUAL(1, questions.size());
  CHECK_TRUE(server_answers.empty());
}

TEST(IntentTap, AKnowledgeAnswerWithABlankAnswerOrOtherIntentsAreNotTold) {
  cloud_sends(IntentResult{"intent_knowledge_response_extend", "{\"answer\":\"  \"}\n", ""});
  cloud_sends(IntentResult{"intent_weather_extend", "{\"answer\":\"Sunny.\"}\n", ""});
  cloud_sends(IntentResult{"intent_greeting_hello", "", "text: hello  confidence: 0.0  handler: "});
  CHECK_TRUE(server_answers.empty());
}

TEST(IntentTap, AnInjectedIntentComesFromTheBoundName) {
  std::string error;
  CHECK_TRUE(tap->inject(IntentResult{"intent_system_noaudio", "", ""}, now_ms, error));
  const Received received = engine_receives();
  STRCMP_EQUAL("intent_system_noaudio", received.intent.c_str());
  STRCMP_EQUAL(directory.file("vic-r1.ai_sock_client").c_str(), received.sender.c_str());
}

// A flood while vic-engine reads nothing: the tap fills its queue, then
// stops reading, and vic-cloud's sends wait (here: would block), as they
// would on vic-engine's own socket. Nothing is dropped; once vic-engine
// reads, every intent arrives in the order sent.
TEST(IntentTap, AFloodIsHeldBackNotDropped) {
  constexpr int kIntents = 200;
  int sent = 0;
  std::vector<std::string> arrived;
  for (int round = 0; round < 1000 && static_cast<int>(arrived.size()) < kIntents; ++round) {
    while (sent < kIntents) {
      const std::vector<std::uint8_t> bytes =
          encoded(IntentResult{"intent_flood_" + std::to_string(sent), "", ""});
      if (cloud.send_to(directory.file("ai_sock"), bytes.data(), bytes.size()) != SendOutcome::kSent) break;
      ++sent;
    }
    tap->on_readable(now_ms);
    if (round == 20) {
      // vic-engine has read nothing yet: everything waits, nothing is lost.
      CHECK_FALSE(tap->wants_readable());
      CHECK(sent < kIntents);
      LONGS_EQUAL(0, tap->counters().dropped);
    }
    if (round > 20) {
      std::uint8_t buffer[vic_r1::clad::kMaxIntentDatagramBytes];
      std::string sender;
      ssize_t size = 0;
      while ((size = engine.receive(buffer, sizeof(buffer), &sender)) > 0) {
        const CloudMicMessage message = vic_r1::clad::decode_cloud_mic(buffer, static_cast<std::size_t>(size));
        arrived.emplace_back(message.result.intent);
      }
    }
    now_ms += 10;
    tap->on_tick(now_ms);
  }
  LONGS_EQUAL(kIntents, arrived.size());
  for (int i = 0; i < kIntents; ++i)
    STRCMP_EQUAL(("intent_flood_" + std::to_string(i)).c_str(), arrived[i].c_str());
  LONGS_EQUAL(0, tap->counters().dropped);
  LONGS_EQUAL(kIntents, tap->counters().forwarded);
}

// vic-engine keeps only the last intent of each tick: the agent's own
// intent gets a tick to itself, before and after; vic-cloud's go on at once.
TEST(IntentTap, AnAgentsIntentGetsATickOfItsOwn) {
  cloud_sends(IntentResult{"intent_greeting_hello", "", ""});
  cloud_sends(IntentResult{"intent_greeting_goodbye", "", ""});
  STRCMP_EQUAL("intent_greeting_hello", engine_receives().intent.c_str());
  STRCMP_EQUAL("intent_greeting_goodbye", engine_receives().intent.c_str());
  std::string error;
  CHECK_TRUE(tap->inject(IntentResult{"intent_system_noaudio", "", ""}, now_ms, error));
  CHECK_TRUE(tap->has_waiting_intents());
  now_ms += IntentTap::kEngineTickSpacingMs;
  tap->on_tick(now_ms);
  STRCMP_EQUAL("intent_system_noaudio", engine_receives().intent.c_str());
  cloud_sends(IntentResult{"intent_imperative_praise", "", ""});
  CHECK_TRUE(tap->has_waiting_intents());
  now_ms += IntentTap::kEngineTickSpacingMs;
  tap->on_tick(now_ms);
  STRCMP_EQUAL("intent_imperative_praise", engine_receives().intent.c_str());
  CHECK_FALSE(tap->has_waiting_intents());
}

TEST(IntentTap, RestorePutsTheEnginesSocketBackAndRemovesOurNames) {
  tap->restore();
  CHECK_FALSE(exists(directory.file("vic-r1.ai_sock_client")));
  CHECK_FALSE(exists(directory.file("ai_sock.vic-engine")));
  CHECK_TRUE(exists(directory.file("ai_sock")));
}
