#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vic_r1::speech {

// The emotions the answer's markup may name ({{playAnimationWI||happy}}),
// each with the vic-anim clips that show it. vic-anim plays clip names only
// (the engine's trigger -> group -> clip choice is not ours to use), so the
// defaults are clips that exist in 1.8 (VECTOR-IPC.md §5); the config may
// replace the clips of any emotion or add new ones.
class EmotionClips {
 public:
  // wire-pod's vocabulary (happy, veryHappy, sad, verySad, angry,
  // frustrated, dartingEyes, confused, thinking, celebrate, love) plus
  // greeting, yes and no.
  static EmotionClips defaults();

  // Replaces (or adds) the clips of `emotion`; an empty list removes it.
  void set(std::string_view emotion, std::vector<std::string> clips);

  // The clip to play for `emotion`, taking the emotion's clips in turn so a
  // repeated emotion does not look the same each time. Names match without
  // regard to case, '_', '-' or spaces ("veryHappy", "very_happy"). Empty
  // when the emotion is unknown.
  std::string_view clip_for(std::string_view emotion);

  // The emotion names, in their order (for the system prompt).
  std::vector<std::string_view> names() const;

 private:
  struct Entry {
    std::string name;
    std::string key;  // the name folded for matching
    std::vector<std::string> clips;
    std::size_t next = 0;
  };
  std::vector<Entry> entries_;
};

}  // namespace vic_r1::speech
