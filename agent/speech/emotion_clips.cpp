#include "agent/speech/emotion_clips.h"

#include <algorithm>

namespace vic_r1::speech {
namespace {

std::string fold(std::string_view name) {
  std::string key;
  for (char c : name) {
    if (c == '_' || c == '-' || c == ' ') continue;
    key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return key;
}

}  // namespace

EmotionClips EmotionClips::defaults() {
  EmotionClips clips;
  clips.set("happy",
            {"anim_feedback_goodrobot_01", "anim_feedback_goodrobot_02", "anim_onboarding_reacttoface_happy_01"});
  clips.set("veryHappy", {"anim_blackjack_victorwin_01", "anim_pounce_success_03"});
  clips.set("sad", {"anim_feedback_meanwords_01", "anim_feedback_meanwords_02"});
  clips.set("verySad", {"anim_feedback_badrobot_01", "anim_feedback_badrobot_02"});
  clips.set("angry", {"anim_rtpickup_loop_10"});
  clips.set("frustrated", {"anim_feedback_shutup_01"});
  clips.set("dartingEyes", {"anim_observing_self_absorbed_01"});
  clips.set("confused", {"anim_meetvictor_lookface_timeout_01"});
  clips.set("thinking", {"anim_knowledgegraph_searching_01"});
  clips.set("celebrate", {"anim_pounce_success_03", "anim_blackjack_victorwin_01"});
  clips.set("love", {"anim_feedback_iloveyou_01", "anim_feedback_iloveyou_02"});
  clips.set("greeting", {"anim_greeting_hello_01", "anim_greeting_hello_02"});
  clips.set("yes", {"anim_feedback_goodrobot_01"});
  clips.set("no", {"anim_feedback_badrobot_01"});
  return clips;
}

void EmotionClips::set(std::string_view emotion, std::vector<std::string> clips) {
  const std::string key = fold(emotion);
  const auto it = std::find_if(entries_.begin(), entries_.end(), [&key](const Entry& e) { return e.key == key; });
  if (clips.empty()) {
    if (it != entries_.end()) entries_.erase(it);
    return;
  }
  if (it != entries_.end()) {
    it->clips = std::move(clips);
    it->next = 0;
    return;
  }
  entries_.push_back(Entry{std::string(emotion), key, std::move(clips), 0});
}

std::string_view EmotionClips::clip_for(std::string_view emotion) {
  const std::string key = fold(emotion);
  for (Entry& entry : entries_) {
    if (entry.key != key) continue;
    const std::string& clip = entry.clips[entry.next % entry.clips.size()];
    entry.next = (entry.next + 1) % entry.clips.size();
    return clip;
  }
  return {};
}

std::vector<std::string_view> EmotionClips::names() const {
  std::vector<std::string_view> names;
  for (const Entry& entry : entries_) names.push_back(entry.name);
  return names;
}

}  // namespace vic_r1::speech
