#include "agent/stream/sse_decoder.h"

#include <charconv>
#include <optional>
#include <system_error>
#include <utility>

namespace vic_r1::stream {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr std::string_view kDefaultEventType = "message";
constexpr const char* kLineTooLong = "a line is longer than the cap";
constexpr const char* kDataTooLarge = "its data lines add up to more than the cap";

struct Field {
  std::string_view name;
  std::string_view value;
};

// Name before the first colon, value after it with at most one leading space
// removed (a second space is part of the value). No colon: the whole line
// names a field whose value is empty.
Field split_field(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return {line, {}};
  std::string_view value = line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return {line.substr(0, colon), value};
}

std::optional<std::string_view> data_value_of(std::string_view line) {
  if (line.empty() || line.front() == ':') return std::nullopt;
  const Field field = split_field(line);
  if (field.name != "data") return std::nullopt;
  return field.value;
}

// Finds the next CR or LF of one read. Each byte value is searched with
// memchr (vectorised by the C library, which a loop testing two values per
// byte is not) and the hit is remembered, so a stream that never sends CR is
// searched for one once per read instead of once per line.
class LineEndFinder {
 public:
  explicit LineEndFinder(std::string_view bytes)
      : bytes_(bytes), next_cr_(bytes.find('\r')), next_lf_(bytes.find('\n')) {}

  // Offset of the first CR or LF at or after `from`, or npos.
  std::size_t next(std::size_t from) {
    if (next_cr_ < from) next_cr_ = bytes_.find('\r', from);
    if (next_lf_ < from) next_lf_ = bytes_.find('\n', from);
    return next_cr_ < next_lf_ ? next_cr_ : next_lf_;
  }

 private:
  std::string_view bytes_;
  std::size_t next_cr_;
  std::size_t next_lf_;
};

}  // namespace

SseDecoder::SseDecoder(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

bool SseDecoder::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  if (failed()) return false;
  if (at_stream_start_) {
    bytes = skip_leading_bom(bytes);
    if (failed()) return false;
  }
  if (previous_byte_was_cr_ && !bytes.empty()) {
    previous_byte_was_cr_ = false;
    // The CR that ended the last read already ended the line; this LF is the
    // second half of that CRLF, not a blank line.
    if (bytes.front() == '\n') bytes.remove_prefix(1);
  }

  LineEndFinder line_ends(bytes);
  std::size_t position = 0;
  while (position < bytes.size()) {
    const std::size_t line_end = line_ends.next(position);
    if (line_end == std::string_view::npos) return append_to_line(bytes.substr(position));

    const std::string_view rest_of_line = bytes.substr(position, line_end - position);
    if (line_.empty()) {
      // The whole line is in this read: decode it in place, without a copy.
      if (rest_of_line.size() > max_event_bytes_) {
        fail(kLineTooLong);
        return false;
      }
      process_line(rest_of_line, out);
    } else {
      if (!append_to_line(rest_of_line)) return false;
      process_line(line_, out);
      line_.clear();
    }
    if (failed()) return false;

    position = line_end + 1;
    if (bytes[line_end] == '\r') {
      if (position == bytes.size()) {
        previous_byte_was_cr_ = true;
      } else if (bytes[position] == '\n') {
        ++position;
      }
    }
  }
  return true;
}

bool SseDecoder::finish() {
  if (failed()) return false;
  const bool event_was_cut = has_data_ || data_value_of(line_).has_value();
  line_.clear();
  data_.clear();
  has_data_ = false;
  event_type_.clear();
  previous_byte_was_cr_ = false;
  return event_was_cut;
}

std::string_view SseDecoder::pending_data() const {
  if (failed()) return {};
  const std::optional<std::string_view> unterminated_value = data_value_of(line_);
  if (!unterminated_value) return data_;
  if (!has_data_) return *unterminated_value;
  pending_data_joined_.assign(data_).append(1, '\n').append(*unterminated_value);
  return pending_data_joined_;
}

std::size_t SseDecoder::buffered_bytes() const {
  return line_.capacity() + data_.capacity() + event_type_.capacity() + last_event_id_.capacity() +
         pending_data_joined_.capacity();
}

// Consumes the bytes of a BOM at the very start of the stream, one read at a
// time, since the three bytes may arrive in separate reads.
std::string_view SseDecoder::skip_leading_bom(std::string_view bytes) {
  while (at_stream_start_ && !bytes.empty()) {
    if (bytes.front() == kByteOrderMark[bom_bytes_matched_]) {
      bytes.remove_prefix(1);
      ++bom_bytes_matched_;
      if (bom_bytes_matched_ == kByteOrderMark.size()) at_stream_start_ = false;
    } else {
      at_stream_start_ = false;
      // Not a BOM after all: the bytes held back begin the first line.
      if (bom_bytes_matched_ > 0) append_to_line(kByteOrderMark.substr(0, bom_bytes_matched_));
    }
  }
  return bytes;
}

bool SseDecoder::append_to_line(std::string_view bytes) {
  // Checked before appending, so the line never holds more than the cap.
  if (line_.size() + bytes.size() > max_event_bytes_) {
    fail(kLineTooLong);
    return false;
  }
  line_.append(bytes);
  return true;
}

void SseDecoder::process_line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {
    dispatch(out);
    return;
  }
  if (line.front() == ':') {
    ++comments_seen_;
    return;
  }
  const Field field = split_field(line);
  if (field.name == "data") {
    append_data(field.value);
  } else if (field.name == "event") {
    event_type_.assign(field.value);
  } else if (field.name == "id") {
    // The standard ignores an id with NUL: it could not be sent back in a
    // Last-Event-ID header.
    if (field.value.find('\0') == std::string_view::npos) last_event_id_.assign(field.value);
  } else if (field.name == "retry") {
    const bool only_digits = !field.value.empty() &&
                             field.value.find_first_not_of("0123456789") == std::string_view::npos;
    const char* const value_begin = field.value.data();
    const char* const value_end = value_begin + field.value.size();
    long long milliseconds = 0;
    // A value too large for long long is ignored like any other bad value.
    if (only_digits && std::from_chars(value_begin, value_end, milliseconds).ec == std::errc()) {
      retry_ms_ = milliseconds;
    }
  }
  // Any other field name is ignored, as the standard requires.
}

// The standard appends each value and an LF, then removes the final LF at
// dispatch; putting the LF between lines instead builds the same data in a
// form dispatch() can hand over without copying it.
void SseDecoder::append_data(std::string_view value) {
  const std::size_t separator_bytes = has_data_ ? 1 : 0;
  if (data_.size() + separator_bytes + value.size() > max_event_bytes_) {
    fail(kDataTooLarge);
    return;
  }
  if (has_data_) data_.push_back('\n');
  data_.append(value);
  has_data_ = true;
}

void SseDecoder::dispatch(std::vector<SseEvent>& out) {
  if (!has_data_) {
    event_type_.clear();
    return;
  }
  SseEvent& event = out.emplace_back();
  if (event_type_.empty()) {
    event.type = kDefaultEventType;
  } else {
    event.type = event_type_;
  }
  // Moved, not copied: the event needs a buffer of its own anyway, and
  // data_ usually holds a single line, so regrowing it costs one allocation.
  event.data = std::move(data_);
  data_.clear();  // a moved-from string is valid but its contents are unspecified
  has_data_ = false;
  event.id = last_event_id_;
  event_type_.clear();
}

void SseDecoder::fail(const char* reason) {
  error_ = "server-sent event larger than " + std::to_string(max_event_bytes_) + " bytes: ";
  error_ += reason;
}

}  // namespace vic_r1::stream
