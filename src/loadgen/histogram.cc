#include "loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/status.h"

namespace boxoffice::loadgen {

// Bucket layout: values 0..127 have a bucket each. A value v >= 128 with
// bit width w keeps its top 7 bits: shift = w - 7 (1 for 128..255), mantissa
// v >> shift in [64, 128); bucket 128 + (shift - 1) * 64 + (mantissa - 64).

size_t LatencyHistogram::BucketOf(uint64_t value_us) {
  const uint64_t v = std::min(value_us, kValueMaxUs);
  if (v < kExactBelowUs) return static_cast<size_t>(v);
  const uint32_t shift = static_cast<uint32_t>(std::bit_width(v)) - (kSubBucketBits + 1);
  const uint64_t mantissa = v >> shift;
  BOX_ASSERT(mantissa >= kSubBuckets && mantissa < 2 * kSubBuckets);
  return static_cast<size_t>(kExactBelowUs + (shift - 1) * kSubBuckets + (mantissa - kSubBuckets));
}

uint64_t LatencyHistogram::BucketLowestUs(size_t bucket) {
  BOX_ASSERT(bucket < kBucketCount);
  if (bucket < kExactBelowUs) return bucket;
  const uint64_t above = bucket - kExactBelowUs;
  const uint64_t shift = above / kSubBuckets + 1;
  const uint64_t mantissa = above % kSubBuckets + kSubBuckets;
  return mantissa << shift;
}

uint64_t LatencyHistogram::BucketHighestUs(size_t bucket) {
  if (bucket + 1 == kBucketCount) return kValueMaxUs;
  return BucketLowestUs(bucket + 1) - 1;
}

void LatencyHistogram::Record(uint64_t value_us) {
  counts_[BucketOf(value_us)]++;
  count_++;
  min_us_ = std::min(min_us_, value_us);
  max_us_ = std::max(max_us_, value_us);
  sum_us_ += static_cast<long double>(value_us);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_us_ = std::min(min_us_, other.min_us_);
  max_us_ = std::max(max_us_, other.max_us_);
  sum_us_ += other.sum_us_;
}

void LatencyHistogram::Clear() { *this = LatencyHistogram(); }

double LatencyHistogram::mean_us() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_us_ / static_cast<long double>(count_));
}

uint64_t LatencyHistogram::Percentile(double percent) const {
  if (count_ == 0) return 0;
  const double p = std::clamp(percent, 0.0, 100.0);
  // The rank of the value: at least the first, at most the last.
  const auto rank = std::clamp<uint64_t>(
      static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_))), 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen < rank) continue;
    // The last bucket also holds everything above kValueMaxUs.
    const uint64_t highest = i + 1 == kBucketCount ? max_us_ : BucketHighestUs(i);
    return std::clamp(highest, min_us(), max_us_);
  }
  BOX_ASSERT(false && "bucket counts do not add up to count_");
  return max_us_;
}

}  // namespace boxoffice::loadgen
