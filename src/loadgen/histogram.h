// LatencyHistogram: a log-linear histogram of latencies in microseconds, in
// the manner of HdrHistogram, for the load generator's percentiles.
//
// Values below kExactBelowUs have a bucket each; above, every power of two
// is split into kSubBuckets linear buckets, so a bucket is at most 1/64 of
// its values wide: a percentile is off by at most 1.6 %. Values above
// kValueMaxUs (about 19 hours) are counted in the last bucket; min and max
// are exact.
//
//   LatencyHistogram h;
//   h.Record(latency_us);
//   h.Percentile(99.0);   // the highest value equivalent to the 99th percentile
//
// Memory is fixed (kBucketCount counters, about 16 KiB); recording is O(1).
// Thread-safety: none; one writer, or merge per-thread histograms.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace boxoffice::loadgen {

class LatencyHistogram {
 public:
  static constexpr uint32_t kSubBucketBits = 6;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;  // per power of two
  static constexpr uint64_t kExactBelowUs = 2 * kSubBuckets;              // 128
  static constexpr uint32_t kValueBits = 36;
  static constexpr uint64_t kValueMaxUs = (uint64_t{1} << kValueBits) - 1;
  static constexpr size_t kBucketCount =
      kExactBelowUs + (kValueBits - kSubBucketBits - 1) * kSubBuckets;

  void Record(uint64_t value_us);
  void Merge(const LatencyHistogram& other);
  void Clear();

  uint64_t count() const { return count_; }
  uint64_t min_us() const { return count_ == 0 ? 0 : min_us_; }
  uint64_t max_us() const { return max_us_; }
  double mean_us() const;

  // The value at or below which `percent` (0..100) of the values lie, as the
  // highest value of its bucket (never above max_us()); 0 when empty.
  uint64_t Percentile(double percent) const;

  // The bucket of a value and the range of values a bucket holds; exposed
  // for tests.
  static size_t BucketOf(uint64_t value_us);
  static uint64_t BucketLowestUs(size_t bucket);
  static uint64_t BucketHighestUs(size_t bucket);

 private:
  std::array<uint64_t, kBucketCount> counts_{};
  uint64_t count_ = 0;
  uint64_t min_us_ = UINT64_MAX;
  uint64_t max_us_ = 0;
  long double sum_us_ = 0;
};

}  // namespace boxoffice::loadgen
