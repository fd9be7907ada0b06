#include "payments/retry_policy.h"

#include <algorithm>

namespace boxoffice::payments {

Status ValidateRetryPolicy(const RetryPolicy& p) {
  if (p.first_delay_ms <= 0 || p.delay_max_ms < p.first_delay_ms) {
    return Status::InvalidArgument("retry delays: need 0 < first_delay_ms <= delay_max_ms");
  }
  if (p.attempts_max < 1 || p.age_max_ms <= 0) {
    return Status::InvalidArgument("retry limits: need attempts_max >= 1 and age_max_ms > 0");
  }
  return Status::Ok();
}

int64_t BackoffDelayMs(const RetryPolicy& p, uint32_t failed_attempts, uint64_t random) {
  BOX_ASSERT(failed_attempts >= 1);
  int64_t d = p.first_delay_ms;
  for (uint32_t i = 1; i < failed_attempts && d < p.delay_max_ms; ++i) d *= 2;
  d = std::min(d, p.delay_max_ms);
  const int64_t half = d / 2;
  return half + static_cast<int64_t>(random % static_cast<uint64_t>(d - half + 1));
}

bool ShouldRetry(const RetryPolicy& p, uint32_t failed_attempts, int64_t age_ms,
                 int64_t next_delay_ms) {
  return failed_attempts < p.attempts_max && age_ms + next_delay_ms <= p.age_max_ms;
}

}  // namespace boxoffice::payments
