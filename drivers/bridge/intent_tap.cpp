#include "drivers/bridge/intent_tap.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace vic_r1::bridge {
namespace {

constexpr std::size_t kQueuedIntents = 32;
constexpr std::uint64_t kDirectoryLookMs = 500;

}  // namespace

IntentTap::IntentTap(const std::string& socket_directory, intent::QuestionIntentPolicy policy, logging::Logger log)
    : public_path_(socket_directory + "/" + std::string(kSocketName)),
      our_path_(socket_directory + "/" + std::string(kTapName)),
      client_path_(socket_directory + "/" + std::string(kClientName)),
      cloud_path_(socket_directory + "/" + std::string(kCloudClientName)),
      log_(log),
      policy_(std::move(policy)),
      interposer_(public_path_, public_path_ + std::string(kAsideSuffix), our_path_),
      to_engine_queue_(clad::kMaxIntentDatagramBytes, kQueuedIntents) {
  question_.reserve(clad::kMaxIntentDatagramBytes);
  server_answer_.reserve(clad::kMaxIntentDatagramBytes);
  sender_.reserve(sizeof(sockaddr_un::sun_path));
}

bool IntentTap::open(std::string& error) {
  // Our names may be left from an earlier run; nothing else uses them.
  ::unlink(our_path_.c_str());
  ::unlink(client_path_.c_str());
  return tap_socket_.open(error) && tap_socket_.bind(our_path_, error) && forward_socket_.open(error) &&
         forward_socket_.bind(client_path_, error);
}

void IntentTap::on_directory_change(std::string_view name) {
  if (!name.empty() && name != kSocketName) return;
  const auto before = interposer_.state();
  bool engine_rebound = false;
  const auto state = interposer_.update(engine_rebound, now_ms_);
  if (state == ipc::SocketInterposer::State::kFailed && before != state)
    log_.error("cannot take ", public_path_, ": ", interposer_.error());
  if (state == ipc::SocketInterposer::State::kInterposed && (before != state || engine_rebound)) {
    log_.info("interposed on ", public_path_, " (vic-engine's socket moved to ", interposer_.aside_path(), ")");
    look_for_a_bypassing_cloud(now_ms_);
  }
}

void IntentTap::look_for_a_bypassing_cloud(std::uint64_t now_ms) {
  struct stat info;
  if (::lstat(cloud_path_.c_str(), &info) != 0 || info.st_ino == cloud_heard_inode_) return;
  if (!ipc::SocketInterposer::socket_is_live(cloud_path_)) return;  // an old file, no vic-cloud
  cloud_suspect_inode_ = info.st_ino;
  cloud_suspect_since_ms_ = now_ms;
}

void IntentTap::note_sender() {
  if (sender_ != cloud_path_) return;
  struct stat info;
  if (::lstat(cloud_path_.c_str(), &info) != 0) return;
  cloud_heard_inode_ = info.st_ino;
  if (cloud_suspect_inode_ == info.st_ino) cloud_suspect_inode_ = 0;
}

void IntentTap::on_readable(std::uint64_t now_ms) {
  now_ms_ = now_ms;
  // One datagram read puts at most one in the queue: stop while it is full.
  while (wants_readable()) {
    const ssize_t size = tap_socket_.receive(buffer_, sizeof(buffer_), &sender_);
    if (size < 0) return;
    note_sender();
    const auto length = static_cast<std::size_t>(size);
    if (length > sizeof(buffer_)) {
      ++counters_.cut_datagrams;
      continue;
    }
    const clad::CloudMicMessage message = clad::decode_cloud_mic(buffer_, length);
    if (message.kind == clad::CloudMicMessage::Kind::kMalformed) {
      ++counters_.malformed;
      log_.warning("unreadable intent from vic-cloud (", message.error, "); forwarded untouched");
    }
    if (message.kind == clad::CloudMicMessage::Kind::kResult) {
      const intent::QuestionVerdict verdict = intent::classify_intent(policy_, message.result, question_);
      // The knowledge behaviour takes the first intent that comes while it
      // listens, whatever it is (behaviorKnowledgeGraphQuestion.cpp:238-253).
      const bool in_knowledge_session = knowledge_session_until_ms_ > now_ms;
      knowledge_session_until_ms_ = 0;
      if (verdict.owned && accepting_questions_) {
        ++counters_.questions;
        clad::IntentResult close;
        // Inside that behaviour only the knowledge intents and unmatched
        // are consumed (:349-380); `silence` would stay pending and add
        // "can't do that". knowledge_unknown ends it with its fail sequence,
        // the least it allows (:479-491).
        close.intent = in_knowledge_session ? intent::kKnowledgeSessionClose : verdict.close_with;
        std::uint8_t encoded[256];
        std::size_t close_size = 0;
        const char* error = nullptr;
        if (clad::encode_intent_result(close, encoded, sizeof(encoded), close_size, error))
          send_to_engine(encoded, close_size, now_ms);
        if (question_sink_) {
          channel::Event event;
          event.kind = channel::EventKind::kQuestion;
          event.question_source = verdict.source;
          event.intent = message.result.intent;
          event.text = question_;
          question_sink_(event);
        }
        continue;
      }
      tell_if_the_server_answers(message.result);
    }
    send_to_engine(buffer_, length, now_ms);
  }
}

