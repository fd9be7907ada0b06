// RunQueueStorm: `boxoffice bench queue`, the waiting room under a storm.
//
//   1. setup   a venue and a show (as onsale), with its waiting room on:
//              the pre-queue opens now, the on-sale much later
//              (--onsale-in-s), so nobody is admitted during the storm
//   2. joins   N distinct fans (fan-0 .. fan-N-1, each with its own JWT)
//              join the line: POST /v1/shows/{id}/queue
//   3. polls   each fan polls GET /v1/shows/{id}/queue/status
//              --polls-per-fan times, with If-None-Match after the first,
//              as a browser would
// The server's memory (GET /metrics) is read before and after the joins.
// Every connection runs one coroutine that takes the next fan from a shared
// counter: nothing is kept per fan, so the client's memory does not grow
// with N (10 M fans is fine).
//
// Thread-safety: one run per call; it starts and joins its own threads.
#pragma once

#include <cstdio>

#include "core/status.h"
#include "loadgen/bench_options.h"
#include "loadgen/report.h"

namespace boxoffice::loadgen {

// Progress lines go to `progress` when options.progress is set.
StatusOr<QueueStormReport> RunQueueStorm(const BenchOptions& options, std::FILE* progress);

}  // namespace boxoffice::loadgen
