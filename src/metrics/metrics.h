// Metrics: counters, gauges and histograms, rendered in the Prometheus text
// exposition format 0.0.4 by Registry::RenderText().
//
// Usage:
//   metrics::Registry registry;
//   metrics::Counter& holds = registry.GetCounter(
//       "boxoffice_holds_total", "Holds created.", {{"outcome", "ok"}});
//   holds.Inc();                       // lock-free, any thread
//   registry.RenderText();             // for GET /metrics
//
// A metric family is a name with a help text and a type; its children differ
// by their constant label pairs. Get* finds or creates a child under a mutex
// and returns a reference that stays valid for the registry's lifetime, so
// hot paths look a child up once and then only touch its atomics.
//
// Thread-safety: every method of every class here may be called from any
// thread. Inc/Set/Add/Observe are lock-free and never allocate. Values read
// while other threads write are each exact but not a consistent snapshot
// across children (a scrape may see a bucket count one ahead of the sum).
//
// Misuse (an invalid metric or label name, one name registered with two
// types or two bucket layouts, a duplicate label name) is a programmer error
// and crashes through BOX_ASSERT.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boxoffice::metrics {

// Constant label pairs of one child, e.g. {{"route", "/v1/holds/{id}"}, {"method", "GET"}}.
using Labels = std::vector<std::pair<std::string, std::string>>;

// Bucket upper bounds in seconds for request and commit latencies:
// 100 µs to 10 s, dense around the 1–25 ms that matter for the targets.
inline constexpr double kLatencyBucketsS[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                              0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                              1.0,    2.5,     5.0,    10.0};

// Keeps a histogram's bucket array small enough to scan on every observation.
inline constexpr size_t kHistogramBucketsMax = 64;

// A monotonically increasing count.
class Counter {
 public:
  void Inc(uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (open connections, queue length).
class Gauge {
 public:
  void Set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) noexcept { value_.fetch_add(d, std::memory_order_relaxed); }
  void Inc() noexcept { Add(1.0); }
  void Dec() noexcept { Add(-1.0); }
  double Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Observations counted into fixed buckets, plus their sum and count.
// Bucket i counts observations v with bounds[i-1] < v <= bounds[i]; the last,
// implicit bucket (+Inf) counts the rest, NaN included.
class Histogram {
 public:
  // `bounds_s` must be strictly increasing, finite and at most kHistogramBucketsMax long.
  explicit Histogram(std::span<const double> bounds_s);

  void Observe(double seconds) noexcept;

  std::span<const double> bounds() const { return bounds_; }
  // Observations in bucket i alone (not cumulative); i == bounds().size() is +Inf.
  uint64_t BucketCount(size_t i) const noexcept;
  uint64_t Count() const noexcept;  // the sum of all bucket counts
  double Sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

enum class MetricType : uint8_t { kCounter, kGauge, kHistogram };

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Find or create the child of family `name` with `labels`. The help text
  // of the first registration wins. Labels are sorted by name.
  Counter& GetCounter(std::string_view name, std::string_view help, Labels labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, Labels labels = {});
  // Every child of one histogram family has the same bucket bounds.
  Histogram& GetHistogram(std::string_view name, std::string_view help,
                          std::span<const double> bounds_s = kLatencyBucketsS, Labels labels = {});

  // Every family in name order, children in label order, in the Prometheus
  // text format 0.0.4 (Content-Type: text/plain; version=0.0.4).
  std::string RenderText() const;

 private:
  struct Family {
    std::string help;
    MetricType type;
    std::vector<double> bounds_s;  // histograms only
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };

  Family& FamilyLocked(std::string_view name, std::string_view help, MetricType type,
                       std::span<const double> bounds_s);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;  // guarded by mu_
};

// The Content-Type of RenderText()'s output.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// Prometheus naming rules: metric [a-zA-Z_:][a-zA-Z0-9_:]*, label [a-zA-Z_][a-zA-Z0-9_]*
// and not starting with "__" (reserved).
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

// Escapes a label value: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);
// Escapes a HELP text: backslash and newline.
std::string EscapeHelp(std::string_view help);
// A sample value as Prometheus reads it: shortest round-trip form, +Inf, -Inf, NaN.
std::string FormatValue(double v);

}  // namespace boxoffice::metrics
