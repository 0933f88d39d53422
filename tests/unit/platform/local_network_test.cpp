#include <boost/asio/ip/address.hpp>

#include "platform/http/local_network.h"

#include <CppUTest/TestHarness.h>

using vic_r1::platform::is_local_network_address;

namespace {

bool local(const char* text) { return is_local_network_address(boost::asio::ip::make_address(text)); }

}  // namespace

TEST_GROUP(LocalNetwork){};

TEST(LocalNetwork, LoopbackPrivateAndLinkLocalIpv4AreLocal) {
  for (const char* address : {"127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1",
                              "172.31.255.255", "192.168.0.1", "192.168.255.255", "169.254.10.20"}) {
    CHECK_TRUE_TEXT(local(address), address);
  }
}

TEST(LocalNetwork, EveryOtherIpv4IsNotEvenAtTheRangesEdges) {
  for (const char* address : {"8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0",
                              "192.167.255.255", "192.169.0.0", "169.253.255.255", "169.255.0.0", "100.64.0.1",
                              "203.0.113.5", "0.0.0.0", "255.255.255.255", "128.0.0.1"}) {
    CHECK_FALSE_TEXT(local(address), address);
  }
}

TEST(LocalNetwork, Ipv6LoopbackUniqueLocalAndLinkLocalAreLocal) {
  for (const char* address : {"::1", "fc00::1", "fd12:3456:789a::1", "fe80::1", "febf::ffff"}) {
    CHECK_TRUE_TEXT(local(address), address);
  }
  for (const char* address : {"2001:db8::1", "2a00:1450::1", "fec0::1", "fbff::1", "ff02::1", "::"}) {
    CHECK_FALSE_TEXT(local(address), address);
  }
}

TEST(LocalNetwork, Ipv4MappedIpv6IsJudgedAsItsIpv4) {
  CHECK_TRUE(local("::ffff:192.168.1.5"));
  CHECK_TRUE(local("::ffff:127.0.0.1"));
  CHECK_FALSE(local("::ffff:8.8.8.8"));
}
