#include "agent/orchestrator/answer_orchestrator.h"

#include <algorithm>

#include "agent/speech/spoken_errors.h"

namespace vic_r1::orchestrator {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

// The robot's clock counts from 1970 until something sets it after boot
// (Vector has no real-time clock); any time before this build's era is unset.
bool clock_looks_unset() {
  constexpr std::int64_t kJanuary2024 = 1704067200;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::seconds>(now).count() < kJanuary2024;
}

std::string_view markup_command_name(speech::MarkupCommand command) {
  switch (command) {
    case speech::MarkupCommand::kAnimateWhileSpeaking:
      return "playAnimationWI";
    case speech::MarkupCommand::kPlayAnimation:
      return "playAnimation";
    case speech::MarkupCommand::kListenAgain:
      return "newVoiceRequest";
  }
  return "?";
}

}  // namespace

AnswerOrchestrator::AnswerOrchestrator(OrchestratorSettings settings, std::vector<AnswerProvider> providers,
                                       speech::EmotionClips emotions, RobotPort& robot, logging::Logger& log)
    : settings_(std::move(settings)),
      providers_(std::move(providers)),
      emotions_(std::move(emotions)),
      robot_(robot),
      log_(log),
      planner_(settings_.voice, settings_.speech_deadlines, *this),
      history_(settings_.history),
      thinking_(settings_.thinking) {}

AnswerOrchestrator::~AnswerOrchestrator() {
  if (request_in_flight_) providers_[provider_index_].transport->cancel();
}

std::string_view AnswerOrchestrator::state_name(State state) {
  switch (state) {
    case State::kIdle:
      return "idle";
    case State::kListening:
      return "listening";
    case State::kThinking:
      return "thinking";
    case State::kSpeaking:
      return "speaking";
  }
  return "?";
}

// ------------------------------------------------------------ robot events

void AnswerOrchestrator::on_robot_event(const channel::Event& event, Clock::time_point now) {
  now_ = now;
  switch (event.kind) {
    case channel::EventKind::kQuestion:
      start_question(std::string(event.text), "spoken", nullptr, now);
      break;
    case channel::EventKind::kWakeWord:
      // Numbered, so that each is a line of its own in the log rather than
      // a repeat of the one before.
      log_.info("heard the wake word (", ++wake_words_, ")");
      voice_server_watch_.on_wake_word(now);
      if (state_ != State::kIdle && state_ != State::kListening) interrupt("the wake word", now);
      start_listening(now);
      break;
    case channel::EventKind::kBackTouched:
    case channel::EventKind::kButtonPressed:
      if (event.kind == channel::EventKind::kBackTouched) {
        log_.info("back touched (", ++back_touches_, ")");
      } else {
        log_.info("backpack button pressed (", ++button_presses_, ")");
      }
      if (state_ == State::kThinking || state_ == State::kSpeaking) {
        interrupt(event.kind == channel::EventKind::kBackTouched ? "a touch on the back" : "the backpack button",
                  now);
      }
      break;
    case channel::EventKind::kSpeechState:
    case channel::EventKind::kAnimationState:
    case channel::EventKind::kCommandFailed:
      if (event.kind == channel::EventKind::kCommandFailed && event.handle != 0 &&
          event.handle == listen_again_handle_) {
        log_.info("not listening again: ", event.text);
        listen_again_handle_ = 0;
        break;
      }
      if (thinking_.on_event(event)) {
        if (event.kind == channel::EventKind::kCommandFailed) {
          log_.warning("the thinking animation was refused: ", event.text);
        }
        break;
      }
      commands_.clear();
      planner_.on_event(event, now, commands_);
      send_all(commands_);
      if (state_ == State::kSpeaking && planner_.finished() && !request_in_flight_) {
        finish_question(report_ ? report_->outcome : "answered", now);
      }
      break;
    case channel::EventKind::kEngineSpeech:
      note_voice_server_answer(voice_server_watch_.on_engine_speech(
                                   event.text, state_ == State::kThinking || state_ == State::kSpeaking, now),
                               event.text);
      break;
    case channel::EventKind::kVoiceServerAnswer:
      note_voice_server_answer(voice_server_watch_.on_knowledge_answer(event.text), event.text);
      break;
    case channel::EventKind::kRobotLink:
      if (robot_can_inject_ != event.can_inject || robot_link_text_ != event.text) {
        log_.info(event.can_inject ? "the robot link is ready: " : "the robot link cannot speak yet: ",
                  event.text);
      }
      // vic-anim went away (it restarted): what it was saying is gone with
      // it, and the rest of the answer would start in the middle. The answer
      // ends here; the next question is answered once it is back.
      if (robot_can_inject_ && !event.can_inject && (state_ == State::kThinking || state_ == State::kSpeaking)) {
        robot_can_inject_ = false;
        interrupt("the robot link going down", now);
      }
      robot_can_inject_ = event.can_inject;
      robot_link_text_ = std::string(event.text);
      break;
  }
}

