// HoldWarnings: when to tell a holder that their hold expires soon.
//
// The booking service adds every new hold with the time its warning is due
// (expires_at - warning time) and, on each sweep of a show, takes the holds
// whose warning fell due; it then checks each against the inventory (the hold
// may have closed, or been extended, in the meantime). One min-heap per show.
// Memory: 16 bytes per hold until its warning time passes.
//
// Thread-safety: every method may be called from any thread (one short lock).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <queue>
#include <utility>
#include <vector>

#include "core/types.h"

namespace boxoffice::service {

// How long before its expiry a holder is told "expiring soon" (a default;
// BookingService::SetHoldWarning and config `hold_warning_s` change it).
inline constexpr core::DurationMs kHoldWarningMsDefault = 60'000;

class HoldWarnings {
 public:
  void Add(core::ShowId show, core::HoldId hold, core::TimeMs due_ms);
  // Removes and returns the holds of `show` whose warning is due at `now_ms`,
  // earliest first.
  std::vector<core::HoldId> TakeDue(core::ShowId show, core::TimeMs now_ms);
  size_t size() const;

 private:
  using Entry = std::pair<core::TimeMs, core::HoldId>;
  using Heap = std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>>;

  mutable std::mutex mu_;
  std::map<core::ShowId, Heap> by_show_;  // guarded by mu_
};

}  // namespace boxoffice::service
