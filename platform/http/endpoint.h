#pragma once

#include <cstdint>
#include <string>

namespace vic_r1::platform {

// Where the chat endpoint lives, from a base URL such as
// "https://api.together.xyz/v1" (config: parse_base_url); the HTTPS client
// takes its host, port and Host header from here. https, verified, except an
// owner's own server on the local network (Ollama, llama.cpp, vLLM): for
// http:// the client connects only when every address the host name has is
// on the local network (local_network.h), and refuses otherwise.
struct Endpoint {
  std::string host;  // lower case, no brackets around an IPv6 literal, no trailing dot
  std::uint16_t port = 443;
  std::string path_prefix;  // "" or e.g. "/v1"; never ends in '/'
  bool encrypted = true;    // false: http://, local network only

  // "https://host[:port]/prefix", the normalised base URL (for logs).
  std::string base_url() const;
  // The HTTP Host header value: the port only when it is not the scheme's
  // (443, 80), and an IPv6 literal in brackets.
  std::string host_header() const;
  std::uint16_t default_port() const { return encrypted ? 443 : 80; }
};

}  // namespace vic_r1::platform
