#pragma once

#include <string>

namespace vic_r1::platform {

// The TLS library linked into this binary, as it reports itself at run time
// (e.g. "Mbed TLS 3.6.6"), so a bug report names the exact version shipped.
std::string tls_library_version();

}  // namespace vic_r1::platform
