#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vic_r1::stream {

// One dispatched server-sent event.
struct SseEvent {
  std::string type;  // the `event` field; "message" when the event named none
  std::string data;  // the data lines joined with LF, the final LF removed
  std::string id;    // the last event ID in force when the event was dispatched
};

// Server-sent events (WHATWG HTML, "Server-sent events") decoded from bytes
// as they arrive. Sans-I/O: fed whatever a read returned, split anywhere,
// it appends each event the bytes complete. Lines are split on bytes (LF,
// CRLF, CR, mixed; a CR at the end of one read may pair with an LF at the
// start of the next), so a UTF-8 character split across reads is joined
// before anything looks at it. A leading BOM is skipped. Memory is bounded by
// the cap on one event's size, whatever the length of the stream.
class SseDecoder {
 public:
  static constexpr std::size_t kDefaultMaxEventBytes = 1024 * 1024;

  explicit SseDecoder(std::size_t max_event_bytes = kDefaultMaxEventBytes);

  // Decodes `bytes` and appends to `out` every event they complete, in order.
  // Returns false once the stream is unusable (one line or one event's data
  // exceeded the cap): error() says why, and later calls do nothing.
  bool feed(std::string_view bytes, std::vector<SseEvent>& out);

  // The stream ended. An event not yet dispatched by a blank line is
  // discarded, as the standard requires; returns true if one was (non-empty
  // data had been received for it), so the caller can report a cut.
  // An unterminated last `data` line counts as data received. After a
  // failure it returns false: error() already says what was lost.
  bool finish();

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  // The reconnection delay the server last set with `retry: <digits>`, or -1.
  long long retry_ms() const { return retry_ms_; }
  // Comment lines seen so far (": keep-alive", ": OPENROUTER PROCESSING", ...).
  std::size_t comments_seen() const { return comments_seen_; }

  // What the data of the event not yet dispatched would be if a blank line
  // came now: the data lines received so far joined with LF, plus the value
  // of the current unterminated line if that is a `data` line. Empty when
  // nothing is pending. Some servers end with "data: [DONE]" and no blank
  // line; the stream reader looks here to tell that end from a cut.
  // The view is valid until the next call to any member of this decoder.
  std::string_view pending_data() const;

  // Bytes of memory the decoder's buffers hold now (their capacity). It stays
  // within a small multiple of the cap however long the stream is, because
  // consumed bytes are never kept.
  std::size_t buffered_bytes() const;

 private:
  // Implementation state: see sse_decoder.cpp.
  std::string_view skip_leading_bom(std::string_view bytes);
  bool append_to_line(std::string_view bytes);
  void process_line(std::string_view line, std::vector<SseEvent>& out);
  void append_data(std::string_view value);
  void dispatch(std::vector<SseEvent>& out);
  void fail(const char* reason);

  std::size_t max_event_bytes_;
  std::string line_;                   // an unterminated line carried from one feed to the next
  bool previous_byte_was_cr_ = false;  // an LF starting the next feed ends no line
  bool at_stream_start_ = true;        // still deciding whether a BOM leads the stream
  std::size_t bom_bytes_matched_ = 0;
  std::string data_;       // data lines of the event being built, joined with LF (no final LF)
  bool has_data_ = false;  // tells one empty data line from none
  std::string event_type_;
  std::string last_event_id_;
  long long retry_ms_ = -1;
  std::size_t comments_seen_ = 0;
  std::string error_;
  mutable std::string pending_data_joined_;  // for pending_data() when it spans two buffers
};

}  // namespace vic_r1::stream
