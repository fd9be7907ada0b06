// ExpiryWheel: a hashed timing wheel that says which holds are due.
//
// Entries are small integers (hold slots) with a deadline. Insert, Remove and
// Reschedule are O(1): each bucket is an intrusive doubly-linked list kept in
// arrays indexed by slot. Collect(now) walks only the buckets of ticks that
// have completely elapsed since the last call, so it does work proportional to
// the holds that fall due (plus, rarely, far-future entries that share a
// bucket and stay in it until their own revolution).
//
// Why this shape. A flash sale creates tens of thousands of holds per second
// and releases most of them before they expire. A heap with lazy deletion
// would keep every released hold until its deadline; the wheel forgets a
// released hold at once. Expiry is at most one tick late here; the inventory
// checks deadlines on every access, so a due hold is never usable meanwhile.
//
// Not thread-safe: owned by one ShowInventory.
#pragma once

#include <cstdint>
#include <vector>

#include "core/limits.h"
#include "core/types.h"

namespace boxoffice::core {

class ExpiryWheel {
 public:
  ExpiryWheel();

  void Insert(uint32_t slot, TimeMs deadline_ms);
  void Remove(uint32_t slot);
  void Reschedule(uint32_t slot, TimeMs deadline_ms);
  bool Contains(uint32_t slot) const;

  // Appends to `due` every slot whose deadline is <= now_ms and whose tick has
  // completely elapsed, removing it from the wheel.
  void Collect(TimeMs now_ms, std::vector<uint32_t>& due);

  size_t size() const { return size_; }

 private:
  static constexpr uint32_t kNil = UINT32_MAX;
  struct Link {
    uint32_t prev = kNil;
    uint32_t next = kNil;
    uint32_t bucket = kNil;  // kNil: not in the wheel
    TimeMs deadline_ms = 0;
  };

  static int64_t TickOf(TimeMs t) { return t / kExpiryTickMs; }
  void Unlink(uint32_t slot);

  std::vector<uint32_t> heads_;  // per bucket
  std::vector<Link> links_;      // per slot
  int64_t next_tick_ = -1;       // the first tick not yet collected; -1 before first use
  size_t size_ = 0;
};

}  // namespace boxoffice::core
