#include "drivers/bridge/wire_id_ledger.h"

namespace vic_r1::bridge {

WireIdLedger::WireIdLedger(std::uint8_t first_usable) : first_usable_(first_usable == 0 ? 1 : first_usable) {}

bool WireIdLedger::note_engine_use(std::uint8_t id) {
  const bool agent_held = owner_[id] == Owner::kAgent;
  owner_[id] = Owner::kEngine;
  engine_use_number_[id] = ++engine_uses_;
  last_engine_id_ = id;
  return agent_held;
}

void WireIdLedger::note_engine_done(std::uint8_t id) {
  if (owner_[id] == Owner::kEngine) owner_[id] = Owner::kFree;
}

bool WireIdLedger::engine_holds(std::uint8_t id) const {
  return owner_[id] == Owner::kEngine && engine_uses_ - engine_use_number_[id] < kEngineUseGoesStaleAfter;
}

bool WireIdLedger::take_for_agent(std::uint8_t& id) {
  // Walk back from the engine's last id: the engine counts upwards, so the
  // id just behind it is the last one it will come back to.
  unsigned candidate = last_engine_id_;
  for (int step = 0; step < 256; ++step) {
    candidate = (candidate + 255) % 256;
    if (candidate < first_usable_) continue;
    const auto value = static_cast<std::uint8_t>(candidate);
    if (owner_[value] == Owner::kAgent || engine_holds(value)) continue;
    owner_[value] = Owner::kAgent;
    id = value;
    return true;
  }
  return false;
}

void WireIdLedger::release_agent(std::uint8_t id) {
  if (owner_[id] == Owner::kAgent) owner_[id] = Owner::kFree;
}

}  // namespace vic_r1::bridge
