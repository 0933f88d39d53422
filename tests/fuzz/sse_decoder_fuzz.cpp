// libFuzzer target for the server-sent events decoder alone
// (agent/stream/sse_decoder.h). Besides the sanitizers, its oracles are the
// decoder's promises:
//  - the same body gives the same events, comments, retry delay, pending data,
//    verdict at the end and error however its bytes are cut into reads (the
//    header: "fed whatever a read returned, split anywhere");
//  - what it gives is what the WHATWG algorithm gives: a plain reference
//    reading of the whole body (BOM, CR/LF/CRLF lines, fields, dispatch on a
//    blank line, the undispatched event discarded at the end), which also
//    says whether and why the cap must stop the stream;
//  - no event's data is longer than the cap, and the decoder's buffers stay
//    within a small multiple of the cap after every read, however long the
//    stream ("memory is bounded by the cap on one event's size").
//
// Input layout: byte 0 picks the cap (bit 7: the default; else 1..64 bytes,
// so the cap is reached often), byte 1 seeds the cuts, the rest is the body.

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "agent/stream/sse_decoder.h"
#include "tests/unit/support/byte_splits.h"

namespace {

using vic_r1::stream::SseDecoder;
using vic_r1::stream::SseEvent;

[[noreturn]] void fail(const char* what, const std::string& first, const std::string& second) {
  std::fprintf(stderr, "sse_decoder_fuzz: broken promise: %s\n  %s\n  %s\n", what, first.c_str(), second.c_str());
  std::abort();
}

// All a decoding gave, as one comparable string.
struct Outcome {
  std::vector<SseEvent> events;
  std::size_t comments = 0;
  long long retry_ms = -1;
  std::string pending_data;  // just before the end of the stream
  bool event_was_cut = false;
  std::string error;

  std::string describe() const {
    std::string text;
    for (const SseEvent& event : events) {
      text += "[type " + std::to_string(event.type.size()) + ":" + event.type + " data " +
              std::to_string(event.data.size()) + ":" + event.data + " id " + std::to_string(event.id.size()) +
              ":" + event.id + "]";
    }
    text += " comments=" + std::to_string(comments) + " retry=" + std::to_string(retry_ms) +
            " pending=" + std::to_string(pending_data.size()) + ":" + pending_data +
            " cut=" + (event_was_cut ? "yes" : "no") + " error=" + error;
    return text;
  }
};

// Each string a buffer may hold is at most a line or an event (the cap), the
// joined pending data two of them; a string's capacity is at most twice what
// it ever held. The constant covers small-string buffers at tiny caps.
std::size_t buffer_bound(std::size_t cap) { return 16 * cap + 256; }

Outcome decode(std::size_t cap, const vic_r1::test::Pieces& pieces) {
  SseDecoder decoder(cap);
  Outcome outcome;
  for (std::string_view piece : pieces) {
    const bool usable = decoder.feed(piece, outcome.events);
    if (usable == decoder.failed()) fail("feed()'s answer disagrees with failed()", decoder.error(), "");
    if (decoder.buffered_bytes() > buffer_bound(cap)) {
      fail("buffers outgrew the cap", std::to_string(decoder.buffered_bytes()), std::to_string(cap));
    }
  }
  outcome.comments = decoder.comments_seen();
  outcome.retry_ms = decoder.retry_ms();
  outcome.pending_data = std::string(decoder.pending_data());
  outcome.event_was_cut = decoder.finish();
  outcome.error = decoder.error();
  return outcome;
}

// The WHATWG algorithm read straight from the standard, on the whole body at
// once, with the decoder's cap applied line by line as the header describes.
class ReferenceReader {
 public:
  explicit ReferenceReader(std::size_t cap) : cap_(cap) {}

