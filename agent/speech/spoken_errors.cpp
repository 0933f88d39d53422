#include "agent/speech/spoken_errors.h"

namespace vic_r1::speech {
namespace {

using platform::RequestFailureKind;
using platform::RequestPhase;
using platform::TlsFailureKind;

std::string join(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string text(a);
  text.append(b);
  text.append(c);
  return text;
}

std::string for_tls(const platform::RequestFailure& failure, const SpokenErrorContext& context) {
  const TlsFailureKind kind = failure.tls.kind;
  const bool about_time = kind == TlsFailureKind::kCertificateExpired ||
                          kind == TlsFailureKind::kCertificateNotYetValid;
  std::string sentence;
  switch (kind) {
    case TlsFailureKind::kPinMismatch:
      sentence = join("The key of ", context.provider, "'s server is not the one I was told to trust.");
      break;
    case TlsFailureKind::kHandshakeFailed:
    case TlsFailureKind::kProtocolError:
      sentence = join("I couldn't make a secure connection to ", context.provider, ".");
      break;
    case TlsFailureKind::kConfiguration:
      sentence = "My list of trusted certificates is missing or broken.";
      break;
    default:
      sentence = join("I couldn't verify ", context.provider, "'s certificate.");
      break;
  }
  if (about_time || context.clock_looks_unset) sentence += " My clock may be wrong.";
  return sentence;
}

std::string for_http_status(const platform::RequestFailure& failure, const SpokenErrorContext& context) {
  const int status = failure.http_status;
  if (status == 401 || status == 403) return join(context.provider, " did not accept my API key.");
  if (status == 402) return join("My ", context.provider, " balance is empty.");
  if (status == 429) return join(context.provider, " says I'm asking too often. Please try again in a minute.");
  if (status == 404) return join(context.provider, " doesn't know the model I asked for.");
  if (status == 400 || status == 422) return join(context.provider, " didn't accept my question.");
  if (status >= 500) return join(context.provider, " is overloaded right now. Please try again later.");
  return join(context.provider, " answered with error ", std::to_string(status) + ".");
}

std::string for_timeout(const platform::RequestFailure& failure, const SpokenErrorContext& context) {
  if (failure.timed_out_overall) return "The answer was taking too long, so I stopped.";
  if (failure.phase == RequestPhase::kBody) {
    return context.answer_started ? "Sorry, the model stopped in the middle of my answer."
                                  : join("The model at ", context.provider, " stopped while thinking.");
  }
  if (failure.phase == RequestPhase::kResponseHeaders || failure.phase == RequestPhase::kSendRequest) {
    return join(context.provider, " is taking too long to answer.");
  }
  return join("I can't reach ", context.provider, ". My internet connection may be slow or down.");
}

}  // namespace

std::string spoken_sentence_for(const platform::RequestFailure& failure, const SpokenErrorContext& context) {
  switch (failure.kind) {
    case RequestFailureKind::kNone:
    case RequestFailureKind::kCancelled:
      return {};
    case RequestFailureKind::kDns:
      return join("I can't look up ", context.provider, "'s address. My internet connection may be down.");
    case RequestFailureKind::kNetworkUnreachable:
      return "I can't reach the internet right now.";
    case RequestFailureKind::kConnectionRefused:
      return join(context.provider, "'s server refused my connection.");
    case RequestFailureKind::kTls:
      return for_tls(failure, context);
    case RequestFailureKind::kTimeout:
      return for_timeout(failure, context);
    case RequestFailureKind::kHttpStatus:
      return for_http_status(failure, context);
    case RequestFailureKind::kStreamBroken:
      return context.answer_started ? "Sorry, my answer was cut off."
                                    : join("My connection to ", context.provider, " broke.");
    case RequestFailureKind::kClockNotSet:
      return join("My clock isn't set yet, so I can't check that I'm really talking to ", context.provider,
                  ". It sets itself once I'm online. Please ask me again in a minute.");
    case RequestFailureKind::kUnencryptedToInternet:
      return join("I won't send your question to ", context.provider,
                  " unencrypted, because it is not on your home network.");
  }
  return "Something went wrong.";
}

std::string spoken_sentence_for(const stream::StreamSummary& summary, const SpokenErrorContext& context) {
  switch (summary.outcome) {
    case stream::StreamOutcome::kCompleted:
      if (summary.finish_reason == "length") return "That's where I ran out of room.";
      if (summary.finish_reason == "content_filter") return "I'm not allowed to say more about that.";
      return {};
    case stream::StreamOutcome::kError:
      return context.answer_started
                 ? join("Sorry, ", context.provider, " had an error in the middle of my answer.")
                 : join(context.provider, " had an error while answering.");
    case stream::StreamOutcome::kCutShort:
      return context.answer_started ? "Sorry, my answer was cut off."
                                    : join(context.provider, " stopped before it answered.");
    case stream::StreamOutcome::kAnswerOnlyInReasoning:
      if (summary.finish_reason == "length") return "I thought so long that I ran out of room to answer.";
      return "I thought about it, but I didn't come to an answer.";
  }
  return {};
}

std::string spoken_sentence_for_missing_key(std::string_view provider) {
  return join("I have no API key for ", provider, ", so I can't answer.");
}

}  // namespace vic_r1::speech
