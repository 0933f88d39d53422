// libFuzzer target for the speech text path: the markup parser, then the
// sentence segmenter (with its text cleaner), wired as the speaker wires
// them: text pieces into the segmenter, a blocking animation flushes it.
// Besides the sanitizers, its oracles are the path's promises:
//  - the same answer gives the same sentences, commands and drops however
//    its bytes are cut into feeds;
//  - every sentence is non-empty, at most the limit, valid UTF-8, with no
//    space at either end and no brace (so no markup) in it.
//
// Input layout: byte 0 seeds the cuts, byte 1 picks the limits, the rest is
// the answer.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "agent/speech/markup_parser.h"
#include "agent/speech/sentence_segmenter.h"
#include "agent/text/utf8.h"
#include "tests/unit/support/byte_splits.h"

namespace {

using namespace vic_r1::speech;

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "%s: [%.*s]\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void check_sentence(std::string_view sentence, std::size_t max_bytes) {
  if (sentence.empty()) fail("empty sentence", sentence);
  if (sentence.size() > max_bytes) fail("sentence over the limit", sentence);
  if (sentence.front() == ' ' || sentence.back() == ' ') fail("space at an end", sentence);
  if (sentence.find_first_of("{}") != std::string_view::npos) fail("brace in a sentence", sentence);
  for (std::size_t at = 0; at < sentence.size();) {
    const std::size_t length = vic_r1::text::utf8_sequence_length(
        reinterpret_cast<const unsigned char*>(sentence.data()) + at, sentence.size() - at);
    if (length == 0) fail("invalid UTF-8 in a sentence", sentence);
    at += length;
  }
}

// Everything the path said and did, in order, as one string.
std::string run(const vic_r1::test::Pieces& pieces, const SentenceSegmenter::Options& options) {
  MarkupParser parser;
  SentenceSegmenter segmenter(options);
  std::vector<MarkupPiece> markup;
  std::vector<std::string> sentences;
  std::string transcript;
  auto take_sentences = [&] {
    for (const std::string& sentence : sentences) {
      check_sentence(sentence, options.max_sentence_bytes);
      transcript += "S" + std::to_string(sentence.size()) + ":" + sentence;
    }
    sentences.clear();
  };
  auto take_markup = [&] {
    for (const MarkupPiece& piece : markup) {
      switch (piece.kind) {
        case MarkupPiece::Kind::kText:
          if (piece.text.empty()) fail("empty text piece", "");
          segmenter.feed(piece.text, sentences);
          break;
        case MarkupPiece::Kind::kCommand:
          if (piece.command == MarkupCommand::kPlayAnimation) segmenter.flush(sentences);
          take_sentences();
          transcript += "C" + std::to_string(static_cast<int>(piece.command)) + ":" + piece.argument + "|";
          break;
        case MarkupPiece::Kind::kDropped:
          if (piece.text.size() > MarkupParser::kMaxDroppedBytes)
            fail("dropped markup over its bound", piece.text);
          take_sentences();
          transcript += "D:" + piece.text + "|";
          break;
      }
      take_sentences();
    }
    markup.clear();
  };
  for (std::string_view piece : pieces) {
    parser.feed(piece, markup);
    take_markup();
  }
  parser.finish(markup);
  take_markup();
  segmenter.flush(sentences);
  take_sentences();
  if (segmenter.has_pending()) fail("pending after flush", "");
  return transcript;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  SentenceSegmenter::Options options;
  // Small limits now and then, so the cutting paths are explored too.
  if (data[1] & 1) {
    options.max_sentence_bytes = 4 + data[1] % 60;
    options.clause_cut_bytes = data[1] / 4;
  }
  const std::string_view answer(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::string whole = run({answer}, options);
  const std::size_t max_piece = 1 + data[0] % 16;
  const std::string cut = run(vic_r1::test::random_pieces(answer, data[0], max_piece), options);
  if (whole != cut) {
    std::fprintf(stderr, "chunking changed the result\nwhole: %s\ncut:   %s\n", whole.c_str(), cut.c_str());
    std::abort();
  }
  return 0;
}
