// Metrics updated from many threads at once: no increment is lost, and
// scrapes and child lookups run alongside the updates.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "metrics/metrics.h"
#include "testing/seed.h"

namespace boxoffice::metrics {
namespace {

constexpr int kThreads = 4;

TEST(MetricsConcurrencyTest, ConcurrentIncrementsAreNotLost) {
  Registry r;
  const uint64_t per_thread = testing::ScaledOps(200'000);
  Counter& shared = r.GetCounter("shared_total", "Shared.");
  Gauge& gauge = r.GetGauge("level", "Level.");
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (uint64_t i = 0; i < per_thread; ++i) {
        shared.Inc();
        gauge.Inc();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(shared.Value(), per_thread * kThreads);
  EXPECT_DOUBLE_EQ(gauge.Value(), static_cast<double>(per_thread * kThreads));
}

TEST(MetricsConcurrencyTest, ConcurrentObservationsCountEveryOne) {
  Registry r;
  const double bounds[] = {1, 2, 3};
  Histogram& h = r.GetHistogram("obs_seconds", "Obs.", bounds);
  const uint64_t per_thread = testing::ScaledOps(100'000);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h, per_thread, t] {
      for (uint64_t i = 0; i < per_thread; ++i) h.Observe(t + 0.5);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(h.Count(), per_thread * kThreads);
  for (size_t b = 0; b < 4; ++b) EXPECT_EQ(h.BucketCount(b), per_thread) << "bucket " << b;
  EXPECT_DOUBLE_EQ(h.Sum(), static_cast<double>(per_thread) * (0.5 + 1.5 + 2.5 + 3.5));
}

TEST(MetricsConcurrencyTest, LookupsAndScrapesRunAlongsideUpdates) {
  Registry r;
  const int per_thread = static_cast<int>(testing::ScaledOps(20'000));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&r, per_thread, t] {
      for (int i = 0; i < per_thread; ++i) {
        // Eight children, found again and again by every thread.
        r.GetCounter("req_total", "Req.", {{"route", std::to_string(i % 8)}}).Inc();
        r.GetHistogram("req_seconds", "Req.", kLatencyBucketsS, {{"t", std::to_string(t)}})
            .Observe(0.001);
      }
    });
  }
  size_t scraped_bytes = 0;
  std::thread scraper([&r, &scraped_bytes] {
    for (int i = 0; i < 200; ++i) scraped_bytes += r.RenderText().size();
  });
  for (auto& th : threads) th.join();
  scraper.join();
  uint64_t total = 0;
  for (int route = 0; route < 8; ++route) {
    total += r.GetCounter("req_total", "Req.", {{"route", std::to_string(route)}}).Value();
  }
  EXPECT_EQ(total, static_cast<uint64_t>(per_thread) * kThreads);
  const std::string text = r.RenderText();
  EXPECT_NE(text.find("req_seconds_count{t=\"3\"} " + std::to_string(per_thread)),
            std::string::npos);
}

}  // namespace
}  // namespace boxoffice::metrics