// The owner must hear of it once, with the fix; the counts are in `status`.
void AnswerOrchestrator::note_voice_server_answer(const std::optional<VoiceServerAnswerFinding>& finding,
                                                  std::string_view heard) {
  if (!finding || !finding->first_of_its_kind) return;
  const std::string& start = voice_server_watch_.counts().last_heard;
  log_.warning(VoiceServerAnswerWatch::warning(finding->kind), " (Vector was made to say \"", start,
               heard.size() > start.size() ? "..." : "", "\")");
}

void AnswerOrchestrator::ask(std::string_view question, std::string_view source, QuestionListener* listener,
                             Clock::time_point now) {
  now_ = now;
  start_question(std::string(question), std::string(source), listener, now);
}

void AnswerOrchestrator::forget_listener(QuestionListener* listener) {
  if (listener_ == listener) listener_ = nullptr;
}

void AnswerOrchestrator::stop(std::string_view by_what, Clock::time_point now) {
  now_ = now;
  if (state_ == State::kThinking || state_ == State::kSpeaking) interrupt(by_what, now);
}

void AnswerOrchestrator::start_listening(Clock::time_point now) {
  enter(State::kListening);
  listening_until_ = now + settings_.listening_timeout;
  // The question follows in a few seconds: have the connection ready by then.
  for (const AnswerProvider& provider : providers_) {
    if (!provider.unusable.empty()) continue;
    provider.transport->preconnect();
    break;
  }
}

// --------------------------------------------------------------- questions

void AnswerOrchestrator::start_question(std::string question, std::string source, QuestionListener* listener,
                                        Clock::time_point now) {
  if (state_ == State::kThinking || state_ == State::kSpeaking) interrupt("a new question", now);
  listening_until_.reset();
  voice_server_watch_.on_question();
  ++totals_.questions;
  question_ = std::move(question);
  listener_ = listener;
  asked_at_ = now;
  report_.emplace();
  report_->number = ++question_number_;
  report_->question = question_;
  report_->source = source;
  spoken_answer_.clear();
  answer_started_ = false;
  listen_again_ = false;
  clip_for_next_sentence_.clear();
  usage_.reset();
  markup_.reset();
  segmenter_.reset();
  log_.info("question: ", question_);

  // Something to see at once: R1 may think for a minute before a word.
  speech::SpeechPlanner::Commands loop;
  thinking_.start(next_handle_, now, loop);
  send_all(loop);
  planner_.start(next_handle_, thinking_.stop_command());
  enter(State::kThinking);

  if (!settings_.config_problem.empty()) {
    last_error_ = settings_.config_problem;
    end_answer(speech::kSpokenConfigError, "failed: " + settings_.config_problem, now);
    return;
  }
  provider_index_ = 0;
  while (provider_index_ < providers_.size() && !providers_[provider_index_].unusable.empty()) {
    log_.warning("skipping ", providers_[provider_index_].name, ": ", providers_[provider_index_].unusable);
    ++provider_index_;
  }
  if (provider_index_ == providers_.size()) {
    std::string sentence = providers_.empty() ? std::string() : providers_.front().unusable_spoken;
    if (sentence.empty()) sentence = std::string(speech::kSpokenConfigError);
    last_error_ = providers_.empty() ? std::string("no provider is configured") : providers_.front().unusable;
    end_answer(sentence, "failed: no provider can be asked", now);
    return;
  }
  send_to_provider(provider_index_, now);
}

void AnswerOrchestrator::send_to_provider(std::size_t index, Clock::time_point now) {
  AnswerProvider& provider = providers_[index];
  provider_index_ = index;
  report_->provider = provider.name;
  report_->timeline.provider_asked = since_question(now);
  reader_.reset();
  const std::string body = conversation::build_chat_request_body(provider.request, history_.turns(now), question_);
  request_in_flight_ = true;
  posted_at_ = now;
  const std::uint64_t question = question_number_;
  provider.transport->post_stream(provider.target, body, provider.headers, *this,
                                  [this, question](const platform::RequestFailure& failure,
                                                   const platform::RequestTiming& timing) {
                                    on_request_done(question, failure, timing);
                                  });
}

// ------------------------------------------------------- the answer stream

