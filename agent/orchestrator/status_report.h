#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/orchestrator/answer_status.h"

namespace vic_r1::orchestrator {

// Everything `vic-r1 status` shows, gathered by the runtime at the moment of
// the request.
struct StatusSnapshot {
  std::string state;  // the orchestrator's: idle, listening, thinking, speaking
  bool robot_can_inject = false;
  std::string robot_link;  // the bridge's word on the link and the firmware layout
  struct Provider {
    std::string name;
    std::string base_url;
    std::string model;
    std::string problem;  // why it cannot be asked; empty when it can
  };
  std::vector<Provider> providers;  // in the order they are tried
  std::optional<QuestionReport> last_question;
  AgentTotals totals;
  std::string last_error;
  VoiceServerAnswers voice_server_answers;
  long long agent_pid = 0;
  long long uptime_s = 0;
  std::size_t heap_in_use_bytes = 0;  // from the allocator's own statistics
  std::size_t heap_peak_bytes = 0;    // the most seen in use while answering
  std::size_t peak_rss_bytes = 0;
  // The process holds the API key: it writes no core dump and cannot be
  // traced by another user (prctl PR_SET_DUMPABLE 0).
  bool dumpable = true;
};

// Human-readable, a line per fact.
std::string format_status_text(const StatusSnapshot& status);
// One JSON object (times in milliseconds).
std::string format_status_json(const StatusSnapshot& status);

}  // namespace vic_r1::orchestrator
