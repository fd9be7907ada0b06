#include "http/rate_limits.h"

#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#include "crypto/random.h"
#include "http/admin_key.h"
#include "http/jwt.h"
#include "http/problem.h"

namespace boxoffice::http {

std::string_view RateScopeName(RateScope scope) {
  switch (scope) {
    case RateScope::kAddress:
      return "address";
    case RateScope::kAddressRead:
      return "address_read";
    case RateScope::kUser:
      return "user";
    case RateScope::kUserShow:
      return "user_show";
  }
  return "unknown";
}

RouteTraits RouteTraitsOf(Method method, std::string_view pattern) {
  RouteTraits t;
  t.write = method == Method::kPost || method == Method::kPut || method == Method::kPatch ||
            method == Method::kDelete;
  t.show_scoped = pattern.starts_with("/v1/shows/{id}/");
  t.exempt = pattern == kSignedWebhookRoute;
  return t;
}

std::optional<ClientAddress> ParseClientAddress(std::string_view text) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (text.empty() || text.size() >= sizeof(buf)) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  ClientAddress a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
    a.loopback = a.bytes[0] == 127;
    return a;
  }
  std::array<uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, buf, v6.data()) != 1) return std::nullopt;
  constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), v6.begin())) {
    std::copy(v6.begin() + 12, v6.end(), a.bytes.begin());
    a.loopback = a.bytes[0] == 127;
    return a;
  }
  constexpr std::array<uint8_t, 16> kLoopback = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  a.v6 = true;
  a.loopback = v6 == kLoopback;
  std::copy(v6.begin(), v6.begin() + 8, a.bytes.begin());  // the /64
  return a;
}

uint64_t RetryAfterSeconds(core::DurationMs retry_after_ms) {
  const core::DurationMs s = (retry_after_ms + 999) / 1000;
  return static_cast<uint64_t>(std::max<core::DurationMs>(1, s));
}

namespace {

// A seeded 64-bit hash (FNV-1a, then the splitmix64 finalizer): keys of
// different clients collide with negligible odds, and without the seed
// nobody can pick a key that lands on somebody else's bucket.
uint64_t KeyHash(uint64_t seed, std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

std::string_view AsKey(const ClientAddress& a) {
  return {reinterpret_cast<const char*>(a.bytes.data()), a.v6 ? size_t{8} : size_t{4}};
}

// The entry X-Forwarded-For's last hop added: its last comma-separated item.
std::optional<ClientAddress> ForwardedClient(const Request& req) {
  const std::optional<std::string_view> xff = req.Header("X-Forwarded-For");
  if (!xff) return std::nullopt;
  const size_t comma = xff->rfind(',');
  std::string_view last = xff->substr(comma == std::string_view::npos ? 0 : comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  return ParseClientAddress(last);
}

}  // namespace

struct RateLimits::Scope {
  struct Shard {
    std::mutex mu;
    core::RateLimiter limiter;
    core::TimeMs swept_at_ms = 0;
    Shard(core::RateLimit limit, uint32_t keys_max) : limiter(limit, keys_max) {}
  };
  std::array<std::unique_ptr<Shard>, kRateShards> shards;
  metrics::Counter* limited = nullptr;
  std::atomic<uint64_t> limited_count{0};
};

struct RateLimits::Caller {
  bool exempt = false;                   // admin
  std::optional<ClientAddress> address;  // nothing: not limited by address
  std::string user;                      // empty: no valid fan token
};

RateLimits::RateLimits(RateLimitOptions options, std::function<core::TimeMs()> now_ms,
                       metrics::Registry* metrics)
    : options_(std::move(options)), now_ms_(std::move(now_ms)) {
  crypto::RandomBytes(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&seed_), sizeof(seed_)));
  const uint32_t keys_per_shard =
      std::max<uint32_t>(1, options_.keys_max / static_cast<uint32_t>(kRateShards));
  for (size_t i = 0; i < kRateScopeCount; ++i) {
    const core::RateLimit limit = options_.limits[i];
    if (limit.per_second == 0 || limit.burst == 0) continue;
    auto scope = std::make_unique<Scope>();
    for (auto& shard : scope->shards) shard = std::make_unique<Scope::Shard>(limit, keys_per_shard);
    if (metrics != nullptr) {
      scope->limited = &metrics->GetCounter(
          "boxoffice_rate_limited_total", "Requests refused 429 by a rate limit, by scope.",
          {{"scope", std::string(RateScopeName(static_cast<RateScope>(i)))}});
    }
    scopes_[i] = std::move(scope);
  }
}

