// Metric values, the registry and the Prometheus text exposition format.
#include "metrics/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/status.h"

namespace boxoffice::metrics {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Sorts by label name and checks every name; user input never reaches here.
Labels Canonical(Labels labels, MetricType type) {
  std::sort(labels.begin(), labels.end());
  for (size_t i = 0; i < labels.size(); ++i) {
    BOX_ASSERT(IsValidLabelName(labels[i].first));
    BOX_ASSERT(i == 0 || labels[i - 1].first != labels[i].first);
    BOX_ASSERT(type != MetricType::kHistogram || labels[i].first != "le");
  }
  return labels;
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// Appends `{a="x",b="y"}`, or `{a="x",le="0.5"}` with an extra pair; nothing
// when there are no labels at all.
void AppendLabels(std::string& out, const Labels& labels, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  auto append_pair = [&](std::string_view name, std::string_view value) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += EscapeLabelValue(value);
    out += '"';
  };
  for (const auto& [name, value] : labels) append_pair(name, value);
  if (!extra_name.empty()) append_pair(extra_name, extra_value);
  out += '}';
}

void AppendSample(std::string& out, std::string_view name, std::string_view suffix,
                  const Labels& labels, std::string_view value, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  out += name;
  out += suffix;
  AppendLabels(out, labels, extra_name, extra_value);
  out += ' ';
  out += value;
  out += '\n';
}

std::string FormatCount(uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  BOX_ASSERT(ec == std::errc());
  return std::string(buf, end);
}

void AppendHistogram(std::string& out, std::string_view name, const Labels& labels,
                     const Histogram& h) {
  const auto bounds = h.bounds();
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += h.BucketCount(i);
    const std::string le = i < bounds.size() ? FormatValue(bounds[i]) : "+Inf";
    AppendSample(out, name, "_bucket", labels, FormatCount(cumulative), "le", le);
  }
  AppendSample(out, name, "_sum", labels, FormatValue(h.Sum()));
  // The count is the +Inf bucket, so the two always agree within one scrape.
  AppendSample(out, name, "_count", labels, FormatCount(cumulative));
}

}  // namespace

// ---------------------------------------------------------------------------
// Histogram

Histogram::Histogram(std::span<const double> bounds_s)
    : bounds_(bounds_s.begin(), bounds_s.end()),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_s.size() + 1)) {
  BOX_ASSERT(bounds_.size() <= kHistogramBucketsMax);
  for (size_t i = 0; i < bounds_.size(); ++i) {
    BOX_ASSERT(std::isfinite(bounds_[i]));
    BOX_ASSERT(i == 0 || bounds_[i - 1] < bounds_[i]);
  }
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double seconds) noexcept {
  // First bound >= seconds; NaN compares false everywhere and lands in +Inf.
  size_t i = 0;
  if (std::isnan(seconds)) {
    i = bounds_.size();
  } else {
    i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), seconds) -
                            bounds_.begin());
  }
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(seconds, std::memory_order_relaxed);
}

uint64_t Histogram::BucketCount(size_t i) const noexcept {
  BOX_ASSERT(i <= bounds_.size());
  return buckets_[i].load(std::memory_order_relaxed);
}

uint64_t Histogram::Count() const noexcept {
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) total += BucketCount(i);
  return total;
}

// ---------------------------------------------------------------------------
// Registry

Registry::Family& Registry::FamilyLocked(std::string_view name, std::string_view help,
                                         MetricType type, std::span<const double> bounds_s) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    BOX_ASSERT(IsValidMetricName(name));
    Family family{
        std::string(help), type, std::vector<double>(bounds_s.begin(), bounds_s.end()), {}, {}, {}};
    it = families_.emplace(std::string(name), std::move(family)).first;
  }
  Family& family = it->second;
  BOX_ASSERT(family.type == type);
  BOX_ASSERT(
      std::equal(family.bounds_s.begin(), family.bounds_s.end(), bounds_s.begin(), bounds_s.end()));
  return family;
}

Counter& Registry::GetCounter(std::string_view name, std::string_view help, Labels labels) {
  Labels key = Canonical(std::move(labels), MetricType::kCounter);
  std::lock_guard lock(mu_);
  auto& slot = FamilyLocked(name, help, MetricType::kCounter, {}).counters[std::move(key)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::GetGauge(std::string_view name, std::string_view help, Labels labels) {
  Labels key = Canonical(std::move(labels), MetricType::kGauge);
  std::lock_guard lock(mu_);
  auto& slot = FamilyLocked(name, help, MetricType::kGauge, {}).gauges[std::move(key)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::GetHistogram(std::string_view name, std::string_view help,
                                  std::span<const double> bounds_s, Labels labels) {
  Labels key = Canonical(std::move(labels), MetricType::kHistogram);
  std::lock_guard lock(mu_);
  auto& slot =
      FamilyLocked(name, help, MetricType::kHistogram, bounds_s).histograms[std::move(key)];
  if (!slot) slot = std::make_unique<Histogram>(bounds_s);
  return *slot;
}

std::string Registry::RenderText() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, family] : families_) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += EscapeHelp(family.help);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += TypeName(family.type);
    out += '\n';
    for (const auto& [labels, c] : family.counters) {
      AppendSample(out, name, "", labels, FormatCount(c->Value()));
    }
    for (const auto& [labels, g] : family.gauges) {
      AppendSample(out, name, "", labels, FormatValue(g->Value()));
    }
    for (const auto& [labels, h] : family.histograms) AppendHistogram(out, name, labels, *h);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Text format helpers

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = IsAsciiLetter(c) || c == '_' || c == ':' || (i > 0 && IsAsciiDigit(c));
    if (!ok) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = IsAsciiLetter(c) || c == '_' || (i > 0 && IsAsciiDigit(c));
    if (!ok) return false;
  }
  return true;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits, in exponent form only outside [1e-4, 1e21),
  // as the Go client writes them, so `le` labels match across exporters.
  const double a = std::fabs(v);
  const auto format = (a == 0 || (a >= 1e-4 && a < 1e21)) ? std::chars_format::fixed
                                                          : std::chars_format::scientific;
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, format);
  BOX_ASSERT(ec == std::errc());
  return std::string(buf, end);
}

}  // namespace boxoffice::metrics
