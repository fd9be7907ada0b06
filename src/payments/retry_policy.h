// RetryPolicy: when a webhook that was not acknowledged is sent again.
//
// Exponential backoff with jitter: after the n-th failed attempt the next one
// waits a random time in [d/2, d], d = min(delay_max_ms, first_delay_ms * 2^(n-1)),
// so receivers that failed together do not get their retries together. A
// delivery is given up (and counted as dropped) after attempts_max attempts
// or once it is older than age_max_ms, whichever comes first.
//
// Thread-safety: pure functions of their arguments.
#pragma once

#include <cstdint>

#include "core/status.h"

namespace boxoffice::payments {

inline constexpr int64_t kWebhookFirstDelayMsDefault = 500;
inline constexpr int64_t kWebhookDelayMaxMsDefault = 30'000;
inline constexpr uint32_t kWebhookAttemptsMaxDefault = 12;
inline constexpr int64_t kWebhookAgeMaxMsDefault = 3'600'000;  // an hour

struct RetryPolicy {
  int64_t first_delay_ms = kWebhookFirstDelayMsDefault;
  int64_t delay_max_ms = kWebhookDelayMaxMsDefault;
  uint32_t attempts_max = kWebhookAttemptsMaxDefault;
  int64_t age_max_ms = kWebhookAgeMaxMsDefault;
};

// OK, or kInvalidArgument: delays must be positive, first <= max, attempts >= 1.
Status ValidateRetryPolicy(const RetryPolicy& p);

// The wait after `failed_attempts` (>= 1) failures; `random` is any 64-bit draw.
int64_t BackoffDelayMs(const RetryPolicy& p, uint32_t failed_attempts, uint64_t random);

// Whether another attempt is made after `failed_attempts` failures, the first
// attempt having been made `age_ms` ago, if the next one would wait `next_delay_ms`.
bool ShouldRetry(const RetryPolicy& p, uint32_t failed_attempts, int64_t age_ms,
                 int64_t next_delay_ms);

}  // namespace boxoffice::payments
