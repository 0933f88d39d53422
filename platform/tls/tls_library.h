#pragma once

#include <string>

namespace vic_r1::platform {

// The TLS library linked into this binary, as it reports itself at run time
// (e.g. "Mbed TLS 3.6.6"), so a bug report names the exact version shipped.
std::string tls_library_version();

// Mbed TLS's own words for one of its error codes, with the code in hex
// (e.g. "X509 - Certificate verification failed (-0x2700)"), for logs and
// error details.
std::string tls_library_error_text(int code);

}  // namespace vic_r1::platform