void AnswerOrchestrator::on_response_headers(int, std::string_view content_type) {
  std::optional<std::string_view> type;
  if (!content_type.empty()) type = content_type;
  reader_.emplace(stream::reader_options_for(*providers_[provider_index_].profile, type));
}

bool AnswerOrchestrator::on_body_bytes(std::string_view bytes) {
  if (!reader_) return false;
  now_ = settings_.clock();
  const std::size_t payloads_before = reader_->payloads_seen();
  const bool was_done = reader_->done();
  reader_->feed(bytes, *this);
  take_markup_pieces(now_);
  // Only a data payload or [DONE] counts as data; keep-alive comments do not.
  return reader_->payloads_seen() > payloads_before || (!was_done && reader_->done());
}

bool AnswerOrchestrator::stream_finished() const { return reader_ && reader_->done(); }

void AnswerOrchestrator::on_answer(std::string_view text) {
  if (text.empty()) return;
  if (!report_->timeline.first_answer_byte) {
    report_->timeline.first_answer_byte = since_question(now_);
    thinking_.on_answer_started();
  }
  markup_.feed(text, pieces_);
}

void AnswerOrchestrator::on_reasoning(std::string_view text, std::size_t total_characters) {
  thinking_.on_reasoning(total_characters);
  if (text.empty()) return;
  if (listener_ != nullptr) listener_->on_reasoning(text);
  if (report_->timeline.first_reasoning) return;
  report_->timeline.first_reasoning = since_question(now_);
}

void AnswerOrchestrator::on_finish_reason(std::string_view) {}

void AnswerOrchestrator::on_usage(const stream::TokenUsage& usage) { usage_ = usage; }

// The reader's summary carries the first error, and the request's end says it.
void AnswerOrchestrator::on_error(std::string_view) {}

// Answer text -> markup -> sentences -> the planner.
void AnswerOrchestrator::take_markup_pieces(Clock::time_point now) {
  if (pieces_.empty()) return;
  commands_.clear();
  for (speech::MarkupPiece& piece : pieces_) {
    switch (piece.kind) {
      case speech::MarkupPiece::Kind::kText:
        spoken_answer_ += piece.text;
        if (listener_ != nullptr) listener_->on_answer_text(piece.text);
        segmenter_.feed(piece.text, sentences_);
        break;
      case speech::MarkupPiece::Kind::kCommand:
        if (piece.command == speech::MarkupCommand::kListenAgain) {
          listen_again_ = true;
          break;
        }
        {
          const std::string_view clip = emotions_.clip_for(piece.argument);
          if (clip.empty()) {
            const std::string problem = std::string(markup_command_name(piece.command)) +
                                        " of an unknown emotion " + "\"" + piece.argument + "\"";
            if (std::find(reported_markup_.begin(), reported_markup_.end(), problem) == reported_markup_.end()) {
              reported_markup_.push_back(problem);
              log_.warning("skipping ", problem);
            }
            break;
          }
          if (piece.command == speech::MarkupCommand::kAnimateWhileSpeaking) {
            clip_for_next_sentence_ = std::string(clip);
          } else {
            // Blocking: what was said before it is a sentence of its own.
            segmenter_.flush(sentences_);
            for (std::string& sentence : sentences_) speak(std::move(sentence), now);
            sentences_.clear();
            planner_.add_animation(std::string(clip), now, commands_);
          }
        }
        break;
      case speech::MarkupPiece::Kind::kDropped:
        if (std::find(reported_markup_.begin(), reported_markup_.end(), piece.text) == reported_markup_.end()) {
          if (reported_markup_.size() < 32) reported_markup_.push_back(piece.text);
          log_.info("markup not understood, not spoken: ", piece.text);
        }
        break;
    }
  }
  pieces_.clear();
  for (std::string& sentence : sentences_) speak(std::move(sentence), now);
  sentences_.clear();
  send_all(commands_);
}

void AnswerOrchestrator::speak(std::string sentence, Clock::time_point now) {
  if (sentence.empty()) return;
  if (!answer_started_) {
    answer_started_ = true;
    enter(State::kSpeaking);
  }
  if (!report_->timeline.first_tts) report_->timeline.first_tts = since_question(now);
  planner_.add_sentence(std::move(sentence), std::move(clip_for_next_sentence_), now, commands_);
  clip_for_next_sentence_.clear();
}

// ------------------------------------------------------- the request's end