RateLimits::~RateLimits() = default;

void RateLimits::Guard(Router& router) {
  router.WrapHandlers([this](const Route& route, Handler inner) -> Handler {
    const RouteTraits traits = RouteTraitsOf(route.method, route.pattern);
    return [this, traits, inner = std::move(inner)](Request&& req, Responder respond) {
      if (std::optional<Response> refused = Check(req, traits)) {
        return respond(std::move(*refused));
      }
      inner(std::move(req), std::move(respond));
    };
  });
}

RateLimits::Caller RateLimits::Identify(const Request& req, core::TimeMs now_ms) const {
  Caller c;
  if (const auto key = req.Header("X-Admin-Key");
      key && AdminKeyMatches(*key, options_.admin_key)) {
    c.exempt = true;
    return c;
  }
  std::optional<ClientAddress> peer = ParseClientAddress(req.remote_address);
  if (peer && peer->loopback && options_.forwarded_for) {
    if (std::optional<ClientAddress> forwarded = ForwardedClient(req)) peer = forwarded;
  }
  if (!peer || (peer->loopback && !options_.loopback)) {
    c.exempt = true;  // the operator's own machine (see the header)
    return c;
  }
  c.address = peer;
  if (const auto bearer = req.BearerToken()) {
    StatusOr<JwtClaims> claims = VerifyJwtRemembered(*bearer, options_.jwt_secret, now_ms);
    if (claims.ok() && claims->role == JwtRole::kAdmin) c.exempt = true;
    if (claims.ok()) c.user = claims->sub;
  }
  return c;
}

std::optional<core::DurationMs> RateLimits::Take(RateScope scope, std::string_view key,
                                                 core::TimeMs now_ms) const {
  Scope* s = scopes_[static_cast<size_t>(scope)].get();
  if (s == nullptr) return std::nullopt;
  const uint64_t hash = KeyHash(seed_ + static_cast<uint64_t>(scope), key);
  Scope::Shard& shard = *s->shards[hash % kRateShards];
  core::RateDecision d;
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    if (now_ms - shard.swept_at_ms >= kRateSweepIntervalMs) {
      shard.limiter.Sweep(now_ms);
      shard.swept_at_ms = now_ms;
    }
    d = shard.limiter.Take(hash / kRateShards, now_ms);
  }
  if (d.allowed) return std::nullopt;
  s->limited_count.fetch_add(1, std::memory_order_relaxed);
  if (s->limited != nullptr) s->limited->Inc();
  return d.retry_after_ms;
}

std::optional<Response> RateLimits::Check(const Request& req, RouteTraits route) const {
  if (route.exempt) return std::nullopt;
  const core::TimeMs now_ms = now_ms_();
  const Caller caller = Identify(req, now_ms);
  if (caller.exempt) return std::nullopt;
  RateScope refused_by = RateScope::kAddress;
  std::optional<core::DurationMs> wait;
  const auto take = [&](RateScope scope, std::string_view key) {
    if (wait) return;
    wait = Take(scope, key, now_ms);
    refused_by = scope;
  };
  if (caller.address) {
    take(route.write ? RateScope::kAddress : RateScope::kAddressRead, AsKey(*caller.address));
  }
  if (route.write && !caller.user.empty()) {
    if (route.show_scoped) {
      // The user, a 0x00 (never inside a JWT subject's JSON string), the show.
      std::string key = caller.user;
      key += '\0';
      key += req.PathParam("id");
      take(RateScope::kUserShow, key);
    }
    take(RateScope::kUser, caller.user);
  }
  if (!wait) return std::nullopt;
  const uint64_t seconds = RetryAfterSeconds(*wait);
  Problem p;
  p.status = 429;
  p.code = "rate_limited";
  p.title = "Too many requests";
  p.detail = "over the " + std::string(RateScopeName(refused_by)) + " rate limit; retry after " +
             std::to_string(seconds) + " s";
  p.extra["scope"] = RateScopeName(refused_by);
  p.extra["retry_after_ms"] = *wait;
  Response r = p.ToResponse();
  r.headers.Set("Retry-After", std::to_string(seconds));
  return r;
}

uint64_t RateLimits::limited(RateScope scope) const {
  const Scope* s = scopes_[static_cast<size_t>(scope)].get();
  return s == nullptr ? 0 : s->limited_count.load(std::memory_order_relaxed);
}

}  // namespace boxoffice::http
