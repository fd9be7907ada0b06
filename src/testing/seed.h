// Seeds for randomized tests: printed, and reproducible with BOXOFFICE_SEED.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace boxoffice::testing {

// BOXOFFICE_SEED if set, otherwise a fresh random seed; printed either way.
inline uint64_t TestSeed(const char* test_name) {
  uint64_t seed;
  if (const char* env = std::getenv("BOXOFFICE_SEED"); env != nullptr && *env != '\0') {
    seed = std::strtoull(env, nullptr, 10);
  } else {
    seed = (uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  }
  std::printf("[seed] %s: BOXOFFICE_SEED=%llu\n", test_name, static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  return seed;
}

// Scales an operation count down in sanitizer builds, which run ~10x slower.
inline uint64_t ScaledOps(uint64_t ops) {
#ifdef BOXOFFICE_SANITIZED
  return ops / 10;
#else
  return ops;
#endif
}

}  // namespace boxoffice::testing