void AnswerOrchestrator::on_request_done(std::uint64_t question, const platform::RequestFailure& failure,
                                         const platform::RequestTiming& timing) {
  if (question != question_number_ || !request_in_flight_) return;
  request_in_flight_ = false;
  now_ = settings_.clock();
  if (timing.request_sent) {
    report_->timeline.request_sent = since_question(posted_at_) + *timing.request_sent;
  }
  report_->request_failure = failure.kind;
  report_->request_timing = timing;
  if (timing.waited_for_clock) {
    // Just after boot: says why this answer was late ("question N:" is the
    // outcome's line alone).
    log_.info("waited ", duration_cast<milliseconds>(*timing.waited_for_clock).count(),
              " ms for the clock to be set before the TLS handshake, for question ", question_number_);
  }
  std::optional<stream::StreamSummary> summary;
  if (reader_) {
    summary = reader_->finish(*this);
    report_->stream_outcome = summary->outcome;
    take_markup_pieces(now_);
  }
  const AnswerProvider& provider = providers_[provider_index_];
  speech::SpokenErrorContext context;
  context.provider = provider.name;
  context.clock_looks_unset = clock_looks_unset();
  context.answer_started = answer_started_ || !spoken_answer_.empty();

  if (failure) {
    const std::string detail = platform::describe_request_failure(failure, provider.name);
    log_.warning("question ", question_number_, ": ", detail);
    last_error_ = detail;
    if (!context.answer_started && try_next_provider(detail, now_)) return;
    end_answer(speech::spoken_sentence_for(failure, context),
               std::string(context.answer_started ? "answered partly: " : "failed: ") + detail, now_,
               AnswerEnd::kCut);
    return;
  }
  if (!summary) {
    end_answer(speech::spoken_sentence_for(stream::StreamSummary{}, context), "failed: no response body", now_);
    return;
  }
  if (summary->outcome != stream::StreamOutcome::kCompleted) {
    log_.warning("question ", question_number_, ": ", summary->explanation);
    last_error_ = summary->explanation;
    if (!context.answer_started && try_next_provider(summary->explanation, now_)) return;
    end_answer(speech::spoken_sentence_for(*summary, context),
               std::string(context.answer_started ? "answered partly: " : "failed: ") + summary->explanation, now_,
               AnswerEnd::kCut);
    return;
  }
  const std::string closing = speech::spoken_sentence_for(*summary, context);
  if (!context.answer_started) {
    end_answer("I don't have an answer to that.", "failed: the answer was empty", now_);
    return;
  }
  end_answer(closing, "answered", now_);
}

// Before the first answer byte, any failure sends the question on to the
// next provider at once: the owner listed them for this.
bool AnswerOrchestrator::try_next_provider(std::string_view why, Clock::time_point now) {
  std::size_t next = provider_index_ + 1;
  while (next < providers_.size() && !providers_[next].unusable.empty()) ++next;
  if (next >= providers_.size()) return false;
  // Not "question N: ...": that line is the question's outcome alone.
  log_.info("asking ", providers_[next].name, " instead of ", providers_[provider_index_].name, " for question ",
            question_number_, " (", why, ")");
  ++report_->fallbacks;
  report_->given_up.emplace_back(why);
  ++totals_.fallbacks;
  report_->request_failure = platform::RequestFailureKind::kNone;
  report_->stream_outcome.reset();
  report_->request_timing.reset();
  markup_.reset();
  segmenter_.reset();
  report_->timeline.first_reasoning.reset();
  send_to_provider(next, now);
  return true;
}

// No more answer text will come: speaks what is still pending (unless a
// failure cut it), then the error sentence if there is one.
void AnswerOrchestrator::end_answer(std::string_view error_sentence, std::string_view outcome,
                                    Clock::time_point now, AnswerEnd end) {
  commands_.clear();
  markup_.finish(pieces_);
  take_markup_pieces(now);
  commands_.clear();
  if (end == AnswerEnd::kWhole) {
    segmenter_.flush(sentences_);
  } else {
    segmenter_.reset();
  }
  for (std::string& sentence : sentences_) speak(std::move(sentence), now);
  sentences_.clear();
  if (!error_sentence.empty()) speak(std::string(error_sentence), now);
  planner_.end_of_input(now, commands_);
  send_all(commands_);
  report_->outcome = std::string(outcome);
  if (usage_) {
    report_->usage = usage_;
    totals_.prompt_tokens += std::max(0LL, usage_->prompt_tokens);
    const long long reasoning = std::max(0LL, usage_->reasoning_tokens);
    totals_.reasoning_tokens += reasoning;
    totals_.answer_tokens += std::max(0LL, usage_->completion_tokens - reasoning);
  }
  if (!spoken_answer_.empty()) history_.add_exchange(question_, spoken_answer_, now);
  spoken_answer_.clear();
  if (planner_.finished()) finish_question(outcome, now);
}

