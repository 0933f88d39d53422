#include "agent/runtime/doctor_check.h"

namespace vic_r1::runtime {

const char* verdict_name(DoctorCheck::Verdict verdict) {
  switch (verdict) {
    case DoctorCheck::Verdict::kOk:
      return "ok";
    case DoctorCheck::Verdict::kWarning:
      return "warning";
    case DoctorCheck::Verdict::kFailed:
      return "failed";
  }
  return "failed";
}

}  // namespace vic_r1::runtime
