#include "platform/time/wall_clock.h"

namespace vic_r1::platform {

std::time_t wall_clock_now() { return std::time(nullptr); }

}  // namespace vic_r1::platform
