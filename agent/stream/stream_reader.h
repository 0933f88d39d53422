#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/stream/chunk_decoder.h"
#include "agent/stream/ndjson_decoder.h"
#include "agent/stream/reasoning_filter.h"
#include "agent/stream/server_profiles.h"
#include "agent/stream/sse_decoder.h"
#include "agent/stream/stream_chunk.h"

namespace vic_r1::stream {

// Receives what the reader makes of the stream, in stream order. Every call
// is driven by a whole SSE event or NDJSON line, never by how the bytes were
// cut into reads, so the sequence of calls does not depend on the chunking.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Answer text to speak, reasoning removed.
  virtual void on_answer(std::string_view text) = 0;
  // Reasoning text (never to be spoken) and the reasoning characters
  // (Unicode code points) received so far in all.
  virtual void on_reasoning(std::string_view text, std::size_t total_characters) = 0;
  virtual void on_finish_reason(std::string_view reason) = 0;
  // Called once, at the end, with the last usage the stream carried.
  virtual void on_usage(const TokenUsage& usage) = 0;
  // An error the stream carried, or a payload that could not be read.
  virtual void on_error(std::string_view message) = 0;
};

enum class StreamOutcome {
  kCompleted,              // [DONE], or a finish_reason and then the end
  kError,                  // the stream carried an error, or could not be read
  kCutShort,               // ended with neither [DONE] nor a finish_reason
  kAnswerOnlyInReasoning,  // ended properly, but every word came as reasoning
};

std::string_view outcome_name(StreamOutcome outcome);

struct StreamSummary {
  StreamOutcome outcome = StreamOutcome::kCutShort;
  std::string finish_reason;  // the last one seen
  std::optional<TokenUsage> usage;
  std::string first_error;  // the first error message, when there was one
  std::size_t answer_bytes = 0;
  std::size_t reasoning_characters = 0;
  bool reasoning_unclosed = false;  // the answer channel ended inside a reasoning block
  bool stray_close_tag_removed = false;
  // What became of answer-channel text that had no opener while the
  // missing-opener policy applied, and how many bytes of it there were.
  UnopenedTextVerdict unopened_text = UnopenedTextVerdict::kNone;
  std::size_t unopened_text_bytes = 0;
  bool done_marker_seen = false;
  std::size_t malformed_payloads = 0;
  // One sentence for a log line or stderr, for every outcome but kCompleted.
  std::string explanation;
};

// The streaming reasoning reader: bytes of an HTTP response body in, answer
// text and reasoning progress out (SSE or NDJSON -> chunk decoder ->
// reasoning filter). Sans-I/O: the caller feeds what each read returned and
// ends with finish(). Memory is bounded by the decoders' caps, whatever the
// stream's length.
class StreamReader {
 public:
  struct Options {
    // The wire format; when unset, told from the first non-blank byte
    // ('{' starts NDJSON, anything else SSE).
    std::optional<WireFormat> wire_format;
    MissingOpenerPolicy missing_opener = MissingOpenerPolicy::kForReasoningModels;
    std::size_t max_event_bytes = SseDecoder::kDefaultMaxEventBytes;
    // Text that may be an implied reasoning block is held, unspoken, up to
    // this many bytes; beyond it, it is taken as reasoning (see ReasoningFilter).
    std::size_t max_unopened_bytes = ReasoningFilter::kDefaultMaxUnopenedBytes;
    // How much of the latest reasoning text to keep for a display.
    std::size_t latest_reasoning_bytes = 240;
  };

  explicit StreamReader(const Options& options);

  void feed(std::string_view bytes, StreamSink& sink);
  // The body ended (EOF). Calls on_usage if a usage was seen, then returns the summary.
  StreamSummary finish(StreamSink& sink);

  // True once [DONE] arrived: bytes fed afterwards are ignored.
  bool done() const { return summary_.done_marker_seen; }
  std::size_t reasoning_characters() const { return summary_.reasoning_characters; }
  // Data payloads (SSE message events, NDJSON lines) received so far, whether
  // or not they carried text. Comments are not payloads: a transport's
  // data-idle deadline should be reset by this count growing, never by bytes.
  std::size_t payloads_seen() const { return payload_count_; }
  // The tail of the reasoning so far (at most Options::latest_reasoning_bytes,
  // starting at a character boundary), for an optional "thinking" display.
  std::string_view latest_reasoning() const;

 private:
  void feed_sse(std::string_view bytes, StreamSink& sink);
  void feed_ndjson(std::string_view bytes, StreamSink& sink);
  void handle_sse_event(const SseEvent& event, StreamSink& sink);
  void handle_payload(std::string_view payload, bool ndjson, StreamSink& sink);
  void report_error(std::string_view message, StreamSink& sink);
  void emit_filtered(StreamSink& sink);
  void end_of_output(StreamSink& sink);
  void remember_reasoning(std::string_view text);

  Options options_;
  std::optional<WireFormat> wire_format_;
  std::string sniffed_;  // blank bytes seen before the wire format was known
  SseDecoder sse_;
  NdjsonDecoder ndjson_;
  ChunkDecoder chunks_;
  ReasoningFilter filter_;
  StreamChunk chunk_;
  std::vector<SseEvent> sse_events_;
  std::vector<std::string> ndjson_lines_;
  std::string answer_piece_;
  std::string reasoning_piece_;
  std::string latest_reasoning_;
  std::size_t payload_count_ = 0;
  bool had_error_ = false;
  bool decoder_failed_ = false;
  bool last_event_cut_off_ = false;
  StreamSummary summary_;
};

// Reader options for a server profile and, when the response had one, its
// Content-Type: the header decides the wire format; without it, a named
// profile's format; for `auto`, the first byte.
StreamReader::Options reader_options_for(const ServerProfile& profile,
                                         std::optional<std::string_view> content_type);

}  // namespace vic_r1::stream
