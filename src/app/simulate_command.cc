#include "app/simulate_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

#include "sim/simulator.h"

namespace boxoffice::app {

namespace {

constexpr size_t kStepsDefault = 400;
constexpr size_t kStepsMax = 1'000'000;
constexpr size_t kShrinkRunsDefault = 300;

struct SimulateOptions {
  uint64_t seed = 0;
  bool seed_given = false;
  uint64_t seeds = 1;
  size_t steps = kStepsDefault;
  size_t shrink_runs = kShrinkRunsDefault;
  std::string dir;
  bool keep_going = false;
  bool trace = false;
};

// Runs one seed; prints and returns whether it kept every promise.
bool RunSeed(const SimulateOptions& o, uint64_t seed, bool verbose) {
  const std::vector<sim::Action> actions = sim::Generate(seed, o.steps);
  const sim::RunResult r = sim::RunActions(seed, actions, o.dir, o.trace ? stdout : nullptr);
  if (r.ok) {
    if (verbose)
      std::printf("seed %llu: ok (%s)\n", static_cast<unsigned long long>(seed), r.summary.c_str());
    return true;
  }
  std::printf("seed %llu FAILS %s: %s\n", static_cast<unsigned long long>(seed),
              r.failed_at > 0 ? ("at step " + std::to_string(r.failed_at)).c_str() : "once settled",
              r.violation.c_str());
  std::printf("  reproduce: boxoffice simulate --seed %llu --steps %zu\n",
              static_cast<unsigned long long>(seed), o.steps);
  std::fflush(stdout);
  const std::vector<sim::Action> shortest = sim::Shrink(seed, actions, o.dir, o.shrink_runs);
  std::printf("  the shortest trace found that fails (%zu of %zu actions):\n", shortest.size(),
              actions.size());
  for (const sim::Action& a : shortest) std::printf("    %s\n", sim::Describe(a).c_str());
  std::fflush(stdout);
  return false;
}

}  // namespace

int RunSimulate(int argc, char** argv) {
  SimulateOptions o;
  CLI::App app{
      "Simulates the whole service under faults, seeded: fans, organisers, a fault-injecting "
      "store (failed and slow fsyncs, kill -9 and recovery), an adversarial payment gateway and a "
      "wall clock that steps both ways; checks after every step that no seat is sold twice, no "
      "acknowledged booking is lost, every charge ends as one booking or one refund, holds end on "
      "time, and more (docs/TESTING.md).",
      "boxoffice simulate"};
  app.add_option("--seed", o.seed, "The seed (the first of a campaign); default: a random one");
  app.add_option("--seeds", o.seeds, "How many seeds to run, from --seed on")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000'000}));
  app.add_option("--steps", o.steps, "Actions per seed")->check(CLI::Range(size_t{1}, kStepsMax));
  app.add_option("--shrink-runs", o.shrink_runs,
                 "Runs spent looking for the shortest failing trace")
      ->check(CLI::Range(size_t{1}, size_t{100'000}));
  app.add_option("--dir", o.dir, "Where the runs' files go (emptied); default: a temp directory");
  app.add_flag("--keep-going", o.keep_going, "Go on after a failing seed");
  app.add_flag("--trace", o.trace, "Print every step and every answer as the run goes");
  try {
    app.parse(argc + 1, argv - 1);  // argv[-1] is "simulate": CLI11 skips a program name
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  o.seed_given = app.count("--seed") > 0;
  if (!o.seed_given) o.seed = (uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  if (o.dir.empty()) o.dir = "/tmp/boxoffice-simulate-" + std::to_string(getpid());
  const auto started = std::chrono::steady_clock::now();
  uint64_t failed = 0;
  for (uint64_t i = 0; i < o.seeds; ++i) {
    if (!RunSeed(o, o.seed + i, o.seeds == 1)) {
      ++failed;
      if (!o.keep_going) break;
    }
    if (o.seeds > 1 && (i + 1) % 100 == 0) {
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::printf("%llu seeds from %llu: %llu failing, %.0f s\n",
                  static_cast<unsigned long long>(i + 1), static_cast<unsigned long long>(o.seed),
                  static_cast<unsigned long long>(failed), s);
      std::fflush(stdout);
    }
  }
  if (o.seeds > 1) {
    std::printf("%llu seeds from %llu, %zu steps each: %llu failing\n",
                static_cast<unsigned long long>(o.seeds), static_cast<unsigned long long>(o.seed),
                o.steps, static_cast<unsigned long long>(failed));
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace boxoffice::app
