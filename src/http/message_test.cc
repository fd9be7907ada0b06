// Methods, header lookup and response helpers.
#include "http/message.h"

#include <gtest/gtest.h>

namespace boxoffice::http {
namespace {

TEST(MethodTest, NamesRoundTrip) {
  for (size_t i = 0; i < kMethodCount; ++i) {
    const auto m = static_cast<Method>(i);
    EXPECT_EQ(ParseMethod(MethodName(m)), m);
  }
  EXPECT_EQ(ParseMethod("get"), std::nullopt);  // methods are case-sensitive
  EXPECT_EQ(ParseMethod("TRACE"), std::nullopt);
}

TEST(HeadersTest, LookupIgnoresCase) {
  Headers h;
  h.Add("Content-Type", "application/json");
  EXPECT_EQ(h.Get("content-type"), "application/json");
  EXPECT_EQ(h.Get("CONTENT-TYPE"), "application/json");
  EXPECT_FALSE(h.Get("Content-Length").has_value());
}

TEST(HeadersTest, GetReturnsTheFirstAndSetReplacesAll) {
  Headers h;
  h.Add("X-A", "1");
  h.Add("x-a", "2");
  EXPECT_EQ(h.Get("X-A"), "1");
  h.Set("X-a", "3");
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.Get("x-A"), "3");
  h.Remove("X-A");
  EXPECT_TRUE(h.empty());
}

TEST(RequestTest, QueryAndPathParamLookup) {
  Request r;
  r.query = {{"q", "rock"}, {"flag", ""}, {"q", "pop"}};
  r.path_params = {{"id", "42"}};
  EXPECT_EQ(r.Query("q"), "rock");
  EXPECT_EQ(r.Query("flag"), "");
  EXPECT_FALSE(r.Query("missing").has_value());
  EXPECT_EQ(r.PathParam("id"), "42");
}

TEST(RequestDeathTest, AskingForAnUnknownPathParamCrashes) {
  Request r;
  EXPECT_DEATH(r.PathParam("id"), "assertion failed");
}

TEST(ResponseTest, HelpersSetStatusTypeAndBody) {
  const Response j = Response::Json(201, R"({"a":1})");
  EXPECT_EQ(j.status, 201u);
  EXPECT_EQ(j.content_type, "application/json");
  EXPECT_EQ(j.body, R"({"a":1})");
  const Response e = Response::Empty(204);
  EXPECT_TRUE(e.content_type.empty());
  EXPECT_TRUE(e.body.empty());
}

}  // namespace
}  // namespace boxoffice::http
