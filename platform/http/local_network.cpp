#include "platform/http/local_network.h"

#include <cstdint>

namespace vic_r1::platform {

namespace {

bool is_local_v4(const boost::asio::ip::address_v4& address) {
  const std::uint32_t bits = address.to_uint();
  const auto in = [bits](std::uint32_t network, int prefix) {
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    return (bits & mask) == network;
  };
  return in(0x7F000000, 8)       // 127.0.0.0/8 loopback
         || in(0x0A000000, 8)    // 10.0.0.0/8
         || in(0xAC100000, 12)   // 172.16.0.0/12
         || in(0xC0A80000, 16)   // 192.168.0.0/16
         || in(0xA9FE0000, 16);  // 169.254.0.0/16 link-local
}

bool is_local_v6(const boost::asio::ip::address_v6& address) {
  if (address.is_v4_mapped()) {
    return is_local_v4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address));
  }
  const auto bytes = address.to_bytes();
  return address.is_loopback()                                // ::1
         || (bytes[0] & 0xFE) == 0xFC                         // fc00::/7 unique local
         || (bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0x80);  // fe80::/10 link-local
}

}  // namespace

bool is_local_network_address(const boost::asio::ip::address& address) {
  return address.is_v4() ? is_local_v4(address.to_v4()) : is_local_v6(address.to_v6());
}

}  // namespace vic_r1::platform
