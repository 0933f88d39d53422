#include "agent/orchestrator/status_report.h"

#include <cstdio>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace vic_r1::orchestrator {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// base_url is the normalised one (Endpoint::base_url): http:// means plain
// TCP to the local network.
bool is_unencrypted(const StatusSnapshot::Provider& provider) {
  return provider.base_url.rfind("http://", 0) == 0;
}

std::string milliseconds_text(const QuestionTimeline::Elapsed& elapsed) {
  if (!elapsed) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f ms", static_cast<double>(elapsed->count()) / 1000.0);
  return text;
}

void write_string(JsonWriter& writer, const char* key, const std::string& value) {
  writer.Key(key);
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void write_elapsed(JsonWriter& writer, const char* key, const QuestionTimeline::Elapsed& elapsed) {
  writer.Key(key);
  if (elapsed) {
    writer.Double(static_cast<double>(elapsed->count()) / 1000.0);
  } else {
    writer.Null();
  }
}

void write_usage(JsonWriter& writer, const stream::TokenUsage& usage) {
  writer.StartObject();
  writer.Key("prompt_tokens");
  writer.Int64(usage.prompt_tokens);
  writer.Key("reasoning_tokens");
  writer.Int64(usage.reasoning_tokens);
  writer.Key("completion_tokens");
  writer.Int64(usage.completion_tokens);
  writer.EndObject();
}

// What to do when the voice server answers by itself; empty when it does not.
std::string voice_server_fix(const VoiceServerAnswers& answers) {
  if (answers.total() == 0) return {};
  return "turn off the LLM / knowledge graph in wire-pod's settings, or Vector answers twice";
}

void write_voice_server_answers(JsonWriter& writer, const VoiceServerAnswers& answers) {
  writer.StartObject();
  writer.Key("long_speech_after_wake_word");
  writer.Uint64(answers.long_speech_after_wake_word);
  writer.Key("speech_during_our_answer");
  writer.Uint64(answers.speech_during_our_answer);
  writer.Key("knowledge_answers");
  writer.Uint64(answers.knowledge_answers);
  write_string(writer, "last_heard", answers.last_heard);
  write_string(writer, "warning", voice_server_fix(answers));
  writer.EndObject();
}

}  // namespace

std::string format_status_text(const StatusSnapshot& status) {
  std::string text;
  const auto line = [&text](const std::string& name, const std::string& value) {
    text += name;
    text += ": ";
    text += value;
    text += "\n";
  };
  line("agent", status.state + " (pid " + std::to_string(status.agent_pid) + ", up " +
                    std::to_string(status.uptime_s) + " s, heap " +
                    std::to_string(status.heap_in_use_bytes / 1024) + " KiB (at most " +
                    std::to_string(status.heap_peak_bytes / 1024) + " KiB), peak RSS " +
                    std::to_string(status.peak_rss_bytes / 1024) + " KiB)");
  line("core dumps",
       status.dumpable ? "possible: the API key could end up in one" : "off (the API key stays out of them)");
  line("robot link", std::string(status.robot_can_inject ? "ready: " : "cannot speak: ") + status.robot_link);
  for (std::size_t i = 0; i < status.providers.size(); ++i) {
    const StatusSnapshot::Provider& provider = status.providers[i];
    line(i == 0 ? "provider" : "fallback " + std::to_string(i),
         provider.name + ", " + provider.base_url +
             (is_unencrypted(provider) ? " (unencrypted: local network only)" : "") + ", model " + provider.model +
             (provider.problem.empty() ? "" : " (cannot be asked: " + provider.problem + ")"));
  }
  if (status.last_question) {
    const QuestionReport& report = *status.last_question;
    line("last question",
         "#" + std::to_string(report.number) + " (" + report.source + ") \"" + report.question + "\"");
    line("  outcome", report.outcome.empty() ? std::string("in progress") : report.outcome);
    line("  answered by",
         report.provider + (report.fallbacks > 0 ? " after " + std::to_string(report.fallbacks) + " fallback(s)"
                                                 : std::string()));
    for (const std::string& why : report.given_up) line("  gave up on", why);
    const QuestionTimeline& time = report.timeline;
    line("  timeline", "request sent " + milliseconds_text(time.request_sent) + ", first reasoning " +
                           milliseconds_text(time.first_reasoning) + ", first answer byte " +
                           milliseconds_text(time.first_answer_byte) + ", first TTS " +
                           milliseconds_text(time.first_tts) + ", first word " +
                           milliseconds_text(time.first_word) + ", done " + milliseconds_text(time.done));
    if (report.usage) {
      const stream::TokenUsage& usage = *report.usage;
      line("  usage", "prompt " + std::to_string(usage.prompt_tokens) + ", reasoning " +
                          std::to_string(usage.reasoning_tokens) + ", completion " +
                          std::to_string(usage.completion_tokens) + " tokens");
    }
    line("  sentences spoken", std::to_string(report.sentences_spoken));
  } else {
    line("last question", "none yet");
  }
  const AgentTotals& totals = status.totals;
  line("questions", std::to_string(totals.questions) + " (answered " + std::to_string(totals.answered) +
                        ", failed " + std::to_string(totals.failed) + ", interrupted " +
                        std::to_string(totals.interrupted) + ", fallbacks " + std::to_string(totals.fallbacks) +
                        ")");
  line("tokens", "prompt " + std::to_string(totals.prompt_tokens) + ", reasoning " +
                     std::to_string(totals.reasoning_tokens) + ", answer " + std::to_string(totals.answer_tokens));
  line("last error", status.last_error.empty() ? std::string("none") : status.last_error);
  const VoiceServerAnswers& server = status.voice_server_answers;
  if (server.total() == 0) {
    line("voice server answers", "never by itself");
  } else {
    line("voice server answers",
         "by itself " + std::to_string(server.total()) + " time(s): " + voice_server_fix(server) +
             " (long speech after a wake word " + std::to_string(server.long_speech_after_wake_word) +
             ", during our answer " + std::to_string(server.speech_during_our_answer) + ", knowledge answers " +
             std::to_string(server.knowledge_answers) + "; last: \"" + server.last_heard + "\")");
  }
  return text;
}

