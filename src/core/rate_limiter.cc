#include "core/rate_limiter.h"

#include <algorithm>

#include "core/status.h"

namespace boxoffice::core {

RateLimiter::RateLimiter(RateLimit limit, uint32_t keys_max) : limit_(limit), keys_max_(keys_max) {
  BOX_ASSERT(limit_.per_second > 0 && limit_.burst > 0 && keys_max_ > 0);
}

int64_t RateLimiter::Refilled(const Bucket& b, TimeMs now_ms) const {
  const int64_t cap = int64_t{limit_.burst} * kMilli;
  const DurationMs elapsed = std::max<DurationMs>(0, now_ms - b.at_ms);
  // per_second tokens a second = per_second thousandths a millisecond.
  if (elapsed > (cap - b.milli_tokens) / limit_.per_second) return cap;  // and no overflow
  return std::min(cap, b.milli_tokens + elapsed * limit_.per_second);
}

RateDecision RateLimiter::Take(uint64_t key, TimeMs now_ms, uint32_t cost) {
  now_ms_ = std::max(now_ms_, now_ms);
  if (key == 0) key = 1;
  const int64_t need = int64_t{cost} * kMilli;
  Bucket* b = buckets_.Find(key);
  if (b == nullptr) {
    if (buckets_.size() >= keys_max_) Sweep(now_ms_);
    if (buckets_.size() >= keys_max_) return RateDecision{false, 1000};  // a flood of new keys
    b = &buckets_[key];
    *b = Bucket{int64_t{limit_.burst} * kMilli, now_ms_};
  }
  const int64_t tokens = Refilled(*b, now_ms_);
  if (tokens < need) {
    const int64_t missing = need - tokens;
    // Ceiling division: the first millisecond at which enough has refilled.
    const DurationMs wait = (missing + limit_.per_second - 1) / limit_.per_second;
    b->milli_tokens = tokens;
    b->at_ms = now_ms_;
    return RateDecision{false, wait};
  }
  b->milli_tokens = tokens - need;
  b->at_ms = now_ms_;
  return RateDecision{true, 0};
}

void RateLimiter::Sweep(TimeMs now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  const int64_t cap = int64_t{limit_.burst} * kMilli;
  buckets_.EraseIf([&](uint64_t, const Bucket& b) { return Refilled(b, now_ms_) >= cap; });
}

}  // namespace boxoffice::core
