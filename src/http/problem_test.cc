// problem+json rendering.
#include "http/problem.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace boxoffice::http {
namespace {

TEST(ProblemTest, RendersTheStandardMembersAndCode) {
  Problem p{409, "seat_unavailable", "Seat unavailable", "seat A-1-2 is held", {}};
  p.extra["conflicts"] = boost::json::array{"A-1-2"};
  const Response r = p.ToResponse();
  EXPECT_EQ(r.status, 409u);
  EXPECT_EQ(r.content_type, "application/problem+json");
  const boost::json::value v = boost::json::parse(r.body.view());
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("type").as_string(), "https://boxoffice.dev/problems/seat_unavailable");
  EXPECT_EQ(o.at("title").as_string(), "Seat unavailable");
  EXPECT_EQ(o.at("status").as_int64(), 409);
  EXPECT_EQ(o.at("detail").as_string(), "seat A-1-2 is held");
  EXPECT_EQ(o.at("code").as_string(), "seat_unavailable");
  EXPECT_EQ(o.at("conflicts").as_array().at(0).as_string(), "A-1-2");
}

TEST(ProblemTest, DetailIsEscapedAndOmittedWhenEmpty) {
  Problem p = problems::BadRequest("quote \" and newline \n");
  EXPECT_EQ(boost::json::parse(p.ToJson()).as_object().at("detail").as_string(),
            "quote \" and newline \n");
  p.detail.clear();
  EXPECT_FALSE(boost::json::parse(p.ToJson()).as_object().contains("detail"));
}

TEST(ProblemTest, FrameworkProblemsHaveTheirStatus) {
  EXPECT_EQ(problems::PayloadTooLarge(10).status, 413u);
  EXPECT_EQ(problems::HeaderTooLarge(10).status, 431u);
  EXPECT_EQ(problems::TargetTooLong(10).status, 414u);
  EXPECT_EQ(problems::RequestTimeout().status, 408u);
  EXPECT_EQ(problems::HandlerTimeout().code, "handler_timeout");
  EXPECT_EQ(problems::NotFound("x").code, "not_found");
}

TEST(ProblemDeathTest, AnExtraMemberMayNotShadowAStandardOne) {
  Problem p = problems::Internal("x");
  p.extra["status"] = 200;
  EXPECT_DEATH(p.ToJson(), "assertion failed");
}

}  // namespace
}  // namespace boxoffice::http
