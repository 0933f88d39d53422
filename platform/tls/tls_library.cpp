#include "platform/tls/tls_library.h"

#include <mbedtls/version.h>

namespace vic_r1::platform {

std::string tls_library_version() {
  // Mbed TLS documents 18 bytes as enough for the full version string.
  char full_name[32] = {};
  mbedtls_version_get_string_full(full_name);
  return full_name;
}

}  // namespace vic_r1::platform
