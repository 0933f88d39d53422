#pragma once

#include "agent/stream/field_reader.h"
#include "agent/stream/payload_parser.h"
#include "agent/stream/stream_chunk.h"

namespace vic_r1::stream::chunk_json {

// Fills `chunk` from an OpenAI-compatible chunk's fields, by the rules
// chunk_decoder.h states: choices[0].delta.content is the answer channel,
// delta.reasoning_content | reasoning | reasoning_details the reasoning,
// finish_reason and usage. (An error payload and the model, which every
// format shares, are read before.) False, with the error in `read`'s string,
// when a field has a type the format forbids.
bool read_openai_chunk(const PayloadParser& parser, StreamChunk& chunk, FieldReader& read);

}  // namespace vic_r1::stream::chunk_json
