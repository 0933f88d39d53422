#pragma once

#include "agent/stream/field_reader.h"
#include "agent/stream/payload_parser.h"
#include "agent/stream/stream_chunk.h"

namespace vic_r1::stream::chunk_json {

// Fills `chunk` from the fields of a line of Ollama's native /api/chat, by
// the rules chunk_decoder.h states: message.content is the answer channel,
// message.thinking the reasoning, `done: true` the finish with its usage.
// (An error payload and the model, which every format shares, are read
// before.) False, with the error in `read`'s string, when a field has a type
// the format forbids.
bool read_ollama_line(const PayloadParser& parser, StreamChunk& chunk, FieldReader& read);

}  // namespace vic_r1::stream::chunk_json
