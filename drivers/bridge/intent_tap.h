#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "drivers/bridge/anim_bridge.h"
#include "drivers/bridge/datagram_queue.h"
#include "drivers/channel/agent_channel_messages.h"
#include "drivers/clad/cloud_mic_messages.h"
#include "drivers/intent/question_intents.h"
#include "drivers/intent/voice_server_answer.h"
#include "drivers/ipc/socket_interposer.h"
#include "drivers/ipc/unix_datagram_socket.h"

namespace vic_r1::bridge {

struct IntentTapCounters {
  std::uint64_t forwarded = 0;      // unchanged, to vic-engine
  std::uint64_t questions = 0;      // owned: closed quietly and handed to the agent
  std::uint64_t injected = 0;       // the agent's intents delivered to vic-engine
  std::uint64_t malformed = 0;      // results we could not read: forwarded untouched
  std::uint64_t dropped = 0;        // vic-engine's queue stayed full, or no vic-engine
  std::uint64_t cut_datagrams = 0;  // longer than our buffer
};

// Sits on ai_sock, where vic-cloud delivers the intent of each voice request
// to vic-engine. vic-engine binds it and accepts datagrams from anyone
// without connecting back (SetBindClients(false)), so we take the path the
// same way as on the anim link and forward every datagram to the engine's
// socket, now aside, from a socket of our own bound at kClientName.
//
// That socket must be bound: with SetBindClients(false) the engine names
// the sender of every datagram std::string(sun_path, saddrlen - 2)
// (coretech/messaging/shared/LocalUdpServer.cpp:41-44, 218-222, 236-238),
// and an unbound sender arrives with saddrlen 0: the length wraps, the
// string throws, and vic-engine (built without exceptions) aborts.
//
// A question the agent owns is not forwarded: the engine gets the intent
// that ends its own handling quietly (QuestionIntentPolicy), and the agent
// gets the question. vic-engine keeps only the last intent that arrived in
// each 60 ms engine tick (userIntentComponent.cpp, OnCloudData), so an
// intent the agent sends of its own is spaced at least kEngineTickSpacingMs
// from the ones before and after it. What vic-cloud sends (and the intent in
// place of a question) goes on at once, as it would without vic-r1; when
// vic-engine's queue is full the tap holds it, in order, and once its own
// queue is full it stops reading ai_sock, so that vic-cloud waits as it
// would on vic-engine itself: nothing of vic-cloud's is dropped.
class IntentTap {
 public:
  static constexpr std::string_view kSocketName = "ai_sock";
  // Where vic-cloud sends (ours, linked at ai_sock) and where we send from.
  static constexpr std::string_view kTapName = "vic-r1.ai_sock";
  static constexpr std::string_view kClientName = "vic-r1.ai_sock_client";
  // vic-cloud's own socket (vector-cloud cloud/main.go:114, "ai_sock" +
  // "_cp_ai"), bound before it connects and greets with ANKICONN.
  static constexpr std::string_view kCloudClientName = "ai_sock_cp_ai";
  // How long a live vic-cloud socket may stay silent after the tap took
  // ai_sock before it is taken to be connected to vic-engine directly.
  static constexpr std::uint64_t kCloudGreetingGraceMs = 2000;
  static constexpr std::string_view kAsideSuffix = ".vic-engine";
  static constexpr std::uint64_t kEngineTickSpacingMs = 100;
  static constexpr std::uint64_t kKnowledgeSessionMs = 20000;

  IntentTap(const std::string& socket_directory, intent::QuestionIntentPolicy policy, logging::Logger log);

  bool open(std::string& error);
  void on_directory_change(std::string_view name);
  void on_readable(std::uint64_t now_ms);
  void on_tick(std::uint64_t now_ms);

  // An intent from the agent for vic-engine (e.g. to listen again).
  bool inject(const clad::IntentResult& result, std::uint64_t now_ms, std::string& error);

