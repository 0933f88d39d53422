#include "agent/stream/stream_reader.h"

#include "platform/text/utf8_cut.h"

namespace vic_r1::stream {
namespace {

constexpr std::string_view kDoneMarker = "[DONE]";
// Whitespace-only prefixes longer than this stop the sniffing: such a body is
// not NDJSON, whose lines start with '{'.
constexpr std::size_t kMaxSniffBytes = 64 * 1024;

using text::is_utf8_continuation;

std::size_t count_code_points(std::string_view text) {
  std::size_t count = 0;
  for (char byte : text) count += is_utf8_continuation(byte) ? 0 : 1;
  return count;
}

// Finish reasons that mean the model was stopped before it ended its output
// (DeepSeek's and OpenAI's documented ones): text it sent with no think tag
// may then be reasoning cut off before its </think>. Any other reason (stop,
// eos_token, stop_sequence...) means the output ended by itself.
bool stopped_before_its_end(std::string_view finish_reason) {
  return finish_reason == "length" || finish_reason == "content_filter" ||
         finish_reason == "insufficient_system_resource";
}

// A clause for the summary when text with no opener was held and never
// spoken; what precedes it says how the stream ended.
std::string unspoken_unopened_text(std::size_t bytes) {
  return std::to_string(bytes) +
         " bytes of text with no <think> opener were held back and not spoken: with no </think> "
         "after them, they may have been reasoning (R1 often omits the opener)";
}

bool is_blank_or_bom(char byte) {
  const auto b = static_cast<unsigned char>(byte);
  return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == 0xEF || b == 0xBB || b == 0xBF;
}

}  // namespace

std::string_view outcome_name(StreamOutcome outcome) {
  switch (outcome) {
    case StreamOutcome::kCompleted:
      return "completed";
    case StreamOutcome::kError:
      return "error";
    case StreamOutcome::kCutShort:
      return "cut_short";
    case StreamOutcome::kAnswerOnlyInReasoning:
      return "answer_only_in_reasoning";
  }
  return "unknown";
}

StreamReader::Options reader_options_for(const ServerProfile& profile,
                                         std::optional<std::string_view> content_type) {
  StreamReader::Options options;
  options.missing_opener = profile.missing_opener;
  if (content_type) {
    options.wire_format = wire_format_for_content_type(*content_type);
  } else if (&profile != &default_server_profile()) {
    options.wire_format = profile.wire_format;
  }
  return options;
}

StreamReader::StreamReader(const Options& options)
    : options_(options),
      wire_format_(options.wire_format),
      sse_(options.max_event_bytes),
      ndjson_(options.max_event_bytes),
      filter_(options.missing_opener, options.max_unopened_bytes) {}

std::string_view StreamReader::latest_reasoning() const {
  std::string_view tail = latest_reasoning_;
  if (tail.size() > options_.latest_reasoning_bytes) {
    tail.remove_prefix(tail.size() - options_.latest_reasoning_bytes);
  }
  while (!tail.empty() && is_utf8_continuation(tail.front())) tail.remove_prefix(1);
  return tail;
}

void StreamReader::feed(std::string_view bytes, StreamSink& sink) {
  if (summary_.done_marker_seen || decoder_failed_ || bytes.empty()) return;
  if (!wire_format_) {
    std::size_t first = 0;
    while (first < bytes.size() && is_blank_or_bom(bytes[first])) ++first;
    if (first == bytes.size() && sniffed_.size() + bytes.size() <= kMaxSniffBytes) {
      sniffed_.append(bytes);
      return;
    }
    wire_format_ = first < bytes.size() && bytes[first] == '{' ? WireFormat::kNdjson
                                                               : WireFormat::kServerSentEvents;
    if (!sniffed_.empty()) {
      std::string blank_prefix;
      blank_prefix.swap(sniffed_);
      feed(blank_prefix, sink);
      // The held prefix may have failed the decoder already (BOM bytes count
      // as blank here, not for the decoder): then the stream has ended, as
      // it would have had the body come in one read.
      if (decoder_failed_ || summary_.done_marker_seen) return;
    }
  }
  if (*wire_format_ == WireFormat::kNdjson) {
    feed_ndjson(bytes, sink);
  } else {
    feed_sse(bytes, sink);
  }
}

void StreamReader::feed_sse(std::string_view bytes, StreamSink& sink) {
  sse_events_.clear();
  const bool readable = sse_.feed(bytes, sse_events_);
  for (const SseEvent& event : sse_events_) {
    if (summary_.done_marker_seen) break;  // nothing after [DONE] counts
    handle_sse_event(event, sink);
  }
  // A line the decoder cannot read after [DONE] is past the end of the
  // stream, as it would be had it come in a later read.
  if (!readable && !summary_.done_marker_seen) {
    decoder_failed_ = true;
    report_error(sse_.error(), sink);
  }
}

void StreamReader::feed_ndjson(std::string_view bytes, StreamSink& sink) {
  ndjson_lines_.clear();
  const bool readable = ndjson_.feed(bytes, ndjson_lines_);
  for (const std::string& line : ndjson_lines_) handle_payload(line, true, sink);
  if (!readable) {
    decoder_failed_ = true;
    report_error(ndjson_.error(), sink);
  }
}

void StreamReader::handle_sse_event(const SseEvent& event, StreamSink& sink) {
  if (event.type == "error") {
    report_error("server sent an error event: " + error_message_from_payload(event.data), sink);
    return;
  }
  // Named events other than errors are not part of the chat-completion
  // format (some servers add pings); the chunks come as plain messages.
  if (event.type != "message") return;
  if (event.data == kDoneMarker) {
    summary_.done_marker_seen = true;
    return;
  }
  handle_payload(event.data, false, sink);
}

void StreamReader::handle_payload(std::string_view payload, bool ndjson, StreamSink& sink) {
  ++payload_count_;
  const bool decoded = ndjson ? chunks_.decode_ollama_line(payload, chunk_)
                              : chunks_.decode_openai_chunk(payload, chunk_);
  if (!decoded) {
    ++summary_.malformed_payloads;
    report_error("unreadable payload #" + std::to_string(payload_count_) + ": " + chunks_.error(), sink);
    return;
  }
  if (chunk_.is_error) {
    report_error(chunk_.error_message, sink);
    return;
  }
  if (chunk_.has_usage) summary_.usage = chunk_.usage;
  filter_.put(chunk_.model, chunk_.has_reasoning_field, chunk_.reasoning, chunk_.content, answer_piece_,
              reasoning_piece_);
  emit_filtered(sink);
  if (!chunk_.finish_reason.empty()) {
    summary_.finish_reason = chunk_.finish_reason;
    // Text held as a possible implied block is said before the finish is told.
    if (!stopped_before_its_end(chunk_.finish_reason)) end_of_output(sink);
    sink.on_finish_reason(chunk_.finish_reason);
  }
}

void StreamReader::end_of_output(StreamSink& sink) {
  // After an error, a payload may have been lost (a </think> among them), so
  // held text is never judged to be answer.
  if (had_error_) return;
  filter_.end_of_output(answer_piece_, reasoning_piece_);
  emit_filtered(sink);
}

void StreamReader::report_error(std::string_view message, StreamSink& sink) {
  // The answer the robot has is said before the error is: bytes held only
  // because they might begin a tag are answer now.
  filter_.release_before_error(answer_piece_, reasoning_piece_);
  emit_filtered(sink);
  had_error_ = true;
  if (summary_.first_error.empty()) summary_.first_error.assign(message);
  sink.on_error(message);
}

void StreamReader::emit_filtered(StreamSink& sink) {
  if (!reasoning_piece_.empty()) {
    summary_.reasoning_characters += count_code_points(reasoning_piece_);
    remember_reasoning(reasoning_piece_);
    sink.on_reasoning(reasoning_piece_, summary_.reasoning_characters);
    reasoning_piece_.clear();
  }
  if (!answer_piece_.empty()) {
    summary_.answer_bytes += answer_piece_.size();
    sink.on_answer(answer_piece_);
    answer_piece_.clear();
  }
}

void StreamReader::remember_reasoning(std::string_view text) {
  const std::size_t keep = options_.latest_reasoning_bytes;
  if (keep == 0) return;
  if (text.size() >= keep) {
    latest_reasoning_.assign(text.substr(text.size() - keep));
    return;
  }
  // Trim only when the buffer reaches twice the tail, so appends stay cheap.
  if (latest_reasoning_.size() + text.size() > 2 * keep) {
    latest_reasoning_.erase(0, latest_reasoning_.size() + text.size() - keep);
  }
  latest_reasoning_.append(text);
}

StreamSummary StreamReader::finish(StreamSink& sink) {
  if (wire_format_ == WireFormat::kServerSentEvents && !decoder_failed_) {
    // Some servers end with "data: [DONE]" and no blank line; that still ends
    // the stream properly. Any other unfinished event is discarded, as the
    // standard says.
    if (!summary_.done_marker_seen && sse_.pending_data() == kDoneMarker) {
      summary_.done_marker_seen = true;
    }
    last_event_cut_off_ = sse_.finish() && !summary_.done_marker_seen;
  } else if (wire_format_ == WireFormat::kNdjson && !decoder_failed_) {
    ndjson_lines_.clear();
    ndjson_.finish(ndjson_lines_);
    for (const std::string& line : ndjson_lines_) handle_payload(line, true, sink);
  }
  const bool ended_properly = summary_.done_marker_seen || !summary_.finish_reason.empty();
  // [DONE] with no finish reason also ends the output by itself.
  if (ended_properly && !stopped_before_its_end(summary_.finish_reason)) end_of_output(sink);
  filter_.finish(answer_piece_, reasoning_piece_);
  emit_filtered(sink);
  if (summary_.usage) sink.on_usage(*summary_.usage);

  summary_.reasoning_unclosed = filter_.reasoning_unclosed();
  summary_.stray_close_tag_removed = filter_.stray_close_tag_removed();
  summary_.unopened_text = filter_.unopened_verdict();
  summary_.unopened_text_bytes = filter_.unopened_bytes();
  const bool only_reasoning = summary_.answer_bytes == 0 && summary_.reasoning_characters > 0;
  const bool unopened_text_unspoken = summary_.unopened_text == UnopenedTextVerdict::kUnspokenAtAbruptEnd;

  if (had_error_) {
    summary_.outcome = StreamOutcome::kError;
    summary_.explanation = "the stream carried an error: " + summary_.first_error;
    if (unopened_text_unspoken)
      summary_.explanation += "; " + unspoken_unopened_text(summary_.unopened_text_bytes);
  } else if (!ended_properly) {
    summary_.outcome = StreamOutcome::kCutShort;
    summary_.explanation = "the stream ended with neither [DONE] nor a finish_reason: it was cut short";
    if (last_event_cut_off_) summary_.explanation += " (its last event was incomplete and was dropped)";
    if (unopened_text_unspoken) {
      summary_.explanation += "; " + unspoken_unopened_text(summary_.unopened_text_bytes);
    } else if (summary_.reasoning_unclosed || only_reasoning) {
      summary_.explanation += ", during the reasoning";
    }
  } else if (only_reasoning) {
    summary_.outcome = StreamOutcome::kAnswerOnlyInReasoning;
    if (unopened_text_unspoken) {
      summary_.explanation = "the model was stopped (finish_reason " + summary_.finish_reason +
                             ") before any </think>: " + unspoken_unopened_text(summary_.unopened_text_bytes);
    } else if (summary_.unopened_text == UnopenedTextVerdict::kReasoningOverCap) {
      summary_.explanation =
          "more than " + std::to_string(options_.max_unopened_bytes) +
          " bytes came with no think tag where R1's missing opener was expected: text that long "
          "is taken as reasoning, so nothing was spoken (if it was the answer, the plain profile "
          "speaks it)";
    } else if (summary_.finish_reason == "length") {
      summary_.explanation =
          "the token limit was reached while the model was still reasoning (finish_reason "
          "length): no answer text came";
    } else if (summary_.reasoning_unclosed) {
      summary_.explanation =
          "the output ended inside the reasoning (no closing </think>): any answer is in the "
          "reasoning, which is never spoken";
    } else {
      summary_.explanation =
          "all of the output came as reasoning and none as answer text: the server may have put "
          "the answer in the reasoning field";
    }
  } else {
    summary_.outcome = StreamOutcome::kCompleted;
    summary_.explanation.clear();
  }
  return summary_;
}

}  // namespace vic_r1::stream
