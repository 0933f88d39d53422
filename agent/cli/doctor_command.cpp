#include "agent/cli/doctor_command.h"

#include <sys/timex.h>

#include <chrono>
#include <ctime>
#include <fstream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "agent/cli/command_line.h"
#include "agent/cli/control_commands.h"
#include "agent/cli/doctor_findings.h"
#include "agent/cli/firmware_detection.h"
#include "agent/runtime/control_client.h"
#include "agent/runtime/doctor_check.h"
#include "agent/runtime/provider_probe.h"
#include "agent/stream/server_profiles.h"
#include "platform/config/agent_config.h"

namespace vic_r1::cli {

const char* const kDoctorUsage =
    "usage: vic-r1 doctor [--json] [--config FILE] [--socket-dir DIR]\n"
    "  Checks what vic-r1 needs, one line each: ok, warning or failed, with the reason\n"
    "  and the fix. The config; the firmware family (from /anki/etc/version); the running\n"
    "  service and its link to the robot's processes; whether the voice server answers by\n"
    "  itself too; the clock (Vector has no clock of its own that survives power-off);\n"
    "  and for each provider its key file, CA bundle, DNS, TCP and TLS, and whether it\n"
    "  accepts the key (a request for one token, dropped at its status line).\n"
    "  --json            one JSON object instead\n"
    "  --config FILE     the config (default /data/vic-r1/config.json)\n"
    "  --socket-dir DIR  where the service's control socket is (default: the config's)\n"
    "  Exit status: 0 nothing failed; 1 a check failed; 2 usage.\n";

namespace {

using runtime::DoctorCheck;
using Verdict = DoctorCheck::Verdict;

constexpr std::chrono::milliseconds kStatusDeadline{5000};

DoctorCheck check_clock() {
  timex state{};
  const bool synchronised = ::adjtimex(&state) != TIME_ERROR && (state.status & STA_UNSYNC) == 0;
  return clock_finding(std::time(nullptr), synchronised);
}

DoctorCheck check_firmware() {
  std::ifstream file(kVictorVersionFile);
  std::string version;
  if (!file || !std::getline(file, version)) return firmware_finding(std::nullopt);
  return firmware_finding(version);
}

// The running service's own account of itself, and of the voice server.
void check_service(const std::string& socket_path, std::vector<DoctorCheck>& checks) {
  std::string reply;
  const std::string failure = runtime::exchange_with_agent(
      socket_path, "status --json", kStatusDeadline, [&reply](std::string_view line) { reply.append(line); });
  if (!failure.empty()) {
    checks.push_back({"service", Verdict::kFailed, failure,
                      "start it: systemctl start vic-r1 (its log: journalctl -u vic-r1)"});
    return;
  }
  rapidjson::Document status;
  status.Parse(reply.data(), reply.size());
  if (status.HasParseError() || !status.IsObject() || !status.HasMember("robot_link")) {
    checks.push_back({"service", Verdict::kFailed, "the service's status is unreadable", "flash vic-r1 again"});
    return;
  }
  const rapidjson::Value& link = status["robot_link"];
  const bool can_speak = link.HasMember("can_speak") && link["can_speak"].IsBool() && link["can_speak"].GetBool();
  const std::string detail = link.HasMember("detail") && link["detail"].IsString() ? link["detail"].GetString()
                                                                                   : std::string();
  if (can_speak) {
    checks.push_back({"service", Verdict::kOk, "running; robot link ready: " + detail, {}});
  } else {
    checks.push_back({"service", Verdict::kWarning, "running, but it cannot speak yet: " + detail,
                      "wait for vic-anim and vic-engine to come up; if it stays, restart the robot's processes"});
  }
  if (status.HasMember("voice_server_answers") && status["voice_server_answers"].IsObject()) {
    const rapidjson::Value& answers = status["voice_server_answers"];
    const std::string warning = answers.HasMember("warning") && answers["warning"].IsString()
                                    ? answers["warning"].GetString()
                                    : std::string();
    if (warning.empty()) {
      checks.push_back({"voice server", Verdict::kOk, "has not been heard answering by itself", {}});
    } else {
      checks.push_back({"voice server", Verdict::kWarning, "it answers questions with its own LLM too", warning});
    }
  }
}

void print_text(const std::vector<DoctorCheck>& checks, std::ostream& out) {
  for (const DoctorCheck& check : checks) {
    std::string verdict = runtime::verdict_name(check.verdict);
    verdict.resize(8, ' ');
    out << verdict << check.name << ": " << check.detail;
    if (!check.fix.empty()) out << " -- " << check.fix;
    out << "\n";
  }
}

void print_json(const std::vector<DoctorCheck>& checks, std::ostream& out) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("checks");
  writer.StartArray();
  int failed = 0;
  int warnings = 0;
  for (const DoctorCheck& check : checks) {
    failed += check.verdict == Verdict::kFailed;
    warnings += check.verdict == Verdict::kWarning;
    writer.StartObject();
    writer.Key("name");
    writer.String(check.name.c_str(), static_cast<rapidjson::SizeType>(check.name.size()));
    writer.Key("verdict");
    writer.String(runtime::verdict_name(check.verdict));
    writer.Key("detail");
    writer.String(check.detail.c_str(), static_cast<rapidjson::SizeType>(check.detail.size()));
    writer.Key("fix");
    writer.String(check.fix.c_str(), static_cast<rapidjson::SizeType>(check.fix.size()));
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("failed");
  writer.Int(failed);
  writer.Key("warnings");
  writer.Int(warnings);
  writer.EndObject();
  out << buffer.GetString() << "\n";
}

}  // namespace

int run_doctor(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  ServiceQueryOptions options;
  if (const auto done = parse_service_query_options(arguments, "doctor", kDoctorUsage, options, out, err)) {
    return *done;
  }
  const std::string& config_path = options.config_path;

  std::vector<DoctorCheck> checks;
  platform::AgentConfig config;
  std::vector<std::string> config_errors;
  const bool config_usable =
      platform::load_agent_config_file(config_path, stream::server_profile_names(), config, config_errors);
  if (config_usable) {
    checks.push_back({"config", Verdict::kOk, config_path, {}});
  } else {
    std::string problems;
    for (const std::string& error : config_errors) problems += (problems.empty() ? "" : "; ") + error;
    checks.push_back(
        {"config", Verdict::kFailed, problems, "vic-r1 check-config " + config_path + " says what to write"});
  }
  checks.push_back(check_firmware());
  check_service(control_socket_path(options.socket_dir, config_path), checks);
  checks.push_back(check_clock());
  if (config_usable) {
    for (const DoctorCheck& check : runtime::probe_provider(config.provider, config.timeouts))
      checks.push_back(check);
    for (const platform::ProviderConfig& fallback : config.fallbacks) {
      for (const DoctorCheck& check : runtime::probe_provider(fallback, config.timeouts)) checks.push_back(check);
    }
  }

  if (options.json) {
    print_json(checks, out);
  } else {
    print_text(checks, out);
  }
  for (const DoctorCheck& check : checks) {
    if (check.verdict == Verdict::kFailed) return kExitDoctorFoundFailures;
  }
  return kExitOk;
}

}  // namespace vic_r1::cli
