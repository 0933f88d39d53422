#include <iostream>
#include <string>
#include <vector>

#include "agent/cli/command_line.h"

int main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  return vic_r1::cli::run_command_line(arguments, std::cout, std::cerr);
}
