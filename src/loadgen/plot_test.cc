#include "loadgen/plot.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace boxoffice::loadgen {
namespace {

// The `points` attribute of every polyline.
std::vector<std::string> Points(const std::string& svg) {
  std::vector<std::string> out;
  const std::string key = "points=\"";
  for (size_t i = svg.find(key); i != std::string::npos; i = svg.find(key, i + 1)) {
    const size_t begin = i + key.size();
    out.push_back(svg.substr(begin, svg.find('"', begin) - begin));
  }
  return out;
}

size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + 1)) ++n;
  return n;
}

BenchReport WithTimeline() {
  BenchReport r;
  r.show_id = "s1";
  r.capacity = 2000;
  uint64_t total = 0;
  for (int s = 1; s <= 12; ++s) {
    const uint64_t booked = s < 10 ? 150 : 0;
    total += booked;
    r.timeline.push_back(TimelinePoint{static_cast<double>(s), 1.0, 300, booked, 20, 900, total,
                                       1.0 + s * 0.1, 4.0 + s});
  }
  return r;
}

TEST(Plot, DrawsFourLinesOnTwoPanels) {
  const std::string svg = RenderSvg(WithTimeline());
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_EQ(Count(svg, "<polyline"), 4u);  // p50, p99, bookings per second, total
  EXPECT_NE(svg.find("latency, ms"), std::string::npos);
  EXPECT_NE(svg.find("bookings per second"), std::string::npos);
  // Each line has one point per second of the timeline.
  for (const std::string& points : Points(svg)) EXPECT_EQ(Count(points, ","), 12u);
  // The p99 axis is rounded up above the largest p99 (16 ms): 20.
  EXPECT_NE(svg.find(">20</text>"), std::string::npos);
}

TEST(Plot, EveryPointStaysInsideThePicture) {
  const std::string svg = RenderSvg(WithTimeline());
  for (const std::string& points : Points(svg)) {
    std::istringstream in(points);
    std::string xy;
    while (in >> xy) {
      const size_t comma = xy.find(',');
      ASSERT_NE(comma, std::string::npos) << xy;
      const double x = std::stod(xy.substr(0, comma)), y = std::stod(xy.substr(comma + 1));
      EXPECT_GE(x, 0);
      EXPECT_LE(x, 900);
      EXPECT_GE(y, 0);
      EXPECT_LE(y, 600);
    }
  }
}

TEST(Plot, AnEmptyRunSaysSoAndTextIsEscaped) {
  BenchReport r;
  r.show_id = "<s&1>";
  const std::string svg = RenderSvg(r);
  EXPECT_NE(svg.find("no progress interval"), std::string::npos);
  EXPECT_NE(svg.find("&lt;s&amp;1&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<s&1>"), std::string::npos);
}

}  // namespace
}  // namespace boxoffice::loadgen
