#pragma once

// Where tls_peer.py put its servers for this test run: the directory named
// by VIC_R1_TLS_PEER_DIR with the CA, the valid leaf's key pin and one
// "MODE PORT" line per server. Standard headers only (include before
// CppUTest's).

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace tls_peer {

using PublicKeyPin = std::array<std::uint8_t, 32>;

inline constexpr const char* kNotRunningMessage =
    "VIC_R1_TLS_PEER_DIR is not set: run these tests through ctest, or as "
    "tests/unit/platform/tls_peer.py --run -- platform_unit_tests";

inline std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// The peer's directory, ports and pin.
struct Peer {
  std::string directory;
  std::map<std::string, unsigned short> ports;
  PublicKeyPin localhost_pin{};

  std::string ca_file() const { return directory + "/ca.pem"; }
  unsigned short port(const std::string& mode) const {
    const auto found = ports.find(mode);
    return found == ports.end() ? 0 : found->second;
  }
};

inline std::optional<PublicKeyPin> parse_pin(std::string_view hex) {
  if (hex.size() < 64) return std::nullopt;
  PublicKeyPin pin{};
  for (std::size_t i = 0; i < pin.size(); ++i) {
    unsigned value = 0;
    if (std::sscanf(std::string(hex.substr(i * 2, 2)).c_str(), "%2x", &value) != 1) return std::nullopt;
    pin[i] = static_cast<std::uint8_t>(value);
  }
  return pin;
}

// Read once; nullptr when the tests run without the peer.
inline const Peer* load() {
  static const Peer* loaded = []() -> const Peer* {
    const char* directory = std::getenv("VIC_R1_TLS_PEER_DIR");
    if (directory == nullptr || *directory == '\0') return nullptr;
    static Peer peer;
    peer.directory = directory;
    std::istringstream lines(read_file(peer.directory + "/ports"));
    std::string mode;
    unsigned port = 0;
    while (lines >> mode >> port) peer.ports[mode] = static_cast<unsigned short>(port);
    if (const auto pin = parse_pin(read_file(peer.directory + "/localhost.spki-sha256")))
      peer.localhost_pin = *pin;
    return &peer;
  }();
  return loaded;
}

}  // namespace tls_peer
