// The whole-system simulator over many seeds: every promise the oracle checks
// holds in every run. A failure prints the one-line reproduction and the
// shortest list of actions that still fails.
#include "sim/simulator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "testing/seed.h"

namespace boxoffice::sim {
namespace {

constexpr size_t kSteps = 400;

std::string Dir() { return "/tmp/boxoffice-sim-" + std::to_string(getpid()); }

TEST(SimulatorTest, EverySeedKeepsEveryPromise) {
  const uint64_t base = testing::TestSeed("SimulatorTest.EverySeedKeepsEveryPromise");
  const uint64_t seeds = testing::ScaledOps(200);
  for (uint64_t i = 0; i < seeds; ++i) {
    const uint64_t seed = base + i;
    const RunResult r = RunActions(seed, Generate(seed, kSteps), Dir());
    if (r.ok) continue;
    std::printf(
        "seed %llu fails at step %zu: %s\n  reproduce: boxoffice simulate --seed %llu "
        "--steps %zu\n",
        static_cast<unsigned long long>(seed), r.failed_at, r.violation.c_str(),
        static_cast<unsigned long long>(seed), kSteps);
    const std::vector<Action> trace = Shrink(seed, Generate(seed, kSteps), Dir(), 300);
    std::printf("  the shortest trace found that fails (%zu actions):\n", trace.size());
    for (const Action& a : trace) std::printf("    %s\n", Describe(a).c_str());
    FAIL() << "seed " << seed << ": " << r.violation;
  }
}

// Seeds that found holes, each fixed with its own failing-first test; they
// run every time, so the scenarios they found are replayed (as long as the
// actions a seed draws stay the same).
TEST(SimulatorTest, SeedsThatFoundHolesKeepEveryPromise) {
  const struct {
    uint64_t seed;
    const char* found;
  } kFound[] = {
      {9, "a keyed checkout answered before its idempotency record was durable"},
      {180, "a hold extended after a wall-clock step back was unrecoverable"},
      {11119022906630965794ULL, "a twin checkout showed a pay_url before it was durable"},
      {312, "the oracle missed the extension of a replayed checkout"},
      {724, "a refund was asked for before the cancellation was durable"},
      {2382, "the oracle read a replayed answer with the wall clock's later error"},
  };
  for (const auto& f : kFound) {
    const RunResult r = RunActions(f.seed, Generate(f.seed, kSteps), Dir());
    EXPECT_TRUE(r.ok) << "seed " << f.seed << " (it once found: " << f.found
                      << "): " << r.violation;
  }
}

TEST(SimulatorTest, ARunIsAFunctionOfItsSeed) {
  const uint64_t seed = testing::TestSeed("SimulatorTest.ARunIsAFunctionOfItsSeed");
  const RunResult a = RunActions(seed, Generate(seed, kSteps), Dir());
  const RunResult b = RunActions(seed, Generate(seed, kSteps), Dir());
  EXPECT_EQ(a.ok, b.ok);
  EXPECT_EQ(a.summary, b.summary);
  EXPECT_EQ(a.violation, b.violation);
  std::printf("seed %llu: %s\n", static_cast<unsigned long long>(seed), a.summary.c_str());
}

}  // namespace
}  // namespace boxoffice::sim
