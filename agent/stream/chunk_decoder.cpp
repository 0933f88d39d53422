#include "agent/stream/chunk_decoder.h"

#include <memory>
#include <string>

#include "agent/stream/field_reader.h"
#include "agent/stream/ollama_line_fields.h"
#include "agent/stream/openai_chunk_fields.h"
#include "agent/stream/payload_parser.h"
#include "agent/stream/stream_error_message.h"

// How a payload is decoded:
// 1. PayloadParser (payload_parser) copies it, to decode its strings in place.
// 2. InPlaceJsonParser (in_place_json_parser.h) parses the copy; on anything
//    unusual it gives up and RapidJSON's parser parses a fresh copy instead,
//    and reports any error.
// 3. Either parser sends its events to FieldCollector (field_collector.h),
//    which keeps only the values the decoder reads (PayloadFields, in
//    payload_fields.h), as views into the copy.
// 4. The reading rules (openai_chunk_fields, ollama_line_fields) check those
//    values' types in the format's order (FieldReader, in field_reader.h) and
//    fill the StreamChunk; an error payload's message is read by
//    stream_error_message.

namespace vic_r1::stream {

using namespace chunk_json;

namespace {

using FormatReader = bool (*)(const PayloadParser&, StreamChunk&, FieldReader&);

// What every format shares: an error payload yields only the error (and the
// model, when well formed); any other payload, its model and then the fields
// of its format.
bool read_payload(const PayloadParser& parser, std::string_view payload, StreamChunk& chunk, FieldReader& read,
                  FormatReader read_format) {
  const PayloadFields& fields = parser.fields();
  if (take_stream_error(fields, payload, chunk)) return true;
  const Field* model = nullptr;
  if (!read.string_field(fields.top.model, FieldPath{nullptr, "model"}, model)) return false;
  assign_text(chunk.model, model);
  return read_format(parser, chunk, read);
}

}  // namespace

struct ChunkDecoder::Parser : PayloadParser {};

ChunkDecoder::ChunkDecoder() = default;
ChunkDecoder::~ChunkDecoder() = default;
ChunkDecoder::ChunkDecoder(ChunkDecoder&&) noexcept = default;
ChunkDecoder& ChunkDecoder::operator=(ChunkDecoder&&) noexcept = default;

bool ChunkDecoder::parse(std::string_view payload) {
  // Made on first use, so a decoder that never decodes (or was moved from)
  // holds no memory, and one that was moved from still works.
  if (!parser_) parser_ = std::make_unique<Parser>();
  if (!parser_->parse(payload, error_)) return false;
  const JsonKind root = parser_->fields().top.payload.kind;
  if (root != JsonKind::kObject) {
    error_ = std::string("payload is ") + describe(root) + "; expected a JSON object";
    return false;
  }
  return true;
}

bool ChunkDecoder::decode_openai_chunk(std::string_view payload, StreamChunk& chunk) {
  chunk.clear();
  error_.clear();
  FieldReader read(error_);
  if (parse(payload) && read_payload(*parser_, payload, chunk, read, read_openai_chunk)) return true;
  chunk.clear();
  return false;
}

bool ChunkDecoder::decode_ollama_line(std::string_view payload, StreamChunk& chunk) {
  chunk.clear();
  error_.clear();
  FieldReader read(error_);
  if (parse(payload) && read_payload(*parser_, payload, chunk, read, read_ollama_line)) return true;
  chunk.clear();
  return false;
}

std::size_t ChunkDecoder::retained_bytes() const {
  if (!parser_) return 0;
  return sizeof(Parser) + parser_->held_bytes();
}

}  // namespace vic_r1::stream
