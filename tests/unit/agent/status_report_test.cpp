#include <string>

#include "agent/orchestrator/status_report.h"

#include <CppUTest/TestHarness.h>

using vic_r1::orchestrator::format_status_json;
using vic_r1::orchestrator::format_status_text;
using vic_r1::orchestrator::StatusSnapshot;

TEST_GROUP(StatusReportProviders){};

TEST(StatusReportProviders, PlainHttpIsSaidToBeUnencryptedAndHttpsIsNot) {
  StatusSnapshot status;
  status.providers.push_back({"Ollama", "http://192.168.1.5:11434/v1", "deepseek-r1:14b", ""});
  status.providers.push_back({"DeepSeek", "https://api.deepseek.com", "deepseek-reasoner", ""});
  const std::string text = format_status_text(status);
  STRCMP_CONTAINS("provider: Ollama, http://192.168.1.5:11434/v1 (unencrypted: local network only), model",
                  text.c_str());
  STRCMP_CONTAINS("fallback 1: DeepSeek, https://api.deepseek.com, model deepseek-reasoner", text.c_str());
  const std::string json = format_status_json(status);
  STRCMP_CONTAINS("\"base_url\":\"http://192.168.1.5:11434/v1\",\"encrypted\":false", json.c_str());
  STRCMP_CONTAINS("\"base_url\":\"https://api.deepseek.com\",\"encrypted\":true", json.c_str());
}