// The intent still goes to vic-engine, which speaks the server's answer: the
// agent only learns that the voice server answers questions by itself.
void IntentTap::tell_if_the_server_answers(const clad::IntentResult& result) {
  if (!question_sink_ || !accepting_questions_ || !intent::voice_server_answer_of(result, server_answer_)) return;
  channel::Event event;
  event.kind = channel::EventKind::kVoiceServerAnswer;
  event.intent = result.intent;
  event.text = server_answer_;
  question_sink_(event);
}

void IntentTap::send_to_engine(const std::uint8_t* bytes, std::size_t size, std::uint64_t now_ms) {
  if (!to_engine_queue_.empty() || spacing_holds(now_ms)) {
    // Behind what waits already. Reading stops while the queue is full, so
    // this drops only a datagram larger than a slot (none the firmware sends).
    if (!to_engine_queue_.push(bytes, size)) ++counters_.dropped;
    flush(now_ms);
    return;
  }
  switch (forward_socket_.send_to(interposer_.aside_path(), bytes, size)) {
    case ipc::SendOutcome::kSent:
      ++counters_.forwarded;
      last_sent_ms_ = now_ms;
      sent_any_ = true;
      last_sent_was_agents_ = false;
      return;
    case ipc::SendOutcome::kWouldBlock:
      // An unconnected sender may have only max_dgram_qlen datagrams queued;
      // keep it and try again on the next tick.
      if (!to_engine_queue_.push(bytes, size)) ++counters_.dropped;
      return;
    default:
      ++counters_.dropped;
      log_.warning("cannot deliver an intent to vic-engine at ", interposer_.aside_path(), ": ",
                   ipc::last_errno_text());
      return;
  }
}

bool IntentTap::inject(const clad::IntentResult& result, std::uint64_t now_ms, std::string& error) {
  std::uint8_t encoded[clad::kMaxIntentDatagramBytes];
  std::size_t size = 0;
  const char* encode_error = nullptr;
  if (!clad::encode_intent_result(result, encoded, sizeof(encoded), size, encode_error)) {
    error = encode_error;
    return false;
  }
  if (!interposed()) {
    error = "not on ai_sock yet (vic-engine has not bound it)";
    return false;
  }
  // Always through the queue, so it keeps its distance from the last intent.
  if (!to_engine_queue_.push(encoded, size, /*marked=*/true)) {
    error = "too many intents waiting for vic-engine";
    ++counters_.dropped;
    return false;
  }
  ++counters_.injected;
  flush(now_ms);
  return true;
}

void IntentTap::flush(std::uint64_t now_ms) {
  while (!to_engine_queue_.empty()) {
    const bool agents = to_engine_queue_.front_marked();
    if (spacing_holds(now_ms) || (agents && sent_any_ && now_ms - last_sent_ms_ < kEngineTickSpacingMs)) return;
    const ipc::SendOutcome outcome = forward_socket_.send_to(
        interposer_.aside_path(), to_engine_queue_.front_bytes(), to_engine_queue_.front_size());
    if (outcome == ipc::SendOutcome::kWouldBlock) return;
    if (outcome == ipc::SendOutcome::kSent) {
      if (!agents) ++counters_.forwarded;
    } else {
      ++counters_.dropped;
      log_.warning("cannot deliver an intent to vic-engine at ", interposer_.aside_path(), ": ",
                   ipc::last_errno_text());
    }
    to_engine_queue_.pop();
    last_sent_ms_ = now_ms;
    sent_any_ = true;
    last_sent_was_agents_ = agents;
  }
}

void IntentTap::on_tick(std::uint64_t now_ms) {
  now_ms_ = now_ms;
  flush(now_ms);
  // Taken at start-up, before any tick brought the time: the grace starts now.
  if (cloud_suspect_inode_ != 0 && cloud_suspect_since_ms_ == 0) cloud_suspect_since_ms_ = now_ms;
  if (cloud_suspect_inode_ != 0 && now_ms - cloud_suspect_since_ms_ >= kCloudGreetingGraceMs) {
    if (cloud_reported_inode_ != cloud_suspect_inode_) {
      log_.error(
          "vic-cloud is connected to vic-engine's ai_sock directly: it connected in the "
          "moment between vic-engine binding ai_sock and vic-r1 taking it, and it never "
          "reconnects. Questions go to vic-engine, not to vic-r1, until vic-cloud "
          "restarts: systemctl restart vic-cloud");
      cloud_reported_inode_ = cloud_suspect_inode_;
    }
    cloud_suspect_inode_ = 0;
  }
  if (now_ms - last_directory_look_ms_ >= kDirectoryLookMs) {
    last_directory_look_ms_ = now_ms;
    on_directory_change("");
  }
}

void IntentTap::restore() {
  interposer_.restore();
  ::unlink(client_path_.c_str());
}

}  // namespace vic_r1::bridge