void AnswerOrchestrator::finish_question(std::string_view outcome, Clock::time_point now) {
  if (!report_ || report_->finished) return;
  report_->finished = true;
  report_->outcome = std::string(outcome);
  report_->timeline.done = since_question(now);
  if (outcome.rfind("answered", 0) == 0) {
    ++totals_.answered;
  } else if (outcome.rfind("interrupted", 0) == 0) {
    ++totals_.interrupted;
  } else {
    ++totals_.failed;
  }
  log_.info("question ", report_->number, ": ", outcome, " (", report_->sentences_spoken, " sentences)");
  speech::SpeechPlanner::Commands stop_thinking;
  thinking_.stop(stop_thinking);
  send_all(stop_thinking);
  QuestionListener* listener = listener_;
  listener_ = nullptr;
  if (listener != nullptr) listener->on_finished(*report_);
  enter(State::kIdle);
  // Conversation mode: the answer asked back ({{newVoiceRequest||now}}), so
  // Vector listens for the reply as if the wake word had been said.
  if (listen_again_ && settings_.conversation_mode && outcome.rfind("answered", 0) == 0) {
    listen_again_ = false;
    listen_again_handle_ = next_handle_++;
    log_.info("listening again for the reply (conversation mode)");
    send(channel::command_for(channel::CommandKind::kListenAgain, listen_again_handle_));
  }
}

void AnswerOrchestrator::interrupt(std::string_view by_what, Clock::time_point now) {
  if (request_in_flight_) {
    providers_[provider_index_].transport->cancel();
    request_in_flight_ = false;
  }
  // One command stops every utterance and clip of the agent's on vic-anim.
  send(channel::command_for(channel::CommandKind::kReleaseAll, 0));
  planner_.drop_everything();
  thinking_.forget();
  reader_.reset();
  pieces_.clear();
  if (!spoken_answer_.empty()) history_.add_exchange(question_, spoken_answer_, now);
  spoken_answer_.clear();
  finish_question(std::string("interrupted: by ") + std::string(by_what), now);
}

// ----------------------------------------------------------------- timing

void AnswerOrchestrator::on_time(Clock::time_point now) {
  now_ = now;
  if (listening_until_ && now >= *listening_until_) {
    listening_until_.reset();
    if (state_ == State::kListening) enter(State::kIdle);
  }
  commands_.clear();
  thinking_.on_time(next_handle_, now, commands_);
  // A progress step replaced the loop: the first word must end the new one.
  if (!commands_.empty()) planner_.replace_before_first_output(thinking_.stop_command());
  planner_.on_time(now, commands_);
  send_all(commands_);
  if (state_ == State::kSpeaking && planner_.finished() && !request_in_flight_) {
    finish_question(report_->outcome, now);
  }
}

std::optional<AnswerOrchestrator::Clock::time_point> AnswerOrchestrator::deadline() const {
  std::optional<Clock::time_point> earliest = planner_.deadline();
  if (const std::optional<Clock::time_point> step = thinking_.deadline();
      step && (!earliest || *step < *earliest)) {
    earliest = step;
  }
  if (listening_until_ && (!earliest || *listening_until_ < *earliest)) earliest = listening_until_;
  return earliest;
}

// ------------------------------------------------------------ speech news

void AnswerOrchestrator::on_sentence_playing(std::string_view text) {
  if (!report_) return;
  if (!report_->timeline.first_word) report_->timeline.first_word = since_question(now_);
  ++report_->sentences_spoken;
  if (listener_ != nullptr) listener_->on_sentence(text);
}

void AnswerOrchestrator::on_clip_missing(std::string_view clip) {
  log_.warning("vic-anim did not play the clip ", clip, " (this robot may not have it): skipping it from now on");
}

void AnswerOrchestrator::on_sentence_dropped(std::string_view text, std::string_view why) {
  log_.warning("a sentence was not spoken (", why, "): ", text);
}

// ------------------------------------------------------------------ plumbing

void AnswerOrchestrator::enter(State state) {
  if (state == state_) return;
  state_ = state;
}

void AnswerOrchestrator::send(const channel::Command& command) { robot_.send(command); }

void AnswerOrchestrator::send_all(const speech::SpeechPlanner::Commands& commands) {
  for (const channel::Command& command : commands) robot_.send(command);
}

std::chrono::microseconds AnswerOrchestrator::since_question(Clock::time_point now) const {
  return duration_cast<microseconds>(now - asked_at_);
}

}  // namespace vic_r1::orchestrator
