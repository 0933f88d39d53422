#pragma once

// PayloadParser: parses one payload into PayloadFields, first with the fast
// in-place parser and, on anything it gives up on, with RapidJSON's, whose
// verdict and error message (naming the byte) are final. It keeps its
// buffers from payload to payload, each capped.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "agent/stream/payload_fields.h"

namespace vic_r1::stream::chunk_json {

// The memory one decoder reuses from payload to payload.
class PayloadParser {
 public:
  // Parses `payload` into fields(). On failure `error` says why and where.
  bool parse(std::string_view payload, std::string& error);

  const PayloadFields& fields() const { return fields_; }
  // The texts of reasoning_details elements, in order, of the chosen choice.
  const std::vector<std::string_view>& detail_texts() const { return detail_texts_; }

  std::size_t held_bytes() const { return text_.capacity() + detail_texts_.capacity() * sizeof(std::string_view); }

 private:
  // A fresh copy of the payload to parse in place, and nothing read from it.
  void start(std::string_view payload);

  // For what the fast path gave up on: from a fresh copy, as it may have
  // decoded strings in place already. `end`: just past the JSON value.
  bool parse_with_rapidjson(std::string_view payload, std::size_t& end, std::string& error);

  std::vector<char> text_;  // the payload, decoded in place
  PayloadFields fields_;
  std::vector<std::string_view> detail_texts_;
};

}  // namespace vic_r1::stream::chunk_json
