#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace vic_r1::cli {

// Exit statuses shared by every verb.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;

// Runs one invocation of `vic-r1 VERB ...` (arguments without the program
// name) and returns its exit status. Output goes to the given streams so the
// dispatcher is testable without a process.
int run_command_line(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

// Every number on vic-r1's command line: decimal digits only (no sign, no
// spaces, at most 9 of them), from `low` to `high`. False (and `value`
// unchanged) for anything else.
bool parse_whole_number(const std::string& text, std::uint64_t low, std::uint64_t high, std::uint64_t& value);

// A duration option's value: 1 to 999,999,999 milliseconds.
bool parse_milliseconds(const std::string& text, std::uint64_t& value);

}  // namespace vic_r1::cli
