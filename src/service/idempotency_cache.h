// IdempotencyCache: the first response to each (user, Idempotency-Key),
// replayed for repeats while it is kept (kIdempotencyRetentionMs).
//
// Forgetting follows the store, never leads it: ForgetBefore(t) drops exactly
// the records made before t, the ones a durable HistoryPruned with the same
// bound deleted from the store, so a key the cache no longer knows is known to
// the store no more either and a fresh request under it writes a new record.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "core/types.h"
#include "store/store.h"

namespace boxoffice::service {

class IdempotencyCache {
 public:
  std::optional<store::IdempotencyRecord> Find(const std::string& user,
                                               const std::string& key) const;
  // Keeps `record` unless its (user, key) is kept already; whether it was added.
  bool Add(store::IdempotencyRecord record);
  // Forgets every record made before `before_ms`.
  void ForgetBefore(core::TimeMs before_ms);
  size_t size() const;

 private:
  using Records = std::map<std::pair<std::string, std::string>, store::IdempotencyRecord>;
  mutable std::mutex mu_;
  Records records_;                                         // guarded by mu_
  std::multimap<core::TimeMs, Records::iterator> by_time_;  // guarded by mu_
};

}  // namespace boxoffice::service
