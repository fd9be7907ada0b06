#include "loadgen/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "http/message.h"

namespace boxoffice::loadgen {
namespace {

constexpr double kWidth = 900, kHeight = 600;
constexpr double kLeft = 70, kRight = 80, kTop = 50, kGap = 60, kBottom = 50;
constexpr double kPanelHeight = (kHeight - kTop - kGap - kBottom) / 2;
constexpr int kTicks = 5;

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A value printed on an axis: short, without useless decimals.
std::string Label(double v) {
  char buf[32];
  if (v >= 10'000) {
    std::snprintf(buf, sizeof buf, "%.0fk", v / 1000);
  } else if (v >= 10 || v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2g", v);
  }
  return buf;
}

// A round upper bound for an axis: 1, 2 or 5 times a power of ten.
double NiceMax(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (v <= m * p) return m * p;
  }
  return 10 * p;
}

struct Panel {
  double top;
  double x_max;  // seconds
  double y_max;
  double X(double t) const { return kLeft + (kWidth - kLeft - kRight) * t / x_max; }
  double Y(double v, double max) const { return top + kPanelHeight * (1 - v / max); }
};

void Axes(std::string& svg, const Panel& p, std::string_view y_title, bool time_labels) {
  const double right = kWidth - kRight, bottom = p.top + kPanelHeight;
  svg += "<rect x=\"" + Num(kLeft) + "\" y=\"" + Num(p.top) + "\" width=\"" + Num(right - kLeft) +
         "\" height=\"" + Num(kPanelHeight) + "\" fill=\"none\" stroke=\"#888\"/>\n";
  for (int i = 0; i <= kTicks; ++i) {
    const double v = p.y_max * i / kTicks, y = p.Y(v, p.y_max);
    svg += "<line x1=\"" + Num(kLeft) + "\" y1=\"" + Num(y) + "\" x2=\"" + Num(right) + "\" y2=\"" +
           Num(y) + "\" stroke=\"#eee\"/>\n";
    svg += "<text x=\"" + Num(kLeft - 6) + "\" y=\"" + Num(y + 4) + "\" text-anchor=\"end\">" +
           Label(v) + "</text>\n";
    const double t = p.x_max * i / kTicks;
    if (time_labels) {
      svg += "<text x=\"" + Num(p.X(t)) + "\" y=\"" + Num(bottom + 18) +
             "\" text-anchor=\"middle\">" + Label(t) + "</text>\n";
    }
  }
  svg += "<text x=\"16\" y=\"" + Num(p.top + kPanelHeight / 2) + "\" transform=\"rotate(-90 16 " +
         Num(p.top + kPanelHeight / 2) + ")\" text-anchor=\"middle\">" +
         http::EscapeMarkup(y_title) + "</text>\n";
}

template <typename Fn>
void Line(std::string& svg, const std::vector<TimelinePoint>& points, const Panel& p, double y_max,
          std::string_view color, Fn value) {
  std::string coords;
  for (const TimelinePoint& t : points) {
    coords += Num(p.X(t.at_s)) + "," + Num(p.Y(std::min(value(t), y_max), y_max)) + " ";
  }
  svg += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + std::string(color) +
         "\" points=\"" + coords + "\"/>\n";
}

void Legend(std::string& svg, double x, double y, std::string_view color, std::string_view text) {
  svg += "<rect x=\"" + Num(x) + "\" y=\"" + Num(y - 9) + "\" width=\"14\" height=\"4\" fill=\"" +
         std::string(color) + "\"/><text x=\"" + Num(x + 20) + "\" y=\"" + Num(y) + "\">" +
         http::EscapeMarkup(text) + "</text>\n";
}

}  // namespace

std::string RenderSvg(const BenchReport& r) {
  const std::vector<TimelinePoint>& points = r.timeline;
  double x_max = 1, p99_max = 0, rate_max = 0, total_max = 0;
  for (const TimelinePoint& t : points) {
    x_max = std::max(x_max, t.at_s);
    p99_max = std::max(p99_max, t.p99_ms);
    rate_max =
        std::max(rate_max, t.interval_s > 0 ? static_cast<double>(t.bookings) / t.interval_s : 0);
    total_max = std::max(total_max, static_cast<double>(t.bookings_total));
  }
  x_max = NiceMax(x_max);
  const Panel latency{kTop, x_max, NiceMax(p99_max)};
  const Panel bookings{kTop + kPanelHeight + kGap, x_max, NiceMax(rate_max)};
  const double total_axis = NiceMax(total_max);

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Num(kWidth) +
                    "\" height=\"" + Num(kHeight) + "\" viewBox=\"0 0 " + Num(kWidth) + " " +
                    Num(kHeight) +
                    "\" font-family=\"sans-serif\" font-size=\"12\">\n"
                    "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"" + Num(kLeft) + "\" y=\"24\" font-size=\"15\">" +
         http::EscapeMarkup("boxoffice bench " + std::string(ScenarioName(r.options.scenario)) +
                            ": show " + r.show_id + ", " + std::to_string(r.options.fans) +
                            " fans, " + std::to_string(r.capacity) + " places") +
         "</text>\n";
  if (points.empty()) {
    svg += "<text x=\"" + Num(kLeft) + "\" y=\"" + Num(kTop + 20) +
           "\">no progress interval was recorded (the sale ended within a second)</text>\n";
  }
  Axes(svg, latency, "latency, ms", false);
  Line(svg, points, latency, latency.y_max, "#1f77b4", [](const auto& t) { return t.p50_ms; });
  Line(svg, points, latency, latency.y_max, "#d62728", [](const auto& t) { return t.p99_ms; });
  Legend(svg, kWidth - kRight - 150, kTop + 16, "#1f77b4", "p50 per second");
  Legend(svg, kWidth - kRight - 150, kTop + 32, "#d62728", "p99 per second");

  Axes(svg, bookings, "bookings per second", true);
  Line(svg, points, bookings, bookings.y_max, "#2ca02c", [](const auto& t) {
    return t.interval_s > 0 ? static_cast<double>(t.bookings) / t.interval_s : 0;
  });
  Line(svg, points, bookings, total_axis, "#7f7f7f",
       [](const auto& t) { return static_cast<double>(t.bookings_total); });
  for (int i = 0; i <= kTicks; ++i) {  // the right axis: bookings in total
    const double v = total_axis * i / kTicks;
    svg += "<text x=\"" + Num(kWidth - kRight + 6) + "\" y=\"" +
           Num(bookings.Y(v, total_axis) + 4) + "\">" + Label(v) + "</text>\n";
  }
  Legend(svg, kWidth - kRight - 150, bookings.top + 16, "#2ca02c", "bookings per second");
  Legend(svg, kWidth - kRight - 150, bookings.top + 32, "#7f7f7f", "bookings in total (right)");
  svg += "<text x=\"" + Num(kLeft + (kWidth - kLeft - kRight) / 2) + "\" y=\"" + Num(kHeight - 12) +
         "\" text-anchor=\"middle\">seconds since the first fan</text>\n";
  svg += "</svg>\n";
  return svg;
}

}  // namespace boxoffice::loadgen
