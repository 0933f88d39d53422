// libFuzzer target for the NDJSON line splitter alone
// (agent/stream/ndjson_decoder.h). Besides the sanitizers, its oracles are
// the decoder's promises:
//  - the same body gives the same lines, verdicts and error however its bytes
//    are cut into reads ("sans-I/O, split anywhere");
//  - the lines are exactly the body's: split on LF, one CR before the LF
//    removed, blank lines skipped, a last line without its LF still a line,
//    and the stream stopped at the first line longer than the cap (a plain
//    reference split of the whole body says which lines and where it stops);
//  - no line is longer than the cap, and the buffer stays within a small
//    multiple of the cap after every read ("bounded memory").
//
// Input layout: byte 0 picks the cap (bit 7: the default; else 1..64 bytes,
// so the cap is reached often), byte 1 seeds the cuts, the rest is the body.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "agent/stream/ndjson_decoder.h"
#include "tests/unit/support/byte_splits.h"

namespace {

using vic_r1::stream::NdjsonDecoder;

[[noreturn]] void fail(const char* what, const std::string& first, const std::string& second) {
  std::fprintf(stderr, "ndjson_decoder_fuzz: broken promise: %s\n  %s\n  %s\n", what, first.c_str(),
               second.c_str());
  std::abort();
}

struct Outcome {
  std::vector<std::string> lines;
  bool finished = false;  // what finish() answered
  std::string error;

  std::string describe() const {
    std::string text;
    for (const std::string& line : lines) text += "[" + std::to_string(line.size()) + ":" + line + "]";
    return text + " finished=" + (finished ? "yes" : "no") + " error=" + error;
  }
};

// The unfinished line holds at most the cap and a CR; a string's capacity is
// at most twice what it ever held. The constant covers the small-string
// buffer at tiny caps.
std::size_t buffer_bound(std::size_t cap) { return 2 * (cap + 1) + 64; }

Outcome decode(std::size_t cap, const vic_r1::test::Pieces& pieces) {
  NdjsonDecoder decoder(cap);
  Outcome outcome;
  for (std::string_view piece : pieces) {
    const bool usable = decoder.feed(piece, outcome.lines);
    if (usable == decoder.failed()) fail("feed()'s answer disagrees with failed()", decoder.error(), "");
    if (decoder.buffered_bytes() > buffer_bound(cap)) {
      fail("buffer outgrew the cap", std::to_string(decoder.buffered_bytes()), std::to_string(cap));
    }
  }
  outcome.finished = decoder.finish(outcome.lines);
  outcome.error = decoder.error();
  return outcome;
}

// The body split at every LF at once, by the rules the header states.
Outcome reference_lines(std::size_t cap, std::string_view body) {
  Outcome outcome;
  std::size_t start = 0;
  while (start < body.size()) {
    const std::size_t lf = body.find('\n', start);
    const std::size_t end = lf == std::string_view::npos ? body.size() : lf;
    std::string_view line = body.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > cap) {
      outcome.error = "NDJSON line longer than " + std::to_string(cap) + " bytes";
      return outcome;
    }
    if (!line.empty()) outcome.lines.emplace_back(line);
    start = end + 1;
  }
  outcome.finished = true;
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t cap = (data[0] & 0x80) ? NdjsonDecoder::kDefaultMaxLineBytes : 1 + (data[0] & 0x3F);
  const std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);

  const Outcome whole = decode(cap, {body});
  const std::size_t max_piece = 1 + data[1] % 16;
  const Outcome cut = decode(cap, vic_r1::test::random_pieces(body, data[1], max_piece));
  const std::string whole_text = whole.describe();
  if (whole_text != cut.describe()) fail("chunking changed the result", whole_text, cut.describe());

  for (const std::string& line : whole.lines) {
    if (line.empty() || line.size() > cap) {
      fail("a line empty or longer than the cap", line, std::to_string(cap));
    }
  }
  const Outcome reference = reference_lines(cap, body);
  if (whole_text != reference.describe()) {
    fail("differs from the body's lines", whole_text, reference.describe());
  }
  return 0;
}
