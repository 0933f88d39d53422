#pragma once

// In-memory stand-ins for the orchestrator's two ports, and a log that can
// be read back, so the orchestrator runs in unit tests with no socket, no
// TLS and no clock of its own.

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/orchestrator/answer_transport.h"
#include "agent/orchestrator/robot_port.h"
#include "drivers/channel/agent_channel_messages.h"
#include "platform/log/log_sink.h"
#include "platform/log/logger.h"

namespace vic_r1::test {

// A transport whose requests wait until the test answers them.
class ScriptedTransport final : public orchestrator::AnswerTransport {
 public:
  struct Request {
    std::string target;
    std::string body;
    platform::HttpHeaders headers;
    platform::ResponseBodySink* sink = nullptr;
    DoneHandler done;
    bool cancelled = false;
  };

  void preconnect() override { ++preconnects; }
  void post_stream(std::string target, std::string body, platform::HttpHeaders headers,
                   platform::ResponseBodySink& sink, DoneHandler done) override {
    requests.push_back(Request{std::move(target), std::move(body), std::move(headers), &sink, std::move(done)});
  }
  void cancel() override {
    if (!requests.empty()) requests.back().cancelled = true;
    ++cancels;
  }

  Request& current() { return requests.back(); }

  // The server's part: headers, then body bytes, then the end.
  void respond(std::string_view body, std::string_view content_type = "text/event-stream") {
    Request& request = current();
    request.sink->on_response_headers(200, content_type);
    request.sink->on_body_bytes(body);
  }
  void more(std::string_view body) { current().sink->on_body_bytes(body); }
  void end(const platform::RequestFailure& failure = {}, const platform::RequestTiming& timing = {}) {
    DoneHandler done = std::move(current().done);
    current().done = nullptr;
    done(failure, timing);
  }

  std::vector<Request> requests;
  int preconnects = 0;
  int cancels = 0;
};

// The robot end: every command the orchestrator sent, in order. The string
// views of a command are copied, as the orchestrator's may not outlive the call.
class RecordingRobot final : public orchestrator::RobotPort {
 public:
  struct Sent {
    channel::CommandKind kind;
    std::uint32_t handle;
    std::string text;  // the sentence, or the clip's name
    std::uint32_t num_loops;
  };
  void send(const channel::Command& command) override {
    sent.push_back(
        Sent{command.kind, command.handle,
             std::string(command.kind == channel::CommandKind::kPlayAnimation ? command.anim_name : command.text),
             command.num_loops});
  }
  std::vector<Sent> of_kind(channel::CommandKind kind) const {
    std::vector<Sent> found;
    for (const Sent& command : sent)
      if (command.kind == kind) found.push_back(command);
    return found;
  }
  std::vector<std::string> prepared_texts() const {
    std::vector<std::string> texts;
    for (const Sent& command : of_kind(channel::CommandKind::kPrepareSpeech)) texts.push_back(command.text);
    return texts;
  }
  // Where the first command of `kind` (for `handle`, if given) is in `sent`; -1 when absent.
  int index_of(channel::CommandKind kind, std::optional<std::uint32_t> handle = std::nullopt) const {
    for (std::size_t i = 0; i < sent.size(); ++i)
      if (sent[i].kind == kind && (!handle || sent[i].handle == *handle)) return static_cast<int>(i);
    return -1;
  }
  std::vector<Sent> sent;
};

// A log written to a pipe and read back whole.
class CapturedLog {
 public:
  CapturedLog() {
    if (::pipe(fds_) != 0) fds_[0] = fds_[1] = -1;
    ::fcntl(fds_[0], F_SETFL, O_NONBLOCK);
    sink_.emplace("vic-r1", logging::LogSink::Options{fds_[1], true});
    log_.emplace(*sink_, "agent");
  }
  ~CapturedLog() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  logging::Logger& log() { return *log_; }
  const std::string& text() {
    char buffer[4096];
    ssize_t size = 0;
    while ((size = ::read(fds_[0], buffer, sizeof buffer)) > 0)
      text_.append(buffer, static_cast<std::size_t>(size));
    return text_;
  }
  std::size_t count(std::string_view needle) {
    const std::string& all = text();
    std::size_t found = 0;
    for (std::size_t at = all.find(needle); at != std::string::npos; at = all.find(needle, at + 1)) ++found;
    return found;
  }

 private:
  int fds_[2];
  std::optional<logging::LogSink> sink_;
  std::optional<logging::Logger> log_;
  std::string text_;
};

}  // namespace vic_r1::test
