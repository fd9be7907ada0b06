// RateLimits: token buckets (core::RateLimiter) in front of every route, so a
// client over its budget is refused with 429 `rate_limited` and a Retry-After
// before any work is done.
//
// Four scopes, each with its own rate and burst (per_second 0 switches it off):
//   address       every POST/PUT/PATCH/DELETE, keyed by the client address
//   address_read  every other method (GET, HEAD), keyed by the client address
//   user          every mutating request with a valid fan bearer token, by user
//   user_show     mutating routes under /v1/shows/{id}/ (holds, joining the
//                 queue), by user and show: a fan hammering one show spends
//                 this budget, not the one it needs for other shows (keep it
//                 below `user`)
// A request takes a token from each scope that applies, in the order above,
// and stops at the first refusal (later scopes keep their tokens).
//
// The client address is the socket's peer (Request::remote_address); IPv6
// clients are keyed by their /64, which one subscriber usually owns. Requests
// from loopback are not limited at all unless `loopback` is set: they come
// from the operator's own tools, load tests and the test suite, or from a
// reverse proxy on the same host; behind such a proxy set `forwarded_for`,
// and the client address becomes the last entry of X-Forwarded-For (the
// one the proxy added) when the peer is loopback. Requests with a valid
// X-Admin-Key (or an admin bearer token) are never limited, nor is the
// payment gateway's webhook (kSignedWebhookRoute): its HMAC signature
// authenticates it, checking that costs what a bucket would, and a gateway on
// another host may send hundreds a second during an on-sale.
//
// Memory: each scope keeps at most `keys_max` buckets, split over
// kRateShards shards; buckets that refilled completely are swept every
// kRateSweepIntervalMs, and a new key that finds no room is refused.
// Counters: boxoffice_rate_limited_total{scope}.
//
// Thread-safety: Check() from any thread (each shard has its own mutex);
// Guard() before the server starts.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/limits.h"
#include "core/rate_limiter.h"
#include "core/types.h"
#include "http/router.h"
#include "metrics/metrics.h"

namespace boxoffice::http {

enum class RateScope : uint8_t { kAddress, kAddressRead, kUser, kUserShow };
inline constexpr size_t kRateScopeCount = 4;
std::string_view RateScopeName(RateScope scope);  // "address", "address_read", ...

inline constexpr size_t kRateShards = 16;
inline constexpr core::DurationMs kRateSweepIntervalMs = 10'000;

inline constexpr std::array<core::RateLimit, kRateScopeCount> kRateLimitDefaults = {
    core::RateLimit{core::kRateAddressPerSecondDefault, core::kRateAddressBurstDefault},
    core::RateLimit{core::kRateAddressReadPerSecondDefault, core::kRateAddressReadBurstDefault},
    core::RateLimit{core::kRateUserPerSecondDefault, core::kRateUserBurstDefault},
    core::RateLimit{core::kRateUserShowPerSecondDefault, core::kRateUserShowBurstDefault},
};

struct RateLimitOptions {
  std::array<core::RateLimit, kRateScopeCount> limits = kRateLimitDefaults;  // per_second 0: off
  uint32_t keys_max = core::kRateKeysMaxDefault;
  bool loopback = false;       // limit loopback clients too
  bool forwarded_for = false;  // from a loopback peer, the client is X-Forwarded-For's last entry
  std::string jwt_secret;      // to find the user of a bearer token
  std::string admin_key;       // requests with it are never limited
};

inline constexpr std::string_view kSignedWebhookRoute = "/v1/payments/webhook";

// What the check needs to know of a route, decided once per route.
struct RouteTraits {
  bool write = false;        // POST, PUT, PATCH, DELETE
  bool show_scoped = false;  // under /v1/shows/{id}/
  bool exempt = false;       // authenticated by a signature: never limited
};
RouteTraits RouteTraitsOf(Method method, std::string_view pattern);

// A client's address as a key: an IPv4 address, or an IPv6 /64 prefix
// (IPv4-mapped IPv6 addresses count as IPv4). Nothing for text that is no
// IP address.
struct ClientAddress {
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4 bytes; IPv6 /64, rest zero
  bool v6 = false;
  bool loopback = false;
};
std::optional<ClientAddress> ParseClientAddress(std::string_view text);

// Whole seconds for a Retry-After header: rounded up, at least 1.
uint64_t RetryAfterSeconds(core::DurationMs retry_after_ms);

class RateLimits {
 public:
  // `now_ms` is read once per Check; `metrics` may be null (tests).
  RateLimits(RateLimitOptions options, std::function<core::TimeMs()> now_ms,
             metrics::Registry* metrics);
  ~RateLimits();
  RateLimits(const RateLimits&) = delete;
  RateLimits& operator=(const RateLimits&) = delete;

  // Puts Check in front of every route of `router`.
  void Guard(Router& router);

  // Nothing when `req` may pass (its tokens are taken); otherwise the 429.
  std::optional<Response> Check(const Request& req, RouteTraits route) const;

  uint64_t limited(RateScope scope) const;  // requests refused by `scope` so far

 private:
  struct Scope;
  struct Caller;

  Caller Identify(const Request& req, core::TimeMs now_ms) const;
  std::optional<core::DurationMs> Take(RateScope scope, std::string_view key,
                                       core::TimeMs now_ms) const;

  RateLimitOptions options_;
  std::function<core::TimeMs()> now_ms_;
  uint64_t seed_;  // of the key hash, so nobody can aim at another client's bucket
  std::array<std::unique_ptr<Scope>, kRateScopeCount> scopes_;  // null: off
};

}  // namespace boxoffice::http
