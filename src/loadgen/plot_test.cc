#include "loadgen/plot.h"

#include <gtest/gtest.h>

#include <regex>

namespace boxoffice::loadgen {
namespace {

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
  const std::regex line("points=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), line); it != std::sregex_iterator();
       ++it) {
    EXPECT_EQ(Count((*it)[1].str(), ","), 12u);
  }
  // The p99 axis is rounded up above the largest p99 (16 ms): 20.
  EXPECT_NE(svg.find(">20</text>"), std::string::npos);
}

TEST(Plot, EveryPointStaysInsideThePicture) {
  const std::string svg = RenderSvg(WithTimeline());
  const std::regex coord("([0-9.]+),([0-9.]+) ");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), coord); it != std::sregex_iterator();
       ++it) {
    const double x = std::stod((*it)[1].str()), y = std::stod((*it)[2].str());
    EXPECT_GE(x, 0);
    EXPECT_LE(x, 900);
    EXPECT_GE(y, 0);
    EXPECT_LE(y, 600);
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
