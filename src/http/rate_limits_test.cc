#include "http/rate_limits.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "http/jwt.h"
#include "metrics/metrics.h"
#include "testing/fake_clock.h"

namespace boxoffice::http {
namespace {

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef-rate";
constexpr std::string_view kAdminKey = "admin-key-0123456789abcdef0123456789";

std::string Token(testing::FakeClock& clock, const std::string& user,
                  JwtRole role = JwtRole::kFan) {
  JwtClaims c;
  c.sub = user;
  c.iat_s = clock.now_ms() / 1000;
  c.exp_s = c.iat_s + 3600;
  c.role = role;
  return SignJwt(c, kSecret);
}

class RateLimitsTest : public ::testing::Test {
 protected:
  // address 1/s burst 2, reads 2/s burst 4, user 1/s burst 3, user_show 1/s burst 2.
  void Make(RateLimitOptions o = {}, bool test_limits = true) {
    if (test_limits) {
      o.limits = {core::RateLimit{1, 2}, core::RateLimit{2, 4}, core::RateLimit{1, 3},
                  core::RateLimit{1, 2}};
    }
    o.jwt_secret = kSecret;
    o.admin_key = kAdminKey;
    limits_ = std::make_unique<RateLimits>(
        o, [this] { return clock_.now_ms(); }, &metrics_);
  }

  Request Req(Method m, std::string_view pattern, std::string address, const std::string& user = "",
              std::string show = "7") {
    Request r;
    r.method = m;
    r.route = pattern;
    r.remote_address = std::move(address);
    if (pattern.starts_with("/v1/shows/{id}")) r.path_params.emplace_back("id", std::move(show));
    if (!user.empty()) r.headers.Add("Authorization", "Bearer " + Token(clock_, user));
    return r;
  }

  std::optional<Response> Check(const Request& r) {
    return limits_->Check(r, RouteTraitsOf(r.method, r.route));
  }
  // How many of `n` identical requests pass at this instant.
  int Passing(const Request& r, int n) {
    int passed = 0;
    for (int i = 0; i < n; ++i) passed += Check(r) ? 0 : 1;
    return passed;
  }

