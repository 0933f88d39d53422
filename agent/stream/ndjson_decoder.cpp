#include "agent/stream/ndjson_decoder.h"

namespace vic_r1::stream {
namespace {

std::string line_too_long(std::size_t max_line_bytes) {
  return "NDJSON line longer than " + std::to_string(max_line_bytes) + " bytes";
}

}  // namespace

NdjsonDecoder::NdjsonDecoder(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

bool NdjsonDecoder::feed(std::string_view bytes, std::vector<std::string>& out) {
  if (failed()) return false;
  std::size_t position = 0;
  while (position < bytes.size()) {
    const std::size_t line_end = bytes.find('\n', position);
    if (line_end == std::string_view::npos) return append_to_line(bytes.substr(position));

    const std::string_view rest_of_line = bytes.substr(position, line_end - position);
    position = line_end + 1;
    if (line_.empty()) {
      // The whole line is in this read: no copy into line_.
      if (!emit_line(rest_of_line, out)) return false;
    } else {
      if (!append_to_line(rest_of_line)) return false;
      const bool emitted = emit_line(line_, out);
      line_.clear();
      if (!emitted) return false;
    }
  }
  return true;
}

bool NdjsonDecoder::finish(std::vector<std::string>& out) {
  if (failed()) return false;
  // A server that closes without a final LF still sent that last line.
  const bool emitted = line_.empty() || emit_line(line_, out);
  line_.clear();
  return emitted;
}

bool NdjsonDecoder::append_to_line(std::string_view bytes) {
  // One byte over the cap is allowed while the line is unfinished: it may be
  // the CR of a CRLF, which is not part of the line. emit_line() checks the
  // exact length once the line is complete.
  if (line_.size() + bytes.size() > max_line_bytes_ + 1) {
    error_ = line_too_long(max_line_bytes_);
    return false;
  }
  line_.append(bytes);
  return true;
}

bool NdjsonDecoder::emit_line(std::string_view line, std::vector<std::string>& out) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > max_line_bytes_) {
    error_ = line_too_long(max_line_bytes_);
    return false;
  }
  // A blank line carries no payload; readers of NDJSON skip it.
  if (!line.empty()) out.emplace_back(line);
  return true;
}

}  // namespace vic_r1::stream
