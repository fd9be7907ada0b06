// SeededTokens: a deterministic TokenSource, for tests and the simulator
// (src/sim/), where a run must be a function of its seed. Never for a real
// server: its tokens are guessable.
#pragma once

#include <cstdint>

#include "core/types.h"

namespace boxoffice::core {

class SeededTokens final : public core::TokenSource {
 public:
  explicit SeededTokens(uint64_t seed = 1) : state_(seed) {}
  core::Token Next() override {
    core::Token t;
    for (size_t i = 0; i < t.bytes.size(); i += 8) {
      uint64_t v = SplitMix();
      for (size_t j = 0; j < 8; ++j) t.bytes[i + j] = static_cast<uint8_t>(v >> (8 * j));
    }
    return t;
  }

 private:
  uint64_t SplitMix() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t state_;
};

}  // namespace boxoffice::core
