// Standard and project headers before CppUTest's (its macros must not reach them).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "platform/process/service_notifier.h"
#include "tests/unit/support/temporary_directory.h"

#include <CppUTest/TestHarness.h>

using vic_r1::process::ServiceNotifier;
using vic_r1::test::TemporaryDirectory;

// systemd's end of sd_notify(3): a datagram socket at NOTIFY_SOCKET.

TEST_GROUP(ServiceNotifier) {
  TemporaryDirectory directory;
  int systemd = -1;
  std::string path;

  void setup() override {
    path = directory.file("notify");
    systemd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un address;
    std::memset(&address, 0, sizeof(address));
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.size());
    CHECK_EQUAL(0, ::bind(systemd, reinterpret_cast<sockaddr*>(&address), sizeof(address)));
  }
  void teardown() override { ::close(systemd); }

  std::string received() {
    char buffer[1024];
    const ssize_t size = ::recv(systemd, buffer, sizeof(buffer), MSG_DONTWAIT);
    return size < 0 ? "<nothing>" : std::string(buffer, static_cast<std::size_t>(size));
  }
};

TEST(ServiceNotifier, ReadyIsSentOnceWithItsStatus) {
  ServiceNotifier notifier(path);
  CHECK_TRUE(notifier.enabled());
  notifier.ready("between vic-engine and vic-anim");
  STRCMP_EQUAL("READY=1\nSTATUS=between vic-engine and vic-anim", received().c_str());
  CHECK_TRUE(notifier.ready_sent());
  notifier.ready("again");
  STRCMP_EQUAL("STATUS=again", received().c_str());
}

TEST(ServiceNotifier, StatusAndStoppingCarryOneLine) {
  ServiceNotifier notifier(path);
  notifier.status("two\nlines");
  STRCMP_EQUAL("STATUS=two lines", received().c_str());
  notifier.stopping("putting the sockets back");
  STRCMP_EQUAL("STOPPING=1\nSTATUS=putting the sockets back", received().c_str());
  LONGS_EQUAL(0, notifier.failed_sends());
}

TEST(ServiceNotifier, WithoutNotifySocketNothingIsSent) {
  ServiceNotifier notifier("");
  CHECK_FALSE(notifier.enabled());
  notifier.ready("x");
  STRCMP_EQUAL("<nothing>", received().c_str());
  LONGS_EQUAL(0, notifier.failed_sends());
}

TEST(ServiceNotifier, AGoneSystemdCostsNothingButACount) {
  ServiceNotifier notifier(directory.file("nobody"));
  notifier.ready("x");
  LONGS_EQUAL(1, notifier.failed_sends());
}
