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
  // 40 bytes: closes are many, so an entry keeps only what a late request needs.
  struct Entry {
    HoldId id = 0;
    Token token;
    uint32_t owner = 0;                    // OwnerId, which the service keeps below 2^32
    uint32_t booking = 0;                  // BookingId, below 2^32 within a show
    uint32_t closed_at_s = 0;              // seconds since the epoch (pruning works in seconds)
    Outcome why = Outcome::kHoldNotFound;  // kHoldExpired, kHoldReleased or kHoldConfirmed
  };
  static_assert(sizeof(Entry) == 40);

  static constexpr size_t kRecentMax = 8192;

  void Add(const Entry& e);
  const Entry* Find(HoldId id) const;
  // Drops entries closed before `closed_before_ms`, to the second (rounded up).
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
