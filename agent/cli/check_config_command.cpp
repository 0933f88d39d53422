#include "agent/cli/check_config_command.h"

#include <string_view>

#include "agent/cli/command_line.h"
#include "agent/runtime/provider_files.h"
#include "agent/stream/server_profiles.h"
#include "platform/config/agent_config.h"

namespace vic_r1::cli {

const char* const kCheckConfigUsage =
    "usage: vic-r1 check-config [--files] [FILE]\n"
    "  Checks a config (default /data/vic-r1/config.json) as the agent reads it. Each\n"
    "  problem is one line: the JSON path, then what is wrong and what to write instead.\n"
    "  A usable config is summed up: each provider, its endpoint, model and files.\n"
    "  --files  also open the files the config names, as the agent on the robot does:\n"
    "           each provider's API key file (mode 0600, the key alone) and CA bundle.\n"
    "           Leave it out on a machine that is not the robot, where they do not exist.\n"
    "  Exit status: 0 usable; 10 not; 2 usage.\n";

namespace {

struct CheckConfigOptions {
  std::string path{platform::kDefaultConfigPath};
  bool files = false;
};

// The JSON path under which a provider's keys are written.
std::string key_path(std::size_t provider_index, std::string_view key) {
  if (provider_index == 0) return std::string(key);
  return "fallbacks[" + std::to_string(provider_index - 1) + "]." + std::string(key);
}

// Opens the provider's key file and CA bundle as the agent will; each
// problem goes to `problems` under its key's JSON path.
void check_files(const platform::ProviderConfig& provider, std::size_t index, std::vector<std::string>& problems,
                 std::ostream& out) {
  const runtime::ProviderFiles files = runtime::open_provider_files(provider);
  if (files.keyless) {
    out << "    key file: none (" << provider.api_key_file << " does not exist: no key is sent)\n";
  } else if (files.key_problem.empty()) {
    out << "    key file: " << provider.api_key_file << ": ok\n";
  } else {
    problems.push_back(key_path(index, "api_key_file") + ": " + files.key_problem);
  }
  if (files.tls) {
    out << "    CA bundle: " << provider.ca_file << ": ok\n";
  } else {
    problems.push_back(key_path(index, "ca_file") + ": " + files.ca_problem);
  }
}

void describe(const platform::ProviderConfig& provider, std::size_t index, bool files, std::ostream& out) {
  out << "  " << (index == 0 ? std::string("provider") : "fallback " + std::to_string(index)) << ": "
      << platform::display_name_of(provider) << ", " << provider.endpoint.base_url()
      << (provider.endpoint.encrypted ? "" : " (unencrypted: allowed only to addresses on the local network)")
      << ", model " << provider.model << ", stream profile " << provider.stream_profile << "\n";
  if (!files) {
    out << "    key file: " << provider.api_key_file << ", CA bundle: " << provider.ca_file
        << " (not opened; --files opens them)\n";
  }
}

}  // namespace

int run_check_config(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  CheckConfigOptions options;
  bool have_path = false;
  for (const std::string& argument : arguments) {
    if (argument == "--help" || argument == "-h") {
      out << kCheckConfigUsage;
      return kExitOk;
    }
    if (argument == "--files") {
      options.files = true;
    } else if (!argument.empty() && argument[0] == '-') {
      err << "vic-r1 check-config: unknown option '" << argument << "'\n" << kCheckConfigUsage;
      return kExitUsage;
    } else if (have_path) {
      err << "vic-r1 check-config: one config file at a time\n" << kCheckConfigUsage;
      return kExitUsage;
    } else {
      options.path = argument;
      have_path = true;
    }
  }

  platform::AgentConfig config;
  std::vector<std::string> errors;
  if (!platform::load_agent_config_file(options.path, stream::server_profile_names(), config, errors)) {
    // The loader's errors start with the file's path, then the JSON path.
    for (const std::string& error : errors) out << error << "\n";
    out << options.path << ": not usable (" << errors.size()
        << (errors.size() == 1 ? " problem)\n" : " problems)\n");
    return kExitConfigUnusable;
  }

  std::vector<const platform::ProviderConfig*> providers{&config.provider};
  for (const platform::ProviderConfig& fallback : config.fallbacks) providers.push_back(&fallback);
  std::vector<std::string> problems;
  out << options.path << ":\n";
  for (std::size_t i = 0; i < providers.size(); ++i) {
    describe(*providers[i], i, options.files, out);
    if (options.files) check_files(*providers[i], i, problems, out);
  }
  for (const std::string& problem : problems) out << options.path << ": " << problem << "\n";
  if (!problems.empty()) {
    out << options.path << ": not usable (" << problems.size()
        << (problems.size() == 1 ? " problem)\n" : " problems)\n");
    return kExitConfigUnusable;
  }
  out << options.path << ": usable\n";
  return kExitOk;
}

}  // namespace vic_r1::cli