  Outcome read(std::string_view body) {
    constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
    // A body that is only the start of a BOM never became a line: the stream
    // ended while the decoder was still deciding whether a BOM leads it.
    if (body.size() < kByteOrderMark.size() && kByteOrderMark.substr(0, body.size()) == body) return outcome_;
    if (body.substr(0, kByteOrderMark.size()) == kByteOrderMark) body.remove_prefix(kByteOrderMark.size());
    std::size_t start = 0;
    for (std::size_t at = 0; at < body.size(); ++at) {
      if (body[at] != '\r' && body[at] != '\n') continue;
      if (!line(body.substr(start, at - start))) return outcome_;
      if (body[at] == '\r' && at + 1 < body.size() && body[at + 1] == '\n') ++at;
      start = at + 1;
    }
    // The unterminated last line: never processed, but held, so capped, and
    // pending if it is a data line.
    const std::string_view tail = body.substr(start);
    if (tail.size() > cap_) {
      stop("a line is longer than the cap");
      return outcome_;
    }
    std::string pending = data_;
    bool pending_exists = has_data_;
    if (!tail.empty() && tail.front() != ':') {
      const auto [name, value] = split(tail);
      if (name == "data") {
        if (pending_exists) pending += '\n';
        pending.append(value);
        pending_exists = true;
      }
    }
    outcome_.pending_data = pending;
    outcome_.event_was_cut = pending_exists;
    return outcome_;
  }

 private:
  static std::pair<std::string_view, std::string_view> split(std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return {line, {}};
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    return {line.substr(0, colon), value};
  }

  void stop(const char* reason) {
    outcome_.error = "server-sent event larger than " + std::to_string(cap_) + " bytes: " + reason;
    outcome_.pending_data.clear();
    outcome_.event_was_cut = false;
  }

  bool line(std::string_view text) {
    if (text.size() > cap_) {
      stop("a line is longer than the cap");
      return false;
    }
    if (text.empty()) {
      if (has_data_) outcome_.events.push_back({type_.empty() ? "message" : type_, data_, last_id_});
      data_.clear();
      has_data_ = false;
      type_.clear();
      return true;
    }
    if (text.front() == ':') {
      ++outcome_.comments;
      return true;
    }
    const auto [name, value] = split(text);
    if (name == "data") {
      // The standard appends value + LF and drops the last LF at dispatch.
      if (data_.size() + (has_data_ ? 1 : 0) + value.size() > cap_) {
        stop("its data lines add up to more than the cap");
        return false;
      }
      if (has_data_) data_ += '\n';
      data_.append(value);
      has_data_ = true;
    } else if (name == "event") {
      type_ = value;
    } else if (name == "id") {
      if (value.find('\0') == std::string_view::npos) last_id_ = value;
    } else if (name == "retry") {
      long long milliseconds = 0;
      if (!value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos &&
          std::from_chars(value.data(), value.data() + value.size(), milliseconds).ec == std::errc()) {
        outcome_.retry_ms = milliseconds;
      }
    }
    return true;
  }

  std::size_t cap_;
  Outcome outcome_;
  std::string data_;
  bool has_data_ = false;
  std::string type_;
  std::string last_id_;
};

void check_events(const Outcome& outcome, std::size_t cap) {
  for (const SseEvent& event : outcome.events) {
    if (event.data.size() > cap) {
      fail("an event's data is longer than the cap", event.data, std::to_string(cap));
    }
    if (event.type.empty()) fail("an event without a type", outcome.describe(), "");
    if (event.data.find('\r') != std::string::npos || event.type.find_first_of("\r\n") != std::string::npos ||
        event.id.find_first_of("\r\n") != std::string::npos) {
      fail("a line break inside a field", outcome.describe(), "");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t cap = (data[0] & 0x80) ? SseDecoder::kDefaultMaxEventBytes : 1 + (data[0] & 0x3F);
  const std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);

  const Outcome whole = decode(cap, {body});
  const std::size_t max_piece = 1 + data[1] % 16;
  const Outcome cut = decode(cap, vic_r1::test::random_pieces(body, data[1], max_piece));
  const std::string whole_text = whole.describe();
  if (whole_text != cut.describe()) fail("chunking changed the result", whole_text, cut.describe());
  check_events(whole, cap);

  const Outcome reference = ReferenceReader(cap).read(body);
  if (whole_text != reference.describe()) {
    fail("differs from the standard's algorithm", whole_text, reference.describe());
  }
  return 0;
}
