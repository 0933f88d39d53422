#pragma once

#include <vector>

#include "agent/runtime/doctor_check.h"
#include "platform/config/agent_config.h"

namespace vic_r1::runtime {

// Whether one provider can be asked from here, step by step, as the agent
// would ask it: its key file, its CA bundle, DNS for its host, TCP and TLS
// to it (the certificate verified as always), and whether it accepts the
// key: a request for one token, whose response is dropped at its status
// line, so it costs nothing or one token. A step that cannot run because
// one before it failed is not reported. Every wait has the config's
// deadlines.
std::vector<DoctorCheck> probe_provider(const platform::ProviderConfig& provider,
                                        const platform::HttpDeadlines& deadlines);

}  // namespace vic_r1::runtime
