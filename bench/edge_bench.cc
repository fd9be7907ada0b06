// Benchmarks of the HTTP edge's per-request checks: one thread, no sockets.
//
//   build/release/boxoffice_bench_edge --benchmark_repetitions=5
//     --benchmark_report_aggregates_only=true
//
// Figures and how to read them: docs/PERFORMANCE.md, section "Abuse control".
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "http/jwt.h"
#include "http/rate_limits.h"

namespace boxoffice {
namespace {

constexpr std::string_view kSecret = "edge-bench-secret-0123456789abcdef0123";
constexpr core::TimeMs kNowMs = 1'800'000'000'000;
constexpr int kFans = 1024;                  // distinct fans and addresses, cycled
constexpr uint32_t kBudget = 1'000'000'000;  // no request is ever refused

http::Request HoldRequest(int fan, const std::string& address) {
  http::JwtClaims c;
  c.sub = "fan-" + std::to_string(fan);
  c.iat_s = kNowMs / 1000;
  c.exp_s = c.iat_s + 3600;
  http::Request r;
  r.method = http::Method::kPost;
  r.route = "/v1/shows/{id}/holds";
  r.path_params.emplace_back("id", "s1");
  r.remote_address = address;
  r.headers.Add("Authorization", "Bearer " + http::SignJwt(c, kSecret));
  return r;
}

// One request through RateLimits::Check; `loopback` requests are exempt
// (the default for local clients), the others take a token from the address,
// fan and fan-and-show buckets.
void BM_RateLimitsCheck(benchmark::State& state) {
  const bool loopback = state.range(0) == 1;
  http::RateLimitOptions o;
  for (core::RateLimit& l : o.limits) l = core::RateLimit{kBudget, kBudget};
  o.jwt_secret = kSecret;
  core::TimeMs now_ms = kNowMs;
  http::RateLimits limits(
      o, [&now_ms] { return now_ms; }, nullptr);
  std::vector<http::Request> requests;
  for (int i = 0; i < kFans; ++i) {
    requests.push_back(HoldRequest(
        i, loopback ? "127.0.0.1"
                    : "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256)));
  }
  const http::RouteTraits traits = http::RouteTraitsOf(http::Method::kPost, "/v1/shows/{id}/holds");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(limits.Check(requests[i], traits));
    if (++i == requests.size()) {
      i = 0;
      ++now_ms;
    }
  }
}
BENCHMARK(BM_RateLimitsCheck)->Arg(1)->Arg(0);

}  // namespace
}  // namespace boxoffice

BENCHMARK_MAIN();
