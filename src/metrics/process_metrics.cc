#include "metrics/process_metrics.h"

#include <unistd.h>

#include <fstream>

namespace boxoffice::metrics {

std::optional<uint64_t> ResidentMemoryBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0;
  uint64_t resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return std::nullopt;
  const long page_bytes = sysconf(_SC_PAGESIZE);
  if (page_bytes <= 0) return std::nullopt;
  return resident_pages * static_cast<uint64_t>(page_bytes);
}

void UpdateProcessMetrics(Registry& registry) {
  static constexpr const char* kHelp = "Resident memory size in bytes.";
  if (const std::optional<uint64_t> rss = ResidentMemoryBytes()) {
    registry.GetGauge("process_resident_memory_bytes", kHelp).Set(static_cast<double>(*rss));
  }
}

}  // namespace boxoffice::metrics