  void set_question_sink(std::function<void(const channel::Event&)> sink) { question_sink_ = std::move(sink); }
  // Without a running agent no question is taken: the engine gets each
  // intent unchanged and answers as it always has (fail-open).
  void set_accepting_questions(bool accepting) { accepting_questions_ = accepting; }
  // vic-engine's "I have a question" behaviour now listens on a stream made
  // Normal (AnimLinkRouter::set_capturing_knowledge_questions): the next
  // intent is its answer. It listens 10 s from the stream's opening
  // (behaviorKnowledgeGraphQuestion.cpp:51, 240-250); past kKnowledgeSessionMs
  // it has long given up.
  void expect_knowledge_session_answer(std::uint64_t now_ms) {
    knowledge_session_until_ms_ = now_ms + kKnowledgeSessionMs;
  }
  bool captures_knowledge_questions() const { return policy_.capture_knowledge_questions; }

  int fd() const { return tap_socket_.fd(); }
  // False while the queue for vic-engine is full: vic-cloud's datagrams
  // wait in the socket (and vic-cloud in its send) until there is room.
  bool wants_readable() const { return !to_engine_queue_.full(); }
  bool has_waiting_intents() const { return !to_engine_queue_.empty(); }
  bool interposed() const { return interposer_.state() == ipc::SocketInterposer::State::kInterposed; }
  const IntentTapCounters& counters() const { return counters_; }
  // vic-cloud has sent something to the tap (it is connected through it).
  bool heard_from_cloud() const { return cloud_heard_inode_ != 0; }
  void restore();

 private:
  void send_to_engine(const std::uint8_t* bytes, std::size_t size, std::uint64_t now_ms);
  void tell_if_the_server_answers(const clad::IntentResult& result);
  void look_for_a_bypassing_cloud(std::uint64_t now_ms);
  void note_sender();
  void flush(std::uint64_t now_ms);
  // The agent's own intent went last and its tick is not over yet.
  bool spacing_holds(std::uint64_t now_ms) const {
    return last_sent_was_agents_ && now_ms - last_sent_ms_ < kEngineTickSpacingMs;
  }

  std::string public_path_;
  std::string our_path_;
  std::string client_path_;
  std::string cloud_path_;
  logging::Logger log_;
  intent::QuestionIntentPolicy policy_;
  ipc::SocketInterposer interposer_;
  ipc::UnixDatagramSocket tap_socket_;      // where vic-cloud sends
  ipc::UnixDatagramSocket forward_socket_;  // bound at kClientName: to vic-engine's socket
  // Intents waiting for the engine (its queue full, or the tick spacing).
  DatagramQueue to_engine_queue_;
  std::uint64_t last_sent_ms_ = 0;
  bool sent_any_ = false;
  bool last_sent_was_agents_ = false;
  bool accepting_questions_ = false;
  std::uint64_t knowledge_session_until_ms_ = 0;  // 0: not in one
  std::uint64_t last_directory_look_ms_ = 0;
  std::uint64_t now_ms_ = 0;  // as of the last call that brought the time
  std::function<void(const channel::Event&)> question_sink_;
  IntentTapCounters counters_;
  std::string question_;       // reused: its capacity stays after the first question
  std::string sender_;         // reused likewise: the path of the last datagram's sender
  std::string server_answer_;  // reused likewise: a knowledge answer the engine will speak
  // vic-cloud connects to ai_sock once (cloud/main.go:33-43, 112-115): a
  // live vic-cloud socket that has not greeted the tap when it took the
  // path may be connected to vic-engine's socket itself, and then every
  // intent passes the tap by. Inodes tell a restarted vic-cloud apart.
  ino_t cloud_heard_inode_ = 0;    // the vic-cloud socket the tap has heard from
  ino_t cloud_suspect_inode_ = 0;  // a live one that has not been heard from yet
  std::uint64_t cloud_suspect_since_ms_ = 0;
  ino_t cloud_reported_inode_ = 0;  // the bypass already logged for this socket
  std::uint8_t buffer_[clad::kMaxIntentDatagramBytes * 2];
};

}  // namespace vic_r1::bridge
