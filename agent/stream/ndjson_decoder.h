#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vic_r1::stream {

// Newline-delimited JSON (Ollama's native /api/chat stream,
// Content-Type application/x-ndjson) split into one payload per line as bytes
// arrive. Sans-I/O, split anywhere, bounded memory. Lines end in LF; a CR
// before the LF is removed; blank lines are skipped. The JSON itself is not
// parsed here.
class NdjsonDecoder {
 public:
  static constexpr std::size_t kDefaultMaxLineBytes = 1024 * 1024;

  explicit NdjsonDecoder(std::size_t max_line_bytes = kDefaultMaxLineBytes);

  // Appends every line `bytes` complete to `out`. Returns false once a line
  // exceeded the cap (its bytes, not counting the LF and a CR before it):
  // error() says why, and later calls do nothing.
  bool feed(std::string_view bytes, std::vector<std::string>& out);

  // The stream ended: a last line without its LF is still a line (appended to
  // `out`). Returns false if the decoder had failed.
  bool finish(std::vector<std::string>& out);

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  // Bytes of memory the decoder's buffer holds now (its capacity). It stays
  // within a small multiple of the cap however long the stream is, because
  // consumed bytes are never kept.
  std::size_t buffered_bytes() const { return line_.capacity(); }

 private:
  bool append_to_line(std::string_view bytes);
  bool emit_line(std::string_view line, std::vector<std::string>& out);

  std::size_t max_line_bytes_;
  std::string line_;  // an unterminated line carried from one feed to the next
  std::string error_;
};

}  // namespace vic_r1::stream
