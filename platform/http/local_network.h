#pragma once

#include <boost/asio/ip/address.hpp>

namespace vic_r1::platform {

// Whether an address is on this machine or its local network: loopback
// (127/8, ::1), private (RFC 1918: 10/8, 172.16/12, 192.168/16), link-local
// (169.254/16, fe80::/10) or an IPv6 unique local address (fc00::/7),
// IPv4-mapped IPv6 judged as the IPv4 address it carries. Plain http:// goes
// only to these: an owner's own model server on the LAN, never the internet.
bool is_local_network_address(const boost::asio::ip::address& address);

}  // namespace vic_r1::platform