  testing::FakeClock clock_;
  metrics::Registry metrics_;
  std::unique_ptr<RateLimits> limits_;
};

constexpr std::string_view kHolds = "/v1/shows/{id}/holds";
constexpr std::string_view kConfirm = "/v1/holds/{id}/confirm";
constexpr std::string_view kShow = "/v1/shows/{id}";

TEST_F(RateLimitsTest, AnAddressGetsItsBurstThenA429WithRetryAfter) {
  Make();
  const Request r = Req(Method::kPost, "/v1/venues", "203.0.113.5");
  EXPECT_EQ(Passing(r, 2), 2);
  const std::optional<Response> refused = Check(r);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 429u);
  EXPECT_EQ(refused->content_type, kProblemContentType);
  EXPECT_EQ(refused->headers.Get("Retry-After"), "1");  // 1 token at 1/s: 1000 ms
  const boost::json::value body = boost::json::parse(refused->body.view());
  EXPECT_EQ(body.at("code").as_string(), "rate_limited");
  EXPECT_EQ(body.at("scope").as_string(), "address");
  EXPECT_EQ(body.at("retry_after_ms").as_int64(), 1000);
  EXPECT_EQ(limits_->limited(RateScope::kAddress), 1u);
  clock_.Advance(999);
  EXPECT_TRUE(Check(r).has_value()) << "one millisecond early";
  clock_.Advance(1);
  EXPECT_FALSE(Check(r).has_value()) << "exactly when Retry-After said";
}

TEST_F(RateLimitsTest, ReadsHaveTheirOwnLooserBucket) {
  Make();
  const Request write = Req(Method::kPost, "/v1/venues", "203.0.113.5");
  const Request read = Req(Method::kGet, kShow, "203.0.113.5");
  EXPECT_EQ(Passing(write, 5), 2);
  EXPECT_EQ(Passing(read, 10), 4);
  EXPECT_EQ(limits_->limited(RateScope::kAddressRead), 6u);
}

TEST_F(RateLimitsTest, OtherAddressesAreUnaffected) {
  Make();
  EXPECT_EQ(Passing(Req(Method::kDelete, "/v1/holds/{id}", "203.0.113.5"), 5), 2);
  EXPECT_EQ(Passing(Req(Method::kDelete, "/v1/holds/{id}", "203.0.113.6"), 5), 2);
}

TEST_F(RateLimitsTest, IPv6ClientsShareTheirSlash64) {
  Make();
  EXPECT_EQ(Passing(Req(Method::kPut, "/v1/x", "2001:db8:1:2::1"), 1), 1);
  EXPECT_EQ(Passing(Req(Method::kPut, "/v1/x", "2001:db8:1:2:ffff::9"), 5), 1);
  EXPECT_EQ(Passing(Req(Method::kPut, "/v1/x", "2001:db8:1:3::1"), 5), 2) << "another /64";
}

TEST_F(RateLimitsTest, LoopbackIsNotLimitedUnlessConfigured) {
  Make();
  EXPECT_EQ(Passing(Req(Method::kPost, kHolds, "127.0.0.1", "alice"), 50), 50);
  EXPECT_EQ(Passing(Req(Method::kPost, kHolds, "::1", "alice"), 50), 50);
  EXPECT_EQ(Passing(Req(Method::kPost, kHolds, "::ffff:127.0.0.1", "alice"), 50), 50);
  RateLimitOptions o;
  o.loopback = true;
  Make(o);
  EXPECT_EQ(Passing(Req(Method::kPost, "/v1/venues", "127.0.0.1"), 5), 2);
}

TEST_F(RateLimitsTest, ForwardedForNamesTheClientBehindALoopbackProxy) {
  RateLimitOptions o;
  o.forwarded_for = true;
  Make(o);
  Request a = Req(Method::kPost, "/v1/venues", "127.0.0.1");
  a.headers.Add("X-Forwarded-For", "198.51.100.1, 203.0.113.5");
  Request b = Req(Method::kPost, "/v1/venues", "127.0.0.1");
  b.headers.Add("X-Forwarded-For", "203.0.113.6");
  EXPECT_EQ(Passing(a, 5), 2);
  EXPECT_EQ(Passing(b, 5), 2);
  // From a peer that is not loopback, the header is the client's own word: ignored.
  Request c = Req(Method::kPost, "/v1/venues", "203.0.113.9");
  c.headers.Add("X-Forwarded-For", "198.51.100.77");
  EXPECT_EQ(Passing(c, 5), 2);
  Request d = Req(Method::kPost, "/v1/venues", "203.0.113.9");
  d.headers.Add("X-Forwarded-For", "198.51.100.78");
  EXPECT_EQ(Passing(d, 5), 0);
}

TEST_F(RateLimitsTest, AUserIsLimitedAcrossAddresses) {
  Make();
  // Per address 2 each: the user's own burst of 3 runs out first.
  int passed = 0;
  for (int i = 0; i < 6; ++i) {
    passed +=
        Check(Req(Method::kPost, kConfirm, "203.0.113." + std::to_string(i), "alice")) ? 0 : 1;
  }
  EXPECT_EQ(passed, 3);
  EXPECT_EQ(limits_->limited(RateScope::kUser), 3u);
  EXPECT_FALSE(Check(Req(Method::kPost, kConfirm, "203.0.113.20", "bob")).has_value());
}

TEST_F(RateLimitsTest, HammeringOneShowLeavesTheOthersAlone) {
  Make();
  int passed = 0;
  for (int i = 0; i < 6; ++i) {
    passed +=
        Check(Req(Method::kPost, kHolds, "203.0.113." + std::to_string(i), "alice", "7")) ? 0 : 1;
  }
  EXPECT_EQ(passed, 2) << "the show's burst";
  EXPECT_EQ(limits_->limited(RateScope::kUserShow), 4u);
  // The refusals took nothing from alice's own bucket: another show still works.
  EXPECT_FALSE(Check(Req(Method::kPost, kHolds, "203.0.113.30", "alice", "8")).has_value());
  EXPECT_FALSE(Check(Req(Method::kPost, kHolds, "203.0.113.31", "bob", "7")).has_value());
}

TEST_F(RateLimitsTest, ReadsAreNotLimitedPerUser) {
  Make();
  int passed = 0;
  for (int i = 0; i < 10; ++i) {
    passed += Check(Req(Method::kGet, kShow, "203.0.113." + std::to_string(i), "alice")) ? 0 : 1;
  }
  EXPECT_EQ(passed, 10);
}

TEST_F(RateLimitsTest, TheAdminKeyAndAdminTokensAreExempt) {
  Make();
  Request key = Req(Method::kPost, "/v1/shows", "203.0.113.5");
  key.headers.Add("X-Admin-Key", std::string(kAdminKey));
  EXPECT_EQ(Passing(key, 20), 20);
  Request jwt = Req(Method::kPost, "/v1/shows", "203.0.113.6");
  jwt.headers.Add("Authorization", "Bearer " + Token(clock_, "ops", JwtRole::kAdmin));
  EXPECT_EQ(Passing(jwt, 20), 20);
  Request wrong = Req(Method::kPost, "/v1/shows", "203.0.113.7");
  wrong.headers.Add("X-Admin-Key", "not-the-key");
  EXPECT_EQ(Passing(wrong, 5), 2) << "a wrong key is an ordinary client";
}

TEST_F(RateLimitsTest, TheSignedWebhookIsNotLimited) {
  Make();
  EXPECT_EQ(Passing(Req(Method::kPost, kSignedWebhookRoute, "203.0.113.5"), 20), 20);
  EXPECT_EQ(Passing(Req(Method::kPost, "/v1/payments/other", "203.0.113.5"), 20), 2);
}

TEST_F(RateLimitsTest, AScopeWithRateZeroIsOff) {
  RateLimitOptions o;
  o.limits[static_cast<size_t>(RateScope::kAddress)] = core::RateLimit{0, 10};
  Make(o, /*test_limits=*/false);
  EXPECT_EQ(Passing(Req(Method::kPost, "/v1/venues", "203.0.113.5"), 100), 100);
}

TEST_F(RateLimitsTest, RetryAfterRoundsUpToWholeSecondsAtLeastOne) {
  EXPECT_EQ(RetryAfterSeconds(0), 1u);
  EXPECT_EQ(RetryAfterSeconds(1), 1u);
  EXPECT_EQ(RetryAfterSeconds(1000), 1u);
  EXPECT_EQ(RetryAfterSeconds(1001), 2u);
  EXPECT_EQ(RetryAfterSeconds(59'999), 60u);
}

TEST_F(RateLimitsTest, RetryAfterFollowsTheConfiguredRate) {
  RateLimitOptions o;
  o.limits[0] = core::RateLimit{3, 1};  // a token every 333.3 ms
  Make(o, /*test_limits=*/false);
  const Request r = Req(Method::kPost, "/v1/venues", "203.0.113.5");
  EXPECT_FALSE(Check(r).has_value());
  const std::optional<Response> refused = Check(r);
  ASSERT_TRUE(refused.has_value());
  const boost::json::value body = boost::json::parse(refused->body.view());
  EXPECT_EQ(body.at("retry_after_ms").as_int64(), 334);
  EXPECT_EQ(refused->headers.Get("Retry-After"), "1");
}

TEST_F(RateLimitsTest, CountersAppearInMetricsByScope) {
  Make();
  const Request r = Req(Method::kPost, "/v1/venues", "203.0.113.5");
  EXPECT_EQ(Passing(r, 3), 2);
  EXPECT_NE(metrics_.RenderText().find("boxoffice_rate_limited_total{scope=\"address\"} 1"),
            std::string::npos)
      << metrics_.RenderText();
}

TEST_F(RateLimitsTest, ParsesClientAddresses) {
  EXPECT_FALSE(ParseClientAddress("").has_value());
  EXPECT_FALSE(ParseClientAddress("localhost").has_value());
  EXPECT_FALSE(ParseClientAddress("1.2.3.4.5").has_value());
  const auto v4 = ParseClientAddress("10.1.2.3");
  ASSERT_TRUE(v4.has_value());
  EXPECT_FALSE(v4->v6);
  EXPECT_FALSE(v4->loopback);
  EXPECT_EQ(v4->bytes[3], 3);
  EXPECT_TRUE(ParseClientAddress("127.8.9.10")->loopback);
  const auto mapped = ParseClientAddress("::ffff:10.1.2.3");
  ASSERT_TRUE(mapped.has_value());
  EXPECT_FALSE(mapped->v6);
  EXPECT_EQ(mapped->bytes, v4->bytes);
  const auto v6 = ParseClientAddress("2001:db8::1");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->v6);
  EXPECT_EQ(v6->bytes[15], 0) << "only the /64 is kept";
}

}  // namespace
}  // namespace boxoffice::http
