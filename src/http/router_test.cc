// Routing, path parameters, 404/405, and Responders answering once.
#include "http/router.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "http/problem.h"

namespace boxoffice::http {
namespace {

void Nop(Request&&, Responder) {}

std::vector<std::string> Segments(std::initializer_list<const char*> s) {
  return {s.begin(), s.end()};
}

Router ShowsRouter() {
  Router r;
  r.Add(Method::kGet, "/v1/shows", Nop);
  r.Add(Method::kPost, "/v1/shows", Nop);
  r.Add(Method::kGet, "/v1/shows/{id}", Nop);
  r.Add(Method::kPost, "/v1/shows/{show_id}/holds", Nop);
  r.Add(Method::kGet, "/v1/shows/search", Nop);
  r.Add(Method::kDelete, "/v1/holds/{id}", Nop);
  r.Add(Method::kGet, "/", Nop);
  return r;
}

TEST(RouterTest, MatchesLiteralPaths) {
  const Router r = ShowsRouter();
  const auto m = r.Find(Method::kGet, Segments({"v1", "shows"}));
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/v1/shows");
  EXPECT_TRUE(m.params.empty());
  EXPECT_EQ(r.Find(Method::kGet, {}).route->pattern, "/");
}

TEST(RouterTest, CapturesPathParametersByName) {
  const Router r = ShowsRouter();
  const auto m = r.Find(Method::kPost, Segments({"v1", "shows", "42", "holds"}));
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/v1/shows/{show_id}/holds");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0], (Request::Param{"show_id", "42"}));
  const auto g = r.Find(Method::kGet, Segments({"v1", "shows", "a/b"}));
  ASSERT_EQ(g.kind, Router::Match::Kind::kFound);  // a decoded "/" stays in its segment
  EXPECT_EQ(g.params[0], (Request::Param{"id", "a/b"}));
}

TEST(RouterTest, LiteralBeatsParameter) {
  const Router r = ShowsRouter();
  EXPECT_EQ(r.Find(Method::kGet, Segments({"v1", "shows", "search"})).route->pattern,
            "/v1/shows/search");
}

TEST(RouterTest, UnknownPathsAreNotFound) {
  const Router r = ShowsRouter();
  EXPECT_EQ(r.Find(Method::kGet, Segments({"v2"})).kind, Router::Match::Kind::kNotFound);
  EXPECT_EQ(r.Find(Method::kGet, Segments({"v1", "shows", "1", "x"})).kind,
            Router::Match::Kind::kNotFound);
  // A trailing slash is another path, and a parameter never matches "".
  EXPECT_EQ(r.Find(Method::kGet, Segments({"v1", "shows", ""})).kind,
            Router::Match::Kind::kNotFound);
  EXPECT_EQ(r.Find(Method::kGet, Segments({"v1"})).kind, Router::Match::Kind::kNotFound);
}

TEST(RouterTest, WrongMethodOnAKnownPathListsTheAllowedOnes) {
  const Router r = ShowsRouter();
  const auto m = r.Find(Method::kDelete, Segments({"v1", "shows"}));
  EXPECT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");
  EXPECT_EQ(r.Find(Method::kGet, Segments({"v1", "holds", "9"})).allow, "DELETE");
}

TEST(RouterTest, HeadFallsBackToGet) {
  const Router r = ShowsRouter();
  const auto m = r.Find(Method::kHead, Segments({"v1", "shows", "7"}));
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->method, Method::kGet);
}

TEST(RouterTest, ListsRoutesInRegistrationOrder) {
  const Router r = ShowsRouter();
  const auto routes = r.Routes();
  ASSERT_EQ(routes.size(), 7u);
  EXPECT_EQ(routes[0], (RouteInfo{Method::kGet, "/v1/shows"}));
  EXPECT_EQ(routes[3], (RouteInfo{Method::kPost, "/v1/shows/{show_id}/holds"}));
}

TEST(RouterTest, ValidatesPatterns) {
  EXPECT_TRUE(Router::IsValidPattern("/"));
  EXPECT_TRUE(Router::IsValidPattern("/v1/shows/{id}/holds"));
  EXPECT_FALSE(Router::IsValidPattern(""));
  EXPECT_FALSE(Router::IsValidPattern("v1"));
  EXPECT_FALSE(Router::IsValidPattern("/v1/"));
  EXPECT_FALSE(Router::IsValidPattern("/v1//x"));
  EXPECT_FALSE(Router::IsValidPattern("/{Id}"));
  EXPECT_FALSE(Router::IsValidPattern("/{}"));
  EXPECT_FALSE(Router::IsValidPattern("/a{id}"));
  EXPECT_FALSE(Router::IsValidPattern("/a b"));
}

TEST(RouterDeathTest, DuplicateRouteCrashes) {
  Router r;
  r.Add(Method::kGet, "/x/{a}", Nop);
  EXPECT_DEATH(r.Add(Method::kGet, "/x/{b}", Nop), "assertion failed");
}

// A sink that records what Responders deliver.
class RecordingSink final : public internal::ResponseSink {
 public:
  void Deliver(uint64_t exchange, Response&& response) override {
    delivered.emplace_back(exchange, std::move(response));
  }
  std::vector<std::pair<uint64_t, Response>> delivered;
};

TEST(ResponderTest, DeliversOnceWithItsExchange) {
  auto sink = std::make_shared<RecordingSink>();
  Responder r(sink, 7, nullptr);
  EXPECT_TRUE(static_cast<bool>(r));
  r(Response::Text(200, "ok"));
  EXPECT_FALSE(static_cast<bool>(r));
  ASSERT_EQ(sink->delivered.size(), 1u);
  EXPECT_EQ(sink->delivered[0].first, 7u);
  EXPECT_EQ(sink->delivered[0].second.body, "ok");
}

TEST(ResponderTest, DroppingAnUnansweredResponderAnswers500) {
  auto sink = std::make_shared<RecordingSink>();
  { Responder r(sink, 3, nullptr); }
  ASSERT_EQ(sink->delivered.size(), 1u);
  EXPECT_EQ(sink->delivered[0].second.status, 500u);
  EXPECT_EQ(sink->delivered[0].second.content_type, "application/problem+json");
}

TEST(ResponderTest, MovingTransfersTheDutyToAnswer) {
  auto sink = std::make_shared<RecordingSink>();
  Responder a(sink, 1, nullptr);
  Responder b = std::move(a);
  EXPECT_TRUE(sink->delivered.empty());
  Responder c(sink, 2, nullptr);
  c = std::move(b);  // c's own request is dropped: 500 for exchange 2
  ASSERT_EQ(sink->delivered.size(), 1u);
  EXPECT_EQ(sink->delivered[0].first, 2u);
  c(Response::Empty(204));
  ASSERT_EQ(sink->delivered.size(), 2u);
  EXPECT_EQ(sink->delivered[1].first, 1u);
}

TEST(ResponderDeathTest, AnsweringTwiceCrashes) {
  auto sink = std::make_shared<RecordingSink>();
  Responder r(sink, 1, nullptr);
  r(Response::Empty(204));
  EXPECT_DEATH(r(Response::Empty(204)), "assertion failed");
}

}  // namespace
}  // namespace boxoffice::http
