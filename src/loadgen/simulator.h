// RunScenario: one `boxoffice bench` run against a live server, start to end.
//
//   1. setup        create a venue of `seats` seats (sections of 20 rows of
//                   50) and a show on sale now with a hold TTL of
//                   `hold_ttl_s`, through the admin API; read its seat map
//   2. sale         the Crowd (crowd.h), with a progress line every second
//   3. expiry wait  until every hold that may still be live is past its
//                   expires_at plus kExpiryCheckDelayMs, polling the
//                   availability to see when nothing is held any more
//   4. audit        read every booking and the availability, run Audit
//
// A Status error means the run could not be made (the server refused the
// set-up or the audit's reads); findings are in the report.
//
// Thread-safety: one run per call; it starts and joins its own threads.
#pragma once

#include <cstdio>

#include "core/status.h"
#include "core/types.h"
#include "loadgen/bench_options.h"
#include "loadgen/report.h"

namespace boxoffice::loadgen {

inline constexpr core::DurationMs kExpiryCheckDelayMs =
    1'500;  // > kExpiryGraceMs: room for the read
inline constexpr core::DurationMs kExpiryPollMs = 100;

// Progress lines go to `progress` when options.progress is set.
StatusOr<BenchReport> RunScenario(const BenchOptions& options, std::FILE* progress);

}  // namespace boxoffice::loadgen
