#pragma once

#include <cstdint>
#include <string>

namespace vic_r1::platform {

// Where the chat endpoint lives, from a base URL such as
// "https://api.together.xyz/v1" (config: parse_base_url); the HTTPS client
// takes its host, port and Host header from here. Only https: the answer
// path never runs unencrypted; a local server is reached through its own TLS
// reverse proxy.
struct Endpoint {
  std::string host;          // lower case, no brackets around an IPv6 literal, no trailing dot
  std::uint16_t port = 443;
  std::string path_prefix;   // "" or e.g. "/v1"; never ends in '/'

  // "https://host[:port]/prefix", the normalised base URL (for logs).
  std::string base_url() const;
  // The HTTP Host header value: the port only when it is not 443, and an
  // IPv6 literal in brackets.
  std::string host_header() const;
};

}  // namespace vic_r1::platform
