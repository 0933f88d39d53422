#pragma once

#include <array>
#include <cstdint>

namespace vic_r1::bridge {

// Who holds each 8-bit wire id of one kind (animation tags, or ttsIDs) on the
// engine<->anim link. The engine reserves no range for anyone else: it hands
// out animation tags from an 8-bit counter that wraps through every value
// (engine/components/animationComponent.h:266, .cpp:60-72, where 1 is taken
// for the trigger-word get-in and 2-5 for the Alexa get-ins) and ttsIDs from
// an 8-bit counter over 1..255 (textToSpeechCoordinator.cpp:32-42). So the bridge
// watches the ids the engine sends, and gives the agent the free id the
// engine's counter will reach last: the one just behind where it is now.
//
// If the engine still takes an id the agent holds, the engine wins: the id is
// handed over and the caller learns that the agent's use of it is void.
class WireIdLedger {
 public:
  // Ids below `first_usable` are never given to the agent (0 means "none"
  // on the wire; 1-5 are the engine's trigger-word and Alexa get-in tags).
  explicit WireIdLedger(std::uint8_t first_usable);

  // The engine put `id` in use. Returns true if the agent held it.
  bool note_engine_use(std::uint8_t id);
  // The engine's use of `id` ended (its last reply passed).
  void note_engine_done(std::uint8_t id);
  // A new engine process took over: its counter starts again after
  // `last_id`, wherever the old process had got to, so the agent's ids are
  // walked back from there. What the old process held stays held until its
  // last reply passes or it goes stale.
  void engine_restarted(std::uint8_t last_id) { last_engine_id_ = last_id; }

  // A free id for the agent, as far from the engine's next ids as possible;
  // false when every usable id is taken.
  bool take_for_agent(std::uint8_t& id);
  void release_agent(std::uint8_t id);

  bool agent_holds(std::uint8_t id) const { return owner_[id] == Owner::kAgent; }
  bool engine_holds(std::uint8_t id) const;

 private:
  enum class Owner : std::uint8_t { kFree, kEngine, kAgent };

  // An engine id with no final reply (an unknown clip gets none) stops
  // counting as in use once the engine's counter has moved this far past it.
  static constexpr std::uint32_t kEngineUseGoesStaleAfter = 128;

  std::uint8_t first_usable_;
  std::array<Owner, 256> owner_{};
  std::array<std::uint32_t, 256> engine_use_number_{};
  std::uint32_t engine_uses_ = 0;
  std::uint8_t last_engine_id_ = 0;
};

}  // namespace vic_r1::bridge
