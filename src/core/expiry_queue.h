// ExpiryQueue: which holds are due, exactly, in O(log n).
//
// An indexed binary min-heap of (deadline, slot). Each slot remembers its
// position in the heap, so Remove and Reschedule of any hold are O(log n) and a
// released hold leaves nothing behind (a flash sale releases most holds long
// before they expire; a heap with lazy deletion would keep them all until
// their deadline). PopDue(now) is O(k log n) for k due holds and O(1) when
// none is due, so the inventory can call it before every operation and a hold
// is gone exactly at its deadline, never a tick later.
//
// An entry is 8 bytes: its deadline is kept as milliseconds after a base
// time. Live deadlines lie within a hold's longest life of each other
// (kHoldLifetimeMaxMs, far below the 49 days 32 bits span); when a deadline
// falls outside the span, every entry is rebased once, in O(n).
//
// Not thread-safe: owned by one ShowInventory.
#pragma once

#include <cstdint>
#include <vector>

#include "core/types.h"

namespace boxoffice::core {

class ExpiryQueue {
 public:
  void Insert(uint32_t slot, TimeMs deadline_ms);
  void Remove(uint32_t slot);
  void Reschedule(uint32_t slot, TimeMs deadline_ms);
  bool Contains(uint32_t slot) const;

  // Removes every slot whose deadline is <= now_ms and appends it to `due`,
  // earliest deadline first.
  void PopDue(TimeMs now_ms, std::vector<uint32_t>& due);

  bool AnyDue(TimeMs now_ms) const {
    return !heap_.empty() && base_ms_ + heap_.front().offset_ms <= now_ms;
  }
  size_t size() const { return heap_.size(); }
  size_t bytes() const {
    return heap_.capacity() * sizeof(Entry) + position_.capacity() * sizeof(uint32_t);
  }

 private:
  static constexpr uint32_t kAbsent = UINT32_MAX;
  struct Entry {
    uint32_t offset_ms;  // the deadline, after base_ms_
    uint32_t slot;
  };
  static_assert(sizeof(Entry) == 8);

  // The offset of `deadline_ms`, rebasing every entry first if it is out of range.
  uint32_t OffsetOf(TimeMs deadline_ms);

  void Place(size_t pos, Entry e);
  void SiftUp(size_t pos);
  void SiftDown(size_t pos);
  void RemoveAt(size_t pos);

  std::vector<Entry> heap_;
  std::vector<uint32_t> position_;  // per slot: index in heap_, or kAbsent
  TimeMs base_ms_ = 0;
};

}  // namespace boxoffice::core
