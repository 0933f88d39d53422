#include "agent/stream/openai_chunk_fields.h"

#include <string_view>
#include <vector>

namespace vic_r1::stream::chunk_json {
namespace {

bool decode_reasoning_details(const PayloadFields& fields, const std::vector<std::string_view>& texts,
                              const FieldPath& delta_path, bool add_text, StreamChunk& chunk, FieldReader& read,
                              bool& holds_text) {
  const DeltaFields& delta = fields.delta;
  holds_text = false;
  const FieldPath details_path{&delta_path, "reasoning_details"};
  const Field* details = nullptr;
  if (!read.array_field(delta.reasoning_details, details_path, details)) return false;
  if (details == nullptr) return true;
  if (delta.details_broken) return read.broken_element(fields.broken_detail, details_path);
  holds_text = delta.details_hold_text;
  if (add_text) {
    for (const std::string_view text : texts) chunk.reasoning.append(text);
  }
  return true;
}

bool decode_delta(const PayloadFields& fields, const std::vector<std::string_view>& detail_texts,
                  const FieldPath& delta_path, StreamChunk& chunk, FieldReader& read) {
  const DeltaFields& delta = fields.delta;
  const Field* content = nullptr;
  const Field* reasoning_content = nullptr;
  const Field* reasoning = nullptr;
  if (!read.string_field(delta.content, FieldPath{&delta_path, "content"}, content) ||
      !read.string_field(delta.reasoning_content, FieldPath{&delta_path, "reasoning_content"},
                         reasoning_content) ||
      !read.string_field(delta.reasoning, FieldPath{&delta_path, "reasoning"}, reasoning)) {
    return false;
  }
  assign_text(chunk.content, content);

  // Servers that send several reasoning fields repeat one text in each, so
  // the first that holds a string is the text.
  const Field* reasoning_text = reasoning_content != nullptr ? reasoning_content : reasoning;
  bool details_hold_text = false;
  if (!decode_reasoning_details(fields, detail_texts, delta_path, reasoning_text == nullptr, chunk, read,
                                details_hold_text)) {
    return false;
  }
  assign_text(chunk.reasoning, reasoning_text);
  chunk.has_reasoning_field = reasoning_text != nullptr || details_hold_text;
  return true;
}

bool decode_choice(const PayloadFields& fields, const std::vector<std::string_view>& detail_texts,
                   const FieldPath& choice_path, StreamChunk& chunk, FieldReader& read) {
  const ChoiceFields& choice = fields.choice;
  const FieldPath delta_path{&choice_path, "delta"};
  const Field* delta = nullptr;
  if (!read.object_field(choice.delta, delta_path, delta)) return false;
  if (delta != nullptr && !decode_delta(fields, detail_texts, delta_path, chunk, read)) return false;
  const Field* finish_reason = nullptr;
  if (!read.string_field(choice.finish_reason, FieldPath{&choice_path, "finish_reason"}, finish_reason)) {
    return false;
  }
  assign_text(chunk.finish_reason, finish_reason);
  return true;
}

bool decode_choices(const PayloadFields& fields, const std::vector<std::string_view>& detail_texts,
                    StreamChunk& chunk, FieldReader& read) {
  const FieldPath choices_path{nullptr, "choices"};
  const Field* choices = nullptr;
  if (!read.array_field(fields.top.choices, choices_path, choices)) return false;
  if (choices == nullptr) return true;
  switch (fields.top.choice_search) {
    case ChoiceSearch::kBroken:
      return read.broken_element(fields.broken_choice, choices_path);
    case ChoiceSearch::kFound:
      return decode_choice(fields, detail_texts, FieldPath{&choices_path, {}, fields.top.choice_position}, chunk,
                           read);
    case ChoiceSearch::kLooking:
      break;
  }
  return true;  // no choice for index 0
}

bool decode_usage(const PayloadFields& fields, StreamChunk& chunk, FieldReader& read) {
  const FieldPath usage_path{nullptr, "usage"};
  const Field* usage = nullptr;
  if (!read.object_field(fields.top.usage, usage_path, usage)) return false;
  if (usage == nullptr) return true;
  chunk.has_usage = true;
  TokenUsage& counts = chunk.usage;
  const FieldPath details_path{&usage_path, "completion_tokens_details"};
  const Field* details = nullptr;
  if (!read.count_field(fields.usage.prompt_tokens, FieldPath{&usage_path, "prompt_tokens"},
                        counts.prompt_tokens) ||
      !read.count_field(fields.usage.completion_tokens, FieldPath{&usage_path, "completion_tokens"},
                        counts.completion_tokens) ||
      !read.count_field(fields.usage.total_tokens, FieldPath{&usage_path, "total_tokens"}, counts.total_tokens) ||
      !read.object_field(fields.usage.completion_tokens_details, details_path, details)) {
    return false;
  }
  return details == nullptr ||
         read.count_field(fields.usage.reasoning_tokens, FieldPath{&details_path, "reasoning_tokens"},
                          counts.reasoning_tokens);
}

}  // namespace

bool read_openai_chunk(const PayloadParser& parser, StreamChunk& chunk, FieldReader& read) {
  const PayloadFields& fields = parser.fields();
  return decode_choices(fields, parser.detail_texts(), chunk, read) && decode_usage(fields, chunk, read);
}

}  // namespace vic_r1::stream::chunk_json
