#pragma once

// What an error payload says: the message of an error inside a stream
// (`{"error":{...}}` after HTTP 200, or an Ollama `{"error":"..."}` line), with
// the code and type that name its cause. error_message_from_payload, declared
// in chunk_decoder.h, reads any error body the same way.

#include <string_view>

#include "agent/stream/payload_fields.h"
#include "agent/stream/stream_chunk.h"

namespace vic_r1::stream::chunk_json {

// When the payload is an error, fills the chunk from it and returns true. The
// model is kept only when well formed: a bad one must not hide the error.
bool take_stream_error(const PayloadFields& fields, std::string_view payload, StreamChunk& chunk);

}  // namespace vic_r1::stream::chunk_json
