// The whole-system simulator: a seeded run of thousands of simulated fans,
// organisers and faults against one in-process Boxoffice server (World),
// checked after every step by an oracle that keeps its own account of what
// the server acknowledged:
//
//  - no seat or standing place is sold twice, and the core's audit passes;
//  - every acknowledged booking survives every crash and recovery;
//  - a request repeated with its Idempotency-Key gets the first answer again
//    (after a crash too, for routes answered only once durable);
//  - every charge ends as exactly one booking or one refund (checked once the
//    run has settled): none charged twice, none charged for nothing;
//  - no hold outlives its deadline on the monotonic clock, nor ends before it
//    (across a restart, by how far the wall clock moved meanwhile);
//  - no fan holds without admission while a waiting room is on;
//  - the service never refuses every change unless the store really failed.
//
// Faults: a batch that fails, slow fsyncs (batches wait), kill -9 with the
// waiting batches lost, then recovery; NTP steps of the wall clock either
// way; a gateway that goes down, answers in any order, fails refunds once,
// and loses, repeats and reorders webhooks; fans who decline then approve.
// A run is a function of its seed: Generate(seed, steps) gives its actions,
// and a failing run shrinks to the shortest list of actions that still fails.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "sim/action.h"

namespace boxoffice::sim {

struct RunResult {
  bool ok = true;
  size_t failed_at = 0;   // the step (1-based) after which the oracle failed; 0: at the end
  std::string violation;  // what it saw
  std::string summary;    // what the run did, in counts
};

// Runs `actions` (drawn from `seed`) on a fresh server whose files live in
// `dir` (emptied first), then lets the run settle and checks the end. With
// `trace`, writes every step and every answer there.
RunResult RunActions(uint64_t seed, const std::vector<Action>& actions, const std::string& dir,
                     std::FILE* trace = nullptr);

// The shortest list of actions (a subsequence of `actions`) found that still
// fails, trying at most `runs_max` runs.
std::vector<Action> Shrink(uint64_t seed, std::vector<Action> actions, const std::string& dir,
                           size_t runs_max);

}  // namespace boxoffice::sim
