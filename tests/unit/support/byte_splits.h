#pragma once

// Ways to cut one input into reads, for tests that must give the same result
// however the bytes arrive (Beast's parser tests do the same).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vic_r1::test {

using Pieces = std::vector<std::string_view>;

// The whole input; every cut into two at offsets 1..size-1; and byte by byte.
inline std::vector<Pieces> every_split(std::string_view input) {
  std::vector<Pieces> splits;
  splits.push_back({input});
  for (std::size_t offset = 1; offset < input.size(); ++offset) {
    splits.push_back({input.substr(0, offset), input.substr(offset)});
  }
  Pieces bytes;
  for (std::size_t offset = 0; offset < input.size(); ++offset) bytes.push_back(input.substr(offset, 1));
  splits.push_back(bytes);
  return splits;
}

// Pieces of 1..max_piece bytes from a seeded generator (splitmix64, so the
// cuts are the same on every platform and standard library).
inline Pieces random_pieces(std::string_view input, std::uint64_t seed, std::size_t max_piece = 64) {
  Pieces pieces;
  std::uint64_t state = seed;
  std::size_t offset = 0;
  while (offset < input.size()) {
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    const std::size_t length = 1 + static_cast<std::size_t>(z % max_piece);
    pieces.push_back(input.substr(offset, length));
    offset += length;
  }
  return pieces;
}

// "reads of 3+5 bytes": how a failing test's input was cut.
inline std::string describe_pieces(const Pieces& pieces) {
  std::string sizes;
  for (const std::string_view piece : pieces) {
    if (!sizes.empty()) sizes += '+';
    sizes += std::to_string(piece.size());
  }
  return "reads of " + sizes + " bytes";
}

}  // namespace vic_r1::test
