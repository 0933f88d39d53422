#include "agent/stream/ollama_line_fields.h"

#include <limits>

namespace vic_r1::stream::chunk_json {
namespace {

bool decode_ollama_done(const PayloadFields& fields, StreamChunk& chunk, FieldReader& read) {
  const Field* done_reason = nullptr;
  if (!read.string_field(fields.top.done_reason, FieldPath{nullptr, "done_reason"}, done_reason)) return false;
  if (done_reason != nullptr && !done_reason->text.empty()) {
    assign_text(chunk.finish_reason, done_reason);
  } else {
    chunk.finish_reason.assign("stop");
  }
  TokenUsage& counts = chunk.usage;
  if (!read.count_field(fields.top.prompt_eval_count, FieldPath{nullptr, "prompt_eval_count"},
                        counts.prompt_tokens) ||
      !read.count_field(fields.top.eval_count, FieldPath{nullptr, "eval_count"}, counts.completion_tokens)) {
    return false;
  }
  chunk.has_usage = counts.prompt_tokens >= 0 || counts.completion_tokens >= 0;
  const bool both_sent = counts.prompt_tokens >= 0 && counts.completion_tokens >= 0;
  if (both_sent && counts.prompt_tokens <= std::numeric_limits<long long>::max() - counts.completion_tokens) {
    counts.total_tokens = counts.prompt_tokens + counts.completion_tokens;
  }
  return true;
}

}  // namespace

bool read_ollama_line(const PayloadParser& parser, StreamChunk& chunk, FieldReader& read) {
  const PayloadFields& fields = parser.fields();
  const FieldPath message_path{nullptr, "message"};
  const Field* message = nullptr;
  if (!read.object_field(fields.top.message, message_path, message)) return false;
  if (message != nullptr) {
    const Field* content = nullptr;
    const Field* thinking = nullptr;
    if (!read.string_field(fields.message.content, FieldPath{&message_path, "content"}, content) ||
        !read.string_field(fields.message.thinking, FieldPath{&message_path, "thinking"}, thinking)) {
      return false;
    }
    assign_text(chunk.content, content);
    assign_text(chunk.reasoning, thinking);
    chunk.has_reasoning_field = thinking != nullptr;
  }

  bool done = false;
  if (!read.boolean_field(fields.top.done, FieldPath{nullptr, "done"}, done)) return false;
  return !done || decode_ollama_done(fields, chunk, read);
}

}  // namespace vic_r1::stream::chunk_json
