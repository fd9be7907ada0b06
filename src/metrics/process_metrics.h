// The standard Prometheus process metrics the server exports, read from
// /proc at scrape time: process_resident_memory_bytes (resident set size,
// from /proc/self/statm).
//
// Thread-safety: any thread; reads a file on each call.
#pragma once

#include <cstdint>
#include <optional>

#include "metrics/metrics.h"

namespace boxoffice::metrics {

// The process's resident set size in bytes; nullopt when /proc cannot be read.
std::optional<uint64_t> ResidentMemoryBytes();

// Sets the process gauges of `registry` to their current values (call
// before rendering a scrape).
void UpdateProcessMetrics(Registry& registry);

}  // namespace boxoffice::metrics