std::string format_status_json(const StatusSnapshot& status) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  write_string(writer, "state", status.state);
  writer.Key("agent_pid");
  writer.Int64(status.agent_pid);
  writer.Key("uptime_s");
  writer.Int64(status.uptime_s);
  writer.Key("heap_in_use_bytes");
  writer.Uint64(status.heap_in_use_bytes);
  writer.Key("heap_peak_bytes");
  writer.Uint64(status.heap_peak_bytes);
  writer.Key("peak_rss_bytes");
  writer.Uint64(status.peak_rss_bytes);
  writer.Key("dumpable");
  writer.Bool(status.dumpable);
  writer.Key("robot_link");
  writer.StartObject();
  writer.Key("can_speak");
  writer.Bool(status.robot_can_inject);
  write_string(writer, "detail", status.robot_link);
  writer.EndObject();
  writer.Key("providers");
  writer.StartArray();
  for (const StatusSnapshot::Provider& provider : status.providers) {
    writer.StartObject();
    write_string(writer, "name", provider.name);
    write_string(writer, "base_url", provider.base_url);
    writer.Key("encrypted");
    writer.Bool(!is_unencrypted(provider));
    write_string(writer, "model", provider.model);
    write_string(writer, "problem", provider.problem);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("last_question");
  if (status.last_question) {
    const QuestionReport& report = *status.last_question;
    writer.StartObject();
    writer.Key("number");
    writer.Uint64(report.number);
    write_string(writer, "question", report.question);
    write_string(writer, "source", report.source);
    write_string(writer, "provider", report.provider);
    writer.Key("fallbacks");
    writer.Int(report.fallbacks);
    writer.Key("given_up");
    writer.StartArray();
    for (const std::string& why : report.given_up) {
      writer.String(why.data(), static_cast<rapidjson::SizeType>(why.size()));
    }
    writer.EndArray();
    write_string(writer, "outcome", report.outcome);
    writer.Key("finished");
    writer.Bool(report.finished);
    writer.Key("sentences_spoken");
    writer.Uint64(report.sentences_spoken);
    writer.Key("timeline_ms");
    writer.StartObject();
    write_elapsed(writer, "request_sent", report.timeline.request_sent);
    write_elapsed(writer, "first_reasoning", report.timeline.first_reasoning);
    write_elapsed(writer, "first_answer_byte", report.timeline.first_answer_byte);
    write_elapsed(writer, "first_tts", report.timeline.first_tts);
    write_elapsed(writer, "first_word", report.timeline.first_word);
    write_elapsed(writer, "done", report.timeline.done);
    writer.EndObject();
    writer.Key("usage");
    if (report.usage) {
      write_usage(writer, *report.usage);
    } else {
      writer.Null();
    }
    writer.EndObject();
  } else {
    writer.Null();
  }
  const AgentTotals& totals = status.totals;
  writer.Key("totals");
  writer.StartObject();
  writer.Key("questions");
  writer.Uint64(totals.questions);
  writer.Key("answered");
  writer.Uint64(totals.answered);
  writer.Key("failed");
  writer.Uint64(totals.failed);
  writer.Key("interrupted");
  writer.Uint64(totals.interrupted);
  writer.Key("fallbacks");
  writer.Uint64(totals.fallbacks);
  writer.Key("prompt_tokens");
  writer.Int64(totals.prompt_tokens);
  writer.Key("reasoning_tokens");
  writer.Int64(totals.reasoning_tokens);
  writer.Key("answer_tokens");
  writer.Int64(totals.answer_tokens);
  writer.EndObject();
  write_string(writer, "last_error", status.last_error);
  writer.Key("voice_server_answers");
  write_voice_server_answers(writer, status.voice_server_answers);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace vic_r1::orchestrator
