#include "platform/tls/tls_library.h"

#include <mbedtls/error.h>
#include <mbedtls/version.h>

#include <cstdio>

namespace vic_r1::platform {

std::string tls_library_version() {
  // Mbed TLS documents 18 bytes as enough for the full version string.
  char full_name[32] = {};
  mbedtls_version_get_string_full(full_name);
  return full_name;
}

std::string tls_library_error_text(int code) {
  char text[160] = {};
  mbedtls_strerror(code, text, sizeof text);
  char number[24] = {};
  std::snprintf(number, sizeof number, " (-0x%04X)", static_cast<unsigned>(-code));
  return std::string(text) + number;
}

}  // namespace vic_r1::platform
