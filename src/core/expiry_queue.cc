#include "core/expiry_queue.h"

#include <algorithm>

#include "core/status.h"

namespace boxoffice::core {

bool ExpiryQueue::Contains(uint32_t slot) const {
  return slot < position_.size() && position_[slot] != kAbsent;
}

void ExpiryQueue::Place(size_t pos, Entry e) {
  heap_[pos] = e;
  position_[e.slot] = static_cast<uint32_t>(pos);
}

void ExpiryQueue::SiftUp(size_t pos) {
  const Entry e = heap_[pos];
  while (pos > 0) {
    const size_t parent = (pos - 1) / 2;
    if (heap_[parent].offset_ms <= e.offset_ms) break;
    Place(pos, heap_[parent]);
    pos = parent;
  }
  Place(pos, e);
}

void ExpiryQueue::SiftDown(size_t pos) {
  const Entry e = heap_[pos];
  const size_t n = heap_.size();
  while (true) {
    size_t child = 2 * pos + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1].offset_ms < heap_[child].offset_ms) ++child;
    if (e.offset_ms <= heap_[child].offset_ms) break;
    Place(pos, heap_[child]);
    pos = child;
  }
  Place(pos, e);
}

uint32_t ExpiryQueue::OffsetOf(TimeMs deadline_ms) {
  if (heap_.empty()) base_ms_ = deadline_ms;
  if (deadline_ms < base_ms_ || deadline_ms - base_ms_ > TimeMs{UINT32_MAX}) {
    TimeMs low = deadline_ms, high = deadline_ms;
    for (const Entry& e : heap_) {
      low = std::min(low, base_ms_ + e.offset_ms);
      high = std::max(high, base_ms_ + e.offset_ms);
    }
    BOX_ASSERT(high - low <= TimeMs{UINT32_MAX});  // live deadlines are a hold's life apart
    for (Entry& e : heap_) e.offset_ms = static_cast<uint32_t>(base_ms_ + e.offset_ms - low);
    base_ms_ = low;
  }
  return static_cast<uint32_t>(deadline_ms - base_ms_);
}

void ExpiryQueue::Insert(uint32_t slot, TimeMs deadline_ms) {
  if (slot >= position_.size()) {
    position_.resize(std::max<size_t>(slot + 1, position_.size() * 2), kAbsent);
  }
  BOX_ASSERT(position_[slot] == kAbsent);
  const uint32_t offset_ms = OffsetOf(deadline_ms);
  heap_.push_back(Entry{offset_ms, slot});
  position_[slot] = static_cast<uint32_t>(heap_.size() - 1);
  SiftUp(heap_.size() - 1);
}

void ExpiryQueue::RemoveAt(size_t pos) {
  const uint32_t slot = heap_[pos].slot;
  const Entry last = heap_.back();
  heap_.pop_back();
  position_[slot] = kAbsent;
  if (pos == heap_.size()) return;
  Place(pos, last);
  SiftUp(pos);
  SiftDown(position_[last.slot]);
}

void ExpiryQueue::Remove(uint32_t slot) {
  BOX_ASSERT(Contains(slot));
  RemoveAt(position_[slot]);
}

void ExpiryQueue::Reschedule(uint32_t slot, TimeMs deadline_ms) {
  BOX_ASSERT(Contains(slot));
  const uint32_t offset_ms = OffsetOf(deadline_ms);
  const size_t pos = position_[slot];
  heap_[pos].offset_ms = offset_ms;
  SiftUp(pos);
  SiftDown(position_[slot]);
}

void ExpiryQueue::PopDue(TimeMs now_ms, std::vector<uint32_t>& due) {
  while (AnyDue(now_ms)) {
    due.push_back(heap_.front().slot);
    RemoveAt(0);
  }
}

}  // namespace boxoffice::core
