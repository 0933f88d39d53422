#pragma once

#include <string>

namespace vic_r1::runtime {

// One line of `vic-r1 doctor`: what was checked, how it went, and when it
// did not go well, why and what to do about it.
struct DoctorCheck {
  enum class Verdict { kOk, kWarning, kFailed };
  std::string name;  // "config", "DeepSeek TLS", ...
  Verdict verdict = Verdict::kOk;
  std::string detail;  // what was found
  std::string fix;     // empty when there is nothing to do
};

const char* verdict_name(DoctorCheck::Verdict verdict);  // "ok", "warning", "failed"

}  // namespace vic_r1::runtime
