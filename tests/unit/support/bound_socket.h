#pragma once

// A real AF_UNIX datagram socket with the robot's settings, bound at a path
// in a test's scratch directory (or unbound, for an empty path): the robot's
// processes and their clients, as the unit tests arrange them.

#include <string>

#include "drivers/ipc/unix_datagram_socket.h"

#include <CppUTest/TestHarness.h>

namespace vic_r1::test {

inline ipc::UnixDatagramSocket bound_socket(const std::string& path) {
  ipc::UnixDatagramSocket socket;
  std::string error;
  if (!socket.open(error)) FAIL(error.c_str());
  if (!path.empty() && !socket.bind(path, error)) FAIL(error.c_str());
  return socket;
}

}  // namespace vic_r1::test
