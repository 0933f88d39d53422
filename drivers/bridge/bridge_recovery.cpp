#include "drivers/bridge/bridge_recovery.h"

#include <charconv>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace vic_r1::bridge {

RecoveryPlan plan_recovery(bool was_between, const std::vector<std::uint64_t>& failures_s) {
  RecoveryPlan plan;
  if (!was_between) {
    plan.explanation =
        "vic-r1 failed before it stood between vic-engine and vic-anim: they talk to each other "
        "directly, and nothing needs restarting";
    return plan;
  }
  plan.restart_robot = true;
  const std::uint64_t now_s = failures_s.empty() ? 0 : failures_s.back();
  int recent = 0;
  for (std::uint64_t at : failures_s)
    if (now_s - at <= kFailureWindowS) ++recent;
  if (recent >= kMaxFailures) {
    plan.give_up_on_vic_r1 = true;
    plan.explanation = "vic-r1 failed " + std::to_string(recent) + " times in " +
                       std::to_string(kFailureWindowS / 60) +
                       " minutes: it is masked until the next boot (systemctl unmask --runtime vic-r1 to try "
                       "again), and the robot's processes restart without it";
    return plan;
  }
  plan.explanation =
      "vic-r1 stopped unexpectedly, which cut vic-engine and vic-cloud off from the robot: "
      "restarting the robot's processes (anki-robot.target) so that they reconnect through a new "
      "vic-r1";
  return plan;
}

std::vector<std::uint64_t> record_failure(const std::string& path, std::uint64_t now_s, std::string& error) {
  constexpr std::size_t kKept = 10;
  std::vector<std::uint64_t> failures;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::uint64_t value = 0;
    const auto parsed = std::from_chars(line.data(), line.data() + line.size(), value);
    // Seconds since boot only grow: a larger one is from another boot's file.
    if (parsed.ec == std::errc() && parsed.ptr == line.data() + line.size() && value <= now_s)
      failures.push_back(value);
  }
  failures.push_back(now_s);
  if (failures.size() > kKept) failures.erase(failures.begin(), failures.end() - kKept);
  std::ofstream out(path, std::ios::trunc);
  for (std::uint64_t at : failures) out << at << '\n';
  if (!out) error = "cannot write " + path + ": " + std::strerror(errno);
  return failures;
}

}  // namespace vic_r1::bridge
