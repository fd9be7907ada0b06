#include "service/idempotency_cache.h"

namespace boxoffice::service {

std::optional<store::IdempotencyRecord> IdempotencyCache::Find(const std::string& user,
                                                               const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find({user, key});
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

bool IdempotencyCache::Add(store::IdempotencyRecord record) {
  std::lock_guard<std::mutex> lock(mu_);
  const core::TimeMs at = record.created_at_ms;
  const auto [it, added] =
      records_.emplace(std::make_pair(record.user, record.key), std::move(record));
  if (added) by_time_.emplace(at, it);
  return added;
}

void IdempotencyCache::ForgetBefore(core::TimeMs before_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto end = by_time_.lower_bound(before_ms);
  for (auto it = by_time_.begin(); it != end; ++it) records_.erase(it->second);
  by_time_.erase(by_time_.begin(), end);
}

size_t IdempotencyCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return records_.size();
}

}  // namespace boxoffice::service
