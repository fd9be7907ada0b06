// Metric values, registry lookup and the Prometheus text format.
#include "metrics/metrics.h"
#include "metrics/process_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace boxoffice::metrics {
namespace {

TEST(CounterTest, IncrementsByOneOrByN) {
  Counter c;
  c.Inc();
  c.Inc(41);
  EXPECT_EQ(c.Value(), 42u);
}

TEST(GaugeTest, SetsAddsAndGoesDown) {
  Gauge g;
  g.Set(10);
  g.Add(2.5);
  g.Dec();
  EXPECT_DOUBLE_EQ(g.Value(), 11.5);
  g.Add(-20);
  EXPECT_DOUBLE_EQ(g.Value(), -8.5);
}

TEST(HistogramTest, ObservationOnABoundLandsInThatBucket) {
  const double bounds[] = {0.1, 0.5, 1.0};
  Histogram h(bounds);
  h.Observe(0.1);   // le="0.1" includes the bound itself
  h.Observe(0.05);  // below the first bound
  h.Observe(0.3);
  h.Observe(1.0);
  h.Observe(7.0);  // +Inf
  EXPECT_EQ(h.BucketCount(0), 2u);
  EXPECT_EQ(h.BucketCount(1), 1u);
  EXPECT_EQ(h.BucketCount(2), 1u);
  EXPECT_EQ(h.BucketCount(3), 1u);
  EXPECT_EQ(h.Count(), 5u);
  EXPECT_DOUBLE_EQ(h.Sum(), 0.1 + 0.05 + 0.3 + 1.0 + 7.0);
}

TEST(HistogramTest, NanAndInfinityLandInTheLastBucket) {
  const double bounds[] = {1.0};
  Histogram h(bounds);
  h.Observe(std::numeric_limits<double>::quiet_NaN());
  h.Observe(std::numeric_limits<double>::infinity());
  h.Observe(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(h.BucketCount(0), 1u);  // -Inf is below every bound
  EXPECT_EQ(h.BucketCount(1), 2u);
}

TEST(RegistryTest, SameNameAndLabelsReturnTheSameChild) {
  Registry r;
  Counter& a = r.GetCounter("x_total", "X.", {{"b", "2"}, {"a", "1"}});
  Counter& b = r.GetCounter("x_total", "X.", {{"a", "1"}, {"b", "2"}});
  Counter& c = r.GetCounter("x_total", "X.", {{"a", "1"}, {"b", "3"}});
  EXPECT_EQ(&a, &b);  // label order does not matter
  EXPECT_NE(&a, &c);
}

TEST(RegistryTest, RendersCounterAndGaugeFamiliesInNameOrder) {
  Registry r;
  r.GetGauge("b_open", "Open things.").Set(3);
  r.GetCounter("a_total", "Things done.", {{"kind", "y"}}).Inc(2);
  r.GetCounter("a_total", "Things done.", {{"kind", "x"}}).Inc(5);
  EXPECT_EQ(r.RenderText(),
            "# HELP a_total Things done.\n"
            "# TYPE a_total counter\n"
            "a_total{kind=\"x\"} 5\n"
            "a_total{kind=\"y\"} 2\n"
            "# HELP b_open Open things.\n"
            "# TYPE b_open gauge\n"
            "b_open 3\n");
}

TEST(RegistryTest, RendersHistogramWithCumulativeBucketsSumAndCount) {
  Registry r;
  const double bounds[] = {0.005, 0.25};
  Histogram& h = r.GetHistogram("lat_seconds", "Latency.", bounds, {{"route", "/v1/x"}});
  h.Observe(0.001);
  h.Observe(0.1);
  h.Observe(2);
  EXPECT_EQ(r.RenderText(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{route=\"/v1/x\",le=\"0.005\"} 1\n"
            "lat_seconds_bucket{route=\"/v1/x\",le=\"0.25\"} 2\n"
            "lat_seconds_bucket{route=\"/v1/x\",le=\"+Inf\"} 3\n"
            "lat_seconds_sum{route=\"/v1/x\"} 2.101\n"
            "lat_seconds_count{route=\"/v1/x\"} 3\n");
}

TEST(RegistryTest, RendersHistogramWithoutLabelsWithOnlyLe) {
  Registry r;
  const double bounds[] = {1};
  r.GetHistogram("h", "H.", bounds).Observe(0.5);
  const std::string text = r.RenderText();
  EXPECT_NE(text.find("h_bucket{le=\"1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_sum 0.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_count 1\n"), std::string::npos) << text;
}

TEST(RegistryTest, EscapesLabelValuesAndHelp) {
  Registry r;
  r.GetCounter("e_total", "Line one\nback\\slash \"quoted\"", {{"v", "a\"b\\c\nd"}}).Inc();
  EXPECT_EQ(r.RenderText(),
            "# HELP e_total Line one\\nback\\\\slash \"quoted\"\n"
            "# TYPE e_total counter\n"
            "e_total{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(RegistryTest, FirstHelpTextWins) {
  Registry r;
  r.GetCounter("c_total", "First.");
  r.GetCounter("c_total", "Second.", {{"a", "b"}});
  EXPECT_NE(r.RenderText().find("# HELP c_total First.\n"), std::string::npos);
}

TEST(FormatTest, ValuesUseShortestRoundTripAndSpecialNames) {
  EXPECT_EQ(FormatValue(0.0001), "0.0001");
  EXPECT_EQ(FormatValue(2.5), "2.5");
  EXPECT_EQ(FormatValue(10), "10");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(0.00001), "1e-05");
  EXPECT_EQ(FormatValue(1e21), "1e+21");
  EXPECT_EQ(FormatValue(123456789.5), "123456789.5");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(FormatTest, NamesFollowThePrometheusRules) {
  EXPECT_TRUE(IsValidMetricName("http_requests_total"));
  EXPECT_TRUE(IsValidMetricName("ns:rule_1"));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("route"));
  EXPECT_FALSE(IsValidLabelName("__name"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("9x"));
}

TEST(RegistryDeathTest, OneNameWithTwoTypesCrashes) {
  Registry r;
  r.GetCounter("dup", "D.");
  EXPECT_DEATH(r.GetGauge("dup", "D."), "assertion failed");
}

TEST(RegistryDeathTest, InvalidLabelNameCrashes) {
  Registry r;
  EXPECT_DEATH(r.GetCounter("ok_total", "O.", {{"bad-name", "v"}}), "assertion failed");
}

TEST(ProcessMetricsTest, ResidentMemoryIsExportedAsTheStandardGauge) {
  const std::optional<uint64_t> rss = ResidentMemoryBytes();
  ASSERT_TRUE(rss.has_value());
  EXPECT_GT(*rss, 0u);
  Registry r;
  UpdateProcessMetrics(r);
  const std::string text = r.RenderText();
  EXPECT_NE(text.find("# TYPE process_resident_memory_bytes gauge\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("process_resident_memory_bytes 0\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace boxoffice::metrics
