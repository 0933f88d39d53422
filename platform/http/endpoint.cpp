#include "platform/http/endpoint.h"

namespace vic_r1::platform {

std::string Endpoint::host_header() const {
  std::string header = host.find(':') == std::string::npos ? host : "[" + host + "]";
  if (port != default_port()) header += ":" + std::to_string(port);
  return header;
}

std::string Endpoint::base_url() const {
  return (encrypted ? "https://" : "http://") + host_header() + path_prefix;
}

}  // namespace vic_r1::platform
