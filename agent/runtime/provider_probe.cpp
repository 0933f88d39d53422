#include "agent/runtime/provider_probe.h"

#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "agent/conversation/chat_request.h"
#include "agent/stream/server_profiles.h"
#include "build_facts.h"
#include "agent/runtime/provider_files.h"
#include "platform/http/https_client.h"

namespace vic_r1::runtime {
namespace {

using Verdict = DoctorCheck::Verdict;
using platform::RequestFailureKind;

// Takes the status line and nothing more: once the server has said 2xx,
// the key is accepted, and the rest of the answer is not worth its tokens.
class StatusOnlySink final : public platform::ResponseBodySink {
 public:
  explicit StatusOnlySink(platform::HttpsClient& client) : client_(client) {}
  void on_response_headers(int status, std::string_view) override {
    status_ = status;
    client_.cancel();
  }
  bool on_body_bytes(std::string_view) override { return true; }
  bool stream_finished() const override { return false; }
  std::optional<int> status() const { return status_; }

 private:
  platform::HttpsClient& client_;
  std::optional<int> status_;
};

DoctorCheck failed(std::string name, std::string detail, std::string fix) {
  return DoctorCheck{std::move(name), Verdict::kFailed, std::move(detail), std::move(fix)};
}

DoctorCheck ok(std::string name, std::string detail) {
  return DoctorCheck{std::move(name), Verdict::kOk, std::move(detail), {}};
}

// The step a failure to reach the server belongs to, with its fix. A
// deadline that ran out belongs to the step it ran out in (a resolver that
// never answers is a DNS failure too).
DoctorCheck connection_failure(const std::string& who, const platform::RequestFailure& failure,
                               const std::string& host) {
  const std::string detail = platform::describe_request_failure(failure, host);
  const bool timed_out = failure.kind == RequestFailureKind::kTimeout;
  if (failure.kind == RequestFailureKind::kDns || (timed_out && failure.phase == platform::RequestPhase::kDns)) {
    return failed(who + " DNS", detail, "check the robot's Wi-Fi and DNS, and the host name in base_url");
  }
  if (failure.kind == RequestFailureKind::kTls || failure.kind == RequestFailureKind::kClockNotSet ||
      (timed_out && failure.phase == platform::RequestPhase::kTlsHandshake)) {
    return failed(who + " TLS", detail,
                  "if the clock is wrong, wait for it to be set; else check ca_file and the server's certificate");
  }
  if (failure.kind == RequestFailureKind::kConnectionRefused ||
      failure.kind == RequestFailureKind::kNetworkUnreachable) {
    return failed(who + " connection", detail, "check that the server runs and that base_url names its port");
  }
  return failed(who + " connection", detail, "check the network between the robot and the server");
}

}  // namespace

std::vector<DoctorCheck> probe_provider(const platform::ProviderConfig& provider,
                                        const platform::HttpDeadlines& deadlines) {
  std::vector<DoctorCheck> checks;
  const std::string who = platform::display_name_of(provider);
  const std::string& host = provider.endpoint.host;

  // 1. The key file (a self-hosted server may have none).
  ProviderFiles files = open_provider_files(provider);
  if (files.keyless) {
    checks.push_back(ok(who + " key file", "none (" + provider.api_key_file + " does not exist: no key is sent)"));
  } else if (!files.key_problem.empty()) {
    checks.push_back(
        failed(who + " key file", files.key_problem, "write the key alone into the file, then chmod 600 it"));
    return checks;
  } else {
    checks.push_back(ok(who + " key file", provider.api_key_file));
  }

  // 2. The CA bundle.
  if (!files.tls) {
    checks.push_back(failed(who + " CA bundle", files.ca_problem,
                            "flash again to install a CA bundle, or point ca_file at a PEM bundle"));
    return checks;
  }
  checks.push_back(ok(who + " CA bundle", provider.ca_file));

  // 3. DNS, TCP and TLS, then 4. the key, on one connection.
  boost::asio::io_context io;
  platform::HttpsClient client(io, *files.tls, provider.endpoint, deadlines,
                               std::string("vic-r1/") + build_facts::kVersion);
  platform::RequestFailure connect_failure;
  client.preconnect([&](const platform::RequestFailure& failure) { connect_failure = failure; });
  io.run();
  if (connect_failure) {
    checks.push_back(connection_failure(who, connect_failure, host));
    return checks;
  }
  const std::string address = host + ":" + std::to_string(provider.endpoint.port);
  if (provider.endpoint.encrypted) {
    checks.push_back(ok(who + " DNS, TCP and TLS", address + ", certificate verified"));
  } else {
    // Allowed (every address is on the local network), but worth knowing:
    // the questions, the answers and any key cross the LAN in clear text.
    checks.push_back(DoctorCheck{who + " DNS and TCP", Verdict::kWarning,
                                 address + " on the local network, unencrypted (http://): questions, answers "
                                           "and any API key cross the network in clear text",
                                 "use https:// if the server can (a TLS reverse proxy in front of it)"});
  }

  const stream::ServerProfile* profile = stream::find_server_profile(provider.stream_profile);
  if (profile == nullptr) profile = &stream::default_server_profile();
  conversation::ChatRequestSettings request;
  request.api = profile->wire_format == stream::WireFormat::kNdjson ? conversation::ChatApi::kOllamaNativeChat
                                                                    : conversation::ChatApi::kChatCompletions;
  request.model = provider.model;
  request.max_tokens = 1;
  StatusOnlySink sink(client);
  platform::RequestFailure request_failure;
  io.restart();
  client.post_stream(conversation::chat_request_target(request.api, provider.endpoint.path_prefix),
                     conversation::build_chat_request_body(request, {}, "Hi"),
                     conversation::chat_request_headers(request.api, files.key.reveal()), sink,
                     [&](const platform::RequestFailure& failure, const platform::RequestTiming&) {
                       request_failure = failure;
                     });
  io.run();
  if (sink.status() && *sink.status() / 100 == 2) {
    checks.push_back(
        ok(who + " key accepted", "HTTP " + std::to_string(*sink.status()) + " for model " + provider.model));
  } else if (request_failure.kind == RequestFailureKind::kHttpStatus) {
    const int status = request_failure.http_status;
    std::string fix = "check the model name and the server's documentation";
    if (status == 401 || status == 403) fix = "write a valid API key into " + provider.api_key_file;
    if (status == 402) fix = "top up the account's balance";
    if (status == 404) fix = "check the model name (model) and base_url";
    if (status == 429 || status == 503) fix = "the server is busy: try again later, or add a fallback";
    checks.push_back(failed(who + " key accepted", platform::describe_request_failure(request_failure, who), fix));
  } else {
    checks.push_back(connection_failure(who, request_failure, host));
  }
  return checks;
}

}  // namespace vic_r1::runtime
