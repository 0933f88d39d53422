#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/conversation/chat_request.h"
#include "agent/conversation/conversation_history.h"
#include "agent/orchestrator/answer_status.h"
#include "agent/orchestrator/answer_transport.h"
#include "agent/orchestrator/robot_port.h"
#include "agent/orchestrator/thinking_animation.h"
#include "agent/orchestrator/voice_server_answer_watch.h"
#include "agent/speech/emotion_clips.h"
#include "agent/speech/markup_parser.h"
#include "agent/speech/sentence_segmenter.h"
#include "agent/speech/speech_planner.h"
#include "agent/stream/server_profiles.h"
#include "agent/stream/stream_reader.h"
#include "drivers/channel/agent_channel_messages.h"
#include "platform/log/logger.h"

namespace vic_r1::orchestrator {

// One server that can answer, in the order the config lists them.
struct AnswerProvider {
  std::string name;      // for speech and status: "DeepSeek"
  std::string base_url;  // for status: "https://api.deepseek.com"
  AnswerTransport* transport = nullptr;
  const stream::ServerProfile* profile = nullptr;
  conversation::ChatRequestSettings request;  // model, API shape, limits
  std::string target;                         // "/v1/chat/completions"
  platform::HttpHeaders headers;              // holds the key: never logged
  // Why it cannot be asked (no key file, ...); empty when it can. And what
  // Vector says about it when no provider can be asked.
  std::string unusable;
  std::string unusable_spoken;
};

struct OrchestratorSettings {
  // The time for transport callbacks, which carry none (tests replace it).
  std::function<std::chrono::steady_clock::time_point()> clock = std::chrono::steady_clock::now;
  ThinkingAnimationSettings thinking;                  // from the question to the first word
  bool conversation_mode = true;                       // honour {{newVoiceRequest||now}}
  std::chrono::milliseconds listening_timeout{15000};  // wake word -> question
  speech::VoiceSettings voice;
  speech::SpeechDeadlines speech_deadlines;
  conversation::ConversationHistory::Limits history;
  // Said when the config could not be used at all (instead of any answer).
  std::string config_problem;
};

// Told what a question does, as it happens (the control socket's `ask`
// prints the sentences as Vector speaks them).
class QuestionListener {
 public:
  virtual ~QuestionListener() = default;
  virtual void on_sentence(std::string_view text) = 0;
  virtual void on_finished(const QuestionReport& report) = 0;
  // The model's reasoning as it streams; never spoken, only shown to a
  // listener that asks for it (`ask --standalone --show-reasoning`).
  virtual void on_reasoning(std::string_view) {}
  // The answer's text as it streams, markup removed, before it is cut into
  // sentences (`ask --standalone` prints it as the server sent it).
  virtual void on_answer_text(std::string_view) {}
};

// The agent's state machine, from a question to the last spoken word:
//
//   idle --wake word--> listening (connection opened ahead)
//   idle | listening --question--> thinking (request sent; thinking loop plays)
//   thinking --first answer text--> speaking (sentences prepared and played
//                                             as they stream; the loop ends
//                                             right before the first word)
//   speaking --last sentence ended--> idle (or listening, in conversation mode)
//
// From every state: a wake word, a touch on the back or the button stops
// everything at once (the stream closed, kReleaseAll); a new question
// replaces the current one; a failure becomes a spoken sentence. One question
// at a time.
//
// Sans-I/O apart from its two ports: it is fed robot events, transport
// callbacks and the time, and says when it must be woken (deadline()).
class AnswerOrchestrator final : private platform::ResponseBodySink,
                                 private stream::StreamSink,
                                 private speech::SpeechObserver {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { kIdle, kListening, kThinking, kSpeaking };

  AnswerOrchestrator(OrchestratorSettings settings, std::vector<AnswerProvider> providers,
                     speech::EmotionClips emotions, RobotPort& robot, logging::Logger& log);
  ~AnswerOrchestrator() override;
  AnswerOrchestrator(const AnswerOrchestrator&) = delete;
  AnswerOrchestrator& operator=(const AnswerOrchestrator&) = delete;

  // A channel event from the bridge (questions, wake word, touch, speech states, ...).
  void on_robot_event(const channel::Event& event, Clock::time_point now);
  // A question typed over SSH (`vic-r1 ask`); `listener` (may be null) must
  // stay valid until on_finished, or until forget_listener().
  void ask(std::string_view question, std::string_view source, QuestionListener* listener, Clock::time_point now);
  void forget_listener(QuestionListener* listener);
  // Stops the question in progress at once, as a touch on the back does
  // (the stream closed, the robot's speech released); `by_what` goes into
  // the outcome. Nothing happens when no question is in progress.
  void stop(std::string_view by_what, Clock::time_point now);

  void on_time(Clock::time_point now);
  std::optional<Clock::time_point> deadline() const;

  State state() const { return state_; }
  static std::string_view state_name(State state);
  bool robot_can_inject() const { return robot_can_inject_; }
  const std::string& robot_link_text() const { return robot_link_text_; }
  const std::optional<QuestionReport>& last_question() const { return report_; }
  const AgentTotals& totals() const { return totals_; }
  // The last failure's cause, as logged (empty until one happens).
  const std::string& last_error() const { return last_error_; }
  const std::vector<AnswerProvider>& providers() const { return providers_; }
  // How often the voice server answered by itself, so Vector answered twice
  // (or ours never got the question).
  const VoiceServerAnswers& voice_server_answers() const { return voice_server_watch_.counts(); }

 private:
  // ResponseBodySink
  void on_response_headers(int status, std::string_view content_type) override;
  bool on_body_bytes(std::string_view bytes) override;
  bool stream_finished() const override;
  // StreamSink
  void on_answer(std::string_view text) override;
  void on_reasoning(std::string_view text, std::size_t total_characters) override;
  void on_finish_reason(std::string_view reason) override;
  void on_usage(const stream::TokenUsage& usage) override;
  void on_error(std::string_view message) override;
  // SpeechObserver
  void on_sentence_playing(std::string_view text) override;
  void on_clip_missing(std::string_view clip) override;
  void on_sentence_dropped(std::string_view text, std::string_view why) override;

  void start_question(std::string question, std::string source, QuestionListener* listener, Clock::time_point now);
  void send_to_provider(std::size_t index, Clock::time_point now);
  void on_request_done(std::uint64_t question, const platform::RequestFailure& failure,
                       const platform::RequestTiming& timing);
  bool try_next_provider(std::string_view why, Clock::time_point now);
  void take_markup_pieces(Clock::time_point now);
  void speak(std::string sentence, Clock::time_point now);
  // Whether the text still pending after the last sentence end is the
  // answer's last words (the stream ended as it should) or a fragment of a
  // sentence the failure cut, never to be spoken ("The sec").
  enum class AnswerEnd { kWhole, kCut };
  void end_answer(std::string_view error_sentence, std::string_view outcome, Clock::time_point now,
                  AnswerEnd end = AnswerEnd::kWhole);
  void interrupt(std::string_view by_what, Clock::time_point now);
  void finish_question(std::string_view outcome, Clock::time_point now);
  void enter(State state);
  void send(const channel::Command& command);
  void send_all(const speech::SpeechPlanner::Commands& commands);
  void start_listening(Clock::time_point now);
  void note_voice_server_answer(const std::optional<VoiceServerAnswerFinding>& finding, std::string_view heard);
  std::chrono::microseconds since_question(Clock::time_point now) const;

  OrchestratorSettings settings_;
  std::vector<AnswerProvider> providers_;
  speech::EmotionClips emotions_;
  RobotPort& robot_;
  logging::Logger& log_;
  speech::SpeechPlanner planner_;
  speech::MarkupParser markup_;
  speech::SentenceSegmenter segmenter_;
  conversation::ConversationHistory history_;

  State state_ = State::kIdle;
  bool robot_can_inject_ = false;
  std::string robot_link_text_ = "no word from the bridge yet";
  std::uint32_t next_handle_ = 1;
  ThinkingAnimation thinking_;
  std::uint32_t listen_again_handle_ = 0;
  std::optional<Clock::time_point> listening_until_;
  std::uint64_t wake_words_ = 0;
  std::uint64_t back_touches_ = 0;
  std::uint64_t button_presses_ = 0;
  VoiceServerAnswerWatch voice_server_watch_;

  // The current question.
  std::uint64_t question_number_ = 0;
  std::string question_;
  QuestionListener* listener_ = nullptr;
  Clock::time_point asked_at_{};
  Clock::time_point posted_at_{};  // the current provider was asked
  Clock::time_point now_{};        // the time of the call being handled
  std::size_t provider_index_ = 0;
  bool request_in_flight_ = false;
  std::optional<stream::StreamReader> reader_;
  std::string clip_for_next_sentence_;
  std::string spoken_answer_;  // the answer's text as spoken (no markup), for the history
  bool answer_started_ = false;
  bool listen_again_ = false;
  std::optional<stream::TokenUsage> usage_;
  std::vector<speech::MarkupPiece> pieces_;
  std::vector<std::string> sentences_;
  speech::SpeechPlanner::Commands commands_;
  std::vector<std::string> reported_markup_;  // markup problems logged once each

  std::optional<QuestionReport> report_;
  AgentTotals totals_;
  std::string last_error_;
};

}  // namespace vic_r1::orchestrator
