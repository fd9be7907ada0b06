// ClosedHolds: why each recently closed hold closed (released, expired,
// confirmed), whose it was and its booking, so a late request learns what
// happened instead of "not found".
//
// A flash sale closes millions of holds; a single hash map of them would take
// a cache miss on every close. Instead, closes go into a small hash map
// (`recent`, cache-resident); when it fills up it is sorted into a run, and
// runs of similar size are merged, as in a log-structured merge tree. A close
// costs O(1) plus O(log n) amortised sequential moves; a lookup costs one hash
// probe plus a binary search per run (at most ~log2(n / kRecentMax) runs).
// Forget() drops entries closed before a time, to bound memory.
//
// Not thread-safe: owned by one ShowInventory.
#pragma once

#include <vector>

#include "core/flat_map.h"
#include "core/types.h"

namespace boxoffice::core {

class ClosedHolds {
 public:
  struct Entry {
    HoldId id = 0;
    Outcome why = Outcome::kHoldNotFound;  // kHoldExpired, kHoldReleased or kHoldConfirmed
    Token token;
    OwnerId owner = 0;
    BookingId booking = 0;
    TimeMs closed_at_ms = 0;
  };

  static constexpr size_t kRecentMax = 8192;

  void Add(const Entry& e);
  const Entry* Find(HoldId id) const;
  void Forget(TimeMs closed_before_ms);

  size_t size() const;
  size_t bytes() const;
  size_t runs() const { return runs_.size(); }

 private:
  void FlushRecent();

  U64FlatMap<Entry> recent_;
  std::vector<std::vector<Entry>> runs_;  // each sorted by id; sizes decrease along the vector
};

}  // namespace boxoffice::core
