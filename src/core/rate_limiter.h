// RateLimiter: token buckets by key, for abuse control (per client address,
// per user, per show: the caller builds the key).
//
// Each key has a bucket of `burst` tokens refilled at `per_second`; a request
// takes `cost` tokens or is refused with the time until it could pass
// (Retry-After). Buckets live in an open-addressing map of at most
// `keys_max` entries: when it is full, Sweep() drops buckets that refilled
// completely (they behave exactly as a fresh bucket would), and a key that
// still finds no room is refused, so memory is bounded under a flood of new
// keys.
//
// Time: `now_ms` is a parameter; it never runs backwards inside a limiter.
// Thread-safety: none; the HTTP layer shards limiters behind mutexes.
#pragma once

#include <cstdint>

#include "core/flat_map.h"
#include "core/types.h"

namespace boxoffice::core {

struct RateLimit {
  uint32_t per_second = 10;  // refill rate, tokens a second
  uint32_t burst = 20;       // bucket size
};

struct RateDecision {
  bool allowed = true;
  DurationMs retry_after_ms = 0;  // when refused: until `cost` tokens are there
};

class RateLimiter {
 public:
  RateLimiter(RateLimit limit, uint32_t keys_max);

  // `key` is never 0 (hash the client's identity into it; 0 is remapped).
  RateDecision Take(uint64_t key, TimeMs now_ms, uint32_t cost = 1);
  // Drops buckets that are full again at `now_ms`.
  void Sweep(TimeMs now_ms);

  size_t keys() const { return buckets_.size(); }
  size_t bytes() const { return buckets_.bytes(); }
  const RateLimit& limit() const { return limit_; }

 private:
  static constexpr int64_t kMilli = 1000;  // tokens are kept in thousandths
  struct Bucket {
    int64_t milli_tokens;
    TimeMs at_ms;  // when milli_tokens was right
  };
  int64_t Refilled(const Bucket& b, TimeMs now_ms) const;

  RateLimit limit_;
  uint32_t keys_max_;
  FlatMap<uint64_t, Bucket> buckets_;
  TimeMs now_ms_ = 0;
};

}  // namespace boxoffice::core
