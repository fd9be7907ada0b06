#include "loadgen/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "testing/seed.h"

namespace boxoffice::loadgen {
namespace {

// The exact p-th percentile of sorted values (nearest rank), as Percentile
// defines it.
uint64_t ExactPercentile(const std::vector<uint64_t>& sorted, double p) {
  const auto rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size()))));
  return sorted[rank - 1];
}

TEST(LatencyHistogram, EmptyHistogramReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(50), 0u);
  EXPECT_EQ(h.Percentile(100), 0u);
  EXPECT_EQ(h.min_us(), 0u);
  EXPECT_EQ(h.max_us(), 0u);
  EXPECT_EQ(h.mean_us(), 0.0);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(50), 50u);
  EXPECT_EQ(h.Percentile(90), 90u);
  EXPECT_EQ(h.Percentile(99), 99u);
  EXPECT_EQ(h.Percentile(99.9), 100u);
  EXPECT_EQ(h.Percentile(100), 100u);
  EXPECT_EQ(h.Percentile(0), 1u);
  EXPECT_EQ(h.min_us(), 1u);
  EXPECT_EQ(h.max_us(), 100u);
  EXPECT_DOUBLE_EQ(h.mean_us(), 50.5);
}

TEST(LatencyHistogram, OneValueIsEveryPercentile) {
  LatencyHistogram h;
  h.Record(12'345);
  for (double p : {0.0, 50.0, 99.0, 99.9, 100.0}) EXPECT_EQ(h.Percentile(p), 12'345u) << p;
}

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGapsAndWithinOnePart64) {
  EXPECT_EQ(LatencyHistogram::BucketLowestUs(0), 0u);
  for (size_t b = 0; b + 1 < LatencyHistogram::kBucketCount; ++b) {
    const uint64_t lo = LatencyHistogram::BucketLowestUs(b);
    const uint64_t hi = LatencyHistogram::BucketHighestUs(b);
    ASSERT_EQ(LatencyHistogram::BucketLowestUs(b + 1), hi + 1) << b;
    ASSERT_EQ(LatencyHistogram::BucketOf(lo), b);
    ASSERT_EQ(LatencyHistogram::BucketOf(hi), b);
    if (lo >= LatencyHistogram::kExactBelowUs) {
      ASSERT_LE((hi - lo + 1) * 64, lo) << b;
    }
  }
  EXPECT_EQ(LatencyHistogram::BucketOf(LatencyHistogram::kValueMaxUs),
            LatencyHistogram::kBucketCount - 1);
  EXPECT_EQ(LatencyHistogram::BucketHighestUs(LatencyHistogram::kBucketCount - 1),
            LatencyHistogram::kValueMaxUs);
}

TEST(LatencyHistogram, PercentilesOfAUniformRangeAreWithinBucketPrecision) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 1'000'000; ++v) h.Record(v);
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const auto exact = static_cast<double>(p * 10'000);
    const auto got = static_cast<double>(h.Percentile(p));
    EXPECT_GE(got, exact) << p;
    EXPECT_LE(got, exact * (1 + 1.0 / 64)) << p;
  }
  EXPECT_EQ(h.Percentile(100), 1'000'000u);
}

TEST(LatencyHistogram, PercentilesOfRandomLogNormalValuesMatchSortedValues) {
  const uint64_t seed = testing::TestSeed("PercentilesOfRandomLogNormalValuesMatchSortedValues");
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(7.0, 1.5);  // median about 1 ms, long tail
  LatencyHistogram h;
  std::vector<uint64_t> values;
  for (int i = 0; i < 100'000; ++i) {
    const auto v = static_cast<uint64_t>(dist(rng));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    const uint64_t exact = ExactPercentile(values, p);
    const uint64_t got = h.Percentile(p);
    // The highest value of the exact value's bucket.
    EXPECT_EQ(got, std::min(LatencyHistogram::BucketHighestUs(LatencyHistogram::BucketOf(exact)),
                            values.back()))
        << "p" << p << " exact " << exact;
  }
  EXPECT_EQ(h.min_us(), values.front());
  EXPECT_EQ(h.max_us(), values.back());
}

TEST(LatencyHistogram, HugeValuesLandInTheLastBucketButKeepTheirMax) {
  LatencyHistogram h;
  h.Record(1);
  h.Record(UINT64_MAX / 2);
  EXPECT_EQ(h.max_us(), UINT64_MAX / 2);
  EXPECT_EQ(h.Percentile(100), UINT64_MAX / 2);
  EXPECT_EQ(h.Percentile(50), 1u);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, both;
  for (uint64_t v = 1; v < 5'000; v += 3) {
    a.Record(v);
    both.Record(v);
  }
  for (uint64_t v = 100; v < 900'000; v += 997) {
    b.Record(v);
    both.Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), both.count());
  EXPECT_EQ(a.min_us(), both.min_us());
  EXPECT_EQ(a.max_us(), both.max_us());
  for (double p : {10.0, 50.0, 90.0, 99.0, 99.9}) EXPECT_EQ(a.Percentile(p), both.Percentile(p));
  a.Clear();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.Percentile(50), 0u);
}

}  // namespace
}  // namespace boxoffice::loadgen
