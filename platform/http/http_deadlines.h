#pragma once

#include <chrono>

namespace vic_r1::platform {

// Every wait of a request has a deadline; none is optional.
struct HttpDeadlines {
  std::chrono::milliseconds dns{5000};
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds tls_handshake{10000};
  // From the start of the request's write to the end of the response headers
  // (the write gets the same length of deadline on its own).
  std::chrono::milliseconds response_headers{60000};
  // Longest wait between two data events, reset only by data, never by
  // comments: DeepSeek may hold a busy request with keep-alive comments for minutes.
  std::chrono::milliseconds data_idle{120000};
  std::chrono::milliseconds overall{300000};  // the whole answer, retries included
  // How long a TLS connection waits for the wall clock to be set (right
  // after boot Vector's is not, and no certificate can verify): about as
  // long as someone waits for an answer. Not in the config: the robot sets
  // its clock within seconds once it is online.
  std::chrono::milliseconds wall_clock{20000};
};

}  // namespace vic_r1::platform
