// The run over time as an SVG picture (`boxoffice bench --plot FILE.svg`):
// latency per second (p50 and p99 of every request answered in that second)
// above, bookings (per second, and in total) below, on a shared time axis.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <vector>

#include "loadgen/report.h"

namespace boxoffice::loadgen {

// A standalone SVG document (no scripts, no external references).
std::string RenderSvg(const BenchReport& r);

}  // namespace boxoffice::loadgen
